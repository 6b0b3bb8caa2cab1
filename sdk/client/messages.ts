import { sha512 } from '../crypto/hashes.js';
import type { DareEnvelope } from '../dare/envelope.js';
import type { DarePrivateKey } from '../dare/keys.js';
import { constantTimeEqual } from '../encoding/bytes.js';
import { MeshError } from '../mesh/errors.js';
import { openMeshEnvelope, sealMeshObject } from '../mesh/envelopes.js';
import { newMessageId, openMessage, sealMessage, type OpenedMessage } from '../mesh/messaging/envelope.js';
import { canonicalAccount, contactEntryOf, peerOf, peerOfContact, type Peer } from '../mesh/messaging/peer.js';
import { isKindOf } from '../mesh/schema/model.js';
import { meshObjectToString } from '../mesh/schema/codec.js';
import type { Enveloped } from '../mesh/schema/object.js';
import type {
  AnyMessage, CatalogedContact, CatalogedIngress, ContactPerson, MessageContact, MessagePin, RequestConfirmation, ResponseConfirmation,
} from '../mesh/schema/types.js';
import type { Spool } from '../mesh/spool/spool.js';
import { envelopeId as envelopeIdOf, responseId as responseIdOf } from '../udf/message-id.js';
import { newPin, PIN_ACTION, pinId as pinIdOf, pinWitness, saltedPin } from '../udf/pin.js';
import { defaultRandom } from '../udf/random.js';
import { UDF_TYPE } from '../udf/types.js';
import { connectionUri, parseConnectionUri } from '../udf/uri.js';
import { SPOOL } from '../mesh/stores.js';
import { MeshClientError } from './errors.js';
import { claimPublication, publish } from './publications.js';
import { newContactCard, publishedContact } from '../mesh/messaging/contact-card.js';
import { parseConnectUri } from '../mesh/connect/uri.js';
import type { FetchFunction } from '../protocol/client.js';
import { MeshProtocolError } from '../protocol/status.js';
import type { MeshClient } from './mesh-client.js';

/**
 * Messages between people (protocol.md F6, F7; features.md rows 44–49): contact exchange,
 * confirmations, ingress rules — on top of a {@link MeshClient}.
 *
 * Every message is sealed by this account's CommonSignature and encrypted to the recipient's
 * CommonEncryption (and this account's, so that its other devices can read what it sent), and
 * every message acted on is opened with `openMessage`: the signature must be the sender's, from
 * a contact we hold or — for a contact request — from the self contact it carries.
 *
 * - The first message to someone needs their profile: **Lookup** at this account's service, which
 *   asks theirs; the profile must be self-signed and be that address's.
 * - `contactRequest` sends a MessageContact (our signed self contact, `Reply: true`);
 *   `accept` files the sender as a contact (MMM_Contact), admits them at our service
 *   (an `Allow` rule in MMM_Ingress), replies with our own contact (`MessageId` = the request's
 *   ResponseId, `Reply: false`) and closes the request; `processAutomatic` (`account sync
 *   --auto`) takes such a reply — only when it answers a contact request we sent to that very
 *   account — and files the contact. This binds the reply to our request by its ResponseId and the
 *   replier's signature, which REF does with a PIN and unsigned messages.
 * - `confirm` sends a RequestConfirmation (and admits the one asked, whose answer must come
 *   through our service); `accept` / `reject` answer with a ResponseConfirmation
 *   (`Accept` true / false, the request enclosed); `status` finds the answer by its ResponseId
 *   and checks that it encloses our own request, sent to the one who answered.
 * - `block` adds a `Block` rule: our service refuses that sender from then on.
 * - **Dynamic contact URI** (row 51; mesh-model.md §10): `dynamicContact` files a MessagePin
 *   (Action `Contact`, Automatic, an expiry) in MMM_Local and gives `mcu://ADDRESS/PIN`;
 *   `exchangeContact(URI)` sends a contact request carrying `PinId` and the `PinWitness` over our
 *   self contact; the publisher's `processAutomatic` takes it without a question when the PIN is
 *   known, open, unexpired, automatic, for contacts, and the witness matches — once: the PIN is
 *   closed with the same sync — and answers with its own contact, which ours files in turn.
 * - **Static contact URI** (row 50; protocol.md F6 "Static QR"): `staticContact` publishes our
 *   signed self contact as a contact card (publications.ts, mesh/messaging/contact-card.ts) and
 *   gives `mcu://ADDRESS/E…`; `fetchContact(URI)` claims it at ADDRESS's service — no device of
 *   ADDRESS need be running — verifies it against the profile that service gives for ADDRESS, and
 *   files the contact. REF's MessagePin beside the card (so that `contact exchange` works with the
 *   static URI too) is not made: that exchange takes a dynamic URI here.
 *
 * State (mesh-model.md §9.3): a handled request is `Closed` in MMM_Inbound (with the ResponseId
 * sent), so it leaves `pending` on every device once synced; nothing is edited in place.
 */

