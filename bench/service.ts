/**
 * The Mesh service under load, end to end (protocol.md §2, §5 T8 Transact, push): one or more
 * service hosts, each a child process (bench/service-host.ts: the store, `MeshService`, the RFC
 * 9421 binding and the push socket on one port), driven over loopback by N simulated devices —
 * real accounts made and bound through `MeshClient`, `--devices-per-account` devices each (the
 * first the administrator, the others provisioned with the `web` role), every device holding a
 * push socket opened with a ticket from a signed PushTicket request.
 *
 * Each device writes a catalog of its own (credential, bookmark, task, network: no two devices
 * of an account race, so there are no conflicts to retry), one frame per signed Transact, back to
 * back — or, with `--rate R`, the devices together start R transactions per second, each device
 * paced (the latency at a given load: the target's p99 is read at `--rate 1000`; back to back,
 * N devices wait N / throughput per round trip whatever the service does) — for `--seconds` or
 * until its `--transactions` frames are spent. The frames are real
 * catalog frames (encrypted to the store's keys, Merkle-chained), built before the clock starts,
 * so the figures are the service's and the wire's, not the frame builder's. Prints one JSON line:
 *
 *   transactionsPerSecond, p50Ms, p99Ms, maxMs (Transact round trip, as the device sees it),
 *   pushP50Ms, pushP99Ms (a commit resolving in the store → the `change` line arriving at
 *   another device of the account; both clocks are this machine's), pushSamples, warmupSeconds,
 *   warmupP99Ms, warmupPushP99Ms (the same during the warm-up, which the other figures leave out), connections
 *   (push sockets open at the end, over every host), httpConnections (TCP connections the hosts
 *   hold: keep-alive and sockets), rssMb (largest host process, end of the run), rssBeforeLoadMb,
 *   loopDelayP99Ms (event-loop delay of the service and of the devices' process: high means a
 *   process waited for a CPU), serviceCpuMsPerTransaction (the hosts' CPU time over the run / transactions: what the load
 *   costs the service, whatever else the machine runs), devicesCpuMsPerTransaction (the same for
 *   this process, which plays every device: on two cores it competes with the service), idleSockets (opened / asked), lost (acknowledged frames not read back afterwards, byte for
 *   byte, by Download through the service: must be 0), errors, and the setup.
 *
 *   npm run bench:service -- [--devices 200] [--seconds 10] [--rate R] [--transactions 150] [--devices-per-account 2] [--warmup 2]
 *                            [--store LOCATION] [--hosts N] [--idle N] [--setup-concurrency 4] [--profile DIR]
 *
 * `--store`: a directory (embedded store; default a temporary one, removed afterwards) or
 * `postgres://USER:PASS@HOST:PORT/DB` (`resolveStoreLocation`; a schema of its own, dropped
 * afterwards, unless the URL names one with `schema=`). `--hosts N` starts N hosts on the same
 * PostgreSQL store and puts the devices of an account on different hosts, so push crosses hosts
 * (the embedded store has one host: refused). `--idle N` opens N more authenticated push sockets
 * and holds them through the run: the service's memory with N idle sockets is `rssMb` (target:
 * 10,000 within 300 MB). They belong to accounts of their own that nobody writes to (one device
 * each, up to `IDLE_PER_DEVICE` sockets per device — the host raises the service's per-device
 * cap to match), spread over the hosts: idle sockets of the busy accounts would each get every
 * change, which is not idle.
 *
 * Figures mean something only on an otherwise idle machine; `--devices 20 --seconds 3` checks
 * that the bench runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { MemoryHome } from '../adapters/home/memory.js';
import { MeshClient } from '../sdk/client/mesh-client.js';
import { pushTicketSource } from '../sdk/client/push/ticket.js';
import { init } from '../sdk/crypto/index.js';
import { base64urlEncode } from '../sdk/encoding/base64url.js';
import { bytesEqual } from '../sdk/encoding/bytes.js';
import { MeshHost, type MeshAccount } from '../sdk/mesh/index.js';
import { frameEnvelope, frameOfEnvelope } from '../sdk/protocol/frames.js';
import { pushUrl } from '../sdk/protocol/push.js';
import { resolveStoreLocation } from '../sdk/service/store-location.js';
import { loopbackFetch } from './loopback-fetch.js';
import { startProfile } from './cpu-profile.js';
import { provisionDevice } from './mesh-devices.js';

await init(); // the devices' crypto on the WASM core too
const args = process.argv.slice(2);
const value = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const count = (name: string, fallback: number, min: number): number => {
  const v = Number(value(name, String(fallback)));
  if (!Number.isSafeInteger(v) || v < min) {
    console.error(`bench:service: ${name} takes an integer ≥ ${min}`);
    process.exit(2);
  }
  return v;
};
const deviceCount = count('--devices', 200, 2);
const seconds = Number(value('--seconds', '10'));
/**
 * `--warmup S` (default 2): the load runs at the same rate for S seconds before the measured
 * window, and what is due then stays out of p50/p99 and the push figures (reported apart as
 * `warmupP99Ms` / `warmupPushP99Ms`): in its first second a fresh process is still compiling its
 * hot paths (V8 tiers up) and the queue that builds meanwhile is a start-up cost, not the
 * latency at that load. The warm-up's transactions count in the CPU per transaction.
 */
