/**
 * The AES core's static memory. Everything is a fixed region reserved at compile time with
 * `memory.data`: no allocator runs (`--runtime stub`), so linear memory never grows and
 * `wipeAll` can reach every byte a key ever touched (design.md, "Writing the WASM core").
 * All key-dependent regions sit in one block, zeroed with a few vector stores.
 */

/** Size of the I/O region; the TypeScript wrapper streams longer inputs through it in chunks. */
export const IO_SIZE: i32 = 65536;
/** I/O region: plaintext/ciphertext (CBC) or the R blocks (key wrap), processed in place. */
export const IO: usize = memory.data(IO_SIZE, 16);

/** Size of the key input region: a key or KEK (up to 32 bytes), then an IV or A at offset 32. */
export const KEY_IN_SIZE: i32 = 48;
/** Room for 15 round keys (AES-256), 16 bytes each. */
export const ROUND_KEYS_SIZE: i32 = 240;
/** Size of the block of key-dependent regions below. */
const SECRETS_SIZE: i32 = KEY_IN_SIZE + 16 + 3 * ROUND_KEYS_SIZE;
const SECRETS: usize = memory.data(SECRETS_SIZE, 16);

/** Key input, written by JS and zeroed as soon as the key schedule has consumed it. */
export const KEY_IN: usize = SECRETS;
/** Chaining state kept between chunks: the CBC chaining block, or the key-wrap register A. */
export const STATE: usize = KEY_IN + KEY_IN_SIZE;
/** Encryption round keys, already converted for the vector-permute rounds (key-schedule.ts). */
export const ENC_KEYS: usize = STATE + 16;
/** Decryption (equivalent inverse cipher) round keys, converted likewise. */
export const DEC_KEYS: usize = ENC_KEYS + ROUND_KEYS_SIZE;
/** The plain FIPS 197 key schedule, a scratch area zeroed right after conversion. */
export const SCHEDULE: usize = DEC_KEYS + ROUND_KEYS_SIZE;

/**
 * Zeroes `length` bytes (a multiple of 16) at `p` with vector stores. Small regions are cheaper
 * this way than through `memory.fill`, which V8 runs as a call out of WASM.
 */
// @ts-ignore: decorator
@inline export function zero(p: usize, length: i32): void {
  const end = p + <usize>length;
  for (; p < end; p += 16) v128.store(p, i64x2.splat(0));
}

/** Zeroes every key-dependent region and the first `ioLength` bytes of the I/O region. */
export function wipeAll(ioLength: i32): void {
  zero(SECRETS, SECRETS_SIZE);
  const n = clampLength(ioLength);
  if (n > 0) memory.fill(IO, 0, <usize>n);
}

/** Limits a length from JS to the I/O region (the wrapper never exceeds it; this is a backstop). */
// @ts-ignore: decorator
@inline export function clampLength(length: i32): i32 {
  return length < 0 ? 0 : length > IO_SIZE ? IO_SIZE : length;
}
