import { BLOCK } from './io';
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
