import { dareKeyFromKeyPair, publicPart } from '../dare/keys.js';
import type { RandomSource } from '../udf/random.js';
import { buildActivationCommon, sealActivation } from './activations.js';
import { buildConnectionDevice, sealConnection, verifyConnection } from './connections.js';
import { verifyDeviceChain } from './devices.js';
import { sealMeshObject } from './envelopes.js';
import { MeshError } from './errors.js';
import { catalogedDeviceDigest } from './host/create.js';
import { publicKeyOf } from './keydata.js';
import type { AccountKeys } from './keys.js';
import { grantsOf } from './roles.js';
import type { AccessCapability, CatalogedAccess, CatalogedDevice, KeyData } from './schema/types.js';

/**
 * Re-issuing a device's activation (mesh-model.md §6, §7; protocol.md F10): an administrator
 * changes what a connected device holds without a new connection —
 *
 * - its **roles** (`device auth UDF --roles …`): a new ConnectionDevice naming them and a new
 *   ActivationCommon with the keys they grant;
 * - its **store key generations** after a revocation: every store the revoked device could read
 *   gets a new key (`deriveStoreKey(seed, store, g)`), and every remaining device a new
 *   ActivationCommon with all generations of the stores it holds, so that it reads old frames
 *   and writes new ones to the new key only.
 *
 * The device's co-generated keys stay (the ActivationAccount and ConnectionService are kept: the
 * same Authentication key, so the service keeps admitting it); the new ActivationCommon is
 * encrypted to its combined Encryption key from its ConnectionDevice, signed by the
 * AdministratorSignature. The device takes it up when Status hands it its changed CatalogedDevice
 * (MeshAccount.adoptCatalogedDevice).
 */

/** Options of {@link reissueDevice}. */
export interface ReissueOptions {
  /** The account's keys (the seed: store keys derive from it). */
  readonly account: AccountKeys;
  /** The device's current CatalogedDevice (checked to be of this account). */
  readonly device: CatalogedDevice;
  /** New roles (default: those its ConnectionDevice names). */
  readonly roles?: readonly string[];
  /** The current key generation of each re-keyed store. */
  readonly generations?: ReadonlyMap<string, number>;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** A re-issued CatalogedDevice and its roles. */
export interface ReissuedDevice {
  readonly catalogedDevice: CatalogedDevice;
  readonly roles: readonly string[];
}

/** Re-issues a device's CatalogedDevice (see the module notes). */
export function reissueDevice(options: ReissueOptions): ReissuedDevice {
  const accountUdf = options.account.profileSignature.udf;
  verifyDeviceChain(options.device, { expectedAccountUdf: accountUdf });
  const admin = options.account.administratorSignature;
  const connection = verifyConnection(options.device.EnvelopedConnectionDevice!, 'ConnectionDevice', {
    udf: accountUdf, administratorSignature: publicPart(dareKeyFromKeyPair(admin)),
  });
  if (connection.Encryption === undefined || connection.Signature === undefined || connection.Authentication === undefined) {
    throw new MeshError('MESH_INVALID', 'the device\'s ConnectionDevice lacks a key');
  }
  const roles = [...(options.roles ?? connection.Roles ?? [])];
  grantsOf(roles);
  const common = { ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}) };
  const sameRoles = options.roles === undefined || JSON.stringify(roles) === JSON.stringify(connection.Roles ?? []);
  const envelopedConnection = sameRoles ? options.device.EnvelopedConnectionDevice! : sealConnection(buildConnectionDevice({
    profileUdf: accountUdf, roles,
    keys: { encryption: connection.Encryption as KeyData, signature: connection.Signature as KeyData, authentication: connection.Authentication as KeyData },
  }), admin, common);
  const activationCommon = sealActivation(buildActivationCommon(options.account, roles, options.generations), admin,
    publicKeyOf(connection.Encryption, 'ConnectionDevice.Encryption'), common);
  return {
    catalogedDevice: { ...options.device, EnvelopedConnectionDevice: envelopedConnection, EnvelopedActivationCommon: activationCommon },
    roles,
  };
}

/**
 * The MMM_Access entry of a re-issued device: its capability (same `Id`, the co-generated
 * Authentication key) with the new roles as `Rights` and the new CatalogedDevice, signed by the
 * AdministratorSignature, with its digest (what Status compares).
 */
export function reissuedAccess(account: AccountKeys, entry: CatalogedAccess, device: ReissuedDevice, options: { created?: Date; random?: RandomSource } = {}): CatalogedAccess {
  const capability = entry.Capability as AccessCapability | undefined;
  if (capability?.$class !== 'AccessCapability') throw new MeshError('MESH_INVALID', 'not a device\'s AccessCapability');
  const envelope = sealMeshObject(device.catalogedDevice, {
    signers: [dareKeyFromKeyPair(account.administratorSignature)],
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
  return {
    ...entry,
    Capability: { ...capability, Rights: [...device.roles], EnvelopedCatalogedDevice: envelope, CatalogedDeviceDigest: catalogedDeviceDigest(envelope) },
  };
}
