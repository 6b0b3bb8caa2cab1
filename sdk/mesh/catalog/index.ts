/**
 * Catalogs (mesh-model.md §8) and what catalogs and spools share: typed catalogs of every store
 * of §8.1 on DARE sequence replicas, the conflict rule, sealed snapshots and rebase journals, and
 * REF's wire frames. See the README "Catalogs and spools".
 */
export { Catalog, type CatalogEdit, type CatalogEditRequest, type PreparedCatalogEdits } from './catalog.js';
export {
  CATALOG_KINDS, catalogKindInfo, catalogKindOf, primaryKeyOf, type CatalogEntryOf, type CatalogKind, type CatalogKindInfo,
} from './kinds.js';
export { CATALOG_CTY, decodeCatalogEvent, encodeCatalogEvent, type CatalogEvent, type CatalogEventType } from './events.js';
export {
  SyncedStore, type ConflictWarning, type OutgoingFrames, type ReceiveReport, type RebuildPlan, type StoreOptions, type UndoRecord,
} from './synced-store.js';
export { sideFileOnStore, type SideFile, type SideFileRange } from './side-file.js';
export { deriveStoreSecrets, type StoreSecrets } from './store-secrets.js';
export { readReferenceCatalogFrame, type ReferenceCatalogFrame } from './reference.js';
