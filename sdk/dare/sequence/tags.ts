import { SequenceError } from './errors.js';

/**
 * JBCD record and frame tags (dare.md §8, jsonbcd.md): a tag byte `code + k` followed by the
 * length big-endian in 1, 2, 4 or 8 bytes (k = 0..3, the smallest that fits). A record
 * (uframe, `F0`–`F3`) is `tag ‖ len ‖ data`; a bidirectional frame (bframe, `F4`–`F7`) also ends
 * with the tag bytes reversed (length little-endian, then the tag byte) so that a reader can walk
 * a file backwards from its end (§9.3).
 */

/** Tag base of a record (uframe). */
export const RECORD_TAG = 0xf0;
/** Tag base of a bidirectional frame (bframe). */
export const FRAME_TAG = 0xf4;

/** Lengths up to 2^53 − 1 are representable (JS numbers); files are far smaller in practice. */
const MAX_LENGTH = Number.MAX_SAFE_INTEGER;

/** Width code k (0..3) of the smallest length field holding `length`. */
export function lengthCode(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_LENGTH) {
    throw new SequenceError('DARE_BAD_ARGUMENT', `length ${length} cannot be framed`);
  }
  return length < 0x100 ? 0 : length < 0x10000 ? 1 : length < 0x100000000 ? 2 : 3;
}

/** Bytes in the length field of width code k: 1, 2, 4, 8. */
export const lengthBytes = (k: number): number => 1 << k;

/** Size of `tag ‖ len` for a value of `length` bytes. */
export function tagSize(length: number): number {
  return 1 + lengthBytes(lengthCode(length));
}

/** Writes `tag ‖ len` (forward form) at `out[at]`; returns the offset after it. */
export function writeForwardTag(out: Uint8Array, at: number, base: number, length: number): number {
  // Records and frames under 64 KiB (nearly all) without the general loop.
  if (length >= 0 && length < 0x10000 && (length | 0) === length) {
    if (length < 0x100) {
      out[at] = base;
      out[at + 1] = length;
      return at + 2;
    }
    out[at] = base + 1;
    out[at + 1] = length >>> 8;
    out[at + 2] = length & 0xff;
    return at + 3;
  }
  const k = lengthCode(length);
  const n = lengthBytes(k);
  out[at] = base + k;
  let v = length;
  for (let i = n; i >= 1; i--) {
    out[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
  return at + 1 + n;
}

/** Writes the reverse form (length little-endian, then the tag byte) at `out[at]`; returns the offset after it. */
export function writeReverseTag(out: Uint8Array, at: number, base: number, length: number): number {
  if (length >= 0 && length < 0x10000 && (length | 0) === length) {
    if (length < 0x100) {
      out[at] = length;
      out[at + 1] = base;
      return at + 2;
    }
    out[at] = length & 0xff;
    out[at + 1] = length >>> 8;
    out[at + 2] = base + 1;
    return at + 3;
  }
  const k = lengthCode(length);
  const n = lengthBytes(k);
  let v = length;
  for (let i = 0; i < n; i++) {
    out[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[at + n] = base + k;
  return at + n + 1;
}

/** The forward tag bytes alone. */
export function forwardTag(base: number, length: number): Uint8Array {
  const out = new Uint8Array(tagSize(length));
  writeForwardTag(out, 0, base, length);
  return out;
}

/** The reverse tag bytes alone (bframes only). */
export function reverseTag(base: number, length: number): Uint8Array {
  const out = new Uint8Array(tagSize(length));
  writeReverseTag(out, 0, base, length);
  return out;
}

/** A decoded forward tag. */
export interface ForwardTag {
  /** `RECORD_TAG` or `FRAME_TAG`. */
  readonly base: number;
  /** Length of the data that follows. */
  readonly length: number;
  /** Bytes taken by `tag ‖ len`. */
  readonly size: number;
}

/**
 * Reads a forward tag at `data[at]`, expecting the given base. Throws DARE_BAD_TAG for another
 * byte and DARE_TRUNCATED_FRAME when the length field runs past the data.
 */
export function readForwardTag(data: Uint8Array, at: number, base: number, offsetForErrors = at): ForwardTag {
  if (at >= data.length) throw new SequenceError('DARE_TRUNCATED_FRAME', 'data ends before a tag', { offset: offsetForErrors });
  const t = data[at]!;
  if ((t & 0xfc) !== base) {
    throw new SequenceError('DARE_BAD_TAG', `byte 0x${t.toString(16)} is not a ${base === FRAME_TAG ? 'frame' : 'record'} tag`, { offset: offsetForErrors });
  }
  const n = lengthBytes(t & 3);
  if (at + 1 + n > data.length) throw new SequenceError('DARE_TRUNCATED_FRAME', 'data ends inside a length field', { offset: offsetForErrors });
  let length = 0;
  for (let i = 1; i <= n; i++) length = length * 256 + data[at + i]!;
  if (length > MAX_LENGTH) throw new SequenceError('DARE_BAD_TAG', 'length beyond 2^53', { offset: offsetForErrors });
  return { base, length, size: 1 + n };
}

/**
 * Reads the reverse tag that ends just before `end` in `data` (dare.md §9.3): byte `end − 1` is
 * the tag, the k length bytes before it the length, least significant first.
 */
export function readReverseTag(data: Uint8Array, end: number, offsetForErrors = end): ForwardTag {
  if (end < 1) throw new SequenceError('DARE_TRUNCATED_FRAME', 'no frame before this offset', { offset: offsetForErrors });
  const t = data[end - 1]!;
  if ((t & 0xfc) !== FRAME_TAG) {
    throw new SequenceError('DARE_BAD_TAG', `byte 0x${t.toString(16)} is not a reverse frame tag`, { offset: offsetForErrors - 1 });
  }
  const n = lengthBytes(t & 3);
  if (end - 1 - n < 0) throw new SequenceError('DARE_TRUNCATED_FRAME', 'reverse length runs before the start', { offset: offsetForErrors });
  let length = 0;
  for (let i = 1; i <= n; i++) length = length * 256 + data[end - 1 - i]!;
  return { base: FRAME_TAG, length, size: 1 + n };
}
