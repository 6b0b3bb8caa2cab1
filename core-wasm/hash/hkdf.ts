import { BLOCK, copy32, zeroVec } from './io';
import { IV256, sha256Blocks, sha256Output } from './sha256';
import { sha256Blocks4 } from './sha256x4';
import {
  HMAC_CTX_SIZE, hmacSha256Final, hmacSha256Init, hmacSha256Update, hmacSha512Final, hmacSha512Init, hmacSha512Update,
} from './hmac';

/**
 * HKDF-SHA-512 (RFC 5869) in one call: extract PRK = HMAC(salt, IKM) (§2.2), then expand
 * T(i) = HMAC(PRK, T(i−1) ‖ info ‖ i) (§2.3). The PRK-keyed HMAC context is built once and
 * copied for each T(i), so each output block costs two or three compressions, not four.
 * An empty salt needs no special case: HMAC pads the key with zeros to the block size, so an
 * empty key and RFC 5869's "HashLen zeros" give the same K0.
 */

/** PRK, and the one-byte block counter, kept apart from BLOCK, which HMAC uses internally. */
const PRK: usize = memory.data(64, 16);
const COUNTER: usize = memory.data(16, 16);

/**
 * Writes `length` (≤ 255 × 64, checked by the caller) bytes of OKM to `out`. `keyed` and
 * `work` are two scratch contexts of at least `HMAC_CTX_SIZE` bytes.
 */
export function hkdfSha512(
  keyed: usize, work: usize,
  salt: usize, saltLen: usize,
  ikm: usize, ikmLen: usize,
  info: usize, infoLen: usize,
  out: usize, length: usize,
): void {
  hmacSha512Init(keyed, salt, saltLen);
  hmacSha512Update(keyed, ikm, ikmLen);
  hmacSha512Final(keyed, PRK);
  hmacSha512Init(keyed, PRK, 64);
  let prev: usize = 0;
  let done: usize = 0;
  for (let i: u32 = 1; done < length; i++) {
    memory.copy(work, keyed, HMAC_CTX_SIZE);
    if (prev != 0) hmacSha512Update(work, prev, 64);
    hmacSha512Update(work, info, infoLen);
    store<u8>(COUNTER, <u8>i);
    hmacSha512Update(work, COUNTER, 1);
    if (length - done >= 64) {
      hmacSha512Final(work, out + done);
      prev = out + done;
      done += 64;
    } else {
      hmacSha512Final(work, BLOCK + 128);
      memory.copy(out + done, BLOCK + 128, length - done);
      done = length;
    }
  }
  // PRK-derived state is secret; wipe what this call leaves in static memory.
  memory.fill(PRK, 0, 64);
  memory.fill(BLOCK, 0, 256);
  memory.fill(keyed, 0, HMAC_CTX_SIZE);
  memory.fill(work, 0, HMAC_CTX_SIZE);
}

/**
 * HKDF-SHA-256 extract (RFC 5869 §2.2): keys `keyed` with PRK = HMAC-SHA-256(salt, IKM), ready
 * for any number of {@link hkdfSha256Expand} calls. DARE's per-item keys (dare.md §4.2) are one
 * extract and two or three expands, so the extract is shared rather than repeated.
 */
export function hkdfSha256Extract(keyed: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize): void {
  hmacSha256Init(keyed, salt, saltLen);
  hmacSha256Update(keyed, ikm, ikmLen);
  hmacSha256Final(keyed, PRK);
  hmacSha256Init(keyed, PRK, 32);
  memory.fill(PRK, 0, 32);
}

/** HKDF-SHA-256 expand (RFC 5869 §2.3) from a PRK-keyed context; `length` ≤ 255 × 32 (caller checks). */
export function hkdfSha256Expand(keyed: usize, work: usize, info: usize, infoLen: usize, out: usize, length: usize): void {
  let prev: usize = 0;
  let done: usize = 0;
  for (let i: u32 = 1; done < length; i++) {
    memory.copy(work, keyed, HMAC_CTX_SIZE);
    if (prev != 0) hmacSha256Update(work, prev, 32);
    hmacSha256Update(work, info, infoLen);
    store<u8>(COUNTER, <u8>i);
    hmacSha256Update(work, COUNTER, 1);
    if (length - done >= 32) {
      hmacSha256Final(work, out + done);
      prev = out + done;
      done += 32;
    } else {
      hmacSha256Final(work, BLOCK + 128);
      memory.copy(out + done, BLOCK + 128, length - done);
      done = length;
    }
  }
  memory.fill(BLOCK, 0, 256);
  memory.fill(work, 0, HMAC_CTX_SIZE);
}

