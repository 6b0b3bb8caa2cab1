import { getProvider, MerkleCompactRange, merkleHasherFrom, route, sha512, type FrameSealer, type WasmMerkleRange } from '../../crypto/index.js';

/**
 * Integrity values of Digest, Chain and Merkle sequences (dare.md §9.4), our own design where the
 * reference's is degenerate (dare.md §10 "Chain/Merkle digests"):
 *
 * - Every frame n has a header digest HD_n = H(header record bytes, exactly as stored) and a
 *   payload digest PD_n = H(payload bytes as stored: ciphertext when encrypted). Its *leaf* is
 *   L_n = HD_n ‖ PD_n (128 bytes). Binding the header means a changed ContentMetaData, Salt,
 *   recipient entry, cloaked metadata or SequenceInfo (Index, TreePosition, ExchangePosition,
 *   IsMeta) of a covered frame changes the head — DARE itself leaves headers unprotected.
 * - Chain: C_0 = H(H(∅) ‖ L_0), C_n = H(C_{n−1} ‖ L_n).
 * - Merkle: TreeDigest_n = RFC 9162 head of the tree whose leaves are L_0 … L_n (leaf hash
 *   H(0x00 ‖ L), node hash H(0x01 ‖ l ‖ r)), kept as a compact range: O(log n) per append.
 *
 * The header digest is taken over bytes the writer has just encoded and the reader has just read,
 * so it costs one SHA-512 of a few hundred bytes per frame and no JSON re-parsing.
 *
 * Files written by the reference carry degenerate values ("legacy"): ChainDigest_n = f(PD_n) and
 * TreeDigest_n = f^k(PD_n) with f(x) = H(0^64 ‖ x), k = 1 + trailing zeros of n + 2 (k = 1 for
 * frame 0). Readers recognise them and report the file as legacy (readable, authenticates nothing).
 */

/** H = SHA-512 (dare.md §1: `S512` is the only digest sequences use). */
export const payloadDigest = (payload: Uint8Array): Uint8Array => sha512(payload);

/** HD = H(header record bytes as stored). */
export const headerDigest = (header: Uint8Array): Uint8Array => sha512(header);

/** The leaf data of a frame: HD ‖ PD (128 bytes). */
export function frameLeaf(hd: Uint8Array, pd: Uint8Array): Uint8Array {
  const leaf = new Uint8Array(hd.length + pd.length);
  leaf.set(hd);
  leaf.set(pd, hd.length);
  return leaf;
}

const ZERO64 = new Uint8Array(64);

/** H(a ‖ b). */
function combine(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(a.length + b.length);
  buf.set(a);
  buf.set(b, a.length);
  return sha512(buf);
}

/** The chain value after a frame whose leaf is `leaf` (HD ‖ PD); `previous` undefined for frame 0. */
export function chainDigest(previous: Uint8Array | undefined, leaf: Uint8Array): Uint8Array {
  return combine(previous ?? sha512(new Uint8Array(0)), leaf);
}

/** The reference's ChainDigest_n = H(0^64 ‖ PD_n) (dare.md §9.4, [V] container-chain). */
export function legacyChainDigest(pd: Uint8Array): Uint8Array {
  return combine(ZERO64, pd);
}

/** Trailing zero bits of a positive safe integer. */
function trailingZeros(x: number): number {
  let z = 0;
  while (Math.floor(x / 2 ** z) % 2 === 0) z++;
  return z;
}

/** The reference's TreeDigest_n = f^k(PD_n) (dare.md §9.4, [V] container-merkle-0-4). */
export function legacyTreeDigest(index: number, pd: Uint8Array): Uint8Array {
  const k = index === 0 ? 1 : 1 + trailingZeros(index + 2);
  let v = pd;
  for (let i = 0; i < k; i++) v = combine(ZERO64, v);
  return v;
}

/** RFC 9162 node hashers over the routed SHA-512 (WASM after `init()`). */
export const treeHasher = merkleHasherFrom((d) => sha512(d));

/** RFC 9162 leaf hash of a frame: H(0x00 ‖ HD ‖ PD). */
export const frameLeafHash = (hd: Uint8Array, pd: Uint8Array): Uint8Array => treeHasher.leafHash(frameLeaf(hd, pd));

/**
 * The Merkle range of a new writer: held in the WASM core when the routed `merkleRoot` provider
 * has one (the leaf hash and merges are one call into the core), else the JS compact range over
 * the routed SHA-512. Both give identical heads; the choice is made once, when the state is
 * created, and only decides speed.
 */
function newRange(): MerkleCompactRange | WasmMerkleRange {
  const name = route('merkleRoot');
  const factory = name === 'wasm' && route('sha512') === 'wasm' ? getProvider('wasm').merkleRange : undefined;
  return factory ? factory() : new MerkleCompactRange(treeHasher);
}

/**
 * The running integrity state of a sequence writer or verifier: the chain value and the Merkle
 * compact range (O(log n) memory). `next(hd, pd)` consumes one frame and returns its values.
 */
export class IntegrityState {
  private chain: Uint8Array | undefined;
  private count = 0;
  /** The Merkle range: the writer's frame sealer when it has one (it appends sealed frames itself). */
  readonly range: MerkleCompactRange | WasmMerkleRange | FrameSealer | undefined;

  /**
   * `chain`: keep the chain value (Chain sequences); `tree`: keep the Merkle range (Merkle), held
   * by `sealer` when given — a writer's hot path seals and appends a frame in one call
   * (sealed-frame.ts) and then only {@link sealed} is called here.
   */
  constructor(private readonly withChain: boolean, withTree: boolean, private readonly sealer?: FrameSealer) {
    this.range = withTree ? sealer ?? newRange() : undefined;
  }

  /** Feeds frame `size`'s header and payload digests; returns its chain value and tree head. */
  next(hd: Uint8Array, pd: Uint8Array): { chain: Uint8Array | undefined; tree: Uint8Array | undefined } {
    const leaf = frameLeaf(hd, pd);
    if (this.withChain) this.chain = chainDigest(this.chain, leaf);
    this.count++;
    if (!this.range) return { chain: this.chain, tree: undefined };
    if ('appendDigests' in this.range) {
      this.range.appendDigests(hd, pd);
      return { chain: this.chain, tree: this.range.out.head.slice() };
    }
    this.range.append(leaf);
    return { chain: this.chain, tree: this.range.root() };
  }

  /** Counts a frame the sealer has appended itself (FrameSealer.seal). */
  sealed(): void {
    if (!this.sealer || this.withChain) throw new RangeError('only a sealer-held Merkle state counts sealed frames');
    this.count++;
  }

  /**
   * Restores the state of a reopened sequence from its frames' leaf hashes H(0x00 ‖ HD ‖ PD) (as
   * checked by the verifier) and the last chain value: no payload is hashed twice.
   */
  restore(leafHashes: readonly Uint8Array[], chain: Uint8Array | undefined): void {
    if (this.count !== 0) throw new RangeError('restore needs a fresh integrity state');
    for (const h of leafHashes) this.range?.appendLeafHash(h);
    this.count = leafHashes.length;
    this.chain = this.withChain ? chain : undefined;
  }

  /** Number of frames fed so far. */
  get size(): number {
    return this.count;
  }

  /** Current chain value (undefined before frame 0). */
  get chainValue(): Uint8Array | undefined {
    return this.chain;
  }
}
