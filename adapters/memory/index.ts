/**
 * `mathmesh/adapters/memory`: a `SequenceStore` in memory, for every runtime (tests, caches).
 *
 * @module mathmesh/adapters/memory
 */
export { MemoryStore } from '../store/memory.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
