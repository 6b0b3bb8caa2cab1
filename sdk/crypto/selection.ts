import type { Primitive, ProviderName } from './types.js';

/**
 * Which provider serves each primitive by default. Measured on Node 20 (bench/, see README):
 * WASM wins wherever the per-call cost of node:crypto (~1 µs of binding overhead) dominates —
 * short hashes, HMAC, HKDF, Merkle trees, short AES — and OpenSSL wins on long inputs
 * (SHA-NI/AVX2 hashing, AES-NI). So each hash switches to native at its crossover in
 * `BULK_THRESHOLDS`, and AES at `AES_BULK_THRESHOLDS`, when native exists. Without native (browsers) WASM serves everything;
 * without WASM (before `init()`, or refused by a CSP) native serves what it can and pure the rest.
 *
 * The crossovers are where WASM and node:crypto measured even (best of 20 interleaved runs per
 * size, x86-64 with AVX-512 and SHA-NI, Node 20 / OpenSSL 3.0): SHA-512 1.37x at 1 KiB, 0.98x at
 * 2 KiB; HMAC-SHA-512 1.10x at 4 KiB, 0.93x at 8 KiB (two more native calls of fixed cost);
 * SHA-256 0.98x at 256 B and HMAC-SHA-256 1.13x at 256 B, 0.76x at 512 B (OpenSSL's SHA-256 uses
 * the CPU's SHA extensions, which WASM cannot reach); the SHA-3 family 0.93x at 1 KiB.
 */
export const BULK_THRESHOLDS: Readonly<Record<'sha512' | 'hmacSha512' | 'sha256' | 'hmacSha256' | 'sha3_512' | 'shake256' | 'hmacSha3_512', number>> = {
  sha512: 2048,
  hmacSha512: 8192,
  sha256: 256,
  hmacSha256: 512,
  sha3_512: 1024,
  shake256: 1024,
  hmacSha3_512: 1024,
};

/**
 * AES crossovers, in bytes of plaintext / ciphertext (CBC) and of key data (key wrap). Below
 * them the WASM core's constant-time vector-permute AES wins: a node:crypto call costs a cipher
 * context, key expansion and a copy (~3–5 µs) before AES-NI starts. Measured like
 * `BULK_THRESHOLDS` (interleaved best-of-15, Node 20, plain-SIMD build): CBC encrypt WASM/native
 * 1.60x at 256 B, 0.92x at 512 B; decrypt 1.39x at 256 B, 0.87x at 512 B (the relaxed-SIMD
 * build: 2.47x / 1.66x at 256 B, about even at 512 B); key wrap 1.65x for a 32-byte key, 1.33x
 * at 512 B, 0.86x at 4 KiB. So DARE's per-frame payloads of a few hundred bytes and every
 * key wrap stay in WASM, and bulk CBC goes to AES-NI.
 */
export const AES_BULK_THRESHOLDS: Readonly<Record<'aes256Cbc' | 'aesKeyWrap', number>> = {
  aes256Cbc: 512,
  aesKeyWrap: 4096,
};

/** The SHA-512 crossover (`BULK_THRESHOLDS.sha512`), kept under its earlier name. */
export const BULK_THRESHOLD = BULK_THRESHOLDS.sha512;

/** The SHA-3 family's crossover (`BULK_THRESHOLDS.sha3_512`), kept under its earlier name. */
export const SHA3_BULK_THRESHOLD = BULK_THRESHOLDS.sha3_512;

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
      const threshold = ({ ...BULK_THRESHOLDS, ...AES_BULK_THRESHOLDS } as Partial<Record<Primitive, number>>)[p] ?? Infinity;
      const bulk: Route = { small: 'wasm', large: 'native', threshold };
      routes[p] = p === 'hkdfSha512' || p === 'hkdfSha256' || p === 'merkleRoot' ? fixed('wasm') : bulk;
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

/** Who serves a call of the async AES path (aes-async.ts): WebCrypto or a synchronous provider. */
export type AsyncAesName = 'webcrypto' | ProviderName;

/**
 * From how many bytes per call (one-shot input, or stream chunk) WebCrypto's AES-256-CBC beats
 * the WASM core, in Chromium (bench/browser-aes-page.ts; figures in the README's benchmark
 * section). Each WebCrypto call pays a fixed cost — a Promise, a copy of the input and a hop to
 * another thread (two hops for a decryption chunk, see aes-async.ts) — and then runs AES-NI;
 * the WASM core has almost no per-call cost but runs the constant-time vector-permute rounds,
 * whose CBC encryption is bound by one round's latency. Two runs on a loaded 2-core VM
 * (Chromium 156, stream chunks, WebCrypto over the faster WASM build): encrypt 0.80x / 0.92x
 * at 1 KiB, 1.32x / 1.16x at 4 KiB, 1.82x / 1.97x at 16 KiB; decrypt about even at 1 KiB,
 * ahead from 4 KiB (2.5–2.8x from 16 KiB). `npm run bench` prints the crossover of its own run
 * next to these values.
 */
export const WEBCRYPTO_AES_THRESHOLDS: Readonly<{ encrypt: number; decrypt: number }> = {
  encrypt: 4 * 1024,
  decrypt: 4 * 1024,
};

/**
 * The async AES route for a call of `bytes` bytes, given `sync` = `route('aes256Cbc', bytes)`.
 * WebCrypto is chosen only in place of the WASM or pure path (runtimes without node:crypto,
 * i.e. browsers): where node:crypto exists, its synchronous OpenSSL call is as fast as
 * WebCrypto's without the hop. An explicit `init({ prefer })` for AES is never overridden.
 */
export function asyncAesRoute(
  direction: 'encrypt' | 'decrypt', bytes: number, sync: ProviderName, env: { webCrypto: boolean; native: boolean; explicit: boolean },
): AsyncAesName {
  if (!env.webCrypto || env.native || env.explicit) return sync;
  return bytes >= WEBCRYPTO_AES_THRESHOLDS[direction] ? 'webcrypto' : sync;
}
