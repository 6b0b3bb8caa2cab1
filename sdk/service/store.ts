/**
 * The service-store contract: everything the Mesh service keeps (protocol.md §5: accounts bound
 * by T2, the catalogs and spools that T6 Status, T7 Download and T8 Transact serve), behind one
 * interface so the service runs unchanged on memory (tests, browsers), on the embedded on-disk
 * store (sdk/service/embedded) and on PostgreSQL. It belongs to the service that consumes it;
 * implementations import it, never the reverse. The service never touches files or tables
 * directly.
 *
 * Model:
 * - An **account** is identified by its canonical address (`canonicalAddress`, store-rules.ts) and
 *   carries the UDF and enveloped bytes of the profile it was bound with. Addresses and profile
 *   UDFs are each unique in a store.
 * - Each account has **stores** named by label (`MMM_Inbound`, `MMM_Credential`, …; names match
 *   `STORE_NAME`): append-only lists of DARE sequence frames (dare.md §8), kept as opaque bytes
 *   exactly as uploaded — clients build complete frames and other devices append the downloaded
 *   bytes verbatim, so the service's copy is byte-identical to every device's. A store exists
 *   from its first frame; before that it reads as empty (next index 0).
 * - Indexes count frames from 0 (frame 0 is the sequence header frame, dare.md §9). A store's
 *   **next index** is its frame count: the index its next frame will get. (The protocol's
 *   ContainerStatus.Index is the *last* index: next index − 1.)
 * - A **head** is a store's next index and the apex digest its writer declared for it (opaque:
 *   the store never parses frames beyond checking each is one well-formed frame).
 *
 * Every method is async and fails only with `ServiceStoreError` (stable `code`s, see
 * store-errors.ts). A failed call changes nothing.
 */
export interface ServiceStore {
  // ---- accounts (protocol.md T2 BindAccount, T3 UnbindAccount) ----

  /** Creates an account; `SERVICE_ALREADY_EXISTS` when its canonical address or profile UDF is taken. */
  createAccount(account: NewAccount): Promise<AccountRecord>;
  /** The account at `address` (canonicalised first), or undefined. */
  getAccount(address: string): Promise<AccountRecord | undefined>;
  /** The account bound with the profile whose UDF is `profileUdf`, or undefined. */
  findAccountByProfile(profileUdf: string): Promise<AccountRecord | undefined>;
  /** Changes an account's status and/or profile bytes; `SERVICE_NOT_FOUND` when absent. */
  updateAccount(address: string, changes: AccountChanges): Promise<AccountRecord>;
  /**
   * Deletes an account with all its stores and frames; true when it existed. A later account at
   * the same address starts empty. Watchers get a `deleted` event.
   */
  deleteAccount(address: string): Promise<boolean>;
  /** Accounts in canonical-address order, after `after` (exclusive), at most `limit` (default 1000). */
  listAccounts(options?: { after?: string; limit?: number }): Promise<AccountRecord[]>;

  // ---- stores (protocol.md T6 Status, T7 Download, T8 Transact) ----

  /**
   * Appends frames to one or more stores, of one account or several, atomically: every update
   * is applied or none is — also across a crash at any moment (an acknowledged transaction is
   * durable; a transaction whose promise did not resolve is either wholly present or wholly
   * absent after a restart). Optimistic concurrency: each update names the next index it expects
   * its store to have; if any store differs, nothing is applied and the promise rejects with a
   * `ServiceConflictError` naming one such store (the first in (account, store) order) and
   * its actual next index. Of two transactions expecting the same index of a store, exactly one
   * succeeds.
   *
   * Several accounts in one transaction is how the service delivers a message to local
   * recipients atomically with the sender's own updates (protocol.md T8: Outbound routed to the
   * recipients' MMM_Inbound): the service builds each recipient's inbound frame at the index it
   * read, and on a conflict on a recipient's store (a concurrent delivery) rebuilds and retries;
   * a conflict on the sender's stores goes back to the client. Delivery to another service (T9
   * Post) cannot be atomic and is not this method's business.
   *
   * Checked in this order, the first failure decides: the arguments (`SERVICE_BAD_ARGUMENT`: no
   * updates, two updates of one store, no frames, a malformed frame; `SERVICE_TOO_LARGE`); the
   * nonce of `options.nonce` (`SERVICE_REPLAY`); the guards of `options.guards`
   * (`SERVICE_STALE`: the account or a store moved since the caller read what it decided on); then
   * each update in (account, store) order (`compareUpdates`): its account exists
   * (`SERVICE_NOT_FOUND`), its store is at the expected index (`SERVICE_CONFLICT`). A failure
   * writes nothing, the nonce claim included (a claim rolled back is not spent).
   */
  transact(updates: readonly StoreUpdate[], options?: TransactOptions): Promise<TransactResult>;
  /**
   * Frames of `store` from `fromIndex` on, by cursor (protocol.md T7 Download: IndexMin,
   * MaxEntries, Partial). Returns at most `limits.maxEntries` frames and stops before exceeding
   * `limits.maxBytes` — but always returns at least one frame when any remain, so a reader
   * makes progress. Frames of a transaction not yet committed are never returned.
   * `SERVICE_NOT_FOUND` for an unknown account; `SERVICE_OUT_OF_RANGE` when `fromIndex` exceeds
   * the store's next index (equal is fine: no frames, not partial).
   */
  read(account: string, store: string, fromIndex: number, limits?: ReadLimits): Promise<ReadResult>;
  /** The head of one store (next index 0 and no digest while it has no frames). */
  head(account: string, store: string): Promise<StoreHead>;
  /** The heads of every store of the account that has frames, in store-name order (T6 Status). */
  heads(account: string): Promise<StoreHead[]>;

