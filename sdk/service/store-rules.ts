import { decodeFrame } from '../dare/sequence/frame.js';
import { bytesEqual } from '../encoding/bytes.js';
import type { AccountRecord, AccountStatus, NewAccount, NonceClaim, ReadLimits, StoreUpdate, TransactGuard } from './store.js';
import { serviceError, type ServiceStoreError } from './store-errors.js';

/**
 * What every service store accepts (store.ts), written once so that memory, embedded and
 * PostgreSQL stores refuse the same input with the same code: addresses, names, indexes,
 * limits, frames. Part of the contract (implementations call these first).
 */

/**
 * Store names: a letter, then letters, digits or `_`, at most 64 (every Mesh label, mesh-model.md
 * §8.1, §9, fits). Compared case-sensitively; implementations must not let two names that differ
 * only in case share storage (the embedded store numbers its files).
 */
export const STORE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Record names: a letter or digit, then letters, digits, `.`, `_`, `:`, `-`; at most 128. */
export const RECORD_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Size limits of a store (each implementation takes overrides in its options). */
export interface StoreLimits {
  /** Largest frame (default 16 MiB). */
  readonly maxFrameBytes: number;
  /** Largest transaction, all frames together (default 64 MiB). */
  readonly maxTransactionBytes: number;
  /** Largest record value or account profile (default 1 MiB). */
  readonly maxRecordBytes: number;
}

/** The limits a store uses unless its options override them. */
export const DEFAULT_LIMITS: StoreLimits = { maxFrameBytes: 16 << 20, maxTransactionBytes: 64 << 20, maxRecordBytes: 1 << 20 };

const STATUSES: ReadonlySet<string> = new Set<AccountStatus>(['pending', 'connected', 'blocked']);
// eslint-disable-next-line no-control-regex
const ADDRESS_FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;
const UDF_TEXT = /^[A-Za-z0-9-]{1,256}$/;

/**
 * The canonical form of an account address (protocol.md T2: "canonicalise address (lower-case)"):
 * Unicode NFC, then lower case. Refuses (`SERVICE_BAD_ARGUMENT`) an empty address, one over 256
 * characters, and any with white space or control characters — they cannot be typed back.
 */
export function canonicalAddress(address: string): string {
  if (typeof address !== 'string' || address.length === 0 || address.length > 256 || ADDRESS_FORBIDDEN.test(address)) {
    throw serviceError('SERVICE_BAD_ARGUMENT', `account address ${JSON.stringify(String(address).slice(0, 80))} is empty, too long or has white space or control characters`);
  }
  return address.normalize('NFC').toLowerCase();
}

/** Checks a store name against {@link STORE_NAME}. */
export function checkStoreName(store: string): string {
  if (typeof store !== 'string' || !STORE_NAME.test(store)) {
    throw serviceError('SERVICE_BAD_ARGUMENT', `store name ${JSON.stringify(String(store).slice(0, 80))} is not a letter followed by up to 63 letters, digits or _`);
  }
  return store;
}

/** Checks a record name against {@link RECORD_NAME}. */
export function checkRecordName(name: string): string {
  if (typeof name !== 'string' || !RECORD_NAME.test(name)) {
    throw serviceError('SERVICE_BAD_ARGUMENT', `record name ${JSON.stringify(String(name).slice(0, 80))} is not 1-128 letters, digits, '.', '_', ':' or '-'`);
  }
  return name;
}

/** Checks a record value's type and size. */
export function checkRecordValue(name: string, value: Uint8Array, limits: StoreLimits): Uint8Array {
  if (!(value instanceof Uint8Array)) throw serviceError('SERVICE_BAD_ARGUMENT', `record ${name}: the value is not bytes`);
  if (value.length > limits.maxRecordBytes) throw serviceError('SERVICE_TOO_LARGE', `record ${name}: ${value.length} bytes, the limit is ${limits.maxRecordBytes}`);
  return value;
}

/** Checks a profile UDF's text (letters, digits and dashes, as UDFs are written). */
export function checkProfileUdf(udf: string): string {
  if (typeof udf !== 'string' || !UDF_TEXT.test(udf)) throw serviceError('SERVICE_BAD_ARGUMENT', 'profile UDF is not 1-256 letters, digits or dashes');
  return udf;
}

