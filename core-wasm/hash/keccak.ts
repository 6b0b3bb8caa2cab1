/**
 * Keccak-f[1600] and block absorption for the FIPS 202 sponge (§3, §4), over linear memory.
 *
 * The 25 lanes live in i64 locals for the whole of an absorb call (many blocks per call), the
 * round is written out once (θ, ρ and π fused: B[y, 2x+3y] = rotl(A[x,y] ^ D[x], r[x,y])), and
 * input lanes are XORed in straight from memory with `load<u64>`: Keccak's lane order is
 * little-endian, like WASM, so no byte swapping is needed.
 *
 * χ uses the "lane complementing" transform of the Keccak implementation overview (§2.2, the
 * `bebigokimisa` pattern of XKCP): lanes 1, 2, 8, 12, 17 and 20 are kept complemented while in
 * locals, which turns 25 NOTs per round into 5 (WASM has no and-not, and V8 does not fuse one).
 * The complement is applied on load and undone on store, so memory always holds the true state.
 *
 * No branch or index depends on data: the only branches are on the (public) block count and rate.
 * The round body between the `generated` markers is written by `gen/rounds.mjs`, which also
 * derives the complemented χ forms.
 */

/** FIPS 202 §3.2.5: round constants of ι for the 24 rounds. */
const RC: usize = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
], 16);

/**
 * XORs `nblocks` blocks of `rateLanes` lanes from `p` into the state at `state`, permuting after
 * each. `rateLanes` is 9 (SHA3-512, rate 72), 17 (SHAKE256, rate 136) or 0 (permute only).
 */
