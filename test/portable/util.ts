/** Small runtime-neutral helpers of the portable suites (no Buffer, no node:*). */
import { hexDecode, hexEncode } from '../../sdk/encoding/index.js';
import { seeded } from '../support/random.js';

export const hex = (b: Uint8Array): string => hexEncode(b);
export const fromHex = (h: string): Uint8Array => hexDecode(h);
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Deterministic pseudo-random bytes (xorshift32) so a failure reproduces on every runtime. */
export function prng(seed: number): (n: number) => Uint8Array {
  return seeded(seed * 2654435761);
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
