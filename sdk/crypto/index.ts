/**
 * `mathmesh/crypto`: hashing, MAC, KDF, AES, Merkle trees, Ed448 and X448 on three
 * interchangeable providers (design.md, "Backends"). Every call is synchronous; `await init()`
 * once to bring in the WASM core. Before that, or where WebAssembly is refused, the same calls
 * run on the pure path.
 *
 * @example
 * ```ts
 * import { init, sha512, ed448 } from 'mathmesh/crypto';
 * await init();                        // 'wasm'
 * const digest = sha512(new TextEncoder().encode('abc'));
 * ```
 *
 * @module mathmesh/crypto
 */
import type { Curve448Mesh, Ed448Api, X448Api } from './curves/types.js';
import { CryptoError } from './errors.js';
import { nativeProvider } from './native/provider.js';
import { pureProvider } from './pure/provider.js';
import { defaultRoutes, PRIMITIVES } from './selection.js';
import { route, routing, unavailable } from './state.js';
import type { CryptoProvider, Primitive, ProviderName } from './types.js';
import { loadWasmProvider, loadWasmProviderSync, type WasmProvider, type WasmSources, type WasmVariants } from './wasm/provider.js';

export { CryptoError, type CryptoErrorCode } from './errors.js';
export type {
  CryptoProvider, HashFunction, HashStream, Primitive, ProviderName, SymmetricProvider, XofFunction,
} from './types.js';
export type { Curve448Mesh, Ed448Api, LadderOutput, ScalarShare, X448Api } from './curves/types.js';
export type { WasmSource } from './wasm/loader.js';
export type { WasmSources, WasmVariants } from './wasm/provider.js';
export type { AesVariant } from './wasm/aes-variant.js';
export type { WasmMerkleRange } from './wasm/hash.js';
export {
  ComposedFrameSealer, frameSealer, type FrameSealer, type FrameSealerConfig, type SealerOutput, type SealerPrimitives, type SealerRange,
} from './frame-sealer.js';
export type { WasmSealerOptions } from './wasm/frame.js';
export { MerkleCompactRange, merkleHasherFrom, merkleRootWith, type MerkleNodeHasher } from './merkle.js';
export {
  AES_BULK_THRESHOLDS, asyncAesRoute, BULK_THRESHOLD, BULK_THRESHOLDS, SHA3_BULK_THRESHOLD, WEBCRYPTO_AES_THRESHOLDS, type AsyncAesName, type Route,
} from './selection.js';
export { asyncAes, asyncAesOf, webCryptoAes, type AesCbcStream, type AsyncAes } from './aes-async.js';
export {
  hashOffloadOverPort, serveHashRequests,
  type HashOffload, type HashOffloadOptions, type HashWorkerPort, type HashWorkerReply, type HashWorkerRequest, type HashWorkerScope,
  type OffloadAlgorithm, type OffloadedHash,
} from './hash-offload.js';
export { route } from './state.js';
export {
  sha512, sha3_512, shake256, hmacSha512, hmacSha3_512, hkdfSha512, sha256, hmacSha256, hkdfSha256, hkdfSha256Multi,
  aes256CbcEncrypt, aes256CbcDecrypt, aesKeyWrap, aesKeyUnwrap, merkleRoot,
} from './hashes.js';
export { pureProvider } from './pure/provider.js';
export { nativeProvider } from './native/provider.js';

/** Options of `init()`. */
export interface InitOptions {
  /**
   * The WASM core: `false` to stay on the pure/native path, or per-family precompiled modules
   * or bytes (for runtimes that forbid compiling inlined bytes). Default: the inlined bytes.
   */
  wasm?: false | WasmSources;
  /**
   * Override the default routing: one provider for everything, or per primitive
   * (e.g. `{ aes256Cbc: 'wasm' }` to keep AES inside the constant-time WASM core).
   */
  prefer?: ProviderName | Partial<Record<Primitive, ProviderName>>;
}

let wasmProvider: WasmProvider | undefined;

/** Every provider present on this runtime now (native only with node:crypto, wasm after init). */
export function providers(): CryptoProvider[] {
  return [pureProvider, wasmProvider, nativeProvider()].filter((p): p is CryptoProvider => p !== undefined);
}

/** The named provider; throws CRYPTO_UNAVAILABLE when it is not present (yet). */
export function getProvider(name: ProviderName): CryptoProvider {
  const p = name === 'pure' ? pureProvider : name === 'wasm' ? wasmProvider : nativeProvider();
  if (!p) throw unavailable(name);
  return p;
}

