import { CryptoError } from '../errors.js';
import { bytes, bytesOfLength } from '../validate.js';
import { bigIntToLe } from '../bigint.js';
import { ED448_L, X448_PARAMS } from './params.js';

/**
 * The refusal policy shared by every provider of `ed448` / `x448`, so that `pure`, `wasm` and
 * `native` answer the same input the same way (issue 3, "Rejection with typed errors").
 *
 * | input                                                          | result                         |
 * |----------------------------------------------------------------|--------------------------------|
 * | not a Uint8Array                                               | throw CRYPTO_INVALID_ARGUMENT  |
 * | key / secret / peer key of the wrong length, context > 255 B   | throw CRYPTO_INVALID_LENGTH    |
 * | signature not 114 bytes; R not a canonical point encoding or R | throw CRYPTO_INVALID_SIGNATURE |
 * |   not on the curve                                             |                                |
 * | S >= L (RFC 8032 §5.2.7, malleability)                          | throw CRYPTO_INVALID_SCALAR    |
 * | Ed448 public key non-canonical (y >= p, stray bits, x = 0 with | throw CRYPTO_INVALID_POINT     |
 * |   sign bit), off the curve, or of small order (incl. identity) |                                |
 * | well-formed signature whose equation [S]B = R + [k]A fails     | false                          |
 * | X448 peer u >= p (non-canonical), u of small order (0, 1, p−1)  | throw CRYPTO_INVALID_POINT     |
 * |   or an all-zero shared secret (RFC 7748 §6.2)                  |                                |
 *
 * Verification is cofactorless (RFC 8032 §5.2.7 permits either; OpenSSL, the native
 * provider, is cofactorless), so the three providers agree even on crafted signatures with a
 * small-order component. X448 peers on the twist are accepted as RFC 7748 requires.
 */

export const ED448_POINT_BYTES = 57;
export const ED448_SIGNATURE_BYTES = 114;
export const X448_BYTES = 56;

const P_LE = bigIntToLe(X448_PARAMS.p, 56);
const P_MINUS_1_LE = bigIntToLe(X448_PARAMS.p - 1n, 56);
const L_LE = bigIntToLe(ED448_L, 57);

/** a < b for equal-length little-endian byte strings (public data: variable time is fine). */
export function lessThanLE(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = b.length - 1; i >= 0; i--) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return false;
}

function yIs(enc: Uint8Array, value: Uint8Array | number): boolean {
  if (typeof value === 'number') {
    if (enc[0] !== value) return false;
    for (let i = 1; i < 56; i++) if (enc[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < 56; i++) if (enc[i] !== value[i]) return false;
  return true;
}

/**
 * Byte-level canonicity of an RFC 8032 §5.2.2 point encoding: the 7 low bits of the last byte
 * are zero, y < p, and x = 0 (y = ±1) is not flagged negative. Returns false when not canonical.
 */
export function isCanonicalEd448Encoding(enc: Uint8Array): boolean {
  if ((enc[56]! & 0x7f) !== 0) return false;
  if (!lessThanLE(enc.subarray(0, 56), P_LE)) return false;
  if ((enc[56]! & 0x80) !== 0 && (yIs(enc, 1) || yIs(enc, P_MINUS_1_LE))) return false;
  return true;
}

/** The four encodings of the small-order subgroup of edwards448: (0,1), (0,−1), (±1,0). */
export function isSmallOrderEd448Encoding(enc: Uint8Array): boolean {
  const sign = enc[56]! & 0x80;
  if (yIs(enc, 0)) return true; // (±1, 0), order 4, either sign
  return sign === 0 && (yIs(enc, 1) || yIs(enc, P_MINUS_1_LE));
}

/** Checks an Ed448 public key at the byte level (length, canonical, not small order). */
export function checkEd448PublicKey(publicKey: unknown): Uint8Array {
  const pk = bytesOfLength(publicKey, 'publicKey', ED448_POINT_BYTES);
  if (!isCanonicalEd448Encoding(pk)) throw new CryptoError('CRYPTO_INVALID_POINT', 'Ed448 public key is not a canonical point encoding');
  if (isSmallOrderEd448Encoding(pk)) throw new CryptoError('CRYPTO_INVALID_POINT', 'Ed448 public key is a point of small order');
  return pk;
}

/** Checks the shape of an Ed448 signature: 114 bytes, canonical R encoding, S < L. */
export function checkEd448Signature(signature: unknown): Uint8Array {
  const sig = bytes(signature, 'signature');
  if (sig.length !== ED448_SIGNATURE_BYTES) {
    throw new CryptoError('CRYPTO_INVALID_SIGNATURE', `Ed448 signature must be ${ED448_SIGNATURE_BYTES} bytes, got ${sig.length}`);
  }
  if (!lessThanLE(sig.subarray(57, 114), L_LE)) throw new CryptoError('CRYPTO_INVALID_SCALAR', 'Ed448 signature S is not below the group order L');
  if (!isCanonicalEd448Encoding(sig.subarray(0, 57))) {
    throw new CryptoError('CRYPTO_INVALID_SIGNATURE', 'Ed448 signature R is not a canonical point encoding');
  }
  return sig;
}

export const invalidR = (): CryptoError => new CryptoError('CRYPTO_INVALID_SIGNATURE', 'Ed448 signature R is not a point on the curve');
export const invalidA = (): CryptoError => new CryptoError('CRYPTO_INVALID_POINT', 'Ed448 public key is not a point on the curve');

/** Context of Ed448 (RFC 8032 §5.2): at most 255 bytes; absent = empty. */
export function checkContext(context: unknown): Uint8Array {
  if (context === undefined) return EMPTY;
  const c = bytes(context, 'context');
  if (c.length > 255) throw new CryptoError('CRYPTO_INVALID_LENGTH', `Ed448 context must be at most 255 bytes, got ${c.length}`);
  return c;
}

const EMPTY = new Uint8Array(0);

/**
 * Checks an X448 peer public key: 56 bytes, canonical (u < p), and not one of the small-order
 * u-coordinates 0, 1, p − 1 (on the curve and the twist; cofactor 4). Refusing them before the
 * ladder, rather than only detecting the all-zero output (RFC 7748 §6.2), keeps the secret
 * scalar out of a degenerate ladder run.
 */
export function checkX448PublicKey(publicKey: unknown): Uint8Array {
  const pk = bytesOfLength(publicKey, 'publicKey', X448_BYTES);
  if (!lessThanLE(pk, P_LE)) throw new CryptoError('CRYPTO_INVALID_POINT', 'X448 public key is not canonical (u >= p)');
  if (yIs(pk, 0) || yIs(pk, 1) || yIs(pk, P_MINUS_1_LE)) {
    throw new CryptoError('CRYPTO_INVALID_POINT', 'X448 public key is a point of small order');
  }
  return pk;
}

/** Refuses the all-zero X448 output of a small-order peer (RFC 7748 §6.2), checked without early exit. */
export function checkX448Shared(shared: Uint8Array): Uint8Array {
  let acc = 0;
  for (let i = 0; i < shared.length; i++) acc |= shared[i]!;
  if (acc === 0) throw new CryptoError('CRYPTO_INVALID_POINT', 'X448 shared secret is all zero (peer key of small order)');
  return shared;
}

/** dom4(0, context) of RFC 8032 §5.2: "SigEd448" ‖ 0x00 ‖ len(context) ‖ context. */
export function dom4(context: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + context.length);
  out.set(SIGED448);
  out[8] = 0;
  out[9] = context.length;
  out.set(context, 10);
  return out;
}

const SIGED448 = new TextEncoder().encode('SigEd448');
