/**
 * AES rounds by vector permutation (M. Hamburg, "Accelerating AES with Vector Permute
 * Instructions", CHES 2009; the technique of libvpaes and OpenSSL's vpaes), on WASM SIMD:
 * `i8x16.swizzle` is the 16-entry table lookup (x86 `pshufb`, Arm `tbl`).
 *
 * Why this is constant time. A table-driven AES (T-tables, or a 256-byte S-box in memory) reads
 * memory at addresses chosen by secret bytes, and cache timing reveals those addresses. Here no
 * address and no branch depends on key or data. Every table is 16 bytes, always read whole from
 * the same fixed address into a register; the secret-dependent selection happens inside that
 * register, lane by lane, in a swizzle (`swizzle` below), which V8 compiles to `paddusb` +
 * `pshufb` (and other engines to `pshufb` or `tbl`): single instructions whose timing does not
 * depend on the index values. Everything else is XOR, AND, shifts and fixed permutations. The
 * remaining memory traffic (round keys, the I/O buffer) is at public addresses in a public order,
 * and loop counts depend only on lengths and the key size. (An engine that emulated SIMD swizzles
 * with scalar table reads would break this; V8, SpiderMonkey and JavaScriptCore do not.)
 *
 * Two builds (flags.json). This file is compiled twice: `aes` with WASM SIMD, and `aes-relaxed`
 * with relaxed SIMD as well, where every swizzle is `i8x16.relaxed_swizzle`. The relaxed-SIMD
 * proposal (§ relaxed swizzle) defines `relaxed_swizzle(a, s)` lane by lane as `a[s]` for
 * s < 16 and 0 for s >= 128, and leaves only 16 <= s < 128 to the engine (0 or a[s mod 16]).
 * Every index this cipher produces lies in 0..15 or 0x80..0x8F: nibbles, fixed permutation masks,
 * and "infinity" (0x80) XOR a nibble; gen-tables.mjs checks that for all 256 values of a state
 * byte under exactly those semantics (each index lane is a function of one state byte). So both
 * builds compute the same function on every engine. The relaxed form saves V8's range adjustment
 * (`paddusb` with 0x70, which makes a plain swizzle return 0 for 16..127): x86 runs a bare
 * `pshufb`, Arm a bare `tbl` — the same data-independent instructions as before, one fewer on the
 * critical path of CBC encryption. sdk/crypto/wasm/aes-variant.ts picks the build at load time.
 *
 * How. The S-box needs the inverse in GF(2^8), too big for a 16-entry table. Writing GF(2^8) as
 * the quadratic extension of GF(16) (gen-tables.mjs), a byte's two nibbles are its GF(16)
 * coordinates, and the inverse follows from one-argument GF(16) functions of the nibbles
 * (1/x and c/x) combined with XOR. The state stays in that tower basis from round to round: the
 * output tables fold in the S-box's affine map, the MixColumns doubling and the basis change,
 * and the round keys are stored converted to match (key-schedule.ts). ShiftRows and the
 * MixColumns row rotations are fixed byte permutations.
 *
 * State layout: FIPS 197 §3.4, column-major: byte 4c + r is row r of column c, the order of the
 * 16 input bytes.
 */
import {
  DB_T, DB_U, DD_T, DD_U, DE_T, DE_U, D9_T, D9_U, DIPT_HI, DIPT_LO, DSBO_T, DSBO_U,
  INV, INV_C, INV_SHIFT_ROWS, IPT_HI, IPT_LO, SB1_T, SB1_U, SB2_T, SB2_U, SBO_T, SBO_U,
  SHIFT_ROWS, SR_ROT1, SR_ROT2, SR_ROT3,
} from './tables';

const LOW_NIBBLES: v128 = i8x16.splat(0x0f);

/**
 * Lane i of the result is `table[index[i]]`; every caller keeps index[i] in 0..15 or >= 0x80
 * (see above), where `relaxed_swizzle` and `swizzle` agree. Chosen at compile time: the build
 * with relaxed SIMD enabled uses the relaxed form, the other never contains it.
 */
// @ts-ignore: decorator
@inline function swizzle(table: v128, index: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i8x16.relaxed_swizzle(table, index);
  return i8x16.swizzle(table, index);
}

