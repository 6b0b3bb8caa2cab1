/**
 * The storage interface of DARE sequences (dare.md §9): an append-only byte file with random
 * reads. Runtime-neutral — every method returns a Promise and nothing here names Node, Deno, Bun or
 * the browser — so each runtime supplies an adapter (`memory.ts`, `node-fs.ts`, `bun.ts`,
 * `deno.ts`, `browser-opfs.ts`, `browser-idb.ts`) and the sequence code never changes.
 *
 * Contract:
 * - `size` is the number of bytes a reader may rely on, including appends whose promise has not
 *   settled yet (they are visible to reads at once; durability is what the promise reports).
 * - `append(bytes)` adds bytes at the end. The promise resolves once the bytes are as durable as
 *   the adapter's durability setting promises (e.g. after fsync), and rejects if they are not.
 *   Appends are applied in call order.
 * - `truncate(size)` cuts the file (used to drop a torn tail before the next append).
 * - An adapter opened for writing holds an exclusive lock: a second writer gets `DARE_LOCKED`.
 */
export interface SequenceStore {
  /** Current length in bytes. */
  readonly size: number;
  /** True when this handle may append (and holds the writer lock). */
  readonly writable: boolean;
  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Appends bytes at the end; resolves when durable per the adapter's setting. */
  append(bytes: Uint8Array): Promise<void>;
  /** Cuts the file to `size` bytes (never grows it). */
  truncate(size: number): Promise<void>;
  /** Resolves once every earlier append is durable. */
  flush(): Promise<void>;
  /** Flushes, releases the lock and closes; later calls throw `DARE_CLOSED`. */
  close(): Promise<void>;
}

/**
 * Durability of appends (issue 6):
 * - `'fsync'` — every append is written and fsync'ed before its promise resolves (the default of
 *   the Node adapter: an acknowledged frame survives power loss).
 * - `'group'` — group commit: appends made while a write is pending are gathered and written with
 *   one write and one fsync; each append's promise resolves after the fsync of its batch. Same
 *   guarantee per acknowledged frame as `'fsync'`, far fewer fsyncs when callers do not await each
 *   append (e.g. `for (...) writer.append(x); await writer.flush()`).
 * - `'none'` — written to the OS at once, never fsync'ed (survives a process crash, not power loss).
 */
export type Durability = 'fsync' | 'group' | 'none';

/** Options of a writable store. */
export interface StoreOpenOptions {
  /** See {@link Durability}; adapters document their default. */
  durability?: Durability;
  /** Group commit: most bytes gathered into one write (default 4 MiB). */
  groupBytes?: number;
  /** Create the file if it does not exist (default true for writers). */
  create?: boolean;
}
