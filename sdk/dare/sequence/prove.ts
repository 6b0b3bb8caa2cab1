import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { leafHashOf, payloadDigest } from './digests.js';
import { SequenceError } from './errors.js';
import { MerkleTreeLevels, verifyInclusion, type ConsistencyProof, type InclusionProof } from './merkle-proof.js';
import type { SequenceReader } from './reader.js';

/**
 * Proofs over a Merkle sequence file (issue 6 `mesh dare prove`): the tree is rebuilt from the
 * frames' payload digests (recomputed from the payload bytes, the same leaves `verify` checks).
 */

/** The tree of a Merkle sequence, every frame a leaf (frame 0 included). */
export async function sequenceTree(reader: SequenceReader): Promise<MerkleTreeLevels> {
  if (reader.type !== 'Merkle') throw new SequenceError('DARE_BAD_TYPE', `${reader.type} sequences have no Merkle tree`);
  const t = new MerkleTreeLevels();
  for await (const f of reader.frames()) t.appendLeafHash(leafHashOf(payloadDigest(f.payload)));
  return t;
}

/** An inclusion proof as JSON (base64url binaries). */
export interface InclusionProofJson {
  readonly index: number;
  readonly treeSize: number;
  readonly payloadDigest: string;
  readonly head: string;
  readonly path: string[];
}

/** Proof that frame `index` is in the head of the first `treeSize` frames (default: all). */
export async function proveInclusion(reader: SequenceReader, index: number, treeSize?: number): Promise<InclusionProofJson> {
  const tree = await sequenceTree(reader);
  const n = treeSize ?? tree.size;
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) throw new SequenceError('DARE_BAD_INDEX', `no frame ${index} in a tree of ${n}`);
  const proof = tree.inclusionProof(index, n);
  const pd = payloadDigest((await reader.frame(index)).payload);
  return { index, treeSize: n, payloadDigest: base64urlEncode(pd), head: base64urlEncode(tree.root(n)), path: proof.path.map(base64urlEncode) };
}

/** Consistency proof between the heads of the first `first` and `second` frames. */
export async function proveConsistency(reader: SequenceReader, first: number, second?: number): Promise<ConsistencyProof & { firstHead: Uint8Array; secondHead: Uint8Array }> {
  const tree = await sequenceTree(reader);
  const n = second ?? tree.size;
  const proof = tree.consistencyProof(first, n);
  return { ...proof, firstHead: tree.root(first), secondHead: tree.root(n) };
}

/** Checks an {@link InclusionProofJson} (e.g. from `mesh dare prove`) against a payload digest and head. */
export function verifyInclusionJson(p: InclusionProofJson, pd = base64urlDecode(p.payloadDigest), head = base64urlDecode(p.head)): boolean {
  const proof: InclusionProof = { index: p.index, treeSize: p.treeSize, path: p.path.map((x) => base64urlDecode(x)) };
  return verifyInclusion(proof, pd, head);
}
