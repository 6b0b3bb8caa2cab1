import { curve448Mesh } from '../crypto/index.js';
import { meshKeyName, type KeyOperation, type MeshActor, type MeshKeyType } from '../udf/derive.js';
import { keyFingerprint } from '../udf/fingerprint.js';
import { newSeed, parseSeed } from '../udf/fixed.js';
import { deriveKeyPair, type KeyPair } from '../udf/keys.js';
import type { RandomSource } from '../udf/random.js';
import { MeshError } from './errors.js';

/**
 * Key sets derived from seeds (mesh-model.md §4): every long-lived key of an account, device or
 * service comes from one seed UDF, key name `Type ‖ Actor ‖ Operation [‖ store]` with no
 * separators (verified: every key published for Alice's account and for the preconfigured
 * device derives this way — mesh-kinds.md §2). Device account keys are co-generated: base key
 * (device seed) + activation contribution (activation seed), private keys added mod the group
 * order, public keys added as points (mesh-model.md §4 "Device account keys").
 */

/** Signature or encryption algorithm of each derived key (mesh-model.md §4). */
type Curve = 'Ed448' | 'X448';

function derive(seed: string, keyType: MeshKeyType, actor: MeshActor, operation: KeyOperation, algorithm: Curve, suffix = ''): KeyPair {
  return deriveKeyPair(seed, { algorithm, keyName: meshKeyName(keyType, actor, operation) + suffix });
}

function checkSeed(seed: string, want: string[], what: string): void {
  let algorithm: string | undefined;
  try {
    algorithm = parseSeed(seed).algorithm;
  } catch (e) {
    throw new MeshError('MESH_BAD_KEY', `${what}: not a seed UDF`, { cause: e });
  }
  if (algorithm === undefined || !want.includes(algorithm)) {
    throw new MeshError('MESH_BAD_KEY', `${what}: expected a ${want.join(' or ')} seed, got ${algorithm ?? 'an unknown seed type'}`);
  }
}

/** The keys of an account seed (`MeshProfileAccount`, mesh-model.md §4). Secret: hold only where the seed may be. */
export interface AccountKeys {
  readonly seed: string;
  /** `CompleteAccountProfile`: ProfileSignature; its fingerprint is the account (profile) UDF. */
  readonly profileSignature: KeyPair;
  /** `CompleteAccountAdminSign`: signs connections, activations, callsign bindings. */
  readonly administratorSignature: KeyPair;
  /** `CompleteAccountAdminEncrypt`: not published. */
  readonly administratorEncryption: KeyPair;
  /** `CompleteAccountEncrypt`: CommonEncryption (inbound messages). */
  readonly commonEncryption: KeyPair;
  /** `CompleteAccountAuthenticate`: CommonAuthentication (binding, recovery). */
  readonly commonAuthentication: KeyPair;
  /** `CompleteAccountSign`: CommonSignature (users: contacts, claims). */
  readonly commonSignature: KeyPair;
  /** `CompleteAccountEscrow`: EscrowEncryption (non-derived application keys). */
  readonly escrowEncryption: KeyPair;
}

/** Derives every account key of an account seed (mesh-model.md §4 table). */
export function deriveAccountKeys(seed: string): AccountKeys {
  checkSeed(seed, ['MeshProfileAccount'], 'account seed');
  const k = (op: KeyOperation, curve: Curve) => derive(seed, 'Complete', 'Account', op, curve);
  return {
    seed,
    profileSignature: k('Profile', 'Ed448'),
    administratorSignature: k('AdminSign', 'Ed448'),
    administratorEncryption: k('AdminEncrypt', 'X448'),
    commonEncryption: k('Encrypt', 'X448'),
    commonAuthentication: k('Authenticate', 'X448'),
    commonSignature: k('Sign', 'Ed448'),
    escrowEncryption: k('Escrow', 'X448'),
  };
}

/**
 * The encryption key of one catalog or spool (`CompleteAccountEncrypt<Store>`, e.g. `…MMM_Contact`).
 * `generation` > 0: the key that replaces it after the store was re-keyed that many times (a
 * device revoked, mesh-model.md §7; ours, REF never rotates): key name `…<Store>_G<generation>`,
 * so a seed holder (recovery) derives every generation again.
 */
export function deriveStoreKey(seed: string, store: string, generation = 0): KeyPair {
  checkSeed(seed, ['MeshProfileAccount'], 'account seed');
  if (typeof store !== 'string' || !/^[A-Za-z0-9_]+$/.test(store)) throw new MeshError('MESH_BAD_ARGUMENT', 'a store name is letters, digits and _');
  if (!Number.isSafeInteger(generation) || generation < 0 || generation > 1_000_000) throw new MeshError('MESH_BAD_ARGUMENT', 'a key generation is a small non-negative integer');
  return derive(seed, 'Complete', 'Account', 'Encrypt', 'X448', generation === 0 ? store : `${store}_G${generation}`);
}