const warmupSeconds = Number(value('--warmup', '2'));
if (!Number.isFinite(warmupSeconds) || warmupSeconds < 0) {
  console.error('bench:service: --warmup takes a number of seconds ≥ 0');
  process.exit(2);
}
const perDeviceFrames = count('--transactions', 150, 1);
const perAccount = count('--devices-per-account', 2, 2);
const hostCount = count('--hosts', 1, 1);
const idle = count('--idle', 0, 0);
const setupConcurrency = count('--setup-concurrency', 4, 1);
const rate = args.includes('--rate') ? count('--rate', 1000, 1) : undefined;
/**
 * `--profile DIR`: V8 CPU profiles of the load phase alone (setup and read-back left out), one
 * of this process (devices.cpuprofile) and one per host (host-N.cpuprofile), for finding where
 * the CPU per transaction goes; they cost some CPU themselves, so no figures from such a run.
 */
const profileDir = value('--profile', '');

/** What each device of an account writes: a catalog of its own (`web` grants all four). */
const WRITERS = [
  { catalog: 'credential', label: 'MMM_Credential', entry: (i: number) => ({ $class: 'CatalogedCredential', Service: `s${i}.example.com`, Username: 'u', Password: `p${i}` }) },
  { catalog: 'bookmark', label: 'MMM_Bookmark', entry: (i: number) => ({ $class: 'CatalogedBookmark', Uid: `b${i}`, Uri: `https://example.com/${i}`, Title: `page ${i}` }) },
  { catalog: 'task', label: 'MMM_Task', entry: (i: number) => ({ $class: 'CatalogedTask', Key: `t${i}`, Title: `task ${i}` }) },
  { catalog: 'network', label: 'MMM_Network', entry: (i: number) => ({ $class: 'CatalogedNetwork', Service: `wifi${i}`, Password: `p${i}` }) },
] as const;
if (perAccount > WRITERS.length) {
  console.error(`bench:service: --devices-per-account is at most ${WRITERS.length}`);
  process.exit(2);
}

