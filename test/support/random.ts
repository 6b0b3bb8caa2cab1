/** Deterministic randomness for property tests (xorshift32), so a failure reproduces from its seed. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** A source of integers in [0, n). */
export function prng(seed: number): (n: number) => number {
  const next = xorshift32(seed);
  return (n) => next() % n;
}

/** A source of byte strings of any length. */
export function seeded(seed: number): (n: number) => Uint8Array {
  const next = xorshift32(seed);
  return (n) => Uint8Array.from({ length: n }, () => next() & 0xff);
}

/** The `code` of the typed error `f` throws (undefined if it returns); other errors propagate. */
export function errorCodeOf(type: abstract new (...args: never[]) => Error & { code: string }, f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof type) return e.code;
    throw e;
  }
  return undefined;
}
