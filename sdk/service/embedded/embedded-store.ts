import { joinBytes } from '../../encoding/bytes.js';
import { SequenceError } from '../../dare/sequence/errors.js';
import type { SequenceStore } from '../../dare/sequence/store.js';
import { scanFrames } from '../../dare/sequence/scan.js';
import { ChangeFeed } from '../change-feed.js';
import type { ServiceFiles } from '../files.js';
import { ServiceConflictError, ServiceStoreError, serviceError } from '../store-errors.js';
import {
  DEFAULT_LIMITS, canonicalAddress, checkIndex, checkListOptions, checkNewAccount, checkNonce, checkProfile, checkReadLimits, checkRecordName, checkRecordValue,
  checkGuards, checkStatus, checkStoreName, checkUpdates, compareUpdates, failedGuard, framesThatFit, nonceKey, type CheckedAccount, type CheckedGuard, type CheckedUpdate, type StoreLimits,
} from '../store-rules.js';
import type {
  AccountChanges, AccountRecord, NewAccount, NonceClaim, ReadLimits, ReadResult, ServiceEvent, ServiceStore, ServiceWatch, StoreHead, StoreUpdate,
  TransactOptions, TransactResult, WatchOptions,
} from '../store.js';
import { FileCache } from './file-cache.js';
import { recover, segmentPath, type RecoveryReport } from './recovery.js';
import { ServiceState, type AccountState, type Applied, type StoreState } from './state.js';
import { ByteWriter, encodeRecord, writeRecord, type WalRecord } from './wal-codec.js';

/**
 * The embedded service store: the service-store contract (store.ts) on a directory of files
 * ({@link ServiceFiles}), for a service on one machine.
 *
 * **Layout.** `wal/<seq>.log` — the write-ahead log, one segment at a time;
 * `accounts/a<id>/s<id>-<label>.dare` — one file per store of an account, holding exactly the
 * store's frames as uploaded (a DARE sequence, byte-identical to the devices' copies).
 *
 * **Commit (group commit).** Every change — transactions, account and record changes, nonce
 * claims — is a log record. Calls queue; one batch at a time is cut from the queue, checked
 * in order against the committed state plus the batch's own earlier changes (so two
 * transactions expecting the same index: the first passes, the second gets its
 * `SERVICE_CONFLICT` right there), written with one write and made durable with one fsync.
 * Calls that arrive during that fsync form the next batch — one fsync per batch however many
 * devices write at once. Only then is the batch *landed*: applied to the in-memory state that
 * reads see, its callers answered, its change events published. A record is applied entirely
 * or not at all (one record per transaction, CRC-checked), so no reader and no restart ever sees
 * part of a transaction.
 *
 * **Apply.** Landed frames wait in memory (reads serve them from there) and are appended to
 * their store files right after, without fsync: the log already makes them durable. A store
 * file that cannot be written keeps its frames in memory and is retried; the log keeps them too.
 *
 * **Checkpoint.** When a segment exceeds `segmentBytes` (and on open and close): every store
 * file written since the last checkpoint is fsynced (and the directories of new files), then
 * a new segment is started whose first record, the *base*, holds the whole state but the
 * frames — accounts, records, live nonces and each store's frame count, apex digest and file
 * length — and is fsynced; then the old segment is deleted. Commits wait meanwhile.
 *
 * **Recovery** (recovery.ts): the newest segment with a complete base, its records replayed up
 * to the torn tail, store files reconciled with the logged frames, a new checkpoint. So a
 * `kill -9` or power cut at any moment loses no acknowledged call and shows no partial one.
 *
 * **Failure.** A log write or fsync that fails fails its whole batch (`SERVICE_IO`) and the log
 * is cut back to before it; if even that fails, the store refuses changes (`SERVICE_FAILED`)
 * until a checkpoint succeeds — a new base that cannot include the failed batch, settling its
 * fate as "not applied", which is what its callers were told.
 */
export class EmbeddedServiceStore implements ServiceStore {
  private readonly feed = new ChangeFeed();
  private readonly queue: Op[] = [];
  private pumping = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** Set when the log could not be cut back after a failed write: changes are refused. */
  private failed: ServiceStoreError | undefined;
  /** Stores written (or to be written) since the last checkpoint. */
  private readonly active = new Set<StoreState>();
  /** Directories with names created since the last checkpoint ('' = the root). */
  private readonly newDirs = new Set<string>();
  private claimsSincePrune = 0;
  /** The fsync of store files that precedes a checkpoint (see `rotate`). */
  private presync: Promise<'done'> | undefined;
  /** Removals of deleted accounts' files in progress (awaited by checkpoints and close). */
  private readonly removals = new Set<Promise<void>>();
  /** The current log segment (set by the checkpoint that ends `open`). */
  private wal: SequenceStore | undefined;

