/**
 * One host of the Mesh service for bench/service.ts, in its own process (so that the RSS the
 * bench reports is the service's): the store a location names (embedded directory or
 * PostgreSQL, `resolveStoreLocation`), `MeshService` on it, the RFC 9421 binding on node:http
 * and the push socket on the same port — what `mesh service start` composes, with two bench
 * settings: the store is wrapped to record when each commit resolved (the start of the push
 * latency: commit → notification at another device), and a device may hold as many push sockets
 * as the bench's idle sockets need (the service's default is 4).
 *
 * Driven over IPC (`fork`): it sends `{type:'ready', endpoint, udf}`; it answers
 * `{type:'report'}` with `{type:'report', loopDelayP99Ms, rssMb, cpuMs, connections, httpConnections, commits}` (commit
 * times as `account|store|lastIndex` → ms since the epoch on this machine's clock, which the bench
 * process shares) and `{type:'stop'}` by closing everything and exiting.
 *
 * env: MESH_BENCH_STORE (location), MESH_BENCH_SECRET (base64url, shared by every host: one
 * service identity), MESH_BENCH_SOCKETS_PER_DEVICE, MESH_BENCH_PROFILE (a .cpuprofile path:
 * profiles the load phase, from the first report to the second).
 */
import { attachPush } from '../adapters/http/node-push.js';
import { listenHttp } from '../adapters/http/node-server.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startProfile } from './cpu-profile.js';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { PostgresServiceStore } from '../adapters/service-store/postgres.js';
import { init } from '../sdk/crypto/index.js';
import { base64urlDecode } from '../sdk/encoding/base64url.js';
import { MESH_WELL_KNOWN_PATH } from '../sdk/protocol/transactions.js';
import { EmbeddedServiceStore } from '../sdk/service/embedded/embedded-store.js';
import { MeshService } from '../sdk/service/mesh/service.js';
import { resolveStoreLocation } from '../sdk/service/store-location.js';
import type { ServiceStore, StoreUpdate } from '../sdk/service/store.js';

await init(); // the WASM core, as `mesh service start` does
const location = resolveStoreLocation({ store: process.env['MESH_BENCH_STORE'] ?? '' });
const secret = base64urlDecode(process.env['MESH_BENCH_SECRET'] ?? '');
const perDevice = Number(process.env['MESH_BENCH_SOCKETS_PER_DEVICE'] ?? '4');

const opened: ServiceStore = location.kind === 'postgres'
  ? await PostgresServiceStore.open(location.url, location.schema === undefined ? {} : { schema: location.schema })
  : location.kind === 'embedded'
    ? await EmbeddedServiceStore.open(new NodeServiceFiles(location.dir))
    : (() => {
      throw new Error('bench:service runs on an embedded or PostgreSQL store');
    })();

/** Commit resolution times, by `account|store|index of the last frame`. */
const commits = new Map<string, number>();
const now = (): number => performance.timeOrigin + performance.now();
const transact = async (updates: readonly StoreUpdate[], options?: unknown): Promise<unknown> => {
  const result = await opened.transact(updates, options as never);
  const t = now();
  for (const u of updates) commits.set(`${u.account}|${u.store}|${u.expectedNextIndex + u.frames.length - 1}`, t);
  return result;
};
// Methods bound once, not on every call the service makes (a bound function per store read was
// garbage the bench added to the service's CPU).
const bound = new Map<PropertyKey, unknown>();
const store = new Proxy(opened, {
  get(target, property) {
    if (property === 'transact') return transact;
    const v = Reflect.get(target, property, target) as unknown;
    if (typeof v !== 'function') return v;
    let b = bound.get(property);
    if (b === undefined) bound.set(property, (b = (v as (...a: unknown[]) => unknown).bind(target)));
    return b;
  },
});

const service = await MeshService.open(store, { secret, push: { maxSocketsPerDevice: Math.max(4, perDevice) } });
const server = await listenHttp(service.http, { port: 0 });
const attached = attachPush(server.server, service.push!);
let httpConnections = 0;
server.server.on('connection', (socket) => {
  httpConnections++;
  socket.once('close', () => httpConnections--);
});

// Event-loop delay: a high one means the host waited for a CPU (or something blocked its loop).
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();

// MESH_BENCH_PROFILE: a CPU profile from the first report (load starts) to the second (load ends).
const profilePath = process.env['MESH_BENCH_PROFILE'] ?? '';
let reports = 0;
let stopProfile: (() => Promise<void>) | undefined;

process.on('message', async (m: { type: string }) => {
  if (m.type === 'report') {
    reports++;
    if (profilePath !== '' && reports === 2) await stopProfile?.();
    const loopDelayP99Ms = loop.percentile(99) / 1e6;
    loop.reset();
    process.send!({
      type: 'report', loopDelayP99Ms, rssMb: process.memoryUsage().rss / 2 ** 20, cpuMs: (() => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      })(), connections: service.push!.stats().connections, httpConnections,
      commits: [...commits],
    });
    if (profilePath !== '' && reports === 1) stopProfile = await startProfile(profilePath);
  } else if (m.type === 'stop') {
    attached.detach();
    await service.close();
    server.server.closeAllConnections();
    await server.close();
    await store.close();
    process.exit(0);
  }
});
// The bench gone (finished, failed or killed): no service is left behind.
process.once('disconnect', () => process.exit(0));
process.send!({ type: 'ready', endpoint: `${server.url}${MESH_WELL_KNOWN_PATH}`, udf: service.udf });
