import { keyAlgorithmName, keySpecifier, type KeyAlgorithmName, type KeyUse } from './algorithms.js';
import { UdfError } from './errors.js';
import { parseUdf, presentUdf } from './presentation.js';
import { defaultRandom, type RandomSource } from './random.js';
import { UDF_TYPE } from './types.js';

/**
 * Fixed-length UDFs (udf.md §6): `type ‖ value`, always presented whole (`8 + 8·len(value)` bits).
 */

/** Options for UDFs made of fresh random bytes. */
export interface RandomUdfOptions {
  /** Number of random bits, a multiple of 8 (defaults per function). */
  bits?: number;
  /** Randomness (default `crypto.getRandomValues`). */
  random?: RandomSource;
}

/** Smallest random value we hand out: 64 bits (anything shorter is guessable, not a nonce or key). */
export const MIN_RANDOM_BITS = 64;
/** Largest: 4096 bits (well beyond any Mesh use; bounds a typo). */
export const MAX_RANDOM_BITS = 4096;

/** Random bytes for a fixed-length UDF; `bits` must be a multiple of 8 in 64..4096. */
export function randomValue(options: RandomUdfOptions, defaultBits: number): Uint8Array {
  const bits = options.bits ?? defaultBits;
  if (!Number.isSafeInteger(bits) || bits % 8 !== 0 || bits < MIN_RANDOM_BITS || bits > MAX_RANDOM_BITS) {
    throw new UdfError('UDF_BAD_PRECISION', `random length must be a multiple of 8 in ${MIN_RANDOM_BITS}..${MAX_RANDOM_BITS} bits, got ${String(bits)}`);
  }
  const value = (options.random ?? defaultRandom)(bits / 8);
  if (!(value instanceof Uint8Array) || value.length !== bits / 8) {
    throw new UdfError('UDF_BAD_ARGUMENT', `the random source must return ${bits / 8} bytes`);
  }
  return value;
}

/** `present(type ‖ value)` for a fixed-length type. */
export function fixedUdf(type: number, value: Uint8Array): string {
  if (!(value instanceof Uint8Array) || value.length === 0) throw new UdfError('UDF_BAD_ARGUMENT', 'value must be non-empty bytes');
  const binary = new Uint8Array(1 + value.length);
  binary[0] = type;
  binary.set(value, 1);
  return presentUdf(binary);
}

/** A random nonce UDF `0x68 ‖ random` (udf.md §6); default 128 bits → 28 characters `N…`. */
export function nonce(options: RandomUdfOptions = {}): string {
  return fixedUdf(UDF_TYPE.NONCE, randomValue(options, 128));
}

/** The E-type UDF of a symmetric key: `0x20 ‖ key` (udf.md §6), shown at full length. */
export function encryptionKeyUdf(key: Uint8Array): string {
  return fixedUdf(UDF_TYPE.ENCRYPTION_KEY, key);
}

/** A random symmetric key as an E-type UDF; default 128 bits. */
export function newEncryptionKey(options: RandomUdfOptions = {}): string {
  return encryptionKeyUdf(randomValue(options, 128));
}

/**
 * An authenticator (MAC) key UDF: `0x00 ‖ key` for HMAC-SHA-2-512 or `0x01 ‖ key` for
 * HMAC-SHA3-512 (udf.md §1, §5); usable as the key of `udfMac`. PINs are such keys (pin.ts).
 */
export function authenticatorKeyUdf(key: Uint8Array, algorithm: 'sha2' | 'sha3' = 'sha2'): string {
  return fixedUdf(algorithm === 'sha3' ? UDF_TYPE.AUTHENTICATOR_SHA3 : UDF_TYPE.AUTHENTICATOR_SHA2, key);
}

/** A random authenticator key UDF; default 128 bits (`A…`). */
export function newAuthenticatorKey(options: RandomUdfOptions & { algorithm?: 'sha2' | 'sha3' } = {}): string {
  return authenticatorKeyUdf(randomValue(options, 128), options.algorithm);
}

/** The OID UDF of a DER sequence: `0x70 ‖ DER`, whole (udf.md §6.4; type 112, not the draft's 108). */
export function oidUdf(der: Uint8Array): string {
  return fixedUdf(UDF_TYPE.OID, der);
}

/** A seed UDF `0xC8 ‖ keySpecifier ‖ seed` (udf.md §6, §8). */
export function seedUdf(algorithm: KeyAlgorithmName | number, seed: Uint8Array, use: KeyUse = 'any'): string {
  const spec = keySpecifier(algorithm, use);
  const value = new Uint8Array(2 + seed.length);
  value.set(spec);
  value.set(seed, 2);
  return fixedUdf(UDF_TYPE.SEED, value);
}

/**
 * A fresh seed UDF; default 256 random bits, as the Mesh's `PrivateKeyUDF` (56 characters
 * `ZAA…`). The reference's `UDF.DerivedKey` default is 128 bits.
 */
export function newSeed(algorithm: KeyAlgorithmName | number, options: RandomUdfOptions = {}): string {
  return seedUdf(algorithm, randomValue(options, 256));
}

/** A parsed seed UDF. */
export interface ParsedSeed {
  /** The 16-bit key specifier (algorithm id with key-use bits). */
  readonly specifier: number;
  /** Its algorithm name (key-use bits ignored), if known. */
  readonly algorithm: KeyAlgorithmName | undefined;
  /** Seed bytes after the specifier. */
  readonly seed: Uint8Array;
  /** The whole BDS, `specifier ‖ seed`: the IKM of every derivation (udf.md §8). */
  readonly ikm: Uint8Array;
}

/** Parses a seed UDF (type Z); other types throw `UDF_BAD_SEED`. */
export function parseSeed(seed: string): ParsedSeed {
  const p = parseUdf(seed);
  if (p.type !== UDF_TYPE.SEED) throw new UdfError('UDF_BAD_SEED', `expected a seed UDF (type 200, 'Z…'), got a ${p.info.name}`);
  const specifier = (p.value[0]! << 8) | p.value[1]!;
  return { specifier, algorithm: keyAlgorithmName(specifier), seed: p.value.subarray(2), ikm: p.value };
}
