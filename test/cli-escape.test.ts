import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeText, safeJson } from '../sdk/cli/escape.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { parseKeyFile } from '../sdk/cli/keyfile.js';
import { main } from '../sdk/cli/main.js';
import { darePrivateKey, encodeEnvelope, publicPart, serializeEnvelope, type DarePrivateKey } from '../sdk/dare/index.js';
import { seeded } from './support/random.js';

/**
 * Untrusted text never reaches the terminal raw (sdk/cli/escape.ts), and `mesh dare` never shows
 * a stack trace. The envelope here is the attacker's: kids, content type and file name carry line
 * breaks (a forged "signer: … valid" line), ANSI/OSC escape sequences, a one-byte C1 CSI and a
 * right-to-left override.
 */

// Anything a terminal acts on, other than the line feeds ending our own lines.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const STACK = /\n\s+at\s/;

const random = seeded(7);
let counter = 11;
async function mesh(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    ...nodeIo,
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    random: (n) => Uint8Array.from({ length: n }, () => (counter = (counter * 1664525 + 1013904223) >>> 0) >>> 24),
  };
  return { status: await main(args, io), out, err };
}

describe('escapeText / safeJson', () => {
  it('escapes control, C1, bidi and separator characters, lone surrogates and the backslash; leaves other text alone', () => {
    expect(escapeText('a\nb')).toBe('a\\nb');
    expect(escapeText('\u001b[31mred')).toBe('\\u{1B}[31mred');
    expect(escapeText('\u009b2J')).toBe('\\u{9B}2J');
    expect(escapeText('abc\u202edef')).toBe('abc\\u{202E}def');
    expect(escapeText('x\\ny')).toBe('x\\\\ny'); // a literal backslash-n cannot pass for an escaped line break
    expect(escapeText('\ud800x')).toBe('\\u{D800}x');
    expect(escapeText('Grüße, 日本, 😀, MBVS-ODR3')).toBe('Grüße, 日本, 😀, MBVS-ODR3');
    for (let c = 0; c < 0x3000; c++) expect(escapeText(String.fromCharCode(c)), `U+${c.toString(16)}`).not.toMatch(RAW);
  });

  it('safeJson is the same JSON value, with nothing a terminal acts on', () => {
    const v = { kid: 'a\u001b]0;pwned\u0007\n\u009b\u202e', n: 1, list: ['\u2028'] };
    const text = safeJson(v);
    expect(text).not.toMatch(RAW);
    expect(JSON.parse(text)).toEqual(v);
  });
});

describe('mesh dare with a hostile envelope', () => {
  const dir = mkdtempSync(resolve(tmpdir(), 'mesh-escape-'));
  const p = (name: string) => resolve(dir, name);
  let bob: DarePrivateKey;
  const forgedLine = '\nsigner:     MFAK-E000-0000 valid\nverdict:    authentic: signed by MFAK-E000-0000';
  const evil = `MBAD-KID\u001b[2J\u001b]0;owned\u0007\u009b31m\u202e${forgedLine}\r`;

  beforeAll(async () => {
    expect((await mesh('key', 'create', '--out', p('bob.json'), '--public', p('bob.pub.json'))).status).toBe(0);
    expect((await mesh('key', 'create', '--out', p('alice.json'), '--public', p('alice.pub.json'))).status).toBe(0);
    bob = parseKeyFile(readFileSync(p('bob.json'))).encrypt as DarePrivateKey;
    const mallory = darePrivateKey('Ed448', random(56));
    const env = encodeEnvelope('payload', {
      recipients: [publicPart(bob)], signers: [mallory], random,
      contentMeta: { cty: `text/plain${forgedLine}\u001b[0m`, filename: `a\u202etxt.exe\n` }, annotations: [`\u001b[2J${forgedLine}`],
    });
    env.trailer!.signatures = env.trailer!.signatures!.map((s) => ({ ...s, kid: evil }));
    env.header.recipients = env.header.recipients!.map((r) => ({ ...r, kid: evil }));
    env.header.kid = evil;
    writeFileSync(p('evil.dare'), serializeEnvelope(env, 'json'));
  });

  it('verify: one line per field, the hostile kid escaped, no forged line; exit 0 only as "no signer checked"', async () => {
    const r = await mesh('dare', 'verify', p('evil.dare'));
    expect(r.out).not.toMatch(RAW);
    expect(r.err).not.toMatch(RAW);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('signer:'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('verdict:'))).toEqual([expect.stringContaining('no signer checked')]);
    expect(r.out).toContain('\\u{1B}[2J');
    expect(r.status).toBe(0);
  });

  it('verify --json and verify --signer (failure message quoting the kid): nothing raw', async () => {
    const j = await mesh('dare', 'verify', p('evil.dare'), '--json');
    expect(j.out).not.toMatch(RAW);
    expect(JSON.parse(j.out).signatures[0].kid).toBe(evil);
    const s = await mesh('dare', 'verify', p('evil.dare'), '--signer', p('alice.pub.json'));
    expect(s.status).toBe(1);
    expect(s.out + s.err).not.toMatch(RAW);
    expect(s.out).toContain('DARE_UNKNOWN_SIGNER');
    expect(s.out.trimEnd().split('\n')).toHaveLength(1);
  });

  it('decode: status lines escaped; with --signer it fails and writes nothing', async () => {
    const d = await mesh('dare', 'decode', p('evil.dare'), p('out.bin'), '--key', p('bob.json'));
    expect(d.status, d.err).toBe(0);
    expect(d.err).not.toMatch(RAW);
    expect(d.err).toContain('no signer checked');
    const f = await mesh('dare', 'decode', p('evil.dare'), p('out2.bin'), '--key', p('bob.json'), '--signer', p('alice.pub.json'));
    expect(f.status).not.toBe(0);
    expect(f.err).not.toMatch(RAW);
    expect(existsSync(p('out2.bin'))).toBe(false);
  });

  it('no stack trace on any failure path', async () => {
    writeFileSync(p('garbage.dare'), '[{"enc":{"toString":1}},"AA"]');
    writeFileSync(p('garbage.key'), '{"format":"mathmesh-key/1","sign":{"algorithm":"Ed448","public":"***"}}');
    const runs = [
      await mesh('dare', 'verify', p('missing.dare')),
      await mesh('dare', 'verify', p('garbage.dare')),
      await mesh('dare', 'decode', p('garbage.dare'), p('x.bin')),
      await mesh('dare', 'verify', p('evil.dare'), '--signer', p('garbage.key')),
      await mesh('dare', 'verify', p('evil.dare'), '--signer', p('bob.json'), '--key', p('missing.key')),
      await mesh('dare', 'decode', p('evil.dare'), resolve(dir, 'no-such-dir', 'x.bin'), '--key', p('bob.json')),
      await mesh('dare', 'decode', p('evil.dare'), p('x.bin'), '--require-signature'),
      await mesh('dare', 'encode', p('missing.txt'), p('y.dare')),
      await mesh('key', 'create', '--out', resolve(dir, 'no-such-dir', 'k.json')),
      await mesh('dare', 'verify', dir),
    ];
    for (const r of runs) {
      expect(r.status).not.toBe(0);
      expect(r.err + r.out).not.toMatch(STACK);
      expect(r.err + r.out).not.toMatch(RAW);
      expect(r.err).toMatch(/^mesh: |^$/);
    }
  });
});