  private constructor(
    private readonly files: ServiceFiles,
    private readonly cache: FileCache,
    private readonly state: ServiceState,
    private walSeq: number,
    private readonly options: Required<Omit<EmbeddedStoreOptions, 'limits'>> & { limits: StoreLimits },
    /** What opening found and repaired. */
    readonly recovery: RecoveryReport,
  ) {}

  /**
   * Opens the store on `files` (recovering from a crash if there was one), or creates it. The
   * store owns `files` from here: `close()` (or a failed open) closes them.
   * `SERVICE_LOCKED` is the files' lock refusing a second instance; `SERVICE_CORRUPT` a log or
   * store file that contradicts itself (the log is left as it is, for inspection).
   */
  static async open(files: ServiceFiles, options: EmbeddedStoreOptions = {}): Promise<EmbeddedServiceStore> {
    const opts = {
      now: options.now ?? Date.now,
      segmentBytes: options.segmentBytes ?? 64 << 20,
      batchBytes: options.batchBytes ?? 8 << 20,
      maxOpenFiles: options.maxOpenFiles ?? 2048,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
    };
    const cache = new FileCache(files, opts.maxOpenFiles);
    try {
      await files.lock();
      // One interrupted group write leaves at most one batch (plus the one transaction that may
      // exceed the batch size) of torn tail.
      const { state, seq, report, written } = await recover(files, cache, opts.batchBytes + opts.limits.maxTransactionBytes + (1 << 20));
      const store = new EmbeddedServiceStore(files, cache, state, seq, opts, report);
      for (const st of written) store.active.add(st);
      store.newDirs.add('');
      await store.checkpoint(true);
      return store;
    } catch (e) {
      // The files were handed over: release them (and the directory lock) with the failure.
      await cache.closeAll().catch(() => undefined);
      await files.close().catch(() => undefined);
      throw mapError(e);
    }
  }

  // ---- accounts ----

  async createAccount(account: NewAccount): Promise<AccountRecord> {
    this.check();
    return this.enqueue({ kind: 'create', account: checkNewAccount(account, this.options.limits, this.options.now()) }) as Promise<AccountRecord>;
  }

  async getAccount(address: string): Promise<AccountRecord | undefined> {
    this.check();
    return this.state.byAddress.get(canonicalAddress(address))?.record();
  }

  async findAccountByProfile(profileUdf: string): Promise<AccountRecord | undefined> {
    this.check();
    return this.state.byProfile.get(profileUdf)?.record();
  }

  async updateAccount(address: string, changes: AccountChanges): Promise<AccountRecord> {
    this.check();
    const canonical = canonicalAddress(address);
    const status = changes.status === undefined ? undefined : checkStatus(changes.status);
    const profile = changes.profile === undefined ? undefined : checkProfile(canonical, changes.profile, this.options.limits).slice();
    return this.enqueue({ kind: 'update', address: canonical, status, profile }) as Promise<AccountRecord>;
  }

  async deleteAccount(address: string): Promise<boolean> {
    this.check();
    return this.enqueue({ kind: 'delete', address: canonicalAddress(address) }) as Promise<boolean>;
  }

  async listAccounts(options: { after?: string; limit?: number } = {}): Promise<AccountRecord[]> {
    this.check();
    const limit = options.limit ?? 1000;
    if (!(Number.isSafeInteger(limit) && limit >= 1)) throw serviceError('SERVICE_BAD_ARGUMENT', `limit ${limit} is not a positive integer`);
    const after = options.after === undefined ? undefined : canonicalAddress(options.after);
    return [...this.state.byAddress.keys()].filter((k) => after === undefined || k > after).sort().slice(0, limit).map((k) => this.state.byAddress.get(k)!.record());
  }

  // ---- stores ----

  async transact(updates: readonly StoreUpdate[], options: TransactOptions = {}): Promise<TransactResult> {
    this.check();
    const checked = checkUpdates(updates, this.options.limits).map((u) => ({ ...u, frames: u.frames.map((f) => f.slice()), digest: u.digest?.slice() }));
    const nonce = options.nonce === undefined ? undefined : checkNonce(options.nonce);
    const guards = checkGuards(options.guards, checked);
    return this.enqueue({ kind: 'tx', updates: checked, nonce, guards }) as Promise<TransactResult>;
  }

