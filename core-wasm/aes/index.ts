/**
 * The `aes` WASM family: constant-time AES (vector permute, WASM SIMD) for AES-256-CBC and
 * AES key wrap (RFC 3394). JS drives it through fixed regions of linear memory; see
 * sdk/crypto/wasm/aes.ts for the calling protocol.
 */
import { IO, IO_SIZE, KEY_IN, STATE, wipeAll } from './buffers';

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
