import type { DareEnvelope } from '../../dare/envelope.js';
import { MeshError } from '../../mesh/errors.js';
import { checkSealedMessage, type SealedMessageInfo } from '../../mesh/messaging/envelope.js';
import { peerOf, type Peer } from '../../mesh/messaging/peer.js';
import type { Enveloped } from '../../mesh/schema/object.js';
import type { AnyProfileAccount, LookupRequest, LookupResponse, PostRequest, PostResponse } from '../../mesh/schema/types.js';
import { writeMeshObject } from '../../mesh/schema/codec.js';
import { SPOOL } from '../../mesh/stores.js';
import { MESSAGE_LIMIT } from '../../protocol/transactions.js';
import { MeshHttpClient, serviceCredential, type FetchFunction } from '../../protocol/client.js';
import { discoverService } from '../../protocol/discovery.js';
import { ProtocolError } from '../../protocol/errors.js';
import type { RequestContext } from '../../protocol/service.js';
import type { SrvLookup } from '../../protocol/srv.js';
import { MeshProtocolError, refuse } from '../../protocol/status.js';
import { ServiceConflictError, ServiceStoreError } from '../store-errors.js';
import { canonicalAddress } from '../store-rules.js';
import type { AccountRecord } from '../store.js';
import type { AccountView } from './access.js';
import type { ServiceContext } from './context.js';
import { forbidden, invalid, refusalOf, unknownAccount } from './errors.js';
import { deliveryCompletion, type DeliveryOutcome } from './delivery-state.js';
import { deliveryAttempt, dropDelivery, leaseAttempt, pendingDeliveries, saveDelivery } from './outbox.js';
import { IngressControl, replayClaim, replayed, type IngressOptions } from './ingress.js';
import { checkMessages, spoolFrames, type CheckedMessage, type Delivery } from './messages.js';

/**
 * Messages between services (protocol.md T9 Post, the four-corner model; features.md row 52),
 * and the account lookup a first message needs:
 *
 * - **Sending** ({@link ServiceMessaging.deliverRemote}, after the sender's Transact committed;
 *   kept in the store's outbox until answered, outbox.ts):
 *   the sender's service checks each outbound message is signed by its own account
 *   ({@link ServiceMessaging.checkOutbound}, before the commit), finds the recipient's service
 *   (`MESH_RESOLVE`, SRV, `.well-known`: protocol/discovery.ts), pins it by Hello, and posts one
 *   message to one account per Post, signed under RFC 9421 with its own ServiceAuthentication
 *   key (Service credential: its self-signed ProfileService). It carries the sender's address and
 *   self-signed profile. The outcome is recorded in the sender's MMM_Outbound as a delivery
 *   completion (`Received` / `Refused`, mesh-model.md §9.3).
 * - **Receiving** ({@link ServiceMessaging.post}): the body is at most 32 KiB (refused before it
 *   is parsed, MeshRequestSize); the sending service authenticated with its profile's key; the
 *   sender's profile is self-signed, for the address it claims, and names *that* service
 *   (ProfileAccount.ServiceUdf): a service speaks only for its own accounts, and never for this
 *   service's; then ingress control (ingress.ts) with the message signature checked against the
 *   sender's profile; the message is appended to the recipient's MMM_Inbound with its MessageId
 *   claimed in the same commit (a replay is refused). Push follows from the store's change feed.
 * - **Lookup** (this binding's): a device of this service asks for the profile of an account —
 *   here, or at another service, which this one asks in turn (and takes the answer only if the
 *   profile is that address's and names the service that answered); a peer service may ask
 *   about this one's accounts. The device verifies what it gets (self-signed, for that address).
 */

