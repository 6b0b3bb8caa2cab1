import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sdk/cli/main.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { parseKeyFile } from '../sdk/cli/keyfile.js';
import { encodeEnvelope, publicPart, serializeEnvelope, type DarePrivateKey } from '../sdk/dare/index.js';

/** `mesh key create` and `mesh dare encode|decode|verify` (issue 5), run in-process. */

let counter = 5;
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

const dir = mkdtempSync(resolve(tmpdir(), 'mesh-dare-'));
const p = (name: string) => resolve(dir, name);
writeFileSync(p('msg.txt'), 'The CEO told me the product launch is today.');

describe('mesh dare', () => {
  it('key create writes a private (0600) and a public key file; refuses to overwrite', async () => {
    const a = await mesh('key', 'create', '--out', p('alice.json'), '--public', p('alice.pub.json'), '--json');
    expect(a.status).toBe(0);
    const ids = JSON.parse(a.out) as { encrypt: string; sign: string };
    expect(ids.encrypt).toMatch(/^M[A-Z2-7]{3}(-[A-Z2-7]{4}){6}$/);
    expect(statSync(p('alice.json')).mode & 0o777).toBe(0o600);
    const priv = parseKeyFile(readFileSync(p('alice.json')));
    expect(priv.seed).toMatch(/^Z/);
    expect(priv.encrypt!.kid).toBe(ids.encrypt);
    const pub = readFileSync(p('alice.pub.json'), 'utf8');
    expect(pub).not.toContain('private');
    expect(pub).not.toContain(priv.seed!);
    expect(parseKeyFile(pub).sign!.kid).toBe(ids.sign);
    expect((await mesh('key', 'create', '--out', p('alice.json'))).status).toBe(2);
    expect((await mesh('key', 'create', '--out', p('bob.json'), '--public', p('bob.pub.json'))).status).toBe(0);
  });

  it('encode (encrypt by key file and by fingerprint, sign, annotate) → verify → decode', async () => {
    const bobKid = parseKeyFile(readFileSync(p('bob.pub.json'))).encrypt!.kid;
    const enc = await mesh('dare', 'encode', p('msg.txt'), p('msg.dare'), '--encrypt', p('alice.pub.json'), '--encrypt', bobKid,
      '--keyring', dir, '--sign', p('alice.json'), '--cty', 'text/plain', '--annotation', 'Subject: launch');
    expect(enc, enc.err).toMatchObject({ status: 0 });
    const v = await mesh('dare', 'verify', p('msg.dare'), '--signer', p('alice.pub.json'));
    expect(v.status).toBe(0);
    expect(v.out).toContain('cipher:     A256CBC-HS512');
    expect(v.out).toContain('mac:        present, not checked (needs --key)');
    expect(v.out).toMatch(/verdict: +authentic: signed by M\S+ \(payload and header\)/);
    expect(v.out).toContain('digest:     S512 (valid)');
    expect(v.out).toContain(bobKid);
    expect(v.out).toMatch(/signer: +M\S+ valid/);
    const d = await mesh('dare', 'decode', p('msg.dare'), p('msg.out'), '--key', p('bob.json'), '--signer', p('alice.pub.json'), '--require-signature');
    expect(d.status, d.err).toBe(0);
    expect(d.err).toMatch(/verdict: authentic: signed by M\S+ \(payload and header\)/);
    expect(readFileSync(p('msg.out'), 'utf8')).toBe('The CEO told me the product launch is today.');
    const full = await mesh('dare', 'verify', p('msg.dare'), '--key', p('alice.json'), '--signer', p('alice.pub.json'), '--json');
    expect(JSON.parse(full.out)).toMatchObject({
      ok: true, verdict: 'authentic', authentic: true, headerSigned: true, mac: 'valid', signatures: [{ status: 'valid', manifest: 'valid', witness: 'valid' }],
    });
  });

  it('JSON-B output; tampering makes verify exit 1 and decode fail with a typed error', async () => {
    expect((await mesh('dare', 'encode', p('msg.txt'), p('msg.dareb'), '--sign', p('alice.json'), '--format', 'jsonb')).status).toBe(0);
    const bytes = readFileSync(p('msg.dareb'));
    expect(bytes[0]).toBe(0x5b);
    const i = bytes.indexOf(Buffer.from('CEO'));
    bytes[i] ^= 1;
    writeFileSync(p('bad.dareb'), bytes);
    const v = await mesh('dare', 'verify', p('bad.dareb'), '--signer', p('alice.pub.json'));
    expect(v.status).toBe(1);
    expect(v.out).toContain('NOT VERIFIED: DARE_BAD_DIGEST');
    const report = await mesh('dare', 'verify', p('bad.dareb'));
    expect(report.status).toBe(1);
    expect(report.out).toContain('(invalid)');
    expect(report.out).toContain('no signer checked');
    const d = await mesh('dare', 'decode', p('bad.dareb'), p('bad.out'));
    expect(d.status).toBe(2);
    expect(d.err).toContain('DARE_BAD_DIGEST');
  });

  it('--signer is required, not decorative: unsigned or signed by someone else exits non-zero, and decode writes nothing', async () => {
    expect((await mesh('dare', 'encode', p('msg.txt'), p('plain.dare'), '--encrypt', p('bob.pub.json'))).status).toBe(0);
    expect((await mesh('dare', 'encode', p('msg.txt'), p('bob-signed.dare'), '--sign', p('bob.json'))).status).toBe(0);
    const unsigned = await mesh('dare', 'verify', p('plain.dare'), '--signer', p('alice.pub.json'));
    expect(unsigned.status).toBe(1);
    expect(unsigned.out).toContain('DARE_NOT_SIGNED');
    const other = await mesh('dare', 'verify', p('bob-signed.dare'), '--signer', p('alice.pub.json'));
    expect(other.status).toBe(1);
    expect(other.out).toContain('DARE_UNKNOWN_SIGNER');
    for (const [file, code] of [['plain.dare', 'DARE_NOT_SIGNED'], ['bob-signed.dare', 'DARE_UNKNOWN_SIGNER']] as const) {
      const d = await mesh('dare', 'decode', p(file), p(`${file}.out`), '--key', p('bob.json'), '--signer', p('alice.pub.json'));
      expect(d.status).not.toBe(0);
      expect(d.err).toContain(code);
      expect(existsSync(p(`${file}.out`))).toBe(false);
    }
    // Without --signer: exit 0 for an intact envelope, and the output says nobody was checked.
    const v = await mesh('dare', 'verify', p('bob-signed.dare'));
    expect(v.status).toBe(0);
    expect(v.out).toContain('verdict:    no signer checked');
    const d = await mesh('dare', 'decode', p('plain.dare'), p('plain.out'), '--key', p('bob.json'));
    expect(d.status).toBe(0);
    expect(d.err).toContain('no signer checked');
  });

  it('reference-form envelopes (no MAC, unbound signatures) need --allow-unauthenticated', async () => {
    const bob = parseKeyFile(readFileSync(p('bob.json')));
    const alice = parseKeyFile(readFileSync(p('alice.json')));
    const env = encodeEnvelope('legacy', { recipients: [publicPart(bob.encrypt!)], signers: [alice.sign as DarePrivateKey], referenceForm: true });
    writeFileSync(p('ref.dare'), serializeEnvelope(env));
    const refused = await mesh('dare', 'decode', p('ref.dare'), p('ref.out'), '--key', p('bob.json'), '--signer', p('alice.pub.json'));
    expect(refused.status).toBe(2);
    expect(refused.err).toContain('DARE_UNAUTHENTICATED');
    expect((await mesh('dare', 'verify', p('ref.dare'), '--signer', p('alice.pub.json'))).status).toBe(1);
    const opted = await mesh('dare', 'decode', p('ref.dare'), p('ref.out'), '--key', p('bob.json'), '--signer', p('alice.pub.json'), '--allow-unauthenticated');
    expect(opted.status, opted.err).toBe(0);
    expect(opted.err).toContain('bound to no key exchange');
    expect(readFileSync(p('ref.out'), 'utf8')).toBe('legacy');
  });

  it('a wrong key: DARE_NO_KEY listing the recipients, no secret in the output', async () => {
    expect((await mesh('key', 'create', '--out', p('eve.json'))).status).toBe(0);
    const r = await mesh('dare', 'decode', p('msg.dare'), p('x.out'), '--key', p('eve.json'));
    expect(r.status).toBe(2);
    expect(r.err).toContain('DARE_NO_KEY');
    expect(r.err).toContain(parseKeyFile(readFileSync(p('bob.pub.json'))).encrypt!.kid);
    const eve = parseKeyFile(readFileSync(p('eve.json')));
    expect(r.err).not.toContain(eve.seed!);
    expect(r.err).not.toContain(Buffer.from((eve.encrypt as { privateKey: Uint8Array }).privateKey).toString('base64url'));
  });

  it('inconsistent key files and unknown fingerprints are refused', async () => {
    const k = JSON.parse(readFileSync(p('alice.pub.json'), 'utf8'));
    k.encrypt.kid = 'MAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA';
    writeFileSync(p('forged.json'), JSON.stringify(k));
    const r = await mesh('dare', 'encode', p('msg.txt'), p('y.dare'), '--encrypt', p('forged.json'));
    expect(r.status).toBe(2);
    expect(r.err).toContain('DARE_BAD_KEY');
    expect((await mesh('dare', 'encode', p('msg.txt'), p('y.dare'), '--encrypt', 'MAAA-BBBB-CCCC', '--keyring', dir)).status).toBe(2);
  });

  it('verify hands a sequence file (frame tag F0–F7) to the sequence verifier', async () => {
    writeFileSync(p('seq.dare'), Uint8Array.of(0xf0, 0x00));
    const r = await mesh('dare', 'verify', p('seq.dare'));
    expect(r.err).not.toContain('DARE_BAD_FORMAT');
  });
});
