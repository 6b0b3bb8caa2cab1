import { SequenceError, type SequenceStore } from '../../sdk/dare/sequence/store.js';
import type { ServiceFiles } from '../../sdk/service/files.js';

/**
 * A disk in memory for the embedded service store's tests: the {@link ServiceFiles} contract with
 * what a real disk does to a program that crashes or runs out of space.
 *
 * - **Power cut** (`crash()`): a new disk with what was durable — each file's bytes as of its last
 *   fsync, plus (chosen at random) some prefix of what was written after, as a kernel's writeback
 *   might have left it; a name exists only if its directory was synced after it was created (or it
 *   existed before). Handles on the old disk fail from then on, so a store that "died" writes
 *   nothing more.
 * - **Faults** (`fault`): a function consulted before each operation; returning an error code
 *   (`ENOSPC`, `EIO`) makes that operation fail as the file system would (an append writes
 *   nothing).
 */
export class MemoryDisk {
  /** Current file contents. */
  private readonly files = new Map<string, Uint8Array>();
  /** Contents as of each file's last fsync (absent: never synced). */
  private readonly synced = new Map<string, Uint8Array>();
  /** Names whose directory entry is durable. */
  private readonly durableNames = new Set<string>();
  private dead = false;
  locked = false;
  /** Consulted before each operation: return an error code to make it fail. */
  fault: ((op: 'append' | 'flush' | 'truncate' | 'open' | 'remove' | 'syncdir', path: string) => string | undefined) | undefined;
  /** Operations performed (for tests that pick a moment to crash at). */
  ops = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** A {@link ServiceFiles} on this disk (one may hold its lock at a time). */
  files_(): ServiceFiles {
    return new MemoryFiles(this);
  }

  /** Paths of the files now on the disk. */
  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  /** A file's current bytes. */
  bytes(path: string): Uint8Array | undefined {
    return this.files.get(path)?.slice();
  }

  /** Replaces a file's bytes (for tests that damage a file on purpose). */
  setBytes(path: string, bytes: Uint8Array): void {
    this.files.set(path, bytes.slice());
    this.synced.set(path, bytes.slice());
    this.markDurable(path);
  }

  /** The disk after a power cut now (this one dies). */
  crash(): MemoryDisk {
    this.dead = true;
    const next = new MemoryDisk(this.random);
    for (const [path, data] of this.files) {
      if (!this.survives(path)) continue;
      const durable = this.synced.get(path) ?? new Uint8Array(0);
      let kept = durable;
      // Writeback may have reached the disk for part of what came after the last fsync.
      if (data.length > durable.length && startsWith(data, durable)) kept = data.subarray(0, durable.length + Math.floor(this.random() * (data.length - durable.length + 1)));
      else if (data.length < durable.length && this.random() < 0.5) kept = data; // a truncation that reached the disk
      kept = kept.slice();
      // Pages are written back in no particular order: part of the unsynced region may be zeros.
      if (kept.length > durable.length && this.random() < 0.3) {
        const from = durable.length + Math.floor(this.random() * (kept.length - durable.length));
        kept.fill(0, from, from + Math.floor(this.random() * (kept.length - from + 1)));
      }
      next.files.set(path, kept.slice());
      next.synced.set(path, kept.slice());
      next.markDurable(path);
    }
    return next;
  }