/** Options of {@link ServiceMessaging}. */
export interface ServiceMessagingOptions extends IngressOptions {
  /** MESH_RESOLVE (`a.test=http://127.0.0.1:P1,…`), or a function giving it now (tests whose ports come late). */
  readonly resolve?: string | (() => string | undefined);
  /** SRV lookup of the runtime (Node: adapters/http/node-srv.ts); without it, `.well-known` after MESH_RESOLVE. */
  readonly srv?: SrvLookup;
  readonly fetch?: FetchFunction;
  /** Timeout of one request to another service, milliseconds. */
  readonly timeoutMs?: number;
  /** Waits before each new attempt at an unreachable service (default 5 s, 30 s, 2 min, 10 min, 30 min). */
  readonly retryDelaysMs?: readonly number[];
  /** Wait before the deliveries a previous run left are taken up (default: the first retry delay). */
  readonly resumeDelayMs?: number;
}

/** How long one host holds an attempt at a delivery before another may make it. */
const LEASE_MS = 120_000;

/** Default waits between attempts at an unreachable service. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000];

type Outcome = DeliveryOutcome;

/** The messaging part of the Mesh service (see the module notes). */
export class ServiceMessaging {
  readonly ingress: IngressControl;
  readonly #clients = new Map<string, MeshHttpClient>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(private readonly sc: () => ServiceContext, private readonly options: ServiceMessagingOptions = {}) {
    const ctx = sc();
    this.ingress = new IngressControl(ctx.store, ctx.identity.accessKey, options);
  }

  /** The sender's peer: a local account's verified profile. */
  async #localPeer(address: string): Promise<{ view: AccountView; peer: Peer }> {
    const view = await this.sc().access.account(address);
    if (view === undefined) throw unknownAccount(`no account ${address.slice(0, 100)}`);
    try {
      return { view, peer: peerOf(view.envelope, { address: view.address }) };
    } catch (e) {
      throw forbidden(`${view.address} sends no messages: ${(e as Error).message}`);
    }
  }

  /** Ingress control for a delivery between two accounts of this service (MessageRouting.admit). */
  readonly admitLocal = async (delivery: Delivery): Promise<void> => {
    const { peer } = await this.#localPeer(delivery.sender);
    const recipient = await this.sc().access.account(delivery.recipient);
    if (recipient === undefined) throw unknownAccount(`no account ${delivery.recipient.slice(0, 100)}`);
    await this.ingress.admit({ sender: peer, recipient, envelope: delivery.envelope }, { claim: true });
  };

  /**
   * Before a Transact that sends to another service commits: every outbound message is signed,
   * header included, by the sending account's CommonSignature (the service vouches for nothing
   * it forwards that its account did not sign).
   */
  readonly checkOutbound = async (sender: string, envelope: DareEnvelope): Promise<void> => {
    const { view, peer } = await this.#localPeer(sender);
    try {
      checkSealedMessage(envelope, { sender: peer.signature });
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
      throw refuse('Forbidden', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: e.message });
    }
    // Refused now, not after the commit: a message whose Post (with the sender's profile) would not fit.
    const size = writeMeshObject(postRequest(view, 'x'.repeat(320), envelope)).length;
    if (size > MESSAGE_LIMIT) {
      throw refuse('BadRequest', { extended: 'TooLarge', name: 'MeshRequestSize', detail: `with the sender's profile, this message makes a ${size}-byte Post; the limit is ${MESSAGE_LIMIT}` });
    }
  };

  /** T9 Post (see the module notes). */
  readonly post = async (request: PostRequest, rc: RequestContext): Promise<PostResponse> => {
    const sc = this.sc();
    const auth = rc.auth;
    if (auth?.mode !== 'Service' || auth.profile === undefined) throw refuse('ClientUnauthorized', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: 'Post is a service\'s' });
    const from = auth.profile.udf;
    this.ingress.admitService(from);
    const accounts = request.Accounts ?? [];
    const messages = request.Messages ?? [];
    if (accounts.length !== 1 || messages.length !== 1) throw invalid('a Post carries one message to one account');
    if (typeof request.Sender !== 'string' || request.EnvelopedProfileSender === undefined) throw invalid('a Post names its Sender and carries the sender\'s profile');
    let sender: Peer;
    try {
      sender = peerOf(request.EnvelopedProfileSender, { address: request.Sender });
    } catch (e) {
      throw invalid(`EnvelopedProfileSender: ${(e as Error).message}`);
    }
    if (sender.profile.ServiceUdf !== from) {
      throw refuse('Forbidden', { extended: 'NotAuthorized', name: 'MeshServiceBlockedService', detail: `${sender.address} is an account of service ${String(sender.profile.ServiceUdf)}, not of the service that posted (${from})` });
    }
    if (sc.domains === undefined) throw refuse('Forbidden', { extended: 'Refused', name: 'MeshServiceBlockedService', detail: 'this service holds accounts of every domain: it takes no Post' });
    if (sc.routing.isLocal?.(sender.address) === true || (await sc.store.getAccount(sender.address)) !== undefined) {
      throw refuse('Forbidden', { extended: 'NotAuthorized', name: 'MeshServiceBlockedService', detail: `${sender.address} is an account of this service` });
    }
    const [checked] = checkMessages(messages as DareEnvelope[], 'Messages');
    let address: string;
    try {
      address = canonicalAddress(accounts[0]!);
    } catch {
      throw invalid('Accounts[0] is not an account address');
    }
    const recipient = await sc.access.account(address);
    if (recipient === undefined) throw unknownAccount(`no account ${address.slice(0, 100)} on this service`);
    const info = await this.ingress.admit({ sender, recipient, envelope: checked!.envelope });
    try {
      await appendMessages(sc, recipient.record, SPOOL.inbound, [checked!], info);
    } catch (e) {
      if (e instanceof ServiceStoreError && e.code === 'SERVICE_REPLAY') {
        const r = replayed(info);
        this.ingress.logRefusal(sender.address, recipient.address, info.messageId, r);
        throw r;
      }
      throw refusalOf(e);
    }
    return { $class: 'PostResponse', Entries: [{ $class: 'EntryResponse', IndexRequest: 0, Result: 'Accept' }] };
  };

  /** Lookup (see the module notes). */
  readonly lookup = async (request: LookupRequest, rc: RequestContext): Promise<LookupResponse> => {
    const sc = this.sc();
    const auth = rc.auth;
    if (auth === undefined) throw refuse('ClientUnauthorized', { extended: 'NotAuthorized', name: 'NotAuthenticated' });
    if (auth.mode === 'Connection') {
      const own = await sc.access.account(auth.account!);
      if (own === undefined || (await sc.access.grant(own, auth.keyid)) === undefined) throw refuse('Forbidden', { extended: 'DeviceRevoked', name: 'NotAuthorized' });
    }
    let target: string;
    try {
      target = canonicalAddress(String(request.Target ?? ''));
    } catch {
      throw invalid('Target is not an account address');
    }
    const view = await sc.access.account(target);
    if (view !== undefined) return { $class: 'LookupResponse', EnvelopedProfileAccount: view.envelope };
    if (auth.mode !== 'Connection' || sc.routing.isLocal?.(target) !== false) throw unknownAccount(`no account ${target.slice(0, 100)} on this service`);
    let client: MeshHttpClient;
    let answer: LookupResponse;
    try {
      client = await this.#client(target);
      answer = await client.request('Lookup', { $class: 'LookupRequest', Target: target }, this.#credential());
    } catch (e) {
      // The other service's answer is not ours to pass on as such (its 401 is not the device's).
      if (e instanceof MeshProtocolError) throw unknownAccount(`${target.slice(0, 100)}: its service answered ${e.errorName ?? e.status}${e.detail ? `: ${e.detail.slice(0, 200)}` : ''}`);
      if (e instanceof ProtocolError) throw refuse('ServerOverload', { name: 'MeshOperationFailed', detail: `the service of ${target.slice(0, 100)} cannot be reached: ${e.message.slice(0, 200)}` });
      throw e;
    }
    if (answer.EnvelopedProfileAccount === undefined) throw unknownAccount(`${target.slice(0, 100)}: its service gave no profile`);
    // The profile must be that address's, and name the service that gave it (the one its domain resolves to).
    let peer: Peer;
    try {
      peer = peerOf(answer.EnvelopedProfileAccount, { address: target });
    } catch (e) {
      throw refuse('NotFound', { extended: 'NotFound', name: 'MeshUnknownAccount', detail: `${target.slice(0, 100)}: its service gave an unusable profile: ${(e as Error).message}` });
    }
    if (peer.profile.ServiceUdf !== client.service?.udf) {
      throw refuse('NotFound', { extended: 'NotFound', name: 'MeshUnknownAccount', detail: `${target.slice(0, 100)}: the profile names service ${String(peer.profile.ServiceUdf)}, not the one that answered (${String(client.service?.udf)})` });
    }
    return { $class: 'LookupResponse', EnvelopedProfileAccount: answer.EnvelopedProfileAccount };
  };

  /**
   * Delivers to accounts of other services (MessageRouting.deliverRemote), one Post per message
   * and recipient, and records each outcome in the sender's MMM_Outbound. Each delivery is in the
   * store's outbox (outbox.ts) until the other service answered: a failure that is not a refusal
   * (the other service unreachable) is reported and tried again after each of `retryDelaysMs`,
   * also after a restart ({@link resume}); the message stays `Initial` meanwhile.
   */
  readonly deliverRemote = async (sender: string, recipients: readonly string[], messages: readonly DareEnvelope[]): Promise<void> => {
    const { view } = await this.#localPeer(sender);
    for (const recipient of recipients) {
      for (const envelope of messages) {
        const [checked] = checkMessages([envelope], 'Outbound');
        const name = await saveDelivery(this.sc().store, checked!.messageId, { sender: view.address, recipient, envelope, attempt: 0 });
        await this.#attempt(view, name, recipient, envelope, 0);
      }
    }
  };

  /**
   * Takes up the deliveries a previous run left in the outbox (each after `resumeDelayMs`,
   * default the first retry delay). MeshService calls it when it opens.
   */
  async resume(): Promise<number> {
    const sc = this.sc();
    const pending = await pendingDeliveries(sc.store);
    for (const { name, delivery } of pending) {
      const view = await sc.access.account(delivery.sender);
      if (view === undefined) {
        await dropDelivery(sc.store, name);
        continue;
      }
      this.#schedule(view, name, delivery.recipient, delivery.envelope, delivery.attempt, this.options.resumeDelayMs ?? (this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)[0] ?? 0);
    }
    return pending.length;
  }

  /** Stops the pending retries (the service is closing; the outbox keeps them for the next run). */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  async #attempt(view: AccountView, name: string, recipient: string, envelope: DareEnvelope, attempt: number): Promise<void> {
    const sc = this.sc();
    // Still ours to make: in the outbox, this attempt next (else another host answered or moved on).
    if (this.#closed || (await deliveryAttempt(sc.store, name)) !== attempt) return;
    if (!(await leaseAttempt(sc.store, name, attempt, LEASE_MS))) {
      // Another host is at it; look again once its lease ran out, in case it died holding it.
      this.#schedule(view, name, recipient, envelope, attempt, LEASE_MS);
      return;
    }
    const [checked] = checkMessages([envelope], 'Outbound');
    let outcome: Outcome;
    try {
      const client = await this.#client(recipient);
      await client.request('Post', postRequest(view, recipient, envelope), this.#credential());
      outcome = { messageId: checked!.messageId, relationship: 'Received' };
    } catch (e) {
      if (!(e instanceof MeshProtocolError)) {
        sc.onError(e);
        const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
        if (attempt < delays.length) {
          await saveDelivery(sc.store, checked!.messageId, { sender: view.address, recipient, envelope, attempt: attempt + 1 });
          this.#schedule(view, name, recipient, envelope, attempt + 1, delays[attempt]!);
        } else {
          await dropDelivery(sc.store, name); // given up: the message stays Initial in MMM_Outbound
        }
        return;
      }
      // A refusal is the other service's decision (it logs it), recorded for the sender; not a failure here.
      outcome = { messageId: checked!.messageId, relationship: 'Refused' };
    }
    // Recorded, then out of the outbox: a crash in between posts again, and the other service's
    // replay refusal cannot undo Received (spool/states.ts: delivery states never go back).
    await this.#record(view, [outcome]);
    await dropDelivery(sc.store, name);
  }

  #schedule(view: AccountView, name: string, recipient: string, envelope: DareEnvelope, attempt: number, delay: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#attempt(view, name, recipient, envelope, attempt).catch((err: unknown) => this.sc().onError(err));
    }, delay);
    (timer as { unref?: () => void }).unref?.();
    this.#timers.add(timer);
  }

  /** Appends the delivery outcomes to the sender's MMM_Outbound (one MessageComplete). */
  async #record(view: AccountView, outcomes: readonly Outcome[]): Promise<void> {
    if (outcomes.length === 0 || this.#closed) return;
    await appendMessages(this.sc(), view.record, SPOOL.outbound, [deliveryCompletion(outcomes)]);
  }

  #credential(): ReturnType<typeof serviceCredential> {
    const identity = this.sc().identity;
    return serviceCredential(identity.profile, identity.authenticationKey);
  }

  /** A client of the service of `address`'s domain, pinned on first use. */
  async #client(address: string): Promise<MeshHttpClient> {
    const resolve = typeof this.options.resolve === 'function' ? this.options.resolve() : this.options.resolve;
    const endpoint = await discoverService(address, { ...(resolve ? { resolve } : {}), ...(this.options.srv ? { srv: this.options.srv } : {}) });
    const known = this.#clients.get(endpoint.url);
    if (known !== undefined) return known;
    const client = new MeshHttpClient({
      endpoint: endpoint.url, ...(this.options.fetch ? { fetch: this.options.fetch } : {}), ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    const hello = await client.hello();
    if (hello.service.udf === this.sc().identity.udf) throw refuse('NotFound', { name: 'MeshUnknownAccount', detail: `${address} resolves to this service` });
    if (this.#clients.size > 1000) this.#clients.clear();
    this.#clients.set(endpoint.url, client);
    return client;
  }
}

/** The Post of one message from a local account to `recipient`. */
function postRequest(sender: AccountView, recipient: string, envelope: DareEnvelope): PostRequest {
  return {
    $class: 'PostRequest', Accounts: [recipient], Messages: [envelope as Enveloped<never>], Sender: sender.address,
    EnvelopedProfileSender: sender.envelope as Enveloped<AnyProfileAccount>,
  };
}

/** Attempts when a spool moved under the service (another host delivered to it). */
const ATTEMPTS = 5;

/**
 * Appends service-built frames of `messages` to one spool of an account, retrying when another
 * writer moved the spool; `claim`: remember this message as delivered in the same commit.
 */
async function appendMessages(sc: ServiceContext, record: AccountRecord, label: string, messages: readonly CheckedMessage[], claim?: SealedMessageInfo): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const base = await sc.states.current(record, label);
    const built = spoolFrames(base, label, messages, await sc.access.spoolKey(record.address, label));
    try {
      await sc.store.transact(
        [{ account: record.address, store: label, expectedNextIndex: base.state.frameCount, frames: built.frames, digest: built.after.state.head! }],
        claim === undefined ? {} : { nonce: replayClaim(claim, record.address) },
      );
    } catch (e) {
      if (e instanceof ServiceConflictError) continue;
      throw e;
    }
    sc.states.set(record, label, built.after);
    return;
  }
  throw refuse('ServerOverload', { name: 'MeshOperationFailed', detail: `${label} of ${record.address} kept changing: try again` });
}
