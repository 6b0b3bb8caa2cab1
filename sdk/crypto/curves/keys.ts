import { CryptoError } from '../errors.js';
import { bytes as asBytes } from '../validate.js';
import { leToBigInt } from '../bigint.js';
import { baseMultiply, edwardsToMontgomery, expandSeed, type EdwardsCurve } from './edwards.js';
import { encodeSigned, encodeUnsigned } from './montgomery.js';
import { montgomeryParams } from './params.js';

/**
 * Public keys from Mesh key material on the pure path (crypto.md §2, §4; udf.md §8.1). These
 * are what UDF key derivation needs: an HKDF output (the "private key" of udf.md §8.1) in,
 * public key bytes out. Signatures of this file are stable API.
 */

export type { EdwardsCurve } from './edwards.js';
export type MontgomeryCurve = 'X25519' | 'X448';
/** Montgomery public key encodings of crypto.md §2: signed = u LE ‖ v-parity byte (33/57 B); unsigned = u LE (32/56 B). */
export type MontgomeryForm = 'signed' | 'unsigned';

/**
 * The secret scalar of an Edwards key: RFC 8032 §5.1.5/§5.2.5 hash + prune, little-endian,
 * **not** reduced mod L (32 bytes for Ed25519; 56 for Ed448, whose 57th byte is always 0 after
 * pruning). Ed448 takes the 56-byte Mesh seed (udf.md §8.1) or a 57-byte RFC 8032 secret.
 */
export function edwardsSecretScalar(curve: EdwardsCurve, seed: Uint8Array): Uint8Array {
  checkEdwardsCurve(curve);
  return expandSeed(curve, seed).scalar;
}

/** The RFC 8032 public key (32 / 57 bytes) of an Ed25519 seed or an Ed448 56/57-byte seed. */
export function edwardsPublicKey(curve: EdwardsCurve, seed: Uint8Array): Uint8Array {
  checkEdwardsCurve(curve);
  const { scalar, prefix } = expandSeed(curve, seed);
  prefix.fill(0);
  const pub = baseMultiply(curve, scalar).toBytes();
  scalar.fill(0);
  return pub;
}

/**
 * X25519/X448 public key of an RFC 7748 private key: clamp(privateKey)·B (RFC 7748 §5/§6),
 * in the signed form by default (crypto.md §2, the Mesh JSON `PublicKeyECDH.Public` form).
 */
export function montgomeryPublicKey(curve: MontgomeryCurve, privateKey: Uint8Array, form: MontgomeryForm = 'signed'): Uint8Array {
  const c = montgomeryParams(checkMontgomeryCurve(curve));
  const priv = asBytes(privateKey, 'privateKey');
  if (priv.length !== c.bytes) {
    throw new CryptoError('CRYPTO_INVALID_LENGTH', `${curve} private key must be ${c.bytes} bytes, got ${priv.length}`);
  }
  const k = c.clamp(priv);
  try {
    return montgomeryPublicKeyFromScalar(curve, k, form);
  } finally {
    k.fill(0);
  }
}

/**
 * X25519/X448 public key of a raw scalar (LE, 32 / 56 bytes), **without** clamping: the form in
 * which composite (co-generated) and threshold keys are stored (crypto.md §4). Computed as
 * φ(k·B_ed) through the Edwards curve, which equals k·B on the Montgomery curve with v.
 */
export function montgomeryPublicKeyFromScalar(curve: MontgomeryCurve, scalar: Uint8Array, form: MontgomeryForm = 'signed'): Uint8Array {
  const c = montgomeryParams(checkMontgomeryCurve(curve));
  const s = asBytes(scalar, 'scalar');
  if (s.length !== c.bytes) throw new CryptoError('CRYPTO_INVALID_LENGTH', `${curve} scalar must be ${c.bytes} bytes, got ${s.length}`);
  if (form !== 'signed' && form !== 'unsigned') throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `form must be 'signed' or 'unsigned'`);
  const ed: EdwardsCurve = curve === 'X448' ? 'Ed448' : 'Ed25519';
  if (leToBigInt(s) % c.q === 0n) throw new CryptoError('CRYPTO_INVALID_SCALAR', `${curve} scalar is 0 mod q`);
  const p = edwardsToMontgomery(ed, baseMultiply(ed, s));
  return form === 'signed' ? encodeSigned(c, p) : encodeUnsigned(c, p);
}

function checkEdwardsCurve(curve: unknown): EdwardsCurve {
  if (curve !== 'Ed25519' && curve !== 'Ed448') throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `unknown Edwards curve ${String(curve)}`);
  return curve;
}

function checkMontgomeryCurve(curve: unknown): MontgomeryCurve {
  if (curve !== 'X25519' && curve !== 'X448') throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `unknown Montgomery curve ${String(curve)}`);
  return curve;
}
