import { SequenceError, type SequenceStore } from '../../sdk/dare/sequence/store.js';

/** Bytes per chunk of a memory sequence: appends copy into the last chunk, nothing is ever re-copied. */
const CHUNK = 1 << 20;

/**
 * The bytes shared by every handle on one memory sequence: chunks of {@link CHUNK} bytes (a
 * read-only store over caller bytes has one chunk of any size), the logical length, the lock.
 */
interface Shared {
  chunks: Uint8Array[];
  /** Offset of the last chunk (every chunk before it is full). */
  tail: number;
  length: number;
  locked: boolean;
}

function sharedOf(initial: Uint8Array | undefined, copy: boolean, locked: boolean): Shared {
  if (initial === undefined || initial.length === 0) return { chunks: [], tail: 0, length: 0, locked };
  return { chunks: [copy ? initial.slice() : initial], tail: 0, length: initial.length, locked };
}

/** Handed by the static constructors to the constructor: an existing sequence to open a handle on. */
let adopting: { shared: Shared; writable: boolean } | undefined;

/**
 * An in-memory {@link SequenceStore}. Appends copy into 1 MiB chunks, so n appends copy each byte
 * once (a doubling buffer copies everything again at every growth). Appends are "durable" as soon
 * as they are in memory. Handles opened with `reopen()` share the bytes; a lock flag refuses a
 * second writer with `DARE_LOCKED`, like the file adapters, so the locking logic is testable
 * without a file system.
 *
 * `new MemoryStore()` and `MemoryStore.create()` are the same thing: a new, empty, writable store
 * holding the writer lock (`new MemoryStore(bytes)`: holding a copy of `bytes`).
 */
export class MemoryStore implements SequenceStore {
  private closed = false;
  private readonly shared: Shared;
  readonly writable: boolean;

  /** A new writable store, empty or holding a copy of `initial`. */
  constructor(initial?: Uint8Array) {
    const a = adopting;
    adopting = undefined;
    if (a !== undefined) {
      this.shared = a.shared;
      this.writable = a.writable;
      return;
    }
    if (initial !== undefined && !(initial instanceof Uint8Array)) {
      throw new SequenceError('DARE_BAD_ARGUMENT', 'a memory store starts empty or from a Uint8Array');
    }
    this.shared = sharedOf(initial, true, true);
    this.writable = true;
  }

  private static adopt(shared: Shared, writable: boolean): MemoryStore {
    adopting = { shared, writable };
    return new MemoryStore();
  }

  /** A new writable store, empty or holding a copy of `initial` (same as the constructor). */
  static create(initial?: Uint8Array): MemoryStore {
    return new MemoryStore(initial);
  }

  /** A read-only store over the given bytes (not copied: the caller must not change them). */
  static fromBytes(bytes: Uint8Array): MemoryStore {
    if (!(bytes instanceof Uint8Array)) throw new SequenceError('DARE_BAD_ARGUMENT', 'fromBytes needs a Uint8Array');
    return MemoryStore.adopt(sharedOf(bytes, false, false), false);
  }

  get size(): number {
    return this.shared.length;
  }

  /** A copy of the stored bytes. */
  bytes(): Uint8Array {
    return this.copyOut(0, this.shared.length);
  }

  /** Another handle on the same bytes: read-only, or `writable` (needs the writer lock to be free). */
  reopen(writable = false): MemoryStore {
    if (writable) {
      if (this.shared.locked) throw new SequenceError('DARE_LOCKED', 'another writer holds this memory sequence');
      this.shared.locked = true;
    }
    return MemoryStore.adopt(this.shared, writable);
  }

  private check(write: boolean): void {
    if (this.closed) throw new SequenceError('DARE_CLOSED', 'memory store is closed');
    if (write && !this.writable) throw new SequenceError('DARE_BAD_ARGUMENT', 'store is read-only');
  }

  /** Bytes [from, to) of the sequence, copied out of the chunks. */
  private copyOut(from: number, to: number): Uint8Array {
    const out = new Uint8Array(to - from);
    let base = 0;
    for (const c of this.shared.chunks) {
      const end = base + c.length;
      if (end > from && base < to) {
        const a = Math.max(from, base);
        const b = Math.min(to, end);
        out.set(c.subarray(a - base, b - base), a - from);
      }
      base = end;
      if (base >= to) break;
    }
    return out;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.check(false);
    const s = this.shared;
    const from = Math.min(Math.max(0, offset), s.length);
    return this.copyOut(from, Math.min(s.length, from + Math.max(0, length)));
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.appendSync(bytes);
  }

  /** Synchronous append (the memory store never waits). */
  appendSync(bytes: Uint8Array): void {
    this.check(true);
    if (!(bytes instanceof Uint8Array)) throw new SequenceError('DARE_BAD_ARGUMENT', 'append needs a Uint8Array');
    const s = this.shared;
    let at = 0;
    while (at < bytes.length) {
      const last = s.chunks[s.chunks.length - 1];
      const used = s.length - s.tail;
      if (last === undefined || used >= last.length) {
        if (last !== undefined) s.tail += last.length;
        s.chunks.push(new Uint8Array(Math.max(CHUNK, bytes.length - at)));
        continue;
      }
      const n = Math.min(last.length - used, bytes.length - at);
      last.set(n === bytes.length ? bytes : bytes.subarray(at, at + n), used);
      at += n;
      s.length += n;
    }
  }

  async truncate(size: number): Promise<void> {
    this.check(true);
    const s = this.shared;
    if (!(size < s.length)) return;
    const keep = Math.max(0, size);
    // Drop whole chunks past the new end and keep the one it falls in (appends continue there).
    let base = 0;
    let k = 0;
    for (; k < s.chunks.length; k++) {
      const end = base + s.chunks[k]!.length;
      if (end >= keep) break;
      base = end;
    }
    // The chunk the new end falls in is cut to its kept bytes (a copy: it is then full, and the
    // next append starts a new chunk rather than writing into bytes another handle read).
    const kept = s.chunks.slice(0, k + 1);
    kept[k] = kept[k]!.slice(0, keep - base);
    s.chunks = keep === 0 ? [] : kept;
    s.tail = keep === 0 ? 0 : base;
    s.length = keep;
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
