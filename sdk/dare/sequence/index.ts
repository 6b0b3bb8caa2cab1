/**
 * DARE sequences (dare.md §8–§10): append-only files of frames with forward and reverse tags;
 * List, Digest, Chain, Tree and Merkle containers; reading forwards, backwards and by index;
 * `Session` encryption (a new key exchange per writer session, to the policy's public keys;
 * per-frame salts and MACs; metadata cloaked); RFC 9162 Merkle heads over header and payload
 * digests, with standalone inclusion proofs and Ed448 signed heads that bind their size;
 * verification that separates integrity (`intact`) from authenticity against caller-trusted keys
 * (`trusted`, `valid`); crash-safe appends through a `SequenceStore` (the contract in store.ts,
 * implemented by `adapters/store`).
 */
export { SequenceError, type SequenceErrorCode } from './errors.js';
export { bytesStore } from './bytes-store.js';
export { storeError, type SequenceStore, type Durability, type StoreOpenOptions, type StoreErrorCode } from './store.js';
export { FRAME_TAG, RECORD_TAG, forwardTag, reverseTag, readForwardTag, readReverseTag, lengthCode, tagSize, type ForwardTag } from './tags.js';
export { previousFrame, lastReferrer } from './tree-position.js';
export { encodeFrame, decodeFrame, decodeRecords, frameSize, type FrameRecords, type FrameExtent } from './frame.js';
export { writeReferenceJson } from '../../encoding/reference-json.js';
export { CONTAINER_TYPES, sequenceInfoOf, type ContainerType, type SequenceInfo } from './info.js';
export {
  chainDigest, frameLeaf, frameLeafHash, headerDigest, legacyChainDigest, legacyTreeDigest, payloadDigest, IntegrityState,
} from './digests.js';
export {
  MerkleTreeLevels, verifyMerkleInclusion, verifyMerkleConsistency, type InclusionProof, type ConsistencyProof,
} from './merkle-proof.js';
export {
  TREE_HEAD_CONTEXT, SIGNED_HEAD_LABEL, ed448HeadSigner, headSignerOf, signedHeadMessage, verifySignedHead, type Ed448PrivateKeyLike,
  type HeadSigner, type HeadSignerInput, type HeadType, type SignedHead,
} from './signed-head.js';
export { FrameEncryptor, FrameDecryptor, type EncryptOptions, type EncryptionMode, type FrameKey, type OpenedFrame } from './encryption.js';
export { scanFrames, type ScanResult, type TornTail } from './scan.js';
export { SequenceReader, decodeSequenceFrame, storedDigest, type ReaderOptions, type SequenceFrame } from './reader.js';
export { SequenceWriter, type CreateOptions, type OpenOptions, type AppendOptions, type AppendResult } from './writer.js';
export { detectLegacy } from './legacy.js';
export { verifySequence, type VerifyOptions, type VerifyReport, type VerifyIssue, type SignedHeadReport } from './verify.js';
export { VerifiedSequence, type VerifiedOpenOptions } from './extract.js';
export {
  INCLUSION_PROOF_FORMAT, proveInclusion, proveConsistency, sequenceTree, verifyInclusion, type InclusionCheck, type InclusionProofJson,
  type ProveOptions, type SignedHeadJson,
} from './prove.js';
export {
  SequenceReplica, AUTHOR_MAC_LABEL, authorMac, policyRecipients, resumeStateMatches,
  type ReplicaOptions, type ReplicaFrame, type FrameContent, type PreparedFrames, type CommittedFrames,
} from './replica.js';
export {
  EMPTY_REPLICA_STATE, advanceState, replicaStateFromJson, replicaStateToJson, type ReplicaState,
} from './replica-state.js';
export {
  archiveMeta, archiveEntryOf, checkArchiveNames, safeArchivePath, type ArchiveEntry, type ArchiveEntryInput, type ArchiveEntryKind,
} from './archive.js';
