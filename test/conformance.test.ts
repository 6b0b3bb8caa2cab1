import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { route } from '../sdk/crypto/index.js';
import { runConformance } from '../sdk/conformance/main.js';
import { CONFORMANCE_PROVIDERS } from '../sdk/conformance/provider.js';
import { defaultRegistry, Registry } from '../sdk/conformance/registry.js';
import { formatResult, runVectorFile, toVectorFile } from '../sdk/conformance/runner.js';
import { vectorsDir } from './support/paths.js';

async function run(files: string[], registry?: Registry): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const status = registry ? await runConformance(files, io, registry) : await runConformance(files, io);
  return { status, lines };
}

/** Every vector file: the top level of ../shared/vectors and its mesh/ folder (mesh-kinds.md). */
function vectorFiles(): { files: string[]; meshFiles: string[] } {
  const json = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => resolve(dir, f)) : []);
  return { files: json(vectorsDir), meshFiles: json(resolve(vectorsDir, 'mesh')) };
}

/** The kinds a vector file uses (both formats of runner.ts). */
function kindsOf(path: string): string[] {
  const file = toVectorFile(path, JSON.parse(readFileSync(path, 'utf8')));
  return [...new Set(file.vectors.map((v) => String((v as { kind?: unknown }).kind)))];
}

describe.each(CONFORMANCE_PROVIDERS)('conformance runner over every vector file, provider %s', (provider) => {
  it('exits 0: every verified vector passes', async () => {
    const { files, meshFiles } = vectorFiles();
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(meshFiles.length).toBeGreaterThanOrEqual(1);
    // The Mesh kinds (mesh-kinds.md) are being registered in sdk/conformance/registry.ts; until
    // each lands it is declared here so that it SKIPs instead of failing as unknown. Kinds in the
    // top-level files get no such pass: an unknown kind there fails the run.
    const registry = defaultRegistry();
    const pending = meshFiles.flatMap(kindsOf).filter((k) => !registry.isKnown(k));
    registry.declare(...pending);
    const { status, lines } = await run(['--provider', provider, ...files, ...meshFiles], registry);
    expect(lines[0]).toBe(`# provider ${provider}`);
    const failed = lines.filter((l) => l.startsWith('FAIL'));
    // Only unverified vectors may fail (printed, not counted).
    for (const l of failed) expect(l).toContain('(unverified)');
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
    expect(status, lines.join('\n')).toBe(0);
    // Every verified UDF, keys and JSON-B vector is evaluated, none skipped.
    for (const l of lines.filter((x) => x.startsWith('SKIP'))) expect(l).not.toMatch(/^SKIP (digest|parse|shamir|derive|mesh|jb-|jbd-)/);
  });
});

describe('conformance runner', () => {
  it('--provider: an unknown name is a usage error; the provider decides the routing', async () => {
    expect((await run(['--provider', 'openssl', 'x.json'])).status).toBe(2);
    expect((await run(['--provider'])).status).toBe(2);
    const { files } = vectorFiles();
    const udf = files.filter((f) => f.endsWith('udf.json'));
    expect((await run(['--provider=pure', ...udf])).lines[0]).toBe('# provider pure');
    expect(route('sha512', 64)).toBe('pure');
    await run(['--provider', 'wasm', ...udf]);
    expect(route('sha512', 1 << 20)).toBe('wasm');
    await run(['--provider', 'native', ...udf]);
    expect([route('sha512', 64), route('x448')]).toEqual(['native', 'wasm']);
    await run(udf);
    expect([route('sha512', 64), route('sha512', 1 << 20)]).toEqual(['wasm', 'native']);
  });

  it('prints PASS / FAIL / SKIP lines and fails on a wrong verified vector or an unknown kind', async () => {
    const file = toVectorFile('t.json', [
      { id: 'ok', kind: 'udf-parse', verified: true, udf: 'NDZZ-KNXV-IWNN-ZPN3-CIZY-YJUF-XMBA', expected: { type_code: 104 } },
      { id: 'bad', kind: 'udf-parse', verified: true, udf: 'NDZZ-KNXV-IWNN-ZPN3-CIZY-YJUF-XMBA', expected: { type_code: 105 } },
      { id: 'derived-bad', kind: 'udf-parse', verified: false, udf: 'NDZZ-KNXV-IWNN-ZPN3-CIZY-YJUF-XMBA', expected: { type_code: 1 } },
      { id: 'unchecked', kind: 'udf-parse', verified: true, udf: 'NDZZ-KNXV-IWNN-ZPN3-CIZY-YJUF-XMBA', expected: { colour: 'red' } },
      { id: 'later', kind: 'future-kind', verified: true },
      { id: 'alien', kind: 'no-such-kind', verified: false },
    ]);
    const { defaultRegistry } = await import('../sdk/conformance/registry.js');
    // A kind the specs name but no evaluator implements yet is SKIPped, not failed.
    const results = await runVectorFile(file, defaultRegistry().declare('future-kind'));
    const lines = results.map(formatResult);
    expect(lines[0]).toBe('PASS ok');
    expect(lines[1]).toMatch(/^FAIL bad: expected\.type_code: got 104, expected 105$/);
    expect(lines[2]).toMatch(/^FAIL derived-bad: \(unverified\)/);
    expect(lines[3]).toMatch(/^FAIL unchecked: cannot check expected field\(s\) colour$/);
    expect(lines[4]).toBe('SKIP later: future-kind not implemented yet');
    expect(lines[5]).toMatch(/^FAIL alien: unknown kind 'no-such-kind'$/);
  });

  it('exit status: 1 for a failed verified vector or unknown kind, 0 for unverified failures, 2 for unreadable files', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(resolve(tmpdir(), 'mesh-conformance-'));
    const write = (name: string, json: unknown): string => {
      const p = resolve(dir, name);
      writeFileSync(p, JSON.stringify(json));
      return p;
    };
    const base = { kind: 'udf-parse', udf: 'NDZZ-KNXV-IWNN-ZPN3-CIZY-YJUF-XMBA' };
    const good = write('good.json', { vectors: [{ ...base, id: 'a', verified: true, expected: { type_code: 104 } }],
      derived_vectors: [{ ...base, id: 'b', verified: true, expected: { type_code: 0 } }], known_bad: [{ id: 'c', reason: 'broken' }] });
    const r1 = await run([good]);
    expect(r1.status).toBe(0);
    expect(r1.lines).toContain('SKIP c: known bad: broken');
    expect(r1.lines.at(-1)).toBe('1 passed, 0 failed, 1 skipped');
    const bad = write('bad.json', [{ ...base, id: 'a', verified: true, expected: { type_code: 1 } }]);
    expect((await run([bad])).status).toBe(1);
    const alien = write('alien.json', [{ id: 'x', kind: 'mystery' }]);
    expect((await run([alien])).status).toBe(1);
    const notVectors = write('nv.json', { hello: 1 });
    expect((await run([notVectors])).status).toBe(2);
    expect((await run([resolve(dir, 'missing.json')])).status).toBe(2);
  });

  it('lets later issues register kinds', async () => {
    const registry = new Registry().declare('container').register({ container: () => undefined });
    const file = toVectorFile('t.json', { vectors: [{ id: 'c1', kind: 'container', verified: true }] });
    expect((await runVectorFile(file, registry)).map(formatResult)).toEqual(['PASS c1']);
  });
});
