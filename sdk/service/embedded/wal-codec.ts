import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import type { AccountStatus, NonceClaim } from '../store.js';
import { crc32 } from './crc32.js';

/**
 * The records of the embedded store's write-ahead log (the design is described in
 * embedded-store.ts) and their binary form. A record on disk is
 *
 *     u32le length ‖ u32le CRC-32(length ‖ body) ‖ body          (body = type byte ‖ fields)
 *
 * Fields are unsigned LEB128 integers (up to 2^53), byte strings (length ‖ bytes), UTF-8 text
 * (as bytes) and optional values (0 = absent, 1 = present ‖ value). A record whose length runs
 * past the end of the file or whose CRC does not match ends the log: it is the torn tail of a
 * write that a crash interrupted (never acknowledged, since acknowledgement waits for fsync).
 */

/** Version of the layout, in every base record; a store refuses a log it does not know. */
export const WAL_VERSION = 1;

/** One update of a transaction record: frames for a store of an account (by internal id). */
export interface TxUpdate {
  readonly accountId: number;
  readonly store: string;
  readonly expectedNextIndex: number;
  readonly digest: Uint8Array | undefined;
  readonly frames: readonly Uint8Array[];
}

/** A store in a base record: its file holds exactly `bytes` bytes = `nextIndex` frames, synced. */
export interface BaseStore {
  readonly name: string;
  readonly id: number;
  readonly nextIndex: number;
  readonly bytes: number;
  readonly digest: Uint8Array | undefined;
}

export interface BaseAccount {
  readonly id: number;
  readonly address: string;
  readonly profileUdf: string;
  readonly status: AccountStatus;
  readonly created: number;
  readonly profile: Uint8Array;
  readonly nextStoreId: number;
  readonly stores: readonly BaseStore[];
}

/** The whole state but the frames, at the start of every log segment. */
export interface BaseState {
  readonly nextAccountId: number;
  readonly accounts: readonly BaseAccount[];
  readonly records: readonly (readonly [string, Uint8Array])[];
  readonly nonces: readonly NonceClaim[];
}

export type WalRecord =
  | { readonly type: 'base'; readonly state: BaseState }
  | { readonly type: 'tx'; readonly updates: readonly TxUpdate[]; readonly nonce: NonceClaim | undefined }
  | { readonly type: 'account-create'; readonly account: Omit<BaseAccount, 'stores' | 'nextStoreId'> }
  | { readonly type: 'account-update'; readonly id: number; readonly status: AccountStatus | undefined; readonly profile: Uint8Array | undefined }
  | { readonly type: 'account-delete'; readonly id: number }
  | { readonly type: 'record-put'; readonly name: string; readonly value: Uint8Array }
  | { readonly type: 'record-delete'; readonly name: string }
  | { readonly type: 'nonce'; readonly claim: NonceClaim };

const TYPES = ['base', 'tx', 'account-create', 'account-update', 'account-delete', 'record-put', 'record-delete', 'nonce'] as const;
const STATUSES: readonly AccountStatus[] = ['pending', 'connected', 'blocked'];

/** Bytes before a record's body. */
export const RECORD_HEADER = 8;

/** A growable byte buffer with the field encoders. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.length + n, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }

  u32le(v: number, at: number): void {
    this.buf[at] = v & 0xff;
    this.buf[at + 1] = (v >>> 8) & 0xff;
    this.buf[at + 2] = (v >>> 16) & 0xff;
    this.buf[at + 3] = (v >>> 24) & 0xff;
  }

  uint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`cannot encode ${v}`);
    this.room(8);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  text(s: string): void {
    this.bytes(utf8Encode(s));
  }

  optBytes(b: Uint8Array | undefined): void {
    if (b === undefined) this.u8(0);
    else {
      this.u8(1);
      this.bytes(b);
    }
  }

  /** Reserves `n` bytes (filled later with `u32le`); returns their offset. */
  reserve(n: number): number {
    this.room(n);
    const at = this.length;
    this.length += n;
    return at;
  }

  view(from = 0, to = this.length): Uint8Array {
    return this.buf.subarray(from, to);
  }

  /** The bytes written (a view: valid until the next write). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Thrown by {@link ByteReader} on a body that does not decode (the record is then damage). */
