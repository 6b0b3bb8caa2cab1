import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { SequenceError } from '../../sdk/dare/sequence/errors.js';
import type { Durability, SequenceStore, StoreOpenOptions } from './types.js';

/**
 * A {@link SequenceStore} on a Node file.
 *
 * **Durability default: `'fsync'`** — each append is written and fsync'ed before its promise
 * resolves, so an acknowledged frame survives a crash or power loss. `'group'` gives the same
 * guarantee with one write + fsync per batch of appends made while a write is pending (group
 * commit: call `append` without awaiting each, then `flush()`); `'none'` never fsyncs.
 *
 * **Locking:** a writer creates `FILE.lock` exclusively (`O_CREAT|O_EXCL`) holding its pid. A
 * second writer gets `DARE_LOCKED`; a lock whose pid is no longer alive (a crashed writer) is
 * taken over. Readers take no lock — appends are atomic from their point of view only up to the
 * torn-tail rule (a reader seeing a half-written last frame reports it as a torn tail).
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
  private readonly lockPath: string | undefined;
  private readonly durability: Durability;
  private readonly groupBytes: number;
  /** Group commit: bytes waiting for the next batch write, and their waiters. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  /** Bytes of `pending` are visible to reads before they reach the file. */
  private fileLength: number;

  private constructor(path: string, fd: number, writable: boolean, lockPath: string | undefined, options: StoreOpenOptions) {
    this.path = path;
    this.fd = fd;
    this.writable = writable;
    this.lockPath = lockPath;
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
    const lockPath = path + '.lock';
    acquireLock(lockPath);
    try {
      const fd = io(() => openSync(path, constants.O_RDWR | (options.create === false ? 0 : constants.O_CREAT)), path);
      return new NodeFileStore(path, fd, true, lockPath, options);
    } catch (e) {
      releaseLock(lockPath);
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
      if (this.lockPath) releaseLock(this.lockPath);
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

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `lockPath` exclusively; a lock left by a dead process is taken over once. */
function acquireLock(lockPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SequenceError('DARE_IO', `cannot create ${lockPath}`, { cause: e });
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(lockPath, 'utf8').trim());
    } catch {
      continue; // released meanwhile: try again
    }
    if (Number.isInteger(holder) && holder > 0 && pidAlive(holder)) {
      throw new SequenceError('DARE_LOCKED', `${lockPath} is held by process ${holder}${holder === process.pid ? ' (this process)' : ''}`);
    }
    try {
      unlinkSync(lockPath); // stale: its writer died
    } catch { /* someone else took it over; the next attempt decides */ }
  }
  throw new SequenceError('DARE_LOCKED', `${lockPath} could not be taken`);
}

function releaseLock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch { /* already gone */ }
}