/** 1 in the build with relaxed SIMD (`relaxed_swizzle`), 0 in the plain SIMD build. */
export const RELAXED: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;

/**
 * 16-entry lookup: lane i of the result is `table[index[i]]`, or 0 where index[i] >= 16. The
 * table is loaded whole from its fixed address; only the in-register swizzle sees the index.
 */
// @ts-ignore: decorator
@inline function lookup(table: usize, index: v128): v128 {
  return swizzle(v128.load(table), index);
}

/**
 * The high nibble of every byte. (`i8x16.shr_u` would say the same, but V8 lowers it to this
 * 16-bit shift plus a mask it rebuilds at every use; LOW_NIBBLES is shared.)
 */
// @ts-ignore: decorator
@inline function highNibbles(x: v128): v128 {
  return v128.and(i16x8.shr_u(x, 4), LOW_NIBBLES);
}

/**
 * A fixed byte permutation, as a swizzle with a mask from a fixed address. (`i8x16.shuffle`
 * says the same with immediate lanes, but V8 rebuilds that mask in a register at every use,
 * which costs more than one load; and V8's range adjustment of a swizzle index then falls on
 * the mask, off the data's critical path.)
 */
// @ts-ignore: decorator
@inline function permute(x: v128, mask: usize): v128 {
  return swizzle(x, v128.load(mask));
}

/** A GF(2)-linear byte map given as a low-nibble and a high-nibble table. */
// @ts-ignore: decorator
@inline function linearMap(x: v128, lo: usize, hi: usize): v128 {
  return v128.xor(lookup(lo, v128.and(x, LOW_NIBBLES)), lookup(hi, highNibbles(x)));
}

// The inverse of a tower byte (i, k), j = i ^ k (derivation in gen-tables.mjs):
//   t5 = j + 1/(c/k + 1/i),  t6 = i + 1/(c/k + 1/j)
// and the inverse is U(t5) ^ T(t6) for fixed 16-entry tables U, T. 1/0 is encoded as 0x80, an
// out-of-range swizzle index, so the zero byte needs no special case (and no branch).

/** t5 of the nibble inversion. */
// @ts-ignore: decorator
@inline function inverseT5(i: v128, j: v128, ck: v128): v128 {
  return v128.xor(j, lookup(INV, v128.xor(ck, lookup(INV, i))));
}

/** t6 of the nibble inversion. */
// @ts-ignore: decorator
@inline function inverseT6(i: v128, j: v128, ck: v128): v128 {
  return v128.xor(i, lookup(INV, v128.xor(ck, lookup(INV, j))));
}

// Byte permutations (FIPS 197 §5.1.2, §5.1.3, §5.3.1; masks in tables.ts). rotN moves row r + N
// of each column to row r; a column is one 32-bit lane, so rotN is also a lane rotation.
//
// Encryption keeps its state "pre-shifted": between rounds it holds ShiftRows(x) instead of x,
// so a round starts with SubBytes at once, and the four permutations that end a round are
// ShiftRows composed with a MixColumns rotation, independent of each other. CBC encryption is
// serial, so its speed is the latency of this round; folding ShiftRows into the rotations takes
// it off that path. Decryption (parallel across blocks, so bound by instruction count instead)
// applies InvShiftRows to its input and uses shift-based lane rotations, which need no mask.

/** ShiftRows: new[4c + r] = old[4((c + r) mod 4) + r]. Also pre-shifts encryption round keys. */
// @ts-ignore: decorator
@inline export function shiftRows(x: v128): v128 {
  return permute(x, SHIFT_ROWS);
}

/** ShiftRows(rot1(x)). */
// @ts-ignore: decorator
@inline function shiftRowsRot1(x: v128): v128 {
  return permute(x, SR_ROT1);
}

/** ShiftRows(rot2(x)). */
// @ts-ignore: decorator
@inline function shiftRowsRot2(x: v128): v128 {
  return permute(x, SR_ROT2);
}

/** ShiftRows(rot3(x)). */
// @ts-ignore: decorator
@inline function shiftRowsRot3(x: v128): v128 {
  return permute(x, SR_ROT3);
}

