import { idbDone as done, idbRequest as request } from '../store/idb-request.js';
import { IdbStore, deleteIdbSequence } from '../store/browser-idb.js';
import { OpfsStore, opfsRoot } from '../store/browser-opfs.js';
import { MemoryStore } from '../store/memory.js';
import type { Durability, SequenceStore } from '../../sdk/dare/sequence/store.js';
import { checkHomeName, homeError, type HomeStorage } from '../../sdk/mesh/host/storage.js';

/**
 * Browser homes of a Mesh host, with the layout of the Node home (sdk/mesh/host/host.ts) — an
 * origin's storage is private to it, so there are no file modes to set; secrets are sealed by the
 * host when a passphrase is set, as everywhere.
 *
 * - {@link OpfsHome}: a folder of the Origin Private File System; records are files replaced
 *   atomically (a `createWritable` stream commits on `close()`), sequences are {@link OpfsStore}s.
 * - {@link IdbHome}: where OPFS is missing; records in an IndexedDB object store (one transaction
 *   per write), sequences are {@link IdbStore}s in a database of their own.
 */

interface FileHandle {
  getFile(): Promise<File>;
  createWritable(): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void>; abort?(): Promise<void> }>;
}
interface DirHandle {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
  keys(): AsyncIterable<string>;
}

const notFound = (e: unknown): boolean => e instanceof Error && (e.name === 'NotFoundError' || e.name === 'TypeMismatchError');

/** A home in a folder of the Origin Private File System. */
export class OpfsHome implements HomeStorage {
  readonly location: string;

  private constructor(private readonly base: DirHandle, private readonly name: string) {
    this.location = `opfs:/${name}`;
  }

  /** Opens (creating) the OPFS folder `name` as a home. */
  static async open(name = 'mathmesh-home'): Promise<OpfsHome> {
    checkHomeName(name, 'folder');
    try {
      const root = (await opfsRoot()) as unknown as DirHandle;
      return new OpfsHome(await root.getDirectoryHandle(name, { create: true }), name);
    } catch (e) {
      throw homeError(`cannot open the OPFS home ${name}: ${String(e)}`, e);
    }
  }

  private async dir(parts: readonly string[], create: boolean): Promise<DirHandle | undefined> {
    let d = this.base;
    try {
      for (const p of parts) d = await d.getDirectoryHandle(p, { create });
      return d;
    } catch (e) {
      if (!create && notFound(e)) return undefined;
      throw homeError(`${this.location}: cannot open ${parts.join('/')}: ${String(e)}`, e);
    }
  }

  async readRecord(name: string): Promise<Uint8Array | undefined> {
    const parts = checkHomeName(name);
    const d = await this.dir(parts.slice(0, -1), false);
    if (d === undefined) return undefined;
    try {
      const f = await (await d.getFileHandle(parts[parts.length - 1]!)).getFile();
      return new Uint8Array(await f.arrayBuffer());
    } catch (e) {
      if (notFound(e)) return undefined;
      throw homeError(`${this.location}: cannot read ${name}: ${String(e)}`, e);
    }
  }

  async writeRecord(name: string, bytes: Uint8Array): Promise<void> {
    const parts = checkHomeName(name);
    const d = (await this.dir(parts.slice(0, -1), true))!;
    try {
      const w = await (await d.getFileHandle(parts[parts.length - 1]!, { create: true })).createWritable();
      await w.write(bytes);
      await w.close(); // the swap file replaces the record here, whole
    } catch (e) {
      throw homeError(`${this.location}: cannot write ${name}: ${String(e)}`, e);
    }
  }

  async createRecord(name: string, bytes: Uint8Array): Promise<boolean> {
    // Exists-then-write under an exclusive Web Lock (waited for, across tabs and workers): one
    // creator per origin wins.
    const attempt = async (): Promise<boolean> => {
      if ((await this.readRecord(name)) !== undefined) return false;
      await this.writeRecord(name, bytes);
      return true;
    };
    const locks = (globalThis as { navigator?: { locks?: { request<T>(name: string, f: () => Promise<T>): Promise<T> } } }).navigator?.locks;
    if (locks === undefined) throw homeError(`${this.location}: this context has no Web Locks (navigator.locks)`);
    return locks.request(`mathmesh:home:${this.name}:${name}`, attempt);
  }

  async deleteRecord(name: string): Promise<void> {
    const parts = checkHomeName(name);
    const d = await this.dir(parts.slice(0, -1), false);
    try {
      await d?.removeEntry(parts[parts.length - 1]!);
    } catch (e) {
      if (!notFound(e)) throw homeError(`${this.location}: cannot delete ${name}: ${String(e)}`, e);
    }
  }

  async list(folder: string): Promise<string[]> {
    const d = await this.dir(checkHomeName(folder, 'folder'), false);
    if (d === undefined) return [];
    const out: string[] = [];
    for await (const k of d.keys()) if (/^[A-Za-z0-9]/.test(k) && !k.endsWith('.crswap')) out.push(k);
    return out.sort();
  }

