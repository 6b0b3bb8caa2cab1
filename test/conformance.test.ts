import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../sdk/conformance/main.js';
import { Registry } from '../sdk/conformance/registry.js';
import { formatResult, runVectorFile, toVectorFile } from '../sdk/conformance/runner.js';
import { vectorsDir } from './support/paths.js';

async function run(files: string[], registry?: Registry): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const status = registry ? await runConformance(files, io, registry) : await runConformance(files, io);
  return { status, lines };
}

describe('conformance runner', () => {
  it('exits 0 over every vector file in ../shared/vectors', async () => {
    const files = readdirSync(vectorsDir).filter((f) => f.endsWith('.json')).map((f) => resolve(vectorsDir, f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const { status, lines } = await run(files);
    const failed = lines.filter((l) => l.startsWith('FAIL'));
    // Only unverified vectors may fail (printed, not counted).
    for (const l of failed) expect(l).toContain('(unverified)');
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
    expect(status, lines.join('\n')).toBe(0);
    // Every verified UDF, keys and JSON-B vector is evaluated, none skipped.
    for (const l of lines.filter((x) => x.startsWith('SKIP'))) expect(l).not.toMatch(/^SKIP (digest|parse|shamir|derive|mesh|jb-|jbd-)/);
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
