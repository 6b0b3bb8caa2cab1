/**
 * SHA-512 (FIPS 180-4 §6.4) over linear memory, with no allocation.
 *
 * The compression function keeps the eight working variables in i64 locals and the sixteen-word
 * message schedule window in eight i64x2 vectors (WASM SIMD): the scalar rounds read W[t] + K[t]
 * from a 128-byte ring that the vector schedule refills two words at a time, interleaved with the
 * rounds — the division of labour of OpenSSL's AVX code. The variable roles rotate, so there are
 * no moves between rounds; `gen/rounds.mjs` explains the remaining choices (Σ forms,
 * Ch/Maj tricks) and what was measured against them. There is no data-dependent branch or
 * index: the code is constant time by construction (only the lengths, which are public, steer
 * control flow).
 *
 * The unrolled rounds between the `generated` markers are written by `gen/rounds.mjs`.
 */

import { copy64, zeroVec } from './io';

/** FIPS 180-4 §4.2.3: the 80 round constants. */
const K: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec, 0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
], 16);

/** FIPS 180-4 §5.3.5: the initial hash value. */
export const IV: usize = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
], 16);

// Context layout (208 bytes): the state words H0..H7 as native u64, a 128-byte block buffer,
// the number of buffered bytes, and the total message length in bytes.
/** Offset of the block buffer in a SHA-512 context. */
export const SHA512_BUF: usize = 64;
/** Offset of the buffered byte count (u32). */
export const SHA512_FILL: usize = 192;
/** Offset of the total length in bytes (u64); the bit length is this × 8, as a 128-bit field. */
export const SHA512_TOTAL: usize = 200;
/** Bytes used by a SHA-512 context. */
export const SHA512_CTX_SIZE: i32 = 208;

/**
 * W[t] + K[t] for the sixteen rounds in flight, written by the vector message schedule and read
 * by the scalar rounds. It holds message-derived words (HMAC key pads among them), so
 * {@link sha512Blocks} wipes it before returning.
 */
const WK: usize = memory.data(128, 16);

/**
 * Runs the compression function over `nblocks` consecutive 128-byte blocks at `p`, updating
 * the eight state words at `state`. `p` need not be aligned.
 */
