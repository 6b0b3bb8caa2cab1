import { getProvider, initSync, type CryptoProvider } from '../../sdk/crypto/index.js';
import { seeded } from './random.js';

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
  return seeded(seed * 2654435761)(length);
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
