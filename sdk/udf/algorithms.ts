import { UdfError } from './errors.js';

/**
 * Key-specifier algorithm identifiers of seed UDFs (udf.md §8; Generated-UDFConstantsAlgorithmIdentifier.md).
 * A seed's value is `keySpecifier (2 bytes, big-endian) ‖ seed`.
 */
export const KEY_ALGORITHM = {
  Any: 0,
  X25519: 1,
  X448: 2,
  Ed25519: 3,
  Ed448: 4,
  P256: 5,
  P384: 6,
  P521: 7,
  RSA2048: 8,
  RSA3072: 9,
  RSA4096: 10,
  MeshProfileDevice: 256,
  MeshActivationDevice: 257,
  MeshProfileAccount: 258,
  MeshActivationAccount: 259,
  MeshProfileService: 260,
  MeshActivationService: 261,
} as const;

/** Name of a key-specifier algorithm identifier. */
export type KeyAlgorithmName = keyof typeof KEY_ALGORITHM;

/**
 * Key use in bits 6–7 of the first specifier byte (draft §4.4). The reference never sets them;
 * they are exposed so that such seeds can be read, and masked off when the algorithm is looked up.
 */
export const KEY_USE = { any: 0, encrypt: 1, sign: 2, authenticate: 3 } as const;
/** Name of a key use (draft §4.4). */
export type KeyUse = keyof typeof KEY_USE;

/** Name of an algorithm identifier (key-use bits ignored), or `undefined`. */
export function keyAlgorithmName(specifier: number): KeyAlgorithmName | undefined {
  const id = specifier & 0x3fff;
  for (const [name, value] of Object.entries(KEY_ALGORITHM)) if (value === id) return name as KeyAlgorithmName;
  return undefined;
}

/** The 2-byte big-endian key specifier of an algorithm (and optional key use). */
export function keySpecifier(algorithm: KeyAlgorithmName | number, use: KeyUse = 'any'): Uint8Array {
  const id = typeof algorithm === 'number' ? algorithm : KEY_ALGORITHM[algorithm];
  if (id === undefined || !Number.isInteger(id) || id < 0 || id > 0x3fff) {
    throw new UdfError('UDF_UNKNOWN_ALGORITHM', `unknown key algorithm ${String(algorithm)}`);
  }
  const v = id | (KEY_USE[use] << 14);
  return Uint8Array.of(v >>> 8, v & 0xff);
}
