import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../encoding/json-value.js';
import { treeHasher } from './digests.js';
import { SequenceError } from './errors.js';
import { lastReferrer, previousFrame } from './tree-position.js';

/**
 * The whole state a Merkle sequence needs to take its next frame (dare.md §9.2, §9.4): how many
 * frames and bytes it holds, the RFC 9162 compact range of its leaves (subtree roots; the tree
 * head folds them) and the offsets of the frames a later `TreePosition` can still name. O(log n)
 * in size and immutable, so a frame can be built for index n without touching the state n
 * frames leave behind (a pending edit, a rejected upload), and a snapshot can carry it.
 *
 * Leaves are our Merkle form (digests.ts): H(0x00 ‖ HD ‖ PD) over each frame's header and
 * payload digests — the same heads `SequenceWriter` writes and `verifySequence` checks.
 */
export interface ReplicaState {
  /** Frames held, frame 0 included: the index of the next frame. */
  readonly frameCount: number;
  /** Bytes those frames take: the offset of the next frame. */
  readonly end: number;
  /** Offset of the last frame (−1 when there is none). */
  readonly lastStart: number;
  /** TreeDigest of the last frame: the head over frames 0 … frameCount − 1 (undefined when empty). */
  readonly head: Uint8Array | undefined;
  /** Roots of the perfect subtrees of the leaves so far, leftmost (largest) first. */
  readonly roots: readonly Uint8Array[];
  /** `[index, offset]` of every frame a later TreePosition can name (see `lastReferrer`). */
  readonly positions: readonly (readonly [number, number])[];
}

/** The state of a sequence with no frame yet. */
export const EMPTY_REPLICA_STATE: ReplicaState = Object.freeze({ frameCount: 0, end: 0, lastStart: -1, head: undefined, roots: [], positions: [] });

/** The leaf hash of a frame: H(0x00 ‖ HD ‖ PD). */
export function replicaLeafHash(hd: Uint8Array, pd: Uint8Array): Uint8Array {
  const leaf = new Uint8Array(hd.length + pd.length);
  leaf.set(hd);
  leaf.set(pd, hd.length);
  return treeHasher.leafHash(leaf);
}

/** Roots after appending one leaf hash to a compact range of `count` leaves (RFC 9162 §2.1.1). */
export function appendLeaf(roots: readonly Uint8Array[], count: number, leafHash: Uint8Array): Uint8Array[] {
  const out = roots.slice();
  let node = leafHash;
  // Each trailing one bit of the old count is a perfect subtree of the same size to merge with.
  for (let n = count; n % 2 === 1; n = Math.floor(n / 2)) node = treeHasher.nodeHash(out.pop()!, node);
  out.push(node);
  return out;
}

/** The tree head of a compact range (folded right to left). */
export function headOf(roots: readonly Uint8Array[]): Uint8Array {
  if (roots.length === 0) return treeHasher.emptyRoot();
  let acc = roots[roots.length - 1]!;
  for (let i = roots.length - 2; i >= 0; i--) acc = treeHasher.nodeHash(roots[i]!, acc);
  return acc;
}

/** The offset of frame `index` if the state still knows it (it knows every frame a next TreePosition names). */
export function positionOf(state: ReplicaState, index: number): number | undefined {
  for (const [i, at] of state.positions) if (i === index) return at;
  return undefined;
}

/** The TreePosition frame `state.frameCount` must carry (undefined for frame 0). */
export function nextTreePosition(state: ReplicaState): number | undefined {
  if (state.frameCount === 0) return undefined;
  const at = positionOf(state, previousFrame(state.frameCount));
  if (at === undefined) throw new SequenceError('DARE_BAD_POSITION', `offset of frame ${previousFrame(state.frameCount)} is not known`, { frame: state.frameCount });
  return at;
}

/** The state after one more frame (at `state.end`, `length` bytes, with this leaf hash). */
export function advanceState(state: ReplicaState, length: number, leafHash: Uint8Array, head?: Uint8Array): ReplicaState {
  const index = state.frameCount;
  const roots = appendLeaf(state.roots, index, leafHash);
  const next = index + 1;
  const positions: [number, number][] = [];
  for (const p of state.positions) if (lastReferrer(p[0]) >= next) positions.push([p[0], p[1]]);
  if (lastReferrer(index) >= next) positions.push([index, state.end]);
  return {
    frameCount: next, end: state.end + length, lastStart: state.end, head: head ?? headOf(roots), roots, positions,
  };
}

/** A state as JSON (for snapshots): binary members base64url. */
export function replicaStateToJson(s: ReplicaState): JsonObject {
  return {
    frameCount: s.frameCount, end: s.end, lastStart: s.lastStart, ...(s.head ? { head: base64urlEncode(s.head) } : {}),
    roots: s.roots.map((r) => base64urlEncode(r)), positions: s.positions.map(([i, at]) => [i, at]),
  };
}

const nat = (v: JsonValue | undefined, what: string, min = 0): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new SequenceError('DARE_BAD_ARGUMENT', `replica state: ${what} is not an integer ≥ ${min}`);
  return v;
};

/** Reads {@link replicaStateToJson}'s output back, checking its shape (not its truth: see `SequenceReplica.open`'s `resume`). */
export function replicaStateFromJson(v: JsonValue): ReplicaState {
  if (!isJsonObject(v)) throw new SequenceError('DARE_BAD_ARGUMENT', 'replica state is not an object');
  const frameCount = nat(v['frameCount'], 'frameCount');
  const roots = v['roots'];
  const positions = v['positions'];
  if (!Array.isArray(roots) || !roots.every((r) => typeof r === 'string')) throw new SequenceError('DARE_BAD_ARGUMENT', 'replica state: roots');
  if (!Array.isArray(positions)) throw new SequenceError('DARE_BAD_ARGUMENT', 'replica state: positions');
  const head = v['head'];
  if (frameCount > 0 && typeof head !== 'string') throw new SequenceError('DARE_BAD_ARGUMENT', 'replica state: head');
  let popcount = 0;
  for (let n = frameCount; n > 0; n = Math.floor(n / 2)) popcount += n % 2;
  if (roots.length !== popcount) throw new SequenceError('DARE_BAD_ARGUMENT', 'replica state: roots do not match frameCount');
  return {
    frameCount, end: nat(v['end'], 'end'), lastStart: nat(v['lastStart'], 'lastStart', -1),
    head: typeof head === 'string' ? base64urlDecode(head) : undefined,
    roots: roots.map((r) => base64urlDecode(r as string)),
    positions: positions.map((p) => {
      if (!Array.isArray(p) || p.length !== 2) throw new SequenceError('DARE_BAD_ARGUMENT', 'replica state: positions');
      return [nat(p[0], 'position index'), nat(p[1], 'position offset')] as const;
    }),
  };
}
