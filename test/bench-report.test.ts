/**
 * The benchmark's report generator and its OpenSSL Merkle baseline (bench/): what the README
 * says must follow from the rounds measured, and the baseline must compute the same tree head
 * it is compared with. Only arithmetic on given figures is checked here — no timing.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { opensslMerkleRoot } from '../bench/crypto-cases.js';
import {
  BEGIN, checkTargets, END, markdownPeers, markdownTable, num, range, ratioOf, renderSection, spliceReadme, webCryptoCrossover,
  type BenchReport,
} from '../bench/report.js';
import { resultOf } from '../bench/stats.js';
import { merkleRoot } from '../sdk/crypto/index.js';
import { loadNodeCrypto } from '../sdk/crypto/native/provider.js';
import { referenceMth } from './support/merkle-reference.js';

const r = (group: string, provider: string, rounds: number[], bytes?: number) => resultOf(group, provider, rounds, bytes ? { bytes } : {});

describe('bench report: figures with their spread', () => {
  it('formats three significant digits and shared-suffix ranges', () => {
    expect(num(1_375_925)).toBe('1.38M');
    expect(num(74_440)).toBe('74.4k');
    expect(num(233.2)).toBe('233');
    expect(num(5.481)).toBe('5.48');
    expect(num(999_900)).toBe('1M');
    expect(range(1_301_000, 1_402_000)).toBe('1.3–1.4M');
    expect(range(980_000, 1_020_000)).toBe('980k–1.02M');
  });

  it('a result is the median of its rounds with their min and max', () => {
    const x = r('g', 'wasm', [10, 30, 20], 1024);
    expect([x.opsPerSec, x.min, x.max]).toEqual([20, 10, 30]);
    expect(x.mbPerSec).toBeCloseTo((20 * 1024) / (1024 * 1024));
  });

  it('ratios are the median of per-round ratios (rounds ran side by side), with their min–max', () => {
    const a = r('g', 'wasm', [100, 50, 90]);
    const b = r('g', 'native', [50, 50, 30]);
    // Per round: 2, 1, 3 — not 90 / 50 = 1.8, the ratio of the medians.
    expect(ratioOf(a, b)).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    const [check] = checkTargets([a, b], [{ group: 'g', a: 'wasm', b: 'native', min: 2.5 }]);
    expect(check).toMatchObject({ ratio: 2, ratioMin: 1, ratioMax: 3, met: false });
    expect(markdownTable([a, b], ['wasm', 'native'])).toContain('| g | 90 (50–100) | 50 (30–50) | 2.00x (1.00–3.00) | — |');
  });

  it('the peer table says by how much the default routing is behind a faster peer', () => {
    const results = [
      r('SHA-512 1 MiB', 'wasm', [400, 410, 420], 1 << 20), r('SHA-512 1 MiB', 'native', [800, 800, 800], 1 << 20),
      r('SHA-512 1 MiB', 'hash-wasm', [1000, 1000, 1000], 1 << 20), r('SHA-512 1 MiB', 'noble', [100, 100, 100], 1 << 20),
    ];
    const table = markdownPeers(results, { 'SHA-512 1 MiB': 'native' });
    expect(table).toContain('(native)');
    expect(table).toContain('behind hash-wasm by 20% (hash-wasm 1.25x faster)');
    expect(table).not.toContain('behind @noble');
  });

  it('the WebCrypto crossover is the smallest chunk from which WebCrypto beats every WASM build', () => {
    const g = (n: string) => `AES-256-CBC encrypt stream, ${n} chunks`;
    const results = [
      r(g('1 KiB'), 'webcrypto', [50]), r(g('1 KiB'), 'wasm SIMD', [60]),
      r(g('4 KiB'), 'webcrypto', [120]), r(g('4 KiB'), 'wasm SIMD', [100]), r(g('4 KiB'), 'wasm relaxed-SIMD', [130]),
      r(g('16 KiB'), 'webcrypto', [200]), r(g('16 KiB'), 'wasm relaxed-SIMD', [130]),
      r(g('64 KiB'), 'webcrypto', [210]), r(g('64 KiB'), 'wasm relaxed-SIMD', [130]),
    ];
    expect(webCryptoCrossover(results)).toEqual({ encrypt: 16 * 1024 });
  });

  it('the README block between the markers is replaced, the rest kept', () => {
    const readme = `# x\n\n${BEGIN}\nold\n${END}\n\nafter\n`;
    const report: BenchReport = {
      env: { commit: 'abc1234', date: '2026-12-06T00:00:00Z', node: 'v20', openssl: '3', cores: 2, cpu: 'cpu', mode: 'full', rounds: 3 },
      results: [r('SHA-512 64 B', 'wasm', [3, 2, 1]), r('SHA-512 64 B', 'native', [1, 1, 1])],
      targets: [],
    };
    const out = spliceReadme(readme, renderSection(report));
    expect(out).toContain('at commit abc1234');
    expect(out).not.toContain('\nold\n');
    expect(out.endsWith(`${END}\n\nafter\n`)).toBe(true);
    expect(() => spliceReadme('# no markers', 'x')).toThrow(/bench:begin/);
  });
});

describe('bench: the OpenSSL Merkle baseline computes the RFC 9162 tree head', () => {
  it('equals the SDK and the reference for every size up to 70 leaves and a few larger', () => {
    const node = loadNodeCrypto()!;
    const sha512 = (...parts: Uint8Array[]) => {
      const h = createHash('sha512');
      for (const p of parts) h.update(p);
      return new Uint8Array(h.digest());
    };
    for (const n of [...Array.from({ length: 71 }, (_, i) => i), 127, 128, 129, 1000]) {
      const leaves = Array.from({ length: n }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7, 9));
      const root = new Uint8Array(opensslMerkleRoot(node, leaves));
      expect(root, `${n} leaves`).toEqual(new Uint8Array(merkleRoot(leaves)));
      expect(root, `${n} leaves`).toEqual(referenceMth(leaves, sha512));
    }
  });
});
