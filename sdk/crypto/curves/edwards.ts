import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { CryptoError } from '../errors.js';
import { bytes as asBytes } from '../validate.js';
import { bigIntToLe, leToBigInt } from '../bigint.js';
import { ED25519_L, ED25519_TO_MONT_C, ED448_L, type MontgomeryParams, X25519_PARAMS, X448_PARAMS } from './params.js';
import type { MontPoint } from './montgomery.js';

/**
 * Edwards-curve helpers of the pure path (crypto.md §2, §4): seed → secret scalar, scalar·B,
 * and the maps to the Montgomery form (with v) used for the signed X25519/X448 public keys.
 * Points are @noble's; this file adds what @noble does not do (56-byte Mesh seeds, raw
 * scalars, the v-coordinate of the Montgomery image).
 */

export type EdwardsCurve = 'Ed25519' | 'Ed448';

export const edwardsPoint = (curve: EdwardsCurve) => (curve === 'Ed448' ? ed448.Point : ed25519.Point);
export const edwardsOrder = (curve: EdwardsCurve): bigint => (curve === 'Ed448' ? ED448_L : ED25519_L);
/** Length of a secret scalar as stored (crypto.md §4): 32 / 56 bytes LE. */
export const edwardsScalarLength = (curve: EdwardsCurve): number => (curve === 'Ed448' ? 56 : 32);

/**
 * RFC 8032 §5.1.5 / §5.2.5 key expansion: the hash of the secret, split into the pruned scalar
 * half and the nonce prefix half. Ed448 accepts the Mesh's 56-byte seed (udf.md §8.1: hashed
 * exactly like RFC 8032's 57-byte secret) as well as the 57-byte RFC 8032 secret.
 */
export function expandSeed(curve: EdwardsCurve, seed: Uint8Array): { scalar: Uint8Array; prefix: Uint8Array } {
  asBytes(seed, 'seed');
  if (curve === 'Ed448') {
    if (seed.length !== 56 && seed.length !== 57) {
      throw new CryptoError('CRYPTO_INVALID_LENGTH', `Ed448 seed must be 56 (Mesh) or 57 (RFC 8032) bytes, got ${seed.length}`);
    }
    const h = shake256(seed, { dkLen: 114 });
    const s = h.slice(0, 56); // byte 56 is cleared by pruning: the scalar fits 56 bytes
    s[0]! &= 252;
    s[55]! |= 128;
    const prefix = h.slice(57, 114);
    h.fill(0);
    return { scalar: s, prefix };
  }
  if (seed.length !== 32) throw new CryptoError('CRYPTO_INVALID_LENGTH', `Ed25519 seed must be 32 bytes, got ${seed.length}`);
  const h = sha512(seed);
  const s = h.slice(0, 32);
  s[0]! &= 248;
  s[31]! &= 127;
  s[31]! |= 64;
  const prefix = h.slice(32, 64);
  h.fill(0);
  return { scalar: s, prefix };
}

/** k·B for a scalar given as LE bytes (any length up to the field size), reduced mod L first. */
export function baseMultiply(curve: EdwardsCurve, scalarLe: Uint8Array): EdwardsPoint {
  const k = leToBigInt(scalarLe) % edwardsOrder(curve);
  if (k === 0n) throw new CryptoError('CRYPTO_INVALID_SCALAR', `${curve} scalar is 0 mod L (public key would be the identity)`);
  return edwardsPoint(curve).BASE.multiply(k);
}

/**
 * Image of an Edwards point on the Montgomery curve, with v (crypto.md §2):
 * Ed25519: u = (1+y)/(1−y), v = c·u/x; Ed448 (4-isogeny): u = y²/x², v = (2 − x² − y²)·y/x³.
 * Both maps send the Edwards base point to the RFC 7748 base point with the reference's v sign,
 * so φ(k·B_ed) = k·B_mont. The identity (x = 0) has no affine image and throws.
 */
export function edwardsToMontgomery(curve: EdwardsCurve, point: EdwardsPoint): MontPoint {
  const { x, y } = point.toAffine();
  if (curve === 'Ed448') {
    const F = X448_PARAMS.Fp;
    if (F.is0(x)) throw new CryptoError('CRYPTO_INVALID_POINT', 'Ed448 point of order <= 2 has no Montgomery image');
    const x2 = F.sqr(x);
    const y2 = F.sqr(y);
    const ix = F.inv(x);
    const ix2 = F.sqr(ix);
    return { u: F.mul(y2, ix2), v: F.mul(F.mul(F.sub(F.sub(2n, x2), y2), y), F.mul(ix2, ix)) };
  }
  const F = X25519_PARAMS.Fp;
  if (F.is0(x)) throw new CryptoError('CRYPTO_INVALID_POINT', 'Ed25519 point of order <= 2 has no Montgomery image');
  const u = F.mul(F.add(F.ONE, y), F.inv(F.sub(F.ONE, y)));
  return { u, v: F.mul(F.mul(ED25519_TO_MONT_C, u), F.inv(x)) };
}

/** Montgomery parameters matching an Edwards curve. */
export const montgomeryOf = (curve: EdwardsCurve): MontgomeryParams => (curve === 'Ed448' ? X448_PARAMS : X25519_PARAMS);

/** (a + b) mod L on LE scalars, fixed-length LE result (crypto.md §4 composite private key). */
export function scalarAddLe(curve: EdwardsCurve, a: Uint8Array, b: Uint8Array): Uint8Array {
  const L = edwardsOrder(curve);
  return bigIntToLe((leToBigInt(a) + leToBigInt(b)) % L, edwardsScalarLength(curve));
}
