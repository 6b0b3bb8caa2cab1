import { hkdfSha512, hmacSha256 } from '../../crypto/hashes.js';
import type { DarePrivateKey } from '../../dare/keys.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { constantTimeEqual } from '../../encoding/bytes.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { PUSH_TICKET_LIFETIME_MS, PushError } from '../../protocol/push.js';
import type { ReplayCache } from '../../protocol/replay.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';

/**
 * Push tickets (protocol.md §2: a socket is opened with a single-use ticket returned by an
 * authenticated `PushTicket` request; tickets expire after 30 s). Browsers cannot set headers on
 * a WebSocket, so the request signature cannot travel with the socket; the ticket carries what
 * that signature established instead.
 *
 * Design: a ticket is self-contained and authenticated, not a key into a table of this process,
 * so that any host of a service (several hosts over one database) can redeem what another issued:
 *
 *   ticket = base64url( 0x01 ‖ id[16] ‖ expires[8] ‖ len[2] ‖ account ‖ len[2] ‖ keyid ‖ tag[32] )
 *   tag    = HMAC-SHA-256(K, every byte before it)
 *   K      = HKDF-SHA-512(IKM = service Authentication private key, salt = "", info = "mmm/push-ticket", L = 32)
 *
 * `id` is 16 random bytes; `expires` milliseconds since the Unix epoch, big-endian; `account`
 * the canonical account address and `keyid` the device's Authentication key UDF that the
 * request's signature proved (UTF-8). Every host holds the service key, so every host derives K;
 * nobody else can make a tag, so a forged or altered ticket is refused before anything else is
 * looked at. Single use: the id is burnt in the binding's {@link ReplayCache} — shared by the
 * hosts of a service, durable when it is the service store's — until the ticket expires, and only
 * after the tag and the expiry check out, so an unauthenticated party cannot fill the cache.
 *
 * A ticket names no stores: what the device may read is asked again when the socket opens (and
 * whenever the account's access changes), for the account and device the ticket names — never
 * from anything the socket supplies. A ticket carries no secret beyond itself; it is as good as
 * a one-time password for 30 s, so it travels only over TLS (wss:).
 */

/** HKDF info of the ticket key. */
export const PUSH_TICKET_KEY_INFO = 'mmm/push-ticket';

const VERSION = 1;
const ID_BYTES = 16;
const TAG_BYTES = 32;
/** A ticket longer than this is refused unread (two 1 KiB names fit). */
export const MAX_TICKET_LENGTH = 4096;

/** What a redeemed ticket proves. */
export interface RedeemedTicket {
  /** Canonical account address. */
  readonly account: string;
  /** UDF of the device's Authentication key. */
  readonly keyid: string;
  /** Expiry, ms since the Unix epoch. */
  readonly expires: number;
}

/** An issued ticket. */
export interface IssuedTicket {
  readonly ticket: string;
  /** Expiry, ms since the Unix epoch. */
  readonly expires: number;
}

/** Options of {@link PushTickets}. */
export interface PushTicketsOptions {
  /** The service's Authentication private key (ProfileService.ServiceAuthentication): K is derived from it. Secret. */
  readonly serviceKey: DarePrivateKey;
  /** Burns redeemed ids; several hosts share one. */
  readonly replay: ReplayCache;
  /** Default 30 s (protocol.md §2). */
  readonly lifetimeMs?: number;
  /** Clock in ms since the Unix epoch; default `Date.now`. */
  readonly now?: () => number;
  readonly random?: RandomSource;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}

/** Issues and redeems push tickets (see the module comment). */
export class PushTickets {
  readonly #key: Uint8Array;
  readonly #replay: ReplayCache;
  readonly #lifetime: number;
  readonly #now: () => number;
  readonly #random: RandomSource;

