import type { SequenceStore } from './store.js';
import { SequenceError } from './errors.js';
import { frameExtentAt, frameExtentBefore, type FrameExtent } from './frame.js';
import { FRAME_TAG } from './tags.js';

/**
 * Forward scanning of a sequence file (dare.md §9.3) and torn-tail detection (crash
 * safety). Reads the store in large blocks and looks only at frame tags, so finding every frame
 * of a file costs one pass of I/O and no parsing.
 */

/** Reads a store through a block cache (1 MiB by default). */
export class BlockReader {
  private block: Uint8Array = new Uint8Array(0);
  private blockStart = 0;
  constructor(readonly store: SequenceStore, private readonly blockSize = 1 << 20) {}

  /** `length` bytes at `offset` (fewer at the end of the store). */
  async bytes(offset: number, length: number): Promise<Uint8Array> {
    if (offset >= this.blockStart && offset + length <= this.blockStart + this.block.length) {
      return this.block.subarray(offset - this.blockStart, offset - this.blockStart + length);
    }
    if (length > this.blockSize) return this.store.read(offset, length);
    this.block = await this.store.read(offset, this.blockSize);
    this.blockStart = offset;
    return this.block.subarray(0, Math.min(length, this.block.length));
  }

  /** Forgets the cache (after the store changed). */
  reset(): void {
    this.block = new Uint8Array(0);
    this.blockStart = 0;
  }
}

/** An incomplete last frame (a crash during an append): where it starts and how many bytes it has. */
export interface TornTail {
  readonly offset: number;
  readonly length: number;
}

/** What a forward scan found. */
export interface ScanResult {
  /** Start offsets of the complete, well-framed frames, in file order. */
  readonly starts: number[];
  /** Offset just after the last of them. */
  readonly end: number;
  /** An incomplete last frame, if any. */
  readonly tornTail?: TornTail;
  /** Damage that is not a torn tail (bytes after `end` that are not a frame); scanning stopped there. */
  readonly damage?: SequenceError;
}

/**
 * Scans every frame from offset `from`. A frame counts when its leading tag is valid, it fits in
 * the file and its trailing tag mirrors the leading one. What follows the last such frame is:
 * nothing; a torn tail — a frame whose tag is cut by the end of file or whose declared length
 * runs past it, or only zero bytes (a file system that extended the file before the data reached
 * the disk); or damage (anything else), reported and never truncated by writers.
 */
export async function scanFrames(store: SequenceStore, from = 0, collect = true): Promise<ScanResult> {
  const reader = new BlockReader(store);
  const size = store.size;
  const starts: number[] = [];
  let at = from;
  while (at < size) {
    const head = await reader.bytes(at, 9);
    let extent: FrameExtent;
    try {
      extent = frameExtentAt(head, 0, at);
    } catch (e) {
      if (e instanceof SequenceError && e.code === 'DARE_TRUNCATED_FRAME') return { starts, end: at, tornTail: { offset: at, length: size - at } };
      if (await allZero(reader, at, size)) return { starts, end: at, tornTail: { offset: at, length: size - at } };
      return { starts, end: at, damage: e instanceof SequenceError ? e : new SequenceError('DARE_BAD_TAG', String(e), { offset: at }) };
    }
    if (extent.end > size) return { starts, end: at, tornTail: { offset: at, length: size - at } };
    const tagLen = extent.dataStart - extent.start;
    const tail = await reader.bytes(extent.end - tagLen, tagLen);
    for (let i = 0; i < tagLen; i++) {
      if (tail[tagLen - 1 - i] !== head[i]) {
        return { starts, end: at, damage: new SequenceError('DARE_BAD_FRAME', 'trailing tag does not mirror the leading tag', { offset: extent.end - 1 - i }) };
      }
    }
    if (collect) starts.push(at);
    at = extent.end;
  }
  return { starts, end: at };
}

async function allZero(reader: BlockReader, from: number, to: number): Promise<boolean> {
  for (let at = from; at < to; at += 65536) {
    const b = await reader.bytes(at, Math.min(65536, to - at));
    for (const x of b) if (x !== 0) return false;
  }
  return true;
}

/**
 * The extent of the frame that ends at `end`, read backwards from its reverse tag (§9.3); checks
 * that the leading tag mirrors it.
 */
export async function extentBefore(reader: BlockReader, end: number): Promise<FrameExtent> {
  const window = Math.min(end, 9);
  const tailBytes = await reader.bytes(end - window, window);
  const extent = frameExtentBefore(tailBytes, window, end - window);
  const tagLen = extent.dataStart - extent.start;
  const head = await reader.bytes(extent.start, tagLen);
  for (let i = 0; i < tagLen; i++) {
    if (head[i] !== tailBytes[window - 1 - i] || (i === 0 && (head[0]! & 0xfc) !== FRAME_TAG)) {
      throw new SequenceError('DARE_BAD_FRAME', 'leading tag does not mirror the trailing tag', { offset: extent.start });
    }
  }
  return extent;
}
