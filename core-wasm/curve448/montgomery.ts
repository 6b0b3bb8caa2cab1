// Curve448 in Montgomery form v² = u³ + A·u² + u, A = 156326 (RFC 7748 §4.2; crypto.md §2–§3).
//
// - `ladder`: the RFC 7748 §5 ladder over bits 447…0 with the scalar used as given (no
//   clamping: the caller clamps for RFC 7748, composite Mesh keys are never clamped), constant
//   time — the swap is a masked exchange, every iteration does the same work.
// - `recoverV`: Okeya–Sakurai v-recovery (threshold-06 §5.2.5), `add`: affine addition with the
//   doubling branch, `decodeSigned`/`encodeSigned`: the Mesh's 57-byte signed form.
// - `fromEdwards`: the 4-isogeny u = y²/x², v = (2 − x² − y²)·y/x³ that maps the Ed448 base to the
//   X448 base, so X448 public keys come from the constant-time Edwards comb.

import { fadd, faddsub, fcopy, fcswap2, fequal, finv, fisZero, fload, fmul, fmulSmall, fmulSmallAdd, fneg, fparity, fpowP34, fsetSmall, fsqr, fstore, fsub } from './field';

const A_MONT: i64 = 156326;
const A24: i64 = 39081;

const X1: usize = memory.data(128, 16);
const X2: usize = memory.data(128, 16);
const Z2: usize = memory.data(128, 16);
const X3: usize = memory.data(128, 16);
const Z3: usize = memory.data(128, 16);
const TA: usize = memory.data(128, 16);
const TAA: usize = memory.data(128, 16);
const TB: usize = memory.data(128, 16);
const TBB: usize = memory.data(128, 16);
const TE: usize = memory.data(128, 16);
const TC: usize = memory.data(128, 16);
const TD: usize = memory.data(128, 16);
const TDA: usize = memory.data(128, 16);
const TCB: usize = memory.data(128, 16);

/**
 * Zeroes the ladder state (a function of the secret scalar) and the scratch of v-recovery,
 * addition and decoding (which see the ladder's outputs and the points derived from them).
 */
export function mwipe(): void {
  memory.fill(X1, 0, 128);
  memory.fill(W1, 0, 128);
  memory.fill(W2, 0, 128);
  memory.fill(W3, 0, 128);
  memory.fill(W4, 0, 128);
  memory.fill(L1, 0, 128);
  memory.fill(L2, 0, 128);
  memory.fill(L3, 0, 128);
  memory.fill(ENCB, 0, 64);
  memory.fill(X2, 0, 128);
  memory.fill(Z2, 0, 128);
  memory.fill(X3, 0, 128);
  memory.fill(Z3, 0, 128);
  memory.fill(TA, 0, 128);
  memory.fill(TB, 0, 128);
  memory.fill(TAA, 0, 128);
  memory.fill(TBB, 0, 128);
  memory.fill(TC, 0, 128);
  memory.fill(TD, 0, 128);
  memory.fill(TDA, 0, 128);
  memory.fill(TCB, 0, 128);
  memory.fill(TE, 0, 128);
}

