import { edwardsPublicKey, edwardsSecretScalar, montgomeryPublicKey } from '../crypto/curves/keys.js';
import {
  defaultKeyAlgorithm, deriveKeyMaterialFrom, DERIVED_KEY_LENGTH, type DerivedKeyAlgorithm, type KeyOperation,
} from './derive.js';
import { UdfError } from './errors.js';
import { keyFingerprint } from './fingerprint.js';
import { parseSeed } from './fixed.js';

/**
 * Key pairs from seed UDFs (udf.md §8.1) — the only module of `mathmesh/udf` that loads curve
 * code, so importing fingerprints or Shamir shares does not pull in Ed448/X448.
 *
 * - X25519/X448: the OKM is the RFC 7748 private key (clamped when used); the public key is
 *   returned in the 33/57-byte *signed* form the Mesh publishes (crypto.md §2).
 * - Ed25519: the OKM is the RFC 8032 32-byte seed. Ed448: a **56-byte** seed hashed like RFC 8032
 *   (`SHAKE256(seed, 114)`, prune), which RFC 8032 libraries refuse — the crypto layer expands it.
 */

/** A derived or loaded key pair. */
export interface KeyPair {
  readonly algorithm: DerivedKeyAlgorithm;
  /** X: RFC 7748 private key bytes; Ed: the seed (32 / 56 bytes). Secret. */
  readonly privateKey: Uint8Array;
  /** Secret scalar, little-endian (X: clamped private key; Ed: pruned hash), what keys combine on (crypto.md §4). Secret. */
  readonly scalar: Uint8Array;
  /** Public key: Ed RFC 8032 encoding (32 / 57 bytes); X signed form (33 / 57 bytes). */
  readonly publicKey: Uint8Array;
  /** Key fingerprint, the key's `Udf`/`kid` (udf.md §6.4). */
  readonly udf: string;
}

/** Options of {@link deriveKeyPair}. */
export interface DeriveKeyOptions {
  /** Algorithm; default: the seed's own, else Sign/AdminSign/Profile → Ed448, other → X448 (crypto.md §1). */
  algorithm?: DerivedKeyAlgorithm;
  /** Key name mixed into the HKDF info, e.g. `meshKeyName('Base', 'Device', 'Encrypt')` (default ''). */
  keyName?: string;
  /** Operation, used only to pick the default algorithm. */
  operation?: KeyOperation;
}

/** RFC 7748 decodeScalar clamping (crypto.md §2 table). */
function clamp(algorithm: 'X25519' | 'X448', k: Uint8Array): Uint8Array {
  const b = Uint8Array.from(k);
  if (algorithm === 'X25519') {
    b[0]! &= 248;
    b[31]! &= 127;
    b[31]! |= 64;
  } else {
    b[0]! &= 252;
    b[55]! |= 128;
  }
  return b;
}

/** Key pair of existing private key material (e.g. an `ActivationAccount` X448 private key or 56-byte Ed448 seed). */
export function keyPairFromPrivate(algorithm: DerivedKeyAlgorithm, privateKey: Uint8Array): KeyPair {
  const length = DERIVED_KEY_LENGTH[algorithm];
  if (length === undefined) throw new UdfError('UDF_UNKNOWN_ALGORITHM', `unknown key algorithm ${String(algorithm)}`);
  const okLength = privateKey instanceof Uint8Array
    && (privateKey.length === length || (algorithm === 'Ed448' && privateKey.length === 57));
  if (!okLength) throw new UdfError('UDF_BAD_ARGUMENT', `${algorithm} private key must be ${length} bytes`);
  let scalar: Uint8Array;
  let publicKey: Uint8Array;
  if (algorithm === 'X25519' || algorithm === 'X448') {
    scalar = clamp(algorithm, privateKey);
    publicKey = montgomeryPublicKey(algorithm, privateKey, 'signed');
  } else {
    scalar = edwardsSecretScalar(algorithm, privateKey);
    publicKey = edwardsPublicKey(algorithm, privateKey);
  }
  return { algorithm, privateKey, scalar, publicKey, udf: keyFingerprint(algorithm, publicKey) };
}

/**
 * Derives a key pair from a seed UDF with the reference derivation (udf.md §8.1), e.g. a device's
 * encryption key: `deriveKeyPair(deviceSeed, { keyName: 'BaseDeviceEncrypt', algorithm: 'X448' })`.
 */
export function deriveKeyPair(seed: string, options: DeriveKeyOptions = {}): KeyPair {
  const parsed = parseSeed(seed);
  const algorithm = options.algorithm ?? defaultKeyAlgorithm(parsed, options.operation);
  return keyPairFromPrivate(algorithm, deriveKeyMaterialFrom(parsed, algorithm, options.keyName ?? ''));
}
