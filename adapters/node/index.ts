/**
 * `mathmesh/adapters/node`: the Node file `SequenceStore` (fsync or group commit, writer lock, torn-tail repair).
 *
 * @module mathmesh/adapters/node
 */
export { NodeFileStore } from '../store/node-fs.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