  // ---- change notifications (protocol.md §2 WebSocket push: hints; the stores are the truth) ----

  /**
   * Subscribes to changes committed by any writer of this store — through this instance or, for a
   * shared database, any other host — from now on: one `change` per store per committed
   * transaction (after the commit is durable), `deleted` per deleted account. Events are hints:
   * a watcher that falls `highWaterMark` events behind (default 10,000) has its queue replaced by
   * one `resync` (re-read the heads it cares about); so does a store that lost its notification
   * channel (PostgreSQL after a reconnect). Ends when the store closes or `signal` aborts.
   */
  watch(options?: WatchOptions): ServiceWatch;

  // ---- small service records (service profile, sealed host keys, configuration) ----

  /** The value stored under `name`, or undefined. */
  getRecord(name: string): Promise<Uint8Array | undefined>;
  /** Stores `value` under `name`, replacing any value. Values are kept as given: seal secrets first. */
  putRecord(name: string, value: Uint8Array): Promise<void>;
  /**
   * Stores `value` under `name` only if the name is free, and returns the value now stored: the
   * given one, or the one that was there. Two hosts starting at once thus agree on one service
   * profile and one set of host keys.
   */
  createRecord(name: string, value: Uint8Array): Promise<Uint8Array>;
  /** Deletes the record; true when it existed. */
  deleteRecord(name: string): Promise<boolean>;
  /**
   * Names of the records in code-unit order, after `after` (exclusive), at most `limit` (default
   * 1000): what an export walks (copy.ts).
   */
  listRecords(options?: { after?: string; limit?: number }): Promise<string[]>;

  // ---- replay protection (protocol.md §2: a (keyid, nonce) seen within the window is refused) ----

  /**
   * Claims a request nonce until `claim.expires`: true when this call claimed it, false when a
   * claim of the same (key, nonce) has not expired yet. A true answer is durable (a restart does
   * not forget it) and shared by every host of the store. For a state-changing request, claim the
   * nonce in the same transaction instead (`TransactOptions.nonce`), so a replay can never apply
   * twice.
   */
  claimNonce(claim: NonceClaim): Promise<boolean>;

  /** Finishes pending work, ends every watcher and releases the store; later calls fail `SERVICE_CLOSED`. */
  close(): Promise<void>;
}

/** Account status (protocol.md T2: Pending, Connected, Blocked). */
export type AccountStatus = 'pending' | 'connected' | 'blocked';

/** An account as stored. */
export interface AccountRecord {
  /** Canonical address (store-rules.ts `canonicalAddress`). */
  readonly address: string;
  /** UDF of the ProfileAccount the account was bound with. */
  readonly profileUdf: string;
  readonly status: AccountStatus;
  /** The enveloped ProfileAccount as last bound (opaque bytes, returned by T6 Status). */
  readonly profile: Uint8Array;
  /** Creation time, milliseconds since the Unix epoch. */
  readonly created: number;
}

/** What `createAccount` takes. */
export interface NewAccount {
  /** Any case; stored canonical. */
  readonly address: string;
  readonly profileUdf: string;
  readonly profile: Uint8Array;
  /** Default `'connected'`. */
  readonly status?: AccountStatus;
  /** Default: now (an import passes the exported time). */
  readonly created?: number;
}

/** What `updateAccount` may change. */
export interface AccountChanges {
  readonly status?: AccountStatus;
  readonly profile?: Uint8Array;
}

