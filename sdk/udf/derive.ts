import { concatBytes } from '../encoding/bytes.js';
import { utf8Encode } from '../encoding/utf8.js';
import { keyAlgorithmName } from './algorithms.js';
import { UdfError } from './errors.js';
import { parseSeed, type ParsedSeed } from './fixed.js';
import { hkdfSha512 } from './hashes.js';

/**
 * Key material from a seed UDF — the HKDF half of key derivation, free of curve code
 * (udf.md §8.1, the reference library's derivation, NORMATIVE for Mesh interop):
 * ```
 * OKM = HKDF-SHA-512(IKM = keySpecifier ‖ seed, salt = none, info = keySpecifier ‖ u8(keyName), L)
 * ```
 * `keySpecifier` is the one **in the seed** even when the derived key is X448/Ed448 (a
 * MeshProfileDevice seed, `01 00`, derives all of a device's keys). L = 256 bits for
 * X25519/Ed25519 and 448 bits (56 bytes) for X448 **and Ed448** (a 56-byte Ed448 seed, hashed like
 * RFC 8032's 57-byte secret). "Salt none" is HKDF's default, an all-zero HashLen key.
 * The draft text agrees; the draft's *examples* use another variant (see draft-derive.ts).
 */

/** Algorithms whose keys derive from a seed in the Mesh (udf.md §8.1). */
export type DerivedKeyAlgorithm = 'X25519' | 'X448' | 'Ed25519' | 'Ed448';

/** OKM length in bytes per algorithm (udf.md §8.1). */
export const DERIVED_KEY_LENGTH: Readonly<Record<DerivedKeyAlgorithm, number>> = { X25519: 32, Ed25519: 32, X448: 56, Ed448: 56 };

/** What a key is for; picks the algorithm when the seed does not fix it (crypto.md §1). */
export type KeyOperation = 'Encrypt' | 'Sign' | 'Authenticate' | 'Profile' | 'AdminEncrypt' | 'AdminSign' | 'Escrow';

/** Mesh key-name parts (udf.md §8.1): `<KeyType><Actor><Operation>`, e.g. `BaseDeviceEncrypt`. */
export type MeshKeyType = 'Complete' | 'Base' | 'Activation';
/** The actor part of a Mesh key name (udf.md §8.1). */
export type MeshActor = 'Account' | 'Member' | 'Device' | 'Service' | 'Host';

const KEY_TYPES: readonly MeshKeyType[] = ['Complete', 'Base', 'Activation'];
const ACTORS: readonly MeshActor[] = ['Account', 'Member', 'Device', 'Service', 'Host'];
const OPERATIONS: readonly KeyOperation[] = ['Encrypt', 'Sign', 'Authenticate', 'Profile', 'AdminEncrypt', 'AdminSign', 'Escrow'];

/**
 * A Mesh key name (udf.md §8.1). Verified against reference output: `BaseDeviceProfile`,
 * `BaseDevice{Encrypt|Sign|Authenticate}`, `ActivationDevice{Encrypt|Sign|Authenticate}`; the other
 * combinations follow the same rule but have no published example.
 */
export function meshKeyName(keyType: MeshKeyType, actor: MeshActor, operation: KeyOperation): string {
  if (!KEY_TYPES.includes(keyType) || !ACTORS.includes(actor) || !OPERATIONS.includes(operation)) {
    throw new UdfError('UDF_BAD_ARGUMENT', `not a Mesh key name: ${String(keyType)}/${String(actor)}/${String(operation)}`);
  }
  return keyType + actor + operation;
}

/**
 * The algorithm a seed derives for an operation: the seed's own when it names a curve, otherwise
 * (Any and Mesh* seeds) the reference defaults Sign → Ed448, anything else → X448 (crypto.md §1).
 */
export function defaultKeyAlgorithm(seed: ParsedSeed, operation?: KeyOperation): DerivedKeyAlgorithm {
  const fixed = seedCurve(seed);
  if (fixed !== undefined) return fixed;
  return operation === 'Sign' || operation === 'AdminSign' || operation === 'Profile' ? 'Ed448' : 'X448';
}

function seedCurve(seed: ParsedSeed): DerivedKeyAlgorithm | undefined {
  const a = seed.algorithm;
  return a === 'X25519' || a === 'X448' || a === 'Ed25519' || a === 'Ed448' ? a : undefined;
}

/** Checks that `algorithm` may be derived from `seed` (a curve seed derives only its own curve). */
export function checkSeedAlgorithm(seed: ParsedSeed, algorithm: DerivedKeyAlgorithm): void {
  if (!(algorithm in DERIVED_KEY_LENGTH)) {
    throw new UdfError('UDF_UNKNOWN_ALGORITHM', `keys derive for X25519, X448, Ed25519 or Ed448, not ${String(algorithm)}`);
  }
  const name = keyAlgorithmName(seed.specifier);
  const fixed = seedCurve(seed);
  if (fixed !== undefined && fixed !== algorithm) {
    throw new UdfError('UDF_BAD_SEED', `this seed is for ${fixed}, not ${algorithm}`);
  }
  if (fixed === undefined && !(name === 'Any' || (name !== undefined && name.startsWith('Mesh')))) {
    throw new UdfError('UDF_UNKNOWN_ALGORITHM', `seeds of type ${name ?? `0x${seed.specifier.toString(16)}`} do not derive ${algorithm} keys`);
  }
}

/** OKM of the reference derivation (udf.md §8.1) for a parsed seed. */
export function deriveKeyMaterialFrom(seed: ParsedSeed, algorithm: DerivedKeyAlgorithm, keyName = ''): Uint8Array {
  checkSeedAlgorithm(seed, algorithm);
  if (typeof keyName !== 'string') throw new UdfError('UDF_BAD_ARGUMENT', 'keyName must be a string');
  if (seed.seed.length === 0) throw new UdfError('UDF_BAD_SEED', 'the seed UDF carries no seed bytes');
  const info = concatBytes(seed.ikm.subarray(0, 2), utf8Encode(keyName));
  return hkdfSha512(seed.ikm, new Uint8Array(0), info, DERIVED_KEY_LENGTH[algorithm]);
}

/**
 * OKM of the reference derivation (udf.md §8.1): the X25519/X448 private key bytes (clamped when
 * used) or the Ed25519 (32-byte) / Ed448 (56-byte) seed.
 */
export function deriveKeyMaterial(seed: string, algorithm: DerivedKeyAlgorithm, keyName = ''): Uint8Array {
  return deriveKeyMaterialFrom(parseSeed(seed), algorithm, keyName);
}
