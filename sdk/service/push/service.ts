import type { DarePrivateKey } from '../../dare/keys.js';
import type { PushTicketRequest, PushTicketResponse } from '../../mesh/schema/types.js';
import { encodePushMessage, MESH_PUSH_PATH, PUSH_CLOSE, PUSH_TICKET_PARAMETER, PushError, type PushHead } from '../../protocol/push.js';
import { MemoryReplayCache, type ReplayCache } from '../../protocol/replay.js';
import type { RequestContext } from '../../protocol/service.js';
import { refuse } from '../../protocol/status.js';
import type { RandomSource } from '../../udf/random.js';
import { canonicalAddress } from '../store-rules.js';
import type { PushAdmission, PushConnection, PushEndpoint, PushGrant, PushSocketEvents } from './connection.js';
import { PushSession, type SessionLimits, type SessionOwner } from './session.js';
import type { PushChangeSource, PushSourceHead, PushSourceWatch } from './source.js';
import { PushTickets } from './ticket.js';

/**
 * The push service of protocol.md §2 (WebSocket push on the same port), runtime-neutral: it
 * issues tickets (the `PushTicket` transaction), admits sockets that present one, tells each
 * socket the heads of the stores its device may read and then every change to them, and drops
 * sockets that are dead, too slow, or whose device lost its access. A runtime's WebSocket server
 * carries the sockets (`attachPush` in `mathmesh/adapters/node`; the contract is connection.ts).
 *
 * Scale (tens of thousands of idle sockets per host): per socket, one small {@link PushSession}
 * and a place in a per-account index; one shared timer sweeps every socket for keepalive; a
 * change is encoded once and offered to the sockets of its account only.
 *
 * Access: which stores a device may read is the injected {@link ReadableStores} (the service
 * derives it from the account's Access catalog, mesh-model.md §7). It is asked when a ticket is
 * requested, again when the socket opens, and again for every socket of an account whenever one
 * of its `accessStores` changes — so a revocation committed through any host closes the device's
 * sockets on every host that sees the change. {@link closeDevice} closes them at once on this one.
 */

/**
 * The stores the device `keyid` of `account` may read, or `undefined` when it may read nothing
 * (unknown account, no active connection, revoked device). `account` is canonical.
 */
export type ReadableStores = (account: string, keyid: string) => Promise<readonly string[] | undefined>;

/** The timer functions of the sweep (every runtime has them; tests pass their own). */
export interface PushTimers {
  /** Calls `callback` every `ms`; returns a handle for `clearInterval`. */
  setInterval(callback: () => void, ms: number): unknown;
  /** Stops a `setInterval`. */
  clearInterval(handle: unknown): void;
}

/** Options of {@link MeshPushService}. */
export interface MeshPushServiceOptions {
  /** The service's Authentication private key (ProfileService.ServiceAuthentication): tickets are keyed from it. Secret. */
  readonly serviceKey: DarePrivateKey;
  /** Where changes come from (a `ServiceStore` fits). */
  readonly source: PushChangeSource;
  /** What each device may read. */
  readonly readable: ReadableStores;
  /** Burns redeemed tickets; default one in memory. Several hosts share one (the store's `storeReplayCache`). */
  readonly replay?: ReplayCache;
  /** Ticket lifetime; default 30 s (protocol.md §2). */
  readonly ticketLifetimeMs?: number;
  /** Period of the keepalive sweep (a ping per socket; one unanswered ping drops it); default 30 s, 0 = no timer (call {@link MeshPushService.sweep}). */
  readonly keepaliveMs?: number;
  /** A socket holding this many unsent bytes gets no more until it drains; default 16 KiB. */
  readonly highWaterBytes?: number;
  /** Most stores with a waiting notification per slow socket before they become one `resync`; default 8. */
  readonly maxPending?: number;
  /** Most sockets at once; default 100,000. */
  readonly maxSockets?: number;
  /** Most sockets of one device; a newer one closes the oldest (`superseded`); default 4. */
  readonly maxSocketsPerDevice?: number;
  /** Stores whose change may change access (re-ask {@link ReadableStores}); default `['MMM_Access']`. */
  readonly accessStores?: readonly string[];
  /** Canonical account address, as the source names accounts; default the service store's `canonicalAddress` (protocol.md T2). */
  readonly canonicalAccount?: (address: string) => string;
  /** Clock in ms since the Unix epoch (ticket expiry; tests); default `Date.now`. */
  readonly now?: () => number;
  readonly random?: RandomSource;
  readonly timers?: PushTimers;
  /** Told of internal failures (a source or callback that threw); never of a client's mistakes. */
  readonly onError?: (error: unknown) => void;
}