export class BadRecord extends Error {}

export class ByteReader {
  at = 0;
  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new BadRecord('record body ends early');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  uint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (!Number.isSafeInteger(v)) throw new BadRecord('integer too large');
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  }

  /** A byte string: a view into the record (copy it to keep it beyond the buffer's life). */
  bytes(): Uint8Array {
    const n = this.uint();
    this.need(n);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  text(): string {
    return utf8Decode(this.bytes());
  }

  optBytes(): Uint8Array | undefined {
    const flag = this.u8();
    if (flag > 1) throw new BadRecord('bad optional flag');
    return flag ? this.bytes() : undefined;
  }

  done(): void {
    if (this.at !== this.buf.length) throw new BadRecord('bytes after the record body');
  }
}

/** Appends one record (header and body) to `w`. */
export function writeRecord(w: ByteWriter, r: WalRecord): void {
  const start = w.reserve(RECORD_HEADER);
  const bodyStart = w.length;
  w.u8(TYPES.indexOf(r.type));
  switch (r.type) {
    case 'base': {
      const s = r.state;
      w.uint(WAL_VERSION);
      w.uint(s.nextAccountId);
      w.uint(s.accounts.length);
      for (const a of s.accounts) {
        writeAccount(w, a);
        w.uint(a.nextStoreId);
        w.uint(a.stores.length);
        for (const st of a.stores) {
          w.text(st.name);
          w.uint(st.id);
          w.uint(st.nextIndex);
          w.uint(st.bytes);
          w.optBytes(st.digest);
        }
      }
      w.uint(s.records.length);
      for (const [name, value] of s.records) {
        w.text(name);
        w.bytes(value);
      }
      w.uint(s.nonces.length);
      for (const n of s.nonces) writeNonce(w, n);
      break;
    }
    case 'tx':
      w.uint(r.updates.length);
      for (const u of r.updates) {
        w.uint(u.accountId);
        w.text(u.store);
        w.uint(u.expectedNextIndex);
        w.optBytes(u.digest);
        w.uint(u.frames.length);
        for (const f of u.frames) w.bytes(f);
      }
      if (r.nonce === undefined) w.u8(0);
      else {
        w.u8(1);
        writeNonce(w, r.nonce);
      }
      break;
    case 'account-create':
      writeAccount(w, r.account);
      break;
    case 'account-update':
      w.uint(r.id);
      w.u8(r.status === undefined ? 0 : 1 + STATUSES.indexOf(r.status));
      w.optBytes(r.profile);
      break;
    case 'account-delete':
      w.uint(r.id);
      break;
    case 'record-put':
      w.text(r.name);
      w.bytes(r.value);
      break;
    case 'record-delete':
      w.text(r.name);
      break;
    case 'nonce':
      writeNonce(w, r.claim);
      break;
  }
  const length = w.length - bodyStart;
  if (length > 0xffffffff) throw new RangeError('a log record over 4 GiB');
  w.u32le(length, start);
  // The CRC covers the length too, so a garbled length cannot pass as a shorter valid record.
  w.u32le(crc32(w.view(bodyStart, w.length), crc32(w.view(start, start + 4))), start + 4);
}

function writeAccount(w: ByteWriter, a: Omit<BaseAccount, 'stores' | 'nextStoreId'>): void {
  w.uint(a.id);
  w.text(a.address);
  w.text(a.profileUdf);
  w.u8(STATUSES.indexOf(a.status));
  w.uint(a.created);
  w.bytes(a.profile);
}

function writeNonce(w: ByteWriter, n: NonceClaim): void {
  w.text(n.key);
  w.text(n.nonce);
  w.uint(n.expires);
}

/** Encodes one record on its own. */
export function encodeRecord(r: WalRecord): Uint8Array {
  const w = new ByteWriter();
  writeRecord(w, r);
  return w.finish();
}

/** The result of reading a log segment. */
export interface SegmentRead {
  /** The records, in order, with the offset after each. */
  readonly records: { readonly record: WalRecord; readonly end: number }[];
  /** Offset after the last valid record. */
  readonly end: number;
  /** Bytes after `end` that are not a valid record (the torn tail), 0 if none. */
  readonly tornBytes: number;
}

