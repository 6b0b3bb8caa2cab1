// Ed448 verification core (RFC 8032 §5.2.7): R' = [S]B − [k]A by Straus' interleaved
// double-scalar multiplication over sliding-window signed digits (wNAF-like, ref10 "slide"),
// then encode(R') == R. Variable time — every input is public (design.md allows it).
// The check is cofactorless, as OpenSSL's (the `native` provider), so providers agree.

import { NIELS, ptAdd, ptAddNiels, ptDecode, ptDouble, ptDoubleNoT, ptEncode, ptIdentity, ptNeg, ptSubNiels } from './edwards';
import { BODD } from './table';

const SA: usize = memory.data(450, 16);
const SB: usize = memory.data(450, 16);
const APTS: usize = memory.data(8 * 512, 16);   // (2i+1)·(−A), i < 8
const NEG: usize = memory.data(512, 16);
const Q: usize = memory.data(512, 16);
const A2: usize = memory.data(512, 16);
const ENC: usize = memory.data(64, 16);

/** Signed sliding-window digits of a 56-byte scalar: odd digits with |d| <= max, or 0. */
function slide(r: usize, a: usize, max: i32): void {
  for (let i = 0; i < 448; i++) store<i8>(r + <usize>i, <i8>((load<u8>(a + <usize>(i >> 3)) >> <u8>(i & 7)) & 1));
  store<i8>(r + 448, 0);
  store<i8>(r + 449, 0);
  for (let i = 0; i < 450; i++) {
    if (load<i8>(r + <usize>i) == 0) continue;
    for (let b = 1; b <= 7 && i + b < 450; b++) {
      const rb = <i32>load<i8>(r + <usize>(i + b));
      if (rb == 0) continue;
      const ri = <i32>load<i8>(r + <usize>i);
      if (ri + (rb << b) <= max) {
        store<i8>(r + <usize>i, <i8>(ri + (rb << b)));
        store<i8>(r + <usize>(i + b), 0);
      } else if (ri - (rb << b) >= -max) {
        store<i8>(r + <usize>i, <i8>(ri - (rb << b)));
        for (let k = i + b; k < 450; k++) {
          if (load<i8>(r + <usize>k) == 0) {
            store<i8>(r + <usize>k, 1);
            break;
          }
          store<i8>(r + <usize>k, 0);
        }
      } else {
        break;
      }
    }
  }
}

/**
 * Returns 0 when [S]B − [k]A encodes to exactly the 57 bytes at r, 1 when it does not,
 * 2 when a does not decode to a curve point, 3 when r does not (checked only on mismatch).
 * a, r: 57-byte encodings; s, k: 56-byte little-endian scalars (S < L, k reduced).
 */
export function edVerify(a: usize, r: usize, s: usize, k: usize, scratch: usize): i32 {
  if (!ptDecode(APTS, a)) return 2;
  ptNeg(APTS, APTS);
  ptDouble(A2, APTS);
  for (let i = 1; i < 8; i++) ptAdd(APTS + <usize>i * 512, APTS + <usize>(i - 1) * 512, A2);
  slide(SA, k, 15);
  slide(SB, s, 63);
  let top = 449;
  while (top >= 0 && load<i8>(SA + <usize>top) == 0 && load<i8>(SB + <usize>top) == 0) top--;
  ptIdentity(Q);
  for (let i = top; i >= 0; i--) {
    const da = <i32>load<i8>(SA + <usize>i);
    const db = <i32>load<i8>(SB + <usize>i);
    if (da != 0 || db != 0) ptDouble(Q, Q);
    else ptDoubleNoT(Q, Q);
    if (da > 0) ptAdd(Q, Q, APTS + <usize>(da >> 1) * 512);
    else if (da < 0) {
      ptNeg(NEG, APTS + <usize>((-da) >> 1) * 512);
      ptAdd(Q, Q, NEG);
    }
    if (db > 0) ptAddNiels(Q, Q, BODD + <usize>(db >> 1) * NIELS);
    else if (db < 0) ptSubNiels(Q, Q, BODD + <usize>((-db) >> 1) * NIELS);
  }
  ptEncode(ENC, Q);
  let diff = 0;
  for (let i: usize = 0; i < 57; i++) diff |= load<u8>(ENC + i) ^ load<u8>(r + i);
  if (diff == 0) return 0;
  return ptDecode(scratch, r) ? 1 : 3;
}

