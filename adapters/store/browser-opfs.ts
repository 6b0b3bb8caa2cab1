import { AsyncFileStore, io, type RawFile } from './async-file.js';
import { SequenceError, type StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
import { takeWebLock, type WebLockHold } from './web-lock.js';

/** The Origin Private File System calls used here, typed locally (the sync handle is worker-only). */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  flush(): void;
  truncate(size: number): void;
  getSize(): number;
  close(): void;
}
interface Writable {
  seek(position: number): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}
interface FileHandle {
  getFile(): Promise<Blob>;
  createWritable(options: { keepExistingData: boolean }): Promise<Writable>;
  createSyncAccessHandle?(): Promise<SyncAccessHandle>;
}
interface DirHandle {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
}

/** Options of {@link OpfsStore.openWrite}. */
export interface OpfsOpenOptions extends StoreOpenOptions {
  /**
   * `'sync'`: a `FileSystemSyncAccessHandle` (dedicated workers only); `'writable'`: a
   * `createWritable` stream per write (works on the main thread); `'auto'` (default): sync in a
   * worker, writable elsewhere.
   */
  access?: 'auto' | 'sync' | 'writable';
  /** Directory to resolve the path in (default: the origin's OPFS root). */
  root?: FileSystemDirectoryHandle;
}

/** The OPFS root directory, or `DARE_IO` where the origin has no OPFS. */
export async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<FileSystemDirectoryHandle> } } }).navigator?.storage;
  if (!storage?.getDirectory) throw new SequenceError('DARE_IO', 'this context has no Origin Private File System (navigator.storage.getDirectory)');
  return io(() => storage.getDirectory!(), 'OPFS root');
}

/** True where OPFS is usable (the browser adapters' selection: OPFS, else IndexedDB). */
export async function hasOpfs(): Promise<boolean> {
  try {
    await opfsRoot();
    return true;
  } catch {
    return false;
  }
}

async function fileHandle(path: string, create: boolean, root?: FileSystemDirectoryHandle): Promise<FileHandle> {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new SequenceError('DARE_BAD_PATH', `not an OPFS file path: '${path}'`);
  return io(async () => {
    let dir = (root ?? (await opfsRoot())) as unknown as DirHandle;
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create });
    return dir.getFileHandle(parts[parts.length - 1]!, { create });
  }, `OPFS ${path}`);
}

const inWorker = (): boolean => typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';

/**
 * A {@link SequenceStore} in the browser's Origin Private File System (a file per sequence under
 * `navigator.storage.getDirectory()`, `/`-separated paths make directories).
 *
 * **Access and durability** (default `'fsync'`):
 * - In a dedicated worker, a `FileSystemSyncAccessHandle`: positional writes, and `flush()` after
 *   each append (`'fsync'`) or batch (`'group'`) — the spec's "persist to disk": the durable
 *   point of OPFS. `'none'` skips `flush()`.
 * - Elsewhere (a page's main thread), a `createWritable({ keepExistingData: true })` stream per
 *   write: `seek(end)`, `write`, `close()`. `close()` atomically replaces the file with the
 *   stream's swap file, so a write is all-or-nothing and, once its promise resolves, committed to
 *   the origin's storage (it survives the tab or browser crashing; whether the browser fsyncs
 *   before that is its business — Chromium does not promise it). Chromium copies the file into the
 *   swap file per stream, so each write costs O(file size): use `'group'` (one stream per batch)
 *   or a worker for long logs. `'none'` behaves as `'fsync'` here (there is no cheaper commit).
 *
 * **Locking:** an exclusive Web Lock per path (`navigator.locks`, across tabs and workers, released
 * by the browser if the writer's tab dies): a second writer gets `DARE_LOCKED`. In a worker the
 * sync access handle is exclusive as well; failing to get it (another context holds one) is also
 * `DARE_LOCKED`. Readers take no lock and read `getFile()` snapshots.
 *
 * **Crash safety:** append-only as on disk; with the writable path every write is atomic, so a
 * torn tail arises only from the sync path or from outside damage, and is truncated as usual.
 */