/** Counts for tests and benchmarks (one pass over every socket). */
export interface PushStats {
  readonly connections: number;
  readonly accounts: number;
  /** Stores waiting, over every socket. */
  readonly pending: number;
  /** Sockets with a `resync` waiting. */
  readonly resyncPending: number;
  /** Largest `bufferedAmount` of any socket. */
  readonly maxBuffered: number;
}

function refused(status: number, reason: string): PushAdmission {
  return { ok: false, status, reason };
}

/** The push service (see the module comment). */
export class MeshPushService implements PushEndpoint {
  readonly path = MESH_PUSH_PATH;
  readonly maxClientMessageBytes = 125;
  readonly #tickets: PushTickets;
  readonly #source: PushChangeSource;
  readonly #readable: ReadableStores;
  readonly #limits: SessionLimits;
  readonly #maxSockets: number;
  readonly #maxPerDevice: number;
  readonly #accessStores: ReadonlySet<string>;
  readonly #canonical: (address: string) => string;
  readonly #now: () => number;
  readonly #timers: PushTimers;
  readonly #onError: (error: unknown) => void;
  readonly #byAccount = new Map<string, Set<PushSession>>();
  /** Shared store sets, by their sorted names (devices of one role read the same stores). */
  readonly #storeSets = new Map<string, ReadonlySet<string>>();
  /** Revocations by `account keyid` (or `account *`): grants admitted before `serial` are void until `until`. */
  readonly #revoked = new Map<string, { serial: number; until: number }>();
  readonly #refreshing = new Map<string, Promise<void>>();
  readonly #refreshAgain = new Set<string>();
  readonly #owner: SessionOwner;
  #count = 0;
  #serial = 0;
  #sweepHandle: unknown;
  #watch: PushSourceWatch | undefined;
  #closed = false;

