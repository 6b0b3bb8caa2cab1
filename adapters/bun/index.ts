/**
 * `mathmesh/adapters/bun`: Bun's file `SequenceStore` (the Node adapter, tested under Bun).
 *
 * @module mathmesh/adapters/bun
 */
export { BunFileStore } from '../store/bun.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
