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