  async read(account: string, store: string, fromIndex: number, limits?: ReadLimits): Promise<ReadResult> {
    this.check();
    const address = canonicalAddress(account);
    checkStoreName(store);
    checkIndex(fromIndex, 'read index');
    const lim = checkReadLimits(limits);
    const a = this.state.byAddress.get(address);
    if (!a) throw serviceError('SERVICE_NOT_FOUND', `no account ${address}`, { account: address });
    const st = a.stores.get(store);
    const head: StoreHead = st?.head() ?? { store, nextIndex: 0 };
    if (fromIndex > head.nextIndex) {
      throw serviceError('SERVICE_OUT_OF_RANGE', `${store} of ${address} has ${head.nextIndex} frames, cannot read from ${fromIndex}`, { account: address, store });
    }
    if (!st || fromIndex === head.nextIndex) return { frames: [], fromIndex, nextIndex: fromIndex, head, partial: false };
    if (st.broken) throw st.broken;
    if (fromIndex < st.applied) await this.loadStarts(st);
    if (a.deleted) throw serviceError('SERVICE_NOT_FOUND', `no account ${address}`, { account: address });
    // From here the plan is fixed synchronously: frames below `applied` never change in the file,
    // and the pending frames captured here stay valid after they move to the file.
    const applied = st.applied;
    const appliedBytes = st.appliedBytes;
    const starts = st.starts ?? [];
    const pending = st.pending.slice(0, Math.max(0, head.nextIndex - applied));
    const end = (i: number): number => (i + 1 < applied ? starts[i + 1]! : appliedBytes);
    const size = (k: number): number => {
      const i = fromIndex + k;
      return i < applied ? end(i) - starts[i]! : pending[i - applied]!.length;
    };
    const n = framesThatFit(size, head.nextIndex - fromIndex, lim);
    const inFile = Math.max(0, Math.min(n, applied - fromIndex));
    const frames: Uint8Array[] = [];
    if (inFile > 0) {
      const from = starts[fromIndex]!;
      const to = end(fromIndex + inFile - 1);
      const bytes = await this.cache.use(st.path, { create: false, write: false }, async (file) => {
        if (!file) throw this.breakStore(st, `${st.path} is missing`);
        return file.read(from, to - from);
      }).catch((e) => {
        if (a.deleted) throw serviceError('SERVICE_NOT_FOUND', `no account ${address}`, { account: address });
        throw mapError(e);
      });
      if (bytes.length !== to - from) throw this.breakStore(st, `${st.path} ends before offset ${to}`);
      for (let i = fromIndex; i < fromIndex + inFile; i++) frames.push(bytes.slice(starts[i]! - from, end(i) - from));
    }
    for (let i = fromIndex + inFile; i < fromIndex + n; i++) frames.push(pending[i - applied]!.slice());
    return { frames, fromIndex, nextIndex: fromIndex + n, head, partial: fromIndex + n < head.nextIndex };
  }

  async head(account: string, store: string): Promise<StoreHead> {
    this.check();
    const a = this.accountOf(account);
    checkStoreName(store);
    return a.stores.get(store)?.head() ?? { store, nextIndex: 0 };
  }

  async heads(account: string): Promise<StoreHead[]> {
    this.check();
    const a = this.accountOf(account);
    return [...a.stores.values()].sort((x, y) => (x.name < y.name ? -1 : 1)).map((st) => st.head());
  }

  watch(options?: WatchOptions): ServiceWatch {
    this.check();
    return this.feed.watch(options);
  }

  // ---- records and nonces ----

  async getRecord(name: string): Promise<Uint8Array | undefined> {
    this.check();
    return this.state.records.get(checkRecordName(name))?.slice();
  }

  async putRecord(name: string, value: Uint8Array): Promise<void> {
    this.check();
    checkRecordValue(checkRecordName(name), value, this.options.limits);
    return this.enqueue({ kind: 'record-put', name, value: value.slice() }) as Promise<void>;
  }

  async createRecord(name: string, value: Uint8Array): Promise<Uint8Array> {
    this.check();
    checkRecordValue(checkRecordName(name), value, this.options.limits);
    return this.enqueue({ kind: 'record-create', name, value: value.slice() }) as Promise<Uint8Array>;
  }

