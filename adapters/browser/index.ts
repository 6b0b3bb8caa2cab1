/**
 * `mathmesh/adapters/browser`: browser `SequenceStore`s — OPFS (sync access handles in workers,
 * writable streams on the main thread) and IndexedDB where OPFS is missing; Web Locks for the
 * writer lock.
 *
 * @module mathmesh/adapters/browser
 */
export { webWorkerHashOffload } from './hash-offload.js';
export type { HashOffload, HashOffloadOptions } from '../../sdk/crypto/hash-offload.js';
export { OpfsStore, opfsRoot, hasOpfs, type OpfsOpenOptions } from '../store/browser-opfs.js';
export { IdbStore, deleteIdbSequence, type IdbOpenOptions } from '../store/browser-idb.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
/** Homes of a Mesh host in the browser (mathmesh/mesh `MeshHost.open`): OPFS, else IndexedDB. */
export { OpfsHome, IdbHome } from '../home/browser.js';