/** Checks an account status. */
export function checkStatus(status: string): AccountStatus {
  if (!STATUSES.has(status)) throw serviceError('SERVICE_BAD_ARGUMENT', `account status ${JSON.stringify(String(status))} is not pending, connected or blocked`);
  return status as AccountStatus;
}

/** Checks the profile bytes of an account. */
export function checkProfile(address: string, profile: Uint8Array, limits: StoreLimits): Uint8Array {
  if (!(profile instanceof Uint8Array)) throw serviceError('SERVICE_BAD_ARGUMENT', `account ${address}: the profile is not bytes`, { account: address });
  if (profile.length > limits.maxRecordBytes) {
    throw serviceError('SERVICE_TOO_LARGE', `account ${address}: profile of ${profile.length} bytes, the limit is ${limits.maxRecordBytes}`, { account: address });
  }
  return profile;
}

/** A new account, checked and completed (canonical address, default status and time). */
export interface CheckedAccount {
  readonly address: string;
  readonly profileUdf: string;
  readonly profile: Uint8Array;
  readonly status: AccountStatus;
  readonly created: number;
}

/** Checks `createAccount`'s argument. */
export function checkNewAccount(account: NewAccount, limits: StoreLimits, now: number = Date.now()): CheckedAccount {
  if (typeof account !== 'object' || account === null) throw serviceError('SERVICE_BAD_ARGUMENT', 'the new account is not an object');
  const address = canonicalAddress(account.address);
  const created = account.created ?? now;
  if (!Number.isSafeInteger(created) || created < 0) throw serviceError('SERVICE_BAD_ARGUMENT', `account ${address}: creation time ${created} is not a non-negative integer`, { account: address });
  return {
    address,
    profileUdf: checkProfileUdf(account.profileUdf),
    profile: checkProfile(address, account.profile, limits),
    status: checkStatus(account.status ?? 'connected'),
    created,
  };
}

/**
 * Checks the paging options of `listRecords` (a record name to start after, exclusive; a
 * positive limit, default 1000).
 */
export function checkListOptions(options: { after?: string; limit?: number }): { after: string | undefined; limit: number } {
  const limit = options.limit ?? 1000;
  if (!(Number.isSafeInteger(limit) && limit >= 1)) throw serviceError('SERVICE_BAD_ARGUMENT', `limit ${limit} is not a positive integer`);
  return { after: options.after === undefined ? undefined : checkRecordName(options.after), limit };
}

/** Checks an index (a non-negative safe integer). */
export function checkIndex(index: number, what: string): number {
  if (!Number.isSafeInteger(index) || index < 0) throw serviceError('SERVICE_BAD_ARGUMENT', `${what} ${index} is not a non-negative integer`);
  return index;
}

/** Read limits with defaults (no limit). */
export function checkReadLimits(limits: ReadLimits | undefined): { maxEntries: number; maxBytes: number } {
  const one = (v: number | undefined, what: string): number => {
    if (v === undefined) return Infinity;
    if (!(Number.isSafeInteger(v) && v >= 1)) throw serviceError('SERVICE_BAD_ARGUMENT', `${what} ${v} is not a positive integer`);
    return v;
  };
  return { maxEntries: one(limits?.maxEntries, 'maxEntries'), maxBytes: one(limits?.maxBytes, 'maxBytes') };
}

/**
 * The frames a read returns from candidates of the given sizes (in order): up to `maxEntries`,
 * stopping before `maxBytes` is exceeded, but at least one.
 */
export function framesThatFit(sizes: (i: number) => number, available: number, limits: { maxEntries: number; maxBytes: number }): number {
  let n = 0;
  let bytes = 0;
  while (n < available && n < limits.maxEntries) {
    const s = sizes(n);
    if (n > 0 && bytes + s > limits.maxBytes) break;
    bytes += s;
    n++;
  }
  return n;
}

/** An update, checked: canonical account, total size. */
export interface CheckedUpdate {
  readonly account: string;
  readonly store: string;
  readonly expectedNextIndex: number;
  readonly frames: readonly Uint8Array[];
  readonly digest: Uint8Array | undefined;
  readonly bytes: number;
}