/** Appends to one store, part of a {@link ServiceStore.transact}. */
export interface StoreUpdate {
  /** The account (any case). */
  readonly account: string;
  /** The store's name (`STORE_NAME`). */
  readonly store: string;
  /** The store's next index this update was built for (its frame count as the writer saw it). */
  readonly expectedNextIndex: number;
  /** One or more complete DARE frames (dare.md §8), appended in order as `expectedNextIndex`, … */
  readonly frames: readonly Uint8Array[];
  /** The store's apex digest after these frames, as the writer computed it; kept in the head. */
  readonly digest?: Uint8Array;
}

/** Options of a transaction. */
export interface TransactOptions {
  /** Claims this nonce atomically with the transaction (`SERVICE_REPLAY` if already claimed). */
  readonly nonce?: NonceClaim;
  /**
   * Commit only while these still hold (`SERVICE_STALE` otherwise, nothing written): what the
   * caller decided the transaction on without reading it again — an account record and the
   * heads of stores it read, typically from a cache (the Mesh service's access decision rests on
   * the account and its MMM_Access catalog). Checked atomically with the commit, as the expected
   * indexes are.
   */
  readonly guards?: readonly TransactGuard[];
}

/**
 * A condition of a transaction ({@link TransactOptions.guards}): the account is still the one the
 * caller read — it exists, with the same creation time (not deleted and bound again), status and
 * profile bytes — and each store in `heads` still holds exactly `nextIndex` frames. A store the
 * transaction updates cannot be named in `heads` (`SERVICE_BAD_ARGUMENT`): its update's expected
 * index is that check.
 */
export interface TransactGuard {
  /** The account (any case). */
  readonly account: string;
  /** The account as the caller read it. */
  readonly record: Pick<AccountRecord, 'created' | 'status' | 'profile'>;
  /** Stores of the account and the next index each must still have. */
  readonly heads?: readonly { readonly store: string; readonly nextIndex: number }[];
}

/** A committed transaction: the new head of each updated store, in the order of the updates. */
export interface TransactResult {
  readonly heads: readonly AccountStoreHead[];
}

/** A store's head. */
export interface StoreHead {
  readonly store: string;
  /** Frame count: the index of the next frame. */
  readonly nextIndex: number;
  /** The apex digest the last writer declared, if it declared one. */
  readonly digest?: Uint8Array;
}

/** A store's head, with its account. */
export interface AccountStoreHead extends StoreHead {
  /** Canonical address. */
  readonly account: string;
}

/** Limits of a read. */
export interface ReadLimits {
  /** At most this many frames (≥ 1; default: no limit). */
  readonly maxEntries?: number;
  /** Stop before the frames' total size exceeds this (≥ 1; default: no limit); one frame always fits. */
  readonly maxBytes?: number;
}

/** What a read returns. */
export interface ReadResult {
  /** Frames `fromIndex` … `nextIndex − 1`, the bytes as uploaded. */
  readonly frames: Uint8Array[];
  readonly fromIndex: number;
  /** The cursor: index after the last frame returned (the `fromIndex` of the next read). */
  readonly nextIndex: number;
  /** The store's head when read (frames up to it are committed). */
  readonly head: StoreHead;
  /** True when frames remain beyond `nextIndex` (protocol.md T7 Partial). */
  readonly partial: boolean;
}

/** A request nonce to remember (protocol.md §2 replay rule). */
export interface NonceClaim {
  /** Who signed: the request's `keyid` (nonces are unique per key). */
  readonly key: string;
  /** The request's `nonce` parameter (base64url text). */
  readonly nonce: string;
  /** Until when to remember it, ms since the Unix epoch (the signature's `expires`). */
  readonly expires: number;
}

/** A notification (see {@link ServiceStore.watch}). */
export type ServiceEvent =
  | { readonly type: 'change'; readonly account: string; readonly store: string; readonly nextIndex: number; readonly digest?: Uint8Array }
  | { readonly type: 'deleted'; readonly account: string }
  | { readonly type: 'resync' };

/** Options of `watch`. */
export interface WatchOptions {
  /** Ends the watch. */
  readonly signal?: AbortSignal;
  /** Events queued beyond this are replaced by one `resync` (default 10,000). */
  readonly highWaterMark?: number;
}

/** A subscription: iterate it with `for await`; `close()` (or `break`) ends it. */
export interface ServiceWatch extends AsyncIterableIterator<ServiceEvent> {
  /** Ends the subscription (a pending `next()` resolves done). */
  close(): void;
}
