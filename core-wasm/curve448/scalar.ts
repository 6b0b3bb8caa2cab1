// Scalar arithmetic modulo the group order L = 2^446 − c, c < 2^224 (RFC 8032 §5.2, crypto.md §2;
// also the X448 prime-subgroup order q). Constant time: fixed loop bounds, no branches or
// memory indices that depend on values, final subtraction selected by mask.
//
// Numbers are arrays of 28-bit limbs in i64 (the field's radix). A work buffer holds up to
// 34 limbs (952 bits), enough for a 114-byte SHAKE256 output or a 56 × 56-byte product plus
// an addend. Reduction folds X = H·2^446 + Lo ≡ Lo + H·c four times (each fold shrinks H by
// about 222 bits: 952 → 730 → 508 → 286 → < 2^446 + 2^224), then subtracts L once if possible.

const M: i64 = 0xfffffff;
const N: i32 = 34;

/** c = 2^446 − L in 8 limbs. */
const C_LIMBS: usize = memory.data<i64>([78101261, 141809365, 175155932, 64542499, 158326419, 191173276, 104575268, 137584065]);
/** L in 16 limbs. */
const L_LIMBS: usize = memory.data<i64>([
  190334195, 126626090, 93279523, 203892956, 110109036, 77262179, 163860187, 130851390,
  268435455, 268435455, 268435455, 268435455, 268435455, 268435455, 268435455, 67108863,
]);
/** 8L in 17 limbs (> any 56-byte input), for subtraction without underflow. */
const L8_LIMBS: usize = memory.data<i64>([
  180496280, 207702357, 209365275, 20530914, 75565926, 81226523, 237139674, 241504756,
  268435451, 268435455, 268435455, 268435455, 268435455, 268435455, 268435455, 268435455, 1,
]);

const W: usize = memory.data(N * 8, 16);   // work number
const H: usize = memory.data(20 * 8, 16);  // high part during a fold
const A: usize = memory.data(16 * 8, 16);
const B: usize = memory.data(16 * 8, 16);
const T: usize = memory.data(16 * 8, 16);

/** Zeroes the scalar scratch (called after operations on secret scalars). */
export function swipe(): void {
  memory.fill(W, 0, N * 8);
  memory.fill(H, 0, 20 * 8);
  memory.fill(A, 0, 128);
  memory.fill(B, 0, 128);
  memory.fill(T, 0, 128);
}

/** Reads `len` (<= 119) little-endian bytes into W as 28-bit limbs; the rest of W is zeroed. */
function loadWide(src: usize, len: i32): void {
  memory.fill(W, 0, N * 8);
  for (let i = 0; i < len; i++) {
    const bit = i * 8;
    const limb = bit / 28;
    const off = bit % 28;
    const v = <i64>load<u8>(src + <usize>i);
    store<i64>(W + <usize>limb * 8, load<i64>(W + <usize>limb * 8) | ((v << off) & M));
    if (off > 20) store<i64>(W + <usize>(limb + 1) * 8, load<i64>(W + <usize>(limb + 1) * 8) | (v >> (28 - off)));
  }
}

/** Reads a 56-byte scalar (any value < 2^448) into 16 limbs at dst. */
export function sload56(dst: usize, src: usize): void {
  for (let k: usize = 0; k < 8; k++) {
    let v: u64 = 0;
    for (let b: usize = 0; b < 7; b++) v |= (<u64>load<u8>(src + k * 7 + b)) << (b * 8);
    store<i64>(dst + k * 16, <i64>(v & 0xfffffff));
    store<i64>(dst + k * 16 + 8, <i64>(v >> 28));
  }
}

/** Writes 16 canonical limbs as 56 little-endian bytes. */
export function sstore56(dst: usize, src: usize): void {
  for (let k: usize = 0; k < 8; k++) {
    const v: u64 = <u64>load<i64>(src + k * 16) | (<u64>load<i64>(src + k * 16 + 8) << 28);
    for (let b: usize = 0; b < 7; b++) store<u8>(dst + k * 7 + b, <u8>(v >> (b * 8)));
  }
}

/** Propagates carries through W (signed limbs allowed as long as the value is non-negative). */
function normalize(): void {
  let c: i64 = 0;
  for (let i = 0; i < N; i++) {
    const p = W + <usize>i * 8;
    const v = load<i64>(p) + c;
    store<i64>(p, v & M);
    c = v >> 28;
  }
}

