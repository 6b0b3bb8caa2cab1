import { base64urlDecode } from '../../encoding/base64url.js';
import { isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import type { DarePrivateKey } from '../keys.js';
import { headerDigest, payloadDigest } from './digests.js';
import { FrameDecryptor, type EncryptedFrameParts, type FrameKey, type OpenedFrame } from './encryption.js';
import { SequenceError } from './errors.js';
import type { SequenceStore } from './store.js';
import { decodeFrame, type FrameRecords } from './frame.js';
import { binaryField, containerTypeOf, parseRecordJson, sequenceInfoOf, type ContainerType, type SequenceInfo } from './info.js';
import { BlockReader, extentBefore, scanFrames, type TornTail } from './scan.js';
import { previousFrame } from './tree-position.js';

/**
 * Reading a sequence (dare.md §9.3): forwards, backwards from the end through the reverse tags,
 * and by index — through the frame table built by one forward scan, or, for Tree and Merkle
 * sequences, through the `TreePosition` skip list alone ({@link SequenceReader.locate}).
 */

/** Options of {@link SequenceReader.open}. */
export interface ReaderOptions {
  /** Private keys for encrypted frames. */
  keys?: readonly DarePrivateKey[];
  /**
   * Decrypt encrypted frames that carry no keyed integrity (`PayloadMac`): only for files the
   * reference wrote, which never have one. Off by default — such a frame is refused
   * (`DARE_DECRYPT`) before any ciphertext is touched.
   */
  allowUnauthenticated?: boolean;
}

/** One frame, decoded (payload as stored: ciphertext when encrypted). */
export interface SequenceFrame {
  readonly index: number;
  /** Byte offset of the frame in the file, and just after it. */
  readonly start: number;
  readonly end: number;
  readonly header: JsonObject;
  readonly info: SequenceInfo;
  readonly payload: Uint8Array;
  /** The trailer object; undefined when the frame has no (or an empty) trailer record. */
  readonly trailer: JsonObject | undefined;
  /** True when a trailer record is present (even `{}` or empty). */
  readonly hasTrailerRecord: boolean;
  readonly encrypted: boolean;
  readonly records: FrameRecords;
}

/** Decodes the bytes of frame `index` found at `start`. */
export function decodeSequenceFrame(bytes: Uint8Array, start: number, expectIndex?: number): SequenceFrame {
  const records = decodeFrame(bytes, start);
  const where = expectIndex ?? -1;
  const header = parseRecordJson(records.header, 'header', where);
  const info = sequenceInfoOf(header, where);
  if (expectIndex !== undefined && info.Index !== expectIndex) {
    throw new SequenceError('DARE_BAD_INDEX', `SequenceInfo.Index is ${info.Index}`, { frame: expectIndex, offset: start });
  }
  const trailer = records.trailer && records.trailer.length > 0 ? parseRecordJson(records.trailer, 'trailer', info.Index) : undefined;
  return {
    index: info.Index, start, end: start + bytes.length, header, info, payload: records.payload, trailer,
    hasTrailerRecord: records.trailer !== undefined, encrypted: header['enc'] !== undefined, records,
  };
}

/**
 * The stored payload digest of a frame: the trailer's, or the header's (the reference's store
 * path moves trailer values into the header, dare.md §9.1).
 */
export function storedDigest(f: SequenceFrame, name: 'PayloadDigest' | 'ChainDigest' | 'TreeDigest'): Uint8Array | undefined {
  return binaryField(f.trailer, name, f.index) ?? binaryField(f.header, name, f.index);
}

/** A sequence opened for reading. */
export class SequenceReader {
  readonly store: SequenceStore;
  /** The container type named by frame 0. */
  readonly type: ContainerType;
  /** Frame 0 (policy, SequenceInfo). */
  readonly first: SequenceFrame;
  /** Start offset of every complete frame, by index. */
  readonly starts: number[];
  /** End of the last complete frame. */
  readonly end: number;
  /** An incomplete last frame (interrupted append), if any. */
  readonly tornTail: TornTail | undefined;
  /** Damage after the last good frame that is not a torn tail, if any. */
  readonly damage: SequenceError | undefined;
  private readonly blocks: BlockReader;
  private readonly decryptor: FrameDecryptor | undefined;

  /**
   * True when frame 0 is encrypted or its policy names encryption keys: then every frame must be
   * encrypted, and a plaintext frame is refused (`DARE_NOT_ENCRYPTED`, dare.md §9.5) — an attacker
   * cannot slip cleartext records into an encrypted log.
   */
  readonly encryptedSequence: boolean;
  /** Opened with {@link ReaderOptions.allowUnauthenticated}. */
  readonly allowUnauthenticated: boolean;

  private constructor(store: SequenceStore, first: SequenceFrame, scan: Awaited<ReturnType<typeof scanFrames>>, options: ReaderOptions) {
    this.store = store;
    this.first = first;
    this.type = containerTypeOf(first.info);
    this.starts = scan.starts;
    this.end = scan.end;
    this.tornTail = scan.tornTail;
    this.damage = scan.damage;
    this.blocks = new BlockReader(store);
    this.allowUnauthenticated = options.allowUnauthenticated === true;
    this.decryptor = options.keys && options.keys.length > 0 ? new FrameDecryptor(options.keys, this.allowUnauthenticated) : undefined;
    const policy = this.policy;
    this.encryptedSequence = first.encrypted || (Array.isArray(policy['EncryptKeys']) && policy['EncryptKeys'].length > 0)
      || (typeof policy['Encryption'] === 'string' && policy['Encryption'] !== 'None');
  }

  /**
   * Opens a sequence: scans every frame (torn tail and damage are reported, not thrown) and
   * decodes frame 0. Throws when frame 0 itself is missing or unreadable.
   */
  static async open(store: SequenceStore, options: ReaderOptions = {}): Promise<SequenceReader> {
    const scan = await scanFrames(store);
    if (scan.starts.length === 0) {
      if (scan.damage) throw scan.damage;
      throw new SequenceError('DARE_TRUNCATED_FRAME', 'the sequence has no complete frame 0', { frame: 0, offset: 0 });
    }
    const end0 = scan.starts.length > 1 ? scan.starts[1]! : scan.end;
    const first = decodeSequenceFrame(await store.read(0, end0), 0, 0);
    if (first.info.DataEncoding !== undefined && first.info.DataEncoding !== 'JSON') {
      throw new SequenceError('DARE_BAD_HEADER', `DataEncoding '${first.info.DataEncoding}' is not supported`, { frame: 0 });
    }
    return new SequenceReader(store, first, scan, options);
  }

  /** True when the reader holds keys to decrypt with. */
  get canDecrypt(): boolean {
    return this.decryptor !== undefined;
  }

  /** Number of complete frames, frame 0 included. */
  get frameCount(): number {
    return this.starts.length;
  }

  /** Frame 0's policy object (`{}` when absent). */
  get policy(): JsonObject {
    const p = this.first.header['policy'];
    return isJsonObject(p) ? p : {};
  }

  private endOf(index: number): number {
    return index + 1 < this.starts.length ? this.starts[index + 1]! : this.end;
  }

  /** The raw bytes of frame `index`. */
  async frameBytes(index: number): Promise<Uint8Array> {
    this.checkIndex(index);
    const start = this.starts[index]!;
    return (await this.blocks.bytes(start, this.endOf(index) - start)).slice();
  }

  private checkIndex(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.starts.length) {
      throw new SequenceError('DARE_BAD_INDEX', `no frame ${index} (the sequence has ${this.starts.length})`);
    }
  }

  /** Frame `index`, decoded; throws a typed error when it is damaged. */
  async frame(index: number): Promise<SequenceFrame> {
    if (index === 0) return this.first;
    const bytes = await this.frameBytes(index);
    return decodeSequenceFrame(bytes, this.starts[index]!, index);
  }

  /**
   * The plaintext payload of a frame (decrypting with the reader's keys when encrypted, after its
   * `PayloadMac` verifies). Throws `DARE_NOT_ENCRYPTED` for a plaintext frame of an encrypted
   * sequence, `DARE_NO_KEY` without a key that opens it, `DARE_DECRYPT` for every other failure.
   */
  async plaintext(frame: SequenceFrame | number): Promise<Uint8Array> {
    return (await this.openFrame(frame)).payload;
  }

  /**
   * A frame's content metadata: the header's ContentMetaData of a plaintext frame, the `cloaked`
   * one of an encrypted frame (decrypted — so it needs a key), undefined when it has none.
   */
  async contentMeta(frame: SequenceFrame | number): Promise<Uint8Array | undefined> {
    return (await this.openFrame(frame)).contentMeta;
  }

  /** Payload and content metadata of a frame in one step (one MAC check). */
  async openFrame(frame: SequenceFrame | number): Promise<OpenedFrame> {
    const f = typeof frame === 'number' ? await this.frame(frame) : frame;
    if (!f.encrypted) {
      if (this.encryptedSequence) throw new SequenceError('DARE_NOT_ENCRYPTED', 'a plaintext frame in an encrypted sequence', { frame: f.index });
      return { payload: f.payload, contentMeta: plainContentMeta(f) };
    }
    if (!this.decryptor) throw new SequenceError('DARE_NO_KEY', 'encrypted frame and no key given', { frame: f.index });
    return this.decryptor.open(encryptedParts(f), async (i) => (await this.frame(i)).header);
  }

  /**
   * The payload key and IV of an encrypted frame, after its MAC verifies and it decrypts: what an
   * inclusion proof discloses so a client can check it from the plaintext record (prove.ts).
   */
  async frameKey(frame: SequenceFrame | number): Promise<FrameKey> {
    const f = typeof frame === 'number' ? await this.frame(frame) : frame;
    if (!f.encrypted) throw new SequenceError('DARE_BAD_ARGUMENT', 'frame is not encrypted', { frame: f.index });
    if (!this.decryptor) throw new SequenceError('DARE_NO_KEY', 'proving an encrypted frame needs a key that opens it', { frame: f.index });
    return this.decryptor.frameKey(encryptedParts(f), async (i) => (await this.frame(i)).header);
  }

  /** Frames `from` … last, forwards. */
  async *frames(from = 0): AsyncGenerator<SequenceFrame> {
    for (let i = from; i < this.starts.length; i++) yield this.frame(i);
  }

  /**
   * Frames from the last back to frame 0, found through the reverse tags alone (§9.3), not the
   * frame table: this is how a reader that did not scan the file walks it.
   */
  async *reverse(): AsyncGenerator<SequenceFrame> {
    let end = this.end;
    while (end > 0) {
      const extent = await extentBefore(this.blocks, end);
      const bytes = await this.store.read(extent.start, extent.end - extent.start);
      const f = decodeSequenceFrame(bytes, extent.start);
      yield f;
      end = extent.start;
    }
  }

  /**
   * Start offset of frame `index` found from the end of the file through `TreePosition` pointers
   * (Tree and Merkle sequences, dare.md §9.2) and reverse tags, reading O(log² n) frame headers
   * and never the frame table — how REF's tree index is meant to be used.
   */
  async locate(index: number): Promise<number> {
    if (this.type !== 'Tree' && this.type !== 'Merkle') throw new SequenceError('DARE_BAD_TYPE', `${this.type} sequences have no TreePosition`);
    if (this.end === 0) throw new SequenceError('DARE_BAD_INDEX', 'empty sequence');
    let extent = await extentBefore(this.blocks, this.end);
    let frame = decodeSequenceFrame(await this.store.read(extent.start, extent.end - extent.start), extent.start);
    if (index > frame.index || index < 0) throw new SequenceError('DARE_BAD_INDEX', `no frame ${index} (last is ${frame.index})`);
    while (frame.index > index) {
      const p = previousFrame(frame.index);
      const pos = frame.info.TreePosition;
      if (p >= index && pos !== undefined && pos < frame.start) {
        const bytes = await this.store.read(pos, 9);
        const head = await this.store.read(pos, 2 * 9 + decodeLength(bytes, pos));
        const len = frameLengthAt(head, pos);
        frame = decodeSequenceFrame(head.subarray(0, len), pos, p);
      } else {
        extent = await extentBefore(this.blocks, frame.start);
        frame = decodeSequenceFrame(await this.store.read(extent.start, extent.end - extent.start), extent.start, frame.index - 1);
      }
    }
    return frame.start;
  }
}

