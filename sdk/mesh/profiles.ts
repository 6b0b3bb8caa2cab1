import { dareKeyFromKeyPair, type DarePublicKey } from '../dare/keys.js';
import type { DareEnvelope } from '../dare/envelope.js';
import { headerOf, MESH_OBJECT_CTY, openMeshEnvelope, sealMeshObject } from './envelopes.js';
import { MeshError } from './errors.js';
import type { KeyPair } from '../udf/keys.js';
import type { AccountKeys, DeviceKeys, ServiceKeys } from './keys.js';
import { checkKeyData, keyDataOf, publicKeyOf } from './keydata.js';
import type { Enveloped } from './schema/object.js';
import type { AnyProfile, KeyData, ProfileDevice, ProfileGroup, ProfileService, ProfileUser } from './schema/types.js';

/**
 * Profiles (mesh-model.md §5.1, §5.4): self-signed by their ProfileSignature key, whose UDF is the
 * profile id, written as the envelope's `EnvelopeId` and ContentMeta `UniqueId`. Built from the
 * keys of one seed (keys.ts), so that the same seed gives REF's very bytes (mesh-kinds.md §7).
 */

/** Options shared by the profile builders. */
export interface ProfileOptions {
  /** `Description` (optional text). */
  description?: string;
}

/** Options of {@link buildProfileAccount}. */
export interface AccountProfileOptions extends ProfileOptions {
  /** `alice@example.com` or a callsign `@alice`. */
  accountAddress?: string;
  /** UDF of the ProfileService the account is bound to. */
  serviceUdf?: string;
}

/**
 * A ProfileUser (default) or ProfileGroup from account keys: ProfileSignature,
 * EscrowEncryption, AdministratorSignature, CommonEncryption, CommonAuthentication, and for users
 * CommonSignature — public keys only (mesh-model.md §4 "Published in").
 */
export function buildProfileAccount(keys: AccountKeys, options?: AccountProfileOptions, kind?: 'ProfileUser'): ProfileUser;
export function buildProfileAccount(keys: AccountKeys, options: AccountProfileOptions, kind: 'ProfileGroup'): ProfileGroup;
export function buildProfileAccount(
  keys: AccountKeys, options: AccountProfileOptions = {}, kind: 'ProfileUser' | 'ProfileGroup' = 'ProfileUser',
): ProfileUser | ProfileGroup {
  const common = {
    ...(options.description === undefined ? {} : { Description: options.description }),
    ProfileSignature: keyDataOf(keys.profileSignature),
    ...(options.accountAddress === undefined ? {} : { AccountAddress: options.accountAddress }),
    ...(options.serviceUdf === undefined ? {} : { ServiceUdf: options.serviceUdf }),
    EscrowEncryption: keyDataOf(keys.escrowEncryption),
    AdministratorSignature: keyDataOf(keys.administratorSignature),
    CommonEncryption: keyDataOf(keys.commonEncryption),
    CommonAuthentication: keyDataOf(keys.commonAuthentication),
  };
  return kind === 'ProfileGroup' ? { $class: 'ProfileGroup', ...common } : { $class: 'ProfileUser', ...common, CommonSignature: keyDataOf(keys.commonSignature) };
}

/** A ProfileDevice from a device's base keys (mesh-model.md §5.1). */
export function buildProfileDevice(keys: DeviceKeys, options: ProfileOptions = {}): ProfileDevice {
  return {
    $class: 'ProfileDevice',
    ...(options.description === undefined ? {} : { Description: options.description }),
    ProfileSignature: keyDataOf(keys.profileSignature),
    Encryption: keyDataOf(keys.encryption),
    Signature: keyDataOf(keys.signature),
    Authentication: keyDataOf(keys.authentication),
  };
}

/** A ProfileService from a service's keys (mesh-model.md §5.1). */
export function buildProfileService(keys: ServiceKeys, options: ProfileOptions = {}): ProfileService {
  return {
    $class: 'ProfileService',
    ...(options.description === undefined ? {} : { Description: options.description }),
    ProfileSignature: keyDataOf(keys.profileSignature),
    ServiceAuthentication: keyDataOf(keys.authentication),
    ServiceEncryption: keyDataOf(keys.encryption),
    ServiceSignature: keyDataOf(keys.signature),
  };
}