/** W ← Lo(W) + Hi(W)·c with Hi = W >> 446 (bit 446 = limb 15, bit 26). */
function fold(): void {
  for (let i = 0; i < 19; i++) {
    const lo = load<i64>(W + <usize>(15 + i) * 8) >> 26;
    const hi = 15 + i + 1 < N ? (load<i64>(W + <usize>(16 + i) * 8) & 0x3ffffff) << 2 : 0;
    store<i64>(H + <usize>i * 8, lo | hi);
  }
  store<i64>(W + 15 * 8, load<i64>(W + 15 * 8) & 0x3ffffff);
  for (let i = 16; i < N; i++) store<i64>(W + <usize>i * 8, 0);
  for (let i = 0; i < 19; i++) {
    const h = load<i64>(H + <usize>i * 8);
    for (let j = 0; j < 8; j++) {
      const p = W + <usize>(i + j) * 8;
      store<i64>(p, load<i64>(p) + h * load<i64>(C_LIMBS + <usize>j * 8));
    }
  }
  normalize();
}

/** Reduces W (normalized, < 2^952) mod L into 16 canonical limbs at dst. */
function reduceInto(dst: usize): void {
  fold();
  fold();
  fold();
  fold();
  // t = W − L; keep W when it borrows
  let borrow: i64 = 0;
  for (let i = 0; i < 16; i++) {
    const v = load<i64>(W + <usize>i * 8) - load<i64>(L_LIMBS + <usize>i * 8) + borrow;
    store<i64>(T + <usize>i * 8, v & M);
    borrow = v >> 28;
  }
  const keep = borrow; // −1 when W < L
  for (let i = 0; i < 16; i++) {
    const w = load<i64>(W + <usize>i * 8);
    store<i64>(dst + <usize>i * 8, (w & keep) | (load<i64>(T + <usize>i * 8) & ~keep));
  }
}

/** dst (16 limbs) = (little-endian bytes src[0..len)) mod L, len <= 114. */
export function sreduceBytes(dst: usize, src: usize, len: i32): void {
  loadWide(src, len);
  reduceInto(dst);
}

/** dst = (a·b + c) mod L; a, b, c 16-limb values < 2^448 (dst may alias). */
export function smuladd(dst: usize, a: usize, b: usize, c: usize): void {
  memory.copy(A, a, 128);
  memory.copy(B, b, 128);
  memory.fill(W, 0, N * 8);
  for (let i = 0; i < 16; i++) store<i64>(W + <usize>i * 8, load<i64>(c + <usize>i * 8));
  for (let i = 0; i < 16; i++) {
    const x = load<i64>(A + <usize>i * 8);
    for (let j = 0; j < 16; j++) {
      const p = W + <usize>(i + j) * 8;
      store<i64>(p, load<i64>(p) + x * load<i64>(B + <usize>j * 8));
    }
    // keep the accumulators small: carry the finished limb i
    const p = W + <usize>i * 8;
    const v = load<i64>(p);
    store<i64>(p, v & M);
    store<i64>(p + 8, load<i64>(p + 8) + (v >> 28));
  }
  normalize();
  reduceInto(dst);
}

/** dst = (a + b) mod L. */
export function sadd(dst: usize, a: usize, b: usize): void {
  memory.fill(W, 0, N * 8);
  for (let i = 0; i < 16; i++) store<i64>(W + <usize>i * 8, load<i64>(a + <usize>i * 8) + load<i64>(b + <usize>i * 8));
  normalize();
  reduceInto(dst);
}

/** dst = (a − b) mod L, computed as a + 8L − b (never negative for inputs < 2^448). */
export function ssub(dst: usize, a: usize, b: usize): void {
  memory.fill(W, 0, N * 8);
  for (let i = 0; i < 16; i++) {
    store<i64>(W + <usize>i * 8, load<i64>(a + <usize>i * 8) + load<i64>(L8_LIMBS + <usize>i * 8) - load<i64>(b + <usize>i * 8));
  }
  store<i64>(W + 16 * 8, load<i64>(L8_LIMBS + 16 * 8));
  normalize();
  reduceInto(dst);
}

/**
 * Signed radix-16 recoding of a canonical scalar (< L < 2^446): 112 digits e_i in [−8, 7]
 * with Σ e_i·16^i = s (constant time: the carry is arithmetic, not a branch).
 */
export function srecode16(digits: usize, s: usize): void {
  for (let k = 0; k < 112; k++) {
    const limb = load<i64>(s + <usize>(k / 7) * 8);
    store<i8>(digits + <usize>k, <i8>((limb >> (<i64>(k % 7) * 4)) & 15));
  }
  let carry: i32 = 0;
  for (let k = 0; k < 111; k++) {
    const d = <i32>load<i8>(digits + <usize>k) + carry;
    carry = (d + 8) >> 4;
    store<i8>(digits + <usize>k, <i8>(d - (carry << 4)));
  }
  store<i8>(digits + 111, <i8>(<i32>load<i8>(digits + 111) + carry));
}
