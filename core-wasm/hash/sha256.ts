/**
 * SHA-256 (FIPS 180-4 §6.2) over linear memory, with no allocation: the 32-bit twin of
 * `sha512.ts` (same unrolled shape: scalar rounds reading W[t] + K[t] from a ring that a WASM SIMD
 * message schedule refills four words at a time; same Ch/Maj forms; no data-dependent branch or
 * index).
 * DARE derives every per-item key with HKDF-SHA-256 (dare.md §4.2), so a sequence writer runs
 * this once per frame; keeping it in WASM is what lets a frame's key derivation stay in the core.
 *
 * The unrolled rounds between the `generated` markers are written by `gen/rounds.mjs`.
 */

import { zeroVec } from './io';

/** FIPS 180-4 §4.2.2: the 64 round constants. */
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
], 16);

/** The round constants, for the four-lane compression (sha256x4.ts). */
export const SHA256_K: usize = K;

/** FIPS 180-4 §5.3.3: the initial hash value. */
export const IV256: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
], 16);

// Context layout (112 bytes): the state words H0..H7 as native u32, a 64-byte block buffer,
// the number of buffered bytes, and the total message length in bytes.
/** Offset of the block buffer in a SHA-256 context. */
export const SHA256_BUF: usize = 32;
/** Offset of the buffered byte count (u32). */
export const SHA256_FILL: usize = 96;
/** Offset of the total length in bytes (u64). */
export const SHA256_TOTAL: usize = 104;
/** Bytes used by a SHA-256 context. */
export const SHA256_CTX_SIZE: i32 = 112;

/**
 * W[t] + K[t] for the sixteen rounds in flight, written by the vector message schedule and read
 * by the scalar rounds. It holds message-derived words (HMAC key pads among them), so
 * {@link sha256Blocks} wipes it before returning.
 */
const WK: usize = memory.data(64, 16);
const ZERO: v128 = i32x4.splat(0);

