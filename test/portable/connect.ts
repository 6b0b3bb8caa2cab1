/**
 * The new device's side of the PIN / dynamic-QR flow (protocol.md F3) on whatever runtime runs
 * this, on that runtime's own home (OPFS or IndexedDB in Chromium, memory elsewhere): it takes a
 * fresh `mcu://` URI from the connect helper (test/support/connect-server.ts, whose administrator
 * accepts PIN-validated requests), requests, completes, syncs and reads the account's password —
 * over the runtime's own fetch, against a real Mesh service.
 */
import { completeConnection, MeshClient, requestConnection, type ConnectionCompletion } from '../../sdk/client/index.js';
import { MeshHost, parseConnectUri, type CatalogedCredential } from '../../sdk/mesh/index.js';
import type { HomeFactory } from './host.js';
import type { Suite } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function connectSuite(homes: readonly HomeFactory[]): Suite {
  return ({ describe, it, expect }, env) => {
    describe('connect: a new device on this runtime', () => {
      // The runtime's own home adapter (the last one given; memory where the runtime has none).
      const home = homes[homes.length - 1]!;
      it(`joins an account by a mcu:// PIN URI, completes, syncs and reads a password (${home.label})`, async () => {
        if (env.connect === undefined) throw new Error('no connect helper was given to this run (scripts/test-runtimes.mjs starts one)');
        const answer = await fetch(`${env.connect}/pin`);
        expect(answer.status).toBe(200);
        const info = await answer.json() as { uri: string; endpoint: string; site: string; password: string };
        const uri = parseConnectUri(info.uri);
        if (uri.kind !== 'pin') throw new Error(`not a PIN URI: ${info.uri}`);
        const host = await MeshHost.open(await home.make());
        const requested = await requestConnection(host, { address: uri.account, endpoint: info.endpoint, pin: uri.pin });
        let done: ConnectionCompletion | undefined;
        for (let i = 0; i < 120; i++) {
          done = await completeConnection(host);
          if (done.state !== 'pending') break;
          await sleep(250);
        }
        expect(done?.state).toBe('accepted');
        if (done?.state !== 'accepted') return;
        expect(done.account.deviceUdf).toBe(requested.deviceUdf);
        expect(done.account.roles).toEqual(['web']);
        await new MeshClient(done.account, { WebSocket: null }).sync();
        const catalog = await done.account.catalog('credential');
        try {
          expect((catalog.get(`:${info.site}`) as CatalogedCredential | undefined)?.Password).toBe(info.password);
        } finally {
          await catalog.close();
        }
      });
    });
  };
}
