import { encodePushMessage } from '../../protocol/push.js';
import type { PushConnection, PushSocketEvents } from './connection.js';

/**
 * One push socket's state (protocol.md §2, WebSocket push): small and bounded, because a service
 * holds tens of thousands of them — no timer, no closure per message, no queue that can grow.
 *
 * Sending: a notification is written at once when the socket is open and takes data (its
 * `bufferedAmount` under the high-water mark). Otherwise it waits in `pending`, one entry per
 * store, the newest replacing the older (notifications are hints: only the latest head of a store
 * matters). If more than `maxPending` stores wait, the whole queue is replaced by one `resync`
 * line, and further changes are dropped until it is written (reading every head after it covers
 * them). So a socket that never reads costs at most the high-water mark plus one message in
 * the binding's buffers, and `maxPending` small entries here.
 */

/** A pending notification: the store's newest index and its encoded line. */
interface Pending {
  readonly index: number;
  readonly line: string;
}

/** Limits shared by every session of a service. */
export interface SessionLimits {
  /** Stop writing while the socket holds this many unsent bytes. */
  readonly highWaterBytes: number;
  /** Most stores waiting before the queue becomes one `resync`. */
  readonly maxPending: number;
}

export const RESYNC_LINE = encodePushMessage({ type: 'resync' });
export const KEEPALIVE_LINE = encodePushMessage({ type: 'keepalive' });

/** What a session tells its owner. */
export interface SessionOwner {
  /** The session ended (removes it from the indexes). */
  ended(session: PushSession): void;
  /** The client sent a message. */
  misbehaved(session: PushSession): void;
}

/** One socket (see the module comment). */
export class PushSession implements PushSocketEvents {
  /** Canonical account address. */
  readonly account: string;
  readonly keyid: string;
  /** Stores the device may read (shared between sessions with the same set). */
  stores: ReadonlySet<string>;
  /** Answered the last ping (or opened since). */
  alive = true;
  #state: 'opening' | 'open' | 'closed' = 'opening';
  #pending: Map<string, Pending> | undefined;
  #resync = false;
  /** The binding reported the close; `#whenGone` waits for it (only while the service shuts down). */
  #gone = false;
  #whenGone: (() => void) | undefined;
  readonly #connection: PushConnection;
  readonly #limits: SessionLimits;
  readonly #owner: SessionOwner;

  constructor(account: string, keyid: string, stores: ReadonlySet<string>, connection: PushConnection, limits: SessionLimits, owner: SessionOwner) {
    this.account = account;
    this.keyid = keyid;
    this.stores = stores;
    this.#connection = connection;
    this.#limits = limits;
    this.#owner = owner;
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** Stores waiting (0 while a `resync` stands for them). */
  get pendingCount(): number {
    return this.#pending?.size ?? 0;
  }

  /** A `resync` waits to be written. */
  get resyncPending(): boolean {
    return this.#resync;
  }

  /** Bytes the binding holds for this socket. */
  get bufferedAmount(): number {
    return this.#connection.bufferedAmount;
  }

  /**
   * Sends the heads snapshot (the first message) and opens the session; waiting notifications
   * the snapshot already covers are dropped, later ones follow it.
   */
  start(heads: readonly { readonly store: string; readonly index: number; readonly digest?: Uint8Array }[]): void {
    if (this.#state !== 'opening') return;
    this.#state = 'open';
    this.#connection.send(encodePushMessage({ type: 'heads', heads }));
    if (this.#pending !== undefined) {
      for (const head of heads) {
        const p = this.#pending.get(head.store);
        if (p !== undefined && p.index <= head.index) this.#pending.delete(head.store);
      }
    }
    this.flush();
  }

  /** A change of `store` to `index` (its encoded line given, shared by every session). */
  offer(store: string, index: number, line: string): void {
    if (this.#state === 'closed' || this.#resync) return;
    if (this.#state === 'open' && this.#pending === undefined && this.#connection.bufferedAmount < this.#limits.highWaterBytes) {
      this.#connection.send(line); // the common case: nothing waits, the socket takes data
      return;
    }
    const pending = (this.#pending ??= new Map());
    const held = pending.get(store);
    if (held !== undefined && held.index > index) return; // an older hint than one already waiting
    pending.set(store, { index, line });
    if (pending.size > this.#limits.maxPending) {
      this.#pending = undefined;
      this.#resync = true;
    }
    this.flush();
  }

  /** Replaces whatever waits with one `resync` (the source lost events). */
  requireResync(): void {
    if (this.#state === 'closed') return;
    this.#pending = undefined;
    this.#resync = true;
    this.flush();
  }

  /** Writes what waits, if the socket takes data. */
  flush(): void {
    if (this.#state !== 'open' || (this.#pending === undefined && !this.#resync)) return;
    if (this.#connection.bufferedAmount >= this.#limits.highWaterBytes) return;
    let text: string;
    if (this.#resync) {
      text = RESYNC_LINE;
      this.#resync = false;
    } else {
      let lines = '';
      for (const p of this.#pending!.values()) lines = lines === '' ? p.line : `${lines}\n${p.line}`;
      text = lines;
      this.#pending = undefined;
    }
    this.#connection.send(text);
  }

  /**
   * The keepalive sweep's visit: a socket that did not answer the previous ping is dropped;
   * otherwise it is pinged, told it is alive when idle, and flushed.
   */
  sweep(): void {
    if (this.#state === 'closed') return;
    if (!this.alive) {
      this.#end();
      this.#connection.terminate();
      return;
    }
    this.alive = false;
    this.#connection.ping();
    if (this.#state === 'open') {
      if (this.#pending === undefined && !this.#resync) {
        if (this.#connection.bufferedAmount < this.#limits.highWaterBytes) this.#connection.send(KEEPALIVE_LINE);
      } else this.flush();
    }
  }

  /** Closes with `code` (PUSH_CLOSE) and sends nothing more. */
  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#end();
    this.#connection.close(code, reason);
  }

  #end(): void {
    this.#state = 'closed';
    this.#pending = undefined;
    this.#resync = false;
    this.#owner.ended(this);
  }

  // ---- PushSocketEvents (called by the binding) ----

  pong(): void {
    this.alive = true;
  }

  message(): void {
    this.#owner.misbehaved(this);
  }

  written(): void {
    this.flush();
  }

  closed(): void {
    if (this.#state !== 'closed') this.#end();
    this.#gone = true;
    this.#whenGone?.();
  }

  /** Resolves once the binding reported the close, or after `ms`, then drops the connection. */
  async gone(ms: number, timers: { setTimeout(f: () => void, ms: number): unknown; clearTimeout(h: unknown): void }): Promise<void> {
    if (this.#gone) return;
    await new Promise<void>((resolve) => {
      const timer = timers.setTimeout(resolve, ms);
      this.#whenGone = () => {
        timers.clearTimeout(timer);
        resolve();
      };
    });
    this.#whenGone = undefined;
    if (!this.#gone) this.#connection.terminate();
  }
}