/** What a send returns (the ids `contact request` and `message confirm` print). */
export interface SentMessage {
  readonly messageId: string;
  readonly envelopeId: string;
  readonly responseId: string;
  readonly recipient: string;
}

/** A message waiting for its recipient (`message pending`). */
export interface PendingMessage {
  readonly messageId: string;
  readonly messageType: string;
  readonly sender: string;
  readonly created: string | undefined;
  /** A request's text: a contact request's subject, a confirmation's question. */
  readonly text?: string;
  /** True when the sender is one of our contacts. */
  readonly fromContact: boolean;
  /** True when an earlier listing on any device of the account showed it (its state was `Read`). */
  readonly read: boolean;
  /** With `raw`: the verified message as its sender signed it (tagged JSON). */
  readonly raw?: string;
}

/** Options of {@link MeshMessages.pending} (`message pending --read | --unread, --raw`). */
export interface PendingOptions {
  /** Only the requests listed before (`read`) or only the new ones (`unread`); default both. */
  readonly only?: 'read' | 'unread';
  /** Add each message's verified content (tagged JSON). */
  readonly raw?: boolean;
}

/** The answer to a confirmation request (`message status`). */
export type ConfirmationStatus = 'Accept' | 'Reject' | 'Pending';

/** Messages of one account (see the module notes). */
export class MeshMessages {
  constructor(readonly client: MeshClient) {}

