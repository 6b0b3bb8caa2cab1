import { wasmBase64 as aesBase64 } from './generated/aes.js';
import { wasmBase64 as curveBase64 } from './generated/curve448.js';
import { wasmBase64 as hashBase64 } from './generated/hash.js';
import { createWasmCurve448 } from '../curves/wasm.js';
import { createWasmAes } from './aes.js';
import { createWasmHash } from './hash.js';
import { decodeBase64, instantiateFamily, instantiateFamilySync, type WasmSource } from './loader.js';
import type { CryptoProvider } from '../types.js';

/**
 * The WASM provider: three separately compiled families — `hash` (SHA-2-512/256, SHA-3, HMAC,
 * HKDF, Merkle), `aes` (vector-permute AES, needs WASM SIMD) and `curve448` (Ed448/X448 field
 * and group arithmetic) — so a runtime without SIMD could still get WASM hashing, and each
 * family's code stays small.
 */
export interface WasmSources {
  /** Precompiled module or bytes of the hash family; defaults to the inlined bytes. */
  hash?: WasmSource;
  /** Precompiled module or bytes of the AES family; defaults to the inlined bytes. */
  aes?: WasmSource;
  /** Precompiled module or bytes of the curve448 family; defaults to the inlined bytes. */
  curve448?: WasmSource;
}

type Families = [hash: WebAssembly.Exports, aes: WebAssembly.Exports, curve448: WebAssembly.Exports];

function compose([hashExports, aesExports, curveExports]: Families): CryptoProvider {
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
  };
}

/** Instantiates every family asynchronously (works everywhere, including browsers). */
export async function loadWasmProvider(sources: WasmSources = {}): Promise<CryptoProvider> {
  return compose(await Promise.all([
    instantiateFamily('hash', sources.hash ?? decodeBase64(hashBase64)),
    instantiateFamily('aes', sources.aes ?? decodeBase64(aesBase64)),
    instantiateFamily('curve448', sources.curve448 ?? decodeBase64(curveBase64)),
  ]));
}

/** Instantiates every family synchronously (Node, Deno, Bun, workers). */
export function loadWasmProviderSync(sources: WasmSources = {}): CryptoProvider {
  return compose([
    instantiateFamilySync('hash', sources.hash ?? decodeBase64(hashBase64)),
    instantiateFamilySync('aes', sources.aes ?? decodeBase64(aesBase64)),
    instantiateFamilySync('curve448', sources.curve448 ?? decodeBase64(curveBase64)),
  ]);
}
