/**
 * The `frame` WASM family: one call seals one encrypted, Merkle-authenticated log frame
 * (dare.md §4.2, §9.4, §9.5) — the whole per-frame cryptography of a DARE sequence writer:
 *
 *   PRK = HKDF-SHA-256-Extract(salt, seed); key, IV, MAC key = Expand(PRK, info_k / info_i / info_m)
 *   C   = AES-256-CBC(key, IV, PKCS#7(plaintext))
 *   HD  = SHA-512(header), PD = SHA-512(C)
 *   MAC = HMAC-SHA-512(MAC key, template with PD and HD written into it)
 *   leaf hash = SHA-512(0x00 ‖ HD ‖ PD), appended to the RFC 9162 compact range; head = its root
 *
 * It is compiled from the `hash` and `aes` families' sources (the same SHA-2, HMAC, HKDF, Merkle
 * and vector-permute AES code, so the same constant-time arguments hold) rather than calling
 * them, because two WASM modules cannot share memory without importing it: one call here replaces
 * five round trips between JS and two modules, and keys never leave WASM memory. Built twice like
 * the AES family (flags.json): plain SIMD and relaxed SIMD.
 *
 * What JS writes: the KDF labels and the MAC template once (`frame_configure`), then per frame the
 * seed and salt (KEYS), the header (HEADER) and the plaintext (PAYLOAD, which becomes the
 * ciphertext in place). What it reads: the ciphertext and DIGESTS (HD, PD, MAC, head). Secrets —
 * seed, PRK, the keyed HMAC states, key, IV, round keys, MAC key and the plaintext — are wiped
 * before `frame_seal` returns (test/frame-sealer.test.ts scans memory for each of them).
 */
import { IO as PAYLOAD, IO_SIZE as AES_IO_SIZE, KEY_IN, zero } from '../aes/buffers';
import { CBC_FINISH, CBC_START, cbcEncrypt } from '../aes/cbc';
import { RELAXED } from '../aes/vperm';
import {
  EXPAND_INFO_MAX, hkdfSha256Expand, hkdfSha256ExpandBlock, hkdfSha256ExpandBlocks3, hkdfSha256Extract, hkdfSha256ExtractBlocks,
} from '../hash/hkdf';
import { HMAC_CTX_SIZE, hmacSha512Blocks, hmacSha512PadInner } from '../hash/hmac';
import { copy64, SCRATCH_A, SCRATCH_B } from '../hash/io';
import { merkleAppendHash, merkleReset, merkleRoot, RANGE } from '../hash/merkle';
import { IV, sha512Blocks, sha512InPlace, sha512Output } from '../hash/sha512';

/** Largest plaintext one call seals: the AES region less a padding block and SHA-512's in-place padding. */
const PAYLOAD_CAPACITY: i32 = AES_IO_SIZE - 512;
/** Largest header one call digests (plus room for in-place padding after it). */
const HEADER_CAPACITY: i32 = 16384;
const HEADER: usize = memory.data(HEADER_CAPACITY + 256, 16);

/** Seed (≤ 64 bytes) at +0, salt (≤ 64 bytes) at +64: written by JS, wiped by every call. */
const KEYS: usize = memory.data(128, 16);
/** The derived MAC key (32 bytes, secret). */
const MAC_KEY: usize = memory.data(32, 16);

/**
 * KDF labels (≤ 64 bytes each, at +0, +64, +128) and the MAC template (≤ 512 bytes, at +192,
 * followed by room for its HMAC padding, laid out by `frame_configure`).
 */
const CONFIG: usize = memory.data(192 + 512 + 256, 16);
const MAC_TEMPLATE: usize = CONFIG + 192;
/** The three labels' HKDF expand blocks (hkdf.ts), when every label fits one. */
const EXPAND_BLOCKS: usize = memory.data(3 * 64, 16);
/** HMAC(PRK, ·)'s inner and outer SHA-256 states during a seal (secret, wiped). */
const PRK_STATES: usize = memory.data(64, 16);
/** SHA-512 state of the leaf hash. */
const LEAF_STATE: usize = memory.data(64, 16);
let preparedKdf = false;
let macBlocks: usize = 0;
let infoKeyLen: usize = 0;
let infoIvLen: usize = 0;
let infoMacLen: usize = 0;
let macLen: usize = 0;
let pdAt: usize = 0;
let hdAt: usize = 0;

/**
 * Outputs: the leaf-hash input [0x00][HD 64][PD 64] at +0 (so HD and PD need no copy to be
 * hashed as a leaf; +129..+256 takes that hash's in-place padding), the MAC at +256, the tree
 * head at +320, the leaf hash at +384.
 */
const DIGESTS: usize = memory.data(448, 16);
const HD: usize = DIGESTS + 1;
const PD: usize = DIGESTS + 65;
const MAC: usize = DIGESTS + 256;
const HEAD: usize = DIGESTS + 320;
const LEAF_HASH: usize = DIGESTS + 384;

export function payload_ptr(): usize {
  return PAYLOAD;
}
export function payload_capacity(): i32 {
  return PAYLOAD_CAPACITY;
}
export function header_ptr(): usize {
  return HEADER;
}
export function header_capacity(): i32 {
  return HEADER_CAPACITY;
}
export function keys_ptr(): usize {
  return KEYS;
}
export function config_ptr(): usize {
  return CONFIG;
}
/** Address of the outputs: HD at +1, PD at +65, MAC at +256, head at +320, leaf hash at +384. */
export function digests_ptr(): usize {
  return DIGESTS;
}
/** Address of the Merkle compact range (layout in ../hash/merkle.ts). */
export function merkle_state_ptr(): usize {
  return RANGE;
}
/** 1 in the relaxed-SIMD build. */
export function relaxedSimd(): i32 {
  return RELAXED;
}

