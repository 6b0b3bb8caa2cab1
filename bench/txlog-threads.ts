import { Worker } from 'node:worker_threads';
import { spreadOf } from './stats.js';
import { RECORDS } from './txlog.js';

/**
 * Independent transaction logs spread over worker threads: each worker writes its own log (its
 * own WASM instances, its own MemoryStore), so logs scale with cores until memory bandwidth or
 * the cores run out. Records/s = all records written / wall time from `go` to the last `done`.
 * Thread counts alternate within each round (1, 2, 1, 2, …) so drift hits both alike.
 */
function waitFor(w: Worker, key: 'ready' | 'done'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (m[key]) {
        w.off('message', onMessage);
        resolve();
      }
    };
    w.on('message', onMessage);
    w.once('error', reject);
  });
}

async function once(threads: number, records: number, warmup: number): Promise<number> {
  const url = new URL('./txlog-worker.js', import.meta.url);
  const workers = Array.from({ length: threads }, () => new Worker(url, { workerData: { records, warmup } }));
  try {
    await Promise.all(workers.map((w) => waitFor(w, 'ready')));
    const t0 = performance.now();
    const done = workers.map((w) => waitFor(w, 'done'));
    for (const w of workers) w.postMessage({ go: 1 });
    await Promise.all(done);
    return (threads * records) / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Records/s for 1 and 2 threads (or `counts`), `rounds` rounds each. */
export async function measureThreads(opts: { records?: number; rounds?: number; counts?: number[]; warmup?: number } = {}): Promise<{ threads: number; recordsPerSec: ReturnType<typeof spreadOf>; rounds: number[] }[]> {
  const records = opts.records ?? RECORDS;
  const counts = opts.counts ?? [1, 2];
  const rounds = Math.max(1, opts.rounds ?? 3);
  const per = counts.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, n] of counts.entries()) per[i]!.push(await once(n, records, Math.min(opts.warmup ?? 20_000, records)));
  }
  return counts.map((n, i) => ({ threads: n, recordsPerSec: spreadOf(per[i]!), rounds: per[i]!.map(Math.round) }));
}