  async deleteRecord(name: string): Promise<boolean> {
    this.check();
    return this.enqueue({ kind: 'record-delete', name: checkRecordName(name) }) as Promise<boolean>;
  }

  async listRecords(options: { after?: string; limit?: number } = {}): Promise<string[]> {
    this.check();
    const { after, limit } = checkListOptions(options);
    return [...this.state.records.keys()].filter((k) => after === undefined || k > after).sort().slice(0, limit);
  }

  async claimNonce(claim: NonceClaim): Promise<boolean> {
    this.check();
    return this.enqueue({ kind: 'nonce', claim: checkNonce(claim) }) as Promise<boolean>;
  }

  /**
   * Waits for queued changes, checkpoints (so the next open replays nothing) and releases the
   * directory. A checkpoint that fails is reported (after everything was released); nothing
   * acknowledged is lost by it — the next open replays the log.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle();
    let error: unknown;
    try {
      await Promise.all([...this.active].map((st) => st.chain));
      // Also after a failure: a new base settles a batch the log could not cut back as "not applied".
      await this.checkpoint(false);
    } catch (e) {
      error = e; // the log still holds every acknowledged change: the next open replays it
    }
    this.feed.close();
    await this.cache.closeAll().catch((e) => (error ??= e));
    await this.wal?.close().catch((e) => (error ??= e));
    await this.files.close().catch((e) => (error ??= e));
    if (error !== undefined) throw mapError(error);
  }

  // ---- the commit pipeline ----

  private check(): void {
    if (this.closed) throw serviceError('SERVICE_CLOSED', `the service store in ${this.files.label} is closed`);
  }

  private accountOf(address: string): AccountState {
    const canonical = canonicalAddress(address);
    const a = this.state.byAddress.get(canonical);
    if (!a) throw serviceError('SERVICE_NOT_FOUND', `no account ${canonical}`, { account: canonical });
    return a;
  }

  private enqueue(body: OpBody): Promise<unknown> {
    this.check();
    return new Promise((resolve, reject) => {
      this.queue.push({ ...body, resolve, reject } as Op);
      if (!this.pumping) {
        this.pumping = true;
        // After the caller's synchronous run, so calls made together share the first batch too.
        queueMicrotask(() => void this.pump());
      }
    });
  }

  private idle(): Promise<void> {
    if (!this.pumping && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        if (this.failed) {
          // A new base settles the failed batch as "not applied"; until one is written, refuse.
          try {
            await this.checkpoint(false);
            this.failed = undefined;
          } catch {
            for (const op of this.queue.splice(0)) op.reject(this.failed);
            break;
          }
        }
        const batch = this.cut();
        if (batch.records.length > 0 && !(await this.commit(batch))) continue;
        this.land(batch);
        if (this.wal!.size >= this.options.segmentBytes) await this.rotate();
      }
    } finally {
      this.pumping = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Takes ops from the queue (up to `batchBytes` of records) and checks each in order; failures are answered at once. */
  private cut(): Batch {
    const batch: Batch = { ops: [], records: [], bytes: 0 };
    const view = new BatchView(this.state, this.options.now());
    while (this.queue.length > 0 && (batch.ops.length === 0 || batch.bytes < this.options.batchBytes)) {
      const op = this.queue.shift()!;
      let record: WalRecord | undefined;
      try {
        record = this.prepare(op, view);
      } catch (e) {
        op.reject(mapError(e));
        continue;
      }
      batch.ops.push({ op, record });
      if (record) {
        batch.records.push(record);
        batch.bytes += op.kind === 'tx' ? op.updates.reduce((n, u) => n + u.bytes, 0) + 64 : 256;
      }
    }
    return batch;
  }

