import { envelopeToString, parseEnvelope } from '../../dare/envelope.js';
import { dareKeyFromKeyPair } from '../../dare/keys.js';
import { sha256 } from '../../crypto/hashes.js';
import { hexEncode } from '../../encoding/hex.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { canonicalAddress } from '../store-rules.js';
import { buildAcknowledgeConnection } from '../../mesh/connect/acknowledge.js';
import { verifyRequestConnection } from '../../mesh/connect/request.js';
import type { Enveloped } from '../../mesh/schema/object.js';
import { inspectMeshEnvelope } from '../../mesh/envelopes.js';
import { publicKeyOf } from '../../mesh/keydata.js';
import type { AnyProfile, CompleteRequest, CompleteResponse, ConnectRequest, ConnectResponse, RespondConnection } from '../../mesh/schema/types.js';
import { filePublications } from './claims.js';
import { SPOOL } from '../../mesh/stores.js';
import { responseId } from '../../udf/message-id.js';
import type { RequestContext } from '../../protocol/service.js';
import { refuse } from '../../protocol/status.js';
import { ServiceConflictError } from '../store-errors.js';
import type { ServiceContext } from './context.js';
import { forbidden, invalid, refusalOf, unknownAccount } from './errors.js';
import { hostAssignment } from './identity.js';
import { checkMessages, spoolFrames, type CheckedMessage } from './messages.js';

/**
 * Connecting a device, at the service (protocol.md T4 Connect, T5 Complete, F2, F3):
 *
 * - **Connect** (Device mode: the request is signed with the base Authentication key of the
 *   ProfileDevice the credential carries): the RequestConnection must be signed by that very
 *   profile's ProfileSignature key (connect/request.ts) and name an account held here. The
 *   service draws the ServerNonce, builds the AcknowledgeConnection (witness, signed with its
 *   ServiceSignature key), appends it to the account's MMM_Inbound — where the administrator
 *   devices find it (`device pending`; the push channel announces it) — and returns it with the
 *   account profile. It also keeps a small record under the request's ResponseId naming the
 *   device and its credential key, so that only that device may collect the answer.
 * - **Transact** of an administrator device (roles `super` or `admin`) carrying a
 *   RespondConnection in `Local[]`: after the commit the service files the message (encrypted to
 *   the device's base key, signed by the administrator) in that record ({@link fileResponses}):
 *   the service cannot read MMM_Local frames (they are encrypted to the account's key), so this
 *   copy is what Complete hands out. The first answer stands. An answer to a claim (preconfigured
 *   flow: no Connect record) is filed under the answering account and the ResponseId, so another
 *   account's administrator cannot file one first; Complete then names the account and hands it
 *   only to the device it is encrypted to.
 * - **Complete** (Device mode): the record of `ResponseID`, for the device that made the request
 *   (the protocol's [decide]: REF hands it to any device key), answers with the
 *   RespondConnection and the AccountHostAssignment; before any answer, 400 NotAuthorized
 *   MeshResponseNotFound (the device asks again later).
 *
 * An account takes {@link CONNECT_RATE} requests per {@link CONNECT_WINDOW_MS} (429 beyond): a
 * stranger may ask, but not flood the account's Inbound.
 *
 * A request is answerable for {@link CONNECT_LIFETIME_MS}; after that Complete says
 * MeshResponseExpired. The PIN is never seen here: PINs live encrypted in MMM_Local and the
 * administrator's device validates them (connect/pin.ts).
 */

