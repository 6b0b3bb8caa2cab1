/**
 * The PreviousFrame function of Tree and Merkle sequences (dare.md §9.2, draft-hallambaker-
 * mesh-dare-12 Appendix C): frame n stores in `TreePosition` the byte offset of frame
 * PreviousFrame(n). With x = n + 1 and d its lowest set bit, PreviousFrame(n) = n − d, except when
 * x is a power of two, where it is d/2 − 1. The pointers form a skip list over the file, so a
 * reader can reach any index from the last frame in O(log n) jumps.
 */
export function previousFrame(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`PreviousFrame: n must be a positive integer, got ${n}`);
  const x = n + 1;
  const d = lowestBit(x);
  return x === d ? d / 2 - 1 : n - d;
}

/** Lowest set bit of a positive safe integer (works beyond 2^31). */
export function lowestBit(x: number): number {
  if (x > 0 && x <= 0x7fffffff) return x & -x; // int32 arithmetic where it is exact (every writer's index so far)
  let d = 1;
  while (Math.floor(x / d) % 2 === 0) d *= 2;
  return d;
}

/**
 * The last frame index that will ever name frame m as its PreviousFrame: a writer may forget the
 * offset of m once it has written that frame, which keeps its position table O(log n) (flat
 * memory while appending). Frames m = n − d are named by n = m + 2^t for 2^t below
 * lowbit(m + 1); frames m = 2^j − 1 are also named by n = 2m + 1.
 */
export function lastReferrer(m: number): number {
  const x = m + 1;
  const d = lowestBit(x);
  const byStep = m + Math.floor(d / 2); // d = 1: nobody names m by step
  return x === d ? Math.max(2 * m + 1, byStep) : byStep;
}

/**
 * A writer's table of the frame offsets a later `TreePosition` can still name: each entry is kept
 * until its {@link lastReferrer} has been written, so the table holds O(log n) entries (flat
 * memory over a long log). Entries are not in expiry order (frames 2^j − 1 outlive later ones),
 * so `forget` checks every entry — against an expiry computed once, at insertion.
 */
export class PositionTable {
  private readonly index: number[] = [];
  private readonly offset: number[] = [];
  private readonly until: number[] = [];
  /** The earliest expiry held (forget has nothing to do before it). */
  private soonest = Infinity;

  /** Remembers the offset of frame `index`, until the last frame that may name it. */
  set(index: number, offset: number): void {
    const until = lastReferrer(index);
    if (until <= index) return; // no later frame names it (every even index)
    if (until < this.soonest) this.soonest = until;
    this.index.push(index);
    this.offset.push(offset);
    this.until.push(until);
  }

  /** The offset of frame `index`, if still held. */
  get(index: number): number | undefined {
    for (let i = this.index.length - 1; i >= 0; i--) if (this.index[i] === index) return this.offset[i];
    return undefined;
  }

  /** Drops every entry no frame from `next` on can name. */
  forget(next: number): void {
    if (next <= this.soonest) return; // nothing expires yet
    let k = 0;
    let soonest = Infinity;
    for (let i = 0; i < this.index.length; i++) {
      const until = this.until[i]!;
      if (until < next) continue;
      this.index[k] = this.index[i]!;
      this.offset[k] = this.offset[i]!;
      this.until[k] = until;
      if (until < soonest) soonest = until;
      k++;
    }
    this.soonest = soonest;
    this.index.length = k;
    this.offset.length = k;
    this.until.length = k;
  }

  /** Entries held now (tests: the table stays O(log n)). */
  get size(): number {
    return this.index.length;
  }
}