/** The base keys of a device seed (`MeshProfileDevice`): `BaseDevice{Profile,Encrypt,Sign,Authenticate}`. */
export interface DeviceKeys {
  readonly seed: string;
  readonly profileSignature: KeyPair;
  readonly encryption: KeyPair;
  readonly signature: KeyPair;
  readonly authentication: KeyPair;
}

/** Derives a device's base keys (mesh-model.md §4; verified by the DevicePreconfiguration seed). */
export function deriveDeviceKeys(seed: string): DeviceKeys {
  checkSeed(seed, ['MeshProfileDevice'], 'device seed');
  const k = (op: KeyOperation, curve: Curve) => derive(seed, 'Base', 'Device', op, curve);
  return { seed, profileSignature: k('Profile', 'Ed448'), encryption: k('Encrypt', 'X448'), signature: k('Sign', 'Ed448'), authentication: k('Authenticate', 'X448') };
}

/** The keys of a service seed (`MeshProfileService`): `BaseService{Profile,Sign,Authenticate,Encrypt}`. */
export interface ServiceKeys {
  readonly seed: string;
  readonly profileSignature: KeyPair;
  readonly signature: KeyPair;
  readonly authentication: KeyPair;
  readonly encryption: KeyPair;
}

/** Derives a service's keys (mesh-model.md §4). */
export function deriveServiceKeys(seed: string): ServiceKeys {
  checkSeed(seed, ['MeshProfileService'], 'service seed');
  const k = (op: KeyOperation, curve: Curve) => derive(seed, 'Base', 'Service', op, curve);
  return { seed, profileSignature: k('Profile', 'Ed448'), signature: k('Sign', 'Ed448'), authentication: k('Authenticate', 'X448'), encryption: k('Encrypt', 'X448') };
}

/** The contributions of an activation seed (`ActivationDevice{Encrypt,Sign,Authenticate}`). */
export interface ActivationKeys {
  readonly seed: string;
  readonly encryption: KeyPair;
  readonly signature: KeyPair;
  readonly authentication: KeyPair;
}

/**
 * Derives the activation contributions of an activation seed (the admin device draws one per
 * device per account and sends it in ActivationAccount.ActivationKey). The reference's seeds are
 * typed `MeshActivationAccount` (0x0103); any Mesh seed type is accepted, as the key names decide.
 */
export function deriveActivationKeys(seed: string): ActivationKeys {
  checkSeed(seed, ['MeshActivationAccount', 'MeshActivationDevice', 'MeshProfileDevice', 'MeshProfileAccount'], 'activation seed');
  const k = (op: KeyOperation, curve: Curve) => derive(seed, 'Activation', 'Device', op, curve);
  return { seed, encryption: k('Encrypt', 'X448'), signature: k('Sign', 'Ed448'), authentication: k('Authenticate', 'X448') };
}

/**
 * A co-generated key (mesh-model.md §4, crypto.md §4): a raw secret scalar — not an RFC 7748 key
 * or RFC 8032 seed — whose public key is the sum of the two contributions' public keys.
 */
export interface CombinedKey {
  readonly algorithm: Curve;
  /** (base scalar + contribution scalar) mod L, 56 bytes little-endian. Secret. */
  readonly scalar: Uint8Array;
  /** Ed448: RFC 8032 encoding; X448: 57-byte signed form. */
  readonly publicKey: Uint8Array;
  readonly udf: string;
}

/** Public key of a co-generated key: point sum of the contributions (what an administrator computes). */
export function combinePublicKeys(algorithm: Curve, base: Uint8Array, contribution: Uint8Array): Uint8Array {
  const mesh = curve448Mesh();
  try {
    return algorithm === 'Ed448' ? mesh.ed448AddPublicKeys(base, contribution) : mesh.x448AddPoints(base, contribution);
  } catch (e) {
    throw new MeshError('MESH_BAD_KEY', `${algorithm} keys do not combine: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The co-generated key of a base key pair and an activation contribution (what the device
 * computes): scalars added mod L; its public key equals {@link combinePublicKeys} of the publics.
 */
export function combineKeys(base: KeyPair, contribution: KeyPair): CombinedKey {
  if (base.algorithm !== contribution.algorithm || (base.algorithm !== 'Ed448' && base.algorithm !== 'X448')) {
    throw new MeshError('MESH_BAD_KEY', `cannot combine a ${base.algorithm} key with a ${contribution.algorithm} key`);
  }
  const algorithm = base.algorithm;
  const mesh = curve448Mesh();
  const scalar = mesh.scalarAdd(mesh.scalarReduce(base.scalar), mesh.scalarReduce(contribution.scalar));
  const publicKey = algorithm === 'Ed448' ? mesh.ed448PublicKeyFromScalar(scalar) : mesh.x448PublicKeyFromScalar(scalar);
  return { algorithm, scalar, publicKey, udf: keyFingerprint(algorithm, publicKey) };
}

/** A fresh seed of a Mesh seed type (256 bits; `random` injectable for tests). */
export function newMeshSeed(
  kind: 'MeshProfileAccount' | 'MeshProfileDevice' | 'MeshProfileService' | 'MeshActivationAccount', random?: RandomSource,
): string {
  return newSeed(kind, random === undefined ? {} : { random });
}
