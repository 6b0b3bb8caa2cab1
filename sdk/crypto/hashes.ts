/**
 * The routed symmetric primitives: each call goes to the provider `route()` names for its
 * primitive and input size (selection.ts). No curve code is reachable from here, so
 * `mathmesh/udf` imports this file rather than index.ts.
 */
import { route, symmetricProvider } from './state.js';
import type { HashFunction, HashStream, Primitive, SymmetricProvider, XofFunction } from './types.js';

function pick(primitive: Primitive, size: number): SymmetricProvider {
  return symmetricProvider(route(primitive, size));
}

function dispatchHash(primitive: 'sha512' | 'sha256' | 'sha3_512', outputLength: number, blockLength: number): HashFunction {
  const fn = (data: Uint8Array): Uint8Array => pick(primitive, data?.length ?? 0)[primitive](data);
  return Object.assign(fn, {
    // Streams are for data of unknown, usually large size: the bulk route serves them.
    create: (): HashStream => pick(primitive, Infinity)[primitive].create(),
    outputLength,
    blockLength,
  });
}

/** SHA-2-512 (FIPS 180-4): `sha512(data)` or `sha512.create().update(a).update(b).digest()`. */
export const sha512: HashFunction = dispatchHash('sha512', 64, 128);
/** SHA-2-256 (FIPS 180-4). */
export const sha256: HashFunction = dispatchHash('sha256', 32, 64);
/** SHA-3-512 (FIPS 202). */
export const sha3_512: HashFunction = dispatchHash('sha3_512', 64, 72);
/** SHAKE256 (FIPS 202): `shake256(data, outputLength)` or `shake256.create(outputLength)`. */
export const shake256: XofFunction = Object.assign(
  (data: Uint8Array, outputLength: number): Uint8Array => pick('shake256', data?.length ?? 0).shake256(data, outputLength),
  {
    create: (outputLength: number): HashStream => pick('shake256', Infinity).shake256.create(outputLength),
    blockLength: 136,
  },
);

/** HMAC-SHA-512 (RFC 2104 / RFC 4231). */
export function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  return pick('hmacSha512', data?.length ?? 0).hmacSha512(key, data);
}

/** HMAC-SHA3-512. */
export function hmacSha3_512(key: Uint8Array, data: Uint8Array): Uint8Array {
  return pick('hmacSha3_512', data?.length ?? 0).hmacSha3_512(key, data);
}

/** HKDF-SHA-512 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes. */
export function hkdfSha512(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return pick('hkdfSha512', ikm?.length ?? 0).hkdfSha512(ikm, salt, info, length);
}

/** HMAC-SHA-256 (RFC 2104 / RFC 4231). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return pick('hmacSha256', data?.length ?? 0).hmacSha256(key, data);
}

/** HKDF-SHA-256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return pick('hkdfSha256', ikm?.length ?? 0).hkdfSha256(ikm, salt, info, length);
}

/** HKDF-SHA-256, one extract and one expand per info (see `CryptoProvider.hkdfSha256Multi`); routed as `hkdfSha256`. */
export function hkdfSha256Multi(ikm: Uint8Array, salt: Uint8Array, infos: readonly Uint8Array[], lengths: readonly number[]): Uint8Array[] {
  return pick('hkdfSha256', ikm?.length ?? 0).hkdfSha256Multi(ikm, salt, infos, lengths);
}

/** AES-256-CBC with PKCS#7 padding (SP 800-38A). */
export function aes256CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return pick('aes256Cbc', plaintext?.length ?? 0).aes256CbcEncrypt(key, iv, plaintext);
}

/** Inverse of `aes256CbcEncrypt`; bad padding throws `CryptoError` CRYPTO_BAD_PADDING. */
export function aes256CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return pick('aes256Cbc', ciphertext?.length ?? 0).aes256CbcDecrypt(key, iv, ciphertext);
}

/** AES key wrap (RFC 3394), used by DARE recipients to wrap the master key (dare.md §4). */
export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array {
  return pick('aesKeyWrap', key?.length ?? 0).aesKeyWrap(kek, key);
}

/** Inverse of `aesKeyWrap`; a failed integrity check throws CRYPTO_INTEGRITY. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  return pick('aesKeyWrap', wrapped?.length ?? 0).aesKeyUnwrap(kek, wrapped);
}

/** RFC 9162 Merkle tree head over SHA-512 of `leaves` (see merkle.ts). */
export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  return pick('merkleRoot', Array.isArray(leaves) ? leaves.length : 0).merkleRoot(leaves);
}
