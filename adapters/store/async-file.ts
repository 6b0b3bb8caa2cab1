import { SequenceError, type Durability, type SequenceStore, type StoreOpenOptions } from '../../sdk/dare/sequence/store.js';

/**
 * Private base of the adapters whose platform I/O is asynchronous (Deno, OPFS, IndexedDB): the
 * {@link SequenceStore} contract — appends visible at once and applied in call order, durability
 * modes, group commit, truncate, flush, close → `DARE_CLOSED` — written once over a small
 * {@link RawFile}. Not exported from any public entry; each adapter documents its platform's
 * meaning of "durable".
 *
 * Every write-side operation runs on one promise chain (`queue`), so the platform never sees two
 * writes at once and appends land in call order. Bytes not yet written sit in `unwritten` and
 * reads overlay them, so `size` and `read` already include them (the contract's visibility rule).
 */

/** The platform operations an adapter supplies. Offsets are absolute; writes only at the end. */
export interface RawFile {
  /** For error messages: the path or key of the file. */
  readonly label: string;
  readAt(offset: number, length: number): Promise<Uint8Array>;
  /** Writes `bytes` at `offset` (always the current end); resolves when handed to the platform. */
  writeAt(offset: number, bytes: Uint8Array): Promise<void>;
  /** Makes every earlier write durable (fsync, `flush()`, a strict transaction...). */
  sync(): Promise<void>;
  truncate(size: number): Promise<void>;
  /** Releases the platform handle (and lock). */
  close(): Promise<void>;
  /**
   * Optional: one write + one sync for a whole batch when the platform does both at once (an
   * IndexedDB transaction). Default: `writeAt` then `sync`.
   */
  writeDurable?(offset: number, bytes: Uint8Array): Promise<void>;
}

export class AsyncFileStore implements SequenceStore {
  private length: number;
  private fileLength: number;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  /** Appended bytes not yet in the file, in order. */
  private unwritten: { offset: number; bytes: Uint8Array }[] = [];
  /** Group commit: the batch being gathered and its waiters. */
  private batch: Uint8Array[] = [];
  private batchWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private batchQueued = false;
  private readonly durability: Durability;
  private readonly groupBytes: number;

  protected constructor(
    private readonly raw: RawFile,
    size: number,
    readonly writable: boolean,
    options: StoreOpenOptions,
    defaultDurability: Durability,
  ) {
    this.length = size;
    this.fileLength = size;
    this.durability = options.durability ?? defaultDurability;
    this.groupBytes = options.groupBytes ?? 4 * 1024 * 1024;
  }

  get size(): number {
    return this.length;
  }

  private check(write: boolean): void {
    if (this.closed) throw new SequenceError('DARE_CLOSED', `${this.raw.label} is closed`);
    if (write && !this.writable) throw new SequenceError('DARE_BAD_ARGUMENT', `${this.raw.label} is open read-only`);
  }

