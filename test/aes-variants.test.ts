/**
 * The AES family's relaxed-SIMD build (core-wasm/aes/vperm.ts, sdk/crypto/wasm/aes-variant.ts):
 * the probe tells the truth in this process, and under Node with relaxed SIMD switched on
 * (a child `node --experimental-wasm-relaxed-simd`: Node 20 has it only behind that flag;
 * Chromium, Deno, Bun and Node 22+ run the same portable suite by default in `npm run test:runtimes`),
 * `init()` loads the relaxed build, reports it, and both builds agree on the vectors and on
 * pseudo-random inputs. No timing is asserted anywhere.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { init, wasmVariants } from '../sdk/crypto/index.js';
import { relaxedSimdSupported } from '../sdk/crypto/wasm/aes-variant.js';
import { wasmBase64 as relaxedBase64 } from '../sdk/crypto/wasm/generated/aes-relaxed.js';
import { repoRoot } from './support/paths.js';

const compiles = (b64: string): boolean => {
  try {
    return new WebAssembly.Module(Buffer.from(b64, 'base64')) instanceof WebAssembly.Module;
  } catch {
    return false;
  }
};

interface ChildReport {
  backend: string;
  probe: boolean;
  variants?: { aes: string };
  forcedPlain: { aes: string };
  brokenRelaxed: { aes: string };
  results: { name: string; ok: boolean; error?: string }[];
}

describe('AES builds: relaxed SIMD where the engine has it', () => {
  it('in this process, the probe agrees with compiling the relaxed build, and init() reports the build it loaded', async () => {
    await init();
    const relaxed = compiles(relaxedBase64);
    expect(relaxedSimdSupported()).toBe(relaxed);
    expect(wasmVariants()).toEqual({ aes: relaxed ? 'relaxed-simd' : 'simd' });
  });

  it('node --experimental-wasm-relaxed-simd: init() loads the relaxed build, both builds agree, fallbacks hold', () => {
    const out = execFileSync(process.execPath, [
      '--experimental-wasm-relaxed-simd', '--import', resolve(repoRoot, 'test/support/ts-hooks.mjs'),
      resolve(repoRoot, 'test/support/aes-relaxed-child.ts'),
    ], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 });
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport;
    expect(report.backend).toBe('wasm');
    expect(report.probe).toBe(true);
    expect(report.variants).toEqual({ aes: 'relaxed-simd' });
    expect(report.forcedPlain).toEqual({ aes: 'simd' });
    expect(report.brokenRelaxed).toEqual({ aes: 'simd' });
    const failed = report.results.filter((r) => !r.ok);
    expect(failed, failed.map((f) => `${f.name}: ${f.error}`).join('\n')).toEqual([]);
    // The comparison of both builds ran (its name says which build init() chose).
    expect(report.results.map((r) => r.name).join('\n')).toContain('(relaxed-simd here)');
    expect(report.results.length).toBeGreaterThan(5);
  });
});
