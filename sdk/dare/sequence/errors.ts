/**
 * Typed errors of DARE sequences (dare.md §8–§9). `code` is stable across releases; messages say
 * what was wrong and where (frame index or byte offset), never payload or key material.
 *
 * Kept apart from the envelope layer's `DareError` (sdk/dare/errors.ts) so the two issues could be
 * built concurrently; both carry a `code` string and callers branch on it the same way.
 */
export type SequenceErrorCode =
  | 'DARE_BAD_TAG' // a byte that is not a JBCD record/frame tag where one is required (§8)
  | 'DARE_TRUNCATED_FRAME' // a frame or record whose length runs past the end of the data
  | 'DARE_BAD_FRAME' // a frame whose trailing tag does not mirror its leading tag, or bad records
  | 'DARE_BAD_HEADER' // a header record that is not a JSON object, or lacks SequenceInfo
  | 'DARE_BAD_INDEX' // SequenceInfo.Index out of order, or an index that does not exist
  | 'DARE_BAD_POSITION' // a TreePosition that does not point at PreviousFrame(n) (§9.2)
  | 'DARE_BAD_TYPE' // an unknown ContainerType, or an operation the type does not support
  | 'DARE_BAD_DIGEST' // PayloadDigest differs from the digest of the payload bytes (§9.4)
  | 'DARE_BAD_CHAIN' // ChainDigest differs from the chain value (§9.4)
  | 'DARE_BAD_TREE' // TreeDigest differs from the RFC 9162 head (or a proof does not verify)
  | 'DARE_BAD_SIGNATURE' // a signed head whose Ed448 signature does not verify
  | 'DARE_BAD_PROOF' // a malformed inclusion or consistency proof
  | 'DARE_LOCKED' // another writer holds the sequence
  | 'DARE_CLOSED' // the writer or store was closed
  | 'DARE_NO_KEY' // an encrypted frame and no key that opens it
  | 'DARE_DECRYPT' // an encrypted frame failed keyed integrity or decryption — one code for every cause (no oracle)
  | 'DARE_NOT_ENCRYPTED' // a plaintext frame in an encrypted sequence (dare.md §9.5)
  | 'DARE_POLICY' // an operation frame 0's policy does not allow (e.g. a signer it does not name)
  | 'DARE_NOT_TRUSTED' // a sequence not authenticated by a trusted signed head where one is required
  | 'DARE_BAD_ARGUMENT' // an argument of the wrong shape or range
  | 'DARE_BAD_PATH' // an archive entry with an absolute path or `..` (archive.ts)
  | 'DARE_IO'; // the store failed (message carries the system code)

/** Error thrown by `sdk/dare/sequence` and the store adapters. */
export class SequenceError extends Error {
  readonly code: SequenceErrorCode;
  /** Frame index the problem concerns, when known. */
  readonly frame: number | undefined;
  /** Byte offset in the sequence, when known. */
  readonly offset: number | undefined;
  constructor(code: SequenceErrorCode, message: string, where: { frame?: number; offset?: number; cause?: unknown } = {}) {
    const at = [where.frame !== undefined ? `frame ${where.frame}` : '', where.offset !== undefined ? `offset ${where.offset}` : '']
      .filter(Boolean).join(', ');
    super(at ? `${message} (${at})` : message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'SequenceError';
    this.code = code;
    this.frame = where.frame;
    this.offset = where.offset;
  }
}