export function sha512Blocks(state: usize, p: usize, nblocks: usize): void {
  let a = load<u64>(state, 0);
  let b = load<u64>(state, 8);
  let c = load<u64>(state, 16);
  let d = load<u64>(state, 24);
  let e = load<u64>(state, 32);
  let f = load<u64>(state, 40);
  let g = load<u64>(state, 48);
  let h = load<u64>(state, 56);
  while (nblocks != 0) {
    let t: u64;
    let x0: u64 = 0;
    let x1 = b ^ c; // b ^ c of round 0, for the Maj trick
    // <generated:sha512-rounds>
    // Message words are big-endian (FIPS 180-4 §3.1): one byte shuffle swaps both lanes of a pair.
    let y0 = v128.load(p, 0);
    y0 = i8x16.shuffle(y0, y0, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y0, v128.load(K, 0)), 0);
    let y1 = v128.load(p, 16);
    y1 = i8x16.shuffle(y1, y1, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y1, v128.load(K, 16)), 16);
    let y2 = v128.load(p, 32);
    y2 = i8x16.shuffle(y2, y2, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y2, v128.load(K, 32)), 32);
    let y3 = v128.load(p, 48);
    y3 = i8x16.shuffle(y3, y3, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y3, v128.load(K, 48)), 48);
    let y4 = v128.load(p, 64);
    y4 = i8x16.shuffle(y4, y4, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y4, v128.load(K, 64)), 64);
    let y5 = v128.load(p, 80);
    y5 = i8x16.shuffle(y5, y5, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y5, v128.load(K, 80)), 80);
    let y6 = v128.load(p, 96);
    y6 = i8x16.shuffle(y6, y6, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y6, v128.load(K, 96)), 96);
    let y7 = v128.load(p, 112);
    y7 = i8x16.shuffle(y7, y7, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    v128.store(WK, i64x2.add(y7, v128.load(K, 112)), 112);
    // Rounds 0..63 in four passes of 16, each extending the schedule for the next pass.
    for (let k = K + 128; k < K + 640; k += 128) {
      t = h + load<u64>(WK, 0) + (g ^ (e & (f ^ g))) + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41));
      x0 = a ^ b;
      d += t;
      h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
      t = g + load<u64>(WK, 8) + (f ^ (d & (e ^ f))) + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41));
      x1 = h ^ a;
      c += t;
      g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
      y0 = i64x2.add(i64x2.add(y0, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y7, v128.or(i64x2.shr_u(y7, 42), i64x2.shl(y7, 22))), 19), i64x2.shl(v128.xor(y7, v128.or(i64x2.shr_u(y7, 42), i64x2.shl(y7, 22))), 45)), i64x2.shr_u(y7, 6))));
      v128.store(WK, i64x2.add(y0, v128.load(k, 0)), 0);
      t = f + load<u64>(WK, 16) + (e ^ (c & (d ^ e))) + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41));
      x0 = g ^ h;
      b += t;
      f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
      t = e + load<u64>(WK, 24) + (d ^ (b & (c ^ d))) + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41));
      x1 = f ^ g;
      a += t;
      e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
      y1 = i64x2.add(i64x2.add(y1, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y0, v128.or(i64x2.shr_u(y0, 42), i64x2.shl(y0, 22))), 19), i64x2.shl(v128.xor(y0, v128.or(i64x2.shr_u(y0, 42), i64x2.shl(y0, 22))), 45)), i64x2.shr_u(y0, 6))));
      v128.store(WK, i64x2.add(y1, v128.load(k, 16)), 16);
      t = d + load<u64>(WK, 32) + (c ^ (a & (b ^ c))) + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41));
      x0 = e ^ f;
      h += t;
      d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
      t = c + load<u64>(WK, 40) + (b ^ (h & (a ^ b))) + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41));
      x1 = d ^ e;
      g += t;
      c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
      y2 = i64x2.add(i64x2.add(y2, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y1, v128.or(i64x2.shr_u(y1, 42), i64x2.shl(y1, 22))), 19), i64x2.shl(v128.xor(y1, v128.or(i64x2.shr_u(y1, 42), i64x2.shl(y1, 22))), 45)), i64x2.shr_u(y1, 6))));
      v128.store(WK, i64x2.add(y2, v128.load(k, 32)), 32);
      t = b + load<u64>(WK, 48) + (a ^ (g & (h ^ a))) + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41));
      x0 = c ^ d;
      f += t;
      b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
      t = a + load<u64>(WK, 56) + (h ^ (f & (g ^ h))) + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41));
      x1 = b ^ c;
      e += t;
      a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
      y3 = i64x2.add(i64x2.add(y3, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y2, v128.or(i64x2.shr_u(y2, 42), i64x2.shl(y2, 22))), 19), i64x2.shl(v128.xor(y2, v128.or(i64x2.shr_u(y2, 42), i64x2.shl(y2, 22))), 45)), i64x2.shr_u(y2, 6))));
      v128.store(WK, i64x2.add(y3, v128.load(k, 48)), 48);
      t = h + load<u64>(WK, 64) + (g ^ (e & (f ^ g))) + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41));
      x0 = a ^ b;
      d += t;
      h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
      t = g + load<u64>(WK, 72) + (f ^ (d & (e ^ f))) + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41));
      x1 = h ^ a;
      c += t;
      g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
      y4 = i64x2.add(i64x2.add(y4, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y4, y5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y0, y1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y3, v128.or(i64x2.shr_u(y3, 42), i64x2.shl(y3, 22))), 19), i64x2.shl(v128.xor(y3, v128.or(i64x2.shr_u(y3, 42), i64x2.shl(y3, 22))), 45)), i64x2.shr_u(y3, 6))));
      v128.store(WK, i64x2.add(y4, v128.load(k, 64)), 64);
      t = f + load<u64>(WK, 80) + (e ^ (c & (d ^ e))) + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41));
      x0 = g ^ h;
      b += t;
      f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
      t = e + load<u64>(WK, 88) + (d ^ (b & (c ^ d))) + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41));
      x1 = f ^ g;
      a += t;
      e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
      y5 = i64x2.add(i64x2.add(y5, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y5, y6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y1, y2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y4, v128.or(i64x2.shr_u(y4, 42), i64x2.shl(y4, 22))), 19), i64x2.shl(v128.xor(y4, v128.or(i64x2.shr_u(y4, 42), i64x2.shl(y4, 22))), 45)), i64x2.shr_u(y4, 6))));
      v128.store(WK, i64x2.add(y5, v128.load(k, 80)), 80);
      t = d + load<u64>(WK, 96) + (c ^ (a & (b ^ c))) + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41));
      x0 = e ^ f;
      h += t;
      d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
      t = c + load<u64>(WK, 104) + (b ^ (h & (a ^ b))) + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41));
      x1 = d ^ e;
      g += t;
      c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
      y6 = i64x2.add(i64x2.add(y6, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y6, y7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y2, y3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y5, v128.or(i64x2.shr_u(y5, 42), i64x2.shl(y5, 22))), 19), i64x2.shl(v128.xor(y5, v128.or(i64x2.shr_u(y5, 42), i64x2.shl(y5, 22))), 45)), i64x2.shr_u(y5, 6))));
      v128.store(WK, i64x2.add(y6, v128.load(k, 96)), 96);
      t = b + load<u64>(WK, 112) + (a ^ (g & (h ^ a))) + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41));
      x0 = c ^ d;
      f += t;
      b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
      t = a + load<u64>(WK, 120) + (h ^ (f & (g ^ h))) + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41));
      x1 = b ^ c;
      e += t;
      a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
      y7 = i64x2.add(i64x2.add(y7, v128.xor(v128.or(i64x2.shr_u(v128.xor(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 1), i64x2.shl(v128.xor(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.or(i64x2.shr_u(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7), i64x2.shl(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 57))), 63)), i64x2.shr_u(i8x16.shuffle(y7, y0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), 7))), i64x2.add(i8x16.shuffle(y3, y4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), v128.xor(v128.or(i64x2.shr_u(v128.xor(y6, v128.or(i64x2.shr_u(y6, 42), i64x2.shl(y6, 22))), 19), i64x2.shl(v128.xor(y6, v128.or(i64x2.shr_u(y6, 42), i64x2.shl(y6, 22))), 45)), i64x2.shr_u(y6, 6))));
      v128.store(WK, i64x2.add(y7, v128.load(k, 112)), 112);
    }
    // Rounds 64..79.
    t = h + load<u64>(WK, 0) + (g ^ (e & (f ^ g))) + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41));
    x0 = a ^ b;
    d += t;
    h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
    t = g + load<u64>(WK, 8) + (f ^ (d & (e ^ f))) + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41));
    x1 = h ^ a;
    c += t;
    g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
    t = f + load<u64>(WK, 16) + (e ^ (c & (d ^ e))) + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41));
    x0 = g ^ h;
    b += t;
    f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
    t = e + load<u64>(WK, 24) + (d ^ (b & (c ^ d))) + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41));
    x1 = f ^ g;
    a += t;
    e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
    t = d + load<u64>(WK, 32) + (c ^ (a & (b ^ c))) + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41));
    x0 = e ^ f;
    h += t;
    d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
    t = c + load<u64>(WK, 40) + (b ^ (h & (a ^ b))) + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41));
    x1 = d ^ e;
    g += t;
    c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
    t = b + load<u64>(WK, 48) + (a ^ (g & (h ^ a))) + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41));
    x0 = c ^ d;
    f += t;
    b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
    t = a + load<u64>(WK, 56) + (h ^ (f & (g ^ h))) + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41));
    x1 = b ^ c;
    e += t;
    a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
    t = h + load<u64>(WK, 64) + (g ^ (e & (f ^ g))) + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41));
    x0 = a ^ b;
    d += t;
    h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
    t = g + load<u64>(WK, 72) + (f ^ (d & (e ^ f))) + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41));
    x1 = h ^ a;
    c += t;
    g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
    t = f + load<u64>(WK, 80) + (e ^ (c & (d ^ e))) + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41));
    x0 = g ^ h;
    b += t;
    f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
    t = e + load<u64>(WK, 88) + (d ^ (b & (c ^ d))) + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41));
    x1 = f ^ g;
    a += t;
    e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
    t = d + load<u64>(WK, 96) + (c ^ (a & (b ^ c))) + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41));
    x0 = e ^ f;
    h += t;
    d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
    t = c + load<u64>(WK, 104) + (b ^ (h & (a ^ b))) + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41));
    x1 = d ^ e;
    g += t;
    c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
    t = b + load<u64>(WK, 112) + (a ^ (g & (h ^ a))) + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41));
    x0 = c ^ d;
    f += t;
    b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
    t = a + load<u64>(WK, 120) + (h ^ (f & (g ^ h))) + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41));
    x1 = b ^ c;
    e += t;
    a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
    // </generated:sha512-rounds>
    // Feed-forward through memory rather than eight more live locals: V8 keeps only 12 general
    // registers for WASM on x64, and every extra long-lived value costs spills inside the rounds.
    a += load<u64>(state, 0);
    store<u64>(state, a, 0);
    b += load<u64>(state, 8);
    store<u64>(state, b, 8);
    c += load<u64>(state, 16);
    store<u64>(state, c, 16);
    d += load<u64>(state, 24);
    store<u64>(state, d, 24);
    e += load<u64>(state, 32);
    store<u64>(state, e, 32);
    f += load<u64>(state, 40);
    store<u64>(state, f, 40);
    g += load<u64>(state, 48);
    store<u64>(state, g, 48);
    h += load<u64>(state, 56);
    store<u64>(state, h, 56);
    p += 128;
    nblocks--;
  }
  zeroVec(WK, 128);
}

