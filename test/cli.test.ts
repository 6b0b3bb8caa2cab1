import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sdk/cli/main.js';
import type { CliIo } from '../sdk/cli/io.js';
import { nodeIo } from '../sdk/cli/io.js';
import { parseUdf } from '../sdk/udf/index.js';

/** Runs `mesh ...` in-process with captured output and a deterministic random source. */
async function mesh(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let counter = 0;
  const io: CliIo = {
    ...nodeIo,
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    random: (n) => Uint8Array.from({ length: n }, () => (counter = (counter * 73 + 41) & 0xff)),
  };
  const status = await main(args, io);
  return { status, out, err };
}

const dir = mkdtempSync(resolve(tmpdir(), 'mesh-cli-'));
const txt = resolve(dir, 'content.txt');
writeFileSync(txt, 'UDF Content Data');
const data = resolve(dir, 'value.bin');
writeFileSync(data, 'UDF Data Value');

describe('mesh CLI', () => {
  it('hash udf: the UDFDigest.md example (a .txt file hashes as text/plain)', async () => {
    expect(await mesh('hash', 'udf', txt)).toEqual({ status: 0, out: 'MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4\n', err: '' });
    expect((await mesh('hash', 'udf', txt, '--alg', 'sha3')).out).toBe('KCM5-7VB6-IJXJ-WKHX-NZQF-OKGZ-EWVN\n');
    expect((await mesh('hash', 'udf', data, '--cty', 'text/plain', '--bits', '100')).out).toBe('MDDK-7N6A-727A-JZNO-STRX\n');
  });

  it('hash udf --expect: exit 0 on a match at the expected precision, 1 otherwise', async () => {
    expect((await mesh('hash', 'udf', data, '--cty', 'text/plain', '--expect', 'MDDK-7N6A-727A-JZNO-STRX')).status).toBe(0);
    const miss = await mesh('hash', 'udf', data, '--cty', 'text/plain', '--expect', 'MDDK-7N6A-727A-JZNO-STRY');
    expect(miss.status).toBe(1);
    expect(miss.out).toContain('MISMATCH');
    const json = await mesh('hash', 'udf', data, '--cty', 'text/plain', '--expect', 'MDDK-7N6A-727A-JZNO-STRX', '--json');
    expect(JSON.parse(json.out)).toMatchObject({ udf: 'MDDK-7N6A-727A-JZNO-STRX', match: true, algorithm: 'sha2', bits: 100 });
  });

  it('hash digest and hash mac', async () => {
    const d = await mesh('hash', 'digest', data);
    expect(d.out.trim()).toBe('48da47ccabfea45c7661d321ba343e5810872a03b4029dab847cced222b69cab0238d4e91e2f6b36a09eed11098aeaac99d9e0bdea479315bd7ae9e12eadc415');
    const konrad = resolve(dir, 'konrad.txt');
    writeFileSync(konrad, 'Konrad is the traitor');
    const m = await mesh('hash', 'mac', konrad, '--key', 'NDD7-6CMX-H2FW-ISAL-K4VB-DQ3E-PEDM', '--json');
    expect(JSON.parse(m.out)).toMatchObject({ udf: 'ABGM-G76T-7GPF-FTYH-SB2F-HBDF-SW6B', contentType: 'text/plain' });
    expect((await mesh('hash', 'mac', konrad)).status).toBe(2); // --key is required
  });

  it('key nonce / secret / earl', async () => {
    const n = await mesh('key', 'nonce');
    expect(parseUdf(n.out.trim()).type).toBe(104);
    expect(parseUdf(n.out.trim()).value.length).toBe(16);
    expect(parseUdf(JSON.parse((await mesh('key', 'nonce', '--bits', '256', '--json')).out).udf).value.length).toBe(32);
    expect((await mesh('key', 'secret')).out.trim()).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}$/);
    const earl = JSON.parse((await mesh('key', 'earl', '--domain', 'example.org', '--json')).out);
    expect(earl.earl).toMatch(/^udf:\/\/example\.org\/E/);
    expect(earl.url).toBe(`https://example.org/.well-known/mmm-udf/${earl.identifier}`);
    expect((await mesh('key', 'nonce', '--bits', '12')).status).toBe(2);
  });

  it('key share and key recover round trip', async () => {
    const secret = 'RCZE-QEJR-4N5J-4EXF-JSWH-6EAN-RU';
    const s = JSON.parse((await mesh('key', 'share', secret, '--shares', '5', '--quorum', '3', '--json')).out);
    expect(s.shares).toHaveLength(5);
    const r = await mesh('key', 'recover', s.shares[4], s.shares[0], s.shares[2]);
    expect(r).toEqual({ status: 0, out: secret + '\n', err: '' });
    const few = await mesh('key', 'recover', s.shares[0], s.shares[1]);
    expect(few.status).toBe(2);
    expect(few.err).toMatch(/UDF_QUORUM/);
    expect((await mesh('key', 'recover', 'SAQG-CKAC-UYFN-QDKN-7VDF-NJF3-ACHV-C', 'SAQT-THN5-HLR4-ZH75-46TW-BHHW-6EIR-K')).out.trim()).toBe(secret);
  });

  it('--help on every command, usage errors exit 2', async () => {
    for (const cmd of [[], ['hash'], ['hash', 'udf'], ['hash', 'digest'], ['hash', 'mac'], ['key'], ['key', 'nonce'],
      ['key', 'secret'], ['key', 'earl'], ['key', 'share'], ['key', 'recover']]) {
      const h = await mesh(...cmd, '--help');
      expect(h.status, cmd.join(' ')).toBe(0);
      expect(h.out, cmd.join(' ')).toMatch(/Usage: mesh/);
    }
    expect((await mesh()).status).toBe(2);
    expect((await mesh('frobnicate')).status).toBe(2);
    expect((await mesh('hash', 'udf', resolve(dir, 'missing.txt'))).status).toBe(2);
    const bad = await mesh('hash', 'udf', txt, '--expect', 'MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH!');
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/UDF_BAD_CHAR/);
  });
});