  /** Checks one op against the committed state plus the batch so far; returns its log record (none when it changes nothing). */
  private prepare(op: Op, view: BatchView): WalRecord | undefined {
    switch (op.kind) {
      case 'create': {
        const a = op.account;
        if (view.accountId(a.address) !== undefined) throw serviceError('SERVICE_ALREADY_EXISTS', `account ${a.address} exists`, { account: a.address });
        if (view.profileTaken(a.profileUdf)) throw serviceError('SERVICE_ALREADY_EXISTS', `profile ${a.profileUdf} is bound to another account`, { account: a.address });
        const id = this.state.nextAccountId++;
        view.created(a, id);
        return { type: 'account-create', account: { id, address: a.address, profileUdf: a.profileUdf, status: a.status, created: a.created, profile: a.profile.slice() } };
      }
      case 'update': {
        const id = view.accountId(op.address);
        if (id === undefined) throw serviceError('SERVICE_NOT_FOUND', `no account ${op.address}`, { account: op.address });
        view.updated(id, op.status, op.profile);
        return { type: 'account-update', id, status: op.status, profile: op.profile };
      }
      case 'delete': {
        const id = view.accountId(op.address);
        if (id === undefined) return undefined;
        view.deleted(op.address, id);
        return { type: 'account-delete', id };
      }
      case 'tx': {
        if (op.nonce && view.nonceHeld(op.nonce)) throw serviceError('SERVICE_REPLAY', `nonce of ${op.nonce.key} was already used`);
        // Under the commit's serialisation, as the expected indexes: the batch's earlier ops count.
        const stale = failedGuard(op.guards, (a) => view.account(a), (a, store) => {
          const id = view.accountId(a);
          return id === undefined ? 0 : view.nextIndex(id, store);
        });
        if (stale) throw stale;
        const ids = new Map<string, number>();
        for (const u of [...op.updates].sort(compareUpdates)) {
          const id = view.accountId(u.account);
          if (id === undefined) throw serviceError('SERVICE_NOT_FOUND', `no account ${u.account}`, { account: u.account });
          const actual = view.nextIndex(id, u.store);
          if (actual !== u.expectedNextIndex) throw new ServiceConflictError(u.account, u.store, u.expectedNextIndex, actual);
          const broken = this.state.byId.get(id)?.stores.get(u.store)?.broken;
          if (broken) throw broken;
          ids.set(u.account, id);
        }
        for (const u of op.updates) view.appended(ids.get(u.account)!, u.store, u.expectedNextIndex + u.frames.length);
        if (op.nonce) view.claimed(op.nonce);
        return {
          type: 'tx',
          nonce: op.nonce,
          updates: op.updates.map((u) => ({ accountId: ids.get(u.account)!, store: u.store, expectedNextIndex: u.expectedNextIndex, digest: u.digest, frames: u.frames })),
        };
      }
      case 'record-put':
        view.records.set(op.name, op.value);
        return { type: 'record-put', name: op.name, value: op.value };
      case 'record-create': {
        const existing = view.record(op.name);
        if (existing !== undefined) {
          op.existing = existing;
          return undefined;
        }
        view.records.set(op.name, op.value);
        return { type: 'record-put', name: op.name, value: op.value };
      }
      case 'record-delete':
        if (view.record(op.name) === undefined) return undefined;
        view.records.set(op.name, null);
        return { type: 'record-delete', name: op.name };
      case 'nonce':
        if (view.nonceHeld(op.claim)) return undefined;
        view.claimed(op.claim);
        return { type: 'nonce', claim: op.claim };
    }
  }

  /** One write and one fsync for the batch; false (every op answered `SERVICE_IO`) when they fail. */
  private async commit(batch: Batch): Promise<boolean> {
    const w = new ByteWriter(Math.min(batch.bytes + 1024, 1 << 24));
    for (const r of batch.records) writeRecord(w, r);
    const wal = this.wal!;
    const before = wal.size;
    try {
      await wal.append(w.finish());
      await wal.flush();
      return true;
    } catch (e) {
      const error = serviceError('SERVICE_IO', `the write-ahead log in ${this.files.label} failed; the change was not applied`, { cause: e });
      try {
        await wal.truncate(before);
        await wal.flush();
      } catch (cut) {
        // The log may hold the failed batch: a restart could replay it. Refuse changes until a
        // new base (which cannot contain it) is written.
        this.failed = serviceError('SERVICE_FAILED', `the write-ahead log in ${this.files.label} failed and could not be cut back; changes are refused until a checkpoint succeeds`, { cause: cut });
      }
      for (const { op } of batch.ops) op.reject(error);
      return false;
    }
  }