  /** Runs `f` after every earlier write-side operation; a failure does not block later ones. */
  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.check(false);
    const from = Math.min(Math.max(0, offset), this.length);
    const to = Math.min(this.length, from + Math.max(0, length));
    // Snapshot first: bytes that move from `unwritten` to the file meanwhile are the same bytes.
    const overlay = this.unwritten.slice();
    const fileTo = Math.min(to, this.fileLength);
    const out = new Uint8Array(to - from);
    if (fileTo > from) {
      const got = await io(() => this.raw.readAt(from, fileTo - from), this.raw.label);
      out.set(got.subarray(0, fileTo - from));
    }
    for (const u of overlay) {
      const lo = Math.max(u.offset, from);
      const hi = Math.min(u.offset + u.bytes.length, to);
      if (lo < hi) out.set(u.bytes.subarray(lo - u.offset, hi - u.offset), lo - from);
    }
    return out;
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.check(true);
    const entry = { offset: this.length, bytes: bytes.slice() };
    this.unwritten.push(entry);
    this.length += entry.bytes.length;
    if (this.durability !== 'group') {
      return this.enqueue(async () => {
        await this.writeOut(entry.offset, entry.bytes, this.durability === 'fsync');
      });
    }
    this.batch.push(entry.bytes);
    const done = new Promise<void>((resolve, reject) => this.batchWaiters.push({ resolve, reject }));
    // One queued commit gathers every append made until it runs (i.e. while earlier writes are
    // pending): that is the group.
    if (!this.batchQueued) this.queueCommit();
    return done;
  }

  /**
   * Queues a commit that, when its turn comes, takes the gathered appends from the front (at most
   * `groupBytes`, at least one) and writes + syncs them once; what is left gets the next commit.
   * Takes happen in queue order, so bytes reach the file in append order.
   */
  private queueCommit(): void {
    this.batchQueued = true;
    void this.enqueue(async () => {
      let n = 0;
      let total = 0;
      while (n < this.batch.length && (n === 0 || total + this.batch[n]!.length <= this.groupBytes)) total += this.batch[n++]!.length;
      const bytes = this.batch.splice(0, n);
      const waiters = this.batchWaiters.splice(0, n);
      this.batchQueued = false;
      if (this.batch.length) this.queueCommit();
      if (bytes.length === 0) return;
      const joined = new Uint8Array(total);
      let at = 0;
      for (const b of bytes) {
        joined.set(b, at);
        at += b.length;
      }
      try {
        await this.writeOut(this.fileLength, joined, true);
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    });
  }

  /** Writes bytes at the file's end (and syncs); on failure the unwritten bytes are dropped. */
  private async writeOut(offset: number, bytes: Uint8Array, sync: boolean): Promise<void> {
    try {
      if (offset !== this.fileLength) throw new SequenceError('DARE_IO', `${this.raw.label}: append at ${offset}, file ends at ${this.fileLength}`);
      if (sync && this.raw.writeDurable) await this.raw.writeDurable(offset, bytes);
      else {
        await this.raw.writeAt(offset, bytes);
        if (sync) await this.raw.sync();
      }
      this.fileLength = offset + bytes.length;
      this.dropWritten();
    } catch (e) {
      // Not durable: report it; later bytes cannot follow a hole, so every unwritten byte goes.
      this.unwritten = [];
      for (const w of this.batchWaiters.splice(0)) w.reject(new SequenceError('DARE_IO', `an earlier write to ${this.raw.label} failed`));
      this.batch = [];
      this.length = this.fileLength;
      throw e instanceof SequenceError ? e : new SequenceError('DARE_IO', `write failed on ${this.raw.label}: ${String(e)}`, { cause: e });
    }
  }

  private dropWritten(): void {
    while (this.unwritten.length && this.unwritten[0]!.offset + this.unwritten[0]!.bytes.length <= this.fileLength) this.unwritten.shift();
  }

  async truncate(size: number): Promise<void> {
    this.check(true);
    await this.flushQueue();
    await this.enqueue(async () => {
      if (size >= this.fileLength) return;
      await io(() => this.raw.truncate(size), this.raw.label);
      if (this.durability !== 'none') await io(() => this.raw.sync(), this.raw.label);
      this.fileLength = size;
      this.length = size;
    });
  }

  /** Commits any gathered batch and waits for every queued write. */
  private async flushQueue(): Promise<void> {
    // Commits are queued as soon as appends arrive, so waiting for the queue waits for them all.
    do await this.enqueue(async () => undefined);
    while (this.batchQueued);
  }

  async flush(): Promise<void> {
    this.check(false);
    if (!this.writable) return;
    await this.flushQueue();
    if (this.durability !== 'none') await this.enqueue(() => io(() => this.raw.sync(), this.raw.label));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.writable) await this.flush();
    } finally {
      this.closed = true;
      await this.raw.close();
    }
  }
}

/** Maps a platform failure to `DARE_IO` (typed errors pass through). */
export async function io<T>(f: () => Promise<T>, label: string): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof SequenceError) throw e;
    const name = e instanceof Error ? e.name : 'Error';
    throw new SequenceError('DARE_IO', `${name} on ${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
