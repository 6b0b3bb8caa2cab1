import { bytesEqual } from '../../encoding/bytes.js';
import { frameLeafHash, headerDigest, payloadDigest } from './digests.js';
import type { OpenedFrame } from './encryption.js';
import { SequenceError } from './errors.js';
import type { SequenceFrame, SequenceReader } from './reader.js';
import { inspectSequence, trustedKeys, type VerifyOptions, type VerifyReport } from './verify.js';

/**
 * Extraction that verifies first (`mesh dare extract`, `mesh dare unarchive`, and any caller that
 * acts on a sequence's content): {@link VerifiedSequence.open} runs the whole verification
 * (verify.ts) and refuses a sequence that is not intact, or — unless the caller explicitly
 * chose integrity only — not authenticated by a trusted signed head with no unsigned tail (unless
 * allowed). Only then are frames handed out, and each is re-read and checked against the digests
 * verified in the first pass, so a file changed between the two passes is refused too.
 */

/** Options of {@link VerifiedSequence.open}. */
export interface VerifiedOpenOptions extends VerifyOptions {
  /**
   * Accept an intact sequence without checking who wrote it (no `trust`). An explicit choice: the
   * default refuses an unauthenticated sequence (`DARE_NOT_TRUSTED`).
   */
  integrityOnly?: boolean;
}

/** A sequence that passed verification; frames are re-checked as they are read. */
export class VerifiedSequence {
  private constructor(readonly reader: SequenceReader, readonly report: VerifyReport, private readonly leaves: Uint8Array[]) {}

  /**
   * Verifies `reader`'s sequence (decrypting every encrypted frame when the reader holds keys) and
   * returns it when acceptable; otherwise throws: the first problem's code when it is not intact,
   * `DARE_NOT_TRUSTED` when trust was asked for and not established (or no trust and no
   * `integrityOnly`).
   */
  static async open(reader: SequenceReader, options: VerifiedOpenOptions = {}): Promise<VerifiedSequence> {
    const { report, leaves } = await inspectSequence(reader, options, true);
    const first = report.errors[0];
    if (first) throw new SequenceError(first.code, `refusing to extract from a damaged sequence: ${first.message}`, { frame: first.frame });
    if (trustedKeys(options.trust).length > 0) {
      if (!report.trusted) throw new SequenceError('DARE_NOT_TRUSTED', 'no signed head in the sequence verifies under a trusted key');
      if (!report.valid) throw new SequenceError('DARE_NOT_TRUSTED', `${report.unsignedTail} frame(s) after the last trusted signed head (frame ${report.signedThrough}) are not signed`);
    } else if (options.integrityOnly !== true) {
      throw new SequenceError('DARE_NOT_TRUSTED', 'no trusted signer given: authenticity cannot be checked (give trusted keys, or choose integrity only)');
    }
    return new VerifiedSequence(reader, report, leaves);
  }

  /** Number of frames verified. */
  get frameCount(): number {
    return this.leaves.length;
  }

  /** Frame `index`, re-read and checked against the first pass. */
  async frame(index: number): Promise<SequenceFrame> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.leaves.length) {
      throw new SequenceError('DARE_BAD_INDEX', `no frame ${index} among the ${this.leaves.length} verified`);
    }
    const f = await this.reader.frame(index);
    if (!bytesEqual(frameLeafHash(headerDigest(f.records.header), payloadDigest(f.payload)), this.leaves[index]!)) {
      throw new SequenceError('DARE_BAD_DIGEST', 'the frame changed after it was verified', { frame: index });
    }
    return f;
  }

  /** Payload and content metadata of frame `index` (decrypted after its MAC verifies). */
  async open(index: number): Promise<OpenedFrame> {
    return this.reader.openFrame(await this.frame(index));
  }
}
