/**
 * The one interface every crypto provider implements (design.md, "Backends"). The SDK calls
 * these signatures only; which provider answers is decided in `index.ts`.
 */

/** An incremental hash. `digest()` may be called once; `update()` after it throws CRYPTO_STATE. */
export interface HashStream {
  update(data: Uint8Array): this;
  /** Finishes and returns the digest; writes into `out` (and returns it) when given. */
  digest(out?: Uint8Array): Uint8Array;
}

/** A fixed-output hash: one-shot call plus `create()` for streaming. */
export interface HashFunction {
  (data: Uint8Array): Uint8Array;
  create(): HashStream;
  readonly outputLength: number;
  readonly blockLength: number;
}

/** An extendable-output function (SHAKE256): one-shot with a length, or streaming. */
export interface XofFunction {
  (data: Uint8Array, outputLength: number): Uint8Array;
  create(outputLength: number): HashStream;
  readonly blockLength: number;
}

/** Names of the three providers. `native` exists only where the runtime has node:crypto. */
export type ProviderName = 'pure' | 'wasm' | 'native';

import type { Curve448Mesh, Ed448Api, X448Api } from './curves/types.js';

/** The hashing, MAC, KDF, cipher and Merkle primitives (issue 2) and the Curve448 ones (issue 3). */
export interface CryptoProvider {
  readonly name: ProviderName;
  /** SHA-2-512 (FIPS 180-4). */
  readonly sha512: HashFunction;
  /** SHA-3-512 (FIPS 202). */
  readonly sha3_512: HashFunction;
  /** SHAKE256 (FIPS 202) with any output length. */
  readonly shake256: XofFunction;
  /** HMAC-SHA-512 (RFC 2104, RFC 4231). */
  hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HMAC-SHA3-512 (FIPS 202 hash in RFC 2104 HMAC, block 72 bytes). */
  hmacSha3_512(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-SHA-512 (RFC 5869): extract then expand to `length` bytes (at most 255 × 64). */
  hkdfSha512(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** AES-256-CBC with PKCS#7 padding (SP 800-38A, RFC 5652 §6.3). Key 32 bytes, IV 16 bytes. */
  aes256CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Inverse of `aes256CbcEncrypt`; wrong padding throws CRYPTO_BAD_PADDING. */
  aes256CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /** AES Key Wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6); KEK 16, 24 or 32 bytes; key a multiple of 8, >= 16 bytes. */
  aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array;
  /** Inverse of `aesKeyWrap`; a failed integrity check throws CRYPTO_INTEGRITY. */
  aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array;
  /** RFC 9162 §2.1.1 Merkle tree head over SHA-512 (see merkle.ts). */
  merkleRoot(leaves: Uint8Array[]): Uint8Array;
  /** Ed448 (RFC 8032 §5.2), contexts included; policy for bad input in curves/policy.ts. */
  readonly ed448: Ed448Api;
  /** X448 (RFC 7748 §5). */
  readonly x448: X448Api;
  /** The Mesh key operations of crypto.md (co-generation, signed X448 points, threshold); pure and wasm only. */
  readonly curve448Mesh?: Curve448Mesh;
}

/** A provider's hashing, MAC, KDF, AES and Merkle part: what `mathmesh/udf` needs, without curve code. */
export type SymmetricProvider = Omit<CryptoProvider, 'ed448' | 'x448' | 'curve448Mesh'>;

/** The primitives whose provider can be chosen one by one (see `init({ prefer })`). */
export type Primitive =
  | 'sha512'
  | 'sha3_512'
  | 'shake256'
  | 'hmacSha512'
  | 'hmacSha3_512'
  | 'hkdfSha512'
  | 'aes256Cbc'
  | 'aesKeyWrap'
  | 'merkleRoot'
  | 'ed448'
  | 'x448';
