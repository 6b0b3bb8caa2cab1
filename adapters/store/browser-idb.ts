import { idbDone as done, idbRequest as request } from './idb-request.js';
import { AsyncFileStore, io, type RawFile } from './async-file.js';
import { SequenceError, type StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
import { takeWebLock, type WebLockHold } from './web-lock.js';

/** Options of the IndexedDB store. */
export interface IdbOpenOptions extends StoreOpenOptions {
  /** Database name (default `mathmesh-dare`); one database holds any number of sequences. */
  database?: string;
}

const DEFAULT_DB = 'mathmesh-dare';
const CHUNKS = 'chunks';

async function openDb(name: string): Promise<IDBDatabase> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) throw new SequenceError('DARE_IO', 'this context has no IndexedDB');
  const open = idb.open(name, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(CHUNKS)) open.result.createObjectStore(CHUNKS);
  };
  return io(() => request(open), `IndexedDB ${name}`);
}

/**
 * A {@link SequenceStore} in IndexedDB, for browsers (or contexts) without the Origin Private File
 * System. A sequence is a run of chunks in the object store `chunks`, keyed `[path, offset]`:
 * every write adds one chunk (one frame, or one group-commit batch) in one transaction, reads
 * gather the chunks that cover a range, and truncate deletes the chunks past the cut and shortens
 * the one it falls in — all in a single transaction, so the stored bytes are always a prefix of
 * what was appended.
 *
 * **Durability default: `'fsync'`** — each append is its own `readwrite` transaction opened with
 * `{ durability: 'strict' }`, and its promise resolves on the transaction's `complete` event:
 * the browser has flushed it to its storage (Chromium fsyncs strict transactions). `'group'`: one
 * strict transaction per batch of appends made while a write is in flight. `'none'`: `'relaxed'`
 * transactions (committed, may be lost on power failure).
 *
 * **Locking:** an exclusive Web Lock per database and path (`navigator.locks`; released by the
 * browser when the writer's tab or worker dies, so no stale locks): a second writer gets
 * `DARE_LOCKED`. Readers take no lock.
 *
 * **Crash safety:** a transaction is atomic, so a crash loses at most whole unacknowledged writes;
 * a torn tail can only come from outside damage and is handled like on disk.
 */
export class IdbStore extends AsyncFileStore {
  /** Opens a sequence read-only (an absent one reads as empty). */
  static async openRead(path: string, options: { database?: string } = {}): Promise<IdbStore> {
    const db = await openDb(options.database ?? DEFAULT_DB);
    const raw = new IdbRaw(`IndexedDB ${options.database ?? DEFAULT_DB}/${path}`, db, path, 'relaxed', undefined);
    return new IdbStore(raw, await raw.storedSize(), false, {}, 'fsync');
  }

  /** Opens a sequence for appending, taking the writer lock. */
  static async openWrite(path: string, options: IdbOpenOptions = {}): Promise<IdbStore> {
    const database = options.database ?? DEFAULT_DB;
    const label = `IndexedDB ${database}/${path}`;
    const lock = await takeWebLock(`mathmesh:dare:idb:${database}:${path}`, label);
    try {
      const db = await openDb(database);
      const raw = new IdbRaw(label, db, path, options.durability === 'none' ? 'relaxed' : 'strict', lock);
      return new IdbStore(raw, await raw.storedSize(), true, options, 'fsync');
    } catch (e) {
      lock.release();
      throw e;
    }
  }
}

class IdbRaw implements RawFile {
  constructor(
    readonly label: string,
    private readonly db: IDBDatabase,
    private readonly path: string,
    private readonly durability: 'strict' | 'relaxed',
    private readonly lock: WebLockHold | undefined,
  ) {}

  /** Keys `[path, from] .. [path, to)` (to = Infinity: to the end). */
  private range(from: number, to: number, openEnd = true): IDBKeyRange {
    return IDBKeyRange.bound([this.path, from], [this.path, to], false, openEnd);
  }

  private tx(mode: IDBTransactionMode): IDBObjectStore {
    const t = mode === 'readonly' ? this.db.transaction(CHUNKS, mode) : this.db.transaction(CHUNKS, mode, { durability: this.durability });
    return t.objectStore(CHUNKS);
  }

  /** Offset and length of the chunk with the greatest start <= `at` (or < `at` when `strict`). */
  private lastChunk(store: IDBObjectStore, at: number, strict: boolean): Promise<{ start: number; bytes: Uint8Array } | undefined> {
    return new Promise((resolve, reject) => {
      const r = store.openCursor(IDBKeyRange.bound([this.path, 0], [this.path, at], false, strict), 'prev');
      r.onsuccess = () => {
        const c = r.result;
        resolve(c ? { start: (c.key as [string, number])[1], bytes: c.value as Uint8Array } : undefined);
      };
      r.onerror = () => reject(r.error);
    });
  }

  /** The size: end of the last chunk. */
  async storedSize(): Promise<number> {
    const last = await io(() => this.lastChunk(this.tx('readonly'), Infinity, false), this.label);
    return last ? last.start + last.bytes.length : 0;
  }

  async readAt(offset: number, length: number): Promise<Uint8Array> {
    const store = this.tx('readonly');
    const first = await this.lastChunk(store, offset, false);
    const from = first ? first.start : offset;
    const keys = (await request(store.getAllKeys(this.range(from, offset + length)))) as [string, number][];
    const values = (await request(store.getAll(this.range(from, offset + length)))) as Uint8Array[];
    const out = new Uint8Array(length);
    let end = 0;
    keys.forEach(([, start], i) => {
      const v = values[i]!;
      const lo = Math.max(start, offset);
      const hi = Math.min(start + v.length, offset + length);
      if (lo < hi) {
        out.set(v.subarray(lo - start, hi - start), lo - offset);
        end = Math.max(end, hi - offset);
      }
    });
    return out.subarray(0, end);
  }

  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    const store = this.tx('readwrite');
    store.put(bytes.slice(), [this.path, offset]);
    await done(store.transaction);
  }

  /** Each write is already a committed transaction of the store's durability. */
  async sync(): Promise<void> {}

  async truncate(size: number): Promise<void> {
    const store = this.tx('readwrite');
    const committed = done(store.transaction);
    store.delete(this.range(size, Infinity, false));
    const straddling = await this.lastChunk(store, size, true);
    if (straddling && straddling.start + straddling.bytes.length > size) {
      store.put(straddling.bytes.slice(0, size - straddling.start), [this.path, straddling.start]);
    }
    await committed;
  }

  async close(): Promise<void> {
    this.db.close();
    this.lock?.release();
  }
}

/** Deletes every chunk of a sequence (the IndexedDB counterpart of removing a file). */
export async function deleteIdbSequence(path: string, options: { database?: string } = {}): Promise<void> {
  const db = await openDb(options.database ?? DEFAULT_DB);
  try {
    const t = db.transaction(CHUNKS, 'readwrite');
    t.objectStore(CHUNKS).delete(IDBKeyRange.bound([path, 0], [path, Infinity]));
    await done(t);
  } finally {
    db.close();
  }
}