/** Starts a SHA-512 computation in the context at `ctx`. */
export function sha512Init(ctx: usize): void {
  copy64(ctx, IV);
  store<u32>(ctx + SHA512_FILL, 0);
  store<u64>(ctx + SHA512_TOTAL, 0);
}

/** Absorbs `len` bytes at `p`: whole blocks straight from `p`, the rest via the context buffer. */
export function sha512Update(ctx: usize, p: usize, len: usize): void {
  store<u64>(ctx + SHA512_TOTAL, load<u64>(ctx + SHA512_TOTAL) + <u64>len);
  let fill = <usize>load<u32>(ctx + SHA512_FILL);
  if (fill != 0) {
    let take: usize = 128 - fill;
    if (take > len) take = len;
    memory.copy(ctx + SHA512_BUF + fill, p, take);
    fill += take;
    p += take;
    len -= take;
    if (fill < 128) {
      store<u32>(ctx + SHA512_FILL, <u32>fill);
      return;
    }
    sha512Blocks(ctx, ctx + SHA512_BUF, 1);
  }
  const blocks = len >> 7;
  if (blocks != 0) {
    sha512Blocks(ctx, p, blocks);
    p += blocks << 7;
    len &= 127;
  }
  if (len != 0) memory.copy(ctx + SHA512_BUF, p, len);
  store<u32>(ctx + SHA512_FILL, <u32>len);
}

