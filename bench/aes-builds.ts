import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getProvider, initSync, pureProvider } from '../sdk/crypto/index.js';
import { createWasmAes } from '../sdk/crypto/wasm/aes.js';
import { aesVariantOf, relaxedSimdSupported } from '../sdk/crypto/wasm/aes-variant.js';
import { wasmBase64 as plainBase64 } from '../sdk/crypto/wasm/generated/aes.js';
import { wasmBase64 as relaxedBase64 } from '../sdk/crypto/wasm/generated/aes-relaxed.js';
import { decodeBase64 } from '../sdk/crypto/wasm/loader.js';
import { runCases, type BenchCase, type BenchResult } from './harness.js';
import { filled, KiB, MiB, sizeLabel } from './fixtures.js';

/**
 * Both AES builds on Node, with node:crypto and the pure provider, in one process whose V8 has
 * relaxed SIMD: Node 20 has it only behind --experimental-wasm-relaxed-simd, so the main
 * benchmark runs this file in a child with that flag (Node 22+ needs none). The groups are
 * those of crypto-cases.ts with " — AES builds" appended; providers `wasm SIMD`,
 * `wasm relaxed-SIMD`, `native`, `pure`.
 */
export const AES_BUILD_PROVIDERS = ['wasm relaxed-SIMD', 'wasm SIMD', 'native', 'pure'] as const;

function cases(): BenchCase[] {
  initSync();
  const builds = [plainBase64, relaxedBase64].flatMap((b64) => {
    try {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(decodeBase64(b64)))).exports;
      return [{ name: aesVariantOf(exports) === 'relaxed-simd' ? 'wasm relaxed-SIMD' : 'wasm SIMD', aes: createWasmAes(exports) }];
    } catch {
      return [];
    }
  });
  const all = [...builds, { name: 'native', aes: getProvider('native') }, { name: 'pure', aes: pureProvider }];
  const key = filled(32);
  const iv = filled(16);
  const out: BenchCase[] = [];
  for (const n of [KiB, MiB]) {
    const pt = filled(n);
    const ct = pureProvider.aes256CbcEncrypt(key, iv, pt);
    for (const p of all) out.push({ group: `AES-256-CBC encrypt ${sizeLabel(n)} — AES builds`, provider: p.name, bytes: n, fn: () => void p.aes.aes256CbcEncrypt(key, iv, pt) });
    for (const p of all) out.push({ group: `AES-256-CBC decrypt ${sizeLabel(n)} — AES builds`, provider: p.name, bytes: n, fn: () => void p.aes.aes256CbcDecrypt(key, iv, ct) });
  }
  return out;
}

/**
 * Measures the AES builds in a child Node with relaxed SIMD on; returns its results, or a note
 * when the child could not run.
 */
export function measureNodeAesBuilds(opts: { quick: boolean }): { node: string; flag: string | undefined; results: BenchResult[]; note?: string } {
  const flag = relaxedSimdSupported() ? undefined : '--experimental-wasm-relaxed-simd';
  try {
    const out = execFileSync(process.execPath, [...(flag ? [flag] : []), fileURLToPath(import.meta.url), ...(opts.quick ? ['--quick'] : [])], {
      encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'],
    });
    return { node: process.version, flag, results: JSON.parse(out.trim().split('\n').at(-1)!) as BenchResult[] };
  } catch (e) {
    return { node: process.version, flag, results: [], note: `the AES-builds child failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const results = runCases(cases(), { maxTime: quick ? 0.2 : 0.6, minSamples: quick ? 3 : 5, rounds: quick ? 2 : 3 });
  console.log(JSON.stringify(results));
}
