/**
 * Micro-benchmark of the service store alone (no HTTP, no crypto): N concurrent writers — devices,
 * two per account — each committing transactions back to back: read the heads it writes, then
 * one transaction appending a frame to a catalog and a frame to a spool of its account (by
 * default each device its own catalog and spool; with `--shared` the two devices of an account
 * write the same ones and conflict, as real devices racing would). Prints one JSON line:
 * committed transactions per second, conflicts, and commit latency (p50/p99 of `transact`,
 * conflicts included) — the store's share of the service targets (protocol.md §5, T8 Transact).
 *
 * With `--rate R` the writers together start R transactions per second (each device paced,
 * evenly spread) instead of as many as they can: the latency at a given load, e.g. the service
 * target's 1,000/s.
 *
 *   npm run bench:service-store -- [--writers 200] [--seconds 5] [--rate R] [--frame-bytes 1024] [--shared] [--store embedded|memory|postgres://…] [--dir DIR]
 *                                  [--hosts N] [--pool N]
 *
 * With `--store postgres://USER:PASS@HOST:PORT/DB` the store is PostgreSQL, in a schema of its own
 * that is dropped afterwards; `--hosts N` opens N store instances (each its own pool of `--pool`
 * connections and its own listening connection, as N hosts of one service would) and spreads the
 * writers over them, the two devices of an account on different hosts.
 *
 * Figures mean something only on an otherwise idle machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { MemoryServiceStore } from '../adapters/service-store/memory.js';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { PostgresServiceStore } from '../adapters/service-store/postgres.js';
import { encodeFrame } from '../sdk/dare/sequence/frame.js';
import { EmbeddedServiceStore } from '../sdk/service/embedded/embedded-store.js';
import { ServiceConflictError } from '../sdk/service/store-errors.js';
import type { ServiceStore } from '../sdk/service/store.js';

const args = process.argv.slice(2);
const value = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const writers = Number(value('--writers', '200'));
const seconds = Number(value('--seconds', '5'));
const frameBytes = Number(value('--frame-bytes', '1024'));
const kind = value('--store', 'embedded');
const given = args.includes('--dir') ? value('--dir', '') : undefined;
const shared = args.includes('--shared');
const rate = args.includes('--rate') ? Number(value('--rate', '0')) : undefined;

const hostCount = Number(value('--hosts', '1'));
const poolSize = Number(value('--pool', '16'));
const postgres = /^postgres(ql)?:\/\//.test(kind);
const schema = `bench_${randomBytes(6).toString('hex')}`;

const dir = given ?? mkdtempSync(join(tmpdir(), 'mathmesh-bench-store-'));
const hosts: ServiceStore[] = postgres
  ? await Promise.all(Array.from({ length: hostCount }, () => PostgresServiceStore.open(kind, { schema, poolSize })))
  : [kind === 'memory' ? new MemoryServiceStore() : await EmbeddedServiceStore.open(new NodeServiceFiles(dir))];
const store = hosts[0]!;

const accounts = Array.from({ length: Math.ceil(writers / 2) }, (_, i) => `user${i}@example.com`);
for (const [i, address] of accounts.entries()) {
  if (!(await store.getAccount(address))) await store.createAccount({ address, profileUdf: `MBENCH${i}`, profile: new Uint8Array(2000) });
}
const payload = new Uint8Array(frameBytes).fill(0x5a);
const frame = (tag: string): Uint8Array => encodeFrame({ header: new TextEncoder().encode(`{"tag":"${tag}"}`), payload });

// Event-loop delay beside the latencies: a high one means the process waited for a CPU (or
// something blocked the loop), not for the disk.
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const latencies: number[] = [];
let committed = 0;
let conflicts = 0;
const warmupUntil = performance.now() + 500;
const until = warmupUntil + seconds * 1000;
let measuredFrom = 0;

await Promise.all(Array.from({ length: writers }, async (_, w) => {
  const store = hosts[w % hosts.length]!;
  const account = accounts[w >> 1]!;
  const second = !shared && w % 2 === 1;
  const catalog = second ? 'MMM_Credential' : 'MMM_Contact';
  const spool = second ? 'MMM_Local' : 'MMM_Outbound';
  // Paced writers start evenly spread over one period.
  const period = rate === undefined ? 0 : (writers / rate) * 1000;
  let next = performance.now() + (period * w) / writers;
  for (let k = 0; performance.now() < until; k++) {
    if (period > 0) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += period;
    }
    const [c, o] = await Promise.all([store.head(account, catalog), store.head(account, spool)]);
    const t0 = performance.now();
    try {
      await store.transact([
        { account, store: catalog, expectedNextIndex: c.nextIndex, frames: [frame(`w${w}-${k}`)], digest: new Uint8Array(64) },
        { account, store: spool, expectedNextIndex: o.nextIndex, frames: [frame(`o${w}-${k}`)] },
      ]);
      if (t0 >= warmupUntil) {
        committed++;
        latencies.push(performance.now() - t0);
      }
    } catch (e) {
      if (!(e instanceof ServiceConflictError)) throw e;
      if (t0 >= warmupUntil) {
        conflicts++;
        latencies.push(performance.now() - t0);
      }
    }
    if (measuredFrom === 0 && t0 >= warmupUntil) measuredFrom = t0;
  }
}));
const elapsed = (performance.now() - Math.max(measuredFrom, warmupUntil)) / 1000;
loop.disable();
await Promise.all(hosts.map((h) => h.close()));
if (given === undefined) rmSync(dir, { recursive: true, force: true });
if (postgres) {
  const c = new pg.Client({ connectionString: kind });
  await c.connect();
  await c.query(`DROP SCHEMA "${schema}" CASCADE`);
  await c.end();
}

latencies.sort((a, b) => a - b);
const pct = (p: number): number => Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(2));
console.log(JSON.stringify({
  store: postgres ? 'postgres' : kind, ...(postgres ? { hosts: hosts.length, pool: poolSize } : {}), writers, seconds, frameBytes, shared, rate: rate ?? 'max',
  transactionsPerSecond: Math.round(committed / elapsed),
  conflictsPerSecond: Math.round(conflicts / elapsed),
  p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: pct(1),
  loopDelayP99Ms: Number((loop.percentile(99) / 1e6).toFixed(1)),
  rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
}));