/** What the decryptor needs of a frame. */
function encryptedParts(f: SequenceFrame): EncryptedFrameParts {
  return {
    index: f.index, header: f.header, exchangePosition: f.info.ExchangePosition, payload: f.payload,
    payloadDigest: payloadDigest(f.payload), headerDigest: headerDigest(f.records.header), mac: binaryField(f.trailer, 'PayloadMac', f.index),
  };
}

/** The ContentMetaData bytes of a plaintext frame's header. */
function plainContentMeta(f: SequenceFrame): Uint8Array | undefined {
  const cm = f.header['ContentMetaData'];
  if (cm === undefined) return undefined;
  if (typeof cm !== 'string') throw new SequenceError('DARE_BAD_HEADER', 'ContentMetaData is not a base64url string', { frame: f.index });
  try {
    return base64urlDecode(cm);
  } catch (e) {
    throw new SequenceError('DARE_BAD_HEADER', 'ContentMetaData is not base64url', { frame: f.index, cause: e });
  }
}

function decodeLength(bytes: Uint8Array, offset: number): number {
  const t = bytes[0];
  if (t === undefined || (t & 0xfc) !== 0xf4) throw new SequenceError('DARE_BAD_POSITION', 'TreePosition does not point at a frame', { offset });
  const n = 1 << (t & 3);
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + (bytes[i] ?? 0);
  return len;
}

function frameLengthAt(bytes: Uint8Array, offset: number): number {
  const n = 1 << ((bytes[0] ?? 0) & 3);
  return 2 * (1 + n) + decodeLength(bytes, offset);
}
