/**
 * Figures and their spread, and the async timing loop — no dependencies, so the browser page
 * (browser-aes-page.ts) bundles it without benchmark.js.
 */

/** A figure and its spread: the median of the rounds, and their minimum and maximum. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface BenchResult {
  group: string;
  provider: string;
  /** Median of the rounds' ops/s. */
  opsPerSec: number;
  /** Slowest and fastest round (ops/s): the spread printed next to the median. */
  min: number;
  max: number;
  /** Largest relative margin of error of a round (benchmark.js, percent). */
  rme: number;
  samples: number;
  /** ops/s of each round, in the order they ran (round r of every provider of a group ran together). */
  rounds: number[];
  mbPerSec?: number;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Median, min and max of `xs` (at least one value). */
export const spreadOf = (xs: readonly number[]): Spread => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** A result from per-round ops/s figures (any harness: benchmark.js, async loops, commands). */
export function resultOf(group: string, provider: string, rounds: number[], extra: { bytes?: number; rme?: number; samples?: number } = {}): BenchResult {
  const s = spreadOf(rounds);
  return {
    group, provider, opsPerSec: s.median, min: s.min, max: s.max,
    rme: extra.rme ?? 0, samples: extra.samples ?? rounds.length, rounds,
    ...(extra.bytes ? { mbPerSec: (s.median * extra.bytes) / (1024 * 1024) } : {}),
  };
}

/** An asynchronous thing to time (WebCrypto, child processes): one call = one operation. */
export interface AsyncCase {
  group: string;
  provider: string;
  fn: () => Promise<void>;
  bytes?: number;
}

/**
 * The async twin of `runCases`: per group, a warm-up call of each case, then `rounds` rounds in
 * which each case runs for at least `minMs` (and at least `minCalls` calls); ops/s per round.
 */
export async function runAsyncCases(
  cases: AsyncCase[], opts: { rounds: number; minMs: number; minCalls?: number; onResult?: (r: BenchResult) => void },
): Promise<BenchResult[]> {
  const groups = new Map<string, AsyncCase[]>();
  for (const c of cases) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const results: BenchResult[] = [];
  for (const group of groups.values()) {
    for (const c of group) await c.fn();
    const rounds = group.map(() => [] as number[]);
    for (let r = 0; r < Math.max(1, opts.rounds); r++) {
      for (const [i, c] of group.entries()) {
        let calls = 0;
        const t0 = performance.now();
        let elapsed = 0;
        do {
          await c.fn();
          calls++;
          elapsed = performance.now() - t0;
        } while (elapsed < opts.minMs || calls < (opts.minCalls ?? 1));
        rounds[i]!.push((calls * 1000) / elapsed);
      }
    }
    group.forEach((c, i) => {
      const result = resultOf(c.group, c.provider, rounds[i]!, c.bytes ? { bytes: c.bytes } : {});
      results.push(result);
      opts.onResult?.(result);
    });
  }
  return results;
}
