/**
 * Typed errors of the service-store contract (store.ts). `code` is stable across releases and
 * identical for every implementation (memory, embedded, PostgreSQL), so the service maps each to
 * one protocol status (protocol.md §4) without knowing which store it runs on. Messages name the
 * account, store or record concerned, never frame contents or record values (they may be
 * secrets sealed by the caller, but are not the store's to print).
 */
export type ServiceStoreErrorCode =
  | 'SERVICE_CONFLICT' // a store's next index differs from the update's expected one (ServiceConflictError)
  | 'SERVICE_NOT_FOUND' // no such account (or record, where one is required)
  | 'SERVICE_ALREADY_EXISTS' // the address or profile UDF already names an account
  | 'SERVICE_REPLAY' // the nonce was already claimed and has not expired
  | 'SERVICE_STALE' // a transaction's guard failed: the account or a store changed since the caller read it (TransactOptions.guards)
  | 'SERVICE_BAD_ARGUMENT' // a malformed address, name, index, limit or frame
  | 'SERVICE_OUT_OF_RANGE' // a read cursor beyond the store's head
  | 'SERVICE_TOO_LARGE' // a frame, transaction or record over the store's limits
  | 'SERVICE_IO' // the storage failed; the operation took no effect (unless the store then failed, see SERVICE_FAILED)
  | 'SERVICE_FAILED' // the store can no longer promise what it wrote (e.g. a log it could not roll back): reopen it
  | 'SERVICE_CORRUPT' // stored data contradicts itself (found on open or on a read)
  | 'SERVICE_LOCKED' // another process holds the store's data
  | 'SERVICE_CLOSED'; // the store was closed

/** Every error a service store throws. */
export class ServiceStoreError extends Error {
  readonly code: ServiceStoreErrorCode;
  /** The canonical account address concerned, when there is one. */
  readonly account: string | undefined;
  /** The store (label) concerned, when there is one. */
  readonly store: string | undefined;
  constructor(code: ServiceStoreErrorCode, message: string, where: { account?: string; store?: string; cause?: unknown } = {}) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'ServiceStoreError';
    this.code = code;
    this.account = where.account;
    this.store = where.store;
  }
}

/**
 * Optimistic concurrency failed: `store` of `account` holds `actual` frames, the update expected
 * `expected`. Nothing of the transaction was applied. The client downloads frames `expected` to
 * `actual − 1` and retries (protocol.md F5.3); a service that built the frames itself (delivery to an
 * inbound spool) rebuilds them at the new index.
 */
export class ServiceConflictError extends ServiceStoreError {
  readonly expected: number;
  readonly actual: number;
  override readonly account: string;
  override readonly store: string;
  constructor(account: string, store: string, expected: number, actual: number) {
    super('SERVICE_CONFLICT', `${store} of ${account} holds ${actual} frames, the update expected ${expected}`, { account, store });
    this.name = 'ServiceConflictError';
    this.account = account;
    this.store = store;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Shorthand for a {@link ServiceStoreError}. */
export function serviceError(code: ServiceStoreErrorCode, message: string, where: { account?: string; store?: string; cause?: unknown } = {}): ServiceStoreError {
  return new ServiceStoreError(code, message, where);
}