  constructor(options: MeshPushServiceOptions) {
    const positive = (name: string, v: number): number => {
      if (!Number.isSafeInteger(v) || v < 1) throw new PushError('PUSH_BAD_ARGUMENT', `${name} ${v} is not a positive integer`);
      return v;
    };
    this.#now = options.now ?? Date.now;
    this.#tickets = new PushTickets({
      serviceKey: options.serviceKey,
      replay: options.replay ?? new MemoryReplayCache({ now: this.#now }),
      now: this.#now,
      ...(options.ticketLifetimeMs === undefined ? {} : { lifetimeMs: options.ticketLifetimeMs }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    this.#source = options.source;
    this.#readable = options.readable;
    this.#limits = { highWaterBytes: positive('highWaterBytes', options.highWaterBytes ?? 16 * 1024), maxPending: positive('maxPending', options.maxPending ?? 8) };
    this.#maxSockets = positive('maxSockets', options.maxSockets ?? 100_000);
    this.#maxPerDevice = positive('maxSocketsPerDevice', options.maxSocketsPerDevice ?? 4);
    this.#accessStores = new Set(options.accessStores ?? ['MMM_Access']);
    this.#canonical = options.canonicalAccount ?? canonicalAddress;
    this.#timers = options.timers ?? { setInterval: (f, ms) => globalThis.setInterval(f, ms), clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>) };
    this.#onError = options.onError ?? (() => undefined);
    this.#owner = { ended: (s) => this.#remove(s), misbehaved: (s) => s.close(PUSH_CLOSE.policy, 'the push channel takes no messages') };
    const keepalive = options.keepaliveMs ?? 30_000;
    if (keepalive > 0) {
      this.#sweepHandle = this.#timers.setInterval(() => this.sweep(), keepalive);
      // Node and Deno: the sweep alone must not keep a process alive.
      (this.#sweepHandle as { unref?: () => void } | undefined)?.unref?.();
    }
    void this.#run();
  }

  /** Open sockets. */
  get connections(): number {
    return this.#count;
  }

  /** Handlers to merge into `MeshHttpService`'s `handlers`: `{ ...push.handlers }`. */
  get handlers(): {
    /** The {@link ticketHandler}. */
    readonly PushTicket: (request: PushTicketRequest, context: RequestContext) => Promise<PushTicketResponse>;
  } {
    return { PushTicket: this.ticketHandler };
  }

  /**
   * The `PushTicket` transaction (protocol.md §2): a connected device (Connection credential)
   * that may read the account gets a single-use ticket for the socket.
   */
  readonly ticketHandler = async (_request: PushTicketRequest, context: RequestContext): Promise<PushTicketResponse> => {
    const auth = context.auth;
    if (auth === undefined || auth.mode !== 'Connection' || auth.account === undefined) {
      throw refuse('ClientUnauthorized', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: 'a push ticket is for a connected device (Connection credential)' });
    }
    if (this.#closed) throw refuse('ServerOverload', { detail: 'push notifications are not available' });
    let account: string;
    try {
      account = this.#canonical(auth.account);
    } catch {
      throw refuse('BadRequest', { name: 'MeshUnknownAccount', detail: 'not an account address' });
    }
    const stores = await this.#readable(account, auth.keyid);
    if (stores === undefined) throw refuse('Forbidden', { extended: 'NotAuthorized', name: 'NotAuthorized', detail: 'this device may not read the account' });
    const { ticket, expires } = this.#tickets.issue(account, auth.keyid);
    return { $class: 'PushTicketResponse', Ticket: ticket, Expires: new Date(expires) };
  };

  async admit(url: string): Promise<PushAdmission> {
    try {
      if (this.#closed) return refused(503, 'push notifications are not available');
      let parsed: URL;
      try {
        parsed = new URL(url, 'http://push.invalid');
      } catch {
        return refused(400, 'not a URL');
      }
      if (parsed.pathname !== this.path) return refused(404, 'not found');
      const tickets = parsed.searchParams.getAll(PUSH_TICKET_PARAMETER);
      if (tickets.length !== 1) return refused(401, 'a push socket needs one ticket (PushTicket)');
      if (this.#count >= this.#maxSockets) return refused(503, 'too many sockets: try later');
      let account: string;
      let keyid: string;
      try {
        ({ account, keyid } = await this.#tickets.redeem(tickets[0]!));
      } catch (e) {
        if (e instanceof PushError) return refused(401, e.message);
        throw e;
      }
      const serial = ++this.#serial;
      const stores = await this.#readable(account, keyid);
      if (stores === undefined) return refused(403, 'this device may not read the account');
      return { ok: true, grant: { account, keyid, stores: [...stores], serial } };
    } catch (e) {
      this.#onError(e);
      return refused(503, 'the push service failed');
    }
  }

  attach(grant: PushGrant, connection: PushConnection): PushSocketEvents {
    const session = new PushSession(grant.account, grant.keyid, this.#storeSet(grant.stores), connection, this.#limits, this.#owner);
    if (this.#closed) {
      session.close(PUSH_CLOSE.goingAway, 'the service is closing');
      return session;
    }
    if (this.#isRevoked(grant.account, grant.keyid, grant.serial)) {
      session.close(PUSH_CLOSE.revoked, 'access revoked');
      return session;
    }
    let set = this.#byAccount.get(grant.account);
    if (set === undefined) this.#byAccount.set(grant.account, (set = new Set()));
    let same = 0;
    for (const s of set) if (s.keyid === grant.keyid) same++;
    if (same >= this.#maxPerDevice) {
      for (const s of set) {
        if (s.keyid === grant.keyid) {
          s.close(PUSH_CLOSE.superseded, 'a newer socket of this device replaced it');
          break;
        }
      }
    }
    set.add(session);
    this.#count++;
    this.#source.heads(grant.account).then(
      (heads) => session.start(this.#visible(heads, session.stores)),
      (e: unknown) => {
        this.#onError(e);
        session.close(PUSH_CLOSE.internal, 'the heads could not be read');
      },
    );
    return session;
  }

  /**
   * Closes every socket of the device `keyid` of `account` at once (close code 4403), and voids
   * tickets admitted before this call whose sockets are not open yet. Call it after the
   * revocation is committed (so that a new ticket request already sees it). Returns the sockets closed.
   */
  closeDevice(account: string, keyid: string): number {
    const canonical = this.#canonical(account);
    this.#revoke(`${canonical} ${keyid}`);
    return this.#closeWhere(canonical, (s) => s.keyid === keyid, 'access revoked');
  }

  /** Closes every socket of `account` (unbound or deleted), as {@link closeDevice} for all its devices. */
  closeAccount(account: string): number {
    const canonical = this.#canonical(account);
    this.#revoke(`${canonical} *`);
    return this.#closeWhere(canonical, () => true, 'account closed');
  }

  /**
   * Asks {@link ReadableStores} again for every device with a socket on `account`: a device that
   * may read nothing now is disconnected; one that may read other stores sees those from now on
   * (and the heads of stores it could not read before). Runs by itself when an access store changes.
   */
  refreshAccount(account: string): Promise<void> {
    const canonical = this.#canonical(account);
    const running = this.#refreshing.get(canonical);
    if (running !== undefined) {
      this.#refreshAgain.add(canonical);
      return running;
    }
    const run = this.#refresh(canonical).finally(() => this.#refreshing.delete(canonical));
    this.#refreshing.set(canonical, run);
    return run;
  }

  /**
   * The keepalive sweep (the timer calls it every `keepaliveMs`): drops sockets that did not
   * answer the last ping, pings the others, tells idle ones the channel is alive, and writes what
   * waits on sockets that drained.
   */
  sweep(): void {
    for (const set of this.#byAccount.values()) for (const s of set) s.sweep();
    const now = this.#now();
    for (const [key, r] of this.#revoked) if (r.until <= now) this.#revoked.delete(key);
  }

  /** Counts over every socket. */
  stats(): PushStats {
    let pending = 0;
    let resync = 0;
    let maxBuffered = 0;
    for (const set of this.#byAccount.values()) {
      for (const s of set) {
        pending += s.pendingCount;
        if (s.resyncPending) resync++;
        maxBuffered = Math.max(maxBuffered, s.bufferedAmount);
      }
    }
    return { connections: this.#count, accounts: this.#byAccount.size, pending, resyncPending: resync, maxBuffered };
  }

  /**
   * Stops: ends the subscription and the sweep, refuses tickets and sockets from now on, and
   * closes every socket (1001, going away); resolves once each closed, dropping those still open
   * after `graceMs` (default 1,000 ms).
   */
  async close(graceMs = 1_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepHandle !== undefined) this.#timers.clearInterval(this.#sweepHandle);
    this.#watch?.close();
    const sessions = [...this.#byAccount.values()].flatMap((set) => [...set]);
    for (const s of sessions) s.close(PUSH_CLOSE.goingAway, 'the service is closing');
    const timers = { setTimeout: (f: () => void, ms: number) => globalThis.setTimeout(f, ms), clearTimeout: (h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>) };
    await Promise.allSettled([...sessions.map((s) => s.gone(graceMs, timers)), ...this.#refreshing.values()]);
  }

  // ---- internals ----

  async #run(): Promise<void> {
    let watch: PushSourceWatch;
    try {
      watch = this.#source.watch();
    } catch (e) {
      this.#onError(e);
      return this.#sourceEnded();
    }
    this.#watch = watch;
    if (this.#closed) watch.close();
    try {
      for await (const e of watch) {
        if (e.type === 'change') this.#change(e.account, e.store, e.nextIndex, e.digest);
        else if (e.type === 'deleted') this.closeAccount(e.account);
        else this.#resyncAll();
      }
    } catch (e) {
      this.#onError(e);
    }
    this.#sourceEnded();
  }

  #sourceEnded(): void {
    if (this.#closed) return;
    // Without a source no socket would ever hear of a change: say so rather than keep them open.
    this.#onError(new PushError('PUSH_CLOSED', 'the change source ended: push notifications stop'));
    void this.close();
  }

  #change(account: string, store: string, nextIndex: number, digest: Uint8Array | undefined): void {
    if (this.#accessStores.has(store) && this.#byAccount.has(account)) void this.refreshAccount(account);
    const set = this.#byAccount.get(account);
    if (set === undefined || nextIndex < 1) return;
    const index = nextIndex - 1;
    let line: string | undefined;
    for (const s of set) {
      if (!s.stores.has(store)) continue;
      line ??= encodePushMessage(digest === undefined ? { type: 'change', store, index } : { type: 'change', store, index, digest });
      s.offer(store, index, line);
    }
  }

  /** The source lost events: re-read the heads of every account served, one read each, and offer them. */
  #resyncAll(): void {
    const accounts = [...this.#byAccount.keys()];
    const next = async (): Promise<void> => {
      for (let account = accounts.pop(); account !== undefined; account = accounts.pop()) {
        try {
          const heads = await this.#source.heads(account);
          for (const h of heads) this.#change(account, h.store, h.nextIndex, h.digest);
        } catch (e) {
          this.#onError(e);
          for (const s of this.#byAccount.get(account) ?? []) s.requireResync();
        }
      }
    };
    // A few accounts at a time: the store serves requests too.
    for (let i = 0; i < 4; i++) void next();
  }

  async #refresh(account: string): Promise<void> {
    do {
      this.#refreshAgain.delete(account);
      const keyids = new Set([...(this.#byAccount.get(account) ?? [])].map((s) => s.keyid));
      for (const keyid of keyids) {
        let stores: readonly string[] | undefined;
        try {
          stores = await this.#readable(account, keyid);
        } catch (e) {
          this.#onError(e);
          continue;
        }
        if (stores === undefined) {
          this.#closeWhere(account, (s) => s.keyid === keyid, 'access revoked');
          continue;
        }
        const set = this.#storeSet(stores);
        const gained = new Set<string>();
        for (const s of this.#byAccount.get(account) ?? []) {
          if (s.keyid !== keyid || s.stores === set) continue;
          for (const store of set) if (!s.stores.has(store)) gained.add(store);
          s.stores = set;
        }
        if (gained.size > 0) await this.#offerHeads(account, keyid, gained);
      }
    } while (this.#refreshAgain.has(account) && !this.#closed);
  }

  /** Tells the device's sockets the heads of stores it may newly read. */
  async #offerHeads(account: string, keyid: string, stores: ReadonlySet<string>): Promise<void> {
    let heads: readonly PushSourceHead[];
    try {
      heads = await this.#source.heads(account);
    } catch (e) {
      this.#onError(e);
      return;
    }
    for (const s of this.#byAccount.get(account) ?? []) {
      if (s.keyid !== keyid) continue;
      for (const h of heads) {
        if (!stores.has(h.store) || h.nextIndex < 1) continue;
        s.offer(h.store, h.nextIndex - 1, encodePushMessage({ type: 'change', store: h.store, index: h.nextIndex - 1, ...(h.digest === undefined ? {} : { digest: h.digest }) }));
      }
    }
  }

  #visible(heads: readonly PushSourceHead[], stores: ReadonlySet<string>): PushHead[] {
    const out: PushHead[] = [];
    for (const h of heads) {
      if (!stores.has(h.store) || h.nextIndex < 1) continue;
      out.push(h.digest === undefined ? { store: h.store, index: h.nextIndex - 1 } : { store: h.store, index: h.nextIndex - 1, digest: h.digest });
    }
    return out;
  }

  #storeSet(stores: readonly string[] | ReadonlySet<string>): ReadonlySet<string> {
    const key = [...stores].sort().join(' ');
    let set = this.#storeSets.get(key);
    if (set === undefined) {
      set = new Set(stores);
      // Distinct sets are few (one per role combination); past a bound, stop sharing rather than grow.
      if (this.#storeSets.size < 10_000) this.#storeSets.set(key, set);
    }
    return set;
  }

  #revoke(key: string): void {
    this.#revoked.set(key, { serial: ++this.#serial, until: this.#now() + 2 * this.#tickets.lifetimeMs });
  }

  #isRevoked(account: string, keyid: string, serial: number): boolean {
    const device = this.#revoked.get(`${account} ${keyid}`);
    const all = this.#revoked.get(`${account} *`);
    return (device !== undefined && device.serial > serial) || (all !== undefined && all.serial > serial);
  }

  #closeWhere(account: string, which: (s: PushSession) => boolean, reason: string): number {
    let n = 0;
    for (const s of [...(this.#byAccount.get(account) ?? [])]) {
      if (!which(s)) continue;
      s.close(PUSH_CLOSE.revoked, reason);
      n++;
    }
    return n;
  }

  #remove(session: PushSession): void {
    const set = this.#byAccount.get(session.account);
    if (set === undefined || !set.delete(session)) return;
    this.#count--;
    if (set.size === 0) this.#byAccount.delete(session.account);
  }
}
