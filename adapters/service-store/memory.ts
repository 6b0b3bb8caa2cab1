import { ChangeFeed } from '../../sdk/service/change-feed.js';
import { ServiceConflictError, serviceError } from '../../sdk/service/store-errors.js';
import {
  DEFAULT_LIMITS, canonicalAddress, checkIndex, checkListOptions, checkNewAccount, checkNonce, checkProfile, checkReadLimits, checkRecordName, checkRecordValue,
  checkGuards, checkStatus, checkStoreName, checkUpdates, failedGuard, compareUpdates, framesThatFit, nonceKey, type StoreLimits,
} from '../../sdk/service/store-rules.js';
import type {
  AccountChanges, AccountRecord, AccountStoreHead, NewAccount, NonceClaim, ReadLimits, ReadResult, ServiceEvent, ServiceStore, ServiceWatch, StoreHead,
  StoreUpdate, TransactOptions, TransactResult, WatchOptions,
} from '../../sdk/service/store.js';

/** Options of {@link MemoryServiceStore}. */
export interface MemoryServiceStoreOptions {
  /** Size limits (defaults: store-rules.ts DEFAULT_LIMITS). */
  readonly limits?: Partial<StoreLimits>;
  /** Clock for nonce expiry and creation times (ms since the epoch); injectable for tests. */
  readonly now?: () => number;
}

interface MemoryStoreData {
  frames: Uint8Array[];
  digest: Uint8Array | undefined;
}

interface MemoryAccount {
  record: AccountRecord;
  stores: Map<string, MemoryStoreData>;
}

/**
 * The service-store contract (sdk/service/store.ts) in memory: for tests, browsers and a service
 * that needs no persistence. Every check runs before any change, inside one synchronous step,
 * so a transaction is atomic and two transactions expecting the same index cannot both pass.
 * Bytes are copied in and out: a caller changing its buffers later changes nothing stored.
 * Nothing survives `close()` — "durable" here means "until the process ends".
 */
export class MemoryServiceStore implements ServiceStore {
  private readonly accounts = new Map<string, MemoryAccount>();
  private readonly byProfile = new Map<string, MemoryAccount>();
  private readonly records = new Map<string, Uint8Array>();
  private readonly nonces = new Map<string, number>();
  private readonly feed = new ChangeFeed();
  private readonly limits: StoreLimits;
  private readonly now: () => number;
  private closed = false;
  private claimsSincePrune = 0;

  constructor(options: MemoryServiceStoreOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
  }

  private check(): void {
    if (this.closed) throw serviceError('SERVICE_CLOSED', 'the memory service store is closed');
  }

  private account(address: string): MemoryAccount {
    const canonical = canonicalAddress(address);
    const a = this.accounts.get(canonical);
    if (!a) throw serviceError('SERVICE_NOT_FOUND', `no account ${canonical}`, { account: canonical });
    return a;
  }

  async createAccount(account: NewAccount): Promise<AccountRecord> {
    this.check();
    const a = checkNewAccount(account, this.limits, this.now());
    if (this.accounts.has(a.address)) throw serviceError('SERVICE_ALREADY_EXISTS', `account ${a.address} exists`, { account: a.address });
    if (this.byProfile.has(a.profileUdf)) throw serviceError('SERVICE_ALREADY_EXISTS', `profile ${a.profileUdf} is bound to another account`, { account: a.address });
    const stored: MemoryAccount = { record: { ...a, profile: a.profile.slice() }, stores: new Map() };
    this.accounts.set(a.address, stored);
    this.byProfile.set(a.profileUdf, stored);
    return copyRecord(stored.record);
  }

  async getAccount(address: string): Promise<AccountRecord | undefined> {
    this.check();
    const a = this.accounts.get(canonicalAddress(address));
    return a && copyRecord(a.record);
  }

  async findAccountByProfile(profileUdf: string): Promise<AccountRecord | undefined> {
    this.check();
    const a = this.byProfile.get(profileUdf);
    return a && copyRecord(a.record);
  }

  async updateAccount(address: string, changes: AccountChanges): Promise<AccountRecord> {
    this.check();
    const a = this.account(address);
    const status = changes.status === undefined ? a.record.status : checkStatus(changes.status);
    const profile = changes.profile === undefined ? a.record.profile : checkProfile(a.record.address, changes.profile, this.limits).slice();
    a.record = { ...a.record, status, profile };
    return copyRecord(a.record);
  }

  async deleteAccount(address: string): Promise<boolean> {
    this.check();
    const canonical = canonicalAddress(address);
    const a = this.accounts.get(canonical);
    if (!a) return false;
    this.accounts.delete(canonical);
    this.byProfile.delete(a.record.profileUdf);
    this.feed.publish([{ type: 'deleted', account: canonical }]);
    return true;
  }

  async listAccounts(options: { after?: string; limit?: number } = {}): Promise<AccountRecord[]> {
    this.check();
    const limit = options.limit ?? 1000;
    if (!(Number.isSafeInteger(limit) && limit >= 1)) throw serviceError('SERVICE_BAD_ARGUMENT', `limit ${limit} is not a positive integer`);
    const after = options.after === undefined ? undefined : canonicalAddress(options.after);
    return [...this.accounts.keys()].filter((k) => after === undefined || k > after).sort().slice(0, limit).map((k) => copyRecord(this.accounts.get(k)!.record));
  }

