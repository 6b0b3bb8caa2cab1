import { SequenceError } from './errors.js';
import { FRAME_TAG, RECORD_TAG, readForwardTag, readReverseTag, tagSize, writeForwardTag, writeReverseTag } from './tags.js';

/**
 * Sequence frames (dare.md §8, §9.1): a bframe whose data is a list of records — header,
 * payload and (optionally) trailer. Frame 0 always has three records (an empty trailer is the
 * record `f0 00`); data frames written by the reference's streaming writer omit the trailer
 * record when the container type needs none ([V] container-simple).
 */

/** The records of one frame. `trailer` undefined = no trailer record; empty = the record `f0 00`. */
export interface FrameRecords {
  readonly header: Uint8Array;
  readonly payload: Uint8Array;
  readonly trailer?: Uint8Array | undefined;
}

/** Size of a record carrying `n` bytes. */
const recordSize = (n: number): number => tagSize(n) + n;

/** Encodes `tag ‖ len ‖ records ‖ reverse(tag ‖ len)` (dare.md §8). */
export function encodeFrame(records: FrameRecords): Uint8Array {
  const parts = records.trailer === undefined ? [records.header, records.payload] : [records.header, records.payload, records.trailer];
  let inner = 0;
  for (const p of parts) inner += recordSize(p.length);
  const t = tagSize(inner);
  const out = new Uint8Array(2 * t + inner);
  let at = writeForwardTag(out, 0, FRAME_TAG, inner);
  for (const p of parts) {
    at = writeForwardTag(out, at, RECORD_TAG, p.length);
    out.set(p, at);
    at += p.length;
  }
  writeReverseTag(out, at, FRAME_TAG, inner);
  return out;
}

/** Where a frame lies in a file. */
export interface FrameExtent {
  /** Offset of the leading tag. */
  readonly start: number;
  /** Offset just after the trailing tag. */
  readonly end: number;
  /** Offset and length of the frame data (the records). */
  readonly dataStart: number;
  readonly dataLength: number;
}

/** Total size of a frame whose data is `dataLength` bytes. */
export function frameSize(dataLength: number): number {
  return 2 * tagSize(dataLength) + dataLength;
}

/**
 * The extent of the frame starting at `bytes[at]`, given at least its leading tag (`bytes` may be
 * a window of the file starting at file offset `base`). Checks nothing beyond the tag.
 */
export function frameExtentAt(bytes: Uint8Array, at: number, base = 0): FrameExtent {
  const tag = readForwardTag(bytes, at, FRAME_TAG, base + at);
  const start = base + at;
  return { start, dataStart: start + tag.size, dataLength: tag.length, end: start + 2 * tag.size + tag.length };
}

/**
 * The extent of the frame ending just before `bytes[end]` (`bytes` a window starting at file
 * offset `base`), from its reverse tag (dare.md §9.3): start = end − 2 − 2k − len.
 */
export function frameExtentBefore(bytes: Uint8Array, end: number, base = 0): FrameExtent {
  const tag = readReverseTag(bytes, end, base + end);
  const fileEnd = base + end;
  const start = fileEnd - 2 * tag.size - tag.length;
  if (start < 0) throw new SequenceError('DARE_BAD_FRAME', 'reverse length runs before the start of the file', { offset: fileEnd });
  return { start, dataStart: start + tag.size, dataLength: tag.length, end: fileEnd };
}

/**
 * Checks a whole frame's bytes (leading tag, trailing mirror) and splits its records. `offset`
 * is the frame's file offset, for messages.
 */
export function decodeFrame(frame: Uint8Array, offset = 0): FrameRecords {
  const tag = readForwardTag(frame, 0, FRAME_TAG, offset);
  const end = 2 * tag.size + tag.length;
  if (frame.length < end) throw new SequenceError('DARE_TRUNCATED_FRAME', `frame of ${end} bytes, only ${frame.length} present`, { offset });
  if (frame.length > end) throw new SequenceError('DARE_BAD_FRAME', 'bytes after the frame', { offset: offset + end });
  for (let i = 0; i < tag.size; i++) {
    if (frame[end - 1 - i] !== frame[i]) {
      throw new SequenceError('DARE_BAD_FRAME', 'trailing tag does not mirror the leading tag', { offset: offset + end - 1 - i });
    }
  }
  return decodeRecords(frame.subarray(tag.size, tag.size + tag.length), offset + tag.size);
}

/** Splits frame data into its 2 or 3 records (dare.md §9.1). */
export function decodeRecords(data: Uint8Array, offset = 0): FrameRecords {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (out.length === 3) throw new SequenceError('DARE_BAD_FRAME', 'more than three records in a frame', { offset: offset + at });
    const t = readForwardTag(data, at, RECORD_TAG, offset + at);
    const from = at + t.size;
    if (from + t.length > data.length) {
      throw new SequenceError('DARE_TRUNCATED_FRAME', 'record runs past the end of its frame', { offset: offset + at });
    }
    out.push(data.subarray(from, from + t.length));
    at = from + t.length;
  }
  if (out.length < 2) throw new SequenceError('DARE_BAD_FRAME', `a frame needs a header and a payload record, found ${out.length}`, { offset });
  return { header: out[0]!, payload: out[1]!, trailer: out[2] };
}
