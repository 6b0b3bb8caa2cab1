import { aes256CbcEncrypt } from '../../crypto/index.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { bytesEqual } from '../../encoding/bytes.js';
import type { DarePublicKey } from '../keys.js';
import { frameLeafHash, headerDigest, payloadDigest } from './digests.js';
import { SequenceError } from './errors.js';
import { parseRecordJson, sequenceInfoOf } from './info.js';
import { MerkleTreeLevels, verifyMerkleInclusion, type ConsistencyProof } from './merkle-proof.js';
import { storedDigest, type SequenceReader } from './reader.js';
import { headSignaturesOf, verifySignedHead, type SignedHead } from './signed-head.js';
import { trustedKeys } from './verify.js';

/**
 * Standalone inclusion proofs over a Merkle sequence (`mesh dare prove` / `check-proof`). A proof
 * carries everything a light client needs except what it must bring itself:
 *
 * - from the proof: the frame's index, its header record (its digest HD is half the frame's
 *   leaf; its `SequenceInfo.Index` must equal the index), the RFC 9162 audit path, and a *signed
 *   head* (typ, treeSize, head, kid, signature — exactly what the writer signed, signed-head.ts);
 * - from the client: the record (or, for a plaintext frame, its digest) and the keys it trusts.
 *
 * {@link verifyInclusion} never falls back on the proof's own claims: the payload digest is
 * recomputed from the record the caller holds, the size is the signed size, the head is the
 * signed head, and the signature must verify under a caller-trusted key. An index ≥ size, a size
 * of 0, or an index or size relabelled in the proof gives false.
 *
 * Encrypted logs: the leaf commits to the ciphertext, so a proof for an encrypted frame also
 * discloses that one frame's AES key and IV (`frameKey`; per-frame keys come from HKDF with the
 * frame's own Salt, so they open nothing else — not the MAC key, not other frames). The client
 * re-encrypts the plaintext record it holds (AES-CBC is deterministic for a given key and IV) and
 * hashes the result: a proof is checked from the plaintext record, and costs the writer nothing
 * per append. Only a holder of a decryption key can make such a proof.
 */

/** The tree of a Merkle sequence: leaf n is H(0x00 ‖ HD_n ‖ PD_n), every frame included. */
export async function sequenceTree(reader: SequenceReader, size = reader.frameCount): Promise<MerkleTreeLevels> {
  if (reader.type !== 'Merkle') throw new SequenceError('DARE_BAD_TYPE', `${reader.type} sequences have no Merkle tree`);
  const t = new MerkleTreeLevels();
  for (let i = 0; i < size; i++) {
    const f = await reader.frame(i);
    t.appendLeafHash(frameLeafHash(headerDigest(f.records.header), payloadDigest(f.payload)));
  }
  return t;
}

/** A signed head as JSON (base64url binaries). */
export interface SignedHeadJson {
  readonly typ: 'Tree';
  readonly treeSize: number;
  readonly head: string;
  readonly kid: string;
  readonly signature: string;
}

/** The format tag of {@link InclusionProofJson}. */
export const INCLUSION_PROOF_FORMAT = 'mathmesh-dare-inclusion/1';

/** A standalone inclusion proof (the JSON `mesh dare prove` prints). */
export interface InclusionProofJson {
  readonly format: typeof INCLUSION_PROOF_FORMAT;
  readonly index: number;
  /** Must equal `signedHead.treeSize`. */
  readonly treeSize: number;
  /** The frame's header record, base64url. */
  readonly header: string;
  readonly path: string[];
  readonly signedHead: SignedHeadJson;
  /** Encrypted frames only: this frame's AES-256 key and CBC IV (see the module notes). */
  readonly frameKey?: { readonly key: string; readonly iv: string };
}

/** Options of {@link proveInclusion}. */
export interface ProveOptions {
  /** Prove against the signed head covering exactly this many frames (default: the last signed head). */
  treeSize?: number;
}

/**
 * A standalone proof that frame `index` is in the sequence, against a signed head found in the
 * file that covers it (the last one, or the one of `treeSize` frames). Throws `DARE_NOT_TRUSTED`
 * when no signed head covers the frame, `DARE_BAD_TREE` when the file's head for that size does not
 * match its frames, `DARE_NO_KEY` for an encrypted frame when the reader holds no key.
 */
export async function proveInclusion(reader: SequenceReader, index: number, options: ProveOptions = {}): Promise<InclusionProofJson> {
  if (reader.type !== 'Merkle') throw new SequenceError('DARE_BAD_TYPE', `${reader.type} sequences have no Merkle tree`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= reader.frameCount) {
    throw new SequenceError('DARE_BAD_INDEX', `no frame ${index} (the sequence has ${reader.frameCount})`);
  }
  const signedAt = await findSignedHead(reader, index, options.treeSize);
  const size = signedAt.frame + 1;
  const tree = await sequenceTree(reader, size);
  const head = tree.root(size);
  const stored = storedDigest(await reader.frame(signedAt.frame), 'TreeDigest');
  if (!stored || !bytesEqual(stored, head)) throw new SequenceError('DARE_BAD_TREE', `the head of ${size} frames does not match the frames`, { frame: signedAt.frame });
  const f = await reader.frame(index);
  const proof = tree.inclusionProof(index, size);
  const frameKey = f.encrypted ? await reader.frameKey(f) : undefined;
  return {
    format: INCLUSION_PROOF_FORMAT, index, treeSize: size, header: base64urlEncode(f.records.header), path: proof.path.map(base64urlEncode),
    signedHead: { typ: 'Tree', treeSize: size, head: base64urlEncode(head), kid: signedAt.kid, signature: base64urlEncode(signedAt.signature) },
    ...(frameKey ? { frameKey: { key: base64urlEncode(frameKey.key), iv: base64urlEncode(frameKey.iv) } } : {}),
  };
}

