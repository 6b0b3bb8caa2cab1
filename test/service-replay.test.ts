import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { publicPart } from '../sdk/dare/index.js';
import type { StatusRequest } from '../sdk/mesh/index.js';
import { connectionCredential, fetchHandler, MemoryReplayCache, MeshHttpClient, type MeshHttpService, type ReplayCache } from '../sdk/protocol/index.js';
import { EmbeddedServiceStore } from '../sdk/service/embedded/embedded-store.js';
import { storeReplayCache } from '../sdk/service/replay.js';
import { echoService, inProcessFetch, makeDevice, makeService, payload, type Captured } from './support/wire.js';

/**
 * The binding's replay rule (protocol.md §2) across a service restart: a request captured on the
 * wire and sent again after the service restarted — within its 60 s window — is refused when the
 * replay cache is the store's (`storeReplayCache`: nonces claimed durably), and would go through
 * with a cache in memory (the contrast shows the test can fail).
 */

const work = mkdtempSync(join(tmpdir(), 'mathmesh-replay-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const service = makeService(61);
const alice = makeDevice(62);
const ACCOUNT = 'alice@example.com';
const ENDPOINT = 'https://mesh.example.com/.well-known/mmm/';
const T0 = 1_800_000_000_000;
const status: StatusRequest = { $class: 'StatusRequest', Account: ACCOUNT };

function serviceWith(replay: ReplayCache): { http: MeshHttpService; calls: { count: number } } {
  return echoService(service, { [ACCOUNT]: [publicPart(alice.connection)] }, { replay, now: () => T0 + 5_000 });
}

async function captureOne(http: MeshHttpService): Promise<Captured> {
  const sent: Captured[] = [];
  const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(http), sent), now: () => T0, expectedServiceUdf: service.udf });
  await client.request('Status', status, connectionCredential(ACCOUNT, alice.connection));
  return sent[sent.length - 1]!;
}

const resend = (http: MeshHttpService, c: Captured) => http.handle({ method: c.method, url: c.url, headers: new Headers(c.headers), body: c.body });

describe('replay after a service restart', () => {
  it('is refused with the store-backed replay cache', async () => {
    const dir = join(work, 'store');
    let store = await EmbeddedServiceStore.open(new NodeServiceFiles(dir), { now: () => T0 + 5_000 });
    const before = serviceWith(storeReplayCache(store));
    const captured = await captureOne(before.http);
    await store.close(); // the service restarts
    store = await EmbeddedServiceStore.open(new NodeServiceFiles(dir), { now: () => T0 + 5_000 });
    const after = serviceWith(storeReplayCache(store));
    const replay = await resend(after.http, captured);
    expect(payload(replay)).toMatchObject({ Status: 401, StatusDescription: 'NotAuthenticated: replayed request: this nonce was already used' });
    expect(after.calls.count).toBe(0);
    await store.close();
  });

  it('(contrast) goes through with a replay cache in memory', async () => {
    const captured = await captureOne(serviceWith(new MemoryReplayCache({ now: () => T0 + 5_000 })).http);
    const after = serviceWith(new MemoryReplayCache({ now: () => T0 + 5_000 }));
    expect(payload(await resend(after.http, captured)).Status).not.toBe(401);
    expect(after.calls.count).toBe(1);
  });
});
