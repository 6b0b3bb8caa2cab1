/**
 * The `hash` WASM family: SHA-512, SHA-256, SHA3-512, SHAKE256, HMAC-SHA-512, HMAC-SHA-256,
 * HMAC-SHA3-512, HKDF-SHA-512, HKDF-SHA-256 and the RFC 9162 Merkle compact range. This file is the ABI that
 * `sdk/crypto/wasm/hash.ts` calls: every export works on the fixed regions of `io.ts`
 * (inputs in IO, outputs in OUT, streaming state in CTX), takes only lengths, and does a whole
 * job per call — one call per one-shot hash, MAC or KDF, one call per batch of Merkle leaves.
 */
import { CTX, IO, OUT, SCRATCH_A, SCRATCH_B } from './io';
import { hkdfSha256Expand, hkdfSha256Extract, hkdfSha512 } from './hkdf';
import {
  HMAC_CTX_SIZE, hmacSha256Final, hmacSha256Init, hmacSha256Update, hmacSha3_512Final, hmacSha3_512Init, hmacSha3_512Update,
  hmacSha512Final, hmacSha512Init, hmacSha512Update,
} from './hmac';
import { merkleAppendHash, merkleAppendLeaf64, merkleAppendLeaves, merkleReset, merkleRoot, RANGE } from './merkle';
import { sha256Final, sha256Init, sha256InPlace, sha256Update } from './sha256';
import { sha256x4InPlace } from './sha256x4';
import { sha512Final, sha512Init, sha512InPlace, sha512Update } from './sha512';
import {
  SHA3_512_RATE, SHA3_SUFFIX, SHAKE256_RATE, SHAKE_SUFFIX,
  spongeInit, spongeOneShot, spongeSqueeze, spongeUpdate,
} from './sponge';

export { ctx_ptr, ctx_size, io_ptr, io_size, out_ptr, out_size } from './io';

/** Leaf-length table for `merkle_append_leaves` (u32 each). */
const LENS: usize = memory.data(4 * 4096, 16);
/** Capacity of the leaf-length table. */
export function lens_ptr(): usize {
  return LENS;
}
export function lens_capacity(): i32 {
  return 4096;
}
/** Address of the Merkle compact range state (see merkle.ts for its layout). */
export function merkle_state_ptr(): usize {
  return RANGE;
}

// ---- SHA-512 (FIPS 180-4) ----------------------------------------------------------------

/** OUT[0..64) ← SHA-512(IO[0..len)); pads in place, so IO[len..len+256) is overwritten. */
export function sha512(len: usize): void {
  sha512InPlace(SCRATCH_A, IO, len, OUT);
}
/** Streaming: start in CTX. */
export function sha512_init(): void {
  sha512Init(CTX);
}
/** Streaming: absorb IO[0..len) into CTX. */
export function sha512_update(len: usize): void {
  sha512Update(CTX, IO, len);
}
/** Streaming: OUT[0..64) ← digest of CTX. */
export function sha512_final(): void {
  sha512Final(CTX, OUT);
}

// ---- SHA-256 (FIPS 180-4) ----------------------------------------------------------------

/** OUT[0..32) ← SHA-256(IO[0..len)); pads in place, so IO[len..len+128) is overwritten. */
export function sha256(len: usize): void {
  sha256InPlace(SCRATCH_A, IO, len, OUT);
}
/** Streaming: start in CTX. */
export function sha256_init(): void {
  sha256Init(CTX);
}
/** Streaming: absorb IO[0..len) into CTX. */
export function sha256_update(len: usize): void {
  sha256Update(CTX, IO, len);
}
/** Streaming: OUT[0..32) ← digest of CTX. */
export function sha256_final(): void {
  sha256Final(CTX, OUT);
}

/** Bytes between the four messages of {@link sha256_x4} in IO. */
const SHA256_X4_STRIDE: usize = 16384;
/**
 * OUT[32·i..32·i+32) ← SHA-256 of message i, `len_i` bytes at IO + 16384·i (each at most
 * 16384 − 128: the rest is padding room), all four compressed in parallel lanes (sha256x4.ts).
 * Not part of the SDK's SHA-256 interface (sdk/crypto/wasm/hash.ts does not call it): it exposes
 * the lanes the frame sealer's key derivation uses, so that test/hash-lanes.test.ts can check
 * each lane against the scalar core, node:crypto and the pure twin.
 */
export function sha256_x4(l0: usize, l1: usize, l2: usize, l3: usize): void {
  const s = SHA256_X4_STRIDE;
  sha256x4InPlace(IO, l0, IO + s, l1, IO + 2 * s, l2, IO + 3 * s, l3, OUT);
}

