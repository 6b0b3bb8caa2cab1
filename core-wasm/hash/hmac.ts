import { BLOCK, copy64, zeroVec } from './io';
import { sha256Final, sha256Init, sha256Into, sha256Update } from './sha256';
import { IV, sha512Blocks, sha512Final, sha512Init, sha512Into, sha512Output, sha512Update } from './sha512';
import { SHA3_512_RATE, SHA3_SUFFIX, spongeInit, spongeSqueeze, spongeUpdate } from './sponge';

/**
 * HMAC (RFC 2104; FIPS 198-1) over SHA-512 (block 128, RFC 4231) and SHA3-512 (block = rate
 * 72, FIPS 202 §A / NIST SP 800-224 draft). An HMAC context holds two hash contexts: the inner one,
 * already keyed with K ⊕ ipad, at offset 0, and the outer one, keyed with K ⊕ opad, at
 * `HMAC_OUTER`. Keying once and copying the context is what lets HKDF's expand step pay for the
 * two pad blocks only once.
 */

/** Offset of the outer hash context inside an HMAC context. */
export const HMAC_OUTER: usize = 256;
/** Bytes used by an HMAC context (outer sponge context is the larger, 216 bytes). */
export const HMAC_CTX_SIZE: i32 = 256 + 216;

const IPAD: u64 = 0x3636363636363636;
const OPAD_FROM_IPAD: u64 = 0x3636363636363636 ^ 0x5c5c5c5c5c5c5c5c;

/** XORs the first `blockLen` bytes of BLOCK with the repeated byte pattern `pad`. */
function xorBlock(blockLen: usize, pad: u64): void {
  for (let i: usize = 0; i < blockLen; i += 8) store<u64>(BLOCK + i, load<u64>(BLOCK + i) ^ pad);
}

/**
 * Keys an HMAC-SHA-512 context: K0 is the key zero-padded to 128 bytes, or SHA-512(key) padded
 * when the key is longer than the block (RFC 2104 §2).
 */
export function hmacSha512Init(ctx: usize, key: usize, keyLen: usize): void {
  memory.fill(BLOCK, 0, 128);
  if (keyLen > 128) sha512Into(ctx + HMAC_OUTER, key, keyLen, BLOCK);
  else memory.copy(BLOCK, key, keyLen);
  xorBlock(128, IPAD);
  sha512Init(ctx);
  sha512Update(ctx, BLOCK, 128);
  xorBlock(128, OPAD_FROM_IPAD);
  sha512Init(ctx + HMAC_OUTER);
  sha512Update(ctx + HMAC_OUTER, BLOCK, 128);
  memory.fill(BLOCK, 0, 128); // the padded key is secret: do not leave it behind
}

/** Adds message bytes to a keyed HMAC-SHA-512 context. */
export function hmacSha512Update(ctx: usize, p: usize, len: usize): void {
  sha512Update(ctx, p, len);
}

/** HMAC-SHA-512 tag = H(K ⊕ opad ‖ H(K ⊕ ipad ‖ m)) to `out` (64 bytes). */
export function hmacSha512Final(ctx: usize, out: usize): void {
  sha512Final(ctx, BLOCK);
  sha512Update(ctx + HMAC_OUTER, BLOCK, 64);
  sha512Final(ctx + HMAC_OUTER, out);
}

/** Keys an HMAC-SHA3-512 context (block 72 bytes; longer keys are replaced by SHA3-512(key)). */
export function hmacSha3_512Init(ctx: usize, key: usize, keyLen: usize): void {
  memory.fill(BLOCK, 0, 72);
  if (keyLen > <usize>SHA3_512_RATE) {
    spongeInit(ctx + HMAC_OUTER, SHA3_512_RATE, SHA3_SUFFIX);
    spongeUpdate(ctx + HMAC_OUTER, key, keyLen);
    spongeSqueeze(ctx + HMAC_OUTER, BLOCK, 64);
  } else {
    memory.copy(BLOCK, key, keyLen);
  }
  xorBlock(72, IPAD);
  spongeInit(ctx, SHA3_512_RATE, SHA3_SUFFIX);
  spongeUpdate(ctx, BLOCK, 72);
  xorBlock(72, OPAD_FROM_IPAD);
  spongeInit(ctx + HMAC_OUTER, SHA3_512_RATE, SHA3_SUFFIX);
  spongeUpdate(ctx + HMAC_OUTER, BLOCK, 72);
  memory.fill(BLOCK, 0, 72);
}

/** Adds message bytes to a keyed HMAC-SHA3-512 context. */
export function hmacSha3_512Update(ctx: usize, p: usize, len: usize): void {
  spongeUpdate(ctx, p, len);
}