/**
 * Checks `transact`'s arguments: at least one update, one update per (account, store), each with
 * one or more complete, well-formed DARE frames (dare.md §8: forward tag, two or three records,
 * mirrored trailing tag — nothing before or after), within the size limits.
 */
export function checkUpdates(updates: readonly StoreUpdate[], limits: StoreLimits): CheckedUpdate[] {
  if (!Array.isArray(updates) || updates.length === 0) throw serviceError('SERVICE_BAD_ARGUMENT', 'a transaction needs at least one update');
  const seen = new Set<string>();
  const out: CheckedUpdate[] = [];
  let total = 0;
  updates.forEach((u, i) => {
    if (typeof u !== 'object' || u === null) throw serviceError('SERVICE_BAD_ARGUMENT', `update ${i} is not an object`);
    const account = canonicalAddress(u.account);
    const store = checkStoreName(u.store);
    const where = { account, store };
    const key = `${account}\u0000${store}`;
    if (seen.has(key)) throw serviceError('SERVICE_BAD_ARGUMENT', `two updates of ${store} of ${account} in one transaction`, where);
    seen.add(key);
    checkIndex(u.expectedNextIndex, `update ${i}: expected next index`);
    if (!Array.isArray(u.frames) || u.frames.length === 0) throw serviceError('SERVICE_BAD_ARGUMENT', `update ${i} (${store} of ${account}) has no frames`, where);
    if (u.digest !== undefined && !(u.digest instanceof Uint8Array)) throw serviceError('SERVICE_BAD_ARGUMENT', `update ${i}: the digest is not bytes`, where);
    let bytes = 0;
    u.frames.forEach((f: Uint8Array, k: number) => {
      checkFrame(f, limits, `frame ${k} of update ${i} (${store} of ${account})`, where);
      bytes += f.length;
    });
    total += bytes;
    if (total > limits.maxTransactionBytes) throw serviceError('SERVICE_TOO_LARGE', `the transaction's frames exceed ${limits.maxTransactionBytes} bytes`, where);
    out.push({ account, store, expectedNextIndex: u.expectedNextIndex, frames: u.frames, digest: u.digest, bytes });
  });
  return out;
}

/** Checks that `frame` is exactly one well-formed DARE frame within the size limit. */
export function checkFrame(frame: Uint8Array, limits: StoreLimits, what: string, where: { account?: string; store?: string } = {}): void {
  if (!(frame instanceof Uint8Array)) throw serviceError('SERVICE_BAD_ARGUMENT', `${what} is not bytes`, where);
  if (frame.length > limits.maxFrameBytes) throw serviceError('SERVICE_TOO_LARGE', `${what}: ${frame.length} bytes, the limit is ${limits.maxFrameBytes}`, where);
  try {
    decodeFrame(frame);
  } catch (e) {
    throw serviceError('SERVICE_BAD_ARGUMENT', `${what} is not one DARE frame: ${e instanceof Error ? e.message : String(e)}`, { ...where, cause: e });
  }
}

/**
 * The order in which a transaction's updates are checked, locked and reported: by account, then
 * store, comparing UTF-16 code units (PostgreSQL: `COLLATE "C"` on these ASCII-led keys). Every
 * implementation reports the first conflict in this order.
 */
export function compareUpdates(a: { account: string; store: string }, b: { account: string; store: string }): number {
  if (a.account !== b.account) return a.account < b.account ? -1 : 1;
  return a.store < b.store ? -1 : a.store > b.store ? 1 : 0;
}

/** Checks a nonce claim. */
export function checkNonce(claim: NonceClaim): NonceClaim {
  if (typeof claim !== 'object' || claim === null) throw serviceError('SERVICE_BAD_ARGUMENT', 'the nonce claim is not an object');
  const { key, nonce, expires } = claim;
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) throw serviceError('SERVICE_BAD_ARGUMENT', 'nonce key is not 1-512 characters');
  if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 256) throw serviceError('SERVICE_BAD_ARGUMENT', 'nonce is not 1-256 characters');
  if (!Number.isSafeInteger(expires) || expires < 0) throw serviceError('SERVICE_BAD_ARGUMENT', `nonce expiry ${expires} is not a time in milliseconds`);
  return { key, nonce, expires };
}