/** Ladder state after the final swap: (X2:Z2) = k·P, (X3:Z3) = (k+1)·P. Outputs at x2..z3 (field elements). */
export function ladder(k: usize, u: usize, x2: usize, z2: usize, x3: usize, z3: usize): void {
  fload(X1, u);
  fsetSmall(X2, 1);
  fsetSmall(Z2, 0);
  fcopy(X3, X1);
  fsetSmall(Z3, 1);
  let swap: i64 = 0;
  for (let t = 447; t >= 0; t--) {
    const kt = <i64>((load<u8>(k + <usize>(t >> 3)) >> <u8>(t & 7)) & 1);
    swap ^= kt;
    fcswap2(X2, X3, Z2, Z3, -swap);
    swap = kt;
    faddsub(TA, TB, X2, Z2);        // A = X2 + Z2 (loose), B = X2 − Z2
    fsqr(TAA, TA);
    fsqr(TBB, TB);
    fsub(TE, TAA, TBB);             // E = AA − BB
    faddsub(TC, TD, X3, Z3);        // C = X3 + Z3 (loose), D = X3 − Z3
    fmul(TDA, TD, TA);
    fmul(TCB, TC, TB);
    faddsub(X3, Z3, TDA, TCB);      // DA + CB (loose), DA − CB
    fsqr(X3, X3);
    fsqr(Z3, Z3);
    fmul(Z3, Z3, X1);
    fmul(X2, TAA, TBB);
    fmulSmallAdd(Z2, TE, A24, TAA); // AA + a24·E
    fmul(Z2, Z2, TE);
  }
  fcswap2(X2, X3, Z2, Z3, -swap);
  fcopy(x2, X2);
  fcopy(z2, Z2);
  fcopy(x3, X3);
  fcopy(z3, Z3);
}

const W1: usize = memory.data(128, 16);
const W2: usize = memory.data(128, 16);
const W3: usize = memory.data(128, 16);
const W4: usize = memory.data(128, 16);

/**
 * Okeya–Sakurai (crypto.md §3): for P = (xp, yp) and the ladder state,
 * Y' = [(X2 + xp·Z2 + 2A·Z2)(xp·X2 + Z2) − 2A·Z2²]·Z3 − (X2 − xp·Z2)²·X3, W = 2·yp·Z2·Z3,
 * u = W·X2/(W·Z2), v = Y'/(W·Z2). Returns 0 when W·Z2 = 0 (k·P = O, or yp = 0).
 */
export function recoverV(ou: usize, ov: usize, xp: usize, yp: usize, x2: usize, z2: usize, x3: usize, z3: usize): i32 {
  fmul(W1, xp, z2);                 // xp·Z2
  fadd(W2, x2, W1);
  fmulSmall(W3, z2, 2 * A_MONT);
  fadd(W2, W2, W3);                 // X2 + xp·Z2 + 2A·Z2
  fmul(W3, xp, x2);
  fadd(W3, W3, z2);                 // xp·X2 + Z2
  fmul(W2, W2, W3);
  fsqr(W3, z2);
  fmulSmall(W3, W3, 2 * A_MONT);
  fsub(W2, W2, W3);
  fmul(W2, W2, z3);                 // first term
  fsub(W3, x2, W1);
  fsqr(W3, W3);
  fmul(W3, W3, x3);
  fsub(W2, W2, W3);                 // Y'
  fmul(W4, yp, z2);
  fmul(W4, W4, z3);
  fadd(W4, W4, W4);                 // W
  fmul(W3, W4, z2);                 // W·Z2
  if (fisZero(W3)) return 0;
  finv(W3, W3);
  fmul(W1, W4, x2);
  fmul(ou, W1, W3);
  fmul(ov, W2, W3);
  return 1;
}

/** w = u³ + A·u² + u. */
function rhs(w: usize, u: usize): void {
  fsqr(W1, u);
  fmul(W2, W1, u);
  fmulSmall(W1, W1, A_MONT);
  fadd(w, W2, W1);
  fadd(w, w, u);
}

const ENCB: usize = memory.data(64, 16);

/**
 * Decodes the signed 57-byte form (crypto.md §2) into (u, v). Returns 0 for a non-canonical u,
 * a flag byte other than 0x00/0x80, a u off the curve, or v = 0 flagged odd.
 */
export function decodeSigned(u: usize, v: usize, src: usize): i32 {
  const flag = load<u8>(src + 56);
  if (flag != 0 && flag != 0x80) return 0;
  fload(u, src);
  fstore(ENCB, u);
  for (let i: usize = 0; i < 56; i++) if (load<u8>(ENCB + i) != load<u8>(src + i)) return 0;
  rhs(W4, u);
  fpowP34(v, W4);
  fmul(v, v, W4);                   // w^((p+1)/4)
  fsqr(W3, v);
  if (!fequal(W3, W4)) return 0;
  const odd = <i32>(flag >> 7);
  if (fisZero(v) && odd) return 0;
  if (fparity(v) != odd) fneg(v, v);
  return 1;
}

