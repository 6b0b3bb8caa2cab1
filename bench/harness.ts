import Benchmark from 'benchmark';
import { resultOf, type BenchResult } from './stats.js';

export { median, resultOf, runAsyncCases, spreadOf, type AsyncCase, type BenchResult, type Spread } from './stats.js';

/** One thing to time: `fn` runs once per operation; `bytes` (if any) gives MB/s. */
export interface BenchCase {
  group: string;
  provider: string;
  fn: () => void;
  bytes?: number;
}

export interface HarnessOptions {
  /** Seconds per case and round (benchmark.js `maxTime`). */
  maxTime: number;
  minSamples: number;
  /**
   * Rounds per group: the providers of a group are measured in turn, `rounds` times, and each
   * case reports the median of its rounds with their min–max. This shared VM's speed drifts by
   * ±30% over seconds; alternating keeps every provider of a ratio in the same time windows.
   */
  rounds?: number;
  onResult?: (r: BenchResult) => void;
}

function measure(c: BenchCase, opts: HarnessOptions): Benchmark {
  const bench = new Benchmark(`${c.group} [${c.provider}]`, c.fn, {
    maxTime: opts.maxTime,
    minSamples: opts.minSamples,
    initCount: 1,
  });
  bench.run({ async: false });
  if (bench.error) throw bench.error;
  return bench;
}

/**
 * Runs cases with benchmark.js (warm-up, statistical sampling), group by group, alternating
 * the providers of a group round by round so they see the same machine state.
 */
export function runCases(cases: BenchCase[], opts: HarnessOptions): BenchResult[] {
  const rounds = Math.max(1, opts.rounds ?? 1);
  const groups = new Map<string, BenchCase[]>();
  for (const c of cases) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const results: BenchResult[] = [];
  for (const group of groups.values()) {
    const runs = group.map(() => [] as Benchmark[]);
    for (let r = 0; r < rounds; r++) group.forEach((c, i) => runs[i]!.push(measure(c, opts)));
    group.forEach((c, i) => {
      const result = resultOf(c.group, c.provider, runs[i]!.map((b) => b.hz), {
        ...(c.bytes ? { bytes: c.bytes } : {}),
        rme: Math.max(...runs[i]!.map((b) => b.stats.rme)),
        samples: runs[i]!.reduce((n, b) => n + b.stats.sample.length, 0),
      });
      results.push(result);
      opts.onResult?.(result);
    });
  }
  return results;
}