  async transact(updates: readonly StoreUpdate[], options: TransactOptions = {}): Promise<TransactResult> {
    this.check();
    const checked = checkUpdates(updates, this.limits);
    const claim = options.nonce === undefined ? undefined : checkNonce(options.nonce);
    const guards = checkGuards(options.guards, checked);
    if (claim && !this.nonceFree(claim)) throw serviceError('SERVICE_REPLAY', `nonce of ${claim.key} was already used`);
    // Every check before any change, in the contract's order; nothing awaits in between.
    const stale = failedGuard(guards, (a) => this.accounts.get(a)?.record, (a, store) => this.accounts.get(a)?.stores.get(store)?.frames.length ?? 0);
    if (stale) throw stale;
    for (const u of [...checked].sort(compareUpdates)) {
      const a = this.accounts.get(u.account);
      if (!a) throw serviceError('SERVICE_NOT_FOUND', `no account ${u.account}`, { account: u.account });
      const actual = a.stores.get(u.store)?.frames.length ?? 0;
      if (actual !== u.expectedNextIndex) throw new ServiceConflictError(u.account, u.store, u.expectedNextIndex, actual);
    }
    if (claim) this.remember(claim);
    const heads: AccountStoreHead[] = [];
    const events: ServiceEvent[] = [];
    for (const u of checked) {
      const stores = this.accounts.get(u.account)!.stores;
      let s = stores.get(u.store);
      if (!s) stores.set(u.store, (s = { frames: [], digest: undefined }));
      for (const f of u.frames) s.frames.push(f.slice());
      s.digest = u.digest?.slice();
      heads.push(withDigest({ account: u.account, store: u.store, nextIndex: s.frames.length }, s.digest));
      events.push(withDigest({ type: 'change', account: u.account, store: u.store, nextIndex: s.frames.length }, s.digest));
    }
    this.feed.publish(events);
    return { heads };
  }

  async read(account: string, store: string, fromIndex: number, limits?: ReadLimits): Promise<ReadResult> {
    this.check();
    const a = this.account(account);
    checkStoreName(store);
    checkIndex(fromIndex, 'read index');
    const lim = checkReadLimits(limits);
    const s = a.stores.get(store);
    const frames = s?.frames ?? [];
    if (fromIndex > frames.length) {
      throw serviceError('SERVICE_OUT_OF_RANGE', `${store} of ${a.record.address} has ${frames.length} frames, cannot read from ${fromIndex}`, { account: a.record.address, store });
    }
    const n = framesThatFit((i) => frames[fromIndex + i]!.length, frames.length - fromIndex, lim);
    const out = frames.slice(fromIndex, fromIndex + n).map((f) => f.slice());
    const head = withDigest({ store, nextIndex: frames.length }, s?.digest);
    return { frames: out, fromIndex, nextIndex: fromIndex + n, head, partial: fromIndex + n < frames.length };
  }

  async head(account: string, store: string): Promise<StoreHead> {
    this.check();
    const a = this.account(account);
    checkStoreName(store);
    const s = a.stores.get(store);
    return withDigest({ store, nextIndex: s?.frames.length ?? 0 }, s?.digest);
  }

  async heads(account: string): Promise<StoreHead[]> {
    this.check();
    const a = this.account(account);
    return [...a.stores.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([store, s]) => withDigest({ store, nextIndex: s.frames.length }, s.digest));
  }

  watch(options?: WatchOptions): ServiceWatch {
    this.check();
    return this.feed.watch(options);
  }

  async getRecord(name: string): Promise<Uint8Array | undefined> {
    this.check();
    return this.records.get(checkRecordName(name))?.slice();
  }

  async putRecord(name: string, value: Uint8Array): Promise<void> {
    this.check();
    this.records.set(checkRecordName(name), checkRecordValue(name, value, this.limits).slice());
  }

  async createRecord(name: string, value: Uint8Array): Promise<Uint8Array> {
    this.check();
    checkRecordValue(checkRecordName(name), value, this.limits);
    const existing = this.records.get(name);
    if (existing) return existing.slice();
    this.records.set(name, value.slice());
    return value.slice();
  }

  async deleteRecord(name: string): Promise<boolean> {
    this.check();
    return this.records.delete(checkRecordName(name));
  }

  async listRecords(options: { after?: string; limit?: number } = {}): Promise<string[]> {
    this.check();
    const { after, limit } = checkListOptions(options);
    return [...this.records.keys()].filter((k) => after === undefined || k > after).sort().slice(0, limit);
  }

  async claimNonce(claim: NonceClaim): Promise<boolean> {
    this.check();
    const c = checkNonce(claim);
    if (!this.nonceFree(c)) return false;
    this.remember(c);
    return true;
  }

  private nonceFree(c: NonceClaim): boolean {
    const until = this.nonces.get(nonceKey(c));
    return until === undefined || until <= this.now();
  }

  private remember(c: NonceClaim): void {
    this.nonces.set(nonceKey(c), c.expires);
    // Expired claims are dropped now and then, so the map holds about one window of nonces.
    if (++this.claimsSincePrune >= 1024) {
      this.claimsSincePrune = 0;
      const now = this.now();
      for (const [k, until] of this.nonces) if (until <= now) this.nonces.delete(k);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed.close();
  }
}

function copyRecord(r: AccountRecord): AccountRecord {
  return { ...r, profile: r.profile.slice() };
}

/** Adds `digest` (a copy) when there is one: an absent digest is an absent member, not `undefined`. */
function withDigest<T extends object>(o: T, digest: Uint8Array | undefined): T & { digest?: Uint8Array } {
  return digest === undefined ? o : { ...o, digest: digest.slice() };
}