/** Runs the compression function over `nblocks` consecutive 64-byte blocks at `p`. */
export function sha256Blocks(state: usize, p: usize, nblocks: usize): void {
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  let f = load<u32>(state, 20);
  let g = load<u32>(state, 24);
  let h = load<u32>(state, 28);
  while (nblocks != 0) {
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    let t: u32;
    let x0: u32 = 0;
    let x1 = b ^ c; // b ^ c of round 0, for the Maj trick
    // <generated:sha256-rounds>
    // Message words are big-endian (FIPS 180-4 §3.1): one byte shuffle swaps the four words of a quadruple.
    let y0 = v128.load(p, 0);
    y0 = i8x16.shuffle(y0, y0, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    v128.store(WK, i32x4.add(y0, v128.load(K, 0)), 0);
    let y1 = v128.load(p, 16);
    y1 = i8x16.shuffle(y1, y1, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    v128.store(WK, i32x4.add(y1, v128.load(K, 16)), 16);
    let y2 = v128.load(p, 32);
    y2 = i8x16.shuffle(y2, y2, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    v128.store(WK, i32x4.add(y2, v128.load(K, 32)), 32);
    let y3 = v128.load(p, 48);
    y3 = i8x16.shuffle(y3, y3, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    v128.store(WK, i32x4.add(y3, v128.load(K, 48)), 48);
    let s: v128;
    let q: v128;
    // Rounds 0..47 in three passes of 16, each extending the schedule for the next pass.
    for (let k = K + 64; k < K + 256; k += 64) {
      t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + load<u32>(WK, 0);
      x0 = a ^ b;
      d += t;
      h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x0 & x1));
      t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + load<u32>(WK, 4);
      x1 = h ^ a;
      c += t;
      g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x1 & x0));
      t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + load<u32>(WK, 8);
      x0 = g ^ h;
      b += t;
      f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x0 & x1));
      t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + load<u32>(WK, 12);
      x1 = f ^ g;
      a += t;
      e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x1 & x0));
      s = i32x4.add(i32x4.add(y0, v128.xor(v128.xor(v128.or(i32x4.shr_u(i32x4.shuffle(y0, y1, 1, 2, 3, 4), 7), i32x4.shl(i32x4.shuffle(y0, y1, 1, 2, 3, 4), 25)), v128.or(i32x4.shr_u(i32x4.shuffle(y0, y1, 1, 2, 3, 4), 18), i32x4.shl(i32x4.shuffle(y0, y1, 1, 2, 3, 4), 14))), i32x4.shr_u(i32x4.shuffle(y0, y1, 1, 2, 3, 4), 3))), i32x4.shuffle(y2, y3, 1, 2, 3, 4));
      q = i32x4.shuffle(y3, y3, 2, 3, 2, 3);
      s = i32x4.add(s, i32x4.shuffle(v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), ZERO, 0, 1, 4, 5));
      q = i32x4.shuffle(s, s, 0, 1, 0, 1);
      y0 = i32x4.add(s, i32x4.shuffle(ZERO, v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), 0, 1, 6, 7));
      v128.store(WK, i32x4.add(y0, v128.load(k, 0)), 0);
      t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + load<u32>(WK, 16);
      x0 = e ^ f;
      h += t;
      d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x0 & x1));
      t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + load<u32>(WK, 20);
      x1 = d ^ e;
      g += t;
      c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x1 & x0));
      t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + load<u32>(WK, 24);
      x0 = c ^ d;
      f += t;
      b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x0 & x1));
      t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + load<u32>(WK, 28);
      x1 = b ^ c;
      e += t;
      a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x1 & x0));
      s = i32x4.add(i32x4.add(y1, v128.xor(v128.xor(v128.or(i32x4.shr_u(i32x4.shuffle(y1, y2, 1, 2, 3, 4), 7), i32x4.shl(i32x4.shuffle(y1, y2, 1, 2, 3, 4), 25)), v128.or(i32x4.shr_u(i32x4.shuffle(y1, y2, 1, 2, 3, 4), 18), i32x4.shl(i32x4.shuffle(y1, y2, 1, 2, 3, 4), 14))), i32x4.shr_u(i32x4.shuffle(y1, y2, 1, 2, 3, 4), 3))), i32x4.shuffle(y3, y0, 1, 2, 3, 4));
      q = i32x4.shuffle(y0, y0, 2, 3, 2, 3);
      s = i32x4.add(s, i32x4.shuffle(v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), ZERO, 0, 1, 4, 5));
      q = i32x4.shuffle(s, s, 0, 1, 0, 1);
      y1 = i32x4.add(s, i32x4.shuffle(ZERO, v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), 0, 1, 6, 7));
      v128.store(WK, i32x4.add(y1, v128.load(k, 16)), 16);
      t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + load<u32>(WK, 32);
      x0 = a ^ b;
      d += t;
      h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x0 & x1));
      t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + load<u32>(WK, 36);
      x1 = h ^ a;
      c += t;
      g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x1 & x0));
      t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + load<u32>(WK, 40);
      x0 = g ^ h;
      b += t;
      f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x0 & x1));
      t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + load<u32>(WK, 44);
      x1 = f ^ g;
      a += t;
      e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x1 & x0));
      s = i32x4.add(i32x4.add(y2, v128.xor(v128.xor(v128.or(i32x4.shr_u(i32x4.shuffle(y2, y3, 1, 2, 3, 4), 7), i32x4.shl(i32x4.shuffle(y2, y3, 1, 2, 3, 4), 25)), v128.or(i32x4.shr_u(i32x4.shuffle(y2, y3, 1, 2, 3, 4), 18), i32x4.shl(i32x4.shuffle(y2, y3, 1, 2, 3, 4), 14))), i32x4.shr_u(i32x4.shuffle(y2, y3, 1, 2, 3, 4), 3))), i32x4.shuffle(y0, y1, 1, 2, 3, 4));
      q = i32x4.shuffle(y1, y1, 2, 3, 2, 3);
      s = i32x4.add(s, i32x4.shuffle(v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), ZERO, 0, 1, 4, 5));
      q = i32x4.shuffle(s, s, 0, 1, 0, 1);
      y2 = i32x4.add(s, i32x4.shuffle(ZERO, v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), 0, 1, 6, 7));
      v128.store(WK, i32x4.add(y2, v128.load(k, 32)), 32);
      t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + load<u32>(WK, 48);
      x0 = e ^ f;
      h += t;
      d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x0 & x1));
      t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + load<u32>(WK, 52);
      x1 = d ^ e;
      g += t;
      c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x1 & x0));
      t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + load<u32>(WK, 56);
      x0 = c ^ d;
      f += t;
      b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x0 & x1));
      t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + load<u32>(WK, 60);
      x1 = b ^ c;
      e += t;
      a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x1 & x0));
      s = i32x4.add(i32x4.add(y3, v128.xor(v128.xor(v128.or(i32x4.shr_u(i32x4.shuffle(y3, y0, 1, 2, 3, 4), 7), i32x4.shl(i32x4.shuffle(y3, y0, 1, 2, 3, 4), 25)), v128.or(i32x4.shr_u(i32x4.shuffle(y3, y0, 1, 2, 3, 4), 18), i32x4.shl(i32x4.shuffle(y3, y0, 1, 2, 3, 4), 14))), i32x4.shr_u(i32x4.shuffle(y3, y0, 1, 2, 3, 4), 3))), i32x4.shuffle(y1, y2, 1, 2, 3, 4));
      q = i32x4.shuffle(y2, y2, 2, 3, 2, 3);
      s = i32x4.add(s, i32x4.shuffle(v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), ZERO, 0, 1, 4, 5));
      q = i32x4.shuffle(s, s, 0, 1, 0, 1);
      y3 = i32x4.add(s, i32x4.shuffle(ZERO, v128.xor(v128.xor(v128.or(i32x4.shr_u(q, 17), i32x4.shl(q, 15)), v128.or(i32x4.shr_u(q, 19), i32x4.shl(q, 13))), i32x4.shr_u(q, 10)), 0, 1, 6, 7));
      v128.store(WK, i32x4.add(y3, v128.load(k, 48)), 48);
    }
    // Rounds 48..63.
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + load<u32>(WK, 0);
    x0 = a ^ b;
    d += t;
    h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x0 & x1));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + load<u32>(WK, 4);
    x1 = h ^ a;
    c += t;
    g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x1 & x0));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + load<u32>(WK, 8);
    x0 = g ^ h;
    b += t;
    f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x0 & x1));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + load<u32>(WK, 12);
    x1 = f ^ g;
    a += t;
    e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x1 & x0));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + load<u32>(WK, 16);
    x0 = e ^ f;
    h += t;
    d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x0 & x1));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + load<u32>(WK, 20);
    x1 = d ^ e;
    g += t;
    c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x1 & x0));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + load<u32>(WK, 24);
    x0 = c ^ d;
    f += t;
    b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x0 & x1));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + load<u32>(WK, 28);
    x1 = b ^ c;
    e += t;
    a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x1 & x0));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + load<u32>(WK, 32);
    x0 = a ^ b;
    d += t;
    h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x0 & x1));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + load<u32>(WK, 36);
    x1 = h ^ a;
    c += t;
    g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x1 & x0));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + load<u32>(WK, 40);
    x0 = g ^ h;
    b += t;
    f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x0 & x1));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + load<u32>(WK, 44);
    x1 = f ^ g;
    a += t;
    e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x1 & x0));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + load<u32>(WK, 48);
    x0 = e ^ f;
    h += t;
    d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x0 & x1));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + load<u32>(WK, 52);
    x1 = d ^ e;
    g += t;
    c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x1 & x0));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + load<u32>(WK, 56);
    x0 = c ^ d;
    f += t;
    b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x0 & x1));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + load<u32>(WK, 60);
    x1 = b ^ c;
    e += t;
    a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x1 & x0));
    // </generated:sha256-rounds>
    a += a0;
    b += b0;
    c += c0;
    d += d0;
    e += e0;
    f += f0;
    g += g0;
    h += h0;
    p += 64;
    nblocks--;
  }
  store<u32>(state, a, 0);
  store<u32>(state, b, 4);
  store<u32>(state, c, 8);
  store<u32>(state, d, 12);
  store<u32>(state, e, 16);
  store<u32>(state, f, 20);
  store<u32>(state, g, 24);
  store<u32>(state, h, 28);
  zeroVec(WK, 64);
}

