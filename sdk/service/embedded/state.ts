import { nonceKey } from '../store-rules.js';
import { serviceError, type ServiceStoreError } from '../store-errors.js';
import type { AccountRecord, AccountStatus, AccountStoreHead, NonceClaim, ServiceEvent, StoreHead } from '../store.js';
import type { BaseAccount, BaseState, WalRecord } from './wal-codec.js';

/**
 * The embedded store's committed state in memory: everything but the frames already written to
 * store files. Changed only by {@link ServiceState.apply}, from log records that are durable —
 * at a commit and, identically, when the log is replayed on open — so what a reader sees is
 * always a state the log can reproduce.
 */

/** One store of an account. */
export class StoreState {
  /** Committed frames (the next index). */
  nextIndex = 0;
  digest: Uint8Array | undefined;
  /** Frames and bytes in the store file: frames 0 … applied − 1 occupy bytes 0 … appliedBytes − 1. */
  applied = 0;
  appliedBytes = 0;
  /** Committed frames not yet in the file (indexes applied … nextIndex − 1). */
  pending: Uint8Array[] = [];
  /** File offsets of frames 0 … applied − 1, once loaded (a scan of the file on first read). */
  starts: number[] | undefined;
  /** The file's length was checked against `appliedBytes` since open. */
  checked = false;
  /** Written since its last fsync. */
  dirty = false;
  /** Set when the file contradicts the log (reads of this store fail with it). */
  broken: ServiceStoreError | undefined;
  /** File work (load, append, truncate) runs one at a time, in order. */
  chain: Promise<void> = Promise.resolve();

  constructor(readonly account: AccountState, readonly name: string, readonly id: number) {}

  /** The store's file, relative to the data directory. Numbered, so names differing in case never share a file. */
  get path(): string {
    return `${this.account.dir}/s${this.id}-${this.name}.dare`;
  }

  head(): StoreHead {
    return this.digest === undefined ? { store: this.name, nextIndex: this.nextIndex } : { store: this.name, nextIndex: this.nextIndex, digest: this.digest.slice() };
  }
}

/** One account. */
export class AccountState {
  readonly stores = new Map<string, StoreState>();
  deleted = false;

  constructor(
    readonly id: number,
    readonly address: string,
    readonly profileUdf: string,
    public status: AccountStatus,
    readonly created: number,
    public profile: Uint8Array,
    public nextStoreId = 1,
  ) {}

  /** The account's directory, relative to the data directory. */
  get dir(): string {
    return `accounts/a${this.id}`;
  }

  record(): AccountRecord {
    return { address: this.address, profileUdf: this.profileUdf, status: this.status, profile: this.profile.slice(), created: this.created };
  }
}

/** What applying one record changed. */
export interface Applied {
  readonly events: ServiceEvent[];
  /** Stores given new frames (their pending lists grew). */
  readonly touched: StoreState[];
  /** A transaction's new heads, in the order of its updates. */
  readonly heads?: AccountStoreHead[];
  readonly account?: AccountState;
  /** An account removed by the record (its files are to be deleted). */
  readonly deleted?: AccountState;
}

/** The log says something that cannot follow from what came before it. */
export function corruptLog(what: string): ServiceStoreError {
  return serviceError('SERVICE_CORRUPT', `write-ahead log: ${what}`);
}

export class ServiceState {
  nextAccountId = 1;
  readonly byId = new Map<number, AccountState>();
  readonly byAddress = new Map<string, AccountState>();
  readonly byProfile = new Map<string, AccountState>();
  readonly records = new Map<string, Uint8Array>();
  readonly nonces = new Map<string, NonceClaim>();

  /** The state a base record describes; every store's file is complete up to its `bytes`. */
  static fromBase(base: BaseState): ServiceState {
    const s = new ServiceState();
    s.nextAccountId = base.nextAccountId;
    for (const b of base.accounts) {
      const a = s.addAccount(b);
      a.nextStoreId = b.nextStoreId;
      for (const bs of b.stores) {
        const st = new StoreState(a, bs.name, bs.id);
        st.nextIndex = st.applied = bs.nextIndex;
        st.appliedBytes = bs.bytes;
        st.digest = bs.digest?.slice();
        a.stores.set(bs.name, st);
      }
    }
    for (const [name, value] of base.records) s.records.set(name, value.slice());
    for (const n of base.nonces) s.nonces.set(nonceKey(n), n);
    return s;
  }

