import { decodeContentMeta } from '../../dare/content-meta.js';
import type { DareEnvelope } from '../../dare/envelope.js';
import type { DarePrivateKey } from '../../dare/keys.js';
import { bytesStore } from '../../dare/sequence/bytes-store.js';
import { SequenceReplica } from '../../dare/sequence/replica.js';
import { concatBytes } from '../../encoding/bytes.js';
import { CATALOG_CTY, decodeCatalogEvent } from '../../mesh/catalog/events.js';
import { MeshError } from '../../mesh/errors.js';
import { checkSealedMessage, MESSAGE_MAX_AGE_MS, type SealedMessageInfo } from '../../mesh/messaging/envelope.js';
import type { Peer } from '../../mesh/messaging/peer.js';
import { peerOf } from '../../mesh/messaging/peer.js';
import { readMeshObject } from '../../mesh/schema/codec.js';
import { isKindOf } from '../../mesh/schema/model.js';
import type { CatalogedIngress } from '../../mesh/schema/types.js';
import { CATALOG } from '../../mesh/stores.js';
import { refuse, type MeshProtocolError } from '../../protocol/status.js';
import type { ServiceStore } from '../store.js';
import type { AccountView } from './access.js';

/**
 * Ingress control (protocol.md T9 "receiving service applies ingress control"; features.md rows
 * 47, 49, 53): what a service checks before a message from another account enters one of its
 * accounts' MMM_Inbound — the same checks whether the sender is on this service (Transact) or
 * on another (Post):
 *
 * 1. **Rate**: at most `rate.messages` per `rate.windowMs` from one sender, and (Post)
 *    `serviceRate` from one service, counted before anything else is checked (429, logged); after
 *    the rules, at most `strangerRate` messages from non-contacts to one recipient.
 * 2. **Authenticity**: the message is signed, header included, by the sender's CommonSignature
 *    from its self-signed profile (a forged sender is refused), encrypted to the recipient's
 *    CommonEncryption (a message for another account is refused), within the age window
 *    (messaging/envelope.ts `checkSealedMessage`).
 * 3. **Rules** from the recipient's MMM_Ingress (encrypted to this service's AccessEncrypt key,
 *    written by the recipient's devices): a `Block` rule for the sender's address or profile →
 *    403 MeshRecipientBlockedSender; a contact request (MessageContact) is admitted from anyone
 *    else; any other message type only from a sender with an `Allow` rule whose ProfileUdf is
 *    the sender's profile (403 MeshMessageInsufficientPrivilege).
 * 4. **Replay**: a MessageId is delivered once (the store's nonce table, durable and shared by
 *    hosts; remembered as long as the age window admits the message).
 *
 * Every refusal is logged through `log` (who, to whom, which message, why) — never content.
 */

/** One refusal, as logged. */
export interface IngressLogEntry {
  readonly time: string;
  readonly sender: string;
  readonly recipient: string;
  readonly messageId?: string;
  /** The symbolic error name (MeshRecipientBlockedSender, …). */
  readonly refused: string;
  readonly detail: string;
}

/** Options of {@link IngressControl}. */
export interface IngressOptions {
  /** Per-sender limit (default 120 messages a minute). */
  readonly rate?: { readonly messages: number; readonly windowMs: number };
  /**
   * Per-service limit on Posts (default 1200 a minute): a service can make accounts at will, so
   * the per-sender limit alone does not bound what one service sends.
   */
  readonly serviceRate?: { readonly messages: number; readonly windowMs: number };
  /**
   * Per-recipient limit on messages from non-contacts — contact requests, which anyone may send
   * (default 60 an hour): whoever mints services and accounts cannot flood an inbox.
   */
  readonly strangerRate?: { readonly messages: number; readonly windowMs: number };
  /** Told of every refusal (default: nothing). */
  readonly log?: (entry: IngressLogEntry) => void;
  /** Clock in milliseconds (tests); default `Date.now`. */
  readonly now?: () => number;
}

/** What is being admitted. */
export interface IngressRequest {
  /** The sending account, from its verified profile. */
  readonly sender: Peer;
  readonly recipient: AccountView;
  readonly envelope: DareEnvelope;
}

/** The nonce-table key under which delivered MessageIds are remembered. */
export const MESSAGE_REPLAY_KEY = 'mmm/message';

const READ_PAGE = { maxEntries: 1024, maxBytes: 8 << 20 };

interface RulesCache {
  readonly created: number;
  readonly frameCount: number;
  readonly rules: ReadonlyMap<string, CatalogedIngress>;
}

/** The ingress control of one service (see the module notes). */
export class IngressControl {
  readonly #rules = new Map<string, RulesCache>();
  readonly #counts = new Map<string, { start: number; count: number }>();
  readonly #rate: { messages: number; windowMs: number };
  readonly #serviceRate: { messages: number; windowMs: number };
  readonly #strangerRate: { messages: number; windowMs: number };
  readonly #log: (entry: IngressLogEntry) => void;
  readonly #now: () => number;

