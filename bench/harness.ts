import Benchmark from 'benchmark';

/** One thing to time: `fn` runs once per operation; `bytes` (if any) gives MB/s. */
export interface BenchCase {
  group: string;
  provider: string;
  fn: () => void;
  bytes?: number;
}

export interface BenchResult {
  group: string;
  provider: string;
  opsPerSec: number;
  /** Relative margin of error, percent. */
  rme: number;
  samples: number;
  mbPerSec?: number;
}

export interface HarnessOptions {
  /** Seconds per case (benchmark.js `maxTime`). */
  maxTime: number;
  minSamples: number;
  onResult?: (r: BenchResult) => void;
}

/**
 * Runs cases one at a time with benchmark.js (warm-up, statistical sampling), interleaving
 * providers within a group so they see the same machine state.
 */
export function runCases(cases: BenchCase[], opts: HarnessOptions): BenchResult[] {
  const results: BenchResult[] = [];
  for (const c of cases) {
    const bench = new Benchmark(`${c.group} [${c.provider}]`, c.fn, {
      maxTime: opts.maxTime,
      minSamples: opts.minSamples,
      initCount: 1,
    });
    bench.run({ async: false });
    if (bench.error) throw bench.error;
    const r: BenchResult = {
      group: c.group,
      provider: c.provider,
      opsPerSec: bench.hz,
      rme: bench.stats.rme,
      samples: bench.stats.sample.length,
      ...(c.bytes ? { mbPerSec: (bench.hz * c.bytes) / (1024 * 1024) } : {}),
    };
    results.push(r);
    opts.onResult?.(r);
  }
  return results;
}
