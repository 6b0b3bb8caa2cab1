import { createServer, type Server } from 'node:http';
import { acceptByPin, issueDevicePin, pendingRequests } from '../../sdk/client/devices.js';
import { boundAccount, testService, type TestDevice } from './mesh-service.js';

/**
 * The administrator side of the portable connect suite (test/portable/connect.ts): a real Mesh
 * service on loopback, an account `pin@example.com` with one password, and a small helper on
 * another port that hands out a fresh device PIN per run (`GET /pin` → `{uri, endpoint, site,
 * password}`, CORS open: the browser page calls it) while the administrator accepts, every
 * quarter second, each request whose PIN validates (`account sync --auto`). Each runtime's run
 * then connects a new device with the `mcu://` URI on that runtime's own home.
 */
export interface ConnectTestServer {
  /** The helper's base URL (`http://127.0.0.1:PORT`). */
  readonly url: string;
  /** The Mesh service's transaction endpoint. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export const CONNECT_SITE = 'portable.example.com';
export const CONNECT_PASSWORD = 'joined-by-pin';

export async function startConnectTestServer(): Promise<ConnectTestServer> {
  const service = await testService();
  let admin: TestDevice;
  try {
    admin = await boundAccount(service.endpoint, 'pin@example.com');
    const c = await admin.account.catalog('credential');
    try {
      await c.put({ $class: 'CatalogedCredential', Service: CONNECT_SITE, Username: 'pin', Password: CONNECT_PASSWORD });
    } finally {
      await c.close();
    }
    await admin.client.sync();
  } catch (e) {
    await service.stop();
    throw e;
  }
  // One administrator action at a time (the helper's PINs and the accept loop share the stores).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = queue.then(f, f);
    queue = next.catch(() => undefined);
    return next;
  };
  let stopped = false;
  const loop = setInterval(() => {
    if (stopped) return;
    void serial(async () => {
      await admin.client.sync();
      if ((await pendingRequests(admin.client)).requests.some((r) => r.pinId !== undefined)) await acceptByPin(admin.client);
    }).catch(() => undefined);
  }, 250);
  const helper: Server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    if (req.method !== 'GET' || req.url !== '/pin') {
      res.statusCode = 404;
      res.end();
      return;
    }
    serial(() => issueDevicePin(admin.client, { roles: ['web'] })).then((pin) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ uri: pin.uri, endpoint: service.endpoint, site: CONNECT_SITE, password: CONNECT_PASSWORD }));
    }, (e: unknown) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((ok) => helper.listen(0, '127.0.0.1', ok));
  const address = helper.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    endpoint: service.endpoint,
    async close() {
      stopped = true;
      clearInterval(loop);
      await queue.catch(() => undefined);
      helper.closeAllConnections();
      await new Promise<void>((ok) => helper.close(() => ok()));
      await service.stop();
    },
  };
}
