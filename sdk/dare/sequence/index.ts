/**
 * DARE sequences (dare.md §8–§10, issue 6): append-only files of frames with forward and reverse
 * tags; List, Digest, Chain, Tree and Merkle containers; reading forwards, backwards and by index;
 * `Once` encryption (one key exchange per log, per-frame salts); RFC 9162 Merkle heads with
 * inclusion and consistency proofs and Ed448 signed heads; crash-safe appends through a
 * `SequenceStore` (adapters/store).
 */
export { SequenceError, type SequenceErrorCode } from './errors.js';
export { FRAME_TAG, RECORD_TAG, forwardTag, reverseTag, readForwardTag, readReverseTag, lengthCode, tagSize, type ForwardTag } from './tags.js';
export { previousFrame, lastReferrer } from './tree-position.js';
export { encodeFrame, decodeFrame, decodeRecords, frameSize, type FrameRecords, type FrameExtent } from './frame.js';
export { writeReferenceJson } from '../../encoding/reference-json.js';
export { CONTAINER_TYPES, sequenceInfoOf, type ContainerType, type SequenceInfo } from './info.js';
export { chainDigest, legacyChainDigest, legacyTreeDigest, payloadDigest, leafHashOf, IntegrityState } from './digests.js';
export {
  MerkleTreeLevels, verifyInclusion, verifyConsistency, type InclusionProof, type ConsistencyProof,
} from './merkle-proof.js';
export { TREE_HEAD_CONTEXT, ed448HeadSigner, verifySignedHead, type HeadSigner, type SignedHead } from './signed-head.js';
export { FrameEncryptor, FrameDecryptor, type EncryptOptions, type EncryptionMode } from './encryption.js';
export { scanFrames, type ScanResult, type TornTail } from './scan.js';
export { SequenceReader, decodeSequenceFrame, storedDigest, type ReaderOptions, type SequenceFrame } from './reader.js';
export { SequenceWriter, type CreateOptions, type OpenOptions, type AppendOptions, type AppendResult } from './writer.js';
export { detectLegacy } from './legacy.js';
export { verifySequence, type VerifyOptions, type VerifyReport, type VerifyIssue, type SignedHeadReport } from './verify.js';
export { proveInclusion, proveConsistency, sequenceTree, verifyInclusionJson, type InclusionProofJson } from './prove.js';
export { archiveMeta, archiveEntryOf, safeArchivePath, type ArchiveEntry } from './archive.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../../adapters/store/types.js';