  /**
   * The base record of this state. Only valid when every store's frames are all in its file
   * (`pending` empty) and the files are synced: the checkpoint ensures both.
   */
  toBase(now: number): BaseState {
    const accounts: BaseAccount[] = [];
    for (const a of this.byId.values()) {
      accounts.push({
        id: a.id, address: a.address, profileUdf: a.profileUdf, status: a.status, created: a.created, profile: a.profile, nextStoreId: a.nextStoreId,
        stores: [...a.stores.values()].map((st) => {
          if (st.pending.length > 0 || st.applied !== st.nextIndex) throw new Error(`base of ${st.path} with frames not yet in its file`);
          return { name: st.name, id: st.id, nextIndex: st.nextIndex, bytes: st.appliedBytes, digest: st.digest };
        }),
      });
    }
    return {
      nextAccountId: this.nextAccountId,
      accounts,
      records: [...this.records.entries()],
      // Expired claims need not survive: a replay outside the window is refused by its `created`.
      nonces: [...this.nonces.values()].filter((n) => n.expires > now),
    };
  }

  private addAccount(a: Omit<BaseAccount, 'stores' | 'nextStoreId'>): AccountState {
    if (this.byId.has(a.id) || this.byAddress.has(a.address) || this.byProfile.has(a.profileUdf)) throw corruptLog(`account ${a.address} created twice`);
    const acct = new AccountState(a.id, a.address, a.profileUdf, a.status, a.created, a.profile.slice());
    this.byId.set(a.id, acct);
    this.byAddress.set(a.address, acct);
    this.byProfile.set(a.profileUdf, acct);
    this.nextAccountId = Math.max(this.nextAccountId, a.id + 1);
    return acct;
  }

  /** Whether a nonce claim is still held at time `now`. */
  nonceHeld(claim: NonceClaim, now: number): boolean {
    const held = this.nonces.get(nonceKey(claim));
    return held !== undefined && held.expires > now;
  }

  /** Applies a durable record. Throws SERVICE_CORRUPT if the record cannot follow this state. */
  apply(r: WalRecord): Applied {
    switch (r.type) {
      case 'base':
        throw corruptLog('a base record in the middle of a segment');
      case 'tx': {
        const events: ServiceEvent[] = [];
        const heads: AccountStoreHead[] = [];
        const touched: StoreState[] = [];
        // Check the whole record first: a record is applied entirely or not at all.
        for (const u of r.updates) {
          const a = this.byId.get(u.accountId);
          if (!a) throw corruptLog(`transaction for unknown account #${u.accountId}`);
          const have = a.stores.get(u.store)?.nextIndex ?? 0;
          if (have !== u.expectedNextIndex) throw corruptLog(`${u.store} of ${a.address} at ${have}, the transaction expected ${u.expectedNextIndex}`);
        }
        for (const u of r.updates) {
          const a = this.byId.get(u.accountId)!;
          let st = a.stores.get(u.store);
          if (!st) a.stores.set(u.store, (st = new StoreState(a, u.store, a.nextStoreId++)));
          for (const f of u.frames) st.pending.push(f);
          st.nextIndex += u.frames.length;
          // A copy: at replay `u` views the whole segment buffer, which must not stay alive for it.
          st.digest = u.digest?.slice();
          touched.push(st);
          const head = { account: a.address, ...st.head() };
          heads.push(head);
          events.push({ type: 'change', ...head });
        }
        if (r.nonce) this.nonces.set(nonceKey(r.nonce), r.nonce);
        return { events, heads, touched };
      }
      case 'account-create':
        return { events: [], touched: [], account: this.addAccount(r.account) };
      case 'account-update': {
        const a = this.byId.get(r.id);
        if (!a) throw corruptLog(`update of unknown account #${r.id}`);
        if (r.status !== undefined) a.status = r.status;
        if (r.profile !== undefined) a.profile = r.profile.slice();
        return { events: [], touched: [], account: a };
      }
      case 'account-delete': {
        const a = this.byId.get(r.id);
        if (!a) throw corruptLog(`deletion of unknown account #${r.id}`);
        a.deleted = true;
        this.byId.delete(a.id);
        this.byAddress.delete(a.address);
        this.byProfile.delete(a.profileUdf);
        return { events: [{ type: 'deleted', account: a.address }], touched: [], deleted: a };
      }
      case 'record-put':
        this.records.set(r.name, r.value.slice());
        return { events: [], touched: [] };
      case 'record-delete':
        this.records.delete(r.name);
        return { events: [], touched: [] };
      case 'nonce':
        this.nonces.set(nonceKey(r.claim), r.claim);
        return { events: [], touched: [] };
    }
  }

  /** Drops expired nonce claims. */
  pruneNonces(now: number): void {
    for (const [k, n] of this.nonces) if (n.expires <= now) this.nonces.delete(k);
  }
}