/**
 * Decodes a segment's records until the end or the first record that is incomplete, fails its
 * CRC or does not decode. Record bodies are views into `bytes` (not copied).
 */
export function readSegment(bytes: Uint8Array): SegmentRead {
  const records: { record: WalRecord; end: number }[] = [];
  let at = 0;
  while (at + RECORD_HEADER <= bytes.length) {
    const length = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    const sum = (bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24)) >>> 0;
    const end = at + RECORD_HEADER + length;
    if (length === 0 || end > bytes.length) break;
    const body = bytes.subarray(at + RECORD_HEADER, end);
    if (crc32(body, crc32(bytes.subarray(at, at + 4))) !== sum) break;
    let record: WalRecord;
    try {
      record = decodeBody(body);
    } catch (e) {
      if (e instanceof BadRecord) break;
      throw e;
    }
    records.push({ record, end });
    at = end;
  }
  return { records, end: at, tornBytes: bytes.length - at };
}

function decodeBody(body: Uint8Array): WalRecord {
  const r = new ByteReader(body);
  const type = TYPES[r.u8()];
  let out: WalRecord;
  switch (type) {
    case 'base': {
      const version = r.uint();
      if (version !== WAL_VERSION) throw new BadRecord(`log version ${version}`);
      const nextAccountId = r.uint();
      const accounts: BaseAccount[] = [];
      for (let n = r.uint(); n > 0; n--) {
        const a = readAccount(r);
        const nextStoreId = r.uint();
        const stores: BaseStore[] = [];
        for (let k = r.uint(); k > 0; k--) stores.push({ name: r.text(), id: r.uint(), nextIndex: r.uint(), bytes: r.uint(), digest: r.optBytes() });
        accounts.push({ ...a, nextStoreId, stores });
      }
      const records: [string, Uint8Array][] = [];
      for (let n = r.uint(); n > 0; n--) records.push([r.text(), r.bytes()]);
      const nonces: NonceClaim[] = [];
      for (let n = r.uint(); n > 0; n--) nonces.push(readNonce(r));
      out = { type, state: { nextAccountId, accounts, records, nonces } };
      break;
    }
    case 'tx': {
      const updates: TxUpdate[] = [];
      for (let n = r.uint(); n > 0; n--) {
        const accountId = r.uint();
        const store = r.text();
        const expectedNextIndex = r.uint();
        const digest = r.optBytes();
        const frames: Uint8Array[] = [];
        for (let k = r.uint(); k > 0; k--) frames.push(r.bytes());
        updates.push({ accountId, store, expectedNextIndex, digest, frames });
      }
      const hasNonce = r.u8();
      if (hasNonce > 1) throw new BadRecord('bad nonce flag');
      out = { type, updates, nonce: hasNonce ? readNonce(r) : undefined };
      break;
    }
    case 'account-create':
      out = { type, account: readAccount(r) };
      break;
    case 'account-update': {
      const id = r.uint();
      const s = r.u8();
      if (s > STATUSES.length) throw new BadRecord('bad status');
      out = { type, id, status: s === 0 ? undefined : STATUSES[s - 1], profile: r.optBytes() };
      break;
    }
    case 'account-delete':
      out = { type, id: r.uint() };
      break;
    case 'record-put':
      out = { type, name: r.text(), value: r.bytes() };
      break;
    case 'record-delete':
      out = { type, name: r.text() };
      break;
    case 'nonce':
      out = { type, claim: readNonce(r) };
      break;
    default:
      throw new BadRecord('unknown record type');
  }
  r.done();
  return out;
}

function readAccount(r: ByteReader): Omit<BaseAccount, 'stores' | 'nextStoreId'> {
  const id = r.uint();
  const address = r.text();
  const profileUdf = r.text();
  const status = STATUSES[r.u8()];
  if (status === undefined) throw new BadRecord('bad status');
  return { id, address, profileUdf, status, created: r.uint(), profile: r.bytes() };
}

function readNonce(r: ByteReader): NonceClaim {
  return { key: r.text(), nonce: r.text(), expires: r.uint() };
}
