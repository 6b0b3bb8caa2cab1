import type { SequenceStore } from '../../dare/sequence/store.js';

/**
 * A small file beside a store: the encrypted state snapshot and the rebase journal of a catalog
 * or spool (README "Catalogs and spools"). The contract is the minimum both need, so the host can
 * keep them wherever it keeps the store (files in the home folder, OPFS, IndexedDB).
 *
 * Neither needs an atomic replace: everything written is authenticated (encrypt-then-MAC under a
 * key only holders of the store's private key derive), so a torn write reads back as invalid and
 * is ignored — a snapshot is only an accelerator (the store is replayed instead), and the journal
 * is written completely before the store is touched.
 */
export interface SideFile {
  /** The bytes last written, or undefined when nothing is stored. */
  read(): Promise<Uint8Array | undefined>;
  /**
   * Optional ranged access to the same bytes (their length, and `length` bytes at `offset`):
   * a large snapshot is then read one chunk at a time instead of whole.
   */
  ranged?(): Promise<SideFileRange | undefined>;
  /** Replaces the content; resolves once it is durable. */
  write(bytes: Uint8Array): Promise<void>;
  /** Removes the content; resolves once that is durable. */
  clear(): Promise<void>;
  /** Releases the file (the owner of the store calls it on close). */
  close(): Promise<void>;
}

/** Ranged access to a side file's bytes (see {@link SideFile.ranged}). */
export interface SideFileRange {
  /** Length of the content in bytes. */
  readonly size: number;
  /** Up to `length` bytes from `offset`. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/**
 * A {@link SideFile} on a writable {@link SequenceStore} handle (any adapter: memory, Node, Deno,
 * Bun, OPFS, IndexedDB): write = truncate to 0, append, flush.
 */
export function sideFileOnStore(store: SequenceStore): SideFile {
  return {
    async read() {
      if (store.size === 0) return undefined;
      return store.read(0, store.size);
    },
    async ranged() {
      if (store.size === 0) return undefined;
      return { size: store.size, read: (offset, length) => store.read(offset, length) };
    },
    async write(bytes) {
      await store.truncate(0);
      await store.append(bytes);
      await store.flush();
    },
    async clear() {
      if (store.size === 0) return;
      await store.truncate(0);
      await store.flush();
    },
    async close() {
      await store.close();
    },
  };
}
