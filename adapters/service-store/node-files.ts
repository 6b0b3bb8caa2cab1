import { closeSync, constants, fstatSync, fsync, ftruncateSync, mkdirSync, openSync, read, readdirSync, writeSync } from 'node:fs';
import { open as openAsync, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SequenceError, type SequenceStore } from '../../sdk/dare/sequence/store.js';
import type { ServiceFiles } from '../../sdk/service/files.js';
import { acquireFileLock, type HeldLock } from '../store/file-lock.js';
import { nodeLockFs, nodeLockIdentity } from '../store/node-lock.js';

/**
 * {@link ServiceFiles} on a Node (or Bun) directory: the storage of the embedded service store.
 *
 * - **Lock:** the writer lock of file-lock.ts on `DIR/lock/` (the protocol the sequence adapters
 *   use: a second process gets `DARE_LOCKED`, a dead holder's lock is taken over).
 * - **Appends** are positional `writeSync` calls at the file's end: in the page cache when the
 *   promise resolves (a killed process loses nothing written), durable after `flush()`, an
 *   `fsync` run on libuv's thread pool so the event loop keeps serving while the disk works —
 *   which is what lets the engine's group commit gather the transactions that arrive meanwhile.
 * - **Reads** are asynchronous `read`s (thread pool): a cold read does not stall the service.
 * - An append that fails part-way is cut back, so the file never keeps half an append.
 */
export class NodeServiceFiles implements ServiceFiles {
  private closed = false;
  private held: HeldLock | undefined;

  /** The directory `dir` (created by `lock()`, which the store calls first). */
  constructor(readonly label: string) {}

  async lock(): Promise<void> {
    if (this.held) return;
    io(() => mkdirSync(this.label, { recursive: true }), this.label);
    this.held = await acquireFileLock(nodeLockFs, join(this.label, 'lock'), nodeLockIdentity());
  }

  private path(rel: string): string {
    if (this.closed) throw new SequenceError('DARE_CLOSED', `${this.label} is closed`);
    if (rel === '') return this.label;
    const parts = rel.split('/');
    if (parts.some((p) => !/^[A-Za-z0-9._-]+$/.test(p) || p === '.' || p === '..')) {
      throw new SequenceError('DARE_BAD_ARGUMENT', `${JSON.stringify(rel)} is not a relative path of plain names`);
    }
    return join(this.label, ...parts);
  }

  async openFile(rel: string, options: { create: boolean }): Promise<SequenceStore | undefined> {
    const path = this.path(rel);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR);
    } catch (e) {
      if (code(e) !== 'ENOENT') throw ioError(e, path);
      if (!options.create) return undefined;
      io(() => mkdirSync(dirname(path), { recursive: true }), path);
      fd = io(() => openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644), path);
    }
    return new NodeAppendFile(path, fd);
  }

  async list(rel: string): Promise<string[]> {
    const path = this.path(rel);
    try {
      return readdirSync(path);
    } catch (e) {
      if (code(e) === 'ENOENT') return [];
      throw ioError(e, path);
    }
  }

  // Removal and directory syncs run on the thread pool: unlinking a large log segment can take
  // tens of milliseconds, which must not stall every request.
  async removeFile(rel: string): Promise<void> {
    const path = this.path(rel);
    try {
      await unlink(path);
    } catch (e) {
      if (code(e) !== 'ENOENT') throw ioError(e, path);
    }
  }

  async removeDirectory(rel: string): Promise<void> {
    const path = this.path(rel);
    if (path === this.label) throw new SequenceError('DARE_BAD_ARGUMENT', 'will not remove the root directory');
    await rm(path, { recursive: true, force: true }).catch((e: unknown) => {
      throw ioError(e, path);
    });
  }

  async syncDirectory(rel: string): Promise<void> {
    const path = this.path(rel);
    // Windows cannot open a directory to fsync it and journals names itself.
    if (process.platform === 'win32') return;
    let handle;
    try {
      handle = await openAsync(path, constants.O_RDONLY);
    } catch (e) {
      if (code(e) === 'ENOENT') return;
      throw ioError(e, path);
    }
    try {
      await handle.sync();
    } catch (e) {
      throw ioError(e, path);
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.held?.release();
  }
}

/** One file of the directory (see {@link NodeServiceFiles}). */
class NodeAppendFile implements SequenceStore {
  private length: number;
  private closed = false;
  /** Asynchronous calls in flight: the descriptor is closed only after them (it could be reused). */
  private inFlight = 0;
  private drained: (() => void) | undefined;
  readonly writable = true;

  constructor(private readonly path: string, private readonly fd: number) {
    this.length = fstatSync(fd).size;
  }

  get size(): number {
    return this.length;
  }

  private check(): void {
    if (this.closed) throw new SequenceError('DARE_CLOSED', `${this.path} is closed`);
  }

  private async track<T>(f: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await f();
    } finally {
      if (--this.inFlight === 0) this.drained?.();
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.check();
    const from = Math.min(Math.max(0, offset), this.length);
    const out = new Uint8Array(Math.min(this.length, from + Math.max(0, length)) - from);
    return this.track(async () => {
      let got = 0;
      while (got < out.length) {
        const n = await new Promise<number>((resolve, reject) => read(this.fd, out, got, out.length - got, from + got, (e, n) => (e ? reject(ioError(e, this.path)) : resolve(n))));
        if (n === 0) throw new SequenceError('DARE_IO', `${this.path} ended at ${from + got}, expected ${from + out.length} bytes`);
        got += n;
      }
      return out;
    });
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.check();
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, this.length + off);
    } catch (e) {
      // Never keep half an append: cut back to where it started (best effort; the next append
      // writes at that offset anyway).
      if (off > 0) {
        try {
          ftruncateSync(this.fd, this.length);
        } catch { /* the next positional write covers it */ }
      }
      throw ioError(e, this.path);
    }
    this.length += bytes.length;
  }

  async truncate(size: number): Promise<void> {
    this.check();
    if (size >= this.length) return;
    io(() => ftruncateSync(this.fd, size), this.path);
    this.length = size;
  }

  async flush(): Promise<void> {
    this.check();
    await this.track(() => new Promise<void>((resolve, reject) => fsync(this.fd, (e) => (e ? reject(ioError(e, this.path)) : resolve()))));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    io(() => closeSync(this.fd), this.path);
  }
}

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

function ioError(e: unknown, path: string): SequenceError {
  if (e instanceof SequenceError) return e;
  return new SequenceError('DARE_IO', `${code(e) ?? 'EIO'} on ${path}`, { cause: e });
}

function io<T>(f: () => T, path: string): T {
  try {
    return f();
  } catch (e) {
    throw ioError(e, path);
  }
}
