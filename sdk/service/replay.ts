import type { ServiceStore } from './store.js';

/**
 * The replay cache of the HTTP binding (protocol.md §2: a `(keyid, nonce)` seen within the
 * window is refused), kept in the service store: durable (a restart does not forget a nonce, so a
 * request captured before a crash cannot be replayed after it) and shared by every host of a
 * store (PostgreSQL). Its shape is the binding's `ReplayCache` — `seen(keyid, nonce, expires)`
 * with `expires` in Unix seconds, true for a replay — matched structurally, so this layer does not
 * import the binding.
 *
 * A service that burns each request's nonce here before handling it needs no nonce in
 * `transact` as well (that would refuse the request's own nonce); `TransactOptions.nonce` is for
 * callers that claim nonces nowhere else.
 */
export interface StoreReplayCache {
  /** Records the pair until `expires` (Unix seconds); true when it was already recorded (a replay). */
  seen(keyid: string, nonce: string, expires: number): Promise<boolean>;
}

/** A replay cache on `store`'s nonce claims (`ServiceStore.claimNonce`). */
export function storeReplayCache(store: ServiceStore): StoreReplayCache {
  return {
    async seen(keyid, nonce, expires) {
      return !(await store.claimNonce({ key: keyid, nonce, expires: Math.ceil(expires * 1000) }));
    },
  };
}
