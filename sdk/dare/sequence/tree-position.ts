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