  async openSequence(name: string, options: { write?: boolean; durability?: Durability } = {}): Promise<SequenceStore> {
    checkHomeName(name, 'sequence');
    const root = this.base as unknown as FileSystemDirectoryHandle;
    if (options.write) return OpfsStore.openWrite(name, { root, durability: options.durability ?? 'fsync' });
    try {
      return await OpfsStore.openRead(name, { root });
    } catch (e) {
      if (notFound((e as { cause?: unknown }).cause) || (await this.readSequenceAbsent(name))) return MemoryStore.fromBytes(new Uint8Array(0));
      throw e;
    }
  }

  private async readSequenceAbsent(name: string): Promise<boolean> {
    const parts = checkHomeName(name, 'sequence');
    const d = await this.dir(parts.slice(0, -1), false);
    if (d === undefined) return true;
    try {
      await d.getFileHandle(parts[parts.length - 1]!);
      return false;
    } catch (e) {
      return notFound(e);
    }
  }

  async deleteSequence(name: string): Promise<void> {
    await this.deleteRecord(name);
  }
}

const RECORDS = 'records';
const SEQUENCES = 'sequences';

/** A home in IndexedDB (records and the names of sequences in `<name>`; sequence bytes in `<name>-sequences`). */
export class IdbHome implements HomeStorage {
  readonly location: string;
  private readonly sequenceDb: string;

  private constructor(private readonly db: IDBDatabase, name: string) {
    this.location = `indexeddb:${name}`;
    this.sequenceDb = `${name}-sequences`;
  }

  /** Opens (creating) the IndexedDB home `name`. */
  static async open(name = 'mathmesh-home'): Promise<IdbHome> {
    checkHomeName(name, 'folder');
    const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!idb) throw homeError('this context has no IndexedDB');
    const open = idb.open(name, 1);
    open.onupgradeneeded = () => {
      for (const s of [RECORDS, SEQUENCES]) if (!open.result.objectStoreNames.contains(s)) open.result.createObjectStore(s);
    };
    try {
      return new IdbHome(await request(open), name);
    } catch (e) {
      throw homeError(`cannot open the IndexedDB home ${name}: ${String(e)}`, e);
    }
  }

  private async tx<T>(stores: string[], mode: IDBTransactionMode, f: (tx: IDBTransaction) => IDBRequest<T> | undefined): Promise<T | undefined> {
    try {
      const tx = this.db.transaction(stores, mode, { durability: 'strict' });
      const r = f(tx);
      const result = r === undefined ? undefined : await request(r);
      await done(tx);
      return result;
    } catch (e) {
      throw homeError(`${this.location}: ${String(e)}`, e);
    }
  }

  async readRecord(name: string): Promise<Uint8Array | undefined> {
    checkHomeName(name);
    const v = await this.tx([RECORDS], 'readonly', (tx) => tx.objectStore(RECORDS).get(name));
    return v instanceof Uint8Array ? v.slice() : undefined;
  }

  async writeRecord(name: string, bytes: Uint8Array): Promise<void> {
    checkHomeName(name);
    await this.tx([RECORDS], 'readwrite', (tx) => tx.objectStore(RECORDS).put(bytes.slice(), name));
  }

  async createRecord(name: string, bytes: Uint8Array): Promise<boolean> {
    checkHomeName(name);
    try {
      // Look-up and add in one transaction: the compare-and-set.
      const tx = this.db.transaction([RECORDS], 'readwrite', { durability: 'strict' });
      const store = tx.objectStore(RECORDS);
      if ((await request(store.getKey(name))) !== undefined) {
        tx.abort();
        return false;
      }
      store.add(bytes.slice(), name);
      await done(tx);
      return true;
    } catch (e) {
      throw homeError(`${this.location}: cannot create ${name}: ${String(e)}`, e);
    }
  }

  async deleteRecord(name: string): Promise<void> {
    checkHomeName(name);
    await this.tx([RECORDS], 'readwrite', (tx) => tx.objectStore(RECORDS).delete(name));
  }

  async list(folder: string): Promise<string[]> {
    const prefix = checkHomeName(folder, 'folder').map((p) => p + '/').join('');
    const range = prefix === '' ? undefined : IDBKeyRange.bound(prefix, prefix + '\uffff');
    const out = new Set<string>();
    for (const s of [RECORDS, SEQUENCES]) {
      const keys = (await this.tx([s], 'readonly', (tx) => tx.objectStore(s).getAllKeys(range))) ?? [];
      for (const k of keys) out.add(String(k).slice(prefix.length).split('/')[0]!);
    }
    return [...out].sort();
  }

  async openSequence(name: string, options: { write?: boolean; durability?: Durability } = {}): Promise<SequenceStore> {
    checkHomeName(name, 'sequence');
    if (options.write) {
      await this.tx([SEQUENCES], 'readwrite', (tx) => tx.objectStore(SEQUENCES).put(true, name));
      return IdbStore.openWrite(name, { database: this.sequenceDb, durability: options.durability ?? 'fsync' });
    }
    return IdbStore.openRead(name, { database: this.sequenceDb });
  }

  async deleteSequence(name: string): Promise<void> {
    checkHomeName(name, 'sequence');
    await deleteIdbSequence(name, { database: this.sequenceDb });
    await this.tx([SEQUENCES], 'readwrite', (tx) => tx.objectStore(SEQUENCES).delete(name));
  }
}
