import type { SequenceStore } from '../dare/sequence/store.js';

/**
 * The storage the embedded service store (sdk/service/embedded) runs on: one directory it owns
 * alone, holding append-only files. Defined here, by the code that consumes it; each runtime's
 * adapter implements it (`NodeServiceFiles` in adapters/service-store/node-files.ts), and tests
 * wrap it to inject faults or to simulate a power cut. The engine never names a platform API.
 *
 * Contract:
 * - `lock()` takes an exclusive lock on the directory, held until `close()`: a second instance
 *   on the same directory (in any process) gets `DARE_LOCKED`. The store calls it before anything
 *   else; files inside take no locks of their own.
 * - Paths are relative, `/`-separated, each part of `[A-Za-z0-9._-]` and not `.` or `..`.
 * - `openFile` returns a {@link SequenceStore} whose `append` hands the bytes to the operating
 *   system before it resolves (they survive the process being killed, not a power cut) and whose
 *   `flush()` makes every earlier append and truncation durable (fsync). `size` is the file's
 *   length. Appends land in call order.
 * - Creating, renaming or removing a name is durable only after `syncDirectory` of its parent.
 * - Failures are `SequenceError`s (`DARE_IO` with the system code, `DARE_LOCKED`, `DARE_CLOSED`).
 */
export interface ServiceFiles {
  /** Where the files live (for messages). */
  readonly label: string;
  /** Takes the directory's exclusive lock (creating the directory if needed); `DARE_LOCKED` when another holder has it. */
  lock(): Promise<void>;
  /**
   * Opens a file for reading and appending. With `create`, makes it (and its missing parent
   * directories) when absent; without, resolves undefined when absent.
   */
  openFile(path: string, options: { create: boolean }): Promise<SequenceStore | undefined>;
  /** Names in a directory (`''` = the root); empty when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Removes a file; a missing file is not an error. */
  removeFile(path: string): Promise<void>;
  /** Removes a directory and everything in it; a missing one is not an error. */
  removeDirectory(path: string): Promise<void>;
  /** Makes the names created or removed in a directory durable (fsync of the directory); a missing directory has nothing to sync. */
  syncDirectory(path: string): Promise<void>;
  /** Releases the directory lock (close every file first). */
  close(): Promise<void>;
}
