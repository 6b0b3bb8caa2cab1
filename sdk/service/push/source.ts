/**
 * Where the push service learns of changes: the part of the service-store contract it consumes
 * (`ServiceStore.watch` and `ServiceStore.heads`), written as its own interface so that any
 * source fits — the embedded store's in-process feed, or PostgreSQL LISTEN/NOTIFY across hosts —
 * and the push service depends on nothing else of the store. A `ServiceStore` satisfies it as it is.
 *
 * Semantics the push service relies on (those of `ServiceStore.watch`):
 * - `change` after a commit is durable, one per store per transaction, `nextIndex` = frame count;
 * - `deleted` when an account goes;
 * - `resync` when the source lost events (a slow watcher, a lost database connection): every
 *   head may have moved. The push service then re-reads the heads of the accounts it serves and
 *   tells their sockets (not every socket's client at once: one read per account, not per socket).
 */

/** A notification of the source. */
export type PushSourceEvent =
  | { readonly type: 'change'; readonly account: string; readonly store: string; readonly nextIndex: number; readonly digest?: Uint8Array }
  | { readonly type: 'deleted'; readonly account: string }
  | { readonly type: 'resync' };

/** A store's head as the source reports it. */
export interface PushSourceHead {
  readonly store: string;
  /** Frame count: the index of the next frame. */
  readonly nextIndex: number;
  readonly digest?: Uint8Array;
}

/** A subscription to the source's events. */
export interface PushSourceWatch extends AsyncIterable<PushSourceEvent> {
  /** Ends the subscription. */
  close(): void;
}

/** The change source of the push service. */
export interface PushChangeSource {
  /** Events from now on, until `close()` or `signal`. */
  watch(options?: { readonly signal?: AbortSignal; readonly highWaterMark?: number }): PushSourceWatch;
  /** The heads of every store of `account` that has frames (none for an unknown account). */
  heads(account: string): Promise<readonly PushSourceHead[]>;
}
