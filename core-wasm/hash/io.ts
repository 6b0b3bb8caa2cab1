/**
 * Memory layout of the `hash` family. Everything is a static region reserved with
 * `memory.data`, so the module never allocates and never grows its memory: hashing 1 KiB or
 * 1 TiB touches the same bytes (the TS wrapper in `sdk/crypto/wasm/hash.ts` streams large inputs
 * through IO in chunks). The stub runtime (`--runtime stub`) is therefore never called.
 *
 * JS reads the addresses through the exported getters below once, at wrap time.
 */

/** Size of the input region; JS copies at most this many bytes per call. */
export const IO_SIZE: i32 = 65536;
/**
 * Bytes reserved after IO so one-shot hashes can pad the message where it lies (at most two
 * SHA-512 blocks, or one SHAKE256 block) instead of copying its tail into a context buffer.
 */
export const IO_SLACK: i32 = 256;
/** Input region: message, key, salt/ikm/info or a batch of Merkle leaves. */
export const IO: usize = memory.data(IO_SIZE + IO_SLACK, 16);

/**
 * Output region. 16 KiB covers the largest HKDF-SHA-512 output (255 × 64 = 16320 bytes,
 * RFC 5869 §2.3) in one call; longer SHAKE256 outputs are squeezed in chunks of this size.
 */
export const OUT_SIZE: i32 = 16384;
export const OUT: usize = memory.data(OUT_SIZE, 16);

/**
 * Streaming context slot. A JS stream object keeps its own copy of the context and swaps it in
 * here when it is not the current owner (see the wrapper), so any number of streams can be open.
 */
export const CTX_SIZE: i32 = 512;
export const CTX: usize = memory.data(CTX_SIZE, 16);

/** Private scratch contexts of the one-shot calls, so they never disturb the streaming slot. */
export const SCRATCH_A: usize = memory.data(CTX_SIZE, 16);
export const SCRATCH_B: usize = memory.data(CTX_SIZE, 16);
/** A 256-byte work block (HMAC key pads, padded final blocks, Merkle node inputs). */
export const BLOCK: usize = memory.data(256, 16);

/** Address of the input region. */
export function io_ptr(): usize {
  return IO;
}
/** Size of the input region in bytes. */
export function io_size(): i32 {
  return IO_SIZE;
}
/** Address of the output region. */
export function out_ptr(): usize {
  return OUT;
}
/** Size of the output region in bytes. */
export function out_size(): i32 {
  return OUT_SIZE;
}
/** Address of the streaming context slot. */
export function ctx_ptr(): usize {
  return CTX;
}
/** Size of the streaming context slot in bytes. */
export function ctx_size(): i32 {
  return CTX_SIZE;
}

// Small fixed-size moves as vector loads and stores: V8 runs `memory.copy` / `memory.fill` as a
// call out of WASM (~10 ns each), more than the move itself for a digest or a state.

/** Copies 32 bytes from `src` to `dst` (any alignment; the regions must not overlap). */
// @ts-ignore: decorator
@inline export function copy32(dst: usize, src: usize): void {
  v128.store(dst, v128.load(src));
  v128.store(dst, v128.load(src, 16), 16);
}

/** Copies 64 bytes from `src` to `dst` (any alignment; the regions must not overlap). */
// @ts-ignore: decorator
@inline export function copy64(dst: usize, src: usize): void {
  const a = v128.load(src);
  const b = v128.load(src, 16);
  const c = v128.load(src, 32);
  const d = v128.load(src, 48);
  v128.store(dst, a);
  v128.store(dst, b, 16);
  v128.store(dst, c, 32);
  v128.store(dst, d, 48);
}

/** Zeroes `length` bytes (a multiple of 16) at `p`. */
// @ts-ignore: decorator
@inline export function zeroVec(p: usize, length: usize): void {
  const end = p + length;
  for (; p < end; p += 16) v128.store(p, i64x2.splat(0));
}