/** The profile UDF: the fingerprint of its ProfileSignature key (checked against its `Udf`). */
export function profileUdf(profile: AnyProfile): string {
  if (profile.ProfileSignature === undefined) throw new MeshError('MESH_INVALID', `${profile.$class} has no ProfileSignature`);
  return checkKeyData(profile.ProfileSignature, `${profile.$class}.ProfileSignature`).udf;
}

/**
 * Seals a profile as REF does (mesh-model.md §5.4): EnvelopeId = ContentMeta.UniqueId = profile
 * UDF, signed by its own ProfileSignature key. `signer` must be that key pair (`MESH_BAD_KEY`).
 * The payload is REF's bytes for the same keys; the envelope is DARE's signed form (a
 * ManifestSignature also covers the header) unless `referenceForm` asks for REF's envelope exactly.
 */
export function sealProfile<T extends AnyProfile>(
  profile: T, signer: KeyPair, options: { created?: Date; referenceForm?: boolean } = {},
): Enveloped<T> {
  const udf = profileUdf(profile);
  if (signer.udf !== udf) throw new MeshError('MESH_BAD_KEY', `a ${profile.$class} is signed by its ProfileSignature key ${udf}, not ${signer.udf}`);
  return sealMeshObject(profile, {
    signers: [dareKeyFromKeyPair(signer)], envelopeId: udf, uniqueId: udf, ...(options.created ? { created: options.created } : {}),
    ...(options.referenceForm ? { referenceForm: true } : {}),
  });
}

/** A profile whose self-signature and identifiers were checked. */
export interface VerifiedProfile<T extends AnyProfile = AnyProfile> {
  readonly profile: T;
  /** The profile UDF (ProfileSignature fingerprint), equal to EnvelopeId, UniqueId and the signer kid. */
  readonly udf: string;
  /** The ProfileSignature key that signed it. */
  readonly signer: DarePublicKey;
  /** ContentMeta `Created` as written (header data: covered by no signature). */
  readonly created: string | Date | undefined;
}

/**
 * Verifies a self-signed profile (mesh-model.md §5.1, schema-08 §7): its ProfileSignature key
 * signed the payload; `EnvelopeId` and ContentMeta `UniqueId`, when present, name that key's UDF;
 * ContentMeta says the payload's class and `application/mmm/object`; every KeyData's `Udf` is
 * its key's fingerprint. With `expectedUdf`, the profile must be that one (a self-signature
 * proves consistency, not identity). Failures: `MESH_NOT_SIGNED`, `MESH_INVALID`, `MESH_BAD_KEY`.
 */
export function verifyProfile(envelope: DareEnvelope | Uint8Array | string, options: { expectedUdf?: string } = {}): VerifiedProfile {
  // The key that must sign is inside the payload: read it, then check the signature with it.
  const unverified = openMeshEnvelope(envelope, 'Profile');
  const profile = unverified.object;
  const udf = profileUdf(profile);
  if (options.expectedUdf !== undefined && options.expectedUdf !== udf) {
    throw new MeshError('MESH_INVALID', `profile ${udf} is not the expected ${options.expectedUdf}`);
  }
  const signer = publicKeyOf(profile.ProfileSignature!, `${profile.$class}.ProfileSignature`);
  const opened = openMeshEnvelope(envelope, 'Profile', { signers: [signer] });
  const { contentMeta, envelopeId } = headerOf(opened);
  if (envelopeId !== undefined && envelopeId !== udf) throw new MeshError('MESH_INVALID', `EnvelopeId ${envelopeId} is not the profile UDF ${udf}`);
  if (contentMeta?.uniqueId !== undefined && contentMeta.uniqueId !== udf) {
    throw new MeshError('MESH_INVALID', `ContentMeta UniqueId ${contentMeta.uniqueId} is not the profile UDF ${udf}`);
  }
  if (contentMeta?.messageType !== undefined && contentMeta.messageType !== profile.$class) {
    throw new MeshError('MESH_INVALID', `ContentMeta MessageType ${contentMeta.messageType} is not ${profile.$class}`);
  }
  if (contentMeta?.cty !== undefined && contentMeta.cty !== MESH_OBJECT_CTY) throw new MeshError('MESH_INVALID', `ContentMeta cty ${contentMeta.cty} is not ${MESH_OBJECT_CTY}`);
  for (const [name, value] of Object.entries(profile)) {
    if (!name.startsWith('$') && typeof value === 'object' && value !== null && 'PublicParameters' in value) {
      checkKeyData(value as KeyData, `${profile.$class}.${name}`);
    }
  }
  return { profile, udf, signer, created: contentMeta?.created };
}
