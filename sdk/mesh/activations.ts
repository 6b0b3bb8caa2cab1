import type { DareEnvelope } from '../dare/envelope.js';
import { dareKeyFromKeyPair, dareKeyFromScalar, type DarePrivateKey, type DarePublicKey } from '../dare/keys.js';
import type { KeyPair } from '../udf/keys.js';
import type { RandomSource } from '../udf/random.js';
import {
  buildConnectionDevice, buildConnectionService, deviceAccountKeyData, sealConnection, verifyConnection, type DeviceAccountKeyData,
} from './connections.js';
import { verifyDeviceChain } from './devices.js';
import { openMeshEnvelope, sealMeshObject } from './envelopes.js';
import { MeshError } from './errors.js';
import { keyDataOf, privateKeyOf, publicKeyOf } from './keydata.js';
import {
  combineKeys, deriveActivationKeys, deriveStoreKey, newMeshSeed, type AccountKeys, type CombinedKey, type DeviceKeys,
} from './keys.js';
import { verifyProfile } from './profiles.js';
import { grantsOf, type AccountKeyGrant } from './roles.js';
import type { Enveloped, Untagged } from './schema/object.js';
import type {
  ActivationAccount, ActivationCommon, ActivationEntry, AnyProfileAccount, CatalogedDevice, ConnectionDevice, ConnectionService, KeyData,
  ProfileDevice,
} from './schema/types.js';

/**
 * Activations (mesh-model.md §5.3, §6): how an administrator device brings another device into
 * an account, and how that device takes up its keys.
 *
 * Administrator: a fresh activation seed → ActivationAccount (encrypted to the device's *base*
 * Encryption key) → the device's account keys = base ⊕ activation → ConnectionService and
 * ConnectionDevice → ActivationCommon with the account keys and store keys its roles grant
 * (encrypted to the device's *combined* Encryption key) → CatalogedDevice. Every envelope is
 * signed by the AdministratorSignature (the encrypted ones carry a witness).
 *
 * Device: verify the chain, decrypt ActivationAccount with its base key, recompute the combined
 * private keys, decrypt ActivationCommon with the combined Encryption key.
 */

/**
 * ActivationAccount `{ActivationKey, AccountUdf}`. REF writes the *device* profile UDF in
 * `AccountUdf` (both examples; vectors kb-activationaccount-accountudf) — the reference examples
 * decide, so this does too.
 */
export function buildActivationAccount(options: { activationSeed: string; deviceUdf: string }): ActivationAccount {
  return { $class: 'ActivationAccount', ActivationKey: options.activationSeed, AccountUdf: options.deviceUdf };
}

const GRANTED_KEY: Readonly<Record<AccountKeyGrant, keyof AccountKeys>> = {
  ProfileSignature: 'profileSignature',
  AdministratorSignature: 'administratorSignature',
  Encryption: 'commonEncryption',
  Authentication: 'commonAuthentication',
  Signature: 'commonSignature',
};

/**
 * ActivationCommon for a set of roles: the account keys they grant (private, direct grant) and
 * one entry per granted store with that store's key (mesh-model.md §7; byte-for-byte REF's for
 * Alice's device 2 with roles `message`, `web`).
 */
export function buildActivationCommon(account: AccountKeys, roles: readonly string[], generations?: ReadonlyMap<string, number>): ActivationCommon {
  const grants = grantsOf(roles);
  const out: ActivationCommon = { $class: 'ActivationCommon' };
  if (grants.stores.length > 0) {
    out.Entries = grants.stores.map((store): ActivationEntry => ({
      $class: 'ActivationEntry', Resource: store, Key: keyDataOf(deriveStoreKey(account.seed, store), { includePrivate: true }),
    }));
    // Re-keyed stores: every later generation too (frames of each era stay readable), as `<Store>#<g>`.
    for (const store of grants.stores) {
      for (let g = 1; g <= (generations?.get(store) ?? 0); g++) {
        out.Entries.push({ $class: 'ActivationEntry', Resource: `${store}#${g}`, Key: keyDataOf(deriveStoreKey(account.seed, store, g), { includePrivate: true }) });
      }
    }
  }
  for (const k of grants.keys) out[k] = keyDataOf(account[GRANTED_KEY[k]] as KeyPair, { includePrivate: true });
  return out;
}

/** Seals an activation: signed by the AdministratorSignature, encrypted to `recipient` (mesh-model.md §5.4). */
export function sealActivation<T extends ActivationAccount | ActivationCommon>(
  activation: T, administratorSignature: KeyPair, recipient: DarePublicKey,
  options: { created?: Date; random?: RandomSource; referenceForm?: boolean } = {},
): Enveloped<T> {
  return sealMeshObject(activation, {
    signers: [dareKeyFromKeyPair(administratorSignature)], recipients: [recipient],
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
    ...(options.referenceForm ? { referenceForm: true } : {}),
  });
}

