import type { DareEnvelope } from '../../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePrivateKey, type DarePublicKey } from '../../dare/keys.js';
import type { KeyPair } from '../../udf/keys.js';
import { envelopeId } from '../../udf/message-id.js';
import { newPin, PIN_ACTION, pinId as pinIdOf, pinWitness, saltedPin } from '../../udf/pin.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { UdfError } from '../../udf/errors.js';
import { inspectMeshEnvelope, openMeshEnvelope, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import type { Enveloped } from '../schema/object.js';
import type { MessagePin, MessagePinValidated, Reference } from '../schema/types.js';
import type { Spool } from '../spool/spool.js';

/**
 * PINs (mesh-model.md §10; protocol.md F3, F6): a one-time secret an administrator hands out
 * (`account pin`, a contact PIN, a dynamic QR code) that pre-authenticates one message — a
 * device's RequestConnection, a MessageContact — so that it may be acted on without a prompt.
 *
 * - The issuer keeps `MessagePin{MessageId = PinId, SaltedPin, Action, Account, Expires,
 *   Automatic, Roles}` in its MMM_Local spool, the envelope encrypted to the account's
 *   CommonEncryption key ({@link issuePin}, {@link sealMessagePin}).
 * - The holder of the PIN puts `PinId`, `ClientNonce` and `PinWitness` in its message
 *   ({@link provePin}): the witness is an HMAC, under a key only the PIN gives, over the account,
 *   the nonce and the PayloadDigest of the message's `AuthenticatedData` — so the PIN
 *   authenticates that very data (a device profile swapped in transit fails it).
 * - The validator ({@link validatePin}) finds the MessagePin by PinId and checks, in this order:
 *   the witness, then that the PIN was not used (`MESH_PIN_USED`), then that it has not expired
 *   (`MESH_PIN_EXPIRED`). An unknown PinId and a witness that does not verify both give
 *   `MESH_PIN_INVALID` with the same message, and the used/expired state is told only to a
 *   message whose witness verified: a wrong PIN learns nothing about which part was wrong, nor
 *   about the PINs that exist.
 * - Whoever acts on a validated message closes the PIN in the same upload
 *   ({@link closePinReference}: a MessageComplete in MMM_Local), so it cannot be used twice.
 *
 * The same machinery serves device connection PINs (`Action: Device`) and contact PINs
 * (`Action: Contact`): the action is mixed into the SaltedPin, so a PIN issued for one cannot
 * validate the other.
 */

/** The PIN actions (Generated-MeshConstantsPinActionCodes.md). */
export type PinAction = (typeof PIN_ACTION)[keyof typeof PIN_ACTION];

/** Random bits of a PIN by default: 120 (a 26-character `A…` UDF, as the reference's examples). */
export const DEFAULT_PIN_BITS = 120;
/** Fewest random bits a PIN may have: 80 (a PIN is guessed online only, once per expiry, but not less). */
export const MIN_PIN_BITS = 80;
/** Most random bits of a PIN. */
export const MAX_PIN_BITS = 256;
/** Default lifetime of a PIN: one day (protocol.md F3). */
export const DEFAULT_PIN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Options of {@link issuePin}. */
export interface IssuePinOptions {
  /** The issuing account's address (canonical, lower case: the PinId is computed over it). */
  readonly account: string;
  readonly action: PinAction;
  /** Roles a device connecting with this PIN gets (Action `Device`). */
  readonly roles?: readonly string[];
  /** Act on a message carrying this PIN without asking (default true). */
  readonly automatic?: boolean;
  /** Expiry; default `now` + one day. */
  readonly expires?: Date;
  /** Random bits of the PIN (multiple of 8, {@link MIN_PIN_BITS}..{@link MAX_PIN_BITS}); default {@link DEFAULT_PIN_BITS}. */
  readonly bits?: number;
  readonly now?: Date;
  readonly random?: RandomSource;
}

/** A PIN just issued. Secret: `pin` (the `saltedPin` too: it keys the witness). */
export interface IssuedPin {
  /** The PIN to hand over (`A…`). */
  readonly pin: string;
  readonly pinId: string;
  readonly saltedPin: string;
  readonly expires: Date;
  /** The MessagePin to keep in MMM_Local (seal it with {@link sealMessagePin}). */
  readonly message: MessagePin;
}

function seconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function checkAction(action: unknown): PinAction {
  if (action !== PIN_ACTION.Device && action !== PIN_ACTION.Contact) {
    throw new MeshError('MESH_BAD_ARGUMENT', `a PIN action is Device or Contact, not ${JSON.stringify(String(action)).slice(0, 40)}`);
  }
  return action;
}

function checkAccount(account: unknown): string {
  if (typeof account !== 'string' || account.length === 0 || account.length > 320) throw new MeshError('MESH_BAD_ARGUMENT', 'a PIN is issued for an account address');
  return account.toLowerCase();
}

/** Issues a PIN (mesh-model.md §10): the PIN, its ids, and the MessagePin its issuer keeps. */
export function issuePin(options: IssuePinOptions): IssuedPin {
  const account = checkAccount(options.account);
  const action = checkAction(options.action);
  const bits = options.bits ?? DEFAULT_PIN_BITS;
  if (!Number.isSafeInteger(bits) || bits % 8 !== 0 || bits < MIN_PIN_BITS || bits > MAX_PIN_BITS) {
    throw new MeshError('MESH_BAD_ARGUMENT', `a PIN has a multiple of 8 random bits in ${MIN_PIN_BITS}..${MAX_PIN_BITS}, not ${String(bits)}`);
  }
  const now = options.now ?? new Date();
  const expires = seconds(options.expires ?? new Date(now.getTime() + DEFAULT_PIN_LIFETIME_MS));
  if (expires.getTime() <= now.getTime()) throw new MeshError('MESH_BAD_ARGUMENT', 'a PIN must expire in the future');
  const pin = newPin({ bits, random: options.random ?? defaultRandom });
  const salted = saltedPin(pin, action);
  const id = pinIdOf(salted, account);
  const roles = options.roles ?? [];
  const message: MessagePin = {
    $class: 'MessagePin', MessageId: id, Account: account, Expires: expires, Automatic: options.automatic ?? true, SaltedPin: salted, Action: action,
    ...(roles.length > 0 ? { Roles: [...roles] } : {}),
  };
  return { pin, pinId: id, saltedPin: salted, expires, message };
}

/**
 * Seals a MessagePin for MMM_Local (mesh-model.md §9: encrypted to the account's
 * CommonEncryption key; `signer`, when given, signs it — an administrator key, so that a
 * validator can tell the PIN was issued by the account).
 */
export function sealMessagePin(
  message: MessagePin, options: { recipients: readonly DarePublicKey[]; signer?: DarePrivateKey | KeyPair; created?: Date; random?: RandomSource },
): Enveloped<MessagePin> {
  if (typeof message.MessageId !== 'string') throw new MeshError('MESH_BAD_ARGUMENT', 'a MessagePin has its PinId as MessageId');
  if (options.recipients.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'a MessagePin is sealed to the account encryption key');
  const signer = options.signer === undefined ? undefined : 'kid' in options.signer ? options.signer : dareKeyFromKeyPair(options.signer);
  return sealMeshObject(message, {
    uniqueId: message.MessageId, envelopeId: envelopeId(message.MessageId), recipients: options.recipients,
    ...(signer ? { signers: [signer] } : {}), ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
}

/** Opens a sealed MessagePin (with the account's CommonEncryption key; `signers`: who must have signed it). */
export function openMessagePin(envelope: DareEnvelope, keys: readonly DarePrivateKey[], signers: readonly DarePublicKey[] = []): MessagePin {
  return openMeshEnvelope(envelope, 'MessagePin', { keys, ...(signers.length > 0 ? { signers, requireSignature: true } : {}) }).object as MessagePin;
}

/** What a message carries to prove its sender holds the PIN (MessagePinValidated members). */
export interface PinProof {
  readonly PinId: string;
  readonly ClientNonce: Uint8Array;
  readonly PinWitness: Uint8Array;
}

/**
 * The PIN proof of a message (mesh-model.md §10): `PinId`, a fresh 16-byte `ClientNonce` (or the
 * one given), and `PinWitness` over the account, the nonce and the PayloadDigest of
 * `authenticatedData` — seal `authenticatedData` before, and put it unchanged in the message.
 */
export function provePin(options: {
  readonly pin: string; readonly action: PinAction; readonly account: string; readonly authenticatedData: DareEnvelope;
  readonly clientNonce?: Uint8Array; readonly random?: RandomSource;
}): PinProof {
  const account = checkAccount(options.account);
  const action = checkAction(options.action);
  const digest = payloadDigestOf(options.authenticatedData);
  if (digest === undefined) throw new MeshError('MESH_BAD_ARGUMENT', 'the authenticated data has no payload digest: seal it signed');
  const clientNonce = options.clientNonce ?? (options.random ?? defaultRandom)(16);
  let salted: string;
  try {
    salted = saltedPin(options.pin, action);
  } catch (e) {
    if (e instanceof UdfError) throw new MeshError('MESH_BAD_ARGUMENT', `not a PIN: ${e.message}`, { cause: e });
    throw e;
  }
  return { PinId: pinIdOf(salted, account), ClientNonce: clientNonce, PinWitness: pinWitness(salted, account, clientNonce, digest) };
}

/** The PayloadDigest of an envelope (what a PIN witness covers), or undefined when it has none. */
function payloadDigestOf(envelope: DareEnvelope): Uint8Array | undefined {
  try {
    const inspection = inspectMeshEnvelope(envelope);
    return inspection.digestStatus === 'invalid' ? undefined : inspection.payloadDigest;
  } catch {
    return undefined;
  }
}

/** A PIN as its issuer holds it: the MessagePin and whether it is closed (used). */
export interface PinRecord {
  readonly message: MessagePin;
  readonly closed: boolean;
}

/** Finds the issuer's record of a PIN by PinId (undefined: no such PIN). */
export type PinLookup = (pinId: string) => PinRecord | undefined | Promise<PinRecord | undefined>;

/** A message whose PIN proof verified. */
export interface ValidatedPin {
  readonly pinId: string;
  readonly action: PinAction;
  /** Act without asking (MessagePin.Automatic). */
  readonly automatic: boolean;
  /** Roles the PIN grants (Action `Device`). */
  readonly roles: readonly string[];
  readonly expires: Date | undefined;
}

/** The one message of a PIN that does not validate, whatever the reason (see the module notes). */
const PIN_INVALID = 'the PIN does not validate this message (wrong PIN, or not issued by this account)';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/**
 * Validates the PIN proof of a message (mesh-model.md §10; see the module notes for the order of
 * the checks and what each failure tells): `MESH_PIN_INVALID`, `MESH_PIN_USED`, `MESH_PIN_EXPIRED`.
 * `account` is the issuing account, `action` what the message asks for.
 */
export async function validatePin(
  message: Pick<MessagePinValidated, 'PinId' | 'PinWitness' | 'ClientNonce' | 'AuthenticatedData'>, lookup: PinLookup,
  options: { readonly account: string; readonly action: PinAction; readonly now?: Date },
): Promise<ValidatedPin> {
  const account = checkAccount(options.account);
  const action = checkAction(options.action);
  const invalid = (): never => {
    throw new MeshError('MESH_PIN_INVALID', PIN_INVALID);
  };
  const id = message.PinId;
  const witness = message.PinWitness;
  const nonce = message.ClientNonce;
  const data = message.AuthenticatedData;
  if (typeof id !== 'string' || !(witness instanceof Uint8Array) || !(nonce instanceof Uint8Array) || data === undefined) return invalid();
  const digest = payloadDigestOf(data);
  const record = await lookup(id);
  const pin = record?.message;
  // The witness is computed whether or not the PIN exists (the same work either way).
  let expected: Uint8Array;
  try {
    expected = pinWitness(pin?.SaltedPin ?? 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA', account, nonce, digest ?? new Uint8Array(64));
  } catch {
    return invalid();
  }
  const good = pin !== undefined && digest !== undefined && sameBytes(expected, witness)
    && pin.MessageId === id && pin.Action === action && typeof pin.Account === 'string' && pin.Account.toLowerCase() === account;
  if (!good) return invalid();
  if (record!.closed) throw new MeshError('MESH_PIN_USED', `PIN ${id} was used already`);
  const expires = pin.Expires;
  if (expires !== undefined && (options.now ?? new Date()).getTime() >= expires.getTime()) {
    throw new MeshError('MESH_PIN_EXPIRED', `PIN ${id} expired at ${expires.toISOString()}`);
  }
  return { pinId: id, action, automatic: pin.Automatic !== false, roles: [...(pin.Roles ?? [])], expires };
}

/** The MessageComplete reference that closes a used PIN in MMM_Local (mesh-model.md §9.3, §10). */
export function closePinReference(pinId: string, responseId?: string): Omit<Reference, '$class'> {
  return { MessageId: pinId, Relationship: 'Closed', ...(responseId ? { ResponseId: responseId } : {}) };
}

/**
 * A {@link PinLookup} over an account's MMM_Local spool: the MessagePin posted under the PinId,
 * opened with `keys` (the account's CommonEncryption key), closed when the spool says so.
 * A message under that id that is not a MessagePin this account issued reads as no PIN.
 */
export function pinLookupOf(local: Spool, keys: readonly DarePrivateKey[], signers: readonly DarePublicKey[] = []): PinLookup {
  return async (id) => {
    const held = local.get(id);
    if (held === undefined || held.messageType !== 'MessagePin' || !held.authored) return undefined;
    try {
      const message = openMessagePin(await local.read(id), keys, signers);
      return message.MessageId === id ? { message, closed: held.state === 'Closed' } : undefined;
    } catch (e) {
      if (e instanceof MeshError) return undefined;
      throw e;
    }
  };
}
