/**
 * The `aes` WASM family: constant-time AES (vector permute, WASM SIMD) for AES-256-CBC and
 * AES key wrap (RFC 3394). JS drives it through fixed regions of linear memory; see
 * sdk/crypto/wasm/aes.ts for the calling protocol. Built twice from this source (flags.json):
 * `aes` (WASM SIMD) and `aes-relaxed` (with `i8x16.relaxed_swizzle`, vperm.ts explains why both
 * compute the same function in constant time).
 */
import { IO, IO_SIZE, KEY_IN, STATE, wipeAll } from './buffers';
import { RELAXED } from './vperm';

export { cbcDecrypt, cbcEncrypt } from './cbc';
export { kwCheck, kwStart, kwUnwrap, kwWrap } from './keywrap';

/** Address of the I/O region. */
export function ioPtr(): usize {
  return IO;
}

/** Size of the I/O region in bytes. */
export function ioSize(): i32 {
  return IO_SIZE;
}

/** Address of the key input: key or KEK at +0 (up to 32 bytes), IV or A at +32. */
export function keyPtr(): usize {
  return KEY_IN;
}

/** Address of the chaining state (the key-wrap register A is its first 8 bytes). */
export function statePtr(): usize {
  return STATE;
}

/** Zeroes keys, round keys, chaining state and the first `ioLength` bytes of the I/O region. */
export function wipe(ioLength: i32): void {
  wipeAll(ioLength);
}

/** Which build this is: 1 with relaxed SIMD (`i8x16.relaxed_swizzle`), 0 with plain WASM SIMD. */
export function relaxedSimd(): i32 {
  return RELAXED;
}
