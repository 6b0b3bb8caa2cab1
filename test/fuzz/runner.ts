import { Worker } from 'node:worker_threads';
import type { Failure, FailureKind, TargetStats } from './engine.js';
import { HEARTBEAT_HEADER, type WorkerData, type WorkerMessage } from './protocol.js';

/**
 * Runs fuzz targets in worker threads under a watchdog. The worker records each input in a
 * shared buffer before running it; if its tick counter stops moving for longer than the per-input
 * budget (plus a grace for GC pauses on a loaded machine), the worker is terminated and the
 * input it was on is reported as a `hang` — an infinite loop cannot stop the run or hide its
 * input. A worker that runs out of its heap limit, or makes the process's memory grow past a
 * bound, is reported as `memory` the same way. After
 * either, the run resumes at the next input while time is left.
 */

export interface RunRequest {
  readonly target: string;
  readonly seed: number;
  /** Seconds of fuzzing (the corpus is built and checked first, outside this time). */
  readonly seconds: number;
  readonly inputs?: number;
  readonly from?: number;
  /** Per-input budget (default 3000 ms). */
  readonly budgetMs?: number;
  readonly maxFailures?: number;
  /** Heap limit of the worker (default 768 MiB): more is a finding. */
  readonly heapMb?: number;
  /**
   * Growth of the process's resident memory while the worker runs (default 2048 MiB): more is a
   * finding too. The heap limit does not cover ArrayBuffers, where a reader that trusts a declared
   * length would allocate.
   */
  readonly rssMb?: number;
  /** Added to the budget before the watchdog stops a worker (default 2000 ms: GC pauses on a loaded machine). */
  readonly graceMs?: number;
  /** Workers started again after a hang or crash, at most (default 3). */
  readonly maxRestarts?: number;
}

const RECORD_BYTES = 1 << 20;
const SETUP_MS = 180_000;

interface Attempt {
  /** Findings the worker reported, whatever became of it. */
  failures: Failure[];
  stats?: TargetStats;
  /** Set when the worker was stopped or died: the finding and the iteration it was on. */
  stopped?: { kind: FailureKind; iteration: number; input: Uint8Array; message: string };
}