// ---- the store ----
const given = value('--store', '');
const location = given === '' ? { kind: 'embedded' as const, dir: '' } : resolveStoreLocation({ store: given });
if (location.kind === 'memory') {
  console.error('bench:service: --store memory: cannot be shared with a host process; give a directory or postgres://…');
  process.exit(2);
}
if (location.kind === 'embedded' && hostCount > 1) {
  console.error('bench:service: --hosts > 1 needs a store several processes share (postgres://…); the embedded store has one host');
  process.exit(2);
}
const tempDir = given === '' ? mkdtempSync(join(tmpdir(), 'mathmesh-bench-service-')) : undefined;
let storeText = location.kind === 'embedded' ? tempDir ?? location.dir : given;
let dropSchema: string | undefined;
if (location.kind === 'postgres' && location.schema === undefined) {
  dropSchema = `bench_${randomBytes(6).toString('hex')}`;
  const u = new URL(given);
  u.searchParams.set('schema', dropSchema);
  storeText = u.toString();
}

// ---- hosts ----
interface Host {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly udf: string;
}
interface HostReport {
  readonly loopDelayP99Ms: number;
  readonly rssMb: number;
  readonly cpuMs: number;
  readonly connections: number;
  readonly httpConnections: number;
  readonly commits: [string, number][];
}
const secret = base64urlEncode(randomBytes(32));
/** Idle sockets per device of an idle account (the service's default cap is 4 a device). */
const IDLE_PER_DEVICE = 500;
const idleAccountCount = Math.ceil(idle / IDLE_PER_DEVICE);
const socketsPerDevice = 2 + Math.min(idle, IDLE_PER_DEVICE);
const hostScript = fileURLToPath(new URL('./service-host.js', import.meta.url));

