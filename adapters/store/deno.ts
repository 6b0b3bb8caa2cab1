import { SequenceError, type StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
import { AsyncFileStore, io, type RawFile } from './async-file.js';
import { acquireFileLock, type HeldLock, type LockFs } from './file-lock.js';

/** The part of Deno's API this adapter uses, typed here so the package compiles on Node types. */
interface DenoFile {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  seek(offset: number, whence: 0 | 1 | 2): Promise<number>;
  syncData(): Promise<void>;
  truncate(len?: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  tryLock(exclusive?: boolean): Promise<boolean>;
  unlock(): Promise<void>;
  close(): void;
}
interface DenoApi {
  pid: number;
  build: { os: string };
  open(path: string, options: { read?: boolean; write?: boolean; create?: boolean; createNew?: boolean }): Promise<DenoFile>;
  readTextFile(path: string): Promise<string>;
  remove(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  readDir(path: string): AsyncIterable<{ name: string }>;
  link(oldpath: string, newpath: string): Promise<void>;
  errors: { AlreadyExists: abstract new (...args: never[]) => Error; NotFound: abstract new (...args: never[]) => Error };
}
const deno = (): DenoApi => {
  const d = (globalThis as { Deno?: DenoApi }).Deno;
  if (!d) throw new SequenceError('DARE_IO', 'DenoFileStore needs the Deno runtime');
  return d;
};

/**
 * A {@link SequenceStore} on a Deno file (`Deno.open` / `Deno.FsFile`). Needs `--allow-read` (and
 * `--allow-write` for writers) on the file and its directory.
 *
 * **Durability default: `'fsync'`** — each append is written and `FsFile.syncData()`'ed
 * (fdatasync: the data and the file size reach the disk) before its promise resolves, so an
 * acknowledged frame survives a crash or power loss. `'group'`: appends made while a write is in
 * flight are gathered into one write + one `syncData()` (same guarantee per acknowledged frame);
 * `'none'`: written to the OS, never synced (survives a process crash, not power loss).
 *
 * **Durability of the name** — a writer that creates the file also syncs its directory (unless
 * `'none'`), so the new name survives a power cut with the frames.
 *
 * **Locking** — the writer lock of file-lock.ts in `FILE.lock/`, shared with Node and Bun
 * writers so they all exclude each other, with no window for two live writers. A Deno writer's
 * generation file names it `pid 0x… deno` and stays flocked (`FsFile.tryLock(true)`, taken before
 * the file's name appears) while the lock is held: a Deno writer's lock nobody flocks was left by
 * a writer that died (the OS drops flocks with the process) and is taken over. A Node/Bun
 * holder's pid cannot be checked without `--allow-run`, so it is reported as `DARE_LOCKED`.
 *
 * **Crash safety** — append-only, like the Node adapter: after a crash the file is complete
 * frames followed by at most one torn frame, which the next writer truncates.
 */
export class DenoFileStore extends AsyncFileStore {
  /** Opens a file read-only (no lock). */
  static async openRead(path: string): Promise<DenoFileStore> {
    const file = await io(() => deno().open(path, { read: true }), path);
    const raw = new DenoRaw(path, file, undefined);
    return new DenoFileStore(raw, (await file.stat()).size, false, {}, 'fsync');
  }

  /** Opens (by default creating) a file for appending, taking the writer lock. */
  static async openWrite(path: string, options: StoreOpenOptions = {}): Promise<DenoFileStore> {
    const lock = await acquireFileLock(denoLockFs(), path + '.lock', `pid 0x${deno().pid.toString(16)} deno\n`);
    try {
      const file = await openForAppend(path, options);
      const raw = new DenoRaw(path, file, lock);
      return new DenoFileStore(raw, (await file.stat()).size, true, options, 'fsync');
    } catch (e) {
      await lock.release();
      throw e;
    }
  }
}

/** One Deno file; its operations are serialised (they share the file position). */
class DenoRaw implements RawFile {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(readonly label: string, private readonly file: DenoFile, private readonly lock: HeldLock | undefined) {}

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chain.then(f);
    this.chain = run.catch(() => undefined);
    return run;
  }

  readAt(offset: number, length: number): Promise<Uint8Array> {
    return this.serial(async () => {
      const out = new Uint8Array(length);
      await this.file.seek(offset, 0);
      let got = 0;
      while (got < length) {
        const n = await this.file.read(out.subarray(got));
        if (n === null || n === 0) break;
        got += n;
      }
      return out.subarray(0, got);
    });
  }

  writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    return this.serial(async () => {
      await this.file.seek(offset, 0);
      let off = 0;
      while (off < bytes.length) off += await this.file.write(bytes.subarray(off));
    });
  }

  sync(): Promise<void> {
    return this.serial(() => this.file.syncData());
  }

  truncate(size: number): Promise<void> {
    return this.serial(() => this.file.truncate(size));
  }

  async close(): Promise<void> {
    await this.serial(async () => this.file.close());
    await this.lock?.release();
  }
}

/** Opens `path` read-write; when this call creates it, syncs the directory (see the class notes). */
async function openForAppend(path: string, options: StoreOpenOptions): Promise<DenoFile> {
  const d = deno();
  if (options.create !== false) {
    let created: DenoFile | undefined;
    try {
      created = await d.open(path, { read: true, write: true, createNew: true });
    } catch (e) {
      if (!(e instanceof d.errors.AlreadyExists)) throw new SequenceError('DARE_IO', `cannot create ${path}`, { cause: e });
    }
    if (created) {
      if ((options.durability ?? 'fsync') !== 'none' && d.build.os !== 'windows') {
        try {
          const slash = path.lastIndexOf('/');
          const dir = await d.open(slash < 0 ? '.' : slash === 0 ? '/' : path.slice(0, slash), { read: true });
          try {
            await dir.syncData();
          } finally {
            dir.close();
          }
        } catch (e) {
          created.close();
          throw new SequenceError('DARE_IO', `cannot sync the directory of ${path}`, { cause: e });
        }
      }
      return created;
    }
  }
  return io(() => d.open(path, { read: true, write: true }), path);
}

let temps = 0;

/** The lock protocol's file operations on Deno (file-lock.ts). */
function denoLockFs(): LockFs {
  const d = deno();
  return {
    ensureDir: (dir) => d.mkdir(dir, { recursive: true }),
    async list(dir) {
      const names: string[] = [];
      for await (const e of d.readDir(dir)) names.push(e.name);
      return names;
    },
    async createExclusive(path, text) {
      const tmp = `${path.slice(0, path.lastIndexOf('/'))}/tmp-${d.pid}-${Date.now().toString(36)}-${temps++}`;
      const file = await d.open(tmp, { read: true, write: true, createNew: true });
      try {
        // The flock is on the inode: held before the link gives it its generation name.
        if (!(await file.tryLock(true))) throw new SequenceError('DARE_IO', `cannot flock ${tmp}`);
        await file.write(new TextEncoder().encode(text));
        await d.link(tmp, path);
      } catch (e) {
        file.close();
        if (e instanceof d.errors.AlreadyExists) return undefined;
        throw e;
      } finally {
        await d.remove(tmp).catch(() => undefined);
      }
      return { close: async () => file.close() };
    },
    async readText(path) {
      try {
        return await d.readTextFile(path);
      } catch (e) {
        if (e instanceof d.errors.NotFound) return undefined;
        throw e;
      }
    },
    async remove(path) {
      try {
        await d.remove(path);
      } catch (e) {
        if (!(e instanceof d.errors.NotFound)) throw e;
      }
    },
    async holderAlive(path, text) {
      // Only a Deno holder can be judged from here: it keeps its generation file flocked.
      if (!/^pid 0x[0-9a-f]+ deno\b/.test(text.trim())) return true;
      let probe: DenoFile;
      try {
        probe = await d.open(path, { read: true, write: true });
      } catch (e) {
        if (e instanceof d.errors.NotFound) return false;
        throw e;
      }
      try {
        return !(await probe.tryLock(true));
      } finally {
        probe.close();
      }
    },
  };
}
