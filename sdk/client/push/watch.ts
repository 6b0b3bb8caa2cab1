import { bytesEqual } from '../../encoding/bytes.js';
import { decodePushMessages, pushUrl, PushError, type PushHead } from '../../protocol/push.js';
import { MeshProtocolError } from '../../protocol/status.js';
import { Backoff } from './backoff.js';
import { globalWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

/**
 * Watching an account's stores (protocol.md §2, WebSocket push): an async iterator of
 * {@link PushChange}s — "store S is now at index I" — over the push socket, with reconnection
 * and a polling fallback, so that the caller only ever sees changes and downloads by cursor.
 *
 * - Each connection attempt takes a fresh ticket (`ticket()`: the signed PushTicket request),
 *   opens `wss://…/.well-known/mmm/push?ticket=…` and waits for the heads snapshot.
 * - Nothing is missed across reconnects: the snapshot (and each poll) is compared with the last
 *   head known of each store, and every store that differs is reported. `since` seeds what is
 *   known (the heads the caller holds), else the first snapshot reports every store.
 * - A dropped socket is reopened after a jittered exponential delay (1 s → 60 s, reset once a
 *   connection held for `stableMs`); a socket silent past `idleTimeoutMs` (the service sends a
 *   keepalive every 30 s) is taken for dead and reopened.
 * - Where WebSockets are blocked or fail `fallbackAfter` times in a row (or the runtime has
 *   none), the watcher polls (`poll()`: the heads by another route, e.g. T6 Status) every
 *   `pollIntervalMs` while it keeps trying the socket, and stops polling once a socket holds.
 * - A `resync` from the service (the socket fell behind) is answered by one poll.
 * - An authentic refusal of `ticket()` or `poll()` (a {@link MeshProtocolError}: revoked device,
 *   unknown account) ends the watch with that error; network failures and overload are retried.
 *
 * Pending changes are merged per store: a slow consumer gets the newest head of each store, in
 * the order the stores first changed.
 */

/** A change: the store's newest head. */
export type PushChange = PushHead;

/** Timers of the watcher (every runtime's; tests pass a fake clock). */
export interface PushClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` once after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a `setTimeout` that has not fired. */
  clearTimeout(handle: unknown): void;
}

/** Where the watcher is. */
export interface PushWatchStatus {
  /** The socket: being opened, open (snapshot received), waiting to reconnect, or not used. */
  readonly socket: 'connecting' | 'open' | 'waiting' | 'off';
  /** Polling as the fallback. */
  readonly polling: boolean;
  /** Socket attempts that failed in a row. */
  readonly failures: number;
  /** Delay before the next socket attempt (while `waiting`). */
  readonly retryInMs?: number;
}

/** Options of {@link watchPush}. */
export interface PushWatchOptions {
  /** The service's transaction endpoint (`https://host/.well-known/mmm/`): the socket is its `push`. */
  readonly endpoint: string;
  /** A fresh ticket (the PushTicket transaction with the device's Connection credential). */
  readonly ticket: () => Promise<string>;
  /** The heads of every store the device may read, by another route (T6 Status): the fallback. */
  readonly poll: () => Promise<readonly PushHead[]>;
  /** The heads the caller already holds: only stores that differ are reported. */
  readonly since?: readonly PushHead[];
  /** WebSocket constructor; default the runtime's (`globalThis.WebSocket`); `null`: poll only. */
  readonly WebSocket?: WebSocketConstructor | null;
  /** First and largest reconnect delay; default 1,000 → 60,000 ms. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Socket failures in a row before polling starts; default 3. */
  readonly fallbackAfter?: number;
  /** Period of polling while it stands in for the socket; default 30,000 ms. */
  readonly pollIntervalMs?: number;
  /** A socket silent this long is reopened; default 75,000 ms (the service's keepalive is 30 s). */
  readonly idleTimeoutMs?: number;
  /** A connection that held this long resets the backoff; default 10,000 ms. */
  readonly stableMs?: number;
  /** Which failures end the watch; default: an authentic refusal other than Timeout, TooManyRequests, ServerInternal, ServerOverload. */
  readonly isFinal?: (error: unknown) => boolean;
  readonly clock?: PushClock;
  /** Uniform in [0, 1) for the jitter; default `Math.random`. */
  readonly random?: () => number;
  /** Ends the watch. */
  readonly signal?: AbortSignal;
  /** Told of every change of {@link PushWatchStatus}. */
  readonly onStatus?: (status: PushWatchStatus) => void;
}

/** A running watch: `for await (const change of watch)`; `close()` or `break` ends it. */
export interface PushWatch extends AsyncIterableIterator<PushChange> {
  /** Where the watch is (socket, polling, failures). */
  readonly status: PushWatchStatus;
  /** Ends the watch: closes the socket, stops every timer; a pending `next()` resolves done. */
  close(): void;
}

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 503]);

