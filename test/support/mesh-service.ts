import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryHome } from '../../adapters/home/memory.js';
import { NodeWebSocket } from '../../adapters/http/node-push.js';
import { listenHttp } from '../../adapters/http/node-server.js';
import { provisionDevice } from '../../bench/mesh-devices.js';
import { startService, type RunningService, type StartServiceOptions } from '../../sdk/cli/mesh-service.js';
import { MeshClient, type MeshClientOptions } from '../../sdk/client/index.js';
import { MeshHost, type AccessCapability, type CatalogedAccess, type MeshAccount } from '../../sdk/mesh/index.js';
import { MeshProtocolError } from '../../sdk/protocol/index.js';
import { MeshService } from '../../sdk/service/mesh/service.js';
import type { ServiceStore } from '../../sdk/service/store.js';
import { expect } from 'vitest';

/**
 * Test fixtures of the Mesh service: a service on loopback (the CLI's composition: embedded
 * store in a temporary data directory unless told otherwise, binding and push on one port) and
 * devices on memory homes, bound or provisioned from an administrator device.
 */

/** A service in a temporary data directory; `close()` stops it and removes the directory. */
export async function testService(options: StartServiceOptions = {}): Promise<RunningService & { data: string; stop(): Promise<void> }> {
  const data = options.data ?? mkdtempSync(join(tmpdir(), 'mathmesh-svc-'));
  const running = await startService({ port: 0, env: {}, ...options, data });
  return Object.assign(running, {
    data,
    async stop() {
      await running.close();
      if (options.data === undefined) rmSync(data, { recursive: true, force: true });
    },
  });
}

/**
 * A second binding of `a`'s service — same identity, same store (or `store`, e.g. a wrapper of
 * it), its own port, no push: two "hosts" of one service on one embedded store. `close()` stops
 * it, then `a`.
 */
export async function secondBinding(a: RunningService & { stop(): Promise<void> }, store: ServiceStore = a.store): Promise<{ port: number; endpoint: string; close(): Promise<void> }> {
  const other = new MeshService({ store, identity: a.service.identity, push: false });
  const server = await listenHttp(other.http, { port: 0 });
  return {
    port: server.port,
    endpoint: `http://127.0.0.1:${server.port}`,
    async close() {
      await other.close();
      await server.close();
      await a.stop();
    },
  };
}

/** A device: its home, host, account and client. */
export interface TestDevice {
  readonly home: MemoryHome;
  readonly host: MeshHost;
  readonly account: MeshAccount;
  readonly client: MeshClient;
}

/** Creates `address` on a fresh memory home and binds it to the service at `endpoint`. */
export async function boundAccount(endpoint: string, address: string, options: MeshClientOptions = {}): Promise<TestDevice> {
  const home = new MemoryHome();
  const host = await MeshHost.open(home);
  const account = await host.createAccount(address);
  const client = new MeshClient(account, { endpoint, WebSocket: NodeWebSocket, ...options });
  await client.bind();
  return { home, host, account, client };
}

/**
 * Another device of the administrator's account with `roles` (provisioned through the admin's
 * catalogs, which are synced here), on a fresh memory home.
 */
export async function secondDevice(admin: TestDevice, roles: readonly string[] = ['web'], options: MeshClientOptions = {}): Promise<TestDevice> {
  const home = new MemoryHome();
  const { host, account } = await provisionDevice(admin.account, home, roles);
  await admin.client.sync();
  const client = new MeshClient(account, { WebSocket: NodeWebSocket, ...options });
  return { home, host, account, client };
}

/**
 * The administrator's Access entry of a device, changed by `change` (`undefined`: the entry is
 * deleted) and written back, then synced through the administrator's service.
 */
export async function editCapability(admin: TestDevice, keyid: string, change: (c: AccessCapability) => AccessCapability | undefined): Promise<void> {
  const access = await admin.account.catalog('access');
  try {
    const entry = access.get(keyid) as CatalogedAccess;
    const next = change(entry.Capability as AccessCapability);
    if (next === undefined) await access.delete(keyid);
    else await access.put({ ...entry, Capability: next });
  } finally {
    await access.close();
  }
  await admin.client.sync();
}

/** The MeshProtocolError `p` rejects with (fails the test if it resolves or throws anything else). */
export async function refusal(p: Promise<unknown>): Promise<MeshProtocolError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MeshProtocolError);
  return e as MeshProtocolError;
}
