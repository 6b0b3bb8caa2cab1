import type { ReplayCache } from '../protocol/replay.js';
import type { ServiceStore } from './store.js';

/**
 * The HTTP binding's {@link ReplayCache} (protocol.md §2: a `(keyid, nonce)` seen within the
 * window is refused) kept in the service store: durable (a restart does not forget a nonce, so a
 * request captured before a crash cannot be replayed after it) and shared by every host of a
 * store (PostgreSQL) — pass it as the `replay` option of the binding's service.
 *
 * A service that burns each request's nonce here before handling it needs no nonce in
 * `transact` as well (that would refuse the request's own nonce); `TransactOptions.nonce` is for
 * callers that claim nonces nowhere else.
 */
export function storeReplayCache(store: ServiceStore): ReplayCache {
  return {
    async seen(keyid, nonce, expires) {
      // The binding counts in Unix seconds, the store in milliseconds.
      return !(await store.claimNonce({ key: keyid, nonce, expires: Math.ceil(expires * 1000) }));
    },
  };
}
