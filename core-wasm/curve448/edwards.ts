// edwards448 (RFC 8032 §5.2: x² + y² = 1 + d·x²·y², a = 1, d = −39081) in extended
// coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, T = X·Y/Z (Hisil–Wong–Carter–Dawson 2008).
// With a = 1 a square and d a non-square the unified addition law is complete, so the same
// formulas serve identity, doubling and inverse inputs: no exceptional case, no branch.
//
// A point is 512 bytes: X at +0, Y at +128, Z at +256, T at +384. An affine "niels" point
// (x, y, d·x·y) for the precomputed tables is 384 bytes.

import { faddnc, faddsub, fcopy, fsub2, fsubDbl, finv, fisZero, fload, fmul, fmulSmall, fneg, fparity, fpowP34, fsetSmall, fsqr, fstore, fsub, fequal } from './field';

export const PT: usize = 512;
export const NIELS: usize = 384;
export const D_ABS: i64 = 39081; // d = −39081

const a0: usize = memory.data(128, 16);
const b0: usize = memory.data(128, 16);
const c0: usize = memory.data(128, 16);
const d0: usize = memory.data(128, 16);
const e0: usize = memory.data(128, 16);
const f0: usize = memory.data(128, 16);
const g0: usize = memory.data(128, 16);
const h0: usize = memory.data(128, 16);

// @ts-ignore: decorator
@inline function X(p: usize): usize { return p; }
// @ts-ignore: decorator
@inline function Y(p: usize): usize { return p + 128; }
// @ts-ignore: decorator
@inline function Z(p: usize): usize { return p + 256; }
// @ts-ignore: decorator
@inline function T(p: usize): usize { return p + 384; }

export function ptIdentity(p: usize): void {
  fsetSmall(X(p), 0);
  fsetSmall(Y(p), 1);
  fsetSmall(Z(p), 1);
  fsetSmall(T(p), 0);
}

export function ptCopy(o: usize, p: usize): void {
  memory.copy(o, p, PT);
}

/** o = 2p (dbl-2008-hwcd, a = 1): 4 squarings, 4 multiplications. o may alias p. */
export function ptDouble(o: usize, p: usize): void {
  doubleCore(p);
  fmul(X(o), e0, f0);
  fmul(Y(o), g0, h0);
  fmul(T(o), e0, h0);
  fmul(Z(o), f0, g0);
}

/**
 * o = 2p without T (when the result is only doubled again, T is never read): 3M + 4S.
 * Saves one multiplication per doubling in the verification loop.
 */
export function ptDoubleNoT(o: usize, p: usize): void {
  doubleCore(p);
  fmul(X(o), e0, f0);
  fmul(Y(o), g0, h0);
  fmul(Z(o), f0, g0);
}

/** E, F, G, H of the doubling: A = X², B = Y², E = (X+Y)² − A − B, G = A + B, H = A − B, F = G − 2Z². */
// @ts-ignore: decorator
@inline function doubleCore(p: usize): void {
  fsqr(a0, X(p));
  fsqr(b0, Y(p));
  fsqr(c0, Z(p));
  faddnc(e0, X(p), Y(p));
  fsqr(e0, e0);
  fsub2(e0, e0, a0, b0);       // E = 2XY
  faddsub(g0, h0, a0, b0);     // G = A + B (loose), H = A − B  (D = a·A = A)
  fsubDbl(f0, g0, c0);         // F = G − C, C = 2Z²
}

/** o = p + q, both extended (add-2008-hwcd, unified and complete): 9M + one small multiply. */
export function ptAdd(o: usize, p: usize, q: usize): void {
  fmul(a0, X(p), X(q));        // A
  fmul(b0, Y(p), Y(q));        // B
  fmul(c0, T(p), T(q));
  fmulSmall(c0, c0, D_ABS);    // −C = 39081·T1·T2 (C = d·T1·T2, d < 0)
  fmul(d0, Z(p), Z(q));        // D
  faddnc(e0, X(p), Y(p));
  faddnc(f0, X(q), Y(q));
  fmul(e0, e0, f0);
  fsub(e0, e0, a0);
  fsub(e0, e0, b0);            // E
  faddnc(f0, d0, c0);          // F = D − C
  fsub(g0, d0, c0);            // G = D + C
  fsub(h0, b0, a0);            // H = B − a·A
  fmul(X(o), e0, f0);
  fmul(Y(o), g0, h0);
  fmul(T(o), e0, h0);
  fmul(Z(o), f0, g0);
}

/** o = p + n for an affine niels point n = (x, y, d·x·y): 8M (Z2 = 1). */
export function ptAddNiels(o: usize, p: usize, n: usize): void {
  fmul(a0, X(p), n);           // A = X1·x2
  fmul(b0, Y(p), n + 128);     // B = Y1·y2
  fmul(c0, T(p), n + 256);     // C = T1·d·x2·y2
  faddnc(e0, X(p), Y(p));
  faddnc(f0, n, n + 128);
  fmul(e0, e0, f0);
  fsub(e0, e0, a0);
  fsub(e0, e0, b0);            // E
  fsub(f0, Z(p), c0);          // F = D − C (D = Z1)
  faddnc(g0, Z(p), c0);        // G = D + C
  fsub(h0, b0, a0);            // H
  fmul(X(o), e0, f0);
  fmul(Y(o), g0, h0);
  fmul(T(o), e0, h0);
  fmul(Z(o), f0, g0);
}

