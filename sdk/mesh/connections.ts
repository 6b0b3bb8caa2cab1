import type { DareEnvelope } from '../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePublicKey } from '../dare/keys.js';
import type { KeyPair } from '../udf/keys.js';
import { openMeshEnvelope, sealMeshObject } from './envelopes.js';
import { MeshError } from './errors.js';
import { checkKeyData, publicKeyDataOf, publicKeyOf } from './keydata.js';
import { combinePublicKeys, type ActivationKeys } from './keys.js';
import type { Enveloped, Untagged } from './schema/object.js';
import type { ConnectionDevice, ConnectionService, KeyData, ProfileDevice } from './schema/types.js';

/**
 * Connections (mesh-model.md §5.2, §6 step 3): the account administrator vouches for a device's
 * account keys. ConnectionService carries only the Authentication key (it is presented to the
 * service on every request, so it is kept small); ConnectionDevice adds Signature, Encryption and
 * the device's roles. Both name the account profile in `ProfileUdf`, are signed by the account's
 * AdministratorSignature and sealed with a JSON-B payload, as REF does.
 */

/** A device's account keys as the administrator publishes them (public halves of co-generated keys). */
export interface DeviceAccountKeyData {
  readonly encryption: KeyData;
  readonly signature: KeyData;
  readonly authentication: KeyData;
}

function basePublic(kd: Untagged<KeyData> | undefined, what: string): Uint8Array {
  if (kd === undefined) throw new MeshError('MESH_INVALID', `ProfileDevice has no ${what} key`);
  const key = publicKeyOf(kd, `ProfileDevice.${what}`);
  return key.publicKey;
}

/**
 * The device's account keys, computed by the administrator: each base key of the ProfileDevice
 * plus the activation contribution, as points (mesh-model.md §4; verified against
 * SchemaAliceConnectionDevice2.md — mesh-kinds.md §13).
 */
export function deviceAccountKeyData(device: ProfileDevice, activation: ActivationKeys): DeviceAccountKeyData {
  const combine = (base: Untagged<KeyData> | undefined, contribution: KeyPair, what: string): KeyData => {
    const alg = contribution.algorithm === 'Ed448' ? 'Ed448' : 'X448';
    return publicKeyDataOf(alg, combinePublicKeys(alg, basePublic(base, what), contribution.publicKey));
  };
  return {
    encryption: combine(device.Encryption, activation.encryption, 'Encryption'),
    signature: combine(device.Signature, activation.signature, 'Signature'),
    authentication: combine(device.Authentication, activation.authentication, 'Authentication'),
  };
}

/** ConnectionService `{Authentication, ProfileUdf}`. */
export function buildConnectionService(options: { profileUdf: string; authentication: KeyData }): ConnectionService {
  return { $class: 'ConnectionService', Authentication: options.authentication, ProfileUdf: options.profileUdf };
}

/** ConnectionDevice `{Authentication, ProfileUdf, Roles, Signature, Encryption}`. */
export function buildConnectionDevice(options: { profileUdf: string; keys: DeviceAccountKeyData; roles: readonly string[] }): ConnectionDevice {
  return {
    $class: 'ConnectionDevice',
    Authentication: options.keys.authentication,
    ProfileUdf: options.profileUdf,
    ...(options.roles.length > 0 ? { Roles: [...options.roles] } : {}),
    Signature: options.keys.signature,
    Encryption: options.keys.encryption,
  };
}

/** Seals a connection (JSON-B payload), signed by the account's AdministratorSignature key. */
export function sealConnection<T extends ConnectionService | ConnectionDevice>(
  connection: T, administratorSignature: KeyPair, options: { created?: Date; referenceForm?: boolean } = {},
): Enveloped<T> {
  return sealMeshObject(connection, {
    signers: [dareKeyFromKeyPair(administratorSignature)], ...(options.created ? { created: options.created } : {}),
    ...(options.referenceForm ? { referenceForm: true } : {}),
  });
}

/**
 * Opens a connection and checks that it is valid for the account (schema-08 §7 with REF's
 * names): signed by `administratorSignature` and naming `accountUdf` in `ProfileUdf`; its keys'
 * `Udf`s are their fingerprints. `MESH_NOT_SIGNED` / `MESH_INVALID` otherwise.
 */
export function verifyConnection<C extends 'ConnectionService' | 'ConnectionDevice'>(
  envelope: DareEnvelope | Uint8Array | string, expected: C, account: { udf: string; administratorSignature: DarePublicKey },
): C extends 'ConnectionDevice' ? ConnectionDevice : ConnectionService | ConnectionDevice {
  const opened = openMeshEnvelope(envelope, expected, { signers: [account.administratorSignature], requireSignature: true });
  const c = opened.object as ConnectionService | ConnectionDevice;
  if (c.ProfileUdf !== account.udf) throw new MeshError('MESH_INVALID', `the connection names account ${String(c.ProfileUdf)}, not ${account.udf}`);
  for (const kd of [c.Authentication, 'Signature' in c ? c.Signature : undefined, 'Encryption' in c ? c.Encryption : undefined]) {
    if (kd !== undefined) checkKeyData(kd, c.$class);
  }
  return c as never;
}