  constructor(options: PushTicketsOptions) {
    if (!(options.serviceKey?.privateKey instanceof Uint8Array) || options.serviceKey.privateKey.length === 0) {
      throw new PushError('PUSH_BAD_ARGUMENT', 'push tickets need the service Authentication private key');
    }
    this.#key = hkdfSha512(options.serviceKey.privateKey, new Uint8Array(0), utf8Encode(PUSH_TICKET_KEY_INFO), 32);
    this.#replay = options.replay;
    this.#lifetime = options.lifetimeMs ?? PUSH_TICKET_LIFETIME_MS;
    if (!(this.#lifetime > 0)) throw new PushError('PUSH_BAD_ARGUMENT', `ticket lifetime ${this.#lifetime} ms is not positive`);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? defaultRandom;
  }

  /** Lifetime of a ticket in ms. */
  get lifetimeMs(): number {
    return this.#lifetime;
  }

  /** A ticket for the device `keyid` of `account` (canonical), valid for the lifetime. */
  issue(account: string, keyid: string): IssuedTicket {
    const a = utf8Encode(account);
    const k = utf8Encode(keyid);
    if (a.length === 0 || a.length > 1024 || k.length === 0 || k.length > 1024) throw new PushError('PUSH_BAD_ARGUMENT', 'account and keyid are 1-1024 bytes');
    const expires = this.#now() + this.#lifetime;
    const body = new Uint8Array(1 + ID_BYTES + 8 + 2 + a.length + 2 + k.length);
    let at = 0;
    body[at++] = VERSION;
    body.set(this.#random(ID_BYTES), at);
    at += ID_BYTES;
    new DataView(body.buffer).setBigUint64(at, BigInt(expires));
    at += 8;
    body.set(u16(a.length), at);
    body.set(a, at + 2);
    at += 2 + a.length;
    body.set(u16(k.length), at);
    body.set(k, at + 2);
    const ticket = new Uint8Array(body.length + TAG_BYTES);
    ticket.set(body);
    ticket.set(hmacSha256(this.#key, body), body.length);
    return { ticket: base64urlEncode(ticket), expires };
  }

  /**
   * Checks `ticket` and burns it: throws `PUSH_TICKET_MALFORMED`, `PUSH_TICKET_FORGED`,
   * `PUSH_TICKET_EXPIRED` or `PUSH_TICKET_REUSED` (checked in that order), else returns what
   * it proves. Of two concurrent redemptions of one ticket, at most one succeeds (the replay
   * cache's check-and-record is atomic).
   */
  async redeem(ticket: string): Promise<RedeemedTicket> {
    const malformed = (why: string): never => {
      throw new PushError('PUSH_TICKET_MALFORMED', `push ticket: ${why}`);
    };
    if (typeof ticket !== 'string' || ticket.length === 0) return malformed('none given');
    if (ticket.length > MAX_TICKET_LENGTH) return malformed(`longer than ${MAX_TICKET_LENGTH} characters`);
    let bytes: Uint8Array;
    try {
      bytes = base64urlDecode(ticket);
    } catch {
      return malformed('not base64url');
    }
    if (bytes.length < 1 + ID_BYTES + 8 + 2 + 1 + 2 + 1 + TAG_BYTES) return malformed('too short');
    if (bytes[0] !== VERSION) return malformed(`version ${bytes[0]} is not ${VERSION}`);
    const body = bytes.subarray(0, bytes.length - TAG_BYTES);
    if (!constantTimeEqual(hmacSha256(this.#key, body), bytes.subarray(body.length))) {
      throw new PushError('PUSH_TICKET_FORGED', 'push ticket: its tag does not verify (not issued by this service, or altered)');
    }
    // Authentic from here on: the layout is ours, but read it defensively all the same.
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    let at = 1;
    const id = base64urlEncode(body.subarray(at, at + ID_BYTES));
    at += ID_BYTES;
    const expires = Number(view.getBigUint64(at));
    at += 8;
    const name = (): string => {
      if (at + 2 > body.length) return malformed('truncated');
      const n = view.getUint16(at);
      if (at + 2 + n > body.length) return malformed('truncated');
      const text = utf8Decode(body.subarray(at + 2, at + 2 + n));
      at += 2 + n;
      return text;
    };
    const account = name();
    const keyid = name();
    if (at !== body.length) return malformed('trailing bytes');
    if (this.#now() >= expires) throw new PushError('PUSH_TICKET_EXPIRED', 'push ticket: expired');
    if (await this.#replay.seen(`${PUSH_TICKET_KEY_INFO}/${keyid}`, id, Math.ceil(expires / 1000))) {
      throw new PushError('PUSH_TICKET_REUSED', 'push ticket: already used (tickets are single-use)');
    }
    return { account, keyid, expires };
  }
}
