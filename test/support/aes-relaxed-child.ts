/**
 * Run by test/aes-variants.test.ts in a child `node --experimental-wasm-relaxed-simd` (Node 20
 * has relaxed SIMD only behind that flag): `init()` as users call it, the portable AES-builds
 * suite (both builds against each other and the vectors), and the plain-build fallbacks.
 * Prints one JSON line.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { init, wasmVariants } from '../../sdk/crypto/index.js';
import { relaxedSimdSupported } from '../../sdk/crypto/wasm/aes-variant.js';
import { loadWasmProviderSync } from '../../sdk/crypto/wasm/provider.js';
import aesBuilds from '../portable/aes-builds.js';
import { createRunner } from '../portable/harness.js';
import { loadVectors } from '../portable/vectors.js';
import { vectorsDir } from './paths.js';

const vectors = await loadVectors((f) => readFile(resolve(vectorsDir, f), 'utf8'));
const backend = await init();
const runner = createRunner();
aesBuilds(runner.api, {
  runtime: 'node', backend: 'wasm', native: true, nativeCurves: true,
  nativeContexts: Number(process.versions.node.split('.')[0]) >= 22, vectors,
});
const results = await runner.run();
console.log(JSON.stringify({
  backend,
  probe: relaxedSimdSupported(),
  variants: wasmVariants(),
  // `aesRelaxed: false` forces the plain build; a relaxed build that fails to load falls back to it.
  forcedPlain: loadWasmProviderSync({ aesRelaxed: false }).variants,
  brokenRelaxed: loadWasmProviderSync({ aesRelaxed: Uint8Array.of(0, 0x61, 0x73, 0x6d, 9) }).variants,
  results: results.map((r) => ({ name: r.name, ok: r.ok, error: r.error })),
}));
