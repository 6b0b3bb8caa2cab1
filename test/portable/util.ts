/** Small runtime-neutral helpers of the portable suites (no Buffer, no node:*). */
import { hexDecode, hexEncode } from '../../sdk/encoding/index.js';

export const hex = (b: Uint8Array): string => hexEncode(b);
export const fromHex = (h: string): Uint8Array => hexDecode(h);
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Deterministic pseudo-random bytes (xorshift32) so a failure reproduces on every runtime. */
export function prng(seed: number): (n: number) => Uint8Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** The `code` of the error `f` throws if it is an instance of `type`; 'no-throw' if none; rethrows others. */
export function codeOf(type: abstract new (...args: never[]) => { code: string }, f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof type) return e.code;
    throw e;
  }
  return 'no-throw';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type V = Record<string, any>;
