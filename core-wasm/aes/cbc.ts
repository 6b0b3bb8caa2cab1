/**
 * AES-256-CBC over the I/O region (SP 800-38A §6.2), one chunk per call, with the chaining
 * block kept in STATE between calls so the wrapper can stream any length through 64 KiB.
 * Padding (PKCS#7) is the wrapper's job; here lengths are whole blocks.
 */
import { clampLength, DEC_KEYS, ENC_KEYS, IO, KEY_IN, KEY_IN_SIZE, STATE, wipeAll, zero } from './buffers';
import { expandDecrypt, expandEncrypt, rounds } from './key-schedule';
import { decFirst, decLast, decRound, decryptBlock, encryptBlock } from './vperm';

/** `flags` bit: expand the 32-byte key at KEY_IN and load the IV from KEY_IN + 32 first. */
export const CBC_START: i32 = 1;
/** `flags` bit: zero the round keys and chaining state after this chunk. */
export const CBC_FINISH: i32 = 2;

function start(decrypt: bool): void {
  if (decrypt) expandDecrypt(KEY_IN, 32);
  else expandEncrypt(KEY_IN, 32);
  v128.store(STATE, v128.load(KEY_IN, 32));
  zero(KEY_IN, KEY_IN_SIZE);
}

/**
 * Encrypts `length` bytes (whole blocks) of the I/O region in place. CBC encryption is serial
 * (each block needs the previous ciphertext), so its speed is the latency of one block.
 * In-place output is ciphertext only, so nothing secret stays in the I/O region.
 */
export function cbcEncrypt(length: i32, flags: i32): void {
  if (flags & CBC_START) start(false);
  let cv = v128.load(STATE);
  const nr = rounds;
  const end = IO + <usize>(clampLength(length) & ~15);
  for (let p = IO; p < end; p += 16) {
    cv = encryptBlock(v128.xor(v128.load(p), cv), ENC_KEYS, nr);
    v128.store(p, cv);
  }
  v128.store(STATE, cv);
  if (flags & CBC_FINISH) wipeAll(0);
}

/**
 * Decrypts `length` bytes (whole blocks) of the I/O region in place. Blocks are independent
 * here (P_i = D(C_i) XOR C_{i-1}), so four run interleaved and the CPU overlaps their rounds;
 * decryption is then bound by instruction throughput rather than by one round's latency.
 * The plaintext left in the I/O region must be wiped by the caller once copied out.
 */
export function cbcDecrypt(length: i32, flags: i32): void {
  if (flags & CBC_START) start(true);
  let prev = v128.load(STATE);
  const nr = rounds;
  const last = DEC_KEYS + (<usize>nr << 4);
  const end = IO + <usize>(clampLength(length) & ~15);
  let p = IO;
  for (; p + 64 <= end; p += 64) {
    const c0 = v128.load(p);
    const c1 = v128.load(p, 16);
    const c2 = v128.load(p, 32);
    const c3 = v128.load(p, 48);
    let k = v128.load(DEC_KEYS);
    let s0 = decFirst(c0, k);
    let s1 = decFirst(c1, k);
    let s2 = decFirst(c2, k);
    let s3 = decFirst(c3, k);
    for (let q = DEC_KEYS + 16; q < last; q += 16) {
      k = v128.load(q);
      s0 = decRound(s0, k);
      s1 = decRound(s1, k);
      s2 = decRound(s2, k);
      s3 = decRound(s3, k);
    }
    k = v128.load(last);
    v128.store(p, v128.xor(decLast(s0, k), prev));
    v128.store(p, v128.xor(decLast(s1, k), c0), 16);
    v128.store(p, v128.xor(decLast(s2, k), c1), 32);
    v128.store(p, v128.xor(decLast(s3, k), c2), 48);
    prev = c3;
  }
  for (; p < end; p += 16) {
    const c = v128.load(p);
    v128.store(p, v128.xor(decryptBlock(c, DEC_KEYS, nr), prev));
    prev = c;
  }
  v128.store(STATE, prev);
  if (flags & CBC_FINISH) wipeAll(0);
}
