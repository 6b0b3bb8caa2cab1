import { SequenceError } from '../../sdk/dare/sequence/errors.js';
import { AsyncFileStore, io, type RawFile } from './async-file.js';
import type { StoreOpenOptions } from './types.js';

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
  open(path: string, options: { read?: boolean; write?: boolean; create?: boolean; createNew?: boolean }): Promise<DenoFile>;
  readTextFile(path: string): Promise<string>;
  remove(path: string): Promise<void>;
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
 * **Locking** — a lock file, chosen over `FsFile.lock()` on the data file so that Deno, Node and
 * Bun writers exclude each other: a writer creates `FILE.lock` with `createNew` (O_CREAT|O_EXCL),
 * the same file `NodeFileStore` takes, and also holds `FsFile.tryLock(true)` (flock) on it. The
 * lock file holds the pid in hex (`0x…`): `NodeFileStore` reads that as the same pid. A second
 * writer gets `DARE_LOCKED`. A `0x` lock file that nobody flocks was left by a Deno writer that
 * died (the OS drops flocks with the process) and is taken over; a decimal one (a Node/Bun writer)
 * cannot be checked without `--allow-run`, so it is reported as `DARE_LOCKED` naming the pid.
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
    const lock = await acquireLock(path + '.lock');
    try {
      const file = await io(() => deno().open(path, { read: true, write: true, create: options.create !== false }), path);
      const raw = new DenoRaw(path, file, lock);
      return new DenoFileStore(raw, (await file.stat()).size, true, options, 'fsync');
    } catch (e) {
      await lock.release();
      throw e;
    }
  }
}

interface HeldLock {
  release(): Promise<void>;
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

async function acquireLock(lockPath: string): Promise<HeldLock> {
  const d = deno();
  for (let attempt = 0; attempt < 2; attempt++) {
    let file: DenoFile | undefined;
    try {
      file = await d.open(lockPath, { read: true, write: true, createNew: true });
    } catch (e) {
      if (!(e instanceof d.errors.AlreadyExists)) throw new SequenceError('DARE_IO', `cannot create ${lockPath}`, { cause: e });
    }
    if (file) {
      const held = file;
      // Deno releases before FsFile.tryLock (2.x) get the lock file alone, in decimal like Node
      // writers: still exclusive, but a crashed writer's lock is then never taken over.
      const canFlock = typeof held.tryLock === 'function';
      try {
        if (canFlock && !(await held.tryLock(true))) {
          throw new SequenceError('DARE_LOCKED', `${lockPath} is being taken over by another writer`); // who found it stale flocked it first
        }
        await held.write(new TextEncoder().encode(`${canFlock ? `0x${d.pid.toString(16)}` : d.pid}\n`));
      } catch (e) {
        held.close();
        if (!(e instanceof SequenceError)) await d.remove(lockPath).catch(() => undefined);
        throw e instanceof SequenceError ? e : new SequenceError('DARE_IO', `cannot write ${lockPath}`, { cause: e });
      }
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          try {
            await d.remove(lockPath);
          } catch { /* already gone */ }
          held.close();
        },
      };
    }
    // The lock file exists: is its holder alive?
    let text = '';
    let probe: DenoFile | undefined;
    try {
      text = (await d.readTextFile(lockPath)).trim();
      probe = await d.open(lockPath, { read: true, write: true });
    } catch (e) {
      if (e instanceof d.errors.NotFound) continue; // released meanwhile: try again
      throw new SequenceError('DARE_IO', `cannot read ${lockPath}`, { cause: e });
    }
    const free = typeof probe.tryLock === 'function' ? await probe.tryLock(true) : false;
    probe.close();
    const pid = Number(text);
    if (!free || !text.startsWith('0x')) {
      throw new SequenceError('DARE_LOCKED', `${lockPath} is held by process ${Number.isInteger(pid) ? pid : text}` +
        `${pid === d.pid ? ' (this process)' : free ? ' (a Node/Bun writer: remove the lock file if that process is gone)' : ''}`);
    }
    try {
      await d.remove(lockPath); // stale: its Deno writer died and the OS dropped its flock
    } catch { /* someone else took it over; the next attempt decides */ }
  }
  throw new SequenceError('DARE_LOCKED', `${lockPath} could not be taken`);
}
