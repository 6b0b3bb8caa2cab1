import { keccakAbsorb, keccakF } from './keccak';

/**
 * The FIPS 202 sponge (§4) with the SHA-3 / SHAKE padding (§5.1, §6): a streaming context that
 * absorbs any number of updates and squeezes any number of output bytes.
 *
 * Context layout (216 bytes): the 200-byte state (lane i at byte 8i, little-endian, which is
 * also FIPS 202's byte order), then the position inside the current block, the rate in bytes,
 * the domain suffix and a phase flag (0 absorbing, 1 squeezing).
 */
/** Offset of the position in the current block (u32). */
const POS: usize = 200;
/** Offset of the rate in bytes (u32): 72 for SHA3-512, 136 for SHAKE256. */
const RATE: usize = 204;
/** Offset of the domain-separation suffix (u32): 0x06 for SHA3, 0x1f for SHAKE (FIPS 202 §6). */
const SUFFIX: usize = 208;
/** Offset of the phase flag (u32). */
const PHASE: usize = 212;
/** Bytes used by a sponge context. */
export const SPONGE_CTX_SIZE: i32 = 216;

/** SHA3-512: rate 1600 − 2·512 bits = 72 bytes; suffix 01 then pad10*1 → 0x06. */
export const SHA3_512_RATE: u32 = 72;
export const SHA3_SUFFIX: u32 = 0x06;
/** SHAKE256: rate 1600 − 2·256 bits = 136 bytes; suffix 1111 then pad10*1 → 0x1f. */
export const SHAKE256_RATE: u32 = 136;
export const SHAKE_SUFFIX: u32 = 0x1f;

/** Starts a sponge with the given rate (bytes, a multiple of 8) and domain suffix. */
export function spongeInit(ctx: usize, rate: u32, suffix: u32): void {
  memory.fill(ctx, 0, 200);
  store<u32>(ctx + POS, 0);
  store<u32>(ctx + RATE, rate);
  store<u32>(ctx + SUFFIX, suffix);
  store<u32>(ctx + PHASE, 0);
}

/**
 * One-shot absorb of `len` bytes at `p`, padding in place (the `rate` bytes after the message
 * must be writable scratch), leaving the context ready to squeeze. One call, no byte loop.
 */
export function spongeOneShot(ctx: usize, rate: u32, suffix: u32, p: usize, len: usize): void {
  const r = <usize>rate;
  const blocks = len / r + 1;
  const end = p + blocks * r;
  const msgEnd = p + len;
  memory.fill(msgEnd, 0, end - msgEnd);
  store<u8>(msgEnd, <u8>suffix);
  store<u8>(end - 1, load<u8>(end - 1) | 0x80);
  memory.fill(ctx, 0, 200);
  keccakAbsorb(ctx, p, blocks, rate >> 3);
  store<u32>(ctx + POS, 0);
  store<u32>(ctx + RATE, rate);
  store<u32>(ctx + SUFFIX, suffix);
  store<u32>(ctx + PHASE, 1);
}

/** XORs `len` bytes at `p` into the state from byte `at` on (a partial block). */
function xorBytes(ctx: usize, at: usize, p: usize, len: usize): void {
  const s = ctx + at;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) store<u64>(s + i, load<u64>(s + i) ^ load<u64>(p + i));
  for (; i < len; i++) store<u8>(s + i, load<u8>(s + i) ^ load<u8>(p + i));
}

/** Absorbs `len` bytes at `p`. */
export function spongeUpdate(ctx: usize, p: usize, len: usize): void {
  const rate = <usize>load<u32>(ctx + RATE);
  let pos = <usize>load<u32>(ctx + POS);
  if (pos != 0) {
    let take = rate - pos;
    if (take > len) take = len;
    xorBytes(ctx, pos, p, take);
    pos += take;
    p += take;
    len -= take;
    if (pos < rate) {
      store<u32>(ctx + POS, <u32>pos);
      return;
    }
    keccakF(ctx);
  }
  const blocks = len / rate;
  if (blocks != 0) {
    keccakAbsorb(ctx, p, blocks, <u32>(rate >> 3));
    p += blocks * rate;
    len -= blocks * rate;
  }
  xorBytes(ctx, 0, p, len);
  store<u32>(ctx + POS, <u32>len);
}

/** Pads (suffix, then the final 1 bit of pad10*1 at the end of the block) and permutes. */
export function spongeFinish(ctx: usize): void {
  const rate = <usize>load<u32>(ctx + RATE);
  const pos = <usize>load<u32>(ctx + POS);
  store<u8>(ctx + pos, load<u8>(ctx + pos) ^ <u8>load<u32>(ctx + SUFFIX));
  store<u8>(ctx + rate - 1, load<u8>(ctx + rate - 1) ^ 0x80);
  keccakF(ctx);
  store<u32>(ctx + POS, 0);
  store<u32>(ctx + PHASE, 1);
}

/** Squeezes `len` output bytes to `out`, continuing where the previous squeeze stopped. */
export function spongeSqueeze(ctx: usize, out: usize, len: usize): void {
  if (load<u32>(ctx + PHASE) == 0) spongeFinish(ctx);
  const rate = <usize>load<u32>(ctx + RATE);
  let pos = <usize>load<u32>(ctx + POS);
  while (len != 0) {
    if (pos == rate) {
      keccakF(ctx);
      pos = 0;
    }
    let take = rate - pos;
    if (take > len) take = len;
    memory.copy(out, ctx + pos, take);
    out += take;
    pos += take;
    len -= take;
  }
  store<u32>(ctx + POS, <u32>pos);
}