/** What an administrator produces for a new device (mesh-model.md §6 steps 2–5). */
export interface DeviceActivation {
  /** The activation seed (secret: it is inside EnvelopedActivationAccount). */
  readonly activationSeed: string;
  readonly keys: DeviceAccountKeyData;
  readonly connectionService: ConnectionService;
  readonly connectionDevice: ConnectionDevice;
  /** The MMM_Device entry: profiles, connections and both activations, enveloped. */
  readonly catalogedDevice: CatalogedDevice;
}

/** Options of {@link activateDevice}. */
export interface ActivateDeviceOptions {
  /** The account's keys (the administrator holds the seed). */
  readonly account: AccountKeys;
  /** The account's self-signed profile. */
  readonly accountProfile: Enveloped<AnyProfileAccount>;
  /** The device's self-signed profile (checked). */
  readonly deviceProfile: Enveloped<ProfileDevice>;
  /** Roles (mesh-model.md §7), e.g. `['message', 'web']`. */
  readonly roles: readonly string[];
  /** The current key generation of each re-keyed store (absent: none was). */
  readonly generations?: ReadonlyMap<string, number>;
  /** A given activation seed (default: a fresh `MeshActivationAccount` seed). */
  readonly activationSeed?: string;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** Activates a device for an account (administrator side). */
export function activateDevice(options: ActivateDeviceOptions): DeviceActivation {
  const account = verifyProfile(options.accountProfile);
  if (account.udf !== options.account.profileSignature.udf) throw new MeshError('MESH_BAD_KEY', 'the account keys do not belong to this account profile');
  const device = verifyProfile(options.deviceProfile);
  if (device.profile.$class !== 'ProfileDevice' && device.profile.$class !== 'ProfileHost') throw new MeshError('MESH_WRONG_CLASS', `expected a ProfileDevice, got ${device.profile.$class}`);
  const deviceProfile = device.profile as ProfileDevice;
  const activationSeed = options.activationSeed ?? newMeshSeed('MeshActivationAccount', options.random);
  const keys = deviceAccountKeyData(deviceProfile, deriveActivationKeys(activationSeed));
  const admin = options.account.administratorSignature;
  const common = { ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}) };
  const connectionService = buildConnectionService({ profileUdf: account.udf, authentication: keys.authentication });
  const connectionDevice = buildConnectionDevice({ profileUdf: account.udf, keys, roles: options.roles });
  const activationAccount = sealActivation(buildActivationAccount({ activationSeed, deviceUdf: device.udf }), admin,
    publicKeyOf(deviceProfile.Encryption!, 'ProfileDevice.Encryption'), common);
  const activationCommon = sealActivation(buildActivationCommon(options.account, options.roles, options.generations), admin, publicKeyOf(keys.encryption, 'ConnectionDevice.Encryption'), common);
  const catalogedDevice: CatalogedDevice = {
    $class: 'CatalogedDevice',
    DeviceUdf: device.udf,
    EnvelopedProfileUser: options.accountProfile,
    EnvelopedProfileDevice: options.deviceProfile,
    EnvelopedConnectionService: sealConnection(connectionService, admin, common),
    EnvelopedConnectionDevice: sealConnection(connectionDevice, admin, common),
    EnvelopedActivationAccount: activationAccount,
    EnvelopedActivationCommon: activationCommon,
  };
  return { activationSeed, keys, connectionService, connectionDevice, catalogedDevice };
}

/** A device's co-generated account keys (secret). */
export interface DeviceAccountKeys {
  readonly encryption: CombinedKey;
  readonly signature: CombinedKey;
  readonly authentication: CombinedKey;
}

/** What a device holds once activated (mesh-model.md §6 step 7). Secret. */
export interface AcceptedActivation {
  readonly accountUdf: string;
  readonly roles: readonly string[];
  readonly keys: DeviceAccountKeys;
  /** The account keys granted directly (ActivationCommon members), by member name. */
  readonly accountKeys: Partial<Record<AccountKeyGrant, DarePrivateKey>>;
  /** One decryption key per granted store (ActivationCommon entries). */
  readonly storeKeys: ReadonlyMap<string, DarePrivateKey>;
  /** Re-keyed stores: their later key generations, oldest first (entries `<Store>#<g>`). */
  readonly rekeyed: ReadonlyMap<string, readonly DarePrivateKey[]>;
}