// ---- SHA3-512 and SHAKE256 (FIPS 202) ------------------------------------------------------

/** OUT[0..64) ← SHA3-512(IO[0..len)); pads in place (IO after the message is overwritten). */
export function sha3_512(len: usize): void {
  spongeOneShot(SCRATCH_A, SHA3_512_RATE, SHA3_SUFFIX, IO, len);
  memory.copy(OUT, SCRATCH_A, 64); // the digest is the first 64 bytes of the state
}
/** OUT[0..outLen) ← SHAKE256(IO[0..len), outLen); outLen ≤ out_size(). */
export function shake256(len: usize, outLen: usize): void {
  spongeOneShot(SCRATCH_A, SHAKE256_RATE, SHAKE_SUFFIX, IO, len);
  spongeSqueeze(SCRATCH_A, OUT, outLen);
}
/** Streaming: start a SHA3-512 sponge in CTX. */
export function sha3_512_init(): void {
  spongeInit(CTX, SHA3_512_RATE, SHA3_SUFFIX);
}
/** Streaming: start a SHAKE256 sponge in CTX. */
export function shake256_init(): void {
  spongeInit(CTX, SHAKE256_RATE, SHAKE_SUFFIX);
}
/** Streaming: absorb IO[0..len) into the sponge in CTX. */
export function sponge_update(len: usize): void {
  spongeUpdate(CTX, IO, len);
}
/** Streaming: OUT[0..outLen) ← the next outLen output bytes of the sponge in CTX. */
export function sponge_squeeze(outLen: usize): void {
  spongeSqueeze(CTX, OUT, outLen);
}

// ---- HMAC (RFC 2104) -------------------------------------------------------------------------

/**
 * Keys and the keyed HMAC states are secret: every HMAC/HKDF entry point wipes the key bytes it
 * was given in IO and the scratch state it used before returning. (What JavaScript copies of the
 * key the caller holds is outside our reach; see the README's Security section.)
 */
// @ts-ignore: decorator
@inline function wipe(p: usize, len: usize): void {
  memory.fill(p, 0, len);
}

/** OUT[0..64) ← HMAC-SHA-512(key = IO[0..keyLen), data = IO[keyLen..keyLen+dataLen)). */
export function hmac_sha512(keyLen: usize, dataLen: usize): void {
  hmacSha512Init(SCRATCH_A, IO, keyLen);
  hmacSha512Update(SCRATCH_A, IO + keyLen, dataLen);
  hmacSha512Final(SCRATCH_A, OUT);
  wipe(IO, keyLen);
  wipe(SCRATCH_A, HMAC_CTX_SIZE);
}
/** Streaming: key CTX with IO[0..keyLen) (the key is wiped from IO; the JS side wipes CTX when done). */
export function hmac_sha512_init(keyLen: usize): void {
  hmacSha512Init(CTX, IO, keyLen);
  wipe(IO, keyLen);
}
/** Streaming: absorb IO[0..len). */
export function hmac_sha512_update(len: usize): void {
  hmacSha512Update(CTX, IO, len);
}
/** Streaming: OUT[0..64) ← tag. */
export function hmac_sha512_final(): void {
  hmacSha512Final(CTX, OUT);
}
/** OUT[0..64) ← HMAC-SHA3-512(key = IO[0..keyLen), data = IO[keyLen..keyLen+dataLen)). */
export function hmac_sha3_512(keyLen: usize, dataLen: usize): void {
  hmacSha3_512Init(SCRATCH_A, IO, keyLen);
  hmacSha3_512Update(SCRATCH_A, IO + keyLen, dataLen);
  hmacSha3_512Final(SCRATCH_A, OUT);
  wipe(IO, keyLen);
  wipe(SCRATCH_A, HMAC_CTX_SIZE);
}
/** Streaming: key CTX with IO[0..keyLen) for HMAC-SHA3-512 (the key is wiped from IO). */
export function hmac_sha3_512_init(keyLen: usize): void {
  hmacSha3_512Init(CTX, IO, keyLen);
  wipe(IO, keyLen);
}
/** Streaming: absorb IO[0..len). */
export function hmac_sha3_512_update(len: usize): void {
  hmacSha3_512Update(CTX, IO, len);
}
/** Streaming: OUT[0..64) ← tag. */
export function hmac_sha3_512_final(): void {
  hmacSha3_512Final(CTX, OUT);
}

