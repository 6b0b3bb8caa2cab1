import type { LadderOutput } from './types.js';

/**
 * The arithmetic a Curve448 backend provides, at the byte level (internal). `pure` implements
 * it with @noble points and BigInt (core-pure.ts), `wasm` with core-wasm/curve448 (wasm.ts).
 * Everything above it — hashing (SHAKE256 stays in TS), RFC 8032 signing flow, policy checks,
 * the Mesh operations — is written once (ed448.ts, x448.ts, mesh.ts).
 *
 * Lengths are checked by the callers; points passed in have passed the byte-level policy
 * checks where the caller requires it. Scalars are 56-byte LE, Edwards points 57-byte RFC 8032
 * encodings, Montgomery points 57-byte signed encodings.
 */
export interface Curve448Core {
  /** x mod L for a LE integer of at most 114 bytes (constant time in WASM). */
  scalarReduce(x: Uint8Array): Uint8Array;
  /** (a·b + c) mod L (constant time in WASM). */
  scalarMulAdd(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array;
  /** (a + b) mod L. */
  scalarAdd(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** (a − b) mod L. */
  scalarSub(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** s·B on edwards448 for any 56-byte s (reduced mod L inside), constant time. */
  edBaseMul(s: Uint8Array): Uint8Array;
  /**
   * Both fixed-base products of an RFC 8032 signature: A = s·B and R = (rWide mod L)·B, with
   * the reduced r (so a signature needs one core call for its points).
   */
  edSignPoints(s: Uint8Array, rWide: Uint8Array): { A: Uint8Array; R: Uint8Array; r: Uint8Array };
  /** X448 base multiple in signed form via the 4-isogeny of the Edwards fixed-base product. */
  montBaseMulSigned(s: Uint8Array): Uint8Array;
  /** Edwards addition; throws CRYPTO_INVALID_POINT when an input does not decode. */
  edAdd(a: Uint8Array, b: Uint8Array): Uint8Array;
  /**
   * RFC 8032 §5.2.7 cofactorless check [S]B == R + [k]A (variable time: public data).
   * Returns 0 valid, 1 equation fails, 2 A is not on the curve, 3 R is not on the curve.
   */
  edVerify(a: Uint8Array, r: Uint8Array, s: Uint8Array, k: Uint8Array): 0 | 1 | 2 | 3;
  /** u(k·P) with the RFC 7748 ladder, scalar used as given (clamping is the caller's); 0 for the identity. */
  x448(k: Uint8Array, u: Uint8Array): Uint8Array;
  /** Raw ladder state (crypto.md §3). */
  montLadder(k: Uint8Array, u: Uint8Array): LadderOutput;
  /** k·P with v recovered; P signed. Throws CRYPTO_INVALID_POINT for a bad P or an infinite result. */
  montMulSigned(k: Uint8Array, p: Uint8Array): Uint8Array;
  /** P + Q (affine, with doubling); throws CRYPTO_INVALID_POINT for bad inputs or P = −Q. */
  montAddSigned(p: Uint8Array, q: Uint8Array): Uint8Array;
}
