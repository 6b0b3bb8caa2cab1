// Precomputed multiples of the Ed448 base point B (RFC 8032 §5.2) and the fixed-base product.
//
// Signing and key generation (secret scalars) use a signed radix-16 comb:
//   s = Σ_{i<112} e_i·16^i, e_i ∈ [−8, 8]  →  s·B = 16·Σ_r e_{2r+1}·(16^{2r}B) + Σ_r e_{2r}·(16^{2r}B)
// with a table of j·16^{2r}·B for r < 56, j = 1…8 (448 affine niels points, 86 KB as u32 limbs):
// 112 mixed additions and 4 doublings. Each lookup reads all 8 entries of its row and keeps the
// wanted one with a mask (design.md: no secret-dependent branch or memory index); the sign is
// applied by a masked conditional negation.
//
// Verification (public scalars) uses odd multiples B, 3B, …, 63B (width-7 wNAF) — see verify.ts.

import { fcmov, fcopy, ffreeze, finv, fmul, fneg } from './field';
import { ptAdd, ptAddNiels, ptCopy, ptDouble, ptIdentity, ptToNielsWithInv } from './edwards';
import { srecode16 } from './scalar';

const ROWS: i32 = 56;
const ENTRY_WORDS: i32 = 48; // 3 coordinates × 16 limbs, u32 each
const ENTRY_BYTES: usize = 192;
export const TABLE: usize = memory.data(56 * 8 * 192, 16);
/** Odd multiples (2i+1)·B, i < 32, as i64 niels points (for verification). */
export const BODD: usize = memory.data(32 * 384, 16);

/** RFC 8032 §5.2 encoding of B. */
export const B_ENC: usize = memory.data<u8>([
  0x14, 0xfa, 0x30, 0xf2, 0x5b, 0x79, 0x08, 0x98, 0xad, 0xc8, 0xd7, 0x4e, 0x2c, 0x13, 0xbd, 0xfd,
  0xc4, 0x39, 0x7c, 0xe6, 0x1c, 0xff, 0xd3, 0x3a, 0xd7, 0xc2, 0xa0, 0x05, 0x1e, 0x9c, 0x78, 0x87,
  0x40, 0x98, 0xa3, 0x6c, 0x73, 0x73, 0xea, 0x4b, 0x62, 0xc7, 0xc9, 0x56, 0x37, 0x20, 0x76, 0x88,
  0x24, 0xbc, 0xb6, 0x6e, 0x71, 0x46, 0x3f, 0x69, 0x00,
]);

const BATCH_ROWS: i32 = 4;                         // rows normalized per inversion
const ROWPTS: usize = memory.data(32 * 512, 16);  // j·P for the rows being built (extended)
const PREFIX: usize = memory.data(32 * 128, 16);  // prefix products of Z for batch inversion
const INV: usize = memory.data(128, 16);
const ZI: usize = memory.data(128, 16);
const TMPN: usize = memory.data(384, 16);
const BASE: usize = memory.data(512, 16);
const ACC: usize = memory.data(512, 16);
const SEL: usize = memory.data(384, 16);
const NEGT: usize = memory.data(128, 16);
const DIGITS: usize = memory.data(112, 16);

/** Normalizes `count` extended points at pts to affine niels at out (one inversion, Montgomery's trick). */
export function batchToNiels(out: usize, pts: usize, count: i32, outStride: usize, asU32: bool): void {
  fcopy(PREFIX, pts + 256);
  for (let k = 1; k < count; k++) {
    fmul(PREFIX + <usize>k * 128, PREFIX + <usize>(k - 1) * 128, pts + <usize>k * 512 + 256);
  }
  finv(INV, PREFIX + <usize>(count - 1) * 128);
  for (let k = count - 1; k >= 0; k--) {
    if (k > 0) {
      fmul(ZI, INV, PREFIX + <usize>(k - 1) * 128);
      fmul(INV, INV, pts + <usize>k * 512 + 256);
    } else {
      fcopy(ZI, INV);
    }
    ptToNielsWithInv(TMPN, pts + <usize>k * 512, ZI);
    const dst = out + <usize>k * outStride;
    if (asU32) {
      // canonical limbs fit in 28 bits: store compactly
      for (let c = 0; c < 3; c++) {
        const src = TMPN + <usize>c * 128;
        freezeInPlace(src);
        for (let i = 0; i < 16; i++) store<u32>(dst + <usize>(c * 16 + i) * 4, <u32>load<i64>(src + <usize>i * 8));
      }
    } else {
      memory.copy(dst, TMPN, 384);
    }
  }
}

function freezeInPlace(a: usize): void {
  ffreeze(a, a);
}

