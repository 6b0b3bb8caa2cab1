/**
 * RFC 9162 §2.1.1 Merkle Tree Hash over SHA-512: leaf hash H(0x00 ‖ leaf), node hash
 * H(0x01 ‖ left ‖ right), split at the largest power of two smaller than n, empty tree H("").
 *
 * The tree is built left to right as a *compact range*: a stack holding the roots of the
 * perfect subtrees that cover the leaves so far (at most one per bit of n). Appending costs
 * O(log n) hashes amortised O(1), memory is O(log n), and folding the stack from the right gives
 * exactly the RFC's recursive split. DARE sequences (dare.md §9) keep one of these per file to
 * update their tree head per frame; inclusion and consistency proofs build on `nodeHash`.
 */

/** The two hash shapes of RFC 9162. Providers supply these from their SHA-512. */
export interface MerkleNodeHasher {
  /** H(0x00 ‖ leaf). */
  leafHash(leaf: Uint8Array): Uint8Array;
  /** H(0x01 ‖ left ‖ right). */
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** H("") — the head of the empty tree. */
  emptyRoot(): Uint8Array;
}

/** Builds RFC 9162 node hashers from any one-shot SHA-512. */
export function merkleHasherFrom(sha512: (data: Uint8Array) => Uint8Array): MerkleNodeHasher {
  return {
    leafHash(leaf) {
      const buf = new Uint8Array(leaf.length + 1);
      buf.set(leaf, 1);
      return sha512(buf);
    },
    nodeHash(left, right) {
      const buf = new Uint8Array(1 + left.length + right.length);
      buf[0] = 1;
      buf.set(left, 1);
      buf.set(right, 1 + left.length);
      return sha512(buf);
    },
    emptyRoot() {
      return sha512(new Uint8Array(0));
    },
  };
}

/** The compact range of a growing Merkle tree: append leaves, read the head at any time. */
export class MerkleCompactRange {
  private readonly hasher: MerkleNodeHasher;
  /** Roots of perfect subtrees, largest (leftmost) first; subtree i covers 2^k leaves. */
  private readonly stack: Uint8Array[] = [];
  private count = 0;

  constructor(hasher: MerkleNodeHasher) {
    this.hasher = hasher;
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.count;
  }

  /** The subtree roots, leftmost first (a copy); with `size` this is the whole state. */
  get subtreeRoots(): Uint8Array[] {
    return this.stack.slice();
  }

  /** Appends a leaf (its hash H(0x00 ‖ leaf), RFC 9162 §2.1.1, is computed here). */
  append(leaf: Uint8Array): this {
    return this.appendLeafHash(this.hasher.leafHash(leaf));
  }

  /** Appends a leaf whose hash H(0x00 ‖ leaf) is already known. */
  appendLeafHash(hash: Uint8Array): this {
    let node = hash;
    // Each trailing one bit of the old count is a perfect subtree of the same size to merge with.
    for (let n = this.count; (n & 1) === 1; n = Math.floor(n / 2)) {
      node = this.hasher.nodeHash(this.stack.pop()!, node);
    }
    this.stack.push(node);
    this.count++;
    return this;
  }

  /** The RFC 9162 tree head over every leaf appended so far. */
  root(): Uint8Array {
    if (this.stack.length === 0) return this.hasher.emptyRoot();
    let acc = this.stack[this.stack.length - 1]!;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = this.hasher.nodeHash(this.stack[i]!, acc);
    return acc;
  }
}

/** Merkle tree head of `leaves` with the given node hasher. */
export function merkleRootWith(hasher: MerkleNodeHasher, leaves: readonly Uint8Array[]): Uint8Array {
  const range = new MerkleCompactRange(hasher);
  for (const leaf of leaves) range.append(leaf);
  return range.root();
}
