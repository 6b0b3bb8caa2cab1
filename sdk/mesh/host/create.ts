import { dareKeyFromKeyPair } from '../../dare/keys.js';
import { serializeEnvelope } from '../../dare/envelope.js';
import { contentDigest } from '../../udf/digest.js';
import type { RandomSource } from '../../udf/random.js';
import { activateDevice, type DeviceActivation } from '../activations.js';
import { buildSelfContact, type SelfContact } from '../contacts.js';
import { MESH_OBJECT_CTY, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import { deriveAccountKeys, deriveDeviceKeys, newMeshSeed, type AccountKeys, type DeviceKeys } from '../keys.js';
import { buildProfileAccount, buildProfileDevice, sealProfile } from '../profiles.js';
import type { Enveloped } from '../schema/object.js';
import type { AccessCapability, CatalogedAccess, CatalogedDevice, ProfileDevice, ProfileGroup, ProfileUser } from '../schema/types.js';

/**
 * The objects of a new account on its first device, offline (mesh-model.md §4, §6; protocol.md F1
 * steps 1, 2, 4, 6, 7 — Hello and BindAccount come with the service):
 *
 * 1. device seed → ProfileDevice (self-signed); account seed → every account key → ProfileUser
 *    (or ProfileGroup), self-signed, `ServiceUdf` absent until the account is bound;
 * 4. the self contact, signed by CommonSignature (users);
 * 7. the device made a device of the account: a fresh activation seed → ActivationAccount,
 *    co-generated keys, ConnectionService / ConnectionDevice, ActivationCommon with the granted
 *    account keys and per-store keys, all in a CatalogedDevice — and the AccessCapability naming
 *    the device's combined Authentication key (the service's gate, mesh-model.md §8.5).
 *
 * Every envelope is signed as the envelope matrix says (mesh-model.md §5.4); the builders are
 * those of `mathmesh/mesh` (profiles.ts, activations.ts, contacts.ts). Secret: the seeds.
 */

/** Roles of the creating device (protocol.md F1 step 7: super, admin, web). */
export const CREATOR_ROLES: readonly string[] = ['super', 'admin', 'web'];

/** Options of {@link buildNewAccount}. */
export interface NewAccountOptions {
  /** `alice@example.com` or a callsign `@alice` (written in the profile's `AccountAddress`). */
  readonly address: string;
  /** `user` (ProfileUser, default) or `group` (ProfileGroup: no CommonSignature, no self contact). */
  readonly kind?: 'user' | 'group';
  /** Given seeds (tests, recovery); default fresh ones. */
  readonly accountSeed?: string;
  readonly deviceSeed?: string;
  /** Roles of this device (default {@link CREATOR_ROLES}). */
  readonly roles?: readonly string[];
  /** Profile `Description`. */
  readonly description?: string;
  /** The device's `Description`. */
  readonly deviceDescription?: string;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** What {@link buildNewAccount} makes. Secret: the seeds and keys. */
export interface NewAccount {
  readonly accountKeys: AccountKeys;
  readonly deviceKeys: DeviceKeys;
  readonly profile: Enveloped<ProfileUser | ProfileGroup>;
  readonly accountUdf: string;
  readonly deviceProfile: Enveloped<ProfileDevice>;
  readonly deviceUdf: string;
  readonly roles: readonly string[];
  readonly activation: DeviceActivation;
  /** The MMM_Access entry admitting this device. */
  readonly access: CatalogedAccess;
  /** Users only. */
  readonly selfContact: SelfContact | undefined;
}

/** A syntactically plausible account address: `local@domain` or a callsign `@name`. */
export function checkAccountAddress(address: string): string {
  if (typeof address !== 'string' || address.length > 254 || !/^(?:[^\s@/]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+|@[^\s@/]+)$/u.test(address)) {
    throw new MeshError('MESH_BAD_ARGUMENT', `not an account address (local@domain or @callsign): '${String(address).slice(0, 80)}'`);
  }
  // Addresses compare lower-case (protocol.md T2 canonicalises them).
  return address.toLowerCase();
}

/** The digest a Status request compares (AccessCapability.CatalogedDeviceDigest): the UDF of the enveloped CatalogedDevice. */
export function catalogedDeviceDigest(envelope: Enveloped<CatalogedDevice>): string {
  return contentDigest(serializeEnvelope(envelope, 'json'), { contentType: MESH_OBJECT_CTY });
}

/**
 * The MMM_Access entry of a device (mesh-model.md §8.5): an active AccessCapability whose `Id` is
 * the device's combined Authentication key (what the service authenticates), carrying its roles
 * and its CatalogedDevice signed by the AdministratorSignature (what Status hands the device).
 */
export function buildDeviceAccess(
  account: AccountKeys, activation: DeviceActivation, roles: readonly string[], options: { created?: Date; random?: RandomSource } = {},
): CatalogedAccess {
  const authUdf = activation.keys.authentication.Udf;
  if (authUdf === undefined) throw new MeshError('MESH_INVALID', 'the device activation has no Authentication key');
  const envelope = sealMeshObject(activation.catalogedDevice, {
    signers: [dareKeyFromKeyPair(account.administratorSignature)],
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
  const capability: AccessCapability = {
    $class: 'AccessCapability', Id: authUdf, Active: true, Mode: 'Device', Udf: activation.catalogedDevice.DeviceUdf!,
    Rights: [...roles], EnvelopedCatalogedDevice: envelope, CatalogedDeviceDigest: catalogedDeviceDigest(envelope),
  };
  return { $class: 'CatalogedAccess', Capability: capability };
}

/** Builds every object of a new account and its first (administrator) device. */
export function buildNewAccount(options: NewAccountOptions): NewAccount {
  const address = checkAccountAddress(options.address);
  const random = options.random;
  const accountSeed = options.accountSeed ?? newMeshSeed('MeshProfileAccount', random);
  const deviceSeed = options.deviceSeed ?? newMeshSeed('MeshProfileDevice', random);
  const accountKeys = deriveAccountKeys(accountSeed);
  const deviceKeys = deriveDeviceKeys(deviceSeed);
  const roles = options.roles ?? CREATOR_ROLES;
  const common = { ...(options.created ? { created: options.created } : {}) };
  const profileObject = options.kind === 'group'
    ? buildProfileAccount(accountKeys, { accountAddress: address, ...(options.description ? { description: options.description } : {}) }, 'ProfileGroup')
    : buildProfileAccount(accountKeys, { accountAddress: address, ...(options.description ? { description: options.description } : {}) });
  const profile = sealProfile(profileObject, accountKeys.profileSignature, common);
  const deviceProfile = sealProfile(buildProfileDevice(deviceKeys, options.deviceDescription ? { description: options.deviceDescription } : {}),
    deviceKeys.profileSignature, common);
  const activation = activateDevice({
    account: accountKeys, accountProfile: profile, deviceProfile, roles, ...common, ...(random ? { random } : {}),
  });
  const access = buildDeviceAccess(accountKeys, activation, roles, { ...common, ...(random ? { random } : {}) });
  const selfContact = options.kind === 'group' ? undefined : buildSelfContact({
    profile, address, commonSignature: accountKeys.commonSignature, ...common,
  });
  return {
    accountKeys, deviceKeys, profile, accountUdf: accountKeys.profileSignature.udf, deviceProfile, deviceUdf: deviceKeys.profileSignature.udf,
    roles, activation, access, selfContact,
  };
}
