import { pureCurve448Mesh, pureEd448, pureX448 } from '../curves/pure.js';
import type { CryptoProvider } from '../types.js';
import { pureSymmetric } from './symmetric.js';

/**
 * The pure-TypeScript provider: @noble/hashes and @noble/ciphers (symmetric.ts) plus
 * @noble/curves and BigInt Mesh key operations (curves/pure.ts). Portable everywhere; not
 * constant time for AES (table lookups) or curves (BigInt) — see README, Security.
 */
export const pureProvider: CryptoProvider = {
  ...pureSymmetric,
  ed448: pureEd448,
  x448: pureX448,
  curve448Mesh: pureCurve448Mesh,
};
