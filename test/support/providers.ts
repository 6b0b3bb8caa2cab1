import { getProvider, initSync, type CryptoProvider } from '../../sdk/crypto/index.js';

/**
 * All three providers, for `describe.each`. Native is required here: the suites run on Node,
 * and a missing node:crypto would silently drop the differential checks.
 */
export function allProviders(): CryptoProvider[] {
  initSync();
  return [getProvider('pure'), getProvider('wasm'), getProvider('native')];
}

/** Deterministic pseudo-random bytes (xorshift32) so failures reproduce. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