/** HMAC-SHA3-512 tag to `out` (64 bytes). */
export function hmacSha3_512Final(ctx: usize, out: usize): void {
  spongeSqueeze(ctx, BLOCK, 64);
  spongeUpdate(ctx + HMAC_OUTER, BLOCK, 64);
  spongeSqueeze(ctx + HMAC_OUTER, out, 64);
}

/**
 * Keys an HMAC-SHA-256 context (block 64 bytes; longer keys are replaced by SHA-256(key),
 * RFC 2104 §2). Same layout as the SHA-512 one: inner context at 0, outer at `HMAC_OUTER`.
 */
export function hmacSha256Init(ctx: usize, key: usize, keyLen: usize): void {
  memory.fill(BLOCK, 0, 64);
  if (keyLen > 64) sha256Into(ctx + HMAC_OUTER, key, keyLen, BLOCK);
  else memory.copy(BLOCK, key, keyLen);
  xorBlock(64, IPAD);
  sha256Init(ctx);
  sha256Update(ctx, BLOCK, 64);
  xorBlock(64, OPAD_FROM_IPAD);
  sha256Init(ctx + HMAC_OUTER);
  sha256Update(ctx + HMAC_OUTER, BLOCK, 64);
  memory.fill(BLOCK, 0, 64);
}

/** Adds message bytes to a keyed HMAC-SHA-256 context. */
export function hmacSha256Update(ctx: usize, p: usize, len: usize): void {
  sha256Update(ctx, p, len);
}

/** HMAC-SHA-256 tag to `out` (32 bytes). */
export function hmacSha256Final(ctx: usize, out: usize): void {
  sha256Final(ctx, BLOCK);
  sha256Update(ctx + HMAC_OUTER, BLOCK, 32);
  sha256Final(ctx + HMAC_OUTER, out);
}

// ---- HMAC-SHA-512 on prepared blocks ----------------------------------------------------------
// For a message MACed again and again with fresh keys and a fixed length (a DARE frame's
// PayloadMac message): the padding is laid out once after the message, so a tag costs the two
// key blocks, the message blocks and one outer block — no context, no buffering, no copies.

/** [inner digest 64][0x80][zeros][bit length of 128 + 64 bytes]: the outer message block. */
const OUTER_BLOCK: usize = memory.data(128, 16);
/** The two keyed states: inner at +0, outer at +64. */
const KEYED: usize = memory.data(128, 16);

function outerBlockLayout(): void {
  memory.fill(OUTER_BLOCK, 0, 128);
  store<u8>(OUTER_BLOCK + 64, 0x80);
  store<u64>(OUTER_BLOCK + 120, bswap<u64>(<u64>(128 + 64) << 3));
}
outerBlockLayout();

/**
 * Pads a message of `len` bytes at `p` in place as the inner message of HMAC-SHA-512 (FIPS 180-4
 * §5.1.2, the length counting the key block): 0x80, zeros, the 128-bit bit length. Returns the
 * number of 128-byte blocks from `p`; up to 128 + 17 bytes after the message are written.
 */
export function hmacSha512PadInner(p: usize, len: usize): usize {
  const blocks = (len + 17 + 127) >> 7;
  const end = p + (blocks << 7);
  store<u8>(p + len, 0x80);
  memory.fill(p + len + 1, 0, end - 16 - (p + len + 1));
  store<u64>(end - 16, 0);
  store<u64>(end - 8, bswap<u64>(<u64>(128 + len) << 3));
  return blocks;
}

/**
 * HMAC-SHA-512 (RFC 2104, key ≤ 128 bytes) of a message padded by {@link hmacSha512PadInner}:
 * `blocks` blocks at `p`. Writes the tag (64 bytes) to `out` and wipes the keyed states, the key
 * pads and the inner digest.
 */
export function hmacSha512Blocks(key: usize, keyLen: usize, p: usize, blocks: usize, out: usize): void {
  zeroVec(BLOCK, 128);
  memory.copy(BLOCK, key, keyLen);
  xorBlock(128, IPAD);
  copy64(KEYED, IV);
  sha512Blocks(KEYED, BLOCK, 1);
  xorBlock(128, OPAD_FROM_IPAD);
  copy64(KEYED + 64, IV);
  sha512Blocks(KEYED + 64, BLOCK, 1);
  zeroVec(BLOCK, 128);
  sha512Blocks(KEYED, p, blocks);
  sha512Output(KEYED, OUTER_BLOCK);
  sha512Blocks(KEYED + 64, OUTER_BLOCK, 1);
  sha512Output(KEYED + 64, out);
  zeroVec(KEYED, 128);
  zeroVec(OUTER_BLOCK, 64);
}
