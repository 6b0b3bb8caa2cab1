import type { DareEnvelope } from '../../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePrivateKey, type DarePublicKey } from '../../dare/keys.js';
import type { KeyPair } from '../../udf/keys.js';
import { nonce as newNonce } from '../../udf/fixed.js';
import { envelopeId } from '../../udf/message-id.js';
import type { RandomSource } from '../../udf/random.js';
import { openMeshEnvelope, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import type { Enveloped } from '../schema/object.js';
import type { CatalogedPublication, MessageClaim } from '../schema/types.js';
import { claimAuthenticate, publicationOf, type Publication } from '../publication.js';

/**
 * MessageClaim (mesh-model.md §9.2, §11; protocol.md T10–T11, F4 steps 3–4): an account that
 * scanned a connect URI `mcu://<publisher>/<E-secret>` claims the publication filed under the
 * secret's key id. The claim names the claimant (`Sender`) and carries two MACs of it: one
 * under the service authenticator (the publisher's service checks it against the
 * CatalogedPublication before it hands the data over) and one under the device authenticator
 * (the preconfigured device checks it when it polls). Signed by the claimant's CommonSignature.
 *
 * Only holders of the connect-URI secret can compute either MAC, and each binds the claimant's
 * address: a claim copied and re-addressed to another account fails both.
 */

/** Options of {@link buildMessageClaim}. */
export interface ClaimOptions {
  /** The connect URI scanned (`mcu://maker@example.com/E…`). */
  readonly connectUri: string;
  /** The claiming account's address. */
  readonly claimant: string;
  /** The claiming account's CommonSignature key. */
  readonly commonSignature: KeyPair | DarePrivateKey;
  readonly expires?: Date;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** A claim ready to send and the publication it claims. */
export interface BuiltClaim {
  readonly envelope: Enveloped<MessageClaim>;
  readonly claim: MessageClaim;
  readonly publication: Publication;
}

/** Builds and signs a MessageClaim (see the module notes). */
export function buildMessageClaim(options: ClaimOptions): BuiltClaim {
  const publication = publicationOf(options.connectUri);
  const claimant = options.claimant.toLowerCase();
  const messageId = newNonce(options.random ? { random: options.random } : {});
  const claim: MessageClaim = {
    $class: 'MessageClaim', MessageId: messageId, Sender: claimant, Recipient: publication.publisher.toLowerCase(), PublicationId: publication.publicationId,
    ServiceAuthenticate: claimAuthenticate(publication.serviceAuthenticator, claimant),
    DeviceAuthenticate: claimAuthenticate(publication.deviceAuthenticator, claimant),
    ...(options.expires ? { Expires: options.expires } : {}),
  };
  const signer = 'kid' in options.commonSignature ? options.commonSignature : dareKeyFromKeyPair(options.commonSignature);
  const envelope = sealMeshObject(claim, {
    uniqueId: messageId, envelopeId: envelopeId(messageId), signers: [signer],
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
  return { envelope, claim, publication };
}

function sameMac(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/** Reads a claim's payload (signature checked when `signer` is given). */
export function readMessageClaim(envelope: DareEnvelope, signer?: DarePublicKey): MessageClaim {
  const claim = openMeshEnvelope(envelope, 'MessageClaim', signer ? { signers: [signer], requireSignature: true } : {}).object as MessageClaim;
  if (claim.$class !== 'MessageClaim') throw new MeshError('MESH_WRONG_CLASS', `expected a MessageClaim, got ${claim.$class}`);
  if (typeof claim.MessageId !== 'string' || typeof claim.Sender !== 'string' || typeof claim.PublicationId !== 'string') {
    throw new MeshError('MESH_INVALID', 'a MessageClaim names its MessageId, Sender and PublicationId');
  }
  return claim;
}

/**
 * The service's check of a claim (protocol.md T10): the claim names the publication and its
 * ServiceAuthenticate is the MAC of its Sender under the publication's Authenticator.
 * `signer`: the claimant's CommonSignature, when the service knows the claimant's profile.
 * `MESH_NOT_AUTHORIZED` for a bad authenticator.
 */
export function checkClaimForService(envelope: DareEnvelope, publication: CatalogedPublication, signer?: DarePublicKey): MessageClaim {
  const claim = readMessageClaim(envelope, signer);
  if (claim.PublicationId !== publication.Id || typeof publication.Authenticator !== 'string') {
    throw new MeshError('MESH_NOT_AUTHORIZED', 'the claim is not for this publication');
  }
  if (!sameMac(claim.ServiceAuthenticate, claimAuthenticate(publication.Authenticator, claim.Sender!))) {
    throw new MeshError('MESH_NOT_AUTHORIZED', 'the claim\'s service authenticator does not verify (not made with the connect URI\'s secret)');
  }
  if (publication.NotOnOrAfter !== undefined && Date.now() >= publication.NotOnOrAfter.getTime()) {
    throw new MeshError('MESH_NOT_AUTHORIZED', 'the publication has expired');
  }
  return claim;
}

/**
 * The preconfigured device's check of a claim it polled (protocol.md T11): for its publication,
 * and DeviceAuthenticate is the MAC of the claimant under its device authenticator — only an
 * account that scanned its connect URI made it. Returns the claim; `MESH_NOT_AUTHORIZED` otherwise.
 */
export function checkClaimForDevice(envelope: DareEnvelope, device: { publicationId: string; deviceAuthenticator: string }): MessageClaim {
  const claim = readMessageClaim(envelope);
  if (claim.PublicationId !== device.publicationId) throw new MeshError('MESH_NOT_AUTHORIZED', 'the claim is for another publication');
  if (!sameMac(claim.DeviceAuthenticate, claimAuthenticate(device.deviceAuthenticator, claim.Sender!))) {
    throw new MeshError('MESH_NOT_AUTHORIZED', 'the claim\'s device authenticator does not verify (not made with this device\'s connect URI)');
  }
  return claim;
}
