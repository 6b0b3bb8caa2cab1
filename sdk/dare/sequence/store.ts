import { SequenceError, type SequenceErrorCode } from './errors.js';

/**
 * The storage contract of DARE sequences (dare.md §9): an append-only byte file with random
 * reads. It lives here, beside the reader and writer that consume it; every adapter
 * (`adapters/store/*`: memory, Node/Bun files, Deno files, OPFS, IndexedDB) implements it and
 * imports it from here — the SDK never imports an adapter. Runtime-neutral: every method returns
 * a Promise and nothing here names Node, Deno, Bun or the browser.
 *
 * Contract:
 * - `size` is the number of bytes a reader may rely on, including appends whose promise has not
 *   settled yet (they are visible to reads at once; durability is what the promise reports).
 * - `append(bytes)` adds bytes at the end. The promise resolves once the bytes are as durable as
 *   the adapter's durability setting promises (e.g. after fsync), and rejects if they are not.
 *   Appends are applied in call order.
 * - `truncate(size)` cuts the file (used to drop a torn tail before the next append).
 * - An adapter opened for writing holds an exclusive writer lock: a second writer gets
 *   `DARE_LOCKED`, and at no moment may two live handles both hold it.
 * - Failures are {@link SequenceError}s with a {@link StoreErrorCode}.
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
  /**
   * Optional, for stores whose appends never wait (memory): `append` done synchronously, applied
   * in call order with every `append`. The bytes are copied before it returns (the caller may
   * reuse its buffer) and are as durable as `append`'s promise would say; a failure is thrown,
   * not rejected. A writer then needs no promise per frame.
   */
  appendSync?(bytes: Uint8Array): void;
  /** Cuts the file to `size` bytes (never grows it). */
  truncate(size: number): Promise<void>;
  /** Resolves once every earlier append is durable. */
  flush(): Promise<void>;
  /** Flushes, releases the lock and closes; later calls throw `DARE_CLOSED`. */
  close(): Promise<void>;
}

/**
 * Durability of appends:
 * - `'fsync'` — every append is written and fsync'ed before its promise resolves (an acknowledged
 *   frame survives power loss). A store that creates its file also syncs the directory, so the
 *   file's name survives too.
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

/** The error codes a store may throw (a subset of {@link SequenceErrorCode}). */
export type StoreErrorCode = Extract<SequenceErrorCode, 'DARE_LOCKED' | 'DARE_CLOSED' | 'DARE_IO' | 'DARE_BAD_ARGUMENT'>;

/** A store failure: a {@link SequenceError} with one of the store codes. */
export function storeError(code: StoreErrorCode, message: string, cause?: unknown): SequenceError {
  return new SequenceError(code, message, cause === undefined ? {} : { cause });
}

export { SequenceError };