/** InvShiftRows: new[4c + r] = old[4((c - r) mod 4) + r]. */
// @ts-ignore: decorator
@inline function invShiftRows(x: v128): v128 {
  return permute(x, INV_SHIFT_ROWS);
}

/** rot1: each 32-bit lane rotated right by 8 bits. */
// @ts-ignore: decorator
@inline function rot1(x: v128): v128 {
  return v128.or(i32x4.shr_u(x, 8), i32x4.shl(x, 24));
}

/** rot2: the 16-bit halves of each lane swapped (V8 emits pshuflw + pshufhw, no mask). */
// @ts-ignore: decorator
@inline function rot2(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}

/** rot3: each 32-bit lane rotated left by 8 bits. */
// @ts-ignore: decorator
@inline function rot3(x: v128): v128 {
  return v128.or(i32x4.shl(x, 8), i32x4.shr_u(x, 24));
}

/**
 * Initial AddRoundKey of encryption with the change into the tower basis; returns the
 * pre-shifted state ShiftRows(R(block ^ k0)) (R and ShiftRows commute: R is bytewise).
 */
// @ts-ignore: decorator
@inline export function encFirst(block: v128, key: v128): v128 {
  return v128.xor(linearMap(shiftRows(block), IPT_LO, IPT_HI), key);
}

/**
 * One middle round on the pre-shifted state z = ShiftRows(x): SubBytes, then MixColumns and the
 * next round's ShiftRows, then AddRoundKey with a pre-shifted key (FIPS 197 §5.1). With a = S(z)
 * and b = 2·S(z) (the constant 0x63 is folded into the key), MixColumns is
 * 2a + 3·rot1(a) + rot2(a) + rot3(a) = b + rot1(a + b) + rot2(a) + rot3(a).
 */
// @ts-ignore: decorator
@inline export function encRound(z: v128, key: v128): v128 {
  const i = highNibbles(z);
  const k = v128.and(z, LOW_NIBBLES);
  const ck = lookup(INV_C, k);
  const j = v128.xor(i, k);
  const t5 = inverseT5(i, j, ck);
  const t6 = inverseT6(i, j, ck);
  const a = v128.xor(lookup(SB1_U, t5), lookup(SB1_T, t6));
  const b = v128.xor(lookup(SB2_U, t5), lookup(SB2_T, t6));
  return v128.xor(
    v128.xor(v128.xor(shiftRows(b), key), shiftRowsRot1(v128.xor(a, b))),
    v128.xor(shiftRowsRot2(a), shiftRowsRot3(a)),
  );
}

/** Last round on the pre-shifted state: SubBytes, AddRoundKey; output in the AES basis. */
// @ts-ignore: decorator
@inline export function encLast(z: v128, key: v128): v128 {
  const i = highNibbles(z);
  const k = v128.and(z, LOW_NIBBLES);
  const ck = lookup(INV_C, k);
  const j = v128.xor(i, k);
  const t5 = inverseT5(i, j, ck);
  const t6 = inverseT6(i, j, ck);
  return v128.xor(v128.xor(lookup(SBO_U, t5), lookup(SBO_T, t6)), key);
}

/** Initial AddRoundKey of decryption, and the change into its basis D = R∘A⁻¹ (key pre-converted). */
// @ts-ignore: decorator
@inline export function decFirst(block: v128, key: v128): v128 {
  return v128.xor(linearMap(block, DIPT_LO, DIPT_HI), key);
}

/**
 * One round of the equivalent inverse cipher (FIPS 197 §5.3.5): InvShiftRows (applied first),
 * InvSubBytes, InvMixColumns, AddRoundKey with InvMixColumns applied to the key. The tables give
 * D(m·InvSubBytes(x)) for m = 0e, 0b, 0d, 09, so InvMixColumns
 * (0e·a + 0b·rot1(a) + 0d·rot2(a) + 09·rot3(a)) is three lane rotations and XOR.
 */
