/**
 * CPU per Transact of the SDK's own work, without the machine's noise: one process, one device
 * at a time, no network, no disk — the device's `MeshHttpClient` (request signed, response
 * verified) calling the service's `MeshHttpService.handle` directly (authentication, replay,
 * access, frame verification, the Transact on a `MemoryServiceStore`, the response signed).
 * Prints one JSON line: `serviceCpuUs` (CPU while the service handled a request) and `deviceCpuUs`
 * (the rest of a round trip: the client's side), each per transaction, the median of `--rounds`
 * rounds of `--transactions` frames. On a shared machine this varies far less than
 * bench/service.ts's figures, which add the HTTP stack, sockets and the store's disk:
 * use it to compare two builds of the SDK, not to size a service.
 *
 *   node dist/bench/transact-cpu.js [--transactions 400] [--rounds 5] [--profile FILE.cpuprofile]
 *
 * `--profile`: a V8 CPU profile of the measured rounds (bench/profile-top.ts reads it).
 */
import { randomBytes } from 'node:crypto';
import { MemoryHome } from '../adapters/home/memory.js';
import { MemoryServiceStore } from '../adapters/service-store/memory.js';
import { MeshClient } from '../sdk/client/mesh-client.js';
import { init } from '../sdk/crypto/index.js';
import { MeshHost } from '../sdk/mesh/index.js';
import type { FetchFunction } from '../sdk/protocol/client.js';
import { frameEnvelope } from '../sdk/protocol/frames.js';
import { MeshService } from '../sdk/service/mesh/service.js';
import { startProfile } from './cpu-profile.js';

await init();
const args = process.argv.slice(2);
const value = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const perRound = value('--transactions', 400);
const rounds = value('--rounds', 5);

const store = new MemoryServiceStore();
const service = await MeshService.open(store, { secret: randomBytes(32) });
const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
let serviceCpu = 0;

/** A fetch that hands the request to the service in this process and times the service's part. */
const direct: FetchFunction = async (input, init) => {
  const headers = init.headers instanceof Headers ? new Headers(init.headers) : new Headers(init.headers);
  const t0 = cpu();
  const out = await service.http.handle({ method: init.method ?? 'POST', url: input, headers, body: init.body as Uint8Array });
  serviceCpu += cpu() - t0;
  let left: Uint8Array | undefined = out.body;
  const reader = { read: async () => (left === undefined ? { done: true } : { done: false, value: ((v) => ((left = undefined), v))(left) }), cancel: async () => void (left = undefined) };
  return { status: out.status, headers: out.headers, body: { getReader: () => reader, cancel: async () => undefined } } as unknown as Response;
};

const account = await (await MeshHost.open(new MemoryHome())).createAccount('cpu@example.com');
const client = new MeshClient(account, { endpoint: 'http://127.0.0.1:1/.well-known/mmm/', fetch: direct });
await client.bind();
const catalog = await account.catalog('bookmark');
for (let i = 0; i < perRound * (rounds + 1); i++) await catalog.put({ $class: 'CatalogedBookmark', Uid: `b${i}`, Uri: `https://example.com/${i}`, Title: `page ${i}` } as never);
const { frames, index: base } = await catalog.outgoing();
await catalog.close();

const credential = client.deviceCredential();
let next = 0;
async function round(): Promise<{ service: number; device: number }> {
  serviceCpu = 0;
  const t0 = cpu();
  for (let j = 0; j < perRound; j++, next++) {
    const answer = await client.http.request('Transact', {
      $class: 'TransactRequest', Account: account.address,
      Updates: [{ $class: 'ContainerUpdate', Container: 'MMM_Bookmark', Index: base + next, Envelopes: [frameEnvelope(frames[next]!)] }],
    }, credential);
    if (answer.Entries?.[0]?.Result !== 'Accept') throw new Error(`transaction ${next} was not accepted`);
  }
  const total = cpu() - t0;
  return { service: serviceCpu / perRound, device: (total - serviceCpu) / perRound };
}
await round(); // warm-up: the JIT, the caches
const at = args.indexOf('--profile');
const profiler = at >= 0 ? await startProfile(args[at + 1]!) : undefined;
const results: { service: number; device: number }[] = [];
for (let r = 0; r < rounds; r++) results.push(await round());
await profiler?.();
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({
  transactions: perRound, rounds,
  serviceCpuUs: Math.round(median(results.map((r) => r.service))), deviceCpuUs: Math.round(median(results.map((r) => r.device))),
}));
await service.close();
await store.close();
