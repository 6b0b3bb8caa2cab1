/**
 * AES Key Wrap (RFC 3394 §2.2.1, §2.2.2, in the "indexed" form), one pass over a chunk of
 * R blocks per call. The 64-bit register A lives in STATE between calls, so the wrapper can run
 * the six passes over inputs of any size through the fixed I/O region.
 */
import { clampLength, DEC_KEYS, ENC_KEYS, IO, KEY_IN, KEY_IN_SIZE, STATE, zero } from './buffers';
import { expandDecrypt, expandEncrypt, rounds } from './key-schedule';
import { decryptBlock, encryptBlock } from './vperm';

/** RFC 3394 §2.2.3.1 default initial value A6A6A6A6A6A6A6A6 (same bytes in either byte order). */
const DEFAULT_IV: u64 = 0xa6a6a6a6a6a6a6a6;

/** Expands the KEK (16, 24 or 32 bytes at KEY_IN) and loads A from KEY_IN + 32; wipes KEY_IN. */
export function kwStart(kekLength: i32, unwrap: i32): void {
  if (unwrap) expandDecrypt(KEY_IN, kekLength);
  else expandEncrypt(KEY_IN, kekLength);
  store<u64>(STATE, load<u64>(KEY_IN, 32));
  zero(KEY_IN, KEY_IN_SIZE);
}

/**
 * One wrap pass over `count` blocks at IO: B = AES(K, A | R[i]), A = MSB64(B) ^ t,
 * R[i] = LSB64(B), with t = `t0` + i (t0 is the step index t of the chunk's first block).
 * A is held as its bytes, so t is XORed in big-endian (RFC 3394 §2.2.1). `t0` is an f64 so that
 * counters above 2^32 stay exact.
 */
export function kwWrap(count: i32, t0: f64): void {
  let a = load<u64>(STATE);
  const nr = rounds;
  const n = clampLength(count << 3) >> 3;
  const base = <u64>t0;
  for (let i = 0; i < n; i++) {
    const p = IO + (<usize>i << 3);
    const b = encryptBlock(i64x2.replace_lane(i64x2.splat(a), 1, load<u64>(p)), ENC_KEYS, nr);
    a = <u64>i64x2.extract_lane(b, 0) ^ bswap<u64>(base + <u64>i);
    store<u64>(p, <u64>i64x2.extract_lane(b, 1));
  }
  store<u64>(STATE, a);
}

/** One unwrap pass (RFC 3394 §2.2.2), blocks in descending order: B = AES⁻¹(K, (A ^ t) | R[i]). */
export function kwUnwrap(count: i32, t0: f64): void {
  let a = load<u64>(STATE);
  const nr = rounds;
  const n = clampLength(count << 3) >> 3;
  const base = <u64>t0;
  for (let i = n - 1; i >= 0; i--) {
    const p = IO + (<usize>i << 3);
    const x = i64x2.replace_lane(i64x2.splat(a ^ bswap<u64>(base + <u64>i)), 1, load<u64>(p));
    const b = decryptBlock(x, DEC_KEYS, nr);
    a = <u64>i64x2.extract_lane(b, 0);
    store<u64>(p, <u64>i64x2.extract_lane(b, 1));
  }
  store<u64>(STATE, a);
}

/** 1 when A equals the default IV (RFC 3394 §2.2.3), else 0; no data-dependent branch. */
export function kwCheck(): i32 {
  const d = load<u64>(STATE) ^ DEFAULT_IV;
  return <i32>(((d | (0 - d)) >> 63) ^ 1);
}
