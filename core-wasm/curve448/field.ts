// Field arithmetic mod p = 2^448 − 2^224 − 1 (crypto.md §2) on 16 limbs of 28 bits held in i64
// ("Goldilocks" radix, design.md). A field element is 128 bytes of linear memory (16 × i64,
// little-endian limb order). Multiplication and squaring are generated (fmul.ts); everything
// here is constant time: no branch or memory index depends on a field value.
//
// Invariant: every function returns "tight" limbs (0 <= limb < 2^28 + 2^8) except `faddnc`,
// whose "loose" result (< 2^29 + 2^9) may only feed fmul, fsqr, fsub or fmulSmall (see the
// bounds in gen/field-mul.mjs). Canonical form (value < p, limbs < 2^28) is produced only by
// `ffreeze`, for encoding and comparison.

import { fadd, faddnc, faddsub, fcmov, fcswap, fcswap2, fmul, fmulSmall, fmulSmallAdd, fneg, fsqr, fsub, fsub2, fsubDbl } from './fmul';

export { fadd, faddnc, faddsub, fcmov, fcswap, fcswap2, fmul, fmulSmall, fmulSmallAdd, fneg, fsqr, fsub, fsub2, fsubDbl };

export const FE: usize = 128;
const M: i64 = 0xfffffff;

// scratch for the exponentiation chains (never shared across nested calls)
const T0: usize = memory.data(128, 16);
const T1: usize = memory.data(128, 16);
const T2: usize = memory.data(128, 16);
const T3: usize = memory.data(128, 16);
const T4: usize = memory.data(128, 16);
const FR: usize = memory.data(128, 16);
const FZ: usize = memory.data(128, 16); // ffreeze's private scratch

/**
 * Zeroes the field scratch above: after an inversion or an encoding it holds powers of, or the
 * canonical form of, whatever was inverted or stored — a shared secret or a ladder coordinate.
 */
export function fwipe(): void {
  memory.fill(T0, 0, 128);
  memory.fill(T1, 0, 128);
  memory.fill(T2, 0, 128);
  memory.fill(T3, 0, 128);
  memory.fill(T4, 0, 128);
  memory.fill(FR, 0, 128);
  memory.fill(FZ, 0, 128);
}






export function fcopy(o: usize, a: usize): void {
  memory.copy(o, a, 128);
}

/** o = small non-negative integer v < 2^28. */
export function fsetSmall(o: usize, v: i64): void {
  memory.fill(o, 0, 128);
  store<i64>(o, v);
}

/** o = a squared n times (n >= 1). */
export function fsqrn(o: usize, a: usize, n: i32): void {
  fsqr(o, a);
  for (let i = 1; i < n; i++) fsqr(o, o);
}

/**
 * o = a^((p−3)/4) = a^(2^446 − 2^222 − 1) by a fixed addition chain:
 * (p−3)/4 = (2^223 − 1)·2^223 + (2^222 − 1). Building blocks x_k = a^(2^k − 1):
 * x2, x3, x6, x12, x24, x30, x48, x96, x192, x222, x223. 451 squarings, 12 multiplications.
 * Used for inversion (a^(p−2) = (a^((p−3)/4))^4 · a) and square roots (a^((p+1)/4) = a · a^((p−3)/4)).
 */
export function fpowP34(o: usize, a: usize): void {
  fsqr(T0, a); fmul(T0, T0, a);            // x2
  fsqr(T0, T0); fmul(T0, T0, a);           // x3
  fsqrn(T1, T0, 3); fmul(T1, T1, T0);      // x6
  fsqrn(T2, T1, 6); fmul(T2, T2, T1);      // x12
  fsqrn(T3, T2, 12); fmul(T3, T3, T2);     // x24
  fsqrn(T4, T3, 6); fmul(T4, T4, T1);      // x30
  fsqrn(T2, T3, 24); fmul(T2, T2, T3);     // x48
  fsqrn(T3, T2, 48); fmul(T3, T3, T2);     // x96
  fsqrn(T2, T3, 96); fmul(T2, T2, T3);     // x192
  fsqrn(T3, T2, 30); fmul(T3, T3, T4);     // x222
  fsqr(T2, T3); fmul(T2, T2, a);           // x223
  fsqrn(T2, T2, 223); fmul(o, T2, T3);     // x223·2^223 + x222
}

/** o = a^(p−2) = a^−1 (0 ↦ 0). */
export function finv(o: usize, a: usize): void {
  fpowP34(FR, a);
  fsqr(FR, FR);
  fsqr(FR, FR);
  fmul(o, FR, a);
}

/**
 * Full reduction to the canonical representative: limbs < 2^28 and value < p. Three carry
 * passes bring the value below 2^448; then p is subtracted when the result does not borrow
 * (select by mask, no branch).
 */
export function ffreeze(o: usize, a: usize): void {
  if (o != a) fcopy(o, a);
  for (let pass = 0; pass < 3; pass++) {
    let c: i64 = 0;
    for (let i: usize = 0; i < 128; i += 8) {
      const v = load<i64>(o + i) + c;
      store<i64>(o + i, v & M);
      c = v >> 28;
    }
    store<i64>(o, load<i64>(o) + c);
    store<i64>(o + 64, load<i64>(o + 64) + c);
  }
  // t = o − p
  let borrow: i64 = 0;
  for (let i: usize = 0; i < 128; i += 8) {
    const pl: i64 = i == 64 ? 0xffffffe : 0xfffffff;
    const v = load<i64>(o + i) - pl + borrow;
    store<i64>(FZ + i, v & M);
    borrow = v >> 28; // 0 or −1
  }
  // borrow == −1: o < p, keep o; borrow == 0: take t
  const keep = borrow; // all ones when keeping o
  for (let i: usize = 0; i < 128; i += 8) {
    store<i64>(o + i, (load<i64>(o + i) & keep) | (load<i64>(FZ + i) & ~keep));
  }
}

/** Reads 56 little-endian bytes (any value < 2^448; not reduced) into limbs. */
export function fload(o: usize, src: usize): void {
  for (let k: usize = 0; k < 8; k++) {
    let v: u64 = 0;
    for (let b: usize = 0; b < 7; b++) v |= (<u64>load<u8>(src + k * 7 + b)) << (b * 8);
    store<i64>(o + k * 16, <i64>(v & 0xfffffff));
    store<i64>(o + k * 16 + 8, <i64>(v >> 28));
  }
}

/** Writes the canonical 56-byte little-endian encoding of a. */
export function fstore(dst: usize, a: usize): void {
  ffreeze(FR, a);
  for (let k: usize = 0; k < 8; k++) {
    const v: u64 = <u64>load<i64>(FR + k * 16) | (<u64>load<i64>(FR + k * 16 + 8) << 28);
    for (let b: usize = 0; b < 7; b++) store<u8>(dst + k * 7 + b, <u8>(v >> (b * 8)));
  }
}

/** 1 if a ≡ 0 (mod p), else 0 — constant time. */
export function fisZero(a: usize): i32 {
  ffreeze(T0, a);
  let acc: i64 = 0;
  for (let i: usize = 0; i < 128; i += 8) acc |= load<i64>(T0 + i);
  return <i32>(((acc - 1) >> 63) & 1) ;
}

/** Low bit of the canonical value (the RFC 8032 "sign" of x; the Mesh v-parity). */
export function fparity(a: usize): i32 {
  ffreeze(T0, a);
  return <i32>(load<i64>(T0) & 1);
}

/** 1 if a ≡ b (mod p), else 0 — constant time. */
export function fequal(a: usize, b: usize): i32 {
  fsub(T1, a, b);
  return fisZero(T1);
}


