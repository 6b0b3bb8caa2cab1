import { xorshift32 } from '../support/random.js';

/**
 * The fuzzer's randomness: the shared test PRNG (xorshift32, test/support/random.ts), seeded per
 * input from (run seed, iteration), so input i of a run can be rebuilt alone from the two numbers
 * the failure report prints, whatever ran before it.
 */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = xorshift32(seed);
  }

  /** The generator for input `iteration` of the run seeded `seed`. */
  static forInput(seed: number, iteration: number): Rng {
    return new Rng(mix32(seed, iteration));
  }

  /** A 32-bit value. */
  u32(): number {
    return this.next();
  }

  /** An integer in [0, n) (n ≥ 1). */
  int(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.next() & 0xff);
  }

  /** Mostly small, sometimes large: the length of a range to delete, copy or insert. */
  smallLength(max: number): number {
    const cap = Math.max(1, max);
    return Math.min(cap, this.chance(0.8) ? 1 + this.int(8) : 1 + this.int(cap));
  }
}

/** A 32-bit hash of two integers (murmur3 finaliser), never 0 (xorshift32's fixed point). */
export function mix32(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0 || 1;
}
