import { bytesOfLength } from '../validate.js';
import type { Curve448Core } from './core.js';
import { checkX448PublicKey, checkX448Shared, X448_BYTES } from './policy.js';
import type { X448Api } from './types.js';

/** RFC 7748 §5 decodeScalar448: clears the 2 low bits, sets bit 447. */
export function clamp448(k: Uint8Array): Uint8Array {
  const b = Uint8Array.from(k);
  b[0]! &= 252;
  b[55]! |= 128;
  return b;
}

/** RFC 7748 u-coordinate of the X448 base point. */
const BASE_U = (() => {
  const b = new Uint8Array(56);
  b[0] = 5;
  return b;
})();

/**
 * X448Api over a core (the `wasm` provider's `x448`). Public keys from the fixed-base Edwards
 * table (φ(k·B_ed) = k·B, crypto.md §2) when `fixedBase` is set, else the ladder on u = 5.
 */
export function createX448(core: Curve448Core, fixedBase = true): X448Api {
  return {
    getPublicKey(scalar) {
      const k = clamp448(bytesOfLength(scalar, 'scalar', X448_BYTES));
      try {
        return fixedBase ? core.montBaseMulSigned(k).slice(0, 56) : core.x448(k, BASE_U);
      } finally {
        k.fill(0);
      }
    },
    getSharedSecret(scalar, publicKey) {
      const k = clamp448(bytesOfLength(scalar, 'scalar', X448_BYTES));
      const u = checkX448PublicKey(publicKey);
      try {
        return checkX448Shared(core.x448(k, u));
      } finally {
        k.fill(0);
      }
    },
  };
}