export function keccakAbsorb(state: usize, p: usize, nblocks: usize, rateLanes: u32): void {
  let a0 = load<u64>(state, 0);
  let a1 = ~load<u64>(state, 8);
  let a2 = ~load<u64>(state, 16);
  let a3 = load<u64>(state, 24);
  let a4 = load<u64>(state, 32);
  let a5 = load<u64>(state, 40);
  let a6 = load<u64>(state, 48);
  let a7 = load<u64>(state, 56);
  let a8 = ~load<u64>(state, 64);
  let a9 = load<u64>(state, 72);
  let a10 = load<u64>(state, 80);
  let a11 = load<u64>(state, 88);
  let a12 = ~load<u64>(state, 96);
  let a13 = load<u64>(state, 104);
  let a14 = load<u64>(state, 112);
  let a15 = load<u64>(state, 120);
  let a16 = load<u64>(state, 128);
  let a17 = ~load<u64>(state, 136);
  let a18 = load<u64>(state, 144);
  let a19 = load<u64>(state, 152);
  let a20 = ~load<u64>(state, 160);
  let a21 = load<u64>(state, 168);
  let a22 = load<u64>(state, 176);
  let a23 = load<u64>(state, 184);
  let a24 = load<u64>(state, 192);
  let c0: u64, c1: u64, c2: u64, c3: u64, c4: u64, d0: u64, d1: u64, d2: u64, d3: u64, d4: u64;
  let b0: u64, b1: u64, b2: u64, b3: u64, b4: u64, b5: u64, b6: u64, b7: u64, b8: u64, b9: u64, b10: u64, b11: u64, b12: u64, b13: u64, b14: u64, b15: u64, b16: u64, b17: u64, b18: u64, b19: u64, b20: u64, b21: u64, b22: u64, b23: u64, b24: u64;
  let n2: u64, n9: u64, n13: u64, n18: u64, n21: u64;
  while (nblocks != 0) {
    if (rateLanes != 0) {
      a0 ^= load<u64>(p, 0);
      a1 ^= load<u64>(p, 8);
      a2 ^= load<u64>(p, 16);
      a3 ^= load<u64>(p, 24);
      a4 ^= load<u64>(p, 32);
      a5 ^= load<u64>(p, 40);
      a6 ^= load<u64>(p, 48);
      a7 ^= load<u64>(p, 56);
      a8 ^= load<u64>(p, 64);
      if (rateLanes > 9) {
        a9 ^= load<u64>(p, 72);
        a10 ^= load<u64>(p, 80);
        a11 ^= load<u64>(p, 88);
        a12 ^= load<u64>(p, 96);
        a13 ^= load<u64>(p, 104);
        a14 ^= load<u64>(p, 112);
        a15 ^= load<u64>(p, 120);
        a16 ^= load<u64>(p, 128);
      }
    }
    for (let rc = RC; rc < RC + 192; rc += 8) {
      // <generated:keccak-round>
      c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
      c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
      c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
      c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
      c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
      d0 = c4 ^ rotl<u64>(c1, 1);
      d1 = c0 ^ rotl<u64>(c2, 1);
      d2 = c1 ^ rotl<u64>(c3, 1);
      d3 = c2 ^ rotl<u64>(c4, 1);
      d4 = c3 ^ rotl<u64>(c0, 1);
      b0 = a0 ^ d0;
      b16 = rotl<u64>(a5 ^ d0, 36);
      b7 = rotl<u64>(a10 ^ d0, 3);
      b23 = rotl<u64>(a15 ^ d0, 41);
      b14 = rotl<u64>(a20 ^ d0, 18);
      b10 = rotl<u64>(a1 ^ d1, 1);
      b1 = rotl<u64>(a6 ^ d1, 44);
      b17 = rotl<u64>(a11 ^ d1, 10);
      b8 = rotl<u64>(a16 ^ d1, 45);
      b24 = rotl<u64>(a21 ^ d1, 2);
      b20 = rotl<u64>(a2 ^ d2, 62);
      b11 = rotl<u64>(a7 ^ d2, 6);
      b2 = rotl<u64>(a12 ^ d2, 43);
      b18 = rotl<u64>(a17 ^ d2, 15);
      b9 = rotl<u64>(a22 ^ d2, 61);
      b5 = rotl<u64>(a3 ^ d3, 28);
      b21 = rotl<u64>(a8 ^ d3, 55);
      b12 = rotl<u64>(a13 ^ d3, 25);
      b3 = rotl<u64>(a18 ^ d3, 21);
      b19 = rotl<u64>(a23 ^ d3, 56);
      b15 = rotl<u64>(a4 ^ d4, 27);
      b6 = rotl<u64>(a9 ^ d4, 20);
      b22 = rotl<u64>(a14 ^ d4, 39);
      b13 = rotl<u64>(a19 ^ d4, 8);
      b4 = rotl<u64>(a24 ^ d4, 14);
      n2 = ~b2;
      n9 = ~b9;
      n13 = ~b13;
      n18 = ~b18;
      n21 = ~b21;
      a0 = b0 ^ (b1 | b2);
      a1 = b1 ^ (n2 | b3);
      a2 = b2 ^ (b3 & b4);
      a3 = b3 ^ (b4 | b0);
      a4 = b4 ^ (b0 & b1);
      a5 = b5 ^ (b6 | b7);
      a6 = b6 ^ (b7 & b8);
      a7 = b7 ^ (b8 | n9);
      a8 = b8 ^ (b9 | b5);
      a9 = b9 ^ (b5 & b6);
      a10 = b10 ^ (b11 | b12);
      a11 = b11 ^ (b12 & b13);
      a12 = b12 ^ (n13 & b14);
      a13 = n13 ^ (b14 | b10);
      a14 = b14 ^ (b10 & b11);
      a15 = b15 ^ (b16 & b17);
      a16 = b16 ^ (b17 | b18);
      a17 = b17 ^ (n18 | b19);
      a18 = n18 ^ (b19 & b15);
      a19 = b19 ^ (b15 | b16);
      a20 = b20 ^ (n21 & b22);
      a21 = n21 ^ (b22 | b23);
      a22 = b22 ^ (b23 & b24);
      a23 = b23 ^ (b24 | b20);
      a24 = b24 ^ (b20 & b21);
      a0 ^= load<u64>(rc);
      // </generated:keccak-round>
    }
    p += <usize>rateLanes << 3;
    nblocks--;
  }
  store<u64>(state, a0, 0);
  store<u64>(state, ~a1, 8);
  store<u64>(state, ~a2, 16);
  store<u64>(state, a3, 24);
  store<u64>(state, a4, 32);
  store<u64>(state, a5, 40);
  store<u64>(state, a6, 48);
  store<u64>(state, a7, 56);
  store<u64>(state, ~a8, 64);
  store<u64>(state, a9, 72);
  store<u64>(state, a10, 80);
  store<u64>(state, a11, 88);
  store<u64>(state, ~a12, 96);
  store<u64>(state, a13, 104);
  store<u64>(state, a14, 112);
  store<u64>(state, a15, 120);
  store<u64>(state, a16, 128);
  store<u64>(state, ~a17, 136);
  store<u64>(state, a18, 144);
  store<u64>(state, a19, 152);
  store<u64>(state, ~a20, 160);
  store<u64>(state, a21, 168);
  store<u64>(state, a22, 176);
  store<u64>(state, a23, 184);
  store<u64>(state, a24, 192);
}

/** Keccak-f[1600] on the 200-byte state at `state`. */
export function keccakF(state: usize): void {
  keccakAbsorb(state, 0, 1, 0);
}
