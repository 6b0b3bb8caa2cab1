import type { DareEnvelope } from '../../dare/envelope.js';
import { dareKeyFromKeyPair } from '../../dare/keys.js';
import { nonce as newNonce } from '../../udf/fixed.js';
import { envelopeId } from '../../udf/message-id.js';
import { PIN_ACTION } from '../../udf/pin.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { openMeshEnvelope, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import type { DeviceKeys } from '../keys.js';
import { publicKeyOf } from '../keydata.js';
import { verifyProfile, type VerifiedProfile } from '../profiles.js';
import type { Enveloped } from '../schema/object.js';
import type { ProfileDevice, RequestConnection } from '../schema/types.js';
import { provePin } from './pin.js';

/**
 * RequestConnection (mesh-model.md §9.2; protocol.md T4, F2 step 1, F3 step 2): a device asks to
 * join an account. `AuthenticatedData` is the device's self-signed ProfileDevice, `ClientNonce`
 * its contribution to the witness (§10), and — with a PIN — `PinId` and `PinWitness` over that
 * very profile.
 *
 * REF leaves the envelope unsigned. Ours is signed by the device's ProfileSignature key, the key
 * whose fingerprint is the device UDF and which the witness hashes: so the request as a whole —
 * account address, nonce, PIN proof — comes from the device the profile names, and nobody on the
 * way can change any of it without the device's key. {@link verifyRequestConnection} requires that
 * signature; REF's unsigned requests are read only when the caller says so (`allowUnsigned`).
 */

/** A request ready to send, and the secrets of the request the device keeps. */
export interface BuiltRequest {
  readonly envelope: Enveloped<RequestConnection>;
  readonly request: RequestConnection;
  /** The device's witness contribution (kept to check the acknowledgement). */
  readonly clientNonce: Uint8Array;
}

/** Options of {@link buildRequestConnection}. */
export interface RequestOptions {
  /** The device's base keys (its seed). */
  readonly deviceKeys: DeviceKeys;
  /** The device's self-signed profile (of those keys). */
  readonly deviceProfile: Enveloped<ProfileDevice>;
  /** The account to join (`alice@example.com`). */
  readonly accountAddress: string;
  /** A PIN the account issued (`account pin`, a dynamic QR code): the request is then pre-authenticated. */
  readonly pin?: string;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** Builds and signs a RequestConnection (see the module notes). */
export function buildRequestConnection(options: RequestOptions): BuiltRequest {
  const device = verifyProfile(options.deviceProfile);
  if (device.udf !== options.deviceKeys.profileSignature.udf) throw new MeshError('MESH_BAD_KEY', 'the device profile is not of these device keys');
  const address = options.accountAddress.toLowerCase();
  const random = options.random ?? defaultRandom;
  const clientNonce = random(16);
  const messageId = newNonce({ random });
  const request: RequestConnection = {
    $class: 'RequestConnection', MessageId: messageId, AuthenticatedData: options.deviceProfile, ClientNonce: clientNonce, AccountAddress: address,
  };
  if (options.pin !== undefined) {
    const proof = provePin({ pin: options.pin, action: PIN_ACTION.Device, account: address, authenticatedData: options.deviceProfile, clientNonce });
    request.PinId = proof.PinId;
    request.PinWitness = proof.PinWitness;
  }
  const envelope = sealMeshObject(request, {
    uniqueId: messageId, envelopeId: envelopeId(messageId), signers: [dareKeyFromKeyPair(options.deviceKeys.profileSignature)],
    ...(options.created ? { created: options.created } : {}), random,
  });
  return { envelope, request, clientNonce };
}

/** A request that verified. */
export interface VerifiedRequest {
  readonly request: RequestConnection;
  /** The device profile it carries (self-signature verified). */
  readonly device: VerifiedProfile<ProfileDevice>;
  readonly clientNonce: Uint8Array;
  /** The account address it asks to join (lower case). */
  readonly accountAddress: string;
  /** True when the device signed the request (always, unless `allowUnsigned` read a REF request). */
  readonly signed: boolean;
}

/**
 * Verifies a RequestConnection: its AuthenticatedData is a self-signed ProfileDevice, the envelope
 * is signed by that profile's ProfileSignature key (unless `allowUnsigned`, for REF's examples),
 * it names an account and carries a 16-byte-or-longer ClientNonce. `MESH_NOT_SIGNED`,
 * `MESH_INVALID`, `MESH_WRONG_CLASS` otherwise.
 */
export function verifyRequestConnection(envelope: DareEnvelope, options: { allowUnsigned?: boolean } = {}): VerifiedRequest {
  const unverified = openMeshEnvelope(envelope, 'RequestConnection').object as RequestConnection;
  if (unverified.$class !== 'RequestConnection') throw new MeshError('MESH_WRONG_CLASS', `expected a RequestConnection, got ${unverified.$class}`);
  if (unverified.AuthenticatedData === undefined) throw new MeshError('MESH_INVALID', 'the RequestConnection carries no device profile');
  const verified = verifyProfile(unverified.AuthenticatedData);
  if (verified.profile.$class !== 'ProfileDevice') throw new MeshError('MESH_WRONG_CLASS', `a RequestConnection carries a ProfileDevice, not a ${verified.profile.$class}`);
  const device = verified as VerifiedProfile<ProfileDevice>;
  let request = unverified;
  let signed = false;
  if (!options.allowUnsigned || (envelope.trailer?.signatures?.length ?? 0) > 0) {
    const key = publicKeyOf(device.profile.ProfileSignature!, 'ProfileDevice.ProfileSignature');
    request = openMeshEnvelope(envelope, 'RequestConnection', { signers: [key], requireSignature: true }).object as RequestConnection;
    signed = true;
  }
  const address = request.AccountAddress;
  if (typeof address !== 'string' || address.length === 0) throw new MeshError('MESH_INVALID', 'the RequestConnection names no account');
  const clientNonce = request.ClientNonce;
  if (!(clientNonce instanceof Uint8Array) || clientNonce.length < 16) throw new MeshError('MESH_INVALID', 'the RequestConnection has no 16-byte ClientNonce');
  if (typeof request.MessageId !== 'string' || request.MessageId.length === 0) throw new MeshError('MESH_INVALID', 'the RequestConnection has no MessageId');
  return { request, device, clientNonce, accountAddress: address.toLowerCase(), signed };
}