/** o = p − n for an affine niels point: adds (−x, y, −d·x·y) with the signs folded in (8M). */
export function ptSubNiels(o: usize, p: usize, n: usize): void {
  fmul(a0, X(p), n);           // a = X1·x2          (A = −a)
  fmul(b0, Y(p), n + 128);     // B = Y1·y2
  fmul(c0, T(p), n + 256);     // c = T1·d·x2·y2     (C = −c)
  faddnc(e0, X(p), Y(p));
  fsub(f0, n + 128, n);
  fmul(e0, e0, f0);
  faddnc(e0, e0, a0);
  fsub(e0, e0, b0);            // E = (X1+Y1)(y2−x2) − A − B
  faddnc(f0, Z(p), c0);        // F = D − C
  fsub(g0, Z(p), c0);          // G = D + C
  faddnc(h0, b0, a0);          // H = B − A
  fmul(X(o), e0, f0);
  fmul(Y(o), g0, h0);
  fmul(T(o), e0, h0);
  fmul(Z(o), f0, g0);
}

/** o = −p. */
export function ptNeg(o: usize, p: usize): void {
  if (o != p) ptCopy(o, p);
  fneg(X(o), X(o));
  fneg(T(o), T(o));
}

const zi: usize = memory.data(128, 16);
const xa: usize = memory.data(128, 16);
const ya: usize = memory.data(128, 16);

/** RFC 8032 §5.2.2 encoding: y (56 bytes LE) ‖ (x & 1) << 7. */
export function ptEncode(dst: usize, p: usize): void {
  finv(zi, Z(p));
  ptEncodeWithInv(dst, p, zi);
}

/** Encoding given zinv = 1/Z (lets two encodings share one inversion). */
export function ptEncodeWithInv(dst: usize, p: usize, zinv: usize): void {
  fmul(xa, X(p), zinv);
  fmul(ya, Y(p), zinv);
  fstore(dst, ya);
  store<u8>(dst + 56, <u8>(fparity(xa) << 7));
}

/** Affine (x, y) of p into niels form (x, y, d·x·y), given 1/Z. */
export function ptToNielsWithInv(n: usize, p: usize, zinv: usize): void {
  fmul(n, X(p), zinv);
  fmul(n + 128, Y(p), zinv);
  fmul(n + 256, n, n + 128);
  fmulSmall(n + 256, n + 256, D_ABS);
  fneg(n + 256, n + 256);
}

const u0: usize = memory.data(128, 16);
const v0: usize = memory.data(128, 16);
const w0: usize = memory.data(128, 16);
const xx: usize = memory.data(128, 16);

/**
 * Zeroes the point-formula temporaries and the encoding scratch: after a fixed-base product
 * they hold coordinates of partial sums of a secret scalar's digits.
 */
export function ewipe(): void {
  memory.fill(a0, 0, 128);
  memory.fill(b0, 0, 128);
  memory.fill(c0, 0, 128);
  memory.fill(d0, 0, 128);
  memory.fill(e0, 0, 128);
  memory.fill(f0, 0, 128);
  memory.fill(g0, 0, 128);
  memory.fill(h0, 0, 128);
  memory.fill(zi, 0, 128);
  memory.fill(xa, 0, 128);
  memory.fill(ya, 0, 128);
  memory.fill(u0, 0, 128);
  memory.fill(v0, 0, 128);
  memory.fill(w0, 0, 128);
  memory.fill(xx, 0, 128);
}

/**
 * RFC 8032 §5.2.3 decoding into extended coordinates. Returns 1 on success, 0 when the
 * encoding is not canonical (y >= p, stray bits, x = 0 with the sign bit) or y is not the
 * y-coordinate of a curve point. Time depends only on the public encoding.
 */
export function ptDecode(p: usize, src: usize): i32 {
  const last = load<u8>(src + 56);
  if ((last & 0x7f) != 0) return 0;
  fload(Y(p), src);
  // canonical: re-encode and compare
  fstore(w0, Y(p));
  for (let i: usize = 0; i < 56; i++) if (load<u8>(w0 + i) != load<u8>(src + i)) return 0;
  // x² = (y² − 1) / (d·y² − 1) = u / v;  x = u³v·(u⁵v³)^((p−3)/4)
  fsqr(u0, Y(p));
  fmulSmall(v0, u0, D_ABS);
  fneg(v0, v0);
  fsetSmall(w0, 1);
  fsub(u0, u0, w0);            // u = y² − 1
  fsub(v0, v0, w0);            // v = d·y² − 1
  fsqr(w0, u0);
  fmul(w0, w0, u0);            // u³
  fmul(w0, w0, v0);            // u³v
  fsqr(xx, u0);
  fmul(xx, xx, w0);            // u⁵v
  fsqr(zi, v0);
  fmul(xx, xx, zi);            // u⁵v³
  fpowP34(xx, xx);
  fmul(xx, xx, w0);            // x candidate
  fsqr(w0, xx);
  fmul(w0, w0, v0);
  if (!fequal(w0, u0)) return 0; // (u/v has no square root)
  const sign = <i32>(last >> 7);
  const xzero = fisZero(xx);
  if (xzero && sign) return 0;
  if (fparity(xx) != sign) fneg(xx, xx);
  fcopy(X(p), xx);
  fsetSmall(Z(p), 1);
  fmul(T(p), X(p), Y(p));
  return 1;
}

/** Is p the identity (X = 0 and Y = Z)? */
export function ptIsIdentity(p: usize): i32 {
  fsub(w0, Y(p), Z(p));
  return fisZero(X(p)) & fisZero(w0);
}

