import { copy64 } from './io';
import { IV, sha512Blocks, sha512Into, sha512Output } from './sha512';

/**
 * RFC 9162 §2.1.1 Merkle Tree Hash over SHA-512, as a compact range kept in WASM memory: the
 * roots of the perfect subtrees covering the leaves so far (one per set bit of the count, at most
 * 64), leftmost first. Appending merges equal-sized subtrees (one per trailing one bit of the
 * old count); the head folds the stack from the right, which reproduces the RFC's split at the
 * largest power of two below n. Same algorithm as `sdk/crypto/merkle.ts`.
 *
 * Layout of the range (`RANGE`, 4160 bytes): the leaf count (u64) at 0, the stack from 64 on,
 * entry i at 64 + 64·i. JS may save and restore the first 64 + 64·popcount(count) bytes to keep
 * several ranges (one per DARE sequence) alive.
 */
export const RANGE: usize = memory.data(64 + 64 * 64, 16);

/**
 * Node-hash input block, laid out once: [0x01][left 64][right 64][0x80][zeros][bit length 1032].
 * The 129-byte message H(0x01 ‖ left ‖ right) always fills exactly two blocks, so padding is
 * constant and a node costs two compressions with no buffering.
 */
const NODE: usize = memory.data(256, 16);
const LEFT: usize = NODE + 1;
const RIGHT: usize = NODE + 65;
const NODE_STATE: usize = memory.data(64, 16);
const LEAF_CTX: usize = memory.data(256, 16);

/** Lays out the constant parts of NODE; run once at instantiation (the start function). */
function nodeLayout(): void {
  store<u8>(NODE, 0x01);
  store<u8>(NODE + 129, 0x80);
  memory.fill(NODE + 130, 0, 248 - 130);
  store<u64>(NODE + 248, bswap<u64>(<u64>129 * 8));
}

/** RIGHT ← H(0x01 ‖ LEFT ‖ RIGHT). */
function nodeHash(): void {
  copy64(NODE_STATE, IV);
  sha512Blocks(NODE_STATE, NODE, 2);
  sha512Output(NODE_STATE, RIGHT);
}

nodeLayout();

/** Empties the range. */
export function merkleReset(): void {
  store<u64>(RANGE, 0);
  nodeLayout();
}

/** Appends the subtree root in RIGHT as a new leaf hash, merging equal-sized subtrees. */
function appendRight(): void {
  let n = load<u64>(RANGE);
  let depth = <usize>popcnt<u64>(n);
  while ((n & 1) != 0) {
    depth--;
    copy64(LEFT, RANGE + 64 + (depth << 6));
    nodeHash();
    n >>= 1;
  }
  copy64(RANGE + 64 + (depth << 6), RIGHT);
  store<u64>(RANGE, load<u64>(RANGE) + 1);
}

/** Appends a leaf whose hash H(0x00 ‖ leaf) is the 64 bytes at `hash`. */
export function merkleAppendHash(hash: usize): void {
  copy64(RIGHT, hash);
  appendRight();
}

/** Leaf-hash input for a 64-byte leaf: [0x00][leaf 64]. */
const LEAF64: usize = memory.data(80, 16);

/**
 * Appends a 64-byte leaf (a DARE payload digest) at `leaf`: hashes H(0x00 ‖ leaf) here, so a
 * sequence writer needs no separate call (or copy) for the leaf hash.
 */
export function merkleAppendLeaf64(leaf: usize): void {
  store<u8>(LEAF64, 0);
  memory.copy(LEAF64 + 1, leaf, 64);
  sha512Into(LEAF_CTX, LEAF64, 65, RIGHT);
  appendRight();
}

/**
 * Appends `count` leaves packed at `p`, each stored as [0x00][leaf bytes] (the prefix written by
 * the caller, so the leaf hash input is contiguous); `lens` holds the leaf lengths (u32, without
 * the prefix).
 */
export function merkleAppendLeaves(p: usize, lens: usize, count: usize): void {
  for (let i: usize = 0; i < count; i++) {
    const len = <usize>load<u32>(lens + (i << 2));
    sha512Into(LEAF_CTX, p, len + 1, RIGHT);
    appendRight();
    p += len + 1;
  }
}

/**
 * Writes the tree head to `out`: H("") for the empty tree, else the stack folded from the right.
 * The range itself is unchanged, so appending may continue.
 */
export function merkleRoot(out: usize): void {
  const n = load<u64>(RANGE);
  if (n == 0) {
    sha512Into(LEAF_CTX, NODE, 0, out);
    return;
  }
  let depth = <usize>popcnt<u64>(n) - 1;
  copy64(RIGHT, RANGE + 64 + (depth << 6));
  while (depth != 0) {
    depth--;
    copy64(LEFT, RANGE + 64 + (depth << 6));
    nodeHash();
  }
  copy64(out, RIGHT);
}
