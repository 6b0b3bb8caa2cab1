/**
 * `mathmesh/service`: the Mesh service's storage (protocol.md §5) — the service-store contract
 * every implementation satisfies (accounts, stores of DARE frames with atomic multi-store
 * transactions and optimistic concurrency, cursor reads, heads, change notifications, records,
 * replay nonces), its typed errors and input rules, and the embedded on-disk implementation on
 * a {@link ServiceFiles} directory (Node: `NodeServiceFiles` from `mathmesh/adapters/node`;
 * memory: `MemoryServiceStore` from `mathmesh/adapters/memory`; PostgreSQL, for several hosts:
 * `PostgresServiceStore` from `mathmesh/adapters/postgres`), `copyServiceStore` (export /
 * import between any two, byte for byte), `parseStoreLocation` (`--store` / `MESH_STORE`); the
 * push service of protocol.md §2 (`MeshPushService`: push tickets, the WebSocket channel's
 * notifications, on the store's change feed; its Node binding is `attachPush` in
 * `mathmesh/adapters/node`); and the Mesh service itself (`MeshService`: Hello, BindAccount,
 * UnbindAccount, Status, Download, Transact and the push ticket on any of these stores, behind
 * the RFC 9421 binding of `mathmesh/protocol`).
 *
 * @example
 * ```ts
 * import { EmbeddedServiceStore, ServiceConflictError } from 'mathmesh/service';
 * import { NodeServiceFiles } from 'mathmesh/adapters/node';
 *
 * const store = await EmbeddedServiceStore.open(new NodeServiceFiles('./mesh-data'));
 * await store.createAccount({ address: 'alice@example.com', profileUdf, profile });
 * try {
 *   await store.transact([{ account: 'alice@example.com', store: 'MMM_Device', expectedNextIndex: 0, frames: [frame0] }]);
 * } catch (e) {
 *   if (e instanceof ServiceConflictError) console.log(`${e.store} is at ${e.actual}: sync first`);
 * }
 * ```
 *
 * @module mathmesh/service
 */
export type {
  ServiceStore, AccountStatus, AccountRecord, NewAccount, AccountChanges, StoreUpdate, TransactOptions, TransactGuard, TransactResult, StoreHead, AccountStoreHead,
  ReadLimits, ReadResult, NonceClaim, ServiceEvent, WatchOptions, ServiceWatch,
} from './store.js';
export { ServiceStoreError, ServiceConflictError, type ServiceStoreErrorCode } from './store-errors.js';
export {
  STORE_NAME, RECORD_NAME, DEFAULT_LIMITS, canonicalAddress, checkStoreName, checkRecordName, checkUpdates, compareUpdates, type StoreLimits, type CheckedUpdate,
} from './store-rules.js';
export { ChangeFeed } from './change-feed.js';
export { requestNonceClaim, storeReplayCache, transactClaiming } from './replay.js';
export { copyServiceStore, type CopyOptions, type CopyReport } from './copy.js';
export { parseStoreLocation, resolveStoreLocation, type StoreLocation } from './store-location.js';
export type { ServiceFiles } from './files.js';
export { EmbeddedServiceStore, type EmbeddedStoreOptions } from './embedded/embedded-store.js';
export type { RecoveryReport } from './embedded/recovery.js';
export {
  MeshPushService, PushTickets, PUSH_TICKET_KEY_INFO, MAX_TICKET_LENGTH, type MeshPushServiceOptions, type ReadableStores, type PushTimers, type PushStats,
  type PushTicketsOptions, type IssuedTicket, type RedeemedTicket, type PushChangeSource, type PushSourceEvent, type PushSourceHead, type PushSourceWatch,
  type PushConnection, type PushSocketEvents, type PushGrant, type PushAdmission, type PushEndpoint,
} from './push/index.js';
export {
  MeshService, DEFAULT_SERVICE_LIMITS, type MeshServiceOptions,
} from './mesh/service.js';
export type { ServiceContext, ServiceLimits, Authorized } from './mesh/context.js';
export {
  loadServiceIdentity, hostAssignment, sealServiceRecord, openServiceRecord, IDENTITY_RECORD, PROFILE_RECORD, MIN_SECRET_BYTES,
  type ServiceIdentity, type IdentityOptions,
} from './mesh/identity.js';
export {
  AccessControl, ResolvedAccess, decodeAccessCatalog, activeKeyids, storesOfRoles, ALL_STORES, type AccountView, type DeviceGrant, type AccessEntries,
} from './mesh/access.js';
export { StoreStates, verifyFrames, EMPTY_STORE_STATE, type StoreState } from './mesh/store-states.js';
export { checkMessages, spoolFrames, type MessageRouting, type Delivery, type CheckedMessage } from './mesh/messages.js';
export { ServiceMessaging, type ServiceMessagingOptions } from './mesh/post.js';
export { IngressControl, decodeIngressCatalog, MESSAGE_REPLAY_KEY, type IngressLogEntry, type IngressOptions, type IngressRequest } from './mesh/ingress.js';
export { MeshServiceError, refusalOf, type MeshServiceErrorCode } from './mesh/errors.js';
export { MESH_VERSION } from './mesh/accounts.js';