// @ts-ignore: decorator
@inline export function decRound(x: v128, key: v128): v128 {
  const y = invShiftRows(x);
  const i = highNibbles(y);
  const k = v128.and(y, LOW_NIBBLES);
  const ck = lookup(INV_C, k);
  const j = v128.xor(i, k);
  const t5 = inverseT5(i, j, ck);
  const t6 = inverseT6(i, j, ck);
  const e = v128.xor(lookup(DE_U, t5), lookup(DE_T, t6));
  const b = v128.xor(lookup(DB_U, t5), lookup(DB_T, t6));
  const d = v128.xor(lookup(DD_U, t5), lookup(DD_T, t6));
  const n = v128.xor(lookup(D9_U, t5), lookup(D9_T, t6));
  return v128.xor(v128.xor(v128.xor(e, key), rot1(b)), v128.xor(rot2(d), rot3(n)));
}

/** Last round of decryption: InvShiftRows, InvSubBytes, AddRoundKey; AES basis out. */
// @ts-ignore: decorator
@inline export function decLast(x: v128, key: v128): v128 {
  const y = invShiftRows(x);
  const i = highNibbles(y);
  const k = v128.and(y, LOW_NIBBLES);
  const ck = lookup(INV_C, k);
  const j = v128.xor(i, k);
  const t5 = inverseT5(i, j, ck);
  const t6 = inverseT6(i, j, ck);
  return v128.xor(v128.xor(lookup(DSBO_U, t5), lookup(DSBO_T, t6)), key);
}

/** The AES S-box on all 16 bytes (AES basis in and out), for the key schedule's SubWord. */
// @ts-ignore: decorator
@inline export function subBytes(x: v128): v128 {
  const y = linearMap(x, IPT_LO, IPT_HI);
  const i = highNibbles(y);
  const k = v128.and(y, LOW_NIBBLES);
  const ck = lookup(INV_C, k);
  const j = v128.xor(i, k);
  const t5 = inverseT5(i, j, ck);
  const t6 = inverseT6(i, j, ck);
  return v128.xor(v128.xor(lookup(SBO_U, t5), lookup(SBO_T, t6)), i8x16.splat(0x63));
}

/** Encryption tower basis R, for converting round keys. */
// @ts-ignore: decorator
@inline export function toTower(x: v128): v128 {
  return linearMap(x, IPT_LO, IPT_HI);
}

/** Decryption basis D = R∘A⁻¹, for converting round keys. */
// @ts-ignore: decorator
@inline export function toDecBasis(x: v128): v128 {
  return linearMap(x, DIPT_LO, DIPT_HI);
}

/** Multiplication by x (02) in GF(2^8) on every byte, without branches: FIPS 197 §4.2.1. */
// @ts-ignore: decorator
@inline function xtime(v: v128): v128 {
  return v128.xor(i8x16.shl(v, 1), v128.and(i8x16.shr_s(v, 7), i8x16.splat(0x1b)));
}

/** InvMixColumns (FIPS 197 §5.3.3) in the AES basis, for the equivalent inverse cipher's keys. */
// @ts-ignore: decorator
@inline export function invMixColumns(v: v128): v128 {
  const v2 = xtime(v);
  const v4 = xtime(v2);
  const v8 = xtime(v4);
  const v9 = v128.xor(v8, v);
  const v11 = v128.xor(v9, v2);
  const v13 = v128.xor(v9, v4);
  const v14 = v128.xor(v128.xor(v8, v4), v2);
  return v128.xor(v128.xor(v14, rot1(v11)), v128.xor(rot2(v13), rot3(v9)));
}

/** Encrypts one block with `rounds` rounds of pre-converted keys at `keys` (16 bytes each). */
// @ts-ignore: decorator
@inline export function encryptBlock(block: v128, keys: usize, rounds: i32): v128 {
  let s = encFirst(block, v128.load(keys));
  const last = keys + (<usize>rounds << 4);
  for (let p = keys + 16; p < last; p += 16) s = encRound(s, v128.load(p));
  return encLast(s, v128.load(last));
}

/** Decrypts one block with the pre-converted inverse-cipher keys at `keys`. */
// @ts-ignore: decorator
@inline export function decryptBlock(block: v128, keys: usize, rounds: i32): v128 {
  let s = decFirst(block, v128.load(keys));
  const last = keys + (<usize>rounds << 4);
  for (let p = keys + 16; p < last; p += 16) s = decRound(s, v128.load(p));
  return decLast(s, v128.load(last));
}
