/**
 * `mathmesh/adapters/memory`: a `SequenceStore` in memory, for every runtime (tests, caches), and
 * the service-store contract in memory (`MemoryServiceStore`: tests, browsers).
 *
 * @module mathmesh/adapters/memory
 */
export { MemoryStore } from '../store/memory.js';
export { MemoryServiceStore, type MemoryServiceStoreOptions } from '../service-store/memory.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
/** A Mesh host's home in memory. */
export { MemoryHome } from '../home/memory.js';