export function encodeSigned(dst: usize, u: usize, v: usize): void {
  fstore(dst, u);
  store<u8>(dst + 56, <u8>(fparity(v) << 7));
}

const L1: usize = memory.data(128, 16);
const L2: usize = memory.data(128, 16);
const L3: usize = memory.data(128, 16);

/**
 * Affine addition (B = 1, crypto.md §3), doubling when P1 = P2. Returns 0 when the sum is the
 * point at infinity (P1 = −P2, or doubling a point with v = 0). Branches only on public points.
 */
export function add(ou: usize, ov: usize, u1: usize, v1: usize, u2: usize, v2: usize): i32 {
  if (fequal(u1, u2)) {
    if (!fequal(v1, v2) || fisZero(v1)) return 0;
    // λ = (3u² + 2Au + 1) / 2v
    fsqr(L1, u1);
    fmulSmall(L1, L1, 3);
    fmulSmall(L2, u1, 2 * A_MONT);
    fadd(L1, L1, L2);
    fsetSmall(L2, 1);
    fadd(L1, L1, L2);
    fadd(L2, v1, v1);
    finv(L2, L2);
    fmul(L1, L1, L2);              // λ
    // u3 = λ² − A − 2u1 ; v3 = (3u1 + A)·λ − λ³ − v1
    fsqr(L2, L1);
    fsetSmall(L3, A_MONT);
    fsub(L3, L2, L3);
    fsub(L3, L3, u1);
    fsub(L3, L3, u1);              // u3
    fmulSmall(W1, u1, 3);
    fsetSmall(W2, A_MONT);
    fadd(W1, W1, W2);
    fmul(W1, W1, L1);
    fmul(L2, L2, L1);              // λ³
    fsub(W1, W1, L2);
    fsub(ov, W1, v1);
    fcopy(ou, L3);
    return 1;
  }
  // λ = (v2 − v1)/(u2 − u1); u3 = λ² − A − u1 − u2; v3 = (2u1 + u2 + A)·λ − λ³ − v1
  fsub(L1, v2, v1);
  fsub(L2, u2, u1);
  finv(L2, L2);
  fmul(L1, L1, L2);
  fsqr(L2, L1);
  fsetSmall(L3, A_MONT);
  fsub(L3, L2, L3);
  fsub(L3, L3, u1);
  fsub(L3, L3, u2);                // u3
  fadd(W1, u1, u1);
  fadd(W1, W1, u2);
  fsetSmall(W2, A_MONT);
  fadd(W1, W1, W2);
  fmul(W1, W1, L1);
  fmul(L2, L2, L1);
  fsub(W1, W1, L2);
  fsub(ov, W1, v1);
  fcopy(ou, L3);
  return 1;
}

/**
 * Montgomery image of an extended Edwards point (X:Y:Z:T) by the 4-isogeny of crypto.md §2:
 * u = Y²/X², v = (2Z² − X² − Y²)·Y/X³ (one inversion). Returns 0 when X = 0 (order <= 2).
 * Constant time apart from the final public success flag.
 */
export function fromEdwards(ou: usize, ov: usize, p: usize): i32 {
  const zero = fisZero(p);
  fsqr(W1, p);                      // X²
  fmul(W2, W1, p);                  // X³
  finv(W3, W2);                     // 1/X³ (0 if X = 0)
  fsqr(W4, p + 128);                // Y²
  fmul(ou, W4, p);
  fmul(ou, ou, W3);                 // Y²·X/X³
  fsqr(W2, p + 256);
  fadd(W2, W2, W2);                 // 2Z²
  fsub(W2, W2, W1);
  fsub(W2, W2, W4);
  fmul(W2, W2, p + 128);
  fmul(ov, W2, W3);
  return zero ^ 1;
}

