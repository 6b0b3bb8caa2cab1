/**
 * SHA-512 (FIPS 180-4 §6.4) over linear memory, with no allocation.
 *
 * The compression function keeps the eight working variables and the sixteen-word message
 * schedule window in i64 locals and runs the 80 rounds as 16 unrolled rounds, then 4 passes of 16
 * unrolled rounds that extend the schedule as they go; the variable roles rotate, so there are no
 * moves between rounds. (Measured on V8: ~15% faster than computing the schedule in a separate
 * pass or in memory, and faster than a full 80-round unroll.) Two further tricks from the literature:
 * Ch(e,f,g) = g ^ (e & (f ^ g)) and Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)), reusing a ^ b of one
 * round as b ^ c of the next. There is no data-dependent branch or index: the code is constant
 * time by construction (only the lengths, which are public, steer control flow).
 *
 * The unrolled rounds between the `generated` markers are written by `gen/rounds.mjs`.
 */

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
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    // Message words are big-endian (FIPS 180-4 §3.1); WASM loads are little-endian.
    let w0 = bswap<u64>(load<u64>(p, 0));
    let w1 = bswap<u64>(load<u64>(p, 8));
    let w2 = bswap<u64>(load<u64>(p, 16));
    let w3 = bswap<u64>(load<u64>(p, 24));
    let w4 = bswap<u64>(load<u64>(p, 32));
    let w5 = bswap<u64>(load<u64>(p, 40));
    let w6 = bswap<u64>(load<u64>(p, 48));
    let w7 = bswap<u64>(load<u64>(p, 56));
    let w8 = bswap<u64>(load<u64>(p, 64));
    let w9 = bswap<u64>(load<u64>(p, 72));
    let w10 = bswap<u64>(load<u64>(p, 80));
    let w11 = bswap<u64>(load<u64>(p, 88));
    let w12 = bswap<u64>(load<u64>(p, 96));
    let w13 = bswap<u64>(load<u64>(p, 104));
    let w14 = bswap<u64>(load<u64>(p, 112));
    let w15 = bswap<u64>(load<u64>(p, 120));
    let t: u64;
    let x0: u64 = 0;
    let x1 = b ^ c; // b ^ c of round 0, for the Maj trick
    // <generated:sha512-rounds>
    // Rounds 0..15 use the message words as loaded.
    t = h + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41)) + (g ^ (e & (f ^ g))) + load<u64>(K, 0) + w0;
    x0 = a ^ b;
    d += t;
    h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
    t = g + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41)) + (f ^ (d & (e ^ f))) + load<u64>(K, 8) + w1;
    x1 = h ^ a;
    c += t;
    g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
    t = f + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41)) + (e ^ (c & (d ^ e))) + load<u64>(K, 16) + w2;
    x0 = g ^ h;
    b += t;
    f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
    t = e + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41)) + (d ^ (b & (c ^ d))) + load<u64>(K, 24) + w3;
    x1 = f ^ g;
    a += t;
    e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
    t = d + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41)) + (c ^ (a & (b ^ c))) + load<u64>(K, 32) + w4;
    x0 = e ^ f;
    h += t;
    d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
    t = c + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41)) + (b ^ (h & (a ^ b))) + load<u64>(K, 40) + w5;
    x1 = d ^ e;
    g += t;
    c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
    t = b + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41)) + (a ^ (g & (h ^ a))) + load<u64>(K, 48) + w6;
    x0 = c ^ d;
    f += t;
    b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
    t = a + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41)) + (h ^ (f & (g ^ h))) + load<u64>(K, 56) + w7;
    x1 = b ^ c;
    e += t;
    a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
    t = h + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41)) + (g ^ (e & (f ^ g))) + load<u64>(K, 64) + w8;
    x0 = a ^ b;
    d += t;
    h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
    t = g + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41)) + (f ^ (d & (e ^ f))) + load<u64>(K, 72) + w9;
    x1 = h ^ a;
    c += t;
    g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
    t = f + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41)) + (e ^ (c & (d ^ e))) + load<u64>(K, 80) + w10;
    x0 = g ^ h;
    b += t;
    f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
    t = e + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41)) + (d ^ (b & (c ^ d))) + load<u64>(K, 88) + w11;
    x1 = f ^ g;
    a += t;
    e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
    t = d + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41)) + (c ^ (a & (b ^ c))) + load<u64>(K, 96) + w12;
    x0 = e ^ f;
    h += t;
    d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
    t = c + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41)) + (b ^ (h & (a ^ b))) + load<u64>(K, 104) + w13;
    x1 = d ^ e;
    g += t;
    c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
    t = b + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41)) + (a ^ (g & (h ^ a))) + load<u64>(K, 112) + w14;
    x0 = c ^ d;
    f += t;
    b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
    t = a + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41)) + (h ^ (f & (g ^ h))) + load<u64>(K, 120) + w15;
    x1 = b ^ c;
    e += t;
    a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
    // Rounds 16..79: each round first extends the schedule in place (FIPS 180-4 §6.4.2 step 1,
    // W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16], indices mod 16).
    for (let k = K + 128; k < K + 640; k += 128) {
      w0 += (rotr<u64>(w14, 19) ^ rotr<u64>(w14, 61) ^ (w14 >> 6)) + w9 + (rotr<u64>(w1, 1) ^ rotr<u64>(w1, 8) ^ (w1 >> 7));
      t = h + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41)) + (g ^ (e & (f ^ g))) + load<u64>(k, 0) + w0;
      x0 = a ^ b;
      d += t;
      h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
      w1 += (rotr<u64>(w15, 19) ^ rotr<u64>(w15, 61) ^ (w15 >> 6)) + w10 + (rotr<u64>(w2, 1) ^ rotr<u64>(w2, 8) ^ (w2 >> 7));
      t = g + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41)) + (f ^ (d & (e ^ f))) + load<u64>(k, 8) + w1;
      x1 = h ^ a;
      c += t;
      g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
      w2 += (rotr<u64>(w0, 19) ^ rotr<u64>(w0, 61) ^ (w0 >> 6)) + w11 + (rotr<u64>(w3, 1) ^ rotr<u64>(w3, 8) ^ (w3 >> 7));
      t = f + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41)) + (e ^ (c & (d ^ e))) + load<u64>(k, 16) + w2;
      x0 = g ^ h;
      b += t;
      f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
      w3 += (rotr<u64>(w1, 19) ^ rotr<u64>(w1, 61) ^ (w1 >> 6)) + w12 + (rotr<u64>(w4, 1) ^ rotr<u64>(w4, 8) ^ (w4 >> 7));
      t = e + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41)) + (d ^ (b & (c ^ d))) + load<u64>(k, 24) + w3;
      x1 = f ^ g;
      a += t;
      e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
      w4 += (rotr<u64>(w2, 19) ^ rotr<u64>(w2, 61) ^ (w2 >> 6)) + w13 + (rotr<u64>(w5, 1) ^ rotr<u64>(w5, 8) ^ (w5 >> 7));
      t = d + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41)) + (c ^ (a & (b ^ c))) + load<u64>(k, 32) + w4;
      x0 = e ^ f;
      h += t;
      d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
      w5 += (rotr<u64>(w3, 19) ^ rotr<u64>(w3, 61) ^ (w3 >> 6)) + w14 + (rotr<u64>(w6, 1) ^ rotr<u64>(w6, 8) ^ (w6 >> 7));
      t = c + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41)) + (b ^ (h & (a ^ b))) + load<u64>(k, 40) + w5;
      x1 = d ^ e;
      g += t;
      c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
      w6 += (rotr<u64>(w4, 19) ^ rotr<u64>(w4, 61) ^ (w4 >> 6)) + w15 + (rotr<u64>(w7, 1) ^ rotr<u64>(w7, 8) ^ (w7 >> 7));
      t = b + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41)) + (a ^ (g & (h ^ a))) + load<u64>(k, 48) + w6;
      x0 = c ^ d;
      f += t;
      b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
      w7 += (rotr<u64>(w5, 19) ^ rotr<u64>(w5, 61) ^ (w5 >> 6)) + w0 + (rotr<u64>(w8, 1) ^ rotr<u64>(w8, 8) ^ (w8 >> 7));
      t = a + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41)) + (h ^ (f & (g ^ h))) + load<u64>(k, 56) + w7;
      x1 = b ^ c;
      e += t;
      a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
      w8 += (rotr<u64>(w6, 19) ^ rotr<u64>(w6, 61) ^ (w6 >> 6)) + w1 + (rotr<u64>(w9, 1) ^ rotr<u64>(w9, 8) ^ (w9 >> 7));
      t = h + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41)) + (g ^ (e & (f ^ g))) + load<u64>(k, 64) + w8;
      x0 = a ^ b;
      d += t;
      h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + (b ^ (x0 & x1));
      w9 += (rotr<u64>(w7, 19) ^ rotr<u64>(w7, 61) ^ (w7 >> 6)) + w2 + (rotr<u64>(w10, 1) ^ rotr<u64>(w10, 8) ^ (w10 >> 7));
      t = g + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41)) + (f ^ (d & (e ^ f))) + load<u64>(k, 72) + w9;
      x1 = h ^ a;
      c += t;
      g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + (a ^ (x1 & x0));
      w10 += (rotr<u64>(w8, 19) ^ rotr<u64>(w8, 61) ^ (w8 >> 6)) + w3 + (rotr<u64>(w11, 1) ^ rotr<u64>(w11, 8) ^ (w11 >> 7));
      t = f + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41)) + (e ^ (c & (d ^ e))) + load<u64>(k, 80) + w10;
      x0 = g ^ h;
      b += t;
      f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + (h ^ (x0 & x1));
      w11 += (rotr<u64>(w9, 19) ^ rotr<u64>(w9, 61) ^ (w9 >> 6)) + w4 + (rotr<u64>(w12, 1) ^ rotr<u64>(w12, 8) ^ (w12 >> 7));
      t = e + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41)) + (d ^ (b & (c ^ d))) + load<u64>(k, 88) + w11;
      x1 = f ^ g;
      a += t;
      e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + (g ^ (x1 & x0));
      w12 += (rotr<u64>(w10, 19) ^ rotr<u64>(w10, 61) ^ (w10 >> 6)) + w5 + (rotr<u64>(w13, 1) ^ rotr<u64>(w13, 8) ^ (w13 >> 7));
      t = d + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41)) + (c ^ (a & (b ^ c))) + load<u64>(k, 96) + w12;
      x0 = e ^ f;
      h += t;
      d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + (f ^ (x0 & x1));
      w13 += (rotr<u64>(w11, 19) ^ rotr<u64>(w11, 61) ^ (w11 >> 6)) + w6 + (rotr<u64>(w14, 1) ^ rotr<u64>(w14, 8) ^ (w14 >> 7));
      t = c + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41)) + (b ^ (h & (a ^ b))) + load<u64>(k, 104) + w13;
      x1 = d ^ e;
      g += t;
      c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + (e ^ (x1 & x0));
      w14 += (rotr<u64>(w12, 19) ^ rotr<u64>(w12, 61) ^ (w12 >> 6)) + w7 + (rotr<u64>(w15, 1) ^ rotr<u64>(w15, 8) ^ (w15 >> 7));
      t = b + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41)) + (a ^ (g & (h ^ a))) + load<u64>(k, 112) + w14;
      x0 = c ^ d;
      f += t;
      b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + (d ^ (x0 & x1));
      w15 += (rotr<u64>(w13, 19) ^ rotr<u64>(w13, 61) ^ (w13 >> 6)) + w8 + (rotr<u64>(w0, 1) ^ rotr<u64>(w0, 8) ^ (w0 >> 7));
      t = a + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41)) + (h ^ (f & (g ^ h))) + load<u64>(k, 120) + w15;
      x1 = b ^ c;
      e += t;
      a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + (c ^ (x1 & x0));
    }
    // </generated:sha512-rounds>
    a += a0;
    b += b0;
    c += c0;
    d += d0;
    e += e0;
    f += f0;
    g += g0;
    h += h0;
    p += 128;
    nblocks--;
  }
  store<u64>(state, a, 0);
  store<u64>(state, b, 8);
  store<u64>(state, c, 16);
  store<u64>(state, d, 24);
  store<u64>(state, e, 32);
  store<u64>(state, f, 40);
  store<u64>(state, g, 48);
  store<u64>(state, h, 56);
}

/** Starts a SHA-512 computation in the context at `ctx`. */
export function sha512Init(ctx: usize): void {
  memory.copy(ctx, IV, 64);
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
  memory.copy(state, IV, 64);
  sha512Blocks(state, p, (len >> 7) + tailBlocks);
  sha512Output(state, out);
}

/** SHA-512 of `len` bytes at `p` into `out`, using the scratch context `ctx`. */
export function sha512Into(ctx: usize, p: usize, len: usize, out: usize): void {
  sha512Init(ctx);
  sha512Update(ctx, p, len);
  sha512Final(ctx, out);
}
