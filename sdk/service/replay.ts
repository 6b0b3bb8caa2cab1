import type { PendingNonce, ReplayCache } from '../protocol/replay.js';
import { ServiceStoreError } from './store-errors.js';
import type { NonceClaim, ServiceStore, StoreUpdate, TransactGuard, TransactResult } from './store.js';

/**
 * The HTTP binding's {@link ReplayCache} (protocol.md §2: a `(keyid, nonce)` seen within the
 * window is refused) kept in the service store: durable (a restart does not forget a nonce, so a
 * request captured before a crash cannot be replayed after it) and shared by every host of a
 * store (PostgreSQL) — pass it as the `replay` option of the binding's service.
 *
 * A transaction the binding defers the nonce of (its `deferNonce`) claims it in the same store
 * with its own commit: {@link transactClaiming}. Both paths name a nonce the same way
 * ({@link requestNonceClaim}), so a nonce burnt by either stops the other.
 */
export function storeReplayCache(store: ServiceStore): ReplayCache {
  return {
    async seen(keyid, nonce, expires) {
      return !(await store.claimNonce(requestNonceClaim(keyid, nonce, expires)));
    },
  };
}

/** The store's claim of a request nonce: the binding counts in Unix seconds, the store in milliseconds. */
export function requestNonceClaim(keyid: string, nonce: string, expires: number): NonceClaim {
  return { key: keyid, nonce, expires: Math.ceil(expires * 1000) };
}

/**
 * `store.transact(updates, { guards })` with the request's deferred nonce (`RequestContext.nonce`, when the
 * binding deferred it to this commit; the binding's replay cache must then be
 * {@link storeReplayCache} of this store) claimed in the same commit, and the outcome reported to
 * the binding: claimed when it committed, replayed on `SERVICE_REPLAY` (rethrown: the binding
 * answers the replay refusal whatever the handler makes of it). Any other failure committed
 * nothing and claimed nothing — a conflict rolls the claim back with the transaction — so the
 * handler may run it again with the same nonce (a delivery retry), and the binding burns the
 * nonce itself if the handler ends without a commit.
 */
export async function transactClaiming(store: ServiceStore, updates: readonly StoreUpdate[], nonce: PendingNonce | undefined, guards?: readonly TransactGuard[]): Promise<TransactResult> {
  const guarded = guards === undefined ? {} : { guards };
  if (nonce === undefined) return store.transact(updates, guarded);
  let result: TransactResult;
  try {
    result = await store.transact(updates, { ...guarded, nonce: requestNonceClaim(nonce.keyid, nonce.nonce, nonce.expires) });
  } catch (e) {
    if (e instanceof ServiceStoreError && e.code === 'SERVICE_REPLAY') nonce.replayed();
    throw e;
  }
  nonce.claimed();
  return result;
}
