import type { DareEnvelope } from '../../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePrivateKey } from '../../dare/keys.js';
import type { KeyPair } from '../../udf/keys.js';
import { envelopeId, responseId } from '../../udf/message-id.js';
import type { RandomSource } from '../../udf/random.js';
import { acceptActivation, type AcceptedActivation } from '../activations.js';
import { openMeshEnvelope, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import type { DeviceKeys } from '../keys.js';
import { publicKeyOf } from '../keydata.js';
import { verifyProfile } from '../profiles.js';
import type { Enveloped } from '../schema/object.js';
import type { AnyProfileAccount, CatalogedDevice, ProfileDevice, RespondConnection } from '../schema/types.js';

/**
 * RespondConnection (mesh-model.md §6 step 6, §9.2; protocol.md T5, F2 steps 5–6, F4 step 3): an
 * administrator's answer to a connection request — `Accept` with the device's CatalogedDevice,
 * or `Reject` — under `MessageId = ResponseId(request id)`: the AcknowledgeConnection's witness in
 * the direct and PIN flows, the MessageClaim's MessageId in the preconfigured flow. The
 * administrator posts it to MMM_Local through Transact; the device collects it with Complete.
 *
 * It is signed by the account's AdministratorSignature (REF: unsigned) and encrypted to the
 * device's *base* Encryption key (only that device can read it). {@link openRespondConnection}
 * decrypts, requires the administrator's signature of the account the device asked to join,
 * checks the MessageId, and for an Accept takes up the activation (checking the whole
 * CatalogedDevice chain for that account and this device).
 */

/** The results a RespondConnection carries. */
export type ConnectionResult = 'Accept' | 'Reject';

/** Options of {@link buildRespondConnection}. */
export interface RespondOptions {
  /** The id of the request answered (AcknowledgeConnection witness, or MessageClaim id). */
  readonly requestId: string;
  readonly result: ConnectionResult;
  /** The new device's CatalogedDevice (Accept). */
  readonly catalogedDevice?: CatalogedDevice;
  /** The requesting device's profile: its base Encryption key is the recipient. */
  readonly deviceProfile: Enveloped<ProfileDevice> | DareEnvelope;
  /** The account's AdministratorSignature key. */
  readonly administratorSignature: KeyPair | DarePrivateKey;
  /** The account's address (Sender). */
  readonly sender?: string;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** Builds, signs and encrypts a RespondConnection (see the module notes). */
export function buildRespondConnection(options: RespondOptions): Enveloped<RespondConnection> {
  if (options.result === 'Accept' && options.catalogedDevice === undefined) throw new MeshError('MESH_BAD_ARGUMENT', 'an Accept carries the CatalogedDevice');
  const device = verifyProfile(options.deviceProfile);
  if (device.profile.$class !== 'ProfileDevice') throw new MeshError('MESH_WRONG_CLASS', `a connection is answered to a ProfileDevice, not a ${device.profile.$class}`);
  const encryption = (device.profile as ProfileDevice).Encryption;
  if (encryption === undefined) throw new MeshError('MESH_INVALID', 'the device profile has no Encryption key');
  const id = responseId(options.requestId);
  const message: RespondConnection = {
    $class: 'RespondConnection', MessageId: id, ...(options.sender ? { Sender: options.sender } : {}), Result: options.result,
    ...(options.result === 'Accept' ? { CatalogedDevice: options.catalogedDevice! } : {}),
  };
  const signer = 'kid' in options.administratorSignature ? options.administratorSignature : dareKeyFromKeyPair(options.administratorSignature);
  return sealMeshObject(message, {
    uniqueId: id, envelopeId: envelopeId(id), signers: [signer], recipients: [publicKeyOf(encryption, 'ProfileDevice.Encryption')],
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
}

/** What a device reads in a RespondConnection. */
export type OpenedResponse =
  | { readonly result: 'Accept'; readonly catalogedDevice: CatalogedDevice; readonly activation: AcceptedActivation; readonly accountUdf: string }
  | { readonly result: 'Reject'; readonly accountUdf: string };

/**
 * Opens a RespondConnection on the device that asked (see the module notes). `accountProfile` is
 * the account the device asked to join (as it pinned it when it made the request). Errors:
 * `MESH_BAD_ENVELOPE` (not for this device), `MESH_NOT_SIGNED` (not signed by that account's
 * administrator), `MESH_INVALID` (another request's answer, a CatalogedDevice for another device
 * or account, an unknown result).
 */
export function openRespondConnection(
  envelope: DareEnvelope, options: { deviceKeys: DeviceKeys; accountProfile: Enveloped<AnyProfileAccount> | DareEnvelope; requestId: string },
): OpenedResponse {
  const account = verifyProfile(options.accountProfile);
  const admin = (account.profile as AnyProfileAccount).AdministratorSignature;
  if (admin === undefined) throw new MeshError('MESH_INVALID', 'the account profile has no AdministratorSignature');
  const opened = openMeshEnvelope(envelope, 'RespondConnection', {
    keys: [dareKeyFromKeyPair(options.deviceKeys.encryption)], signers: [publicKeyOf(admin, 'AdministratorSignature')], requireSignature: true,
  }).object as RespondConnection;
  if (opened.$class !== 'RespondConnection') throw new MeshError('MESH_WRONG_CLASS', `expected a RespondConnection, got ${opened.$class}`);
  if (opened.MessageId !== responseId(options.requestId)) throw new MeshError('MESH_INVALID', 'the response answers another request');
  if (opened.Result === 'Reject') return { result: 'Reject', accountUdf: account.udf };
  if (opened.Result !== 'Accept') throw new MeshError('MESH_INVALID', `unknown connection result ${JSON.stringify(String(opened.Result)).slice(0, 40)}`);
  if (opened.CatalogedDevice === undefined) throw new MeshError('MESH_INVALID', 'an Accept without a CatalogedDevice');
  const catalogedDevice = { ...opened.CatalogedDevice, $class: 'CatalogedDevice' } as CatalogedDevice;
  const activation = acceptActivation(catalogedDevice, options.deviceKeys, { expectedAccountUdf: account.udf });
  return { result: 'Accept', catalogedDevice, activation, accountUdf: account.udf };
}