/** Default {@link PushWatchOptions.isFinal}: the service refused, authentically, and retrying will not help. */
export function isFinalPushFailure(error: unknown): boolean {
  return error instanceof MeshProtocolError && !RETRYABLE_STATUSES.has(error.status);
}

const systemClock: PushClock = {
  now: () => Date.now(),
  setTimeout: (f, ms) => globalThis.setTimeout(f, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Starts watching (see the module comment). */
export function watchPush(options: PushWatchOptions): PushWatch {
  return new PushWatcher(options);
}

function sameHead(a: PushHead | undefined, b: PushHead): boolean {
  if (a === undefined || a.index !== b.index) return false;
  if (a.digest === undefined || b.digest === undefined) return a.digest === b.digest;
  return bytesEqual(a.digest, b.digest);
}

class PushWatcher implements PushWatch {
  readonly #o: PushWatchOptions;
  readonly #ctor: WebSocketConstructor | undefined;
  readonly #clock: PushClock;
  readonly #backoff: Backoff;
  readonly #fallbackAfter: number;
  readonly #pollInterval: number;
  readonly #idleTimeout: number;
  readonly #stable: number;
  readonly #isFinal: (error: unknown) => boolean;
  readonly #known = new Map<string, PushHead>();
  readonly #queue = new Map<string, PushChange>();
  #waiter: { resolve: (r: IteratorResult<PushChange>) => void; reject: (e: unknown) => void } | undefined;
  #error: unknown;
  #done = false;
  #socket: WebSocketLike | undefined;
  /** Counts socket attempts: callbacks of an older socket are ignored. */
  #generation = 0;
  #openedAt = 0;
  #status: PushWatchStatus = { socket: 'off', polling: false, failures: 0 };
  #retryTimer: unknown;
  #idleTimer: unknown;
  #pollTimer: unknown;
  #pollRunning = false;
  #pollAgain = false;
  readonly #onAbort = (): void => this.close();

  constructor(options: PushWatchOptions) {
    if (typeof options.ticket !== 'function' || typeof options.poll !== 'function') throw new PushError('PUSH_BAD_ARGUMENT', 'a push watch needs ticket() and poll()');
    pushUrl(options.endpoint, 'x'); // refuses a bad endpoint now, not at the first attempt
    this.#o = options;
    this.#ctor = options.WebSocket === null ? undefined : options.WebSocket ?? globalWebSocket();
    this.#clock = options.clock ?? systemClock;
    this.#backoff = new Backoff({ ...options.backoff, ...(options.random === undefined ? {} : { random: options.random }) });
    this.#fallbackAfter = Math.max(1, options.fallbackAfter ?? 3);
    this.#pollInterval = options.pollIntervalMs ?? 30_000;
    this.#idleTimeout = options.idleTimeoutMs ?? 75_000;
    this.#stable = options.stableMs ?? 10_000;
    this.#isFinal = options.isFinal ?? isFinalPushFailure;
    for (const h of options.since ?? []) this.#known.set(h.store, h);
    if (options.signal?.aborted) {
      this.#done = true;
      return;
    }
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#ctor === undefined) this.#startPolling();
    else void this.#connect();
  }

  get status(): PushWatchStatus {
    return this.#status;
  }

  // ---- the iterator ----

  next(): Promise<IteratorResult<PushChange>> {
    const first = this.#queue.entries().next();
    if (!first.done) {
      this.#queue.delete(first.value[0]);
      return Promise.resolve({ value: first.value[1], done: false });
    }
    if (this.#error !== undefined) {
      const e = this.#error;
      this.#error = undefined;
      return Promise.reject(e);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<PushChange>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    this.#finish(undefined);
  }

  // ---- changes ----

  #report(head: PushHead): void {
    if (this.#done || sameHead(this.#known.get(head.store), head)) return;
    this.#known.set(head.store, head);
    const w = this.#waiter;
    if (w !== undefined && this.#queue.size === 0) {
      this.#waiter = undefined;
      w.resolve({ value: head, done: false });
      return;
    }
    this.#queue.delete(head.store); // keeps one entry per store
    this.#queue.set(head.store, head);
  }

  #finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    for (const t of [this.#retryTimer, this.#idleTimer, this.#pollTimer]) if (t !== undefined) this.#clock.clearTimeout(t);
    this.#retryTimer = this.#idleTimer = this.#pollTimer = undefined;
    this.#generation++;
    this.#dropSocket(1000, 'watch closed');
    this.#setStatus({ socket: 'off', polling: false });
    const w = this.#waiter;
    this.#waiter = undefined;
    if (error !== undefined) {
      if (w !== undefined) w.reject(error);
      else this.#error = error;
    } else w?.resolve({ value: undefined, done: true });
  }

  #setStatus(change: Partial<PushWatchStatus>): void {
    const { retryInMs: _drop, ...rest } = this.#status;
    this.#status = { ...rest, ...change };
    this.#o.onStatus?.(this.#status);
  }

  // ---- the socket ----

  async #connect(): Promise<void> {
    if (this.#done) return;
    const generation = ++this.#generation;
    this.#setStatus({ socket: 'connecting' });
    let ticket: string;
    try {
      ticket = await this.#o.ticket();
    } catch (e) {
      if (generation !== this.#generation) return;
      if (this.#isFinal(e)) return this.#finish(e);
      return this.#failed();
    }
    if (generation !== this.#generation || this.#done) return;
    let ws: WebSocketLike;
    try {
      ws = new this.#ctor!(pushUrl(this.#o.endpoint, ticket));
    } catch {
      return this.#failed(); // e.g. a CSP that refuses the URL: a blocked socket, not a refusal
    }
    this.#socket = ws;
    let snapshot = false;
    ws.onopen = () => {
      if (generation === this.#generation) this.#armIdle(generation);
    };
    ws.onmessage = (event) => {
      if (generation !== this.#generation) return;
      this.#armIdle(generation);
      let messages;
      try {
        messages = decodePushMessages(event.data as string);
      } catch {
        // Not what a service of this protocol sends: drop the socket, reconnect.
        this.#dropSocket(1002, 'malformed message');
        return this.#closed(generation, snapshot);
      }
      for (const m of messages) {
        if (m.type === 'heads') {
          for (const h of m.heads) this.#report(h);
          if (!snapshot) {
            snapshot = true;
            this.#opened();
          }
        } else if (!snapshot) {
          continue; // the snapshot comes first; anything before it is not this protocol
        } else if (m.type === 'change') {
          this.#report(m.digest === undefined ? { store: m.store, index: m.index } : { store: m.store, index: m.index, digest: m.digest });
        } else if (m.type === 'resync') {
          this.#pollNow();
        }
      }
    };
    ws.onerror = () => undefined; // a close follows
    ws.onclose = () => {
      if (generation === this.#generation && this.#socket === ws) {
        this.#socket = undefined;
        this.#closed(generation, snapshot);
      }
    };
  }

  /** The snapshot arrived: the socket holds. */
  #opened(): void {
    this.#openedAt = this.#clock.now();
    this.#stopPolling();
    this.#setStatus({ socket: 'open', failures: 0 });
  }

  /** The socket of `generation` ended. */
  #closed(generation: number, held: boolean): void {
    if (generation !== this.#generation || this.#done) return;
    if (this.#idleTimer !== undefined) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (!held) return this.#failed();
    if (this.#clock.now() - this.#openedAt >= this.#stable) this.#backoff.reset();
    this.#retry();
  }

  /** An attempt failed before the snapshot. */
  #failed(): void {
    if (this.#done) return;
    const failures = this.#status.failures + 1;
    this.#setStatus({ failures });
    if (failures >= this.#fallbackAfter) this.#startPolling();
    this.#retry();
  }

  #retry(): void {
    this.#generation++;
    this.#dropSocket(1000, 'reconnecting');
    const delay = this.#backoff.next();
    this.#setStatus({ socket: 'waiting', retryInMs: delay });
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect();
    }, delay);
  }

  #armIdle(generation: number): void {
    if (this.#idleTimer !== undefined) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = undefined;
      if (generation !== this.#generation) return;
      const held = this.#status.socket === 'open';
      this.#dropSocket(4000, 'silent too long');
      this.#closed(generation, held);
    }, this.#idleTimeout);
  }

  #dropSocket(code: number, reason: string): void {
    const ws = this.#socket;
    this.#socket = undefined;
    if (ws === undefined) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = () => undefined;
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  // ---- polling ----

  #startPolling(): void {
    if (this.#status.polling || this.#done) return;
    this.#setStatus({ polling: true });
    this.#pollNow();
  }

  #stopPolling(): void {
    if (!this.#status.polling) return;
    if (this.#pollTimer !== undefined) this.#clock.clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#setStatus({ polling: false });
  }

  /** One poll now (a resync, or the fallback's period); its successor is scheduled while polling. */
  #pollNow(): void {
    if (this.#done) return;
    if (this.#pollRunning) {
      this.#pollAgain = true;
      return;
    }
    if (this.#pollTimer !== undefined) this.#clock.clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#pollRunning = true;
    this.#o.poll().then(
      (heads) => {
        for (const h of heads) this.#report(h);
      },
      (e: unknown) => {
        if (this.#isFinal(e)) return this.#finish(e);
        // Polling: the next poll will tell. A resync on an open socket: reopen it, and its
        // snapshot tells instead.
        if (!this.#status.polling && this.#socket !== undefined) {
          this.#dropSocket(4000, 'resync failed');
          this.#closed(this.#generation, true);
        }
      },
    ).finally(() => {
      this.#pollRunning = false;
      if (this.#done) return;
      if (this.#pollAgain) {
        this.#pollAgain = false;
        return this.#pollNow();
      }
      if (this.#status.polling) {
        this.#pollTimer = this.#clock.setTimeout(() => {
          this.#pollTimer = undefined;
          this.#pollNow();
        }, this.#pollInterval);
      }
    });
  }
}
