import { aes256CbcEncrypt } from '../../crypto/index.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { isJsonObject } from '../../encoding/json-value.js';
import type { DarePublicKey } from '../keys.js';
import { frameLeafHash, headerDigest, payloadDigest } from './digests.js';
import { SequenceError } from './errors.js';
import { parseRecordJson, sequenceInfoOf } from './info.js';
import { MerkleTreeLevels, verifyMerkleInclusion, type ConsistencyProof } from './merkle-proof.js';
import { signKeysOf } from './policy-keys.js';
import type { SequenceFrame, SequenceReader } from './reader.js';
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
  /** Prove against the signed head covering exactly this many frames (default: the last head that verifies). */
  treeSize?: number;
  /**
   * Ed448 keys whose head signatures count (57-byte keys or DARE public keys): the keys the
   * proof's clients trust. Default: the keys frame 0's policy names (`SignKeys`) — the writer's
   * own keys, which is what a client checking a writer's log trusts.
   */
  trust?: readonly (Uint8Array | DarePublicKey)[];
}

/**
 * A standalone proof that frame `index` is in the sequence, against a signed head found in the
 * file that covers it and *verifies*: its signature is checked, under `options.trust` (or the
 * policy's `SignKeys`), over the head recomputed from the frames — so a proof is never made
 * against a head a client would refuse (a damaged or forged signature, a head over frames that
 * were changed since). By default the last such head; with `treeSize`, the head of exactly that
 * many frames.
 *
 * Throws `DARE_NOT_TRUSTED` when no head covering the frame verifies (or there is no key to check
 * one with), `DARE_BAD_ARGUMENT` for a `treeSize` that cannot cover the frame, `DARE_NO_KEY` for
 * an encrypted frame when the reader holds no key.
 */
export async function proveInclusion(reader: SequenceReader, index: number, options: ProveOptions = {}): Promise<InclusionProofJson> {
  if (reader.type !== 'Merkle') throw new SequenceError('DARE_BAD_TYPE', `${reader.type} sequences have no Merkle tree`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= reader.frameCount) {
    throw new SequenceError('DARE_BAD_INDEX', `no frame ${index}: the sequence has frames 0 to ${reader.frameCount - 1}`);
  }
  const { treeSize } = options;
  if (treeSize !== undefined && (!Number.isSafeInteger(treeSize) || treeSize <= index || treeSize > reader.frameCount)) {
    throw new SequenceError('DARE_BAD_ARGUMENT', `a head of ${treeSize} frames cannot cover frame ${index} of ${reader.frameCount}`);
  }
  const fromPolicy = options.trust === undefined;
  const keys = fromPolicy ? signKeysOf(reader.policy) : trustedKeys(options.trust);
  const whose = fromPolicy ? 'a key the sequence\'s policy names' : 'a trusted key';
  if (keys.length === 0) {
    throw new SequenceError('DARE_NOT_TRUSTED', fromPolicy
      ? 'the sequence\'s policy names no signer, and no trusted key was given: nothing a client could check a proof against'
      : 'no trusted Ed448 key given');
  }
  const last = treeSize === undefined ? reader.frameCount - 1 : treeSize - 1;
  const first = treeSize === undefined ? index : treeSize - 1;
  // The tree over frames 0..last — or up to the first frame that does not decode after `index`:
  // no head at or after a damaged frame can verify, and an earlier one still may.
  const tree = new MerkleTreeLevels();
  for (let i = 0; i <= last; i++) {
    let f: SequenceFrame;
    try {
      f = await reader.frame(i);
    } catch (e) {
      if (i <= index) throw e;
      break;
    }
    tree.appendLeafHash(frameLeafHash(headerDigest(f.records.header), payloadDigest(f.payload)));
  }
  let found: { size: number; kid: string; signature: Uint8Array } | undefined;
  for (let i = Math.min(last, tree.size - 1); i >= first && !found; i--) {
    const head = tree.root(i + 1);
    for (const s of headSignaturesOf((await reader.frame(i)).trailer)) {
      const signed: SignedHead = { typ: 'Tree', treeSize: i + 1, head, kid: s.kid, signature: s.signature };
      if (s.typ === 'Tree' && keys.some((k) => verifySignedHead(signed, k))) {
        found = { size: i + 1, kid: s.kid, signature: s.signature };
        break;
      }
    }
  }
  if (!found) {
    throw new SequenceError('DARE_NOT_TRUSTED', treeSize === undefined
      ? `no signed head covering frame ${index} verifies under ${whose}: nothing a client could check a proof against`
      : `frame ${treeSize - 1} carries no head signature that verifies under ${whose}`);
  }
  const size = found.size;
  const f = await reader.frame(index);
  const proof = tree.inclusionProof(index, size);
  const frameKey = f.encrypted ? await reader.frameKey(f) : undefined;
  return {
    format: INCLUSION_PROOF_FORMAT, index, treeSize: size, header: base64urlEncode(f.records.header), path: proof.path.map(base64urlEncode),
    signedHead: { typ: 'Tree', treeSize: size, head: base64urlEncode(tree.root(size)), kid: found.kid, signature: base64urlEncode(found.signature) },
    ...(frameKey ? { frameKey: { key: base64urlEncode(frameKey.key), iv: base64urlEncode(frameKey.iv) } } : {}),
  };
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

/** A base64url member of an untrusted proof, or undefined when it is not a base64url string. */
function binaryMember(v: unknown): Uint8Array | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return base64urlDecode(v);
  } catch {
    return undefined;
  }
}

