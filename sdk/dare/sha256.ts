import { routedCrypto, type DareCrypto } from './provider.js';

/**
 * SHA-256 and HKDF-SHA-256 for DARE's per-item keys and witness (dare.md §4.2, §5), on the
 * given provider (default: the routed functions of `mathmesh/crypto` — WASM after `init()`).
 * A sequence writer derives a key and IV per frame, so this runs on the hot path of issue 6's
 * transaction log and must not be pinned to the pure implementation.
 */

/** SHA-256 (FIPS 180-4). */
export function sha256(data: Uint8Array, c: DareCrypto = routedCrypto): Uint8Array {
  return c.sha256(data);
}

/** HKDF-SHA-256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number, c: DareCrypto = routedCrypto): Uint8Array {
  return c.hkdfSha256(ikm, salt, info, length);
}
