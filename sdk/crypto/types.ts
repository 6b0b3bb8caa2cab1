/**
 * The one interface every crypto provider implements (design.md, "Backends"). The SDK calls
 * these signatures only; which provider answers is decided in `index.ts`.
 */

/** An incremental hash. `digest()` may be called once; `update()` after it throws CRYPTO_STATE. */
export interface HashStream {
  /** Absorbs `data` (any length, any number of calls); returns the stream for chaining. */
  update(data: Uint8Array): this;
  /** Finishes and returns the digest; writes into `out` (and returns it) when given. */
  digest(out?: Uint8Array): Uint8Array;
}

/** A fixed-output hash: one-shot call plus `create()` for streaming. */
export interface HashFunction {
  (data: Uint8Array): Uint8Array;
  /** A new streaming hash of the same function. */
  create(): HashStream;
  readonly outputLength: number;
  readonly blockLength: number;
}

/** An extendable-output function (SHAKE256): one-shot with a length, or streaming. */
export interface XofFunction {
  (data: Uint8Array, outputLength: number): Uint8Array;
  /** A new streaming XOF whose `digest()` returns `outputLength` bytes. */
  create(outputLength: number): HashStream;
  readonly blockLength: number;
}

/** Names of the three providers. `native` exists only where the runtime has node:crypto. */
export type ProviderName = 'pure' | 'wasm' | 'native';

import type { Curve448Mesh, Ed448Api, X448Api } from './curves/types.js';
import type { WasmMerkleRange } from './wasm/hash.js';
import type { FrameSealer, FrameSealerConfig } from './frame-sealer.js';
import type { WasmSealerOptions } from './wasm/frame.js';

/** The hashing, MAC, KDF, cipher and Merkle primitives (issue 2) and the Curve448 ones (issue 3). */
export interface CryptoProvider {
  readonly name: ProviderName;
  /** SHA-2-512 (FIPS 180-4). */
  readonly sha512: HashFunction;
  /** SHA-2-256 (FIPS 180-4): DARE's per-item key derivation (dare.md §4.2) and witness (§5). */
  readonly sha256: HashFunction;
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
  /** HMAC-SHA-256 (RFC 2104, RFC 4231). */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-SHA-256 (RFC 5869): extract then expand to `length` bytes (at most 255 × 32). */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /**
   * HKDF-SHA-256 with one extract and one expand per info: `[OKM(infos[0], lengths[0]), ...]`,
   * each equal to `hkdfSha256(ikm, salt, infos[k], lengths[k])`. DARE derives a key and an IV
   * from every salt (dare.md §4.2); sharing the extract (and, on WASM, the call) halves the work.
   */
  hkdfSha256Multi(ikm: Uint8Array, salt: Uint8Array, infos: readonly Uint8Array[], lengths: readonly number[]): Uint8Array[];
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
  /**
   * A Merkle compact range held inside the backend (WASM only): DARE sequence writers use it to
   * digest a frame's payload, append it and read the new head in one call (dare.md §9.4).
   */
  readonly merkleRange?: () => WasmMerkleRange;
  /**
   * A log frame's whole cryptography in one call (frame-sealer.ts; WASM only: the other providers
   * get the composed twin, `ComposedFrameSealer`, from `frameSealer()` in mathmesh/crypto).
   */
  readonly frameSealer?: (config: FrameSealerConfig, options?: WasmSealerOptions) => FrameSealer;
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
  | 'sha256'
  | 'hmacSha256'
  | 'hkdfSha256'
  | 'aes256Cbc'
  | 'aesKeyWrap'
  | 'merkleRoot'
  | 'ed448'
  | 'x448';