function checkInclusion(proof: unknown, check: InclusionCheck, trust: Uint8Array[]): boolean {
  if (!isJsonObject(proof)) return false;
  const p = proof;
  const sh = p['signedHead'];
  if (p['format'] !== INCLUSION_PROOF_FORMAT || !isJsonObject(sh)) return false;
  const index = p['index'];
  const size = sh['treeSize'];
  if (typeof index !== 'number' || typeof size !== 'number' || !Number.isSafeInteger(index) || !Number.isSafeInteger(size) || p['treeSize'] !== size) return false;
  if (index < 0 || index >= size) return false;
  const kid = sh['kid'];
  const head = binaryMember(sh['head']);
  const signature = binaryMember(sh['signature']);
  const headerBytes = binaryMember(p['header']);
  const pathItems = p['path'];
  if (sh['typ'] !== 'Tree' || typeof kid !== 'string' || !head || !signature || !headerBytes || !Array.isArray(pathItems)) return false;
  const signed: SignedHead = { typ: 'Tree', treeSize: size, head, kid, signature };
  if (head.length !== 64 || !trust.some((k) => verifySignedHead(signed, k))) return false;
  const header = parseRecordJson(headerBytes, 'header', index);
  if (sequenceInfoOf(header, index).Index !== index) return false;
  let pd: Uint8Array;
  if (header['enc'] !== undefined) {
    const fk = p['frameKey'];
    if (check.record === undefined || !isJsonObject(fk)) return false;
    const key = binaryMember(fk['key']);
    const iv = binaryMember(fk['iv']);
    if (!key || !iv) return false;
    pd = payloadDigest(aes256CbcEncrypt(key, iv, check.record));
  } else {
    pd = check.record !== undefined ? payloadDigest(check.record) : check.payloadDigest!;
    if (check.record !== undefined && check.payloadDigest !== undefined && !bytesEqual(pd, check.payloadDigest)) return false;
  }
  const path: Uint8Array[] = [];
  for (const x of pathItems) {
    const node = binaryMember(x);
    if (!node) return false;
    path.push(node);
  }
  return verifyMerkleInclusion({ index, treeSize: size, path }, frameLeafHash(headerDigest(headerBytes), pd), signed.head);
}