/** How long a connection request may be answered and collected (one week). */
export const CONNECT_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Connection requests an account takes per {@link CONNECT_WINDOW_MS} (anyone may make a device
 * key and ask: without a bound, a stranger could flood the account's Inbound and its
 * administrators' `device pending`). Beyond it, 429 until the window moves.
 */
export const CONNECT_RATE = 32;
export const CONNECT_WINDOW_MS = 10 * 60 * 1000;

/** The record of an account's recent connection requests (their times). */
export function connectRateName(account: string): string {
  return `mmm.connect-rate.${hexEncode(sha256(utf8Encode(account))).slice(0, 48)}`;
}

/** Takes one request of the account's allowance, or refuses (see {@link CONNECT_RATE}). */
async function takeAllowance(sc: ServiceContext, account: string): Promise<void> {
  const name = connectRateName(account);
  const now = Date.now();
  let recent: number[] = [];
  try {
    const o = JSON.parse(utf8Decode((await sc.store.getRecord(name)) ?? utf8Encode('[]'))) as unknown;
    if (Array.isArray(o)) recent = o.filter((t): t is number => typeof t === 'number' && now - t < CONNECT_WINDOW_MS);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw refusalOf(e);
  }
  if (recent.length >= CONNECT_RATE) {
    throw refuse('TooManyRequests', { extended: 'Refused', name: 'MeshOperationFailed', detail: 'too many connection requests for this account: try again later' });
  }
  recent.push(now);
  await sc.store.putRecord(name, utf8Encode(JSON.stringify(recent))).catch((e: unknown) => { throw refusalOf(e); });
}

/** Attempts when MMM_Inbound moved under the acknowledgement. */
const APPEND_ATTEMPTS = 5;

interface ConnectRecord {
  readonly account: string;
  /** Connect: the requesting device and its base Authentication key (its Device-mode keyid). */
  readonly deviceUdf?: string;
  readonly keyid?: string;
  readonly requestId: string;
  readonly expires: number;
  /** The administrator's RespondConnection (JSON envelope), once answered. */
  readonly response?: string;
}

/** The record name of a connection request, by the ResponseId its answer will carry. */
function recordName(id: string): string {
  return `mmm.connect.${id}`;
}

/**
 * The record name of an answer to a claim (no Connect record): per account and ResponseId, so an
 * administrator of another account who learnt the claim's id cannot file an answer first.
 */
function answerName(account: string, id: string): string {
  return `mmm.answer.${hexEncode(sha256(utf8Encode(`${account}\n${id}`))).slice(0, 48)}`;
}

function readRecord(bytes: Uint8Array | undefined): ConnectRecord | undefined {
  if (bytes === undefined) return undefined;
  try {
    const o = JSON.parse(utf8Decode(bytes)) as ConnectRecord;
    return typeof o.account === 'string' && typeof o.requestId === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** T4 Connect (see the module notes). */
export async function connect(sc: ServiceContext, request: ConnectRequest, rc: RequestContext): Promise<ConnectResponse> {
  const auth = rc.auth;
  if (auth?.mode !== 'Device' || auth.profile === undefined) throw forbidden('Connect is signed with the device\'s base Authentication key (Device mode)');
  const envelope = request.EnvelopedRequestConnection;
  if (envelope === undefined) throw invalid('ConnectRequest carries no EnvelopedRequestConnection');
  let accountAddress: string;
  try {
    accountAddress = verifyRequestConnection(envelope).accountAddress;
  } catch (e) {
    throw refusalOf(e);
  }
  const view = await sc.access.account(accountAddress);
  if (view === undefined) throw unknownAccount(`no account ${accountAddress.slice(0, 100)} on this service`);
  let built;
  try {
    built = buildAcknowledgeConnection({ request: envelope, accountProfile: view.envelope, serviceSignature: dareKeyFromKeyPair(sc.identity.keys.signature) });
  } catch (e) {
    throw refusalOf(e);
  }
  if (built.verified.device.udf !== auth.profile.udf) throw forbidden('the request carries another device profile than the credential');
  await takeAllowance(sc, view.address);
  const id = responseId(built.witness);
  const record: ConnectRecord = {
    account: view.address, deviceUdf: built.verified.device.udf, keyid: auth.keyid, requestId: built.witness, expires: Date.now() + CONNECT_LIFETIME_MS,
  };
  try {
    await sc.store.createRecord(recordName(id), utf8Encode(JSON.stringify(record)));
  } catch (e) {
    throw refusalOf(e);
  }
  await appendToInbound(sc, view.address, checkMessages([built.envelope], 'AcknowledgeConnection'));
  return { $class: 'ConnectResponse', EnvelopedAcknowledgeConnection: built.envelope, EnvelopedProfileAccount: view.envelope };
}

/** Appends service-built frames to an account's MMM_Inbound, rebuilding them when a writer was faster. */
async function appendToInbound(sc: ServiceContext, address: string, messages: readonly CheckedMessage[]): Promise<void> {
  const record = await sc.store.getAccount(address);
  if (record === undefined) throw unknownAccount(`no account ${address.slice(0, 100)}`);
  for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
    const base = await sc.states.current(record, SPOOL.inbound);
    const built = spoolFrames(base, SPOOL.inbound, messages, await sc.access.spoolKey(address, SPOOL.inbound));
    try {
      await sc.store.transact([{ account: address, store: SPOOL.inbound, expectedNextIndex: base.state.frameCount, frames: built.frames, digest: built.after.state.head! }]);
      sc.states.set(record, SPOOL.inbound, built.after);
      return;
    } catch (e) {
      if (e instanceof ServiceConflictError) continue;
      throw refusalOf(e);
    }
  }
  throw refuse('ServerOverload', { name: 'MeshOperationFailed', detail: 'the account\'s inbound kept changing: try again' });
}

/**
 * Files the RespondConnections an administrator device sent in a committed Transact's `Local[]`
 * (see the module notes). `roles`: the sending device's; messages of other types, answers to
 * requests this service did not acknowledge for this account, and answers after the first are
 * ignored (the administrator's Local spool holds them all the same).
 */
export async function fileResponses(sc: ServiceContext, account: string, roles: readonly string[] | undefined, local: readonly CheckedMessage[]): Promise<void> {
  if (roles !== undefined && !roles.some((r) => r === 'super' || r === 'admin')) return;
  for (const m of local) {
    if (m.messageType !== 'RespondConnection') continue;
    const name = recordName(m.messageId);
    let current: ConnectRecord | undefined;
    try {
      current = readRecord(await sc.store.getRecord(name));
    } catch {
      continue;
    }
    if (current === undefined) {
      // The preconfigured flow (F4 step 3): the answer to a claim, filed under this account, for
      // the device the answer is encrypted to (its base Encryption key), which Complete checks.
      // The first answer stands.
      const fresh: ConnectRecord = { account, requestId: m.messageId, expires: Date.now() + CONNECT_LIFETIME_MS, response: envelopeToString(m.envelope) };
      await sc.store.createRecord(answerName(account, m.messageId), utf8Encode(JSON.stringify(fresh))).catch((e: unknown) => sc.onError(e));
      continue;
    }
    if (current.account !== account || current.response !== undefined) continue;
    const next: ConnectRecord = { ...current, response: envelopeToString(m.envelope) };
    await sc.store.putRecord(name, utf8Encode(JSON.stringify(next))).catch((e: unknown) => sc.onError(e));
  }
  await filePublications(sc, account, local);
}

/** True when the record's answer is encrypted to this device profile's base Encryption key (a claim's answer). */
function answersDevice(record: ConnectRecord, profile: AnyProfile): boolean {
  if (record.response === undefined || profile.$class !== 'ProfileDevice' || profile.Encryption === undefined) return false;
  try {
    const kid = publicKeyOf(profile.Encryption, 'ProfileDevice.Encryption').kid;
    const recipients = inspectMeshEnvelope(parseEnvelope(record.response)).recipients;
    return recipients.length > 0 && recipients.every((r) => r === kid);
  } catch {
    return false;
  }
}

/** T5 Complete (see the module notes). */
export async function complete(sc: ServiceContext, request: CompleteRequest, rc: RequestContext): Promise<CompleteResponse> {
  const auth = rc.auth;
  if (auth?.mode !== 'Device' || auth.profile === undefined) throw forbidden('Complete is signed with the device\'s base Authentication key (Device mode)');
  const id = request.ResponseID;
  if (typeof id !== 'string' || !/^[A-Z2-7-]{8,110}$/.test(id)) throw invalid('CompleteRequest names no ResponseID (a UDF)');
  let record: ConnectRecord | undefined;
  try {
    record = readRecord(await sc.store.getRecord(recordName(id)));
    if (record === undefined && typeof request.AccountAddress === 'string') {
      record = readRecord(await sc.store.getRecord(answerName(canonicalAddress(request.AccountAddress), id)));
    }
  } catch (e) {
    throw refusalOf(e);
  }
  const notFound = () => refuse('BadRequest', { extended: 'NotAuthorized', name: 'MeshResponseNotFound', detail: 'no answer to this request yet' });
  // Another device than the requester learns nothing more than "no answer".
  if (record === undefined) throw notFound();
  if (record.keyid !== undefined ? record.keyid !== auth.keyid || record.deviceUdf !== auth.profile.udf : !answersDevice(record, auth.profile.profile)) throw notFound();
  if (request.AccountAddress !== undefined && request.AccountAddress.toLowerCase() !== record.account) throw notFound();
  if (record.response === undefined) {
    if (Date.now() > record.expires) throw refuse('BadRequest', { extended: 'Timeout', name: 'MeshResponseExpired', detail: 'the request was not answered in time: request again' });
    throw notFound();
  }
  const response = parseEnvelope(record.response) as Enveloped<RespondConnection>;
  return { $class: 'CompleteResponse', EnvelopedRespondConnection: response, EnvelopedAccountHostAssignment: hostAssignment(sc.identity, record.account) };
}
