/**
 * RFC 9162 §2.1.1 written as the RFC states it (recursive, split at the largest power of two
 * below n), over a hash the caller supplies so the reference stays independent of the provider
 * under test. Runtime-neutral: used by vitest and the portable suites.
 */
export function referenceMth(leaves: Uint8Array[], hash: (...parts: Uint8Array[]) => Uint8Array): Uint8Array {
  if (leaves.length === 0) return hash();
  if (leaves.length === 1) return hash(Uint8Array.of(0), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hash(Uint8Array.of(1), referenceMth(leaves.slice(0, k), hash), referenceMth(leaves.slice(k), hash));
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), as the RFC states it; `leaves` are leaf data (not hashes). */
export function referencePath(m: number, leaves: Uint8Array[], hash: (...parts: Uint8Array[]) => Uint8Array): Uint8Array[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...referencePath(m, leaves.slice(0, k), hash), referenceMth(leaves.slice(k), hash)]
    : [...referencePath(m - k, leaves.slice(k), hash), referenceMth(leaves.slice(0, k), hash)];
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), as the RFC states it. */
export function referenceProof(m: number, leaves: Uint8Array[], hash: (...parts: Uint8Array[]) => Uint8Array): Uint8Array[] {
  const sub = (m: number, d: Uint8Array[], b: boolean): Uint8Array[] => {
    if (m === d.length) return b ? [] : [referenceMth(d, hash)];
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return m <= k ? [...sub(m, d.slice(0, k), b), referenceMth(d.slice(k), hash)] : [...sub(m - k, d.slice(k), false), referenceMth(d.slice(0, k), hash)];
  };
  return sub(m, leaves, true);
}
