/**
 * `mathmesh/adapters/deno`: Deno's file `SequenceStore` (FsFile + syncData, lock file shared with Node and Bun).
 *
 * @module mathmesh/adapters/deno
 */
export { DenoFileStore } from '../store/deno.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
