import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SequenceError, type Durability, type SequenceStore, type StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
import { acquireFileLock, type HeldLock } from './file-lock.js';
import { nodeLockFs, nodeLockIdentity } from './node-lock.js';

/**
 * A {@link SequenceStore} on a Node file.
 *
 * **Durability default: `'fsync'`** — each append is written and fsync'ed before its promise
 * resolves, so an acknowledged frame survives a crash or power loss. `'group'` gives the same
 * guarantee with one write + fsync per batch of appends made while a write is pending (group
 * commit: call `append` without awaiting each, then `flush()`); `'none'` never fsyncs.
 *
 * **Durability of the name:** a writer that creates the file also fsyncs its directory (unless
 * `'none'`), so an acknowledged frame cannot vanish with a directory entry lost in a power cut.
 *
 * **Locking:** the writer lock of file-lock.ts in `FILE.lock/` (shared with Bun and Deno
 * writers): a second writer gets `DARE_LOCKED`; the lock of a writer whose process died is taken
 * over, with no window in which two live writers hold it. Readers take no lock — appends are
 * atomic from their point of view only up to the torn-tail rule (a reader seeing a half-written
 * last frame reports it as a torn tail).
 *
 * **Crash safety:** the file is only ever appended to (and truncated back to a frame boundary by
 * the sequence writer when it finds a torn tail), so after any crash it is a run of complete frames
 * followed by at most one incomplete frame.
 */
export class NodeFileStore implements SequenceStore {
  private fd: number;
  private length: number;
  private closed = false;
  readonly writable: boolean;
  readonly path: string;
  private readonly lock: HeldLock | undefined;
  private readonly durability: Durability;
  private readonly groupBytes: number;
  /** Group commit: bytes waiting for the next batch write, and their waiters. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  /** Bytes of `pending` are visible to reads before they reach the file. */
  private fileLength: number;

  private constructor(path: string, fd: number, writable: boolean, lock: HeldLock | undefined, options: StoreOpenOptions) {
    this.path = path;
    this.fd = fd;
    this.writable = writable;
    this.lock = lock;
    this.durability = options.durability ?? 'fsync';
    this.groupBytes = options.groupBytes ?? 4 * 1024 * 1024;
    this.length = fstatSync(fd).size;
    this.fileLength = this.length;
  }

  /** Opens a file read-only (no lock). */
  static async openRead(path: string): Promise<NodeFileStore> {
    return new NodeFileStore(path, io(() => openSync(path, 'r'), path), false, undefined, {});
  }

  /** Opens (by default creating) a file for appending, taking the writer lock. */
  static async openWrite(path: string, options: StoreOpenOptions = {}): Promise<NodeFileStore> {
    const lock = await acquireFileLock(nodeLockFs, path + '.lock', nodeLockIdentity());
    try {
      const fd = openForAppend(path, options);
      return new NodeFileStore(path, fd, true, lock, options);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  get size(): number {
    return this.length;
  }

  private check(): void {
    if (this.closed) throw new SequenceError('DARE_CLOSED', `${this.path} is closed`);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.check();
    const from = Math.min(Math.max(0, offset), this.length);
    const to = Math.min(this.length, from + Math.max(0, length));
    const out = new Uint8Array(to - from);
    // The part already in the file...
    const fileTo = Math.min(to, this.fileLength);
    let got = 0;
    while (from + got < fileTo) {
      const n = io(() => readSync(this.fd, out, got, fileTo - from - got, from + got), this.path);
      if (n === 0) break;
      got += n;
    }
    // ...and the part still in the group-commit buffer.
    if (to > this.fileLength) {
      let at = this.fileLength;
      for (const p of this.pending) {
        const lo = Math.max(at, from);
        const hi = Math.min(at + p.length, to);
        if (lo < hi) out.set(p.subarray(lo - at, hi - at), lo - from);
        at += p.length;
      }
    }
    return out;
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.check();
    if (!this.writable) throw new SequenceError('DARE_BAD_ARGUMENT', `${this.path} is open read-only`);
    if (this.durability !== 'group') {
      this.writeAll(bytes);
      if (this.durability === 'fsync') io(() => fsyncSync(this.fd), this.path);
      return;
    }
    const copy = bytes.slice();
    this.pending.push(copy);
    this.pendingBytes += copy.length;
    this.length += copy.length;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.pendingBytes >= this.groupBytes) this.commit();
    else if (!this.scheduled) {
      this.scheduled = true;
      // After the caller's synchronous run of appends: one write + one fsync for all of them.
      setImmediate(() => this.commit());
    }
    return done;
  }

  private writeAll(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += io(() => writeSync(this.fd, bytes, off, bytes.length - off, this.fileLength + off), this.path);
    this.fileLength += bytes.length;
    this.length = Math.max(this.length, this.fileLength);
  }

  /** Writes the pending batch and fsyncs once; settles every waiter of the batch. */
  private commit(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.pendingBytes = 0;
    this.waiters = [];
    try {
      const total = batch.reduce((n, b) => n + b.length, 0);
      const joined = new Uint8Array(total);
      let at = 0;
      for (const b of batch) {
        joined.set(b, at);
        at += b.length;
      }
      this.writeAll(joined);
      io(() => fsyncSync(this.fd), this.path);
      for (const w of waiters) w.resolve();
    } catch (e) {
      // The batch is not durable: report it to every append of the batch; the file may end in a
      // torn frame, which the next writer truncates.
      this.length = this.fileLength;
      for (const w of waiters) w.reject(e);
    }
  }

  async truncate(size: number): Promise<void> {
    this.check();
    this.commit();
    if (size >= this.fileLength) return;
    io(() => ftruncateSync(this.fd, size), this.path);
    if (this.durability !== 'none') io(() => fsyncSync(this.fd), this.path);
    this.fileLength = size;
    this.length = size;
  }

  async flush(): Promise<void> {
    this.check();
    this.commit();
    if (this.writable && this.durability !== 'none') io(() => fsyncSync(this.fd), this.path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.writable) await this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
      await this.lock?.release();
    }
  }
}

function io<T>(f: () => T, path: string): T {
  try {
    return f();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new SequenceError('DARE_IO', `${code} on ${path}`, { cause: e });
  }
}

/**
 * Opens `path` read-write. When this call creates the file (`O_CREAT | O_EXCL` first, so it knows),
 * the directory is fsynced too: until then a power cut may lose the new name with every frame.
 */
function openForAppend(path: string, options: StoreOpenOptions): number {
  if (options.create === false) return io(() => openSync(path, constants.O_RDWR), path);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SequenceError('DARE_IO', `${(e as NodeJS.ErrnoException).code ?? 'EIO'} on ${path}`, { cause: e });
    return io(() => openSync(path, constants.O_RDWR), path);
  }
  if ((options.durability ?? 'fsync') !== 'none') {
    try {
      syncDirectory(dirname(path));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }
  return fd;
}

/**
 * fsync of a directory (its entries: names created, renamed or removed in it). Windows cannot open
 * a directory for it and journals names itself: nothing to do there.
 */
export function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = io(() => openSync(dir, constants.O_RDONLY), dir);
  try {
    io(() => fsyncSync(fd), dir);
  } finally {
    closeSync(fd);
  }
}