/** Starts a SHA-256 context. */
export function sha256Init(ctx: usize): void {
  memory.copy(ctx, IV256, 32);
  store<u32>(ctx + SHA256_FILL, 0);
  store<u64>(ctx + SHA256_TOTAL, 0);
}

/** Absorbs `len` bytes at `p`: whole blocks straight from `p`, the rest via the context buffer. */
export function sha256Update(ctx: usize, p: usize, len: usize): void {
  store<u64>(ctx + SHA256_TOTAL, load<u64>(ctx + SHA256_TOTAL) + <u64>len);
  let fill = <usize>load<u32>(ctx + SHA256_FILL);
  if (fill != 0) {
    let take: usize = 64 - fill;
    if (take > len) take = len;
    memory.copy(ctx + SHA256_BUF + fill, p, take);
    fill += take;
    p += take;
    len -= take;
    if (fill < 64) {
      store<u32>(ctx + SHA256_FILL, <u32>fill);
      return;
    }
    sha256Blocks(ctx, ctx + SHA256_BUF, 1);
  }
  const blocks = len >> 6;
  if (blocks != 0) {
    sha256Blocks(ctx, p, blocks);
    p += blocks << 6;
    len &= 63;
  }
  if (len != 0) memory.copy(ctx + SHA256_BUF, p, len);
  store<u32>(ctx + SHA256_FILL, <u32>len);
}

