/**
 * The push channel under load (protocol.md §2, WebSocket push): a Mesh service on loopback —
 * the push service on the service store, its `ws` binding on the node:http server — holding N
 * idle WebSockets that a separate process opens (bench/push-client.ts, `ws` clients, in one or
 * more children), then committing to a few accounts and timing each notification at the other
 * devices' sockets. Prints one JSON line:
 *
 *   sockets, opened, failed, openSeconds, rssMb (this service process with every socket open),
 *   rssBaselineMb (before the first), kbPerSocket, pushP50Ms / pushP99Ms / pushMaxMs (from the
 *   start of a store commit to the notification's arrival at a watching socket in the client
 *   process), notifications (received / expected), loadAverage.
 *
 *   npm run bench:push -- [--sockets 10000] [--devices-per-account 4] [--commits 200] [--interval-ms 20]
 *                         [--clients 1] [--store memory|embedded] [--batch 500]
 *
 * The commit carries its start time in the store head's digest (8 bytes, ms), so the client
 * measures arrival against the same clock (same machine) and no message is added to the channel.
 * Tickets are issued in this process by a `PushTickets` on the service key — as another host of
 * the service would — not by N signed PushTicket requests: the figure is the sockets', not that of
 * N X448 agreements.
 *
 * File descriptors: the service holds one per socket, each client child one per socket it opens.
 * When the soft limit (`ulimit -n`) is below what N needs, the bench re-runs itself under
 * `sh -c 'ulimit -n …'` (up to the hard limit; raising the hard limit needs root or limits.conf).
 *
 * Figures mean something only on an otherwise idle machine; `--sockets 200` checks the bench runs.
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryServiceStore } from '../adapters/service-store/memory.js';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { attachPush, listenHttp } from '../adapters/node/index.js';
import { darePrivateKey } from '../sdk/dare/keys.js';
import { encodeFrame } from '../sdk/dare/sequence/frame.js';
import { MeshHttpService } from '../sdk/protocol/service.js';
import { EmbeddedServiceStore } from '../sdk/service/embedded/embedded-store.js';
import { MemoryReplayCache } from '../sdk/protocol/replay.js';
import { MeshPushService } from '../sdk/service/push/service.js';
import { PushTickets } from '../sdk/service/push/ticket.js';
import type { ServiceStore } from '../sdk/service/store.js';
import { defaultRandom } from '../sdk/udf/random.js';

const args = process.argv.slice(2);
const value = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const sockets = Number(value('--sockets', '10000'));
const perAccount = Number(value('--devices-per-account', '4'));
const commits = Number(value('--commits', '200'));
const intervalMs = Number(value('--interval-ms', '20'));
const clients = Math.max(1, Number(value('--clients', '1')));
const batch = Number(value('--batch', '500'));
const kind = value('--store', 'memory');
const here = dirname(fileURLToPath(import.meta.url));

// ---- file descriptors ----
function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s{2,}/)[1] ?? Infinity);
  } catch {
    return Infinity; // not Linux: trust the caller's ulimit
  }
}
const needed = Math.ceil(sockets / clients) + sockets + 256;
if (openFileLimit() < needed) {
  if (process.env['MATHMESH_BENCH_FD_RAISED']) {
    console.error(`bench:push: ${sockets} sockets need about ${needed} open files; the limit is ${openFileLimit()} (raise the hard limit: ulimit -Hn, limits.conf)`);
    process.exit(2);
  }
  // Re-run under a shell that raises the soft limit as far as the hard one allows.
  const r = spawnSync('sh', ['-c', `ulimit -n ${needed} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`, process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...args],
    { stdio: 'inherit', env: { ...process.env, MATHMESH_BENCH_FD_RAISED: '1' } });
  process.exit(r.status ?? 1);
}

// ---- the service ----
const dir = kind === 'embedded' ? mkdtempSync(join(tmpdir(), 'mathmesh-bench-push-')) : undefined;
const store: ServiceStore = dir === undefined ? new MemoryServiceStore() : await EmbeddedServiceStore.open(new NodeServiceFiles(dir));
const serviceKey = darePrivateKey('X448', defaultRandom(56));
const accounts = Array.from({ length: Math.ceil(sockets / perAccount) }, (_, i) => `user${i}@bench.example`);
const header = new TextEncoder().encode('{"bench":true}');
const frame = (): Uint8Array => encodeFrame({ header, payload: new Uint8Array(64) });
for (const [i, address] of accounts.entries()) {
  await store.createAccount({ address, profileUdf: `MBENCH-PUSH-${i}`, profile: new Uint8Array(64) });
  await store.transact([{ account: address, store: 'MMM_Inbound', expectedNextIndex: 0, frames: [frame()] }]);
}
const READABLE = ['MMM_Access', 'MMM_Inbound'];
const push = new MeshPushService({ serviceKey, source: store, readable: async () => READABLE, maxSockets: sockets + 1000 });
const http = new MeshHttpService({ serviceKey, handlers: { ...push.handlers } });
const server = await listenHttp(http, { port: 0 });
const attached = attachPush(server.server, push);
const tickets = new PushTickets({ serviceKey, replay: new MemoryReplayCache() }); // "another host": same key, so the service accepts them

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
(globalThis as { gc?: () => void }).gc?.();
const rssBaselineMb = rssMb();

// ---- the clients ----
interface FromChild {
  type: 'opened' | 'latencies';
  opened?: number;
  failed?: number;
  latencies?: number[];
  rssMb?: number;
}
// Built (dist/bench/*.js) or from source under test/support/ts-hooks.mjs (the smoke test): the sibling file of this one.
const clientFile = join(here, `push-client${fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js'}`);
const children = Array.from({ length: clients }, () => fork(clientFile, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
const ask = (child: (typeof children)[number], message: object): Promise<FromChild> => new Promise((resolve, reject) => {
  const onMessage = (m: FromChild): void => {
    child.off('exit', onExit);
    resolve(m);
  };
  const onExit = (code: number | null): void => reject(new Error(`a client process exited (${code})`));
  child.once('message', onMessage);
  child.once('exit', onExit);
  child.send(message);
});

const url = `${server.url.replace(/^http/, 'ws')}${push.path}?ticket=`;
/** Device i belongs to account i / perAccount: its first `watchers` accounts get the commits. */
const targets = Math.min(accounts.length, 20);
let opened = 0;
let failed = 0;
const t0 = performance.now();
for (let start = 0; start < sockets; start += batch * clients) {
  const work = children.map((child, c) => {
    const from = start + c * batch;
    const to = Math.min(sockets, from + batch);
    if (from >= to) return Promise.resolve({ type: 'opened', opened: 0, failed: 0 } as FromChild);
    const list: { url: string; watch: boolean }[] = [];
    for (let i = from; i < to; i++) {
      const account = accounts[Math.floor(i / perAccount)]!;
      list.push({ url: url + tickets.issue(account, `MBENCH-DEVICE-${i}`).ticket, watch: Math.floor(i / perAccount) < targets });
    }
    return ask(child, { type: 'open', sockets: list });
  });
  for (const r of await Promise.all(work)) {
    opened += r.opened ?? 0;
    failed += r.failed ?? 0;
  }
}
const openSeconds = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 1000));
// What the sockets hold, not the garbage their handshakes left (npm run bench:push passes --expose-gc).
(globalThis as { gc?: () => void }).gc?.();
const rssOpen = rssMb();