  private markDurable(path: string): void {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) this.durableNames.add(parts.slice(0, i).join('/'));
  }

  /** The disk after the process was killed (everything written survives; only this handle dies). */
  kill(): MemoryDisk {
    this.dead = true;
    const next = new MemoryDisk(this.random);
    for (const [path, data] of this.files) {
      next.files.set(path, data.slice());
      next.synced.set(path, (this.synced.get(path) ?? new Uint8Array(0)).slice());
    }
    for (const n of this.durableNames) next.durableNames.add(n);
    return next;
  }

  // ---- used by MemoryFiles ----

  check(op: Parameters<NonNullable<MemoryDisk['fault']>>[0], path: string): void {
    if (this.dead) throw new SequenceError('DARE_IO', `EIO on ${path} (the disk is gone)`);
    this.ops++;
    const code = this.fault?.(op, path);
    // A fault hook that cut the power (or killed the process) just now: this operation never happened.
    if (this.dead) throw new SequenceError('DARE_IO', `EIO on ${path} (the disk is gone)`);
    if (code) throw new SequenceError('DARE_IO', `${code} on ${path}`);
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  create(path: string): void {
    if (!this.files.has(path)) this.files.set(path, new Uint8Array(0));
  }

  get(path: string): Uint8Array {
    const d = this.files.get(path);
    if (!d) throw new SequenceError('DARE_IO', `ENOENT on ${path}`);
    return d;
  }

  set(path: string, data: Uint8Array): void {
    this.files.set(path, data);
  }

  sync(path: string): void {
    this.synced.set(path, this.get(path).slice());
  }

  remove(prefix: string, dir: boolean): void {
    for (const p of [...this.files.keys()]) {
      if (p === prefix || (dir && p.startsWith(prefix + '/'))) {
        this.files.delete(p);
        this.synced.delete(p);
        // A removal is durable at once here (a name coming back after a crash would only be the
        // leftover the store already expects from a removal it could not finish).
        this.durableNames.delete(p);
      }
    }
  }

  /** Makes the entries now in `dir` durable (each entry: a file or a subdirectory). */
  syncDir(dir: string): void {
    // A missing directory (no file under it) lists nothing: nothing to sync.
    for (const child of this.list(dir)) this.durableNames.add(dir === '' ? child : `${dir}/${child}`);
  }

  /** A file survives a power cut when its own entry and every directory's above it are durable. */
  private survives(path: string): boolean {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) if (!this.durableNames.has(parts.slice(0, i).join('/'))) return false;
    return true;
  }

  list(dir: string): string[] {
    const out = new Set<string>();
    const prefix = dir === '' ? '' : dir + '/';
    for (const p of this.files.keys()) if (p.startsWith(prefix)) out.add(p.slice(prefix.length).split('/')[0]!);
    return [...out].sort();
  }
}

function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

class MemoryFiles implements ServiceFiles {
  readonly label = 'memory-disk';
  private held = false;
  constructor(private readonly disk: MemoryDisk) {}

  async lock(): Promise<void> {
    if (this.disk.locked) throw new SequenceError('DARE_LOCKED', 'memory disk is held by another store');
    this.disk.locked = true;
    this.held = true;
  }

  async openFile(path: string, options: { create: boolean }): Promise<SequenceStore | undefined> {
    this.disk.check('open', path);
    if (!this.disk.has(path)) {
      if (!options.create) return undefined;
      this.disk.create(path);
    }
    return new MemoryFile(this.disk, path);
  }

  async list(dir: string): Promise<string[]> {
    return this.disk.list(dir);
  }

  async removeFile(path: string): Promise<void> {
    this.disk.check('remove', path);
    this.disk.remove(path, false);
  }

  async removeDirectory(path: string): Promise<void> {
    this.disk.check('remove', path);
    this.disk.remove(path, true);
  }

  async syncDirectory(path: string): Promise<void> {
    this.disk.check('syncdir', path);
    this.disk.syncDir(path);
  }

  async close(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.disk.locked = false;
  }
}

class MemoryFile implements SequenceStore {
  readonly writable = true;
  private closed = false;
  constructor(private readonly disk: MemoryDisk, private readonly path: string) {}

  get size(): number {
    return this.disk.has(this.path) ? this.disk.get(this.path).length : 0;
  }

  private live(): void {
    if (this.closed) throw new SequenceError('DARE_CLOSED', `${this.path} is closed`);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.live();
    const d = this.disk.get(this.path);
    return d.slice(Math.min(offset, d.length), Math.min(d.length, offset + length));
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.live();
    this.disk.check('append', this.path);
    const d = this.disk.get(this.path);
    const out = new Uint8Array(d.length + bytes.length);
    out.set(d);
    out.set(bytes, d.length);
    this.disk.set(this.path, out);
  }

  async truncate(size: number): Promise<void> {
    this.live();
    this.disk.check('truncate', this.path);
    const d = this.disk.get(this.path);
    if (size < d.length) this.disk.set(this.path, d.slice(0, size));
  }

  async flush(): Promise<void> {
    this.live();
    this.disk.check('flush', this.path);
    this.disk.sync(this.path);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
