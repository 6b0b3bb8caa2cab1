import { decodeContentMeta, type ContentMeta } from '../../dare/content-meta.js';
import type { DareEnvelope } from '../../dare/envelope.js';
import type { DarePrivateKey, DarePublicKey } from '../../dare/keys.js';
import { nonce } from '../../udf/fixed.js';
import { envelopeId as envelopeIdOf } from '../../udf/message-id.js';
import type { RandomSource } from '../../udf/random.js';
import { headerOf, inspectMeshEnvelope, MESH_OBJECT_CTY, openMeshEnvelope, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import { isKindOf } from '../schema/model.js';
import type { Enveloped } from '../schema/object.js';
import type { AnyMessage, ContactPerson, MessageContact } from '../schema/types.js';
import { canonicalAccount, peerOfSignedContact, type Peer } from './peer.js';

/**
 * Messages between accounts in DARE envelopes (mesh-model.md §5.4, §9.1, §9.2) — every one
 * signed by its sender, which REF never does (security-07 App. B intends it; the reference sends
 * them unsigned):
 *
 * - **Sealed** ({@link sealMessage}) with the sender's CommonSignature and encrypted to the
 *   recipient's CommonEncryption (and, so that the sender's own devices can read what it sent,
 *   to the sender's); `EnvelopeId` = EnvelopeId(MessageId), ContentMeta `UniqueId` = MessageId,
 *   `MessageType` = the class, `Created`. Our envelopes sign the header too (ManifestSignature),
 *   so MessageId, type, time and the list of recipients are the sender's word.
 * - **Checked without decrypting** ({@link checkSealedMessage}) by a service that delivers it:
 *   signed by the sender it came from, header included; encrypted to the recipient's key (a
 *   message for another account is refused); ids consistent; not older than the replay window.
 * - **Opened** ({@link openMessage}) by the recipient's device: decrypted, the payload's class
 *   the header's `MessageType` (a service admits by that type, so a mismatch is an attack), its
 *   MessageId the header's, `Recipient` this account, and the signature the `Sender`'s — whose
 *   profile comes from a contact we hold, or, for a MessageContact, from the self contact it
 *   carries (checked against a contact we hold for that address, if any).
 */

/** How long a message is accepted after its `Created`, milliseconds (a delivered MessageId is remembered as long). */
export const MESSAGE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** How far a message's `Created` may be ahead of the checker's clock, milliseconds. */
export const MESSAGE_MAX_SKEW_MS = 10 * 60 * 1000;

/** A fresh MessageId (mesh-model.md §9.1: a random `N…` nonce UDF). */
export function newMessageId(random?: RandomSource): string {
  return nonce(random ? { random } : {});
}

/** Options of {@link sealMessage}. */
export interface SealMessageOptions {
  /** The sender's CommonSignature private key (a device holds it with the `message` role). Secret. */
  readonly signer: DarePrivateKey;
  /** The recipients' CommonEncryption keys (and the sender's own). */
  readonly recipients: readonly DarePublicKey[];
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** Seals a message (see the module notes). `MESH_BAD_ARGUMENT` without a MessageId. */
export function sealMessage<T extends AnyMessage>(message: T, options: SealMessageOptions): Enveloped<T> {
  const id = message.MessageId;
  if (typeof id !== 'string' || id.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', `a ${message.$class} needs its MessageId`);
  if (options.recipients.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'a message is encrypted to its recipient');
  return sealMeshObject(message, {
    signers: [options.signer], recipients: options.recipients, uniqueId: id, envelopeId: envelopeIdOf(id),
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
}

/** What the header of a sealed message says (the sender's word once {@link checkSealedMessage} passed). */
export interface SealedMessageInfo {
  readonly messageId: string;
  readonly messageType: string;
  readonly envelopeId: string;
  readonly created: Date;
}

function contentMetaOf(envelope: DareEnvelope): ContentMeta {
  try {
    return envelope.header.contentMetaData ? decodeContentMeta(envelope.header.contentMetaData) : {};
  } catch (e) {
    throw new MeshError('MESH_BAD_ENVELOPE', `the message's ContentMeta does not parse: ${(e as Error).message}`, { cause: e });
  }
}

function dateOf(v: Date | string | undefined): Date | undefined {
  if (v instanceof Date) return v;
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The ids and time a message's header claims (checked for consistency, not for a signature). */
export function sealedMessageInfo(envelope: DareEnvelope): SealedMessageInfo {
  const meta = contentMetaOf(envelope);
  const messageId = meta.uniqueId;
  const messageType = meta.messageType;
  if (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > 256 || typeof messageType !== 'string' || !isKindOf(messageType, 'Message')) {
    throw new MeshError('MESH_INVALID', 'a message\'s ContentMeta names its MessageId (UniqueId) and its Message class (MessageType)');
  }
  const envelopeId = envelopeIdOf(messageId);
  if (envelope.header.envelopeId !== envelopeId) throw new MeshError('MESH_INVALID', `EnvelopeId ${String(envelope.header.envelopeId).slice(0, 60)} is not EnvelopeId(${messageId})`);
  if (meta.cty !== MESH_OBJECT_CTY) throw new MeshError('MESH_INVALID', `a message's cty is ${MESH_OBJECT_CTY}`);
  const created = dateOf(meta.created);
  if (created === undefined) throw new MeshError('MESH_INVALID', 'a message states when it was created (ContentMeta Created)');
  return { messageId, messageType, envelopeId, created };
}

/** Options of {@link checkSealedMessage}. */
export interface CheckSealedOptions {
  /** The sender's CommonSignature (from its verified profile). */
  readonly sender: DarePublicKey;
  /** The recipient's CommonEncryption: the message must be encrypted to it (omitted: the sender's service, which does not know it). */
  readonly recipient?: DarePublicKey;
  /** Milliseconds since the epoch (default `Date.now()`). */
  readonly now?: number;
}

/**
 * What a delivering service checks of a message it cannot read (see the module notes):
 * `MESH_NOT_SIGNED` unless the sender's CommonSignature signed the payload and the header;
 * `MESH_WRONG_ACCOUNT` unless it is encrypted to the recipient's key; `MESH_INVALID` for ids that
 * disagree, a type that is no message, or a `Created` outside the accepted window.
 */
export function checkSealedMessage(envelope: DareEnvelope, options: CheckSealedOptions): SealedMessageInfo {
  const info = sealedMessageInfo(envelope);
  const inspection = inspectMeshEnvelope(envelope, [options.sender]);
  if (inspection.verdict !== 'authentic' || !inspection.headerSigned || !inspection.signedBy.some((k) => k.kid === options.sender.kid)) {
    throw new MeshError('MESH_NOT_SIGNED', `message ${info.messageId} is not signed, header included, by the sender's CommonSignature ${options.sender.kid}`);
  }
  if (options.recipient !== undefined && (!inspection.encrypted || !inspection.recipients.includes(options.recipient.kid))) {
    throw new MeshError('MESH_WRONG_ACCOUNT', `message ${info.messageId} is not encrypted to the recipient's CommonEncryption ${options.recipient.kid}`);
  }
  const now = options.now ?? Date.now();
  const age = now - info.created.getTime();
  if (age > MESSAGE_MAX_AGE_MS || age < -MESSAGE_MAX_SKEW_MS) {
    throw new MeshError('MESH_INVALID', `message ${info.messageId} was created ${info.created.toISOString()}, outside the accepted window`);
  }
  return info;
}

/** Options of {@link openMessage}. */
export interface OpenMessageOptions {
  /** The account's CommonEncryption private key. Secret. */
  readonly key: DarePrivateKey;
  /** This account's address: the message's `Recipient`. */
  readonly me: string;
  /** The peer a contact we hold makes of an address (undefined: no such contact). */
  readonly contact: (address: string) => Peer | undefined;
}

/** A message opened and verified by its recipient. */
export interface OpenedMessage<T extends AnyMessage = AnyMessage> {
  readonly message: T;
  readonly info: SealedMessageInfo;
  /** The sender, whose CommonSignature signed the message. */
  readonly sender: Peer;
  /** True when the sender is a contact we hold (a MessageContact may come from anyone). */
  readonly fromContact: boolean;
  /** A MessageContact's self contact, verified (its profile is `sender`'s). */
  readonly contact?: { readonly signed: Enveloped<ContactPerson>; readonly person: ContactPerson };
}

/**
 * Opens a message received in MMM_Inbound (see the module notes). `MESH_NOT_SIGNED` when the
 * sender's signature (payload and header) does not verify or the sender is no contact of ours
 * and the message carries no self contact; `MESH_INVALID` when the payload contradicts the header
 * (class, MessageId), names another recipient, or claims a sender its signature or its self
 * contact do not bear out; `MESH_WRONG_ACCOUNT` for a self contact whose profile is not the one
 * of a contact we hold at that address.
 */
export function openMessage<T extends AnyMessage = AnyMessage>(envelope: DareEnvelope, options: OpenMessageOptions): OpenedMessage<T> {
  const info = sealedMessageInfo(envelope);
  const unverified = openMeshEnvelope(envelope, 'Message', { keys: [options.key] }).object as AnyMessage;
  if (unverified.$class !== info.messageType) throw new MeshError('MESH_INVALID', `the header says ${info.messageType}, the payload is a ${unverified.$class}`);
  if (unverified.MessageId !== info.messageId) throw new MeshError('MESH_INVALID', `the header's MessageId ${info.messageId} is not the payload's`);
  if (typeof unverified.Recipient !== 'string' || canonicalAccount(unverified.Recipient) !== canonicalAccount(options.me)) {
    throw new MeshError('MESH_INVALID', `message ${info.messageId} is for ${String(unverified.Recipient).slice(0, 100)}, not ${options.me}`);
  }
  if (typeof unverified.Sender !== 'string') throw new MeshError('MESH_INVALID', `message ${info.messageId} names no Sender`);
  const senderAddress = canonicalAccount(unverified.Sender);
  const known = options.contact(senderAddress);
  let sender = known;
  let carried: OpenedMessage['contact'];
  if (isKindOf(unverified.$class, 'MessageContact')) {
    const auth = (unverified as MessageContact).AuthenticatedData;
    if (auth === undefined) throw new MeshError('MESH_INVALID', `contact request ${info.messageId} carries no contact`);
    const { peer, contact } = peerOfSignedContact(auth, { address: senderAddress });
    if (known !== undefined && known.udf !== peer.udf) {
      throw new MeshError('MESH_WRONG_ACCOUNT', `${senderAddress} is a contact with profile ${known.udf}; this request carries profile ${peer.udf}`);
    }
    sender = peer;
    carried = { signed: auth as Enveloped<ContactPerson>, person: contact };
  }
  if (sender === undefined) throw new MeshError('MESH_NOT_SIGNED', `${senderAddress} is not a contact: its signature on message ${info.messageId} cannot be checked`);
  const opened = openMeshEnvelope(envelope, 'Message', { keys: [options.key], signers: [sender.signature], requireSignature: true });
  const { contentMeta } = headerOf(opened);
  if (opened.signedHeader === undefined || contentMeta?.uniqueId !== info.messageId) {
    throw new MeshError('MESH_NOT_SIGNED', `message ${info.messageId}: the sender did not sign its header`);
  }
  return { message: opened.object as T, info, sender, fromContact: known !== undefined, ...(carried ? { contact: carried } : {}) };
}