async function findSignedHead(reader: SequenceReader, index: number, treeSize: number | undefined): Promise<{ frame: number; kid: string; signature: Uint8Array }> {
  if (treeSize !== undefined && (!Number.isSafeInteger(treeSize) || treeSize <= index || treeSize > reader.frameCount)) {
    throw new SequenceError('DARE_BAD_ARGUMENT', `a head of ${treeSize} frames cannot cover frame ${index} of ${reader.frameCount}`);
  }
  const from = treeSize === undefined ? reader.frameCount - 1 : treeSize - 1;
  const to = treeSize === undefined ? index : treeSize - 1;
  for (let i = from; i >= to; i--) {
    const s = headSignaturesOf((await reader.frame(i)).trailer).find((x) => x.typ === 'Tree');
    if (s) return { frame: i, kid: s.kid, signature: s.signature };
  }
  throw new SequenceError('DARE_NOT_TRUSTED', treeSize === undefined
    ? `no signed head covers frame ${index}: nothing a client could check a proof against`
    : `frame ${treeSize - 1} carries no signed head`);
}

/** Consistency proof between the heads of the first `first` and `second` frames (unsigned heads). */
export async function proveConsistency(reader: SequenceReader, first: number, second?: number): Promise<ConsistencyProof & { firstHead: Uint8Array; secondHead: Uint8Array }> {
  const tree = await sequenceTree(reader);
  const n = second ?? tree.size;
  const proof = tree.consistencyProof(first, n);
  return { ...proof, firstHead: tree.root(first), secondHead: tree.root(n) };
}

/** What the client brings to {@link verifyInclusion}. */
export interface InclusionCheck {
  /** The record (the frame's plaintext payload). Needed for encrypted frames. */
  record?: Uint8Array;
  /** Or, for a plaintext frame, the SHA-512 digest of the record. */
  payloadDigest?: Uint8Array;
  /** Ed448 keys the client trusts to sign heads (at least one). */
  trust: readonly (Uint8Array | DarePublicKey)[];
}

/**
 * True when `proof` shows that the caller's record is frame `proof.index` of a sequence whose head
 * over `signedHead.treeSize` frames a trusted key signed. False for any wrong, relabelled or
 * malformed proof; throws `DARE_BAD_ARGUMENT` only when the caller gives neither record nor digest,
 * or no trusted key.
 */
export function verifyInclusion(proof: unknown, check: InclusionCheck): boolean {
  const trust = trustedKeys(check.trust);
  if (trust.length === 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'verifyInclusion needs at least one trusted Ed448 key');
  if (check.record === undefined && check.payloadDigest === undefined) {
    throw new SequenceError('DARE_BAD_ARGUMENT', 'verifyInclusion needs the record or its digest');
  }
  try {
    return checkInclusion(proof, check, trust);
  } catch {
    return false;
  }
}

function checkInclusion(proof: unknown, check: InclusionCheck, trust: Uint8Array[]): boolean {
  if (typeof proof !== 'object' || proof === null) return false;
  const p = proof as Record<string, unknown>;
  const sh = p['signedHead'] as Record<string, unknown> | undefined;
  if (p['format'] !== INCLUSION_PROOF_FORMAT || typeof sh !== 'object' || sh === null) return false;
  const index = p['index'];
  const size = sh['treeSize'];
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || p['treeSize'] !== size) return false;
  if ((index as number) < 0 || (index as number) >= (size as number)) return false;
  if (sh['typ'] !== 'Tree' || typeof sh['kid'] !== 'string' || typeof p['header'] !== 'string' || !Array.isArray(p['path'])) return false;
  const signed: SignedHead = {
    typ: 'Tree', treeSize: size as number, head: base64urlDecode(String(sh['head'])), kid: sh['kid'], signature: base64urlDecode(String(sh['signature'])),
  };
  if (signed.head.length !== 64 || !trust.some((k) => verifySignedHead(signed, k))) return false;
  const headerBytes = base64urlDecode(p['header']);
  const header = parseRecordJson(headerBytes, 'header', index as number);
  if (sequenceInfoOf(header, index as number).Index !== index) return false;
  let pd: Uint8Array;
  if (header['enc'] !== undefined) {
    const fk = p['frameKey'] as Record<string, unknown> | undefined;
    if (check.record === undefined || typeof fk !== 'object' || fk === null) return false;
    pd = payloadDigest(aes256CbcEncrypt(base64urlDecode(String(fk['key'])), base64urlDecode(String(fk['iv'])), check.record));
  } else {
    pd = check.record !== undefined ? payloadDigest(check.record) : check.payloadDigest!;
    if (check.record !== undefined && check.payloadDigest !== undefined && !bytesEqual(pd, check.payloadDigest)) return false;
  }
  const path = (p['path'] as unknown[]).map((x) => base64urlDecode(String(x)));
  return verifyMerkleInclusion({ index: index as number, treeSize: size as number, path }, frameLeafHash(headerDigest(headerBytes), pd), signed.head);
}
