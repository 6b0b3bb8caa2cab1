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
  /** ops/s of each round (opsPerSec is their median). */
  rounds?: number[];
  mbPerSec?: number;
}

export interface HarnessOptions {
  /** Seconds per case and round (benchmark.js `maxTime`). */
  maxTime: number;
  minSamples: number;
  /**
   * Rounds per group: the providers of a group are measured in turn, `rounds` times, and each
   * case reports the median of its rounds. This shared VM's speed drifts by ±30% over seconds;
   * alternating keeps every provider of a ratio in the same time windows.
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

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
      const hz = median(runs[i]!.map((b) => b.hz));
      const result: BenchResult = {
        group: c.group,
        provider: c.provider,
        opsPerSec: hz,
        rme: Math.max(...runs[i]!.map((b) => b.stats.rme)),
        samples: runs[i]!.reduce((n, b) => n + b.stats.sample.length, 0),
        rounds: runs[i]!.map((b) => b.hz),
        ...(c.bytes ? { mbPerSec: (hz * c.bytes) / (1024 * 1024) } : {}),
      };
      results.push(result);
      opts.onResult?.(result);
    });
  }
  return results;
}
