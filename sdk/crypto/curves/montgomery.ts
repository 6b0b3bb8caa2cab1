import { CryptoError } from '../errors.js';
import { bigIntToLe, leToBigInt } from '../bigint.js';
import type { MontgomeryParams } from './params.js';

/**
 * Montgomery-curve arithmetic *with* the v-coordinate, on the pure (BigInt) path
 * (crypto.md §3). @noble's x25519/x448 only run clamped u-only ladders; the Mesh adds
 * Montgomery points (key co-generation, threshold decryption), which needs v.
 *
 * Variable time: this is the portable reference path. The WASM path (core-wasm/curve448)
 * is the constant-time implementation for X448.
 */

/** An affine point (u, v) on v² = u³ + A·u² + u. The point at infinity has no affine form. */
export interface MontPoint {
  readonly u: bigint;
  readonly v: bigint;
}

/** Raw projective ladder output: (X2:Z2) = k·P, (X3:Z3) = (k+1)·P (crypto.md §3). */
export interface LadderState {
  readonly x2: bigint;
  readonly z2: bigint;
  readonly x3: bigint;
  readonly z3: bigint;
}

const invalid = (what: string): CryptoError => new CryptoError('CRYPTO_INVALID_POINT', what);

/**
 * The RFC 7748 §5 ladder with the scalar used exactly as given (no clamping), looping over
 * bits `bits−1 … 0`. Returns the projective pair after the final conditional swap, which is
 * what the `montgomery-ladder-*` vectors print.
 */
export function ladder(c: MontgomeryParams, k: bigint, u: bigint): LadderState {
  const F = c.Fp;
  const x1 = F.create(u);
  let x2 = F.ONE;
  let z2 = F.ZERO;
  let x3 = x1;
  let z3 = F.ONE;
  let swap = 0n;
  for (let t = c.bits - 1; t >= 0; t--) {
    const kt = (k >> BigInt(t)) & 1n;
    swap ^= kt;
    if (swap) {
      [x2, x3] = [x3, x2];
      [z2, z3] = [z3, z2];
    }
    swap = kt;
    const a = F.add(x2, z2);
    const aa = F.sqr(a);
    const b = F.sub(x2, z2);
    const bb = F.sqr(b);
    const e = F.sub(aa, bb);
    const cc = F.add(x3, z3);
    const d = F.sub(x3, z3);
    const da = F.mul(d, a);
    const cb = F.mul(cc, b);
    x3 = F.sqr(F.add(da, cb));
    z3 = F.mul(x1, F.sqr(F.sub(da, cb)));
    x2 = F.mul(aa, bb);
    z2 = F.mul(e, F.add(aa, F.mul(c.a24, e)));
  }
  if (swap) {
    [x2, x3] = [x3, x2];
    [z2, z3] = [z3, z2];
  }
  return { x2, z2, x3, z3 };
}

/**
 * v recovery after the ladder (Okeya–Sakurai, threshold-06 §5.2.5, crypto.md §3). Throws when
 * k·P is the point at infinity (Z2 = 0) or P has v = 0 (order 2).
 */
export function recoverV(c: MontgomeryParams, p: MontPoint, s: LadderState): MontPoint {
  const F = c.Fp;
  const { x2, z2, x3, z3 } = s;
  const twoA = F.mul(2n, c.A);
  const t1 = F.mul(F.add(F.add(x2, F.mul(p.u, z2)), F.mul(twoA, z2)), F.add(F.mul(p.u, x2), z2));
  const y = F.sub(F.mul(F.sub(t1, F.mul(twoA, F.sqr(z2))), z3), F.mul(F.sqr(F.sub(x2, F.mul(p.u, z2))), x3));
  const w = F.mul(F.mul(F.mul(2n, p.v), z2), z3);
  const den = F.mul(w, z2);
  if (F.is0(den)) throw invalid('Montgomery scalar multiple is the point at infinity (or the input has order 2)');
  const inv = F.inv(den);
  return { u: F.mul(F.mul(w, x2), inv), v: F.mul(y, inv) };
}

/** k·P with v, raw scalar (crypto.md §3/§4: composite scalars are never re-clamped). */
export function multiply(c: MontgomeryParams, k: bigint, p: MontPoint): MontPoint {
  return recoverV(c, p, ladder(c, k, p.u));
}

/** u-coordinate of k·P by the raw ladder (x2/z2), as RFC 7748 would output it; 0 for the identity. */
export function multiplyU(c: MontgomeryParams, k: bigint, u: bigint): bigint {
  const s = ladder(c, k, u);
  return c.Fp.is0(s.z2) ? 0n : c.Fp.mul(s.x2, c.Fp.inv(s.z2));
}