/** Pads (FIPS 180-4 §5.1.1: 0x80, zeros, 64-bit big-endian bit length) and writes 32 bytes to `out`. */
export function sha256Final(ctx: usize, out: usize): void {
  const buf = ctx + SHA256_BUF;
  const fill = <usize>load<u32>(ctx + SHA256_FILL);
  store<u8>(buf + fill, 0x80);
  if (fill >= 56) {
    memory.fill(buf + fill + 1, 0, 63 - fill);
    sha256Blocks(ctx, buf, 1);
    memory.fill(buf, 0, 56);
  } else {
    memory.fill(buf + fill + 1, 0, 55 - fill);
  }
  const total = load<u64>(ctx + SHA256_TOTAL);
  store<u64>(buf, bswap<u64>(total << 3), 56);
  sha256Blocks(ctx, buf, 1);
  sha256Output(ctx, out);
}

/** Writes the state words big-endian to `out` (32 bytes). */
// @ts-ignore: decorator
@inline export function sha256Output(state: usize, out: usize): void {
  store<u32>(out, bswap<u32>(load<u32>(state, 0)), 0);
  store<u32>(out, bswap<u32>(load<u32>(state, 4)), 4);
  store<u32>(out, bswap<u32>(load<u32>(state, 8)), 8);
  store<u32>(out, bswap<u32>(load<u32>(state, 12)), 12);
  store<u32>(out, bswap<u32>(load<u32>(state, 16)), 16);
  store<u32>(out, bswap<u32>(load<u32>(state, 20)), 20);
  store<u32>(out, bswap<u32>(load<u32>(state, 24)), 24);
  store<u32>(out, bswap<u32>(load<u32>(state, 28)), 28);
}

/**
 * One-shot SHA-256 of `len` bytes at `p` into `out`, padding in place: the 128 bytes after the
 * message must be writable scratch (IO has that slack), as in `sha512InPlace`.
 */
export function sha256InPlace(state: usize, p: usize, len: usize, out: usize): void {
  const tail = p + (len & ~<usize>63);
  const rem = len & 63;
  const tailBlocks: usize = rem < 56 ? 1 : 2;
  const end = tail + (tailBlocks << 6);
  store<u8>(tail + rem, 0x80);
  memory.fill(tail + rem + 1, 0, (tailBlocks << 6) - 9 - rem);
  store<u64>(end - 8, bswap<u64>(<u64>len << 3));
  memory.copy(state, IV256, 32);
  sha256Blocks(state, p, (len >> 6) + tailBlocks);
  sha256Output(state, out);
}

/** SHA-256 of `len` bytes at `p` into `out`, using the scratch context `ctx`. */
export function sha256Into(ctx: usize, p: usize, len: usize, out: usize): void {
  sha256Init(ctx);
  sha256Update(ctx, p, len);
  sha256Final(ctx, out);
}