  constructor(private readonly store: ServiceStore, private readonly accessKey: DarePrivateKey, options: IngressOptions = {}) {
    this.#rate = { messages: options.rate?.messages ?? 120, windowMs: options.rate?.windowMs ?? 60_000 };
    this.#serviceRate = { messages: options.serviceRate?.messages ?? 1200, windowMs: options.serviceRate?.windowMs ?? 60_000 };
    this.#strangerRate = { messages: options.strangerRate?.messages ?? 60, windowMs: options.strangerRate?.windowMs ?? 3_600_000 };
    this.#log = options.log ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Admits one message (see the module notes) or throws the refusal (logged). `claim`: also
   * remember its MessageId now (local delivery; Post claims it atomically with its commit).
   */
  async admit(request: IngressRequest, options: { claim?: boolean } = {}): Promise<SealedMessageInfo> {
    const { sender, recipient } = request;
    let messageId: string | undefined;
    const fail = (e: MeshProtocolError): never => {
      this.#log({
        time: new Date(this.#now()).toISOString(), sender: sender.address, recipient: recipient.address,
        ...(messageId === undefined ? {} : { messageId }), refused: e.errorName ?? String(e.status), detail: e.detail ?? '',
      });
      throw e;
    };
    if (!this.#withinRate(sender.address, this.#rate)) {
      fail(refuse('TooManyRequests', { name: 'MeshServiceBlockedSender', detail: `${sender.address} sent more than ${this.#rate.messages} messages in ${this.#rate.windowMs / 1000} s` }));
    }
    let own: Peer;
    try {
      own = peerOf(recipient.envelope, { address: recipient.address });
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
      return fail(refuse('NotFound', { extended: 'NotFound', name: 'MeshUnknownAccount', detail: `${recipient.address} takes no messages (${e.message})` }));
    }
    let info: SealedMessageInfo;
    try {
      info = checkSealedMessage(request.envelope, { sender: sender.signature, recipient: own.encryption, now: this.#now() });
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
      if (e.code === 'MESH_NOT_SIGNED') return fail(refuse('Forbidden', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: e.message }));
      if (e.code === 'MESH_WRONG_ACCOUNT') return fail(refuse('Forbidden', { extended: 'Refused', name: 'MeshMessageInvalid', detail: e.message }));
      return fail(refuse('BadRequest', { name: 'MeshMessageInvalid', detail: e.message }));
    }
    messageId = info.messageId;
    if (sender.udf !== own.udf) {
      const rules = await this.rules(recipient);
      const rule = rules.get(sender.address);
      const blocked = rule?.Action === 'Block' || [...rules.values()].some((r) => r.Action === 'Block' && r.ProfileUdf === sender.udf);
      if (blocked) fail(refuse('Forbidden', { extended: 'Refused', name: 'MeshRecipientBlockedSender', detail: `${recipient.address} does not take messages from ${sender.address}` }));
      const contact = rule?.Action === 'Allow' && rule.ProfileUdf === sender.udf;
      if (!contact && !isKindOf(info.messageType, 'MessageContact')) {
        fail(refuse('Forbidden', { extended: 'Refused', name: 'MeshMessageInsufficientPrivilege', detail: `${recipient.address} takes a ${info.messageType} only from its contacts; ${sender.address} may send a contact request` }));
      }
      if (!contact && !this.#withinRate(`strangers ${recipient.address}`, this.#strangerRate)) {
        fail(refuse('TooManyRequests', { name: 'MeshServiceBlockedSender', detail: `${recipient.address} took ${this.#strangerRate.messages} contact requests in ${this.#strangerRate.windowMs / 1000} s: try later` }));
      }
    }
    if (options.claim === true && !(await this.store.claimNonce(replayClaim(info, recipient.address)))) fail(replayed(info));
    return info;
  }

  /** Logs a refusal decided elsewhere (a replay the commit found). */
  logRefusal(sender: string, recipient: string, messageId: string | undefined, e: MeshProtocolError): void {
    this.#log({ time: new Date(this.#now()).toISOString(), sender, recipient, ...(messageId ? { messageId } : {}), refused: e.errorName ?? String(e.status), detail: e.detail ?? '' });
  }

  /** The recipient's ingress rules by `Key` (sender address), read again when MMM_Ingress moved. */
  async rules(view: AccountView): Promise<ReadonlyMap<string, CatalogedIngress>> {
    const head = await this.store.head(view.address, CATALOG.ingress);
    const cached = this.#rules.get(view.address);
    if (cached !== undefined && cached.created === view.record.created && cached.frameCount === head.nextIndex) return cached.rules;
    const frames = await ingressFrames(this.store, view.address);
    let rules: Map<string, CatalogedIngress>;
    try {
      rules = await decodeIngressCatalog(frames, this.accessKey);
    } catch {
      // Unreadable rules: no sender is a contact, but no block holds either — contact requests
      // still come through, so the account can repair its catalog with the help of its contacts.
      rules = new Map();
    }
    if (this.#rules.size > 10_000) this.#rules.delete(this.#rules.keys().next().value!);
    this.#rules.set(view.address, { created: view.record.created, frameCount: frames.length, rules });
    return rules;
  }

  /**
   * Counts one Post from the service `serviceUdf` (before anything of it is checked: the cheapest
   * refusal comes first); throws the refusal (logged) past {@link IngressOptions.serviceRate}.
   */
  admitService(serviceUdf: string): void {
    if (this.#withinRate(`service ${serviceUdf}`, this.#serviceRate)) return;
    const e = refuse('TooManyRequests', { name: 'MeshServiceBlockedService', detail: `service ${serviceUdf} posted more than ${this.#serviceRate.messages} messages in ${this.#serviceRate.windowMs / 1000} s` });
    this.#log({ time: new Date(this.#now()).toISOString(), sender: `service ${serviceUdf}`, recipient: '', refused: e.errorName ?? String(e.status), detail: e.detail ?? '' });
    throw e;
  }

  #withinRate(key: string, rate: { messages: number; windowMs: number }): boolean {
    const now = this.#now();
    const c = this.#counts.get(key);
    if (c === undefined || now - c.start >= rate.windowMs) {
      if (this.#counts.size > 100_000) this.#counts.clear();
      this.#counts.set(key, { start: now, count: 1 });
      return true;
    }
    c.count++;
    return c.count <= rate.messages;
  }
}

/** Every frame of an account's MMM_Ingress. */
async function ingressFrames(store: ServiceStore, address: string): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (;;) {
    const page = await store.read(address, CATALOG.ingress, frames.length, READ_PAGE);
    frames.push(...page.frames);
    if (!page.partial || page.frames.length === 0) return frames;
  }
}

/**
 * An upload to MMM_Ingress must leave rules this service can read (frame 0 encrypted also to its
 * AccessEncrypt key, a catalog of CatalogedIngress): a block the service cannot read would not
 * hold. Throws the decoding error otherwise (Transact refuses the upload).
 */
export async function checkIngressUpload(store: ServiceStore, accessKey: DarePrivateKey, address: string, frames: readonly Uint8Array[]): Promise<void> {
  await decodeIngressCatalog([...(await ingressFrames(store, address)), ...frames], accessKey);
}

/** The nonce claim that remembers a message delivered to `recipient` for as long as its age admits it. */
export function replayClaim(info: SealedMessageInfo, recipient: string): { key: string; nonce: string; expires: number } {
  return { key: `${MESSAGE_REPLAY_KEY} ${recipient}`, nonce: info.messageId, expires: info.created.getTime() + MESSAGE_MAX_AGE_MS };
}

/** The refusal of a message delivered before. */
export function replayed(info: SealedMessageInfo): MeshProtocolError {
  return refuse('Forbidden', { extended: 'Refused', name: 'MeshMessageInvalid', detail: `message ${info.messageId} was delivered before (a replay)` });
}

/**
 * Decodes MMM_Ingress from its frames with the service's AccessEncrypt key: frame 0 its header,
 * every later frame a catalog event of a CatalogedIngress keyed by `Key` (lifecycle checked as
 * the Access catalog's is).
 */
export async function decodeIngressCatalog(frames: readonly Uint8Array[], key: DarePrivateKey): Promise<Map<string, CatalogedIngress>> {
  const entries = new Map<string, CatalogedIngress>();
  if (frames.length === 0) return entries;
  const replica = await SequenceReplica.open(bytesStore(concatBytes(...frames)), {
    keys: [key], adoptPolicy: true, requireAuthor: false,
    onFrame: (f) => {
      if (f.index === 0) {
        const meta = f.contentMeta ? decodeContentMeta(f.contentMeta) : undefined;
        if (meta?.uniqueId !== CATALOG.ingress || meta.cty !== CATALOG_CTY) throw new MeshError('MESH_WRONG_STORE', `frame 0 is not the header of ${CATALOG.ingress}`);
        return;
      }
      const event = decodeCatalogEvent(f.contentMeta, f.index);
      if (event.event === 'Delete') {
        entries.delete(event.uniqueId);
        return;
      }
      if (f.payload === undefined) throw new MeshError('MESH_INVALID', `frame ${f.index} could not be decrypted`);
      const entry = readMeshObject(f.payload, 'CatalogedIngress');
      if (entry.Key !== event.uniqueId) throw new MeshError('MESH_INVALID', `frame ${f.index}: the rule's Key is not its UniqueId`);
      entries.set(event.uniqueId, entry);
    },
  });
  await replica.close();
  return entries;
}