/** The map key of a nonce claim (length-prefixed: no key/nonce split can collide with another). */
export const nonceKey = (claim: NonceClaim): string => `${claim.key.length}:${claim.key}${claim.nonce}`;

/** A guard, checked: canonical account, own copy of the profile bytes, heads in store order. */
export interface CheckedGuard {
  readonly account: string;
  readonly created: number;
  readonly status: AccountStatus;
  readonly profile: Uint8Array;
  readonly heads: readonly { readonly store: string; readonly nextIndex: number }[];
}

/**
 * Checks `transact`'s guards (`TransactOptions.guards`) against its checked updates: well-formed,
 * at most one guard per account, no head of a store the transaction updates (its expected index
 * is that check).
 */
export function checkGuards(guards: readonly TransactGuard[] | undefined, updates: readonly CheckedUpdate[]): CheckedGuard[] {
  if (guards === undefined) return [];
  if (!Array.isArray(guards)) throw serviceError('SERVICE_BAD_ARGUMENT', 'the guards are not a list');
  const updated = new Set(updates.map((u) => `${u.account}\u0000${u.store}`));
  const seen = new Set<string>();
  return guards.map((g, i) => {
    if (typeof g !== 'object' || g === null || typeof g.record !== 'object' || g.record === null) throw serviceError('SERVICE_BAD_ARGUMENT', `guard ${i} is not an object with a record`);
    const account = canonicalAddress(g.account);
    if (seen.has(account)) throw serviceError('SERVICE_BAD_ARGUMENT', `two guards of ${account}`, { account });
    seen.add(account);
    const { created, status, profile } = g.record;
    if (!Number.isSafeInteger(created)) throw serviceError('SERVICE_BAD_ARGUMENT', `guard ${i}: the creation time is not an integer`, { account });
    checkStatus(status);
    if (!(profile instanceof Uint8Array)) throw serviceError('SERVICE_BAD_ARGUMENT', `guard ${i}: the profile is not bytes`, { account });
    const stores = new Set<string>();
    const named: NonNullable<TransactGuard['heads']> = g.heads ?? [];
    const heads = named.map((h) => {
      const store = checkStoreName(h.store);
      checkIndex(h.nextIndex, `guard ${i}: next index of ${store}`);
      if (stores.has(store)) throw serviceError('SERVICE_BAD_ARGUMENT', `guard ${i} names ${store} twice`, { account, store });
      stores.add(store);
      if (updated.has(`${account}\u0000${store}`)) throw serviceError('SERVICE_BAD_ARGUMENT', `guard ${i} names ${store}, which the transaction updates (its expected index is the check)`, { account, store });
      return { store, nextIndex: h.nextIndex };
    }).sort((a, b) => (a.store < b.store ? -1 : a.store > b.store ? 1 : 0));
    return { account, created, status, profile: profile.slice(), heads };
  });
}

/** A failed guard (see `TransactOptions.guards`): nothing of the transaction was written. */
export function staleGuard(account: string, what: string, store?: string): ServiceStoreError {
  return serviceError('SERVICE_STALE', `${what} of ${account} changed since the transaction was decided on`, store === undefined ? { account } : { account, store });
}

/**
 * The first guard that fails against a store's state, as its `SERVICE_STALE` error, or
 * undefined: `record` reads an account (undefined: none), `nextIndex` a store's frame count.
 */
export function failedGuard(
  guards: readonly CheckedGuard[],
  record: (account: string) => Pick<AccountRecord, 'created' | 'status' | 'profile'> | undefined,
  nextIndex: (account: string, store: string) => number,
): ServiceStoreError | undefined {
  for (const g of guards) {
    const r = record(g.account);
    if (r === undefined || r.created !== g.created || r.status !== g.status || !bytesEqual(r.profile, g.profile)) return staleGuard(g.account, 'the account');
    for (const h of g.heads) if (nextIndex(g.account, h.store) !== h.nextIndex) return staleGuard(g.account, h.store, h.store);
  }
  return undefined;
}