export class OpfsStore extends AsyncFileStore {
  /** Opens an existing OPFS file read-only. */
  static async openRead(path: string, options: { root?: FileSystemDirectoryHandle } = {}): Promise<OpfsStore> {
    const handle = await fileHandle(path, false, options.root);
    const raw = new OpfsRaw(`OPFS ${path}`, handle, undefined, undefined);
    return new OpfsStore(raw, (await io(() => handle.getFile(), raw.label)).size, false, {}, 'fsync');
  }

  /** Opens (by default creating) an OPFS file for appending, taking the writer lock. */
  static async openWrite(path: string, options: OpfsOpenOptions = {}): Promise<OpfsStore> {
    const label = `OPFS ${path}`;
    const lock = await takeWebLock(`mathmesh:dare:opfs:${path}`, label);
    try {
      const handle = await fileHandle(path, options.create !== false, options.root);
      const access = options.access ?? 'auto';
      let sync: SyncAccessHandle | undefined;
      if (access === 'sync' || (access === 'auto' && inWorker() && handle.createSyncAccessHandle)) {
        if (!handle.createSyncAccessHandle) throw new SequenceError('DARE_IO', `${label}: no FileSystemSyncAccessHandle here`);
        try {
          sync = await handle.createSyncAccessHandle();
        } catch (e) {
          const busy = e instanceof Error && e.name === 'NoModificationAllowedError';
          throw new SequenceError(busy ? 'DARE_LOCKED' : 'DARE_IO', `${label}: ${busy ? 'another context holds its access handle' : String(e)}`, { cause: e });
        }
      }
      const raw = new OpfsRaw(label, handle, sync, lock);
      const size = sync ? sync.getSize() : (await io(() => handle.getFile(), label)).size;
      return new OpfsStore(raw, size, true, options, 'fsync');
    } catch (e) {
      lock.release();
      throw e;
    }
  }
}

class OpfsRaw implements RawFile {
  constructor(
    readonly label: string,
    private readonly handle: FileHandle,
    private readonly syncHandle: SyncAccessHandle | undefined,
    private readonly lock: WebLockHold | undefined,
  ) {}

  async readAt(offset: number, length: number): Promise<Uint8Array> {
    if (this.syncHandle) {
      const out = new Uint8Array(length);
      const n = this.syncHandle.read(out, { at: offset });
      return out.subarray(0, n);
    }
    return this.serial(async () => {
      // A snapshot read can still race a writer in another context replacing the file on
      // close(): the snapshot then reports NotReadableError/NotFoundError; take a new one.
      for (let attempt = 0; ; attempt++) {
        try {
          const file = await this.handle.getFile();
          return new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
        } catch (e) {
          const stale = e instanceof Error && (e.name === 'NotReadableError' || e.name === 'NotFoundError');
          if (!stale || attempt >= 4) throw e;
        }
      }
    });
  }

  /** Writable-path operations of this handle run one at a time (a read never sees a commit). */
  private chain: Promise<unknown> = Promise.resolve();
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chain.then(f);
    this.chain = run.catch(() => undefined);
    return run;
  }

  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.syncHandle) {
      let off = 0;
      while (off < bytes.length) off += this.syncHandle.write(bytes.subarray(off), { at: offset + off });
      return;
    }
    await this.serial(() => this.stream(async (w) => {
      await w.seek(offset);
      await w.write(bytes);
    }));
  }

  /** One writable stream: committed by `close()`, abandoned (file unchanged) on failure. */
  private async stream(f: (w: Writable) => Promise<void>): Promise<void> {
    const w = await this.handle.createWritable({ keepExistingData: true });
    try {
      await f(w);
    } catch (e) {
      await w.abort().catch(() => undefined);
      throw e;
    }
    await w.close();
  }

  async sync(): Promise<void> {
    // The writable path commits in close(); the sync path persists here.
    this.syncHandle?.flush();
  }

  async truncate(size: number): Promise<void> {
    if (this.syncHandle) this.syncHandle.truncate(size);
    else await this.serial(() => this.stream((w) => w.truncate(size)));
  }

  async close(): Promise<void> {
    try {
      this.syncHandle?.close();
    } finally {
      this.lock?.release();
    }
  }
}