// ---- commits → notifications ----
for (let k = 0; k < commits; k++) {
  const account = accounts[k % targets]!;
  const digest = new Uint8Array(8);
  new DataView(digest.buffer).setFloat64(0, performance.timeOrigin + performance.now());
  const { nextIndex } = await store.head(account, 'MMM_Inbound');
  await store.transact([{ account, store: 'MMM_Inbound', expectedNextIndex: nextIndex, frames: [frame()], digest }]);
  await new Promise((r) => setTimeout(r, intervalMs));
}
await new Promise((r) => setTimeout(r, 1000));
const reports = await Promise.all(children.map((child) => ask(child, { type: 'report' })));
const latencies = reports.flatMap((r) => r.latencies ?? []).sort((a, b) => a - b);
const quantile = (q: number): number | null => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : null);
const round = (x: number | null, digits = 2): number | null => (x === null ? null : Number(x.toFixed(digits)));
// Sockets of each target account watch; each commit reaches every socket of its account.
const watchersPer = Array.from({ length: targets }, (_, a) => Math.min(perAccount, Math.max(0, opened - a * perAccount)));
const expected = Array.from({ length: commits }, (_, k) => watchersPer[k % targets]!).reduce((s, x) => s + x, 0);

console.log(JSON.stringify({
  sockets, opened, failed, connections: push.connections, openSeconds: round(openSeconds), rssMb: round(rssOpen, 1), rssBaselineMb: round(rssBaselineMb, 1),
  kbPerSocket: opened ? round(((rssOpen - rssBaselineMb) * 1024) / opened, 1) : null, clientRssMb: round(reports.reduce((s, r) => s + (r.rssMb ?? 0), 0), 1),
  pushP50Ms: round(quantile(0.5)), pushP99Ms: round(quantile(0.99)), pushMaxMs: round(latencies.at(-1) ?? null), notifications: latencies.length, expectedNotifications: expected,
  commits, store: kind, loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
}));

for (const child of children) child.kill();
attached.detach();
await push.close(200);
server.server.closeAllConnections();
await server.close();
await store.close();
if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
process.exit(0);