// ---- HKDF-SHA-256 on prepared blocks --------------------------------------------------------
// A DARE frame derives its key, IV and MAC key with one extract and three one-block expands
// (dare.md §4.2). The generic path above pays for context copies, buffering and padding at every
// step; here each step is exactly one compression over a block laid out in place, and what is
// constant across frames — each label's padded expand block, the padding of a 32-byte inner
// digest — is laid out once. Same function as hkdfSha256Extract / hkdfSha256Expand (RFC 5869 over
// RFC 2104 HMAC); the caller checks the limits (salt ≤ 64, IKM ≤ 119, info ≤ 54 bytes).

/** Largest info a prepared expand block holds: info ‖ 0x01 ‖ 0x80 ‖ 64-bit length in one block. */
export const EXPAND_INFO_MAX: usize = 54;
/** Largest IKM (the HMAC message after the key block: at most two blocks with its padding). */
export const EXTRACT_IKM_MAX: usize = 119;

/** HMAC key block (K0 ⊕ ipad, then ⊕ opad) and the inner message blocks of the extract. */
const KEY_BLOCK: usize = memory.data(64, 16);
const MESSAGE: usize = memory.data(128, 16);
/** [inner digest 32][0x80][zeros][bit length of 64 + 32 bytes]: HMAC's outer message block. */
const DIGEST_BLOCK: usize = memory.data(64, 16);
/** The extract's keyed inner/outer states. */
const EXTRACT_INNER: usize = memory.data(32, 16);
const EXTRACT_OUTER: usize = memory.data(32, 16);
const OKM: usize = memory.data(32, 16);

/** SHA-256 bit length of a message of `n` bytes, big-endian, as the last 8 bytes of `block`. */
// @ts-ignore: decorator
@inline function putLength256(blockEnd: usize, n: usize): void {
  store<u64>(blockEnd - 8, bswap<u64>(<u64>n << 3));
}

/** `state` ← SHA-256 compression of the IV over the key block. */
// @ts-ignore: decorator
@inline function keyState(state: usize): void {
  copy32(state, IV256);
  sha256Blocks(state, KEY_BLOCK, 1);
}

/** KEY_BLOCK ← K0 ⊕ 0x36…, K0 = `key` (≤ 64 bytes) zero-padded to 64 bytes (RFC 2104 §2). */
function keyBlock(key: usize, keyLen: usize): void {
  zeroVec(KEY_BLOCK, 64);
  memory.copy(KEY_BLOCK, key, keyLen);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(KEY_BLOCK + i, load<u64>(KEY_BLOCK + i) ^ 0x3636363636363636);
}

/** KEY_BLOCK ← K0 ⊕ ipad turned into K0 ⊕ opad. */
function keyBlockToOuter(): void {
  for (let i: usize = 0; i < 64; i += 8) store<u64>(KEY_BLOCK + i, load<u64>(KEY_BLOCK + i) ^ (0x3636363636363636 ^ 0x5c5c5c5c5c5c5c5c));
}

/** Lays out DIGEST_BLOCK's constant padding; run once (the start function). */
function digestBlockLayout(): void {
  zeroVec(DIGEST_BLOCK, 64);
  store<u8>(DIGEST_BLOCK + 32, 0x80);
  putLength256(DIGEST_BLOCK + 64, 64 + 32);
}
digestBlockLayout();

/**
 * Lays out the expand block of one label at `block` (64 bytes): info ‖ 0x01 ‖ padding of the
 * HMAC inner message T(0) ‖ info ‖ 0x01 after the key block (RFC 5869 §2.3, first block only).
 * `infoLen` ≤ {@link EXPAND_INFO_MAX}.
 */
export function hkdfSha256ExpandBlock(block: usize, info: usize, infoLen: usize): void {
  zeroVec(block, 64);
  memory.copy(block, info, infoLen);
  store<u8>(block + infoLen, 1);
  store<u8>(block + infoLen + 1, 0x80);
  putLength256(block + 64, 64 + infoLen + 1);
}

/**
 * HKDF-Extract (RFC 5869 §2.2): PRK = HMAC-SHA-256(salt, IKM); then writes to `keyed` the two
 * states HMAC(PRK, ·) starts from: inner (K ⊕ ipad absorbed) at +0, outer at +32. Wipes what
 * it used; `keyed` is secret until the caller wipes it.
 */
