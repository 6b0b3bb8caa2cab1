import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sdk/cli/main.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { createKeyFile, saveKeyFile } from '../sdk/cli/keyfile.js';
import { verifyInclusionJson } from '../sdk/dare/sequence/index.js';
import { safeArchivePath } from '../sdk/dare/sequence/archive.js';

async function mesh(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { ...nodeIo, stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  const status = await main(args, io);
  return { status, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'mesh-seq-'));

describe('mesh dare (sequences)', () => {
  it('create, append, list, extract, verify, prove — encrypted and signed', async () => {
    const key = join(dir, 'alice.key');
    await saveKeyFile(key, createKeyFile());
    const file = join(dir, 'log.dare');
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeFileSync(a, 'first record');
    writeFileSync(b, 'second record');
    expect((await mesh('dare', 'create', file, '--type', 'merkle', '--encrypt', key, '--sign', key, '--json')).status).toBe(0);
    const app = await mesh('dare', 'append', file, a, b, '--key', key, '--sign', key, '--json');
    expect(app.status).toBe(0);
    expect(JSON.parse(app.out).appended.map((x: { index: number }) => x.index)).toEqual([1, 2]);
    const list = JSON.parse((await mesh('dare', 'list', file, '--json')).out);
    expect(list.entries.length).toBe(3); // two data frames + the signed head written on close
    expect((await mesh('dare', 'extract', file, '--index', '2', '--key', key)).out).toBe('second record');
    expect((await mesh('dare', 'extract', file, '--index', '2')).err).toMatch(/DARE_NO_KEY/);
    const v = await mesh('dare', 'verify', file, '--key', key, '--json');
    expect(v.status).toBe(0);
    const report = JSON.parse(v.out);
    expect(report).toMatchObject({ frames: 4, valid: true, legacy: false, tornTail: null, errors: [] });
    expect(report.signedHeads.length).toBe(1);
    const proof = JSON.parse((await mesh('dare', 'prove', file, '--index', '1')).out);
    expect(proof.head).toBe(report.head);
    expect(verifyInclusionJson(proof)).toBe(true);
    // Damage a payload byte: verify fails and names the frame.
    const bytes = readFileSync(file);
    bytes[bytes.length - 300] ^= 0xff;
    writeFileSync(file, bytes);
    const bad = await mesh('dare', 'verify', file, '--json');
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.out).valid).toBe(false);
  });

  it('archive and unarchive a directory; unsafe paths are refused', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'one.txt'), 'one');
    writeFileSync(join(src, 'sub', 'two.bin'), new Uint8Array([0, 1, 2, 255]));
    const arc = join(dir, 'arc.dare');
    expect((await mesh('dare', 'archive', src, arc, '--json')).status).toBe(0);
    const dest = join(dir, 'dest');
    const un = await mesh('dare', 'unarchive', arc, dest, '--json');
    expect(un.status).toBe(0);
    expect(readFileSync(join(dest, 'one.txt'), 'utf8')).toBe('one');
    expect(readFileSync(join(dest, 'sub', 'two.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    for (const p of ['../x', '/etc/passwd', 'a/../../b', 'C:/x', 'a\\b', '', 'a//b']) {
      expect(() => safeArchivePath(p)).toThrow(expect.objectContaining({ code: 'DARE_BAD_PATH' }));
    }
  });

  it('--backend pure and wasm give the same head', async () => {
    const heads = [];
    for (const backend of ['pure', 'wasm']) {
      const file = join(dir, `b-${backend}.dare`);
      await mesh('--backend', backend, 'dare', 'create', file);
      const a = join(dir, 'a.txt');
      await mesh('--backend', backend, 'dare', 'append', file, a);
      heads.push(JSON.parse((await mesh('--backend', backend, 'dare', 'verify', file, '--json')).out).head);
    }
    expect(heads[0]).toBe(heads[1]);
    expect((await mesh('--backend', 'bogus', 'dare', 'list', join(dir, 'b-pure.dare'))).status).toBe(2);
  });
});