/**
 * Affine addition (B = 1) with the doubling branch (crypto.md §3). P + (−P) = O has no affine
 * form and throws: in the Mesh it would mean a zero composite key.
 */
export function add(c: MontgomeryParams, p1: MontPoint, p2: MontPoint): MontPoint {
  const F = c.Fp;
  let lambda: bigint;
  if (p1.u === p2.u) {
    if (p1.v !== p2.v || F.is0(p1.v)) throw invalid('Montgomery addition of a point and its negative (result is the point at infinity)');
    // λ = (3u² + 2Au + 1) / 2v
    const num = F.add(F.add(F.mul(3n, F.sqr(p1.u)), F.mul(F.mul(2n, c.A), p1.u)), F.ONE);
    lambda = F.mul(num, F.inv(F.mul(2n, p1.v)));
    const u3 = F.sub(F.sub(F.sqr(lambda), c.A), F.mul(2n, p1.u));
    const v3 = F.sub(F.sub(F.mul(F.add(F.mul(3n, p1.u), c.A), lambda), F.mul(F.sqr(lambda), lambda)), p1.v);
    return { u: u3, v: v3 };
  }
  lambda = F.mul(F.sub(p2.v, p1.v), F.inv(F.sub(p2.u, p1.u)));
  const u3 = F.sub(F.sub(F.sub(F.sqr(lambda), c.A), p1.u), p2.u);
  const v3 = F.sub(F.sub(F.mul(F.add(F.add(F.mul(2n, p1.u), p2.u), c.A), lambda), F.mul(F.sqr(lambda), lambda)), p1.v);
  return { u: u3, v: v3 };
}

/** True when (u, v) satisfies v² = u³ + A·u² + u. */
export function isOnCurve(c: MontgomeryParams, p: MontPoint): boolean {
  const F = c.Fp;
  return F.eql(F.sqr(p.v), rhs(c, p.u));
}

function rhs(c: MontgomeryParams, u: bigint): bigint {
  const F = c.Fp;
  const u2 = F.sqr(u);
  return F.add(F.add(F.mul(u2, u), F.mul(c.A, u2)), u);
}

/** Signed encoding (crypto.md §2): u LE ‖ (0x80 if v is odd else 0x00), 33 / 57 bytes. */
export function encodeSigned(c: MontgomeryParams, p: MontPoint): Uint8Array {
  const out = new Uint8Array(c.bytes + 1);
  out.set(bigIntToLe(c.Fp.create(p.u), c.bytes));
  out[c.bytes] = (c.Fp.create(p.v) & 1n) === 1n ? 0x80 : 0x00;
  return out;
}

/** Unsigned encoding: u LE (32 / 56 bytes), the RFC 7748 public key. */
export function encodeUnsigned(c: MontgomeryParams, p: MontPoint): Uint8Array {
  return bigIntToLe(c.Fp.create(p.u), c.bytes);
}

/**
 * Decodes the signed form (crypto.md §2): v = √(u³ + A·u² + u) with the parity of the flag.
 * Refuses (CRYPTO_INVALID_POINT) a non-canonical u (>= p), a flag byte other than 0x00/0x80,
 * a u that is not on the curve (w not a square) and the non-canonical "v = 0 with flag 0x80".
 */
export function decodeSigned(c: MontgomeryParams, bytes: Uint8Array): MontPoint {
  if (bytes.length !== c.bytes + 1) {
    throw new CryptoError('CRYPTO_INVALID_LENGTH', `${c.name} signed point must be ${c.bytes + 1} bytes, got ${bytes.length}`);
  }
  const flag = bytes[c.bytes]!;
  if (flag !== 0x00 && flag !== 0x80) throw invalid(`${c.name} signed point: last byte must be 0x00 or 0x80`);
  const u = leToBigInt(bytes.subarray(0, c.bytes));
  if (u >= c.p) throw invalid(`${c.name} signed point: u is not canonical (>= p)`);
  let v: bigint;
  try {
    v = c.Fp.sqrt(rhs(c, u));
  } catch {
    throw invalid(`${c.name} signed point: u is not on the curve`);
  }
  const odd = flag === 0x80;
  if (v === 0n && odd) throw invalid(`${c.name} signed point: v = 0 with odd flag`);
  if (((v & 1n) === 1n) !== odd) v = c.Fp.neg(v);
  return { u, v };
}