/**
 * Pads (FIPS 180-4 §5.1.2: 0x80, zeros, 128-bit big-endian bit length), runs the last block(s)
 * and writes the 64-byte digest to `out`.
 */
export function sha512Final(ctx: usize, out: usize): void {
  const buf = ctx + SHA512_BUF;
  const fill = <usize>load<u32>(ctx + SHA512_FILL);
  store<u8>(buf + fill, 0x80);
  if (fill >= 112) {
    memory.fill(buf + fill + 1, 0, 127 - fill);
    sha512Blocks(ctx, buf, 1);
    memory.fill(buf, 0, 112);
  } else {
    memory.fill(buf + fill + 1, 0, 111 - fill);
  }
  const total = load<u64>(ctx + SHA512_TOTAL);
  store<u64>(buf, bswap<u64>(total >> 61), 112);
  store<u64>(buf, bswap<u64>(total << 3), 120);
  sha512Blocks(ctx, buf, 1);
  sha512Output(ctx, out);
}

/** Writes the state words big-endian to `out` (64 bytes). */
// @ts-ignore: decorator
@inline export function sha512Output(state: usize, out: usize): void {
  store<u64>(out, bswap<u64>(load<u64>(state, 0)), 0);
  store<u64>(out, bswap<u64>(load<u64>(state, 8)), 8);
  store<u64>(out, bswap<u64>(load<u64>(state, 16)), 16);
  store<u64>(out, bswap<u64>(load<u64>(state, 24)), 24);
  store<u64>(out, bswap<u64>(load<u64>(state, 32)), 32);
  store<u64>(out, bswap<u64>(load<u64>(state, 40)), 40);
  store<u64>(out, bswap<u64>(load<u64>(state, 48)), 48);
  store<u64>(out, bswap<u64>(load<u64>(state, 56)), 56);
}

/**
 * One-shot SHA-512 of `len` bytes at `p` into `out`, padding in place: the 256 bytes after the
 * message must be writable scratch (IO has that slack). Saves the copy of the tail into a
 * context buffer, which is a noticeable share of hashing a 64-byte message.
 */
export function sha512InPlace(state: usize, p: usize, len: usize, out: usize): void {
  const tail = p + (len & ~<usize>127);
  const rem = len & 127;
  const tailBlocks: usize = rem < 112 ? 1 : 2;
  const end = tail + (tailBlocks << 7);
  store<u8>(tail + rem, 0x80);
  memory.fill(tail + rem + 1, 0, (tailBlocks << 7) - 17 - rem);
  store<u64>(end - 16, bswap<u64>(<u64>len >> 61));
  store<u64>(end - 8, bswap<u64>(<u64>len << 3));
  copy64(state, IV);
  sha512Blocks(state, p, (len >> 7) + tailBlocks);
  sha512Output(state, out);
}

/** SHA-512 of `len` bytes at `p` into `out`, using the scratch context `ctx`. */
export function sha512Into(ctx: usize, p: usize, len: usize, out: usize): void {
  sha512Init(ctx);
  sha512Update(ctx, p, len);
  sha512Final(ctx, out);
}