  get #account() {
    return this.client.account;
  }

  #key(grant: 'Signature' | 'Encryption'): DarePrivateKey {
    const key = this.#account.activation.accountKeys[grant];
    if (key === undefined) throw new MeshClientError('CLIENT_NOT_AUTHORIZED', `this device does not hold the account's Common${grant} key (the message role grants it)`);
    return key;
  }

  /** This account as a peer (its own profile). */
  get self(): Peer {
    return peerOf(this.#account.state.profile, { address: this.#account.address });
  }

  /** The profile of `address`, looked up at its service through ours, verified for that address. */
  async lookup(address: string): Promise<Peer> {
    const target = canonicalAccount(address);
    const answer = await this.client.http.request('Lookup', { $class: 'LookupRequest', Target: target }, this.client.deviceCredential());
    if (answer.EnvelopedProfileAccount === undefined) throw new MeshClientError('CLIENT_BAD_RESPONSE', `Lookup: no profile for ${target}`);
    return peerOf(answer.EnvelopedProfileAccount, { address: target });
  }

  /** Our contacts with a verified profile, by address. */
  async contacts(): Promise<Map<string, Peer>> {
    const catalog = await this.#account.catalog('contact');
    try {
      const out = new Map<string, Peer>();
      for (const entry of catalog.list()) {
        if (entry.Self === true) continue;
        const peer = peerOfContact(entry);
        if (peer !== undefined) out.set(peer.address, peer);
      }
      return out;
    } finally {
      await catalog.close();
    }
  }

  /** Our signed self contact (the `Self` source of the self entry in MMM_Contact). */
  async #selfContact(): Promise<Enveloped<ContactPerson>> {
    const catalog = await this.#account.catalog('contact');
    try {
      const self = catalog.list().find((e) => e.Self === true);
      const signed = self?.Contact?.Sources?.find((s) => s.Validation === 'Self')?.EnvelopedSource;
      if (signed === undefined) throw new MeshClientError('CLIENT_NOT_AUTHORIZED', `${this.#account.address} has no signed self contact`);
      return signed as Enveloped<ContactPerson>;
    } finally {
      await catalog.close();
    }
  }

  /** Seals `message` to `peer` and sends it through our service (Transact Outbound). */
  async #send(peer: Peer, message: AnyMessage): Promise<SentMessage> {
    const sealed = sealMessage(message, { signer: this.#key('Signature'), recipients: [peer.encryption, this.self.encryption] });
    await this.client.http.request('Transact', {
      $class: 'TransactRequest', Account: this.#account.address, Outbound: [sealed], Accounts: [peer.address],
    }, this.client.deviceCredential());
    const id = message.MessageId!;
    return { messageId: id, envelopeId: envelopeIdOf(id), responseId: responseIdOf(id), recipient: peer.address };
  }

  /** `contact request ADDRESS` (F6 step 1). */
  async contactRequest(address: string, options: { subject?: string } = {}): Promise<SentMessage> {
    const peer = await this.lookup(address);
    const message: MessageContact = {
      $class: 'MessageContact', MessageId: newMessageId(), Sender: this.#account.address, Recipient: peer.address,
      AuthenticatedData: await this.#selfContact() as Enveloped<never>, Reply: true, ...(options.subject ? { Subject: options.subject } : {}),
    };
    return this.#send(peer, message);
  }

  /** `message confirm ADDRESS TEXT` (F7 step 1): the one asked is admitted at our service, so that the answer gets through. */
  async confirm(address: string, text: string): Promise<SentMessage> {
    const peer = (await this.contacts()).get(canonicalAccount(address)) ?? await this.lookup(address);
    await this.#rule(peer, 'Allow');
    await this.client.sync();
    const message: RequestConfirmation = { $class: 'RequestConfirmation', MessageId: newMessageId(), Sender: this.#account.address, Recipient: peer.address, Text: text };
    return this.#send(peer, message);
  }

  /** Opens a message of MMM_Inbound (see the module notes). */
  async #open(spool: Spool, messageId: string, contacts: Map<string, Peer>): Promise<OpenedMessage> {
    const envelope = await spool.read(messageId);
    return openMessage(envelope, { key: this.#key('Encryption'), me: this.#account.address, contact: (a) => contacts.get(a) });
  }

  /** Runs `f` on MMM_Inbound (closed after). */
  async #inbound<T>(f: (spool: Spool) => Promise<T>): Promise<T> {
    const spool = await this.#account.spool('inbound');
    try {
      return await f(spool);
    } finally {
      await spool.close();
    }
  }

  /**
   * `message pending` (row 45): requests in MMM_Inbound not yet handled — every open message
   * except answers (ResponseConfirmation) and completions — that open and verify; after a sync.
   * A request listed is marked `Read` (mesh-model.md §9.3, synced to every device), so that
   * `only: 'unread'` lists just what came since, and `only: 'read'` what was seen and is still
   * open; `raw` adds each message's verified content.
   */
  async pending(options: PendingOptions = {}): Promise<PendingMessage[]> {
    await this.client.sync();
    const contacts = await this.contacts();
    const states: ('Initial' | 'Read')[] = options.only === 'read' ? ['Read'] : options.only === 'unread' ? ['Initial'] : ['Initial', 'Read'];
    let marked = 0;
    const listed = await this.#inbound(async (spool) => {
      const out: PendingMessage[] = [];
      for (const m of spool.list({ state: states })) {
        if (isKindOf(m.messageType, 'ResponseConfirmation')) continue;
        let opened: OpenedMessage;
        try {
          opened = await this.#open(spool, m.messageId, contacts);
        } catch (e) {
          if (e instanceof MeshError) continue; // not authentic: never shown as a request
          throw e;
        }
        const text = opened.message.$class === 'RequestConfirmation' ? (opened.message as RequestConfirmation).Text : (opened.message as MessageContact).Subject;
        out.push({
          messageId: m.messageId, messageType: m.messageType, sender: opened.sender.address, created: m.created, fromContact: opened.fromContact,
          read: m.state === 'Read', ...(typeof text === 'string' ? { text } : {}), ...(options.raw ? { raw: meshObjectToString(opened.message) } : {}),
        });
        if (m.state === 'Initial') {
          await spool.mark(m.messageId, 'Read');
          marked++;
        }
      }
      return out;
    });
    if (marked > 0) await this.client.sync();
    return listed;
  }

  /** Files `peer` as a contact from its signed self contact, and admits it. */
  async #addContact(peer: Peer, signed: Enveloped<ContactPerson>, person: ContactPerson): Promise<void> {
    const catalog = await this.#account.catalog('contact');
    try {
      // One entry per address: a contact filed before under another key is replaced.
      for (const e of catalog.list()) {
        if (e.Self !== true && e.Key !== peer.udf && peerOfContact(e)?.address === peer.address) await catalog.delete(e.Key!);
      }
      await catalog.put(contactEntryOf(peer, signed, person) as CatalogedContact);
    } finally {
      await catalog.close();
    }
    await this.#rule(peer, 'Allow');
  }

  /** Writes an ingress rule for `peer` (MMM_Ingress, read by our service). */
  async #rule(peer: Peer, action: 'Allow' | 'Block'): Promise<void> {
    const catalog = await this.#account.catalog('ingress');
    try {
      const current = catalog.get(peer.address);
      if (current?.Action === 'Block' && action === 'Allow') return; // a block stands until lifted by hand
      if (current?.Action === action && current.ProfileUdf === peer.udf) return;
      const rule: CatalogedIngress = { $class: 'CatalogedIngress', Key: peer.address, ProfileUdf: peer.udf, Action: action };
      await catalog.put(rule);
    } finally {
      await catalog.close();
    }
  }

  /** `message accept ID` (rows 44, 46, 48). */
  async accept(messageId: string): Promise<{ readonly type: string; readonly sender: string; readonly reply?: SentMessage }> {
    return this.#answer(messageId, true);
  }

  /** `message reject ID` (rows 46, 48): closes the request; a confirmation is answered `Accept: false`. */
  async reject(messageId: string): Promise<{ readonly type: string; readonly sender: string; readonly reply?: SentMessage }> {
    return this.#answer(messageId, false);
  }

  async #answer(messageId: string, accept: boolean): Promise<{ type: string; sender: string; reply?: SentMessage }> {
    await this.client.sync();
    const contacts = await this.contacts();
    const result = await this.#inbound(async (spool) => {
      const held = spool.get(messageId);
      if (held === undefined) throw new MeshClientError('CLIENT_NOT_FOUND', `no message ${messageId} in ${spool.label}`);
      if (held.state === 'Closed' || held.state === 'Deleted') throw new MeshClientError('CLIENT_NOT_FOUND', `message ${messageId} was handled already (${held.state})`);
      const opened = await this.#open(spool, messageId, contacts);
      const message = opened.message;
      let reply: SentMessage | undefined;
      const answerId = responseIdOf(messageId);
      if (isKindOf(message.$class, 'MessageContact')) {
        if (accept) {
          await this.#addContact(opened.sender, opened.contact!.signed, opened.contact!.person);
          if ((message as MessageContact).Reply !== false) {
            reply = await this.#send(opened.sender, {
              $class: 'MessageContact', MessageId: answerId, Sender: this.#account.address, Recipient: opened.sender.address,
              AuthenticatedData: await this.#selfContact() as Enveloped<never>, Reply: false,
            } as MessageContact);
          }
        }
      } else if (isKindOf(message.$class, 'RequestConfirmation')) {
        reply = await this.#send(opened.sender, {
          $class: 'ResponseConfirmation', MessageId: answerId, Sender: this.#account.address, Recipient: opened.sender.address,
          Request: await spool.read(messageId) as Enveloped<never>, Accept: accept,
        } as ResponseConfirmation);
      } else {
        throw new MeshClientError('CLIENT_BAD_ARGUMENT', `a ${message.$class} is not answered with accept or reject`);
      }
      await spool.mark(messageId, 'Closed', reply ? { responseId: reply.messageId } : {});
      return { type: message.$class, sender: opened.sender.address, ...(reply ? { reply } : {}) };
    });
    await this.client.sync();
    return result;
  }

  /**
   * `message block ID` (row 47): the sender of that message gets a `Block` rule (our service
   * refuses them from then on) and the message is closed.
   */
  async block(messageId: string): Promise<{ readonly sender: string }> {
    await this.client.sync();
    const contacts = await this.contacts();
    const sender = await this.#inbound(async (spool) => {
      const opened = await this.#open(spool, messageId, contacts);
      await this.#rule(opened.sender, 'Block');
      if (spool.get(messageId)?.state !== 'Closed') await spool.mark(messageId, 'Closed');
      return opened.sender.address;
    });
    await this.client.sync();
    return { sender };
  }

  /**
   * `message status RESPONSE_ID` (row 48): `Accept` / `Reject` once the answer is in, else
   * `Pending`; `CLIENT_NOT_FOUND` when no confirmation request of ours has that ResponseId. The answer must enclose our own request (signed by us, its ResponseId the one
   * asked about) and come from the account that request went to.
   */
  async status(responseId: string): Promise<ConfirmationStatus> {
    await this.client.sync();
    const asked = await this.#asked('RequestConfirmation');
    if (!asked.has(responseId)) throw new MeshClientError('CLIENT_NOT_FOUND', `no confirmation request of this account has Response ID ${responseId}`);
    const contacts = await this.contacts();
    return this.#inbound(async (spool) => {
      if (spool.get(responseId) === undefined) return 'Pending';
      const opened = await this.#open(spool, responseId, contacts);
      const response = opened.message as ResponseConfirmation;
      if (!isKindOf(response.$class, 'ResponseConfirmation') || response.Request === undefined) {
        throw new MeshClientError('CLIENT_BAD_RESPONSE', `${responseId} is a ${response.$class}, not the answer to a confirmation`);
      }
      const request = openMeshEnvelope(response.Request, 'Message', { keys: [this.#key('Encryption')], signers: [this.self.signature], requireSignature: true }).object as RequestConfirmation;
      if (responseIdOf(request.MessageId ?? '') !== responseId || canonicalAccount(String(request.Recipient)) !== opened.sender.address) {
        throw new MeshClientError('CLIENT_BAD_RESPONSE', `${responseId} does not answer a request of ours to ${opened.sender.address}`);
      }
      return response.Accept === true ? 'Accept' : 'Reject';
    });
  }

  /**
   * `contact dynamic` (row 51): a single-use PIN for contact exchange, valid `expiresMs` (default
   * a day), kept in MMM_Local (encrypted to our CommonEncryption, signed); returns the
   * `mcu://ADDRESS/PIN` to show. Needs a device holding MMM_Local (the admin role).
   */
  async dynamicContact(options: { expiresMs?: number } = {}): Promise<{ uri: string; pinId: string; expires: Date }> {
    const me = this.#account.address;
    const pin = newPin();
    const salted = saltedPin(pin, PIN_ACTION.Contact);
    const id = pinIdOf(salted, me);
    const expires = new Date(Math.floor((Date.now() + (options.expiresMs ?? 24 * 3600_000)) / 1000) * 1000);
    const message: MessagePin = { $class: 'MessagePin', MessageId: id, Account: me, Expires: expires, Automatic: true, SaltedPin: salted, Action: PIN_ACTION.Contact };
    const sealed = sealMeshObject(message, { signers: [this.#key('Signature')], recipients: [this.self.encryption], uniqueId: id, envelopeId: envelopeIdOf(id) });
    const local = await this.#account.spool('local');
    try {
      await local.post(sealed);
    } finally {
      await local.close();
    }
    await this.client.sync();
    return { uri: connectionUri(me, pin), pinId: id, expires };
  }

  /** `contact exchange URI` (row 51): a contact request authenticated by the URI's PIN (see the module notes). */
  async exchangeContact(uri: string): Promise<SentMessage> {
    const { account, udf } = parseConnectionUri(uri);
    if (udf.type !== UDF_TYPE.AUTHENTICATOR_SHA2 && udf.type !== UDF_TYPE.AUTHENTICATOR_SHA3) {
      throw new MeshClientError('CLIENT_BAD_ARGUMENT', 'a contact exchange URI carries a PIN (mcu://ADDRESS/A…)');
    }
    const text = uri.trim();
    const pin = text.slice(text.lastIndexOf('/') + 1);
    const peer = await this.lookup(account);
    const salted = saltedPin(pin, PIN_ACTION.Contact);
    const selfContact = await this.#selfContact();
    const clientNonce = defaultRandom(16);
    const message: MessageContact = {
      $class: 'MessageContact', MessageId: newMessageId(), Sender: this.#account.address, Recipient: peer.address, Reply: true,
      AuthenticatedData: selfContact as Enveloped<never>, ClientNonce: clientNonce, PinId: pinIdOf(salted, peer.address),
      PinWitness: pinWitness(salted, peer.address, clientNonce, sha512(selfContact.payload)),
    };
    return this.#send(peer, message);
  }

  /**
   * `contact static` (row 50): publishes our signed self contact under a fresh secret
   * (mesh/messaging/contact-card.ts) — in MMM_Publication and, signed by our CommonSignature (a
   * contact card, which anyone holding the URI may fetch), to our service — and returns the
   * `mcu://ADDRESS/E…` URI to print. The URI is the only key to it: it is not kept. Needs a
   * device that writes MMM_Local (the admin role) and holds the CommonSignature key.
   */
  async staticContact(options: { expires?: Date } = {}): Promise<{ uri: string; publicationId: string }> {
    if (!this.#account.storeLabels.includes(SPOOL.local)) {
      throw new MeshClientError('CLIENT_NOT_AUTHORIZED', 'publishing a contact takes a device that writes MMM_Local (the admin role)');
    }
    const signer = this.#key('Signature');
    await this.client.sync();
    const card = newContactCard(this.#account.address, await this.#selfContact(), options.expires ? { notOnOrAfter: options.expires } : {});
    await publish(this.client, card.catalogedPublication, signer);
    return { uri: card.connectUri, publicationId: card.publication.publicationId };
  }

  /**
   * `contact fetch URI` (row 50): claims the contact card of `mcu://ADDRESS/E…` at `endpoint`
   * (ADDRESS's service; its owner need not be online), opens it under the URI's secret, checks it
   * is ADDRESS's self contact, signed by the CommonSignature of the profile ADDRESS's service
   * gives for it (Lookup) — a card that names a profile of its own making is refused — and files
   * the contact (MMM_Contact, and an `Allow` rule at our service).
   *
   * Errors: `CLIENT_BAD_ARGUMENT` for a URI that is not a contact URI; `CLIENT_NOT_FOUND` when
   * nothing is published at it (a wrong or guessed secret, another account's URI); the service's
   * refusal as it is otherwise (an expired card: NotAuthorized); `CLIENT_BAD_RESPONSE` when what
   * came back does not open or verify (a tampered card, another account's contact, a profile
   * that is not ADDRESS's).
   */
  async fetchContact(uri: string, options: { endpoint: string; fetch?: FetchFunction }): Promise<{ readonly address: string; readonly udf: string }> {
    let parsed;
    try {
      parsed = parseConnectUri(uri);
    } catch (e) {
      if (e instanceof MeshError) throw new MeshClientError('CLIENT_BAD_ARGUMENT', `not a contact URI (mcu://ADDRESS/E…): ${e.message}`, { cause: e });
      throw e;
    }
    if (parsed.kind !== 'publication') throw new MeshClientError('CLIENT_BAD_ARGUMENT', 'this URI carries a PIN: it is for contact exchange, not contact fetch');
    let claimed;
    try {
      claimed = await claimPublication(this.client, parsed.uri, options);
    } catch (e) {
      if (e instanceof MeshProtocolError && e.errorName === 'MeshResponseNotFound') {
        throw new MeshClientError('CLIENT_NOT_FOUND', `no contact is published at this URI (${parsed.account})`, { cause: e });
      }
      throw e;
    }
    let card;
    try {
      card = publishedContact(claimed.publication, parsed.uri);
    } catch (e) {
      if (e instanceof MeshError) throw new MeshClientError('CLIENT_BAD_RESPONSE', `the contact published at this URI does not verify: ${e.message}`, { cause: e });
      throw e;
    }
    const registered = await this.lookup(parsed.account);
    if (registered.udf !== card.peer.udf) {
      throw new MeshClientError('CLIENT_BAD_RESPONSE', `the contact published at this URI is signed under the profile ${card.peer.udf}, not under ${parsed.account}'s (${registered.udf})`);
    }
    await this.#addContact(card.peer, card.signed, card.contact);
    await this.client.sync();
    return { address: card.peer.address, udf: card.peer.udf };
  }

  /**
   * The open, automatic, unexpired contact PIN a request names, when its witness verifies
   * (mesh-model.md §10); undefined otherwise (the request then waits for a person).
   */
  async #validPin(local: Spool, request: MessageContact): Promise<string | undefined> {
    const id = request.PinId;
    if (typeof id !== 'string' || request.ClientNonce === undefined || request.PinWitness === undefined || request.AuthenticatedData === undefined) return undefined;
    const held = local.get(id);
    if (held === undefined || held.messageType !== 'MessagePin' || held.state === 'Closed' || held.state === 'Deleted') return undefined;
    let pin: MessagePin;
    try {
      pin = openMeshEnvelope(await local.read(id), 'MessagePin', { keys: [this.#key('Encryption')], signers: [this.self.signature], requireSignature: true }).object;
    } catch (e) {
      if (e instanceof MeshError) return undefined;
      throw e;
    }
    const me = this.#account.address;
    if (pin.MessageId !== id || pin.Action !== PIN_ACTION.Contact || pin.Automatic !== true || typeof pin.SaltedPin !== 'string') return undefined;
    if (typeof pin.Account !== 'string' || canonicalAccount(pin.Account) !== me || pin.Expires === undefined || new Date(pin.Expires).getTime() <= Date.now()) return undefined;
    const expected = pinWitness(pin.SaltedPin, me, request.ClientNonce, sha512((request.AuthenticatedData as DareEnvelope).payload));
    return constantTimeEqual(expected, request.PinWitness) ? id : undefined;
  }

  /**
   * `account sync --auto`: replies to our contact requests (a MessageContact with `Reply: false`
   * whose MessageId is the ResponseId of a MessageContact we sent to its sender) are filed as
   * contacts and closed; requests made with one of our dynamic contact PINs are accepted and
   * answered, and the PIN closed. Returns the addresses added.
   */
  async processAutomatic(): Promise<string[]> {
    await this.client.sync();
    const asked = await this.#asked('MessageContact');
    const contacts = await this.contacts();
    const local = this.#account.storeLabels.includes(SPOOL.local) ? await this.#account.spool('local') : undefined;
    let added: string[];
    try {
      added = await this.#inbound(async (spool) => {
        const out: string[] = [];
        for (const m of spool.list({ state: ['Initial', 'Read'], messageType: 'MessageContact' })) {
          const recipient = asked.get(m.messageId);
          let opened: OpenedMessage;
          try {
            opened = await this.#open(spool, m.messageId, contacts);
          } catch (e) {
            if (e instanceof MeshError) continue;
            throw e;
          }
          const message = opened.message as MessageContact;
          if (opened.contact === undefined) continue;
          if (recipient !== undefined) {
            // The answer to a contact request of ours.
            if (message.Reply !== false || opened.sender.address !== recipient) continue;
            await this.#addContact(opened.sender, opened.contact.signed, opened.contact.person);
            await spool.mark(m.messageId, 'Closed');
          } else {
            // A request made with one of our contact PINs: taken, answered, and the PIN spent.
            const pin = local === undefined ? undefined : await this.#validPin(local, message);
            if (pin === undefined) continue;
            await this.#addContact(opened.sender, opened.contact.signed, opened.contact.person);
            const reply = await this.#send(opened.sender, {
              $class: 'MessageContact', MessageId: responseIdOf(m.messageId), Sender: this.#account.address, Recipient: opened.sender.address,
              AuthenticatedData: await this.#selfContact() as Enveloped<never>, Reply: false,
            } as MessageContact);
            await local!.mark(pin, 'Closed');
            await spool.mark(m.messageId, 'Closed', { responseId: reply.messageId });
          }
          out.push(opened.sender.address);
        }
        return out;
      });
    } finally {
      await local?.close();
    }
    if (added.length > 0) await this.client.sync();
    return added;
  }

  /**
   * ResponseId → recipient of each request of `type` we sent (MMM_Outbound, encrypted to us too,
   * signed by us; contact requests: only those asking for a reply).
   */
  async #asked(type: 'MessageContact' | 'RequestConfirmation'): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const spool = await this.#account.spool('outbound');
    try {
      for (const m of spool.list({ messageType: type })) {
        try {
          const opened = openMeshEnvelope(await spool.read(m.messageId), 'Message', { keys: [this.#key('Encryption')], signers: [this.self.signature], requireSignature: true });
          const message = opened.object as MessageContact | RequestConfirmation;
          if (message.MessageId !== m.messageId || typeof message.Recipient !== 'string') continue;
          if (type === 'MessageContact' && (message as MessageContact).Reply !== true) continue;
          out.set(responseIdOf(m.messageId), canonicalAccount(message.Recipient));
        } catch (e) {
          if (!(e instanceof MeshError)) throw e;
        }
      }
    } finally {
      await spool.close();
    }
    return out;
  }
}
