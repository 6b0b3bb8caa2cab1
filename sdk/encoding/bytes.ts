/**
 * Byte-array helpers, the one home of each for the whole SDK (the lowest layer that needs them).
 * `bytesEqual` returns at the first difference, for public data (digests a reader compares with
 * what it computed itself); `constantTimeEqual` takes the same time wherever the inputs differ,
 * for values an attacker may probe byte by byte (MACs, witnesses, key material).
 */

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concatInto(parts);
}

/**
 * Concatenates a list of byte arrays (any length: no spread of arguments) into a new one — except
 * a list of one, which comes back as it is (callers that join frames or chunks avoid the copy).
 */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : concatInto(parts);
}

function concatInto(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte-wise equality (not constant time; for public data). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equality in time independent of where the inputs differ (only their lengths show). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
