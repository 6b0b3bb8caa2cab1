import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/**
 * SHA-256 and HKDF-SHA-256 for DARE's per-item keys and witness (dare.md §4.2, §5). This is the
 * only file of `mathmesh/dare` that reaches @noble/hashes directly: `mathmesh/crypto` has no routed
 * SHA-256 yet (its providers cover the SHA-512 family only). The inputs are a few dozen bytes per
 * envelope, so the pure implementation is not on any hot path.
 */

/** SHA-256 (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** HKDF-SHA-256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf(nobleSha256, ikm, salt, info, length);
}
