import type { DareEnvelope } from '../../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePrivateKey, type DarePublicKey } from '../../dare/keys.js';
import { bytesEqual } from '../../encoding/bytes.js';
import type { KeyPair } from '../../udf/keys.js';
import { envelopeId } from '../../udf/message-id.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { openMeshEnvelope, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import { publicKeyOf } from '../keydata.js';
import { verifyProfile, type VerifiedProfile } from '../profiles.js';
import type { Enveloped } from '../schema/object.js';
import type { AcknowledgeConnection, AnyProfileAccount, ProfileDevice } from '../schema/types.js';
import { connectionWitness } from '../witness.js';
import { verifyRequestConnection, type VerifiedRequest } from './request.js';

/**
 * AcknowledgeConnection (mesh-model.md §9.2, §10; protocol.md T4, F2 steps 2–4): the service's
 * answer to a RequestConnection — the request as the device signed it, a fresh 128-bit
 * `ServerNonce`, and the connection witness
 * `W = SHA-512(SHA-512(A512 ‖ ServerNonce) ‖ SHA-512(D512 ‖ ClientNonce))` (witness.ts), which is
 * also its MessageId. The service appends it to the account's MMM_Inbound and returns it to the
 * device; both screens show W.
 *
 * REF leaves it unsigned and its readers skip the witness. Ours is signed by the service's
 * ServiceSignature key, and {@link verifyAcknowledgeConnection} — run by the device on the
 * answer to its Connect and by the administrator before it accepts — recomputes W from the
 * account profile, the device profile inside the request and both nonces, and requires it to be
 * the `Witness` and the `MessageId`. A device profile swapped on the way changes W (the
 * administrator's screen no longer matches the device's), and the device sees that the request
 * inside is not its own.
 */