function startHost(): Promise<Host> {
  return new Promise((resolve, reject) => {
    const child = fork(hostScript, [], {
      env: {
        ...process.env, MESH_BENCH_STORE: storeText, MESH_BENCH_SECRET: secret, MESH_BENCH_SOCKETS_PER_DEVICE: String(socketsPerDevice),
        MESH_BENCH_PROFILE: profileDir === '' ? '' : join(profileDir, `host-${hosts.length}.cpuprofile`),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m: { type: string; endpoint: string; udf: string }) => resolve({ child, endpoint: m.endpoint, udf: m.udf }));
    child.once('exit', (code) => reject(new Error(`a service host exited (${code}) before it was ready`)));
  });
}
function ask(host: Host): Promise<HostReport> {
  return new Promise((resolve) => {
    host.child.once('message', (m: HostReport) => resolve(m));
    host.child.send({ type: 'report' });
  });
}
function stop(host: Host): Promise<void> {
  return new Promise((resolve) => {
    if (host.child.exitCode !== null) return resolve();
    host.child.once('exit', () => resolve());
    host.child.send({ type: 'stop' });
  });
}

const hosts: Host[] = [];
// One after the other: the first makes the service identity, the others load it.
for (let i = 0; i < hostCount; i++) hosts.push(await startHost());
const progress = (text: string): void => void process.stderr.write(`bench:service: ${text}\n`);

// ---- devices ----
interface Device {
  readonly account: MeshAccount;
  readonly client: MeshClient;
  readonly host: number;
  readonly label: string;
  /** Frames built before the clock starts: frame j goes after the store's index `base + j`. */
  frames: readonly Uint8Array[];
  base: number;
  socket?: WebSocket;
}
const accountCount = Math.ceil(deviceCount / perAccount);
/** One keep-alive pool for every device (loopback-fetch.ts says why not the runtime's fetch). */
const devicesFetch = loopbackFetch({ maxSockets: 4 * deviceCount });
const devices: Device[] = [];
const setupStart = performance.now();

async function pregenerate(d: Device, writer: typeof WRITERS[number], tag: number): Promise<void> {
  const catalog = await d.account.catalog(writer.catalog as 'credential');
  try {
    for (let i = 0; i < perDeviceFrames; i++) await catalog.put(writer.entry(tag * 1_000_000 + i) as never);
    const out = await catalog.outgoing();
    d.frames = out.frames;
    d.base = out.index;
  } finally {
    await catalog.close();
  }
}

async function makeAccount(a: number): Promise<void> {
  const size = Math.min(perAccount, deviceCount - a * perAccount);
  const endpointOf = (k: number): { host: number; endpoint: string } => {
    const host = (a + k) % hosts.length;
    return { host, endpoint: hosts[host]!.endpoint };
  };
  const home = new MemoryHome();
  const account = await (await MeshHost.open(home)).createAccount(`bench${a}@example.com`);
  const admin = new MeshClient(account, { endpoint: endpointOf(0).endpoint, fetch: devicesFetch });
  await admin.bind();
  const members: MeshAccount[] = [account];
  for (let k = 1; k < size; k++) members.push((await provisionDevice(account, new MemoryHome(), ['web'])).account);
  await admin.sync();
  const made: Device[] = [];
  for (const [k, member] of members.entries()) {
    const { host, endpoint } = endpointOf(k);
    const client = k === 0 ? admin : new MeshClient(member, { endpoint, fetch: devicesFetch });
    if (k > 0) await client.sync();
    const d: Device = { account: member, client, host, label: WRITERS[k]!.label, frames: [], base: 0 };
    await pregenerate(d, WRITERS[k]!, a * perAccount + k);
    made.push(d);
  }
  devices.push(...made);
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

let made = 0;
await pool(Array.from({ length: accountCount }, (_, a) => a), setupConcurrency, async (a) => {
  await makeAccount(a);
  if (++made % 10 === 0) progress(`${made}/${accountCount} accounts bound, frames built`);
});

// ---- push sockets ----
const now = (): number => performance.timeOrigin + performance.now();
/** Arrivals of `change` lines at devices other than the store's writer: `account|store|index` → times. */
const arrivals: [string, number][] = [];
/** The same during the warm-up. */
const warmupArrivals: [string, number][] = [];
let measuring = false;
/** When the measured window starts, on the `now()` clock (set when the load starts). */
let measuredFrom = Infinity;
let resyncs = 0;

function openSocket(d: Device, watch: boolean): Promise<WebSocket | undefined> {
  return pushTicketSource(d.client.http, d.account.address, d.client.deviceCredential())().then((ticket) => new Promise((resolve) => {
    const ws = new WebSocket(pushUrl(d.client.endpoint, ticket), { perMessageDeflate: false });
    let open = false;
    // A change of the device's own store (it made it) is not a push sample: told apart by its
    // prefix, without parsing the line (encodePushMessage writes type, then store).
    const ownChange = `{"type":"change","store":${JSON.stringify(d.label)},`;
    ws.on('message', (data: Buffer) => {
      const t = now();
      for (const line of data.toString().split('\n')) {
        if (!open) {
          open = line.startsWith('{"type":"heads"');
          if (open) resolve(ws);
          continue;
        }
        if (!watch || !measuring) continue;
        if (line.startsWith('{"type":"resync"')) resyncs++;
        if (!line.startsWith('{"type":"change"') || line.startsWith(ownChange)) continue;
        const change = JSON.parse(line) as { store: string; index: number };
        if (change.store !== d.label) (t >= measuredFrom ? arrivals : warmupArrivals).push([`${d.account.address}|${change.store}|${change.index}`, t]);
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (!open) resolve(undefined);
    });
  }), () => undefined);
}

await pool(devices, 32, async (d) => {
  const ws = await openSocket(d, true);
  if (ws === undefined) throw new Error(`${d.account.address}: the push socket did not open`);
  d.socket = ws;
});
const idleSockets: WebSocket[] = [];
if (idle > 0) {
  const owners: Device[] = [];
  await pool(Array.from({ length: idleAccountCount }, (_, i) => i), setupConcurrency, async (i) => {
    const account = await (await MeshHost.open(new MemoryHome())).createAccount(`idle${i}@example.com`);
    const client = new MeshClient(account, { endpoint: hosts[i % hosts.length]!.endpoint });
    await client.bind();
    owners.push({ account, client, host: i % hosts.length, label: '', frames: [], base: 0 });
  });
  await pool(Array.from({ length: idle }, (_, i) => i), 32, async (i) => {
    const ws = await openSocket(owners[i % owners.length]!, false);
    if (ws !== undefined) idleSockets.push(ws);
  });
  progress(`${idleSockets.length}/${idle} idle sockets open on ${owners.length} idle accounts`);
}
const setupSeconds = (performance.now() - setupStart) / 1000;
const before = await Promise.all(hosts.map(ask));

// ---- load ----
progress(`${devices.length} devices on ${hosts.length} host(s): load for ${seconds} s`);
interface Acked {
  readonly device: Device;
  readonly index: number;
  readonly frame: Uint8Array;
}
const acked: Acked[] = [];
const latencies: number[] = [];
let errors = 0;
let conflicts = 0;
measuring = true;
const profiler = profileDir === '' ? undefined : await startProfile(join(profileDir, 'devices.cpuprofile'));
const cpuBefore = process.cpuUsage();
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const warmupUntil = performance.now() + warmupSeconds * 1000;
measuredFrom = performance.timeOrigin + warmupUntil;
const warmupLatencies: number[] = [];
const until = warmupUntil + seconds * 1000;
let measuredTransactions = 0;
let lastDone = warmupUntil;
await Promise.all(devices.map(async (d) => {
  const credential = d.client.deviceCredential();
  // Paced devices start evenly spread over one period.
  const period = rate === undefined ? 0 : (devices.length / rate) * 1000;
  let next = performance.now() + (period * devices.indexOf(d)) / devices.length;
  for (let j = 0; j < d.frames.length && performance.now() < until; j++) {
    // Paced, a transaction's latency counts from when it was due, not from when a device that
    // fell behind got round to sending it (else a slow service would hide its queue).
    let due = Infinity;
    if (period > 0) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      due = next;
      next += period;
    }
    const index = d.base + j;
    const t0 = Math.min(performance.now(), due);
    try {
      const answer = await d.client.http.request('Transact', {
        $class: 'TransactRequest', Account: d.account.address,
        Updates: [{ $class: 'ContainerUpdate', Container: d.label, Index: index, Envelopes: [frameEnvelope(d.frames[j]!)] }],
      }, credential);
      const t1 = performance.now();
      if (answer.Entries?.[0]?.Result !== 'Accept') {
        conflicts++;
        return;
      }
      acked.push({ device: d, index: index + 1, frame: d.frames[j]! });
      if (t0 >= warmupUntil) {
        measuredTransactions++;
        latencies.push(t1 - t0);
        lastDone = Math.max(lastDone, t1);
      } else {
        warmupLatencies.push(t1 - t0);
      }
    } catch (e) {
      errors++;
      if (errors <= 3) {
        const { code, cause } = e as { code?: string; cause?: { code?: string } };
        progress(`Transact failed${code === undefined ? '' : ` (${code}${cause?.code === undefined ? '' : `, ${cause.code}`})`}: ${(e as Error).message}`);
      }
      return;
    }
  }
}));
measuring = false;
loop.disable();
const ackedBy = new Map<Device, number>();
for (const a of acked) ackedBy.set(a.device, (ackedBy.get(a.device) ?? 0) + 1);
const spent = devices.filter((d) => (ackedBy.get(d) ?? 0) >= d.frames.length).length;
if (performance.now() < until - 100 && spent > 0) progress(`${spent} devices spent their ${perDeviceFrames} frames before --seconds ran out: raise --transactions for a full run`);
const cpuDuring = process.cpuUsage(cpuBefore);
await profiler?.();
const elapsed = (lastDone - warmupUntil) / 1000;
// Let the last notifications arrive.
await new Promise((r) => setTimeout(r, 300));
const after = await Promise.all(hosts.map(ask));

// ---- read back: every acknowledged frame, byte for byte, through the service ----
let lost = 0;
const byStore = new Map<string, Acked[]>();
for (const a of acked) {
  const key = `${a.device.account.address}|${a.device.label}`;
  const list = byStore.get(key) ?? [];
  list.push(a);
  byStore.set(key, list);
}
await pool([...byStore.values()], 8, async (list) => {
  const d = list[0]!.device;
  const want = new Map(list.map((a) => [a.index, a.frame]));
  let from = Math.min(...want.keys());
  const last = Math.max(...want.keys());
  while (from <= last) {
    const r = await d.client.http.request('Download', {
      $class: 'DownloadRequest', Account: d.account.address, Select: [{ Container: d.label, IndexMin: from, IndexMax: last }], ConstraintsPost: { MaxEntries: 512 },
    }, d.client.deviceCredential());
    const frames = (r.Updates?.[0]?.Envelopes ?? []).map((e, i) => frameOfEnvelope(e, `${d.label}[${i}]`));
    if (frames.length === 0) break;
    for (const [i, f] of frames.entries()) {
      const expected = want.get(from + i);
      if (expected !== undefined && !bytesEqual(expected, f)) lost++;
      want.delete(from + i);
    }
    from += frames.length;
  }
  lost += [...want.keys()].length;
});

// ---- push latency ----
const commitTimes = new Map<string, number>();
for (const r of after) for (const [k, t] of r.commits) commitTimes.set(k, t);
const pushLatencies = (list: readonly [string, number][]): number[] => list.flatMap(([key, t]) => {
  const c = commitTimes.get(key);
  return c === undefined ? [] : [t - c];
});
const pushes = pushLatencies(arrivals);
const warmupPushes = pushLatencies(warmupArrivals);

// ---- shut down ----
for (const d of devices) d.socket?.terminate();
for (const ws of idleSockets) ws.terminate();
await Promise.all(hosts.map(stop));
if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
if (dropSchema !== undefined) {
  const c = new pg.Client({ connectionString: location.kind === 'postgres' ? location.url : '' });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${dropSchema}" CASCADE`);
  await c.end();
}

const pct = (list: number[], p: number): number => {
  const s = [...list].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0).toFixed(2));
};
console.log(JSON.stringify({
  store: location.kind, hosts: hosts.length, devices: devices.length, rate: rate ?? 'max', devicesPerAccount: perAccount, seconds: Number(elapsed.toFixed(2)),
  transactionsPerSecond: Math.round(measuredTransactions / Math.max(elapsed, 1e-3)),
  p50Ms: pct(latencies, 0.5), p99Ms: pct(latencies, 0.99), maxMs: pct(latencies, 1),
  pushP50Ms: pct(pushes, 0.5), pushP99Ms: pct(pushes, 0.99), pushSamples: pushes.length, resyncs,
  warmupSeconds, warmupP99Ms: pct(warmupLatencies, 0.99), warmupPushP99Ms: pct(warmupPushes, 0.99),
  connections: after.reduce((n, r) => n + r.connections, 0), httpConnections: after.reduce((n, r) => n + r.httpConnections, 0),
  rssMb: Math.round(Math.max(...after.map((r) => r.rssMb))), rssBeforeLoadMb: Math.round(Math.max(...before.map((r) => r.rssMb))),
  loopDelayP99Ms: { service: Number(Math.max(...after.map((r) => r.loopDelayP99Ms)).toFixed(1)), devices: Number((loop.percentile(99) / 1e6).toFixed(1)) },
  serviceCpuMsPerTransaction: Number((after.reduce((n, r, i) => n + r.cpuMs - before[i]!.cpuMs, 0) / Math.max(1, acked.length)).toFixed(3)),
  devicesCpuMsPerTransaction: Number(((cpuDuring.user + cpuDuring.system) / 1000 / Math.max(1, acked.length)).toFixed(3)),
  idleSockets: { opened: idleSockets.length, asked: idle },
  acknowledged: acked.length, lost, errors, conflicts, setupSeconds: Math.round(setupSeconds),
}));