/** Builds both tables from B (a few ms, 18 inversions; called once by `init`). */
export function buildTables(basePoint: usize): void {
  ptCopy(BASE, basePoint);
  for (let r0 = 0; r0 < ROWS; r0 += BATCH_ROWS) {
    for (let b = 0; b < BATCH_ROWS; b++) {
      const row = ROWPTS + <usize>(b * 8) * 512;
      ptCopy(row, BASE);
      for (let j = 1; j < 8; j++) ptAdd(row + <usize>j * 512, row + <usize>(j - 1) * 512, BASE);
      // next row base: 256·P = 32·(8P)
      ptDouble(BASE, row + 7 * 512);
      for (let k = 0; k < 4; k++) ptDouble(BASE, BASE);
    }
    batchToNiels(TABLE + <usize>r0 * 8 * ENTRY_BYTES, ROWPTS, BATCH_ROWS * 8, ENTRY_BYTES, true);
  }
  // odd multiples of B: 1, 3, …, 63 in four batches of 8
  ptCopy(BASE, basePoint);
  ptDouble(ACC, basePoint); // 2B
  for (let batch = 0; batch < 4; batch++) {
    for (let j = 0; j < 8; j++) {
      const idx = batch * 8 + j;
      if (idx == 0) ptCopy(ROWPTS, basePoint);
      else ptAdd(ROWPTS + <usize>j * 512, j == 0 ? BASE : ROWPTS + <usize>(j - 1) * 512, ACC);
    }
    ptCopy(BASE, ROWPTS + 7 * 512);
    batchToNiels(BODD + <usize>batch * 8 * 384, ROWPTS, 8, 384, false);
  }
}

/**
 * SEL ← e·(16^{2r}B) as an i64 niels point, for a digit e ∈ [−8, 8], in constant time: every
 * word of all 8 entries of the row is read and masked (the mask of entry j is all ones iff
 * |e| = j); the sign is applied by a masked negation.
 */
function select(r: i32, e: i32): void {
  const neg = e >> 31;                 // −1 if e < 0
  const ae = (e ^ neg) - neg;          // |e|
  const m1 = <i64>(((ae ^ 1) - 1) >> 31);
  const m2 = <i64>(((ae ^ 2) - 1) >> 31);
  const m3 = <i64>(((ae ^ 3) - 1) >> 31);
  const m4 = <i64>(((ae ^ 4) - 1) >> 31);
  const m5 = <i64>(((ae ^ 5) - 1) >> 31);
  const m6 = <i64>(((ae ^ 6) - 1) >> 31);
  const m7 = <i64>(((ae ^ 7) - 1) >> 31);
  const m8 = <i64>(((ae ^ 8) - 1) >> 31);
  const row = TABLE + <usize>r * 8 * ENTRY_BYTES;
  // two 28-bit limbs (stored as u32) per 64-bit load
  for (let w: usize = 0; w < <usize>ENTRY_WORDS; w += 2) {
    const q = row + w * 4;
    const v = (load<i64>(q, 0) & m1) | (load<i64>(q, 192) & m2) | (load<i64>(q, 384) & m3)
      | (load<i64>(q, 576) & m4) | (load<i64>(q, 768) & m5) | (load<i64>(q, 960) & m6)
      | (load<i64>(q, 1152) & m7) | (load<i64>(q, 1344) & m8);
    store<i64>(SEL + w * 8, v & 0xffffffff);
    store<i64>(SEL + w * 8 + 8, <i64>(<u64>v >> 32));
  }
  // e = 0 selects the identity (0, 1, 0)
  const z = <i64>((ae - 1) >> 31);
  store<i64>(SEL + 128, load<i64>(SEL + 128) | (1 & z));
  // conditional negation: (x, y, dxy) → (−x, y, −dxy)
  const m = <i64>neg;
  fneg(NEGT, SEL);
  fcmov(SEL, NEGT, m);
  fneg(NEGT, SEL + 256);
  fcmov(SEL + 256, NEGT, m);
}

/**
 * Zeroes the digits, the selected entry and the accumulator (all secret-dependent) after a
 * fixed-base product. The tables themselves are multiples of the public base point.
 */
export function twipe(): void {
  memory.fill(DIGITS, 0, 112);
  memory.fill(ACC, 0, 512);
  memory.fill(SEL, 0, 384);
  memory.fill(NEGT, 0, 128);
}

/** out = s·B for a canonical scalar s (16 limbs, < L), constant time. */
export function baseMul(out: usize, s: usize): void {
  srecode16(DIGITS, s);
  ptIdentity(ACC);
  for (let r = 0; r < ROWS; r++) {
    select(r, <i32>load<i8>(DIGITS + <usize>(2 * r + 1)));
    ptAddNiels(ACC, ACC, SEL);
  }
  ptDouble(ACC, ACC);
  ptDouble(ACC, ACC);
  ptDouble(ACC, ACC);
  ptDouble(ACC, ACC);
  for (let r = 0; r < ROWS; r++) {
    select(r, <i32>load<i8>(DIGITS + <usize>(2 * r)));
    ptAddNiels(ACC, ACC, SEL);
  }
  ptCopy(out, ACC);
}