function applyRouting(prefer: InitOptions['prefer']): void {
  const routes = defaultRoutes(wasmProvider !== undefined, nativeProvider() !== undefined);
  let preferred: ProviderName | undefined;
  if (typeof prefer === 'string') {
    getProvider(prefer);
    preferred = prefer;
    for (const p of PRIMITIVES) routes[p] = { small: prefer, large: prefer, threshold: Infinity };
  } else if (prefer !== undefined) {
    for (const [primitive, name] of Object.entries(prefer) as [Primitive, ProviderName][]) {
      if (!PRIMITIVES.includes(primitive)) {
        throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `unknown primitive '${primitive}' in init({ prefer })`);
      }
      getProvider(name);
      routes[primitive] = { small: name, large: name, threshold: Infinity };
    }
  }
  // Only a fully valid request changes the routing.
  routing.routes = routes;
  routing.preferred = preferred;
  routing.forced = new Set(typeof prefer === 'object' ? Object.keys(prefer) as Primitive[] : []);
}

function loaded(provider: WasmProvider): void {
  wasmProvider = provider;
  routing.wasm = provider;
  routing.wasmError = undefined;
}

/**
 * Instantiates the WASM core and routes each primitive to its fastest provider (selection.ts).
 * Returns the default provider's name (`backend()`). If WebAssembly is unavailable or refused
 * (e.g. a CSP without `wasm-unsafe-eval`), it resolves to the pure/native path instead of
 * failing; the reason is kept for `getProvider('wasm')`'s error message.
 */
export async function init(options: InitOptions = {}): Promise<ProviderName> {
  if (options.wasm !== false && wasmProvider === undefined) {
    try {
      loaded(await loadWasmProvider(options.wasm || {}));
    } catch (e) {
      routing.wasmError = e instanceof CryptoError && e.cause !== undefined ? e.cause : e;
    }
  }
  applyRouting(options.prefer);
  return backend();
}

/** As `init()`, synchronously (Node, Deno, Bun, workers; not a browser main thread). */
export function initSync(options: InitOptions = {}): ProviderName {
  if (options.wasm !== false && wasmProvider === undefined) {
    try {
      loaded(loadWasmProviderSync(options.wasm || {}));
    } catch (e) {
      routing.wasmError = e instanceof CryptoError && e.cause !== undefined ? e.cause : e;
    }
  }
  applyRouting(options.prefer);
  return backend();
}

/**
 * Which build of each WASM family `init()` loaded — `{ aes: 'relaxed-simd' }` where the engine
 * has relaxed SIMD (Chromium, Node 22+, Deno, Bun), else `{ aes: 'simd' }` — or undefined while the
 * WASM core is not loaded. Both AES builds are constant time and give identical results
 * (core-wasm/aes/vperm.ts); the relaxed one is faster.
 */
export function wasmVariants(): WasmVariants | undefined {
  return wasmProvider?.variants;
}

/**
 * The active default provider: 'wasm' once the core is loaded (native may still serve bulk
 * inputs, see `route()`), otherwise 'pure' — or whatever `init({ prefer })` forced.
 */
export function backend(): ProviderName {
  return routing.preferred ?? (wasmProvider ? 'wasm' : 'pure');
}

const curveProvider = (primitive: 'ed448' | 'x448'): CryptoProvider => getProvider(route(primitive));

/** Ed448 (RFC 8032 §5.2) on the routed provider (WASM after `init()`, else pure). */
export const ed448: Ed448Api = {
  getPublicKey: (secret) => curveProvider('ed448').ed448.getPublicKey(secret),
  sign: (message, secret, context) => curveProvider('ed448').ed448.sign(message, secret, context),
  verify: (signature, message, publicKey, context) =>
    curveProvider('ed448').ed448.verify(signature, message, publicKey, context),
};

/** X448 (RFC 7748 §5) on the routed provider (WASM after `init()`, else pure). */
export const x448: X448Api = {
  getPublicKey: (scalar) => curveProvider('x448').x448.getPublicKey(scalar),
  getSharedSecret: (scalar, publicKey) => curveProvider('x448').x448.getSharedSecret(scalar, publicKey),
};

/** The Mesh's Curve448 key operations (crypto.md §3–6) on the routed provider (WASM, else pure). */
export function curve448Mesh(): Curve448Mesh {
  return curveProvider('ed448').curve448Mesh ?? pureProvider.curve448Mesh!;
}
