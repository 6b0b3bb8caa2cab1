/**
 * The `hash` WASM family: SHA-512, SHA3-512, SHAKE256, HMAC-SHA-512, HMAC-SHA3-512,
 * HKDF-SHA-512 and the RFC 9162 Merkle compact range. This file is the ABI that
 * `sdk/crypto/wasm/hash.ts` calls: every export works on the fixed regions of `io.ts`
 * (inputs in IO, outputs in OUT, streaming state in CTX), takes only lengths, and does a whole
 * job per call — one call per one-shot hash, MAC or KDF, one call per batch of Merkle leaves.
 */
import { CTX, IO, OUT, SCRATCH_A, SCRATCH_B } from './io';
import { hkdfSha512 } from './hkdf';
import {
  HMAC_CTX_SIZE, hmacSha3_512Final, hmacSha3_512Init, hmacSha3_512Update,
  hmacSha512Final, hmacSha512Init, hmacSha512Update,
} from './hmac';
import { merkleAppendHash, merkleAppendLeaves, merkleReset, merkleRoot, RANGE } from './merkle';
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

// ---- HKDF (RFC 5869) -------------------------------------------------------------------------

/**
 * OUT[0..length) ← HKDF-SHA-512 with IO = salt ‖ ikm ‖ info (lengths given). The caller checks
 * length ≤ 255 × 64 (RFC 5869 §2.3), which out_size() covers.
 */
export function hkdf_sha512(saltLen: usize, ikmLen: usize, infoLen: usize, length: usize): void {
  hkdfSha512(SCRATCH_A, SCRATCH_B, IO, saltLen, IO + saltLen, ikmLen, IO + saltLen + ikmLen, infoLen, OUT, length);
  wipe(IO, saltLen + ikmLen);
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
/** OUT[0..64) ← the tree head of the range. */
export function merkle_root(): void {
  merkleRoot(OUT);
}
