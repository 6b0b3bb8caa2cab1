import { bytesEqual } from '../../encoding/bytes.js';
import { treeHasher } from './digests.js';
import { SequenceError } from './errors.js';

/**
 * RFC 9162 §2.1.3 inclusion proofs and §2.1.4 consistency proofs over SHA-512 trees, the
 * low-level layer of sequence proofs: inputs are leaf *hashes* (a Merkle sequence's leaf is
 * H(0x00 ‖ HD ‖ PD), digests.ts) and heads, nothing here knows about frames, signatures or
 * trust. The standalone, signed form a light client checks is prove.ts.
 *
 * Proofs are built from a {@link MerkleTreeLevels}: the hashes of every perfect, aligned subtree
 * (2n − 1 nodes). Any subtree the RFC recursion asks for is a right fold of at most log n of them,
 * so a proof costs O(log² n) hashes at most, and many proofs over one tree are cheap.
 */

/** Inclusion proof: frame `index` is leaf `index` of the tree of `treeSize` frames. */
export interface InclusionProof {
  readonly index: number;
  readonly treeSize: number;
  readonly path: readonly Uint8Array[];
}

/** Consistency proof: the tree of `firstSize` frames is a prefix of the tree of `secondSize`. */
export interface ConsistencyProof {
  readonly firstSize: number;
  readonly secondSize: number;
  readonly path: readonly Uint8Array[];
}

/** All perfect aligned subtree hashes of a tree: level h holds the roots of 2^h-leaf subtrees. */
export class MerkleTreeLevels {
  private readonly levels: Uint8Array[][] = [[]];

  /** Builds from leaf hashes H(0x00 ‖ leaf). */
  static fromLeafHashes(hashes: Iterable<Uint8Array>): MerkleTreeLevels {
    const t = new MerkleTreeLevels();
    for (const h of hashes) t.appendLeafHash(h);
    return t;
  }

  /** Number of leaves. */
  get size(): number {
    return this.levels[0]!.length;
  }

  /** Adds a leaf hash, completing every perfect subtree it closes. */
  appendLeafHash(hash: Uint8Array): void {
    let node = hash;
    let level = 0;
    for (;;) {
      const row = this.levels[level]!;
      row.push(node);
      if (row.length % 2 === 1) return;
      node = treeHasher.nodeHash(row[row.length - 2]!, node);
      level++;
      if (this.levels.length === level) this.levels.push([]);
    }
  }

  /** MTH(D[start:end]) for a range whose start is aligned as in the RFC recursion. */
  hash(start: number, end: number): Uint8Array {
    if (end <= start) return treeHasher.emptyRoot();
    const parts: Uint8Array[] = [];
    let at = start;
    while (at < end) {
      let h = 0;
      while (2 ** (h + 1) <= end - at && at % 2 ** (h + 1) === 0) h++;
      parts.push(this.levels[h]![at / 2 ** h]!);
      at += 2 ** h;
    }
    let acc = parts[parts.length - 1]!;
    for (let i = parts.length - 2; i >= 0; i--) acc = treeHasher.nodeHash(parts[i]!, acc);
    return acc;
  }

  /** The head of the tree of the first `size` leaves. */
  root(size = this.size): Uint8Array {
    return this.hash(0, size);
  }

  /** RFC 9162 §2.1.3.1 PATH(index, D[treeSize]). */
  inclusionProof(index: number, treeSize = this.size): InclusionProof {
    checkSizes(index + 1, treeSize, this.size, 'inclusion');
    const path: Uint8Array[] = [];
    const walk = (m: number, start: number, n: number): void => {
      if (n <= 1) return;
      const k = largestPowerBelow(n);
      if (m < k) {
        walk(m, start, k);
        path.push(this.hash(start + k, start + n));
      } else {
        walk(m - k, start + k, n - k);
        path.push(this.hash(start, start + k));
      }
    };
    walk(index, 0, treeSize);
    return { index, treeSize, path };
  }

  /** RFC 9162 §2.1.4.1 PROOF(firstSize, D[secondSize]). */
  consistencyProof(firstSize: number, secondSize = this.size): ConsistencyProof {
    checkSizes(firstSize, secondSize, this.size, 'consistency');
    if (firstSize < 1) throw new SequenceError('DARE_BAD_ARGUMENT', 'consistency proofs start from a tree of at least one frame');
    const path: Uint8Array[] = [];
    const sub = (m: number, start: number, n: number, whole: boolean): void => {
      if (m === n) {
        if (!whole) path.push(this.hash(start, start + n));
        return;
      }
      const k = largestPowerBelow(n);
      if (m <= k) {
        sub(m, start, k, whole);
        path.push(this.hash(start + k, start + n));
      } else {
        sub(m - k, start + k, n - k, false);
        path.push(this.hash(start, start + k));
      }
    };
    sub(firstSize, 0, secondSize, true);
    return { firstSize, secondSize, path };
  }
}

function checkSizes(first: number, second: number, have: number, what: string): void {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second || second > have) {
    throw new SequenceError('DARE_BAD_ARGUMENT', `${what} proof: sizes ${first} and ${second} do not fit a tree of ${have} frames`);
  }
}

/** Largest power of two strictly below n (n ≥ 2). */
function largestPowerBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * RFC 9162 §2.1.3.2: true when `proof` shows that the leaf whose hash is `leafHash` is leaf
 * `proof.index` of the tree with head `root` and `proof.treeSize` leaves. Index ≥ size, size 0,
 * a path of the wrong length or anything malformed is false; never throws.
 *
 * The size must come with the root from the same trusted source: the path alone does not fix it
 * (leaf 0 of a 3-leaf tree also verifies as leaf 0 of 4 against the same root). Signed heads sign
 * (size, head) together for that reason (signed-head.ts); light clients use `verifyInclusion`
 * (prove.ts), which takes both from the signature.
 */
export function verifyMerkleInclusion(proof: InclusionProof, leafHash: Uint8Array, root: Uint8Array): boolean {
  const { index, treeSize, path } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  if (!Array.isArray(path) || !path.every((p) => p instanceof Uint8Array && p.length === 64)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = treeHasher.nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = treeHasher.nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2: true when `proof` shows the tree with head `firstRoot` (firstSize leaves) is
 * a prefix of the tree with head `secondRoot` (secondSize leaves).
 */
export function verifyMerkleConsistency(proof: ConsistencyProof, firstRoot: Uint8Array, secondRoot: Uint8Array): boolean {
  const { firstSize, secondSize } = proof;
  if (!Number.isSafeInteger(firstSize) || !Number.isSafeInteger(secondSize) || firstSize < 1 || firstSize > secondSize) return false;
  if (!Array.isArray(proof.path) || !proof.path.every((p) => p instanceof Uint8Array && p.length === 64)) return false;
  if (firstSize === secondSize) return proof.path.length === 0 && bytesEqual(firstRoot, secondRoot);
  if (proof.path.length === 0) return false;
  const path = isPowerOfTwo(firstSize) ? [firstRoot, ...proof.path] : [...proof.path];
  let fn = firstSize - 1;
  let sn = secondSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = treeHasher.nodeHash(c, fr);
      sr = treeHasher.nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = treeHasher.nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot);
}

function isPowerOfTwo(x: number): boolean {
  let v = x;
  while (v > 1 && v % 2 === 0) v /= 2;
  return v === 1;
}
