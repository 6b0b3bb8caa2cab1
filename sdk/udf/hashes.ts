/**
 * The one place `mathmesh/udf` reaches the crypto layer (design.md: bytes → encoding → crypto →
 * udf). The functions dispatch to the fastest provider present (WASM after `init()`, node:crypto
 * for bulk input, pure TS otherwise), so every UDF computation is synchronous and backend-agnostic.
 */
export { sha512, sha3_512, hmacSha512, hmacSha3_512, hkdfSha512 } from '../crypto/hashes.js';