/** The combined DARE key of a co-generated key (for signing or decrypting as the device). */
export function dareKeyFromCombined(key: CombinedKey): DarePrivateKey {
  return dareKeyFromScalar(key.algorithm, key.scalar, key.publicKey, key.udf);
}

function sameKey(published: Untagged<KeyData> | undefined, combined: CombinedKey, what: string): void {
  if (published?.Udf !== combined.udf) throw new MeshError('MESH_INVALID', `${what}: the published key is not base ⊕ activation`);
}

/**
 * Takes up an activation (device side): checks the CatalogedDevice chain (for `expectedAccountUdf`
 * when given), decrypts ActivationAccount with the device's base Encryption key, recomputes the
 * combined private keys and checks they are the published ones, then decrypts ActivationCommon
 * with the combined Encryption key. Every activation must be signed by the AdministratorSignature;
 * activations a reference administrator wrote (no PayloadMac, signatures bound to nothing) are
 * read only with `allowUnauthenticated`.
 */
export function acceptActivation(
  device: CatalogedDevice, deviceKeys: DeviceKeys, options: { expectedAccountUdf?: string; allowUnauthenticated?: boolean } = {},
): AcceptedActivation {
  const chain = verifyDeviceChain(device, options);
  const reference = options.allowUnauthenticated ? { allowUnauthenticated: true } : {};
  if (chain.deviceUdf !== deviceKeys.profileSignature.udf) throw new MeshError('MESH_INVALID', 'this CatalogedDevice is for another device');
  const account = verifyProfile(device.EnvelopedProfileUser!).profile;
  const admin = publicKeyOf((account as AnyProfileAccount).AdministratorSignature!, 'AdministratorSignature');
  const activation = openMeshEnvelope(device.EnvelopedActivationAccount!, 'ActivationAccount', {
    keys: [dareKeyFromKeyPair(deviceKeys.encryption)], signers: [admin], ...reference,
  }).object;
  if (activation.ActivationKey === undefined) throw new MeshError('MESH_INVALID', 'ActivationAccount has no ActivationKey');
  const contribution = deriveActivationKeys(activation.ActivationKey);
  const keys: DeviceAccountKeys = {
    encryption: combineKeys(deviceKeys.encryption, contribution.encryption),
    signature: combineKeys(deviceKeys.signature, contribution.signature),
    authentication: combineKeys(deviceKeys.authentication, contribution.authentication),
  };
  const connection = verifyConnection(device.EnvelopedConnectionDevice!, 'ConnectionDevice', { udf: chain.accountUdf!, administratorSignature: admin });
  sameKey(connection.Encryption, keys.encryption, 'Encryption');
  sameKey(connection.Signature, keys.signature, 'Signature');
  sameKey(connection.Authentication, keys.authentication, 'Authentication');
  const common = openMeshEnvelope(device.EnvelopedActivationCommon!, 'ActivationCommon', {
    keys: [dareKeyFromCombined(keys.encryption)], signers: [admin], ...reference,
  }).object as ActivationCommon;
  const accountKeys: Partial<Record<AccountKeyGrant, DarePrivateKey>> = {};
  for (const k of Object.keys(GRANTED_KEY) as AccountKeyGrant[]) {
    const kd = common[k];
    if (kd !== undefined) accountKeys[k] = privateKeyOf(kd, `ActivationCommon.${k}`);
  }
  const storeKeys = new Map<string, DarePrivateKey>();
  const later = new Map<string, Map<number, DarePrivateKey>>();
  for (const entry of common.Entries ?? []) {
    if (entry.Resource === undefined || entry.Key === undefined) continue;
    const key = privateKeyOf(entry.Key, `ActivationCommon.Entries[${entry.Resource}]`);
    const m = /^([A-Za-z0-9_]+)#([1-9][0-9]{0,5})$/.exec(entry.Resource);
    if (m === null) storeKeys.set(entry.Resource, key);
    else later.set(m[1]!, (later.get(m[1]!) ?? new Map<number, DarePrivateKey>()).set(Number(m[2]), key));
  }
  const rekeyed = new Map<string, DarePrivateKey[]>();
  for (const [store, byGeneration] of later) {
    const list = [...byGeneration.keys()].sort((a, b) => a - b);
    if (!storeKeys.has(store) || list.some((g, i) => g !== i + 1)) throw new MeshError('MESH_INVALID', `ActivationCommon: the key generations of ${store} are not 1…${list.length}`);
    rekeyed.set(store, list.map((g) => byGeneration.get(g)!));
  }
  return { accountUdf: chain.accountUdf!, roles: connection.Roles ?? [], keys, accountKeys, storeKeys, rekeyed };
}