  /** Applies a durable batch: state, answers, change events, then the store files. */
  private land(batch: Batch): void {
    const events: ServiceEvent[] = [];
    const touched = new Set<StoreState>();
    const deleted: AccountState[] = [];
    const answers: (() => void)[] = [];
    for (const { op, record } of batch.ops) {
      let applied: Applied | undefined;
      try {
        applied = record ? this.state.apply(record) : undefined;
      } catch (e) {
        // A record the checks passed but the state refuses: a bug, not an input. Stop changing.
        this.failed = serviceError('SERVICE_FAILED', `internal inconsistency applying a committed record: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        op.reject(this.failed);
        continue;
      }
      if (applied) {
        events.push(...applied.events);
        for (const st of applied.touched) touched.add(st);
        if (applied.deleted) deleted.push(applied.deleted);
      }
      answers.push(() => op.resolve(answerOf(op, applied)));
    }
    for (const a of answers) a();
    if (this.state.nonces.size > 0 && (this.claimsSincePrune += batch.ops.length) >= 4096) {
      this.claimsSincePrune = 0;
      this.state.pruneNonces(this.options.now());
    }
    this.feed.publish(mergeChanges(events));
    for (const st of touched) this.scheduleApply(st);
    for (const a of deleted) {
      const removal = this.removeAccountFiles(a);
      this.removals.add(removal);
      void removal.finally(() => this.removals.delete(removal));
    }
  }

  // ---- store files ----

  /** Runs `task` after every earlier file task of the store. */
  private inChain<T>(st: StoreState, task: () => Promise<T>): Promise<T> {
    const run = st.chain.then(task);
    st.chain = run.then(() => undefined, () => undefined);
    return run;
  }

  private scheduleApply(st: StoreState): void {
    this.active.add(st);
    void this.inChain(st, () => this.writePending(st)).catch(() => undefined); // kept pending; retried by the next apply or checkpoint
  }

  /** Appends the store's pending frames to its file. */
  private async writePending(st: StoreState): Promise<void> {
    if (st.account.deleted || st.pending.length === 0 || st.broken) return;
    const frames = st.pending.slice();
    const joined = joinBytes(frames);
    if (st.appliedBytes === 0) for (const d of ['', 'accounts', st.account.dir]) this.newDirs.add(d);
    await this.cache.use(st.path, { create: true, write: true }, async (file) => {
      await this.checkFile(st, file!);
      await file!.append(joined);
    });
    if (st.starts) {
      let at = st.appliedBytes;
      for (const f of frames) {
        st.starts.push(at);
        at += f.length;
      }
    }
    st.applied += frames.length;
    st.appliedBytes += joined.length;
    st.pending.splice(0, frames.length);
  }

  /**
   * First use of a store file since open: it must hold at least the checkpoint's bytes (fewer is
   * corruption); more is the tail of an append whose transaction the log does not have — cut.
   * Later uses need no check: only this store writes the file, and an append that fails is cut
   * back by the file layer.
   */
  private async checkFile(st: StoreState, file: SequenceStore): Promise<void> {
    if (st.checked) return;
    if (file.size < st.appliedBytes) throw this.breakStore(st, `${st.path} holds ${file.size} bytes, fewer than the ${st.appliedBytes} committed`);
    if (file.size > st.appliedBytes) await file.truncate(st.appliedBytes);
    st.checked = true;
  }

  private breakStore(st: StoreState, why: string): ServiceStoreError {
    st.broken ??= serviceError('SERVICE_CORRUPT', why, { account: st.account.address, store: st.name });
    return st.broken;
  }

  /** Loads the offsets of the frames in the store's file (one scan of its frame tags, dare.md §9.3). */
  private async loadStarts(st: StoreState): Promise<void> {
    if (st.starts) return;
    await this.inChain(st, async () => {
      if (st.starts || st.broken) return;
      if (st.applied === 0) {
        st.starts = [];
        return;
      }
      await this.cache.use(st.path, { create: false, write: false }, async (file) => {
        if (!file) throw this.breakStore(st, `${st.path} is missing`);
        await this.checkFile(st, file);
        const scan = await scanFrames(file, 0, true);
        if (scan.damage || scan.tornTail || scan.end !== st.appliedBytes || scan.starts.length !== st.applied) {
          throw this.breakStore(st, `${st.path} does not hold the ${st.applied} frames committed (${scan.starts.length} frames, ${scan.end} bytes)`);
        }
        st.starts = scan.starts;
      });
    }).catch((e) => {
      throw mapError(e);
    });
    if (st.broken) throw st.broken;
  }

  /**
   * Checkpoints a full segment in two steps, so commits pause only briefly: first every store
   * file written so far is fsynced while commits go on (most of the work with many stores); once
   * that is done, the checkpoint proper (commits wait) has only the files written since to sync.
   * A failed checkpoint is retried after a later batch; the log keeps everything meanwhile.
   */
  private async rotate(): Promise<void> {
    if (this.presync === undefined) {
      this.presync = this.cache.syncDirty().then(() => 'done' as const, () => 'done' as const);
      return;
    }
    if (await Promise.race([this.presync, Promise.resolve('running' as const)]) === 'running') return;
    this.presync = undefined;
    await this.checkpoint(false).catch(() => undefined);
  }

  private async removeAccountFiles(a: AccountState): Promise<void> {
    for (const st of a.stores.values()) this.active.delete(st);
    this.newDirs.delete(a.dir);
    await Promise.all([...a.stores.values()].map((st) => st.chain));
    await this.cache.forget(a.dir);
    // Best effort: a directory left behind is removed by the next open.
    await this.files.removeDirectory(a.dir).catch(() => undefined);
  }

  /**
   * Makes every landed frame durable in its store file and starts a new log segment with a base
   * record. Runs with no batch in flight (from the pump, open or close).
   */
  private async checkpoint(opening: boolean): Promise<void> {
    try {
      await Promise.all(this.removals);
      for (const st of this.active) {
        if (st.account.deleted) continue;
        if (st.pending.length > 0) await this.inChain(st, () => this.writePending(st));
        else await st.chain;
      }
      await this.cache.syncDirty();
      for (const d of [...this.newDirs].sort((x, y) => x.length - y.length)) await this.files.syncDirectory(d);
      this.newDirs.clear();
      const seq = this.walSeq + 1;
      const path = segmentPath(seq);
      const file = (await this.files.openFile(path, { create: true }))!;
      try {
        if (file.size > 0) await file.truncate(0); // a rotation a crash interrupted
        await file.append(encodeRecord({ type: 'base', state: this.state.toBase(this.options.now()) }));
        await file.flush();
        await this.files.syncDirectory('wal');
        if (opening) await this.files.syncDirectory('');
      } catch (e) {
        // The new segment may hold a complete base: left in place, a restart would take it for the
        // log and lose everything appended to the current segment from now on. Remove it, or stop.
        await file.close().catch(() => undefined);
        try {
          await this.files.removeFile(path);
          await this.files.syncDirectory('wal');
        } catch (gone) {
          this.failed = serviceError('SERVICE_FAILED', `a checkpoint in ${this.files.label} failed and its segment could not be removed; changes are refused until a checkpoint succeeds`, { cause: gone });
        }
        throw e;
      }
      const old = this.wal;
      this.wal = file;
      this.walSeq = seq;
      await old?.close().catch(() => undefined);
      this.active.clear();
      for (const name of await this.files.list('wal')) if (`wal/${name}` !== path) await this.files.removeFile(`wal/${name}`).catch(() => undefined);
    } catch (e) {
      throw mapError(e);
    }
  }
}

/** Options of {@link EmbeddedServiceStore.open}. */
export interface EmbeddedStoreOptions {
  /** Size limits (defaults: store-rules.ts DEFAULT_LIMITS). */
  readonly limits?: Partial<StoreLimits>;
  /** Clock (ms since the epoch) for nonce expiry and creation times; injectable for tests. */
  readonly now?: () => number;
  /** Checkpoint once the log segment exceeds this (default 64 MiB): bounds replay time and log size. */
  readonly segmentBytes?: number;
  /** Most bytes of records per group commit (default 8 MiB). */
  readonly batchBytes?: number;
  /** Most store files kept open while idle (default 2048; Node raises its descriptor limit to the hard limit, typically far above). */
  readonly maxOpenFiles?: number;
}

// ---- ops ----

type OpBody =
  | { kind: 'create'; account: CheckedAccount }
  | { kind: 'update'; address: string; status: AccountRecord['status'] | undefined; profile: Uint8Array | undefined }
  | { kind: 'delete'; address: string }
  | { kind: 'tx'; updates: CheckedUpdate[]; nonce: NonceClaim | undefined; guards: readonly CheckedGuard[] }
  | { kind: 'record-put'; name: string; value: Uint8Array }
  | { kind: 'record-create'; name: string; value: Uint8Array; existing?: Uint8Array }
  | { kind: 'record-delete'; name: string }
  | { kind: 'nonce'; claim: NonceClaim };

type Op = OpBody & { resolve: (v: unknown) => void; reject: (e: unknown) => void };

interface Batch {
  ops: { op: Op; record: WalRecord | undefined }[];
  records: WalRecord[];
  bytes: number;
}

/** The answer of a landed op. */
function answerOf(op: Op, applied: Applied | undefined): unknown {
  switch (op.kind) {
    case 'create':
    case 'update':
      return applied!.account!.record();
    case 'delete':
    case 'record-delete':
    case 'nonce':
      return applied !== undefined;
    case 'tx':
      return { heads: applied!.heads! };
    case 'record-put':
      return undefined;
    case 'record-create':
      return (op.existing ?? op.value).slice();
  }
}

/** One change per store per batch: the last (the earlier ones' frames are covered by it). */
function mergeChanges(events: ServiceEvent[]): ServiceEvent[] {
  const last = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.type === 'change') last.set(`${e.account.length}:${e.account}${e.store}`, i);
  });
  return events.filter((e, i) => e.type !== 'change' || last.get(`${e.account.length}:${e.account}${e.store}`) === i);
}

/**
 * The committed state as seen by the ops of one batch: the changes of earlier ops of the batch
 * laid over it (the state itself changes only when the batch lands).
 */
class BatchView {
  private readonly addresses = new Map<string, number | null>();
  private readonly profiles = new Map<string, boolean>();
  private readonly profileOf = new Map<number, string>();
  private readonly next = new Map<string, number>();
  private readonly nonces = new Set<string>();
  /** Accounts created or changed by earlier ops of the batch, as they now read. */
  private readonly fields = new Map<number, Pick<AccountRecord, 'created' | 'status' | 'profile'>>();
  readonly records = new Map<string, Uint8Array | null>();

  constructor(private readonly state: ServiceState, private readonly now: number) {}

  accountId(address: string): number | undefined {
    const o = this.addresses.get(address);
    if (o !== undefined) return o ?? undefined;
    return this.state.byAddress.get(address)?.id;
  }

  profileTaken(udf: string): boolean {
    return this.profiles.get(udf) ?? this.state.byProfile.has(udf);
  }

  /** The account at `address` as the batch so far leaves it (what a guard compares). */
  account(address: string): Pick<AccountRecord, 'created' | 'status' | 'profile'> | undefined {
    const id = this.accountId(address);
    if (id === undefined) return undefined;
    return this.fields.get(id) ?? this.state.byId.get(id);
  }

  updated(id: number, status: AccountRecord['status'] | undefined, profile: Uint8Array | undefined): void {
    const was = this.fields.get(id) ?? this.state.byId.get(id);
    if (was !== undefined) this.fields.set(id, { created: was.created, status: status ?? was.status, profile: profile ?? was.profile });
  }

  created(a: CheckedAccount, id: number): void {
    this.fields.set(id, { created: a.created, status: a.status, profile: a.profile });
    this.addresses.set(a.address, id);
    this.profiles.set(a.profileUdf, true);
    this.profileOf.set(id, a.profileUdf);
  }

  deleted(address: string, id: number): void {
    this.addresses.set(address, null);
    const udf = this.profileOf.get(id) ?? this.state.byId.get(id)?.profileUdf;
    if (udf !== undefined) this.profiles.set(udf, false);
    for (const k of [...this.next.keys()]) if (k.startsWith(`${id}/`)) this.next.delete(k);
  }

  nextIndex(accountId: number, store: string): number {
    return this.next.get(`${accountId}/${store}`) ?? this.state.byId.get(accountId)?.stores.get(store)?.nextIndex ?? 0;
  }

  appended(accountId: number, store: string, next: number): void {
    this.next.set(`${accountId}/${store}`, next);
  }

  nonceHeld(claim: NonceClaim): boolean {
    return this.nonces.has(nonceKey(claim)) || this.state.nonceHeld(claim, this.now);
  }

  claimed(claim: NonceClaim): void {
    this.nonces.add(nonceKey(claim));
  }

  record(name: string): Uint8Array | undefined {
    const o = this.records.get(name);
    if (o !== undefined) return o ?? undefined;
    return this.state.records.get(name);
  }
}

/** Maps what the file layer throws to the contract's errors. */
function mapError(e: unknown): unknown {
  if (e instanceof ServiceStoreError) return e;
  if (e instanceof SequenceError) {
    if (e.code === 'DARE_LOCKED') return serviceError('SERVICE_LOCKED', e.message, { cause: e });
    if (e.code === 'DARE_CLOSED') return serviceError('SERVICE_CLOSED', e.message, { cause: e });
    return serviceError('SERVICE_IO', e.message, { cause: e });
  }
  return serviceError('SERVICE_IO', e instanceof Error ? e.message : String(e), { cause: e });
}
