// core-wasm/curve448: the curve arithmetic of Ed448 and X448 (RFC 8032 §5.2, RFC 7748 §5) and
// of the Mesh key operations (crypto.md §2–§6). Hashing (SHAKE256) stays in TypeScript; each
// export here does a whole operation on fixed I/O buffers so a signature costs a few calls.
//
// I/O region (`io()`): IN0 +0, IN1 +128, IN2 +256, IN3 +384 (inputs, little-endian bytes),
// OUT +512 (outputs). No allocation: every buffer is static (`memory.data`), runtime stub.

import { fload, fmul, finv, fstore, fsqr, fwipe } from './field';
import { ewipe, ptAdd, ptDecode, ptEncode, ptEncodeWithInv } from './edwards';
import { sadd, sload56, smuladd, sreduceBytes, sstore56, ssub, swipe } from './scalar';
import { B_ENC, baseMul, buildTables, twipe } from './table';
import { edVerify } from './verify';
import { add, decodeSigned, encodeSigned, fromEdwards, ladder, mwipe, recoverV } from './montgomery';

const IO: usize = memory.data(1024, 16);
const IN0: usize = IO;
const IN1: usize = IO + 128;
const IN2: usize = IO + 256;
const IN3: usize = IO + 384;
const OUT: usize = IO + 512;

const SA: usize = memory.data(128, 16);
const SB: usize = memory.data(128, 16);
const SC: usize = memory.data(128, 16);
const P1: usize = memory.data(512, 16);
const P2: usize = memory.data(512, 16);
const P3: usize = memory.data(512, 16);
const F1: usize = memory.data(128, 16);
const F2: usize = memory.data(128, 16);
const F3: usize = memory.data(128, 16);
const F4: usize = memory.data(128, 16);
const F5: usize = memory.data(128, 16);
const F6: usize = memory.data(128, 16);
const F7: usize = memory.data(128, 16);
const F8: usize = memory.data(128, 16);

let ready = false;

/** Address of the I/O region. */
export function io(): usize {
  return IO;
}

/** Builds the base-point tables (idempotent). Returns 1 on success. */
export function init(): i32 {
  if (ready) return 1;
  if (!ptDecode(P1, B_ENC)) return 0;
  buildTables(P1);
  ready = true;
  return 1;
}

/**
 * Clears the inputs and every scratch buffer an operation on a secret scalar touched — scalar
 * limbs and digits, the comb's accumulator, the ladder state, point and field temporaries — once
 * the result is in OUT (the wrapper copies OUT and then clears the I/O region). Called last by
 * every export that takes a secret, so a shared secret, a secret multiple of a point or the
 * field temporaries of its final inversion never outlive the call (best effort: the JS side
 * and the engine may still hold copies — see README). Costs a few kB of memory.fill per call.
 */
function wipeScratch(): void {
  memory.fill(IN0, 0, 512);
  memory.fill(SA, 0, 128);
  memory.fill(SB, 0, 128);
  memory.fill(SC, 0, 128);
  memory.fill(P1, 0, 512);
  memory.fill(P2, 0, 512);
  memory.fill(P3, 0, 512);
  memory.fill(F1, 0, 128);
  memory.fill(F2, 0, 128);
  memory.fill(F3, 0, 128);
  memory.fill(F4, 0, 128);
  memory.fill(F5, 0, 128);
  memory.fill(F6, 0, 128);
  memory.fill(F7, 0, 128);
  memory.fill(F8, 0, 128);
  swipe();
  twipe();
  mwipe();
  ewipe();
  fwipe();
}

/** OUT[0..56) = IN0[0..len) mod L (len <= 114). */
export function sc_reduce(len: i32): void {
  sreduceBytes(SA, IN0, len);
  sstore56(OUT, SA);
  wipeScratch();
}

/** OUT = (IN0 · IN1 + IN2) mod L (56-byte operands). */
export function sc_muladd(): void {
  sload56(SA, IN0);
  sload56(SB, IN1);
  sload56(SC, IN2);
  smuladd(SA, SA, SB, SC);
  sstore56(OUT, SA);
  wipeScratch();
}

/** OUT = (IN0 + IN1) mod L. */
export function sc_add(): void {
  sload56(SA, IN0);
  sload56(SB, IN1);
  sadd(SA, SA, SB);
  sstore56(OUT, SA);
  wipeScratch();
}

/** OUT = (IN0 − IN1) mod L. */
export function sc_sub(): void {
  sload56(SA, IN0);
  sload56(SB, IN1);
  ssub(SA, SA, SB);
  sstore56(OUT, SA);
  wipeScratch();
}

/** OUT[0..57) = encoding of (IN0 mod L)·B — constant time in the scalar. */
export function ed_base(): void {
  sreduceBytes(SA, IN0, 56);
  baseMul(P1, SA);
  ptEncode(OUT, P1);
  wipeScratch();
}