export function hkdfSha256ExtractBlocks(keyed: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize): void {
  keyBlock(salt, saltLen);
  keyState(EXTRACT_INNER);
  keyBlockToOuter();
  keyState(EXTRACT_OUTER);
  // Inner message: IKM, 0x80, zeros, bit length of 64 + ikmLen, in one or two blocks.
  const blocks: usize = ikmLen < 56 ? 1 : 2;
  zeroVec(MESSAGE, 128);
  memory.copy(MESSAGE, ikm, ikmLen);
  store<u8>(MESSAGE + ikmLen, 0x80);
  putLength256(MESSAGE + (blocks << 6), 64 + ikmLen);
  sha256Blocks(EXTRACT_INNER, MESSAGE, blocks);
  sha256Output(EXTRACT_INNER, DIGEST_BLOCK);
  sha256Blocks(EXTRACT_OUTER, DIGEST_BLOCK, 1);
  sha256Output(EXTRACT_OUTER, OKM); // PRK
  keyBlock(OKM, 32);
  keyState(keyed);
  keyBlockToOuter();
  keyState(keyed + 32);
  zeroVec(KEY_BLOCK, 64);
  zeroVec(MESSAGE, 128);
  zeroVec(DIGEST_BLOCK, 32);
  zeroVec(EXTRACT_INNER, 32);
  zeroVec(EXTRACT_OUTER, 32);
  zeroVec(OKM, 32);
}

// ---- Three expands in parallel lanes ------------------------------------------------------------
// A DARE frame's three labels (key, IV, MAC key) expand from the same PRK independently: their
// inner compressions run together in the lanes of sha256x4.ts, then their outer ones — two
// four-lane compressions instead of six scalar ones. (HMAC's two key-pad compressions are
// independent too, but two lanes of four cost more than two scalar compressions: measured, so
// they stay scalar.)

/** Lane states: three labels and an idle fourth lane (4 × 32 bytes; secret, wiped). */
const LANE_STATES: usize = memory.data(128, 16);
/** Each label's outer message block, as DIGEST_BLOCK (3 × 64 bytes; the digests are secret). */
const LANE_DIGESTS: usize = memory.data(192, 16);

function laneDigestLayout(): void {
  for (let i: usize = 0; i < 3; i++) {
    const block = LANE_DIGESTS + (i << 6);
    zeroVec(block, 64);
    store<u8>(block + 32, 0x80);
    putLength256(block + 64, 64 + 32);
  }
}
laneDigestLayout();

/** The first `length` (≤ 32) bytes of the digest of `state` to `out`. */
function outputPrefix(state: usize, out: usize, length: usize): void {
  if (length == 32) {
    sha256Output(state, out);
  } else {
    sha256Output(state, OKM);
    memory.copy(out, OKM, length);
    zeroVec(OKM, 32);
  }
}

/**
 * HKDF-Expand's first block T(1) = HMAC(PRK, info ‖ 0x01) of three labels at once: their expand
 * blocks ({@link hkdfSha256ExpandBlock}) at `blocks`, +64 and +128, the PRK's keyed states from
 * {@link hkdfSha256ExtractBlocks} at `keyed`; the first `len_i` (≤ 32) bytes of each go to
 * `out_i`. Wipes its working state. test/hash-lanes.test.ts and the frame sealer's tests check it
 * against the scalar expand and the pure path.
 */
export function hkdfSha256ExpandBlocks3(keyed: usize, blocks: usize, out0: usize, len0: usize, out1: usize, len1: usize, out2: usize, len2: usize): void {
  copy32(LANE_STATES, keyed);
  copy32(LANE_STATES + 32, keyed);
  copy32(LANE_STATES + 64, keyed);
  sha256Blocks4(LANE_STATES, LANE_STATES + 32, LANE_STATES + 64, LANE_STATES + 96, blocks, blocks + 64, blocks + 128, blocks + 128);
  sha256Output(LANE_STATES, LANE_DIGESTS);
  sha256Output(LANE_STATES + 32, LANE_DIGESTS + 64);
  sha256Output(LANE_STATES + 64, LANE_DIGESTS + 128);
  copy32(LANE_STATES, keyed + 32);
  copy32(LANE_STATES + 32, keyed + 32);
  copy32(LANE_STATES + 64, keyed + 32);
  sha256Blocks4(LANE_STATES, LANE_STATES + 32, LANE_STATES + 64, LANE_STATES + 96, LANE_DIGESTS, LANE_DIGESTS + 64, LANE_DIGESTS + 128, LANE_DIGESTS + 128);
  outputPrefix(LANE_STATES, out0, len0);
  outputPrefix(LANE_STATES + 32, out1, len1);
  outputPrefix(LANE_STATES + 64, out2, len2);
  zeroVec(LANE_STATES, 128);
  zeroVec(LANE_DIGESTS, 32);
  zeroVec(LANE_DIGESTS + 64, 32);
  zeroVec(LANE_DIGESTS + 128, 32);
}
