import type { Primitive, ProviderName } from './types.js';

/**
 * Which provider serves each primitive by default. Measured on Node 20 (bench/, see README):
 * WASM wins wherever the per-call cost of node:crypto (~1 µs of binding overhead) dominates —
 * short hashes, HMAC, HKDF, Merkle trees — and OpenSSL wins on long inputs (SHA-NI/AVX2
 * hashing, AES-NI). So hashing switches to native at `BULK_THRESHOLD` bytes, and AES goes to
 * native, when native exists. Without native (browsers) WASM serves everything; without WASM
 * (before `init()`, or refused by a CSP) native serves what it can and pure the rest.
 */
export const BULK_THRESHOLD = 16 * 1024;

/**
 * Keccak in WASM runs at about OpenSSL's speed per byte only up to ~1 KiB (bench: SHA3-512
 * 1 KiB 0.93x native, 64 B 4x), so the SHA-3 family goes native from 1 KiB.
 */
export const SHA3_BULK_THRESHOLD = 1024;

const SHA3_FAMILY: readonly Primitive[] = ['sha3_512', 'shake256', 'hmacSha3_512'];

/** A per-primitive choice: `small` below `threshold` bytes of input, `large` from there on. */
export interface Route {
  small: ProviderName;
  large: ProviderName;
  threshold: number;
}

export const PRIMITIVES: readonly Primitive[] = [
  'sha512', 'sha3_512', 'shake256', 'hmacSha512', 'hmacSha3_512', 'hkdfSha512', 'sha256', 'hmacSha256', 'hkdfSha256',
  'aes256Cbc', 'aesKeyWrap', 'merkleRoot', 'ed448', 'x448',
];

const fixed = (p: ProviderName): Route => ({ small: p, large: p, threshold: Infinity });

/** The default routes for the providers present on this runtime. */
export function defaultRoutes(hasWasm: boolean, hasNative: boolean): Record<Primitive, Route> {
  const routes = {} as Record<Primitive, Route>;
  for (const p of PRIMITIVES) {
    if (p === 'ed448' || p === 'x448') {
      // Curves stay off native by default: node:crypto ignores Ed448 contexts and needs a key
      // import per call, and the WASM core is constant time and within reach of OpenSSL.
      routes[p] = fixed(hasWasm ? 'wasm' : 'pure');
    } else if (hasWasm && hasNative) {
      const threshold = SHA3_FAMILY.includes(p) ? SHA3_BULK_THRESHOLD : BULK_THRESHOLD;
      const bulk: Route = { small: 'wasm', large: 'native', threshold };
      routes[p] = p === 'aes256Cbc' || p === 'aesKeyWrap' ? fixed('native')
        : p === 'hkdfSha512' || p === 'hkdfSha256' || p === 'merkleRoot' ? fixed('wasm')
        : bulk;
    } else if (hasWasm) {
      routes[p] = fixed('wasm');
    } else if (hasNative) {
      routes[p] = fixed('native');
    } else {
      routes[p] = fixed('pure');
    }
  }
  return routes;
}