/**
 * Takes the KDF labels (at CONFIG +0, +64, +128) and the MAC template (at CONFIG + 192, holes for
 * PD at `pdOffset` and HD at `hdOffset`) that every later `frame_seal` uses.
 */
export function frame_configure(keyInfo: usize, ivInfo: usize, macInfo: usize, templateLen: usize, pdOffset: usize, hdOffset: usize): void {
  infoKeyLen = keyInfo;
  infoIvLen = ivInfo;
  infoMacLen = macInfo;
  macLen = templateLen;
  pdAt = pdOffset;
  hdAt = hdOffset;
  preparedKdf = keyInfo <= EXPAND_INFO_MAX && ivInfo <= EXPAND_INFO_MAX && macInfo <= EXPAND_INFO_MAX;
  if (preparedKdf) {
    hkdfSha256ExpandBlock(EXPAND_BLOCKS, CONFIG, keyInfo);
    hkdfSha256ExpandBlock(EXPAND_BLOCKS + 64, CONFIG + 64, ivInfo);
    hkdfSha256ExpandBlock(EXPAND_BLOCKS + 128, CONFIG + 128, macInfo);
  }
  macBlocks = hmacSha512PadInner(MAC_TEMPLATE, templateLen);
}

/** The leaf-hash input [0x00][HD][PD] at DIGESTS is 129 bytes: its padding is constant. */
function leafLayout(): void {
  store<u8>(DIGESTS, 0);
  store<u8>(DIGESTS + 129, 0x80);
  memory.fill(DIGESTS + 130, 0, 240 - 130);
  store<u64>(DIGESTS + 240, 0);
  store<u64>(DIGESTS + 248, bswap<u64>(<u64>129 << 3));
}
leafLayout();

/**
 * Seals one frame (see the file comment): seed KEYS[0..seedLen), salt KEYS[64..64+saltLen),
 * header HEADER[0..headerLen), plaintext PAYLOAD[0..plaintextLen) (replaced by the ciphertext).
 * Returns the ciphertext length. Lengths are checked by the caller against the capacities.
 */
export function frame_seal(seedLen: usize, saltLen: usize, headerLen: usize, plaintextLen: usize): usize {
  // Keys: one extract, three expands; key ‖ IV go straight where the AES key schedule reads them.
  // With every label in one block (DARE's are short words), on prepared blocks (hkdf.ts), the
  // three expands side by side in the lanes of a four-lane SHA-256 compression (sha256x4.ts).
  if (preparedKdf) {
    hkdfSha256ExtractBlocks(PRK_STATES, KEYS + 64, saltLen, KEYS, seedLen);
    zero(KEYS, 128);
    hkdfSha256ExpandBlocks3(PRK_STATES, EXPAND_BLOCKS, KEY_IN, 32, KEY_IN + 32, 16, MAC_KEY, 32);
    zero(PRK_STATES, 64);
  } else {
    hkdfSha256Extract(SCRATCH_A, KEYS + 64, saltLen, KEYS, seedLen);
    zero(KEYS, 128);
    hkdfSha256Expand(SCRATCH_A, SCRATCH_B, CONFIG, infoKeyLen, KEY_IN, 32);
    hkdfSha256Expand(SCRATCH_A, SCRATCH_B, CONFIG + 64, infoIvLen, KEY_IN + 32, 16);
    hkdfSha256Expand(SCRATCH_A, SCRATCH_B, CONFIG + 128, infoMacLen, MAC_KEY, 32);
    memory.fill(SCRATCH_A, 0, HMAC_CTX_SIZE);
  }

  // PKCS#7 (RFC 5652 §6.3), then CBC in place; START consumes and zeroes the key and IV, FINISH
  // zeroes the round keys and chaining state.
  const pad = 16 - (plaintextLen & 15);
  const ctLen = plaintextLen + pad;
  memory.fill(PAYLOAD + plaintextLen, <u8>pad, pad);
  cbcEncrypt(<i32>ctLen, CBC_START | CBC_FINISH);

  sha512InPlace(SCRATCH_B, HEADER, headerLen, HD);
  sha512InPlace(SCRATCH_B, PAYLOAD, ctLen, PD);

  // The MAC template's padding was laid out by frame_configure; only the holes change.
  copy64(MAC_TEMPLATE + pdAt, PD);
  copy64(MAC_TEMPLATE + hdAt, HD);
  hmacSha512Blocks(MAC_KEY, 32, MAC_TEMPLATE, macBlocks, MAC);
  zero(MAC_KEY, 32);

  copy64(LEAF_STATE, IV);
  sha512Blocks(LEAF_STATE, DIGESTS, 2);
  sha512Output(LEAF_STATE, LEAF_HASH);
  merkleAppendHash(LEAF_HASH);
  merkleRoot(HEAD);
  return ctLen;
}

/** Appends a frame sealed elsewhere (its leaf hash at LEAF_HASH): HEAD ← the new head. */
export function merkle_append_leaf_hash(): void {
  merkleAppendHash(LEAF_HASH);
  merkleRoot(HEAD);
}

/** Appends the frame whose HD and PD are at DIGESTS +1 and +65: leaf hash, append, HEAD ← head. */
export function merkle_append_digests(): void {
  leafLayout();
  sha512InPlace(SCRATCH_B, DIGESTS, 129, LEAF_HASH);
  merkleAppendHash(LEAF_HASH);
  merkleRoot(HEAD);
}

/** HEAD ← the tree head of the range. */
export function merkle_head(): void {
  merkleRoot(HEAD);
}

/** Empties the compact range. */
export function merkle_reset(): void {
  merkleReset();
}
