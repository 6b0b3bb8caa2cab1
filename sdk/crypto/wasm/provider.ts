import { wasmBase64 as curveBase64 } from './generated/curve448.js';
import { wasmBase64 as hashBase64 } from './generated/hash.js';
import { createWasmCurve448 } from '../curves/wasm.js';
import { createWasmAes } from './aes.js';
import { aesCandidates, aesVariantOf, frameCandidates, type AesVariant } from './aes-variant.js';
import { wasmFrameSealers } from './frame.js';
import { createWasmHash } from './hash.js';
import { decodeBase64, instantiateFamily, instantiateFamilySync, type WasmSource } from './loader.js';
import type { CryptoProvider } from '../types.js';

/**
 * The WASM provider: four separately compiled families — `hash` (SHA-2-512/256, SHA-3, HMAC,
 * HKDF, Merkle), `aes` (vector-permute AES, needs WASM SIMD), `curve448` (Ed448/X448 field
 * and group arithmetic) and `frame` (a log frame's whole cryptography in one call, compiled from
 * the hash and AES sources, frame-sealer.ts) — so a runtime without SIMD could still get WASM
 * hashing, and each family's code stays small. The AES and frame families have two builds
 * (aes-variant.ts): with relaxed SIMD where the engine compiles it, else plain SIMD.
 */
export interface WasmSources {
  /** Precompiled module or bytes of the hash family; defaults to the inlined bytes. */
  hash?: WasmSource;
  /** Precompiled module or bytes of the AES family's plain-SIMD build; defaults to the inlined bytes. */
  aes?: WasmSource;
  /**
   * The AES family's relaxed-SIMD build (dist/wasm/aes-relaxed.wasm), used instead of `aes` where
   * the engine compiles relaxed SIMD; `false` to always use `aes`. Defaults to the inlined bytes,
   * unless `aes` is given (then only a build passed here is used).
   */
  aesRelaxed?: WasmSource | false;
  /** Precompiled module or bytes of the curve448 family; defaults to the inlined bytes. */
  curve448?: WasmSource;
  /** The frame family's plain-SIMD build (dist/wasm/frame.wasm); defaults to the inlined bytes. */
  frame?: WasmSource;
  /** Its relaxed-SIMD build (dist/wasm/frame-relaxed.wasm), or `false`; chosen like `aesRelaxed`. */
  frameRelaxed?: WasmSource | false;
}

/** Which build of each WASM family runs (see `wasmVariants()` in mathmesh/crypto). */
export interface WasmVariants {
  /** `relaxed-simd` where the engine has relaxed SIMD, else `simd` (aes-variant.ts). */
  readonly aes: AesVariant;
}

/** The WASM provider, with the builds it runs. */
export interface WasmProvider extends CryptoProvider {
  readonly variants: WasmVariants;
}

type Families = [hash: WebAssembly.Exports, aes: WebAssembly.Exports, curve448: WebAssembly.Exports, frame: WebAssembly.Exports | undefined];

function compose([hashExports, aesExports, curveExports, frameExports]: Families): WasmProvider {
  const hash = createWasmHash(hashExports);
  // Ed448 hashes with SHAKE256 several times per signature: the WASM Keccak keeps that cheap.
  const curves = createWasmCurve448(curveExports, (d, n) => hash.shake256(d, n));
  return {
    name: 'wasm',
    ...hash,
    ...createWasmAes(aesExports),
    ed448: curves.ed448,
    x448: curves.x448,
    curve448Mesh: curves.mesh,
    ...(frameExports ? { frameSealer: wasmFrameSealers(frameExports) } : {}),
    variants: { aes: aesVariantOf(aesExports) },
  };
}

/**
 * Instantiates the best AES build that works. The probe said relaxed SIMD compiles, but should
 * its build still fail (an engine bug, a partial implementation), the plain build serves.
 */
async function instantiateBest(family: string, candidates: (() => WasmSource)[]): Promise<WebAssembly.Exports> {
  const [first, ...rest] = candidates;
  try {
    return await instantiateFamily(family, first!());
  } catch (e) {
    if (rest.length === 0) throw e;
    return instantiateFamily(family, rest[0]!());
  }
}

function instantiateBestSync(family: string, candidates: (() => WasmSource)[]): WebAssembly.Exports {
  const [first, ...rest] = candidates;
  try {
    return instantiateFamilySync(family, first!());
  } catch (e) {
    if (rest.length === 0) throw e;
    return instantiateFamilySync(family, rest[0]!());
  }
}

/** Instantiates every family asynchronously (works everywhere, including browsers). */
export async function loadWasmProvider(sources: WasmSources = {}): Promise<WasmProvider> {
  return compose(await Promise.all([
    instantiateFamily('hash', sources.hash ?? decodeBase64(hashBase64)),
    instantiateBest('aes', aesCandidates(sources)),
    instantiateFamily('curve448', sources.curve448 ?? decodeBase64(curveBase64)),
    // Optional: the frame sealer only speeds up log writers (its composed twin serves without
    // it), so a runtime that was handed the other families precompiled but may not compile the
    // inlined frame bytes still gets the WASM provider.
    instantiateBest('frame', frameCandidates(sources)).catch(() => undefined),
  ]));
}

function optional<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Instantiates every family synchronously (Node, Deno, Bun, workers). */
export function loadWasmProviderSync(sources: WasmSources = {}): WasmProvider {
  return compose([
    instantiateFamilySync('hash', sources.hash ?? decodeBase64(hashBase64)),
    instantiateBestSync('aes', aesCandidates(sources)),
    instantiateFamilySync('curve448', sources.curve448 ?? decodeBase64(curveBase64)),
    optional(() => instantiateBestSync('frame', frameCandidates(sources))),
  ]);
}
