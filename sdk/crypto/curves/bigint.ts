/**
 * Little-endian byte ↔ BigInt conversions for the pure (BigInt) curve path. Every curve
 * encoding of RFC 7748 §5 and RFC 8032 §5.2.2 is little-endian with a fixed length.
 *
 * These helpers are not constant time (BigInt never is); the pure path is the portable
 * fallback and reference, the WASM path is the constant-time one (crypto.md §3, design.md).
 */

/** Reads `b` as an unsigned little-endian integer. */
export function leToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** Writes `n` (0 <= n < 2^(8·length)) as `length` little-endian bytes. */
export function bigIntToLe(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`integer does not fit in ${length} bytes`);
  return out;
}

/** Non-negative remainder. */
export function modP(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Modular inverse by the extended Euclidean algorithm (variable time: public values only). */
export function invMod(a: bigint, m: bigint): bigint {
  let [r0, r1] = [modP(a, m), m];
  let [s0, s1] = [1n, 0n];
  if (r0 === 0n) throw new RangeError('no inverse of 0');
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return modP(s0, m);
}

/** Constant-shape byte equality (no early exit). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