/** OUT[0..32) ← HMAC-SHA-256(key = IO[0..keyLen), data = IO[keyLen..keyLen+dataLen)). */
export function hmac_sha256(keyLen: usize, dataLen: usize): void {
  hmacSha256Init(SCRATCH_A, IO, keyLen);
  hmacSha256Update(SCRATCH_A, IO + keyLen, dataLen);
  hmacSha256Final(SCRATCH_A, OUT);
  wipe(IO, keyLen);
  wipe(SCRATCH_A, HMAC_CTX_SIZE);
}
/** Streaming: key CTX with IO[0..keyLen) for HMAC-SHA-256 (the key is wiped from IO). */
export function hmac_sha256_init(keyLen: usize): void {
  hmacSha256Init(CTX, IO, keyLen);
  wipe(IO, keyLen);
}
/** Streaming: absorb IO[0..len). */
export function hmac_sha256_update(len: usize): void {
  hmacSha256Update(CTX, IO, len);
}
/** Streaming: OUT[0..32) ← tag. */
export function hmac_sha256_final(): void {
  hmacSha256Final(CTX, OUT);
}

// ---- HKDF (RFC 5869) -------------------------------------------------------------------------

/**
 * OUT[0..length) ← HKDF-SHA-512 with IO = salt ‖ ikm ‖ info (lengths given). The caller checks
 * length ≤ 255 × 64 (RFC 5869 §2.3), which out_size() covers.
 */
export function hkdf_sha512(saltLen: usize, ikmLen: usize, infoLen: usize, length: usize): void {
  hkdfSha512(SCRATCH_A, SCRATCH_B, IO, saltLen, IO + saltLen, ikmLen, IO + saltLen + ikmLen, infoLen, OUT, length);
  wipe(IO, saltLen + ikmLen);
}

/**
 * OUT[0..length) ← HKDF-SHA-256 with IO = salt ‖ ikm ‖ info; length ≤ 255 × 32 (caller checks).
 */
export function hkdf_sha256(saltLen: usize, ikmLen: usize, infoLen: usize, length: usize): void {
  hkdfSha256Extract(SCRATCH_A, IO, saltLen, IO + saltLen, ikmLen);
  hkdfSha256Expand(SCRATCH_A, SCRATCH_B, IO + saltLen + ikmLen, infoLen, OUT, length);
  wipe(IO, saltLen + ikmLen);
  wipe(SCRATCH_A, HMAC_CTX_SIZE);
}

/**
 * One extract, two expands: OUT = OKM(info1, len1) ‖ OKM(info2, len2) with
 * IO = salt ‖ ikm ‖ info1 ‖ info2. This is a DARE frame's key and IV (dare.md §4.2: "encrypt"
 * 32 bytes, "iv" 16 bytes) in one call, the extract paid once.
 */
export function hkdf_sha256_pair(saltLen: usize, ikmLen: usize, info1Len: usize, len1: usize, info2Len: usize, len2: usize): void {
  const info1 = IO + saltLen + ikmLen;
  hkdfSha256Extract(SCRATCH_A, IO, saltLen, IO + saltLen, ikmLen);
  hkdfSha256Expand(SCRATCH_A, SCRATCH_B, info1, info1Len, OUT, len1);
  hkdfSha256Expand(SCRATCH_A, SCRATCH_B, info1 + info1Len, info2Len, OUT + len1, len2);
  wipe(IO, saltLen + ikmLen);
  wipe(SCRATCH_A, HMAC_CTX_SIZE);
}

// ---- Merkle (RFC 9162 §2.1.1) ------------------------------------------------------------------

/** Empties the compact range. */
export function merkle_reset(): void {
  merkleReset();
}
/** Appends `count` leaves packed in IO as [0x00][leaf], lengths in the LENS table. */
export function merkle_append_leaves(count: usize): void {
  merkleAppendLeaves(IO, LENS, count);
}
/** Appends one leaf given by its 64-byte leaf hash at IO. */
export function merkle_append_hash(): void {
  merkleAppendHash(IO);
}
/**
 * A sequence frame's integrity work in one call (dare.md §9.4): OUT[0..64) ← PD = SHA-512(IO[0..len))
 * (the payload digest), appends PD as a leaf, OUT[64..128) ← the new tree head. IO is padded in place.
 */
export function merkle_append_payload(len: usize): void {
  sha512InPlace(SCRATCH_A, IO, len, OUT);
  merkleAppendLeaf64(OUT);
  merkleRoot(OUT + 64);
}
/** OUT[0..64) ← the tree head of the range. */
export function merkle_root(): void {
  merkleRoot(OUT);
}