function runWorker(req: RunRequest, from: number, seconds: number): Promise<Attempt> {
  const heartbeat = new SharedArrayBuffer(HEARTBEAT_HEADER + RECORD_BYTES);
  const header = new Int32Array(heartbeat, 0, 4);
  Atomics.store(header, 0, -1);
  const data: WorkerData = {
    target: req.target, seed: req.seed, seconds, from, inputs: req.inputs, budgetMs: req.budgetMs, maxFailures: req.maxFailures, heartbeat,
  };
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: data, resourceLimits: { maxOldGenerationSizeMb: req.heapMb ?? 768 }, stdout: false, stderr: false,
  });
  const budget = req.budgetMs ?? 3000;
  const current = (): { iteration: number; input: Uint8Array } => {
    const n = Math.min(Atomics.load(header, 1), RECORD_BYTES);
    return { iteration: Atomics.load(header, 0), input: new Uint8Array(heartbeat, HEARTBEAT_HEADER, n).slice() };
  };
  return new Promise((resolvePromise) => {
    let settled = false;
    const failures: Failure[] = [];
    let lastTick = 0;
    let lastChange = Date.now();
    const finish = (a: Omit<Attempt, 'failures'>): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      void worker.terminate();
      resolvePromise({ ...a, failures });
    };
    const rssLimit = process.memoryUsage.rss() + (req.rssMb ?? 2048) * 2 ** 20;
    const timer = setInterval(() => {
      const tick = Atomics.load(header, 2);
      const now = Date.now();
      const rss = process.memoryUsage.rss();
      if (rss > rssLimit) {
        finish({ stopped: { kind: 'memory', ...current(), message: `resident memory grew by ${((rss - rssLimit) / 2 ** 20 + (req.rssMb ?? 2048)).toFixed(0)} MiB on one input: stopped` } });
        return;
      }
      if (tick !== lastTick) {
        lastTick = tick;
        lastChange = now;
        return;
      }
      const limit = tick === 0 ? SETUP_MS : budget + (req.graceMs ?? 2000);
      if (now - lastChange > limit) {
        const c = current();
        finish({
          stopped: {
            kind: tick === 0 ? 'crash' : 'hang', ...c,
            message: tick === 0 ? `the worker set nothing up in ${SETUP_MS / 1000} s` : `no progress for ${now - lastChange} ms on one input (budget ${budget} ms): stopped`,
          },
        });
      }
    }, 100);
    worker.on('message', (m: WorkerMessage) => {
      if ('failure' in m) failures.push(m.failure);
      else finish({ stats: m.stats });
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const c = current();
      finish({ stopped: { kind: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', ...c, message: `${e.name}: ${e.message}` } });
    });
    worker.on('exit', (code) => {
      if (!settled) finish({ stopped: { kind: 'crash', ...current(), message: `the worker exited with code ${code}` } });
    });
  });
}

/** Fuzzes one target for `seconds`, restarting after a hang or a crash while time is left; one report per distinct finding. */
export async function runTarget(req: RunRequest): Promise<TargetStats> {
  const started = Date.now();
  const deadline = started + req.seconds * 1000;
  const failures: Failure[] = [];
  const outcomes: Record<string, number> = {};
  let inputs = 0;
  let fuzzSeconds = 0;
  let maxInputMs = 0;
  let slowestIteration = -1;
  let corpusSize = 0;
  let from = req.from ?? 0;
  const seen = new Set<string>();
  const add = (f: Failure): void => {
    const key = `${f.kind}:${f.kind === 'hang' || f.kind === 'memory' ? f.iteration : f.message}`;
    if (!seen.has(key)) failures.push(f);
    seen.add(key);
  };
  for (let restarts = 0; restarts <= (req.maxRestarts ?? 3); restarts++) {
    const t0 = Date.now();
    const left = Math.max(0.5, (deadline - Date.now()) / 1000);
    const a = await runWorker(req, from, restarts === 0 ? req.seconds : left);
    a.failures.forEach(add);
    if (a.stats) {
      inputs += a.stats.inputs;
      fuzzSeconds += a.stats.seconds;
      if (a.stats.maxInputMs > maxInputMs) {
        maxInputMs = a.stats.maxInputMs;
        slowestIteration = a.stats.slowestIteration;
      }
      corpusSize = a.stats.corpusSize;
      for (const [k, v] of Object.entries(a.stats.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
      break;
    }
    for (const f of a.failures) outcomes[`FINDING:${f.kind}`] = (outcomes[`FINDING:${f.kind}`] ?? 0) + 1; // its counts died with it
    const s = a.stopped!;
    add({ kind: s.kind, target: req.target, seed: req.seed, iteration: s.iteration, corpusId: '?', mutations: [], input: s.input, message: s.message });
    outcomes[`FINDING:${s.kind}`] = (outcomes[`FINDING:${s.kind}`] ?? 0) + 1;
    if (s.iteration >= from) inputs += s.iteration - from + 1;
    fuzzSeconds += (Date.now() - t0) / 1000;
    if (s.kind === 'crash' && s.iteration < 0) break; // nothing ran: do not loop on a broken setup
    from = s.iteration + 1;
    if (Date.now() >= deadline || (req.inputs !== undefined && inputs >= req.inputs)) break;
  }
  return {
    target: req.target, seed: req.seed, from: req.from ?? 0, inputs, seconds: fuzzSeconds, inputsPerSecond: inputs / Math.max(fuzzSeconds, 1e-9),
    corpusSize, outcomes, maxInputMs, slowestIteration, failures,
  };
}

/** Counts of findings by kind. */
export function findingCounts(s: TargetStats): Record<'untyped' | 'hang' | 'accepted-change' | 'other', number> {
  const c = { untyped: 0, hang: 0, 'accepted-change': 0, other: 0 };
  for (const [k, v] of Object.entries(s.outcomes)) {
    if (!k.startsWith('FINDING:')) continue;
    const kind = k.slice(8);
    if (kind === 'untyped' || kind === 'hang' || kind === 'accepted-change') c[kind] += v;
    else c.other += v;
  }
  return c;
}

/** The figures table: inputs, rate, findings by kind, slowest input. */
export function formatFigures(all: readonly TargetStats[]): string {
  const rows = [['target', 'seed', 'inputs', 'inputs/s', 'untyped', 'hangs', 'accepted changes', 'other', 'slowest input']];
  for (const s of all) {
    const c = findingCounts(s);
    rows.push([s.target, String(s.seed), String(s.inputs), s.inputsPerSecond.toFixed(0), String(c.untyped), String(c.hang),
      String(c['accepted-change']), String(c.other), `${s.maxInputMs.toFixed(1)} ms (#${s.slowestIteration})`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((x, i) => x.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** Outcome histogram of a target, most frequent first. */
export function formatOutcomes(s: TargetStats, top = 20): string {
  return Object.entries(s.outcomes).sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `    ${String(v).padStart(7)}  ${k}`).join('\n');
}

/** One finding, with what reproduces it. */
export function formatFailure(f: Failure): string {
  const hex = Buffer.from(f.input).toString('hex');
  const replay = f.iteration >= 0 ? `npm run fuzz -- --target ${f.target} --seed ${f.seed} --from ${f.iteration} --inputs 1` : '(unmutated corpus entry)';
  return [
    `[${f.target}] ${f.kind.toUpperCase()}: ${f.message}`,
    `  seed ${f.seed}, iteration ${f.iteration}, corpus entry ${f.corpusId}`,
    `  reproduce: ${replay}`,
    `  mutations (minimised): ${f.mutations.length ? f.mutations.join('; ') : '-'}`,
    `  input (${f.input.length} bytes, hex): ${hex.length > 8192 ? `${hex.slice(0, 8192)}…` : hex}`,
    ...(f.stack ? [`  stack: ${f.stack.split('\n').slice(0, 8).join('\n    ')}`] : []),
  ].join('\n');
}
