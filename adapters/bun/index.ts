/** `mathmesh/adapters/bun`: Bun's file `SequenceStore` (the Node adapter, tested under Bun). */
export { BunFileStore } from '../store/bun.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