/**
 * The two fixed-base products of an RFC 8032 §5.2.6 signature in one call: A = s·B for the
 * secret scalar s = IN0 and R = r·B for r = IN1[0..len) mod L (the 114-byte SHAKE256 output).
 * OUT = A (57) ‖ pad ‖ R at +64 (57) ‖ pad ‖ r at +128 (56). One inversion serves both
 * encodings (Montgomery's trick). Constant time in s and r.
 */
export function ed_sign_points(len: i32): void {
  sreduceBytes(SA, IN0, 56);
  sreduceBytes(SB, IN1, len);
  baseMul(P1, SA);
  baseMul(P2, SB);
  fmul(F1, P1 + 256, P2 + 256);
  finv(F1, F1);
  fmul(F2, F1, P2 + 256);           // 1/Z_A
  fmul(F3, F1, P1 + 256);           // 1/Z_R
  ptEncodeWithInv(OUT, P1, F2);
  ptEncodeWithInv(OUT + 64, P2, F3);
  sstore56(OUT + 128, SB);
  wipeScratch();
}

/**
 * Signed X448 public key of the scalar IN0 (raw, reduced mod q first) via φ(k·B_ed).
 * Returns 0 when k ≡ 0 (mod q).
 */
export function mont_base(): i32 {
  sreduceBytes(SA, IN0, 56);
  baseMul(P1, SA);
  const ok = fromEdwards(F1, F2, P1);
  if (ok) encodeSigned(OUT, F1, F2);
  wipeScratch();
  return ok;
}

/** OUT = IN0 + IN1 (Ed448 encodings). Returns 1, or 0 when an input does not decode. */
export function ed_add(): i32 {
  if (!ptDecode(P1, IN0)) return 0;
  if (!ptDecode(P2, IN1)) return 0;
  ptAdd(P3, P1, P2);
  ptEncode(OUT, P3);
  return 1;
}

/** RFC 8032 §5.2.7 check of A = IN0, R = IN1, S = IN2, k = IN3 (see verify.ts for the codes). */
export function ed_verify(): i32 {
  return edVerify(IN0, IN1, IN2, IN3, P3);
}

/** OUT = u(k·P) for k = IN0 (raw, no clamping) and u = IN1; 0 for the point at infinity. */
export function x448(): void {
  ladder(IN0, IN1, F1, F2, F3, F4);
  finv(F2, F2);
  fmul(F1, F1, F2);
  fstore(OUT, F1);
  wipeScratch();
}

/** OUT = X2 ‖ Z2 ‖ X3 ‖ Z3 (4 × 56 bytes, canonical) of the ladder on k = IN0, u = IN1. */
export function mont_ladder(): void {
  ladder(IN0, IN1, F1, F2, F3, F4);
  fstore(OUT, F1);
  fstore(OUT + 56, F2);
  fstore(OUT + 112, F3);
  fstore(OUT + 168, F4);
  wipeScratch();
}

/**
 * OUT = k·P (signed form) for k = IN0 (raw) and P = IN1 (signed form), v by Okeya–Sakurai.
 * Returns 0 ok, 1 when P does not decode, 2 when the result is the point at infinity.
 */
export function mont_mul(): i32 {
  if (!decodeSigned(F5, F6, IN1)) {
    wipeScratch();
    return 1;
  }
  fstore(IN1, F5); // canonical u for the ladder
  ladder(IN0, IN1, F1, F2, F3, F4);
  const ok = recoverV(F7, F8, F5, F6, F1, F2, F3, F4);
  if (ok) encodeSigned(OUT, F7, F8);
  wipeScratch();
  return ok ? 0 : 2;
}

/** OUT = P + Q (signed forms IN0, IN1). Returns 0 ok, 1 bad point, 2 point at infinity. */
export function mont_add(): i32 {
  if (!decodeSigned(F1, F2, IN0)) return 1;
  if (!decodeSigned(F3, F4, IN1)) return 1;
  if (!add(F5, F6, F1, F2, F3, F4)) return 2;
  encodeSigned(OUT, F5, F6);
  return 0;
}

/**
 * Benchmark hook (bench/curve448.ts): OUT = IN0 · IN1^n (op 0) or IN0^(2^n) (op 1), i.e. n field
 * multiplications or squarings in one call, so the JS→WASM call is amortized as in a real
 * scalar multiplication.
 */
export function fe_bench(n: i32, op: i32): void {
  fload(F1, IN0);
  fload(F2, IN1);
  if (op == 1) for (let i = 0; i < n; i++) fsqr(F1, F1);
  else for (let i = 0; i < n; i++) fmul(F1, F1, F2);
  fstore(OUT, F1);
}