/** Options of {@link buildAcknowledgeConnection}. */
export interface AcknowledgeOptions {
  /** The request as the device sent it (verified here). */
  readonly request: DareEnvelope;
  /** The account the request names, as bound at the service (self-signed profile). */
  readonly accountProfile: Enveloped<AnyProfileAccount>;
  /** The service's ServiceSignature key. */
  readonly serviceSignature: KeyPair | DarePrivateKey;
  /** 16 bytes; default fresh. */
  readonly serverNonce?: Uint8Array;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** A sealed acknowledgement and what it says. */
export interface BuiltAcknowledge {
  readonly envelope: Enveloped<AcknowledgeConnection>;
  readonly witness: string;
  readonly verified: VerifiedRequest;
}

/** The witness of a verified request for an account profile (mesh-model.md §10). */
export function requestWitness(account: VerifiedProfile, request: VerifiedRequest, serverNonce: Uint8Array): string {
  const a = publicKeyOf(account.profile.ProfileSignature!, 'ProfileAccount.ProfileSignature');
  const d = publicKeyOf(request.device.profile.ProfileSignature!, 'ProfileDevice.ProfileSignature');
  if ((a.algorithm !== 'Ed448' && a.algorithm !== 'X448') || (d.algorithm !== 'Ed448' && d.algorithm !== 'X448')) {
    throw new MeshError('MESH_BAD_KEY', 'profile keys are Ed448');
  }
  return connectionWitness({ algorithm: a.algorithm, publicKey: a.publicKey }, { algorithm: d.algorithm, publicKey: d.publicKey }, serverNonce, request.clientNonce);
}

/**
 * Builds the service's AcknowledgeConnection (protocol.md T4): verifies the request (device
 * signature) and that it names this account, draws the ServerNonce, computes the witness, signs.
 */
export function buildAcknowledgeConnection(options: AcknowledgeOptions): BuiltAcknowledge {
  const verified = verifyRequestConnection(options.request);
  const account = verifyProfile(options.accountProfile);
  const address = (account.profile as AnyProfileAccount).AccountAddress?.toLowerCase();
  if (address !== undefined && address !== verified.accountAddress) {
    throw new MeshError('MESH_INVALID', `the request names ${verified.accountAddress}, not ${address}`);
  }
  const serverNonce = options.serverNonce ?? (options.random ?? defaultRandom)(16);
  const witness = requestWitness(account, verified, serverNonce);
  const ack: AcknowledgeConnection = {
    $class: 'AcknowledgeConnection', MessageId: witness, EnvelopedRequestConnection: options.request as Enveloped<never>, ServerNonce: serverNonce, Witness: witness,
  };
  const signer = 'kid' in options.serviceSignature ? options.serviceSignature : dareKeyFromKeyPair(options.serviceSignature);
  const envelope = sealMeshObject(ack, {
    uniqueId: witness, envelopeId: envelopeId(witness), signers: [signer],
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
  return { envelope, witness, verified };
}

/** An acknowledgement that verified. */
export interface VerifiedAcknowledge {
  readonly acknowledge: AcknowledgeConnection;
  /** The witness, recomputed and equal to `Witness` and `MessageId`. */
  readonly witness: string;
  readonly request: VerifiedRequest;
  readonly device: VerifiedProfile<ProfileDevice>;
  readonly serverNonce: Uint8Array;
}

/** What {@link verifyAcknowledgeConnection} checks the acknowledgement against. */
export interface AcknowledgeExpectations {
  /** The service's ServiceSignature key (from the pinned ProfileService). */
  readonly serviceSignature: DarePublicKey;
  /** The account's self-signed profile (the administrator's own; the device's from ConnectResponse, pinned below). */
  readonly accountProfile: Enveloped<AnyProfileAccount> | DareEnvelope;
  /** The account UDF the profile must have (the device: the account it expects, when it knows it). */
  readonly accountUdf?: string;
  /** The device side: its own request — the acknowledgement must carry exactly this one. */
  readonly ownRequest?: DareEnvelope;
  /** Read REF's unsigned requests inside (never for new data). */
  readonly allowUnsigned?: boolean;
}

/**
 * Verifies an AcknowledgeConnection (see the module notes): signed by the service; the request
 * inside verifies (and is the device's own, on the device); it names the account; and the
 * witness recomputed from the account's and the device's ProfileSignature keys and both nonces
 * is its `Witness` and `MessageId`. `MESH_NOT_SIGNED`, `MESH_WITNESS`, `MESH_INVALID` otherwise.
 */
export function verifyAcknowledgeConnection(envelope: DareEnvelope, expect: AcknowledgeExpectations): VerifiedAcknowledge {
  const ack = openMeshEnvelope(envelope, 'AcknowledgeConnection', { signers: [expect.serviceSignature], requireSignature: true }).object as AcknowledgeConnection;
  if (ack.$class !== 'AcknowledgeConnection') throw new MeshError('MESH_WRONG_CLASS', `expected an AcknowledgeConnection, got ${ack.$class}`);
  const inner = ack.EnvelopedRequestConnection;
  if (inner === undefined) throw new MeshError('MESH_INVALID', 'the AcknowledgeConnection carries no request');
  if (expect.ownRequest !== undefined) {
    const own = verifyRequestConnection(expect.ownRequest);
    const got = verifyRequestConnection(inner, expect.allowUnsigned ? { allowUnsigned: true } : {});
    if (got.device.udf !== own.device.udf || !bytesEqual(got.clientNonce, own.clientNonce) || got.request.MessageId !== own.request.MessageId) {
      throw new MeshError('MESH_WITNESS', 'the acknowledgement is for another request than this device made (another device profile or nonce)');
    }
  }
  const request = verifyRequestConnection(inner, expect.allowUnsigned ? { allowUnsigned: true } : {});
  const account = verifyProfile(expect.accountProfile, expect.accountUdf ? { expectedUdf: expect.accountUdf } : {});
  const address = (account.profile as AnyProfileAccount).AccountAddress?.toLowerCase();
  if (address !== undefined && address !== request.accountAddress) throw new MeshError('MESH_INVALID', `the request names ${request.accountAddress}, not ${address}`);
  const serverNonce = ack.ServerNonce;
  if (!(serverNonce instanceof Uint8Array) || serverNonce.length < 16) throw new MeshError('MESH_INVALID', 'the acknowledgement has no 16-byte ServerNonce');
  const witness = requestWitness(account, request, serverNonce);
  if (ack.Witness !== witness || ack.MessageId !== witness) {
    throw new MeshError('MESH_WITNESS', 'the witness does not match the account, the device profile and the nonces (the request was changed on the way)');
  }
  return { acknowledge: ack, witness, request, device: request.device, serverNonce };
}
