/**
 * The browser half of the AES benchmark (bundled and driven by browser.ts in headless
 * Chromium): bulk AES-256-CBC as a streaming encoder would call it — one long-lived CBC stream
 * per provider (asyncAesOf / webCryptoAes, sdk/crypto/aes-async.ts), `update(chunk)` per
 * operation — for WebCrypto, both WASM builds and the pure provider, at several chunk sizes.
 * These are the figures behind `WEBCRYPTO_AES_THRESHOLDS` (selection.ts).
 */
import { asyncAesOf, pureProvider, webCryptoAes, type AesCbcStream, type AsyncAes } from '../sdk/crypto/index.js';
import { createWasmAes } from '../sdk/crypto/wasm/aes.js';
import { aesVariantOf } from '../sdk/crypto/wasm/aes-variant.js';
import { wasmBase64 as plainBase64 } from '../sdk/crypto/wasm/generated/aes.js';
import { wasmBase64 as relaxedBase64 } from '../sdk/crypto/wasm/generated/aes-relaxed.js';
import { decodeBase64 } from '../sdk/crypto/wasm/loader.js';
import { runAsyncCases, type AsyncCase, type BenchResult } from './stats.js';

/** What the page leaves in `globalThis.__aesBench` for the driver. */
export interface BrowserAesReport {
  userAgent: string;
  /** The AES builds this engine compiled. */
  builds: string[];
  results: BenchResult[];
  error?: string;
}

declare global {
  // eslint-disable-next-line no-var
  var __aesBench: BrowserAesReport | undefined;
}

/** Chunk sizes measured: from one envelope frame's worth to a bulk streaming chunk. */
const BROWSER_AES_SIZES = [1024, 4096, 16 * 1024, 64 * 1024, 1024 * 1024];

function wasmBuild(b64: string) {
  try {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(decodeBase64(b64))), { env: { abort: () => undefined } }).exports;
    return { name: aesVariantOf(exports) === 'relaxed-simd' ? 'wasm relaxed-SIMD' : 'wasm SIMD', aes: createWasmAes(exports) };
  } catch {
    return undefined;
  }
}

async function run(): Promise<BrowserAesReport> {
  const params = new URLSearchParams(location.search);
  const minMs = Number(params.get('ms') ?? 200);
  const rounds = Number(params.get('rounds') ?? 3);
  const builds = [wasmBuild(relaxedBase64), wasmBuild(plainBase64)].filter((b) => b !== undefined);
  const web = webCryptoAes();
  const providers: { label: string; aes: AsyncAes }[] = [
    ...(web ? [{ label: 'webcrypto', aes: web }] : []),
    ...builds.map((b) => ({ label: b.name, aes: asyncAesOf({ name: 'wasm', ...b.aes }) })),
    { label: 'pure', aes: asyncAesOf(pureProvider) },
  ];
  const key = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const cases: AsyncCase[] = [];
  for (const direction of ['encrypt', 'decrypt'] as const) {
    for (const size of BROWSER_AES_SIZES) {
      const chunk = new Uint8Array(size);
      for (let at = 0; at < size; at += 65536) crypto.getRandomValues(chunk.subarray(at, Math.min(size, at + 65536)));
      const label = size >= 1 << 20 ? `${size >> 20} MiB` : `${size >> 10} KiB`;
      for (const p of providers) {
        const stream: AesCbcStream = direction === 'encrypt' ? p.aes.cbcEncryptStream(key, iv) : p.aes.cbcDecryptStream(key, iv);
        cases.push({
          group: `AES-256-CBC ${direction} stream, ${label} chunks`,
          provider: p.label,
          bytes: size,
          fn: async () => void (await stream.update(chunk)),
        });
      }
    }
  }
  const results = await runAsyncCases(cases, { rounds, minMs, minCalls: 2 });
  return { userAgent: navigator.userAgent, builds: builds.map((b) => b.name), results };
}

try {
  globalThis.__aesBench = await run();
} catch (e) {
  globalThis.__aesBench = { userAgent: navigator.userAgent, builds: [], results: [], error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
}
