import { SequenceError, type SequenceStore } from '../../sdk/dare/sequence/store.js';

/** The bytes shared by every handle on one memory sequence. */
interface Shared {
  buf: Uint8Array;
  length: number;
  locked: boolean;
}

/**
 * An in-memory {@link SequenceStore}: a growable buffer (capacity doubles, so n appends copy
 * O(n) bytes in total). Appends are "durable" as soon as they are in the buffer. Handles opened
 * with `reopen()` share the bytes; a lock flag refuses a second writer with `DARE_LOCKED`, like
 * the file adapters, so the locking logic is testable without a file system.
 */
export class MemoryStore implements SequenceStore {
  private closed = false;
  private constructor(private readonly shared: Shared, readonly writable: boolean) {}

  /** A new writable store, empty or holding a copy of `initial`. */
  static create(initial?: Uint8Array): MemoryStore {
    const bytes = initial ?? new Uint8Array(0);
    const buf = new Uint8Array(Math.max(1024, bytes.length));
    buf.set(bytes);
    return new MemoryStore({ buf, length: bytes.length, locked: true }, true);
  }

  /** A read-only store over the given bytes (not copied: the caller must not change them). */
  static fromBytes(bytes: Uint8Array): MemoryStore {
    return new MemoryStore({ buf: bytes, length: bytes.length, locked: false }, false);
  }

  get size(): number {
    return this.shared.length;
  }

  /** A copy of the stored bytes. */
  bytes(): Uint8Array {
    return this.shared.buf.slice(0, this.shared.length);
  }

  /** Another handle on the same bytes: read-only, or `writable` (needs the writer lock to be free). */
  reopen(writable = false): MemoryStore {
    if (writable) {
      if (this.shared.locked) throw new SequenceError('DARE_LOCKED', 'another writer holds this memory sequence');
      this.shared.locked = true;
    }
    return new MemoryStore(this.shared, writable);
  }

  private check(write: boolean): void {
    if (this.closed) throw new SequenceError('DARE_CLOSED', 'memory store is closed');
    if (write && !this.writable) throw new SequenceError('DARE_BAD_ARGUMENT', 'store is read-only');
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.check(false);
    const s = this.shared;
    const from = Math.min(Math.max(0, offset), s.length);
    return s.buf.slice(from, Math.min(s.length, from + Math.max(0, length)));
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.appendSync(bytes);
  }

  /** Synchronous append (the memory store never waits). */
  appendSync(bytes: Uint8Array): void {
    this.check(true);
    const s = this.shared;
    const need = s.length + bytes.length;
    if (need > s.buf.length) {
      const grown = new Uint8Array(Math.max(need, s.buf.length * 2));
      grown.set(s.buf.subarray(0, s.length));
      s.buf = grown;
    }
    s.buf.set(bytes, s.length);
    s.length = need;
  }

  async truncate(size: number): Promise<void> {
    this.check(true);
    if (size < this.shared.length) this.shared.length = Math.max(0, size);
  }

  async flush(): Promise<void> {
    this.check(false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.writable) this.shared.locked = false;
  }
}
