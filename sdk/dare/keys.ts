import { keyFingerprint } from '../udf/fingerprint.js';
import { keyPairFromPrivate, type KeyPair } from '../udf/keys.js';
import { UdfError } from '../udf/errors.js';
import { CryptoError } from '../crypto/errors.js';
import { keyAlgorithm, type DareKeyAlgorithm } from './algorithms.js';
import { DareError } from './errors.js';

/**
 * Keys as DARE uses them: a recipient or signer is named by its `kid`, the UDF fingerprint of the
 * public key (dare.md §6, udf.md §6.4). Encodings follow the reference: Ed keys RFC 8032
 * (32 / 57 bytes), X keys the signed Montgomery form (33 / 57 bytes), private keys the RFC 7748
 * key (X) or the seed (Ed25519 32 bytes; Ed448 the Mesh's 56-byte seed or a 57-byte RFC 8032 secret).
 */

/** A public key with its identifier. */
export interface DarePublicKey {
  readonly algorithm: DareKeyAlgorithm;
  readonly publicKey: Uint8Array;
  /** UDF key fingerprint, written as `kid` in recipient and signature entries. */
  readonly kid: string;
}

/** A private key (secret: never logged, never put in an error) with its public half and `kid`. */
export interface DarePrivateKey extends DarePublicKey {
  readonly privateKey: Uint8Array;
  /**
   * `scalar`: `privateKey` is a raw secret scalar (56 bytes little-endian, Ed448 / X448) — a
   * co-generated key, the sum of two contributions, which has no RFC 8032 seed or RFC 7748
   * key form (crypto.md §4; mesh-model.md §4). Signing and agreement then use it unclamped.
   */
  readonly form?: 'scalar';
}

function wrapKeyError(e: unknown, what: string): never {
  if (e instanceof UdfError || e instanceof CryptoError) throw new DareError('DARE_BAD_KEY', `${what}: ${e.message}`, { cause: e });
  throw e;
}

/**
 * A public key of `algorithm`; `kid` is computed from it (udf.md §6.4). An X448/X25519 key given
 * as the bare u-coordinate (56 / 32 bytes) has no fingerprint of its own (the fingerprint hashes
 * the signed form), so pass its `kid` as well.
 */
export function darePublicKey(algorithm: DareKeyAlgorithm, publicKey: Uint8Array, kid?: string): DarePublicKey {
  const alg = keyAlgorithm(algorithm, 'public key');
  if (!(publicKey instanceof Uint8Array)) throw new DareError('DARE_BAD_KEY', `${alg} public key must be a Uint8Array`);
  if (kid !== undefined) return { algorithm: alg, publicKey: publicKey.slice(), kid };
  try {
    return { algorithm: alg, publicKey: publicKey.slice(), kid: keyFingerprint(alg, publicKey) };
  } catch (e) {
    return wrapKeyError(e, `${alg} public key`);
  }
}

/** A private key of `algorithm` with its public key and `kid` (public key computed on the pure path). */
export function darePrivateKey(algorithm: DareKeyAlgorithm, privateKey: Uint8Array): DarePrivateKey {
  const alg = keyAlgorithm(algorithm, 'private key');
  let kp: KeyPair;
  try {
    kp = keyPairFromPrivate(alg, privateKey);
  } catch (e) {
    return wrapKeyError(e, `${alg} private key`);
  }
  return { algorithm: alg, privateKey: kp.privateKey, publicKey: kp.publicKey, kid: kp.udf };
}

/**
 * A co-generated Ed448 or X448 key as a DARE private key: the raw scalar, its public key (Ed448
 * RFC 8032 encoding, X448 57-byte signed form) and `kid` (crypto.md §4).
 */
export function dareKeyFromScalar(algorithm: 'Ed448' | 'X448', scalar: Uint8Array, publicKey: Uint8Array, kid?: string): DarePrivateKey {
  if (!(scalar instanceof Uint8Array) || scalar.length !== 56) throw new DareError('DARE_BAD_KEY', `${algorithm} scalar must be 56 bytes`);
  const pub = darePublicKey(algorithm, publicKey, kid);
  return { ...pub, privateKey: scalar.slice(), form: 'scalar' };
}

/** The DARE view of a `mathmesh/udf` key pair (`deriveKeyPair`, `keyPairFromPrivate`). */
export function dareKeyFromKeyPair(kp: KeyPair): DarePrivateKey {
  return { algorithm: keyAlgorithm(kp.algorithm, 'key pair'), privateKey: kp.privateKey, publicKey: kp.publicKey, kid: kp.udf };
}

/** The public half of a key (drops the private key). */
export function publicPart(key: DarePublicKey): DarePublicKey {
  return { algorithm: key.algorithm, publicKey: key.publicKey, kid: key.kid };
}
