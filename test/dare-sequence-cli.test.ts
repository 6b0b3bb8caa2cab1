import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../sdk/cli/main.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { createKeyFile, publicKeyFile, saveKeyFile } from '../sdk/cli/keyfile.js';
import { NodeFileStore } from '../adapters/store/node-fs.js';
import { ed448HeadSigner, SequenceWriter } from '../sdk/dare/sequence/index.js';
import { safeArchivePath } from '../sdk/dare/sequence/archive.js';
import { loadKeyFile, privateKeyOf } from '../sdk/cli/keyfile.js';

/** The `mesh dare` sequence commands, run in-process: verdicts, exit codes, and the attacks on them. */

async function mesh(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    ...nodeIo, stdout: (t) => void (out += t), stderr: (t) => void (err += t), writeStdout: async (b) => void (out += Buffer.from(b).toString('utf8')),
  };
  const status = await main(args, io);
  return { status, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'mesh-seq-'));
const at = (name: string): string => join(dir, name);

beforeAll(async () => {
  for (const who of ['alice', 'bob', 'mallory']) {
    const k = createKeyFile();
    await saveKeyFile(at(`${who}.key`), k);
    await saveKeyFile(at(`${who}.pub`), publicKeyFile(k), { public: true });
  }
  writeFileSync(at('a.txt'), 'first record');
  writeFileSync(at('b.txt'), 'second record');
});

describe('mesh dare verify: verdicts need a trust anchor', () => {
  it('exit 0 only with --signer of the real signer (or --integrity-only, which says authenticity was not checked)', async () => {
    const file = at('signed.dare');
    expect((await mesh('dare', 'create', file, '--sign', at('alice.key'))).status).toBe(0);
    expect((await mesh('dare', 'append', file, at('a.txt'), at('b.txt'), '--key', at('alice.key'))).status).toBe(0);
    const none = await mesh('dare', 'verify', file, '--json');
    expect(none.status).toBe(1);
    expect(JSON.parse(none.out)).toMatchObject({ intact: true, trusted: false, valid: false, authenticityChecked: false, ok: false });
    const text = await mesh('dare', 'verify', file);
    expect(text.out).toMatch(/authenticity: NOT CHECKED/);
    const integrity = await mesh('dare', 'verify', file, '--integrity-only');
    expect(integrity.status).toBe(0);
    expect(integrity.out).toMatch(/INTACT \(authenticity not checked\)/);
    const alice = await mesh('dare', 'verify', file, '--signer', at('alice.pub'), '--json');
    expect(alice.status).toBe(0);
    expect(JSON.parse(alice.out)).toMatchObject({ valid: true, trusted: true, signedThrough: 3, unsignedTail: 0, verdict: 'valid' });
    const bob = await mesh('dare', 'verify', file, '--signer', at('bob.pub'), '--json');
    expect(bob.status).toBe(1);
    expect(JSON.parse(bob.out)).toMatchObject({ intact: true, trusted: false, valid: false, verdict: 'not-trusted' });
  });

  it('attack: the whole file rewritten by mallory under his own key never verifies against alice', async () => {
    const file = at('rewritten.dare');
    // Mallory writes the same records, signs with his key, and names alice's key in the policy.
    await mesh('dare', 'create', file, '--sign', at('mallory.key'));
    await mesh('dare', 'append', file, at('a.txt'), at('b.txt'), '--key', at('mallory.key'));
    const v = await mesh('dare', 'verify', file, '--signer', at('alice.pub'), '--json');
    expect(v.status).toBe(1);
    expect(JSON.parse(v.out)).toMatchObject({ intact: true, trusted: false, valid: false });
    expect((await mesh('dare', 'verify', file, '--signer', at('mallory.pub'))).status).toBe(0); // it is mallory's file
  });

  it('an unsigned tail fails unless --allow-unsigned-tail; an unsigned List says authenticated: false', async () => {
    const file = at('tail.dare');
    await mesh('dare', 'create', file, '--sign', at('alice.key'));
    await mesh('dare', 'append', file, at('a.txt'), '--key', at('alice.key'));
    // A writer that dies before close: its frame is on disk, its signed head never written.
    const signer = ed448HeadSigner(privateKeyOf(await loadKeyFile(at('alice.key')), 'sign', 'alice').privateKey);
    const w = await SequenceWriter.open(await NodeFileStore.openWrite(file), { signer });
    await w.append(new TextEncoder().encode('late record')).durable;
    await w.store.close();
    const v = await mesh('dare', 'verify', file, '--signer', at('alice.pub'), '--json');
    expect(v.status).toBe(1);
    expect(JSON.parse(v.out)).toMatchObject({ intact: true, trusted: true, signedThrough: 2, unsignedTail: 1, valid: false, verdict: 'unsigned-tail' });
    expect((await mesh('dare', 'verify', file, '--signer', at('alice.pub'), '--allow-unsigned-tail')).status).toBe(0);

    const list = at('list.dare');
    await mesh('dare', 'create', list, '--type', 'list');
    await mesh('dare', 'append', list, at('a.txt'));
    const l = await mesh('dare', 'verify', list, '--signer', at('alice.pub'), '--json');
    expect(l.status).toBe(1);
    expect(JSON.parse(l.out)).toMatchObject({ authenticated: false, intact: true, trusted: false, valid: false });
    expect((await mesh('dare', 'verify', list)).out).toMatch(/authenticated: false/);
    expect((await mesh('dare', 'create', at('list2.dare'), '--type', 'list', '--sign', at('alice.key'))).err).toMatch(/DARE_BAD_ARGUMENT/);
  });

  it('a damaged payload byte: exit 1 whatever the options', async () => {
    const file = at('damaged.dare');
    await mesh('dare', 'create', file, '--sign', at('alice.key'));
    await mesh('dare', 'append', file, at('a.txt'), at('b.txt'), '--key', at('alice.key'));
    const bytes = readFileSync(file);
    bytes[bytes.indexOf(Buffer.from('second record'))] ^= 0x01;
    writeFileSync(file, bytes);
    for (const extra of [['--integrity-only'], ['--signer', at('alice.pub')], ['--signer', at('alice.pub'), '--allow-unsigned-tail']]) {
      const v = await mesh('dare', 'verify', file, '--json', ...extra);
      expect(v.status, extra.join(' ')).toBe(1);
      expect(JSON.parse(v.out)).toMatchObject({ intact: false, valid: false });
    }
  });
});

describe('mesh dare: encrypted logs, policy kept, proofs', () => {
  it('log works on a sequence made with --encrypt alice.pub (no private key); alice reads every frame; list shows nothing without a key', async () => {
    const file = at('log.dare');
    expect((await mesh('dare', 'create', file, '--encrypt', at('alice.pub'))).status).toBe(0);
    // Two sessions of `mesh dare log` with nothing but the public key in frame 0.
    for (const lines of [['one', 'two'], ['three']]) {
      const input = at(`lines-${lines[0]}.txt`);
      writeFileSync(input, lines.join('\n'));
      const r = await runWithStdin(input, 'dare', 'log', file, '--json');
      expect(r.status, r.err).toBe(0);
    }
    for (const [i, want] of [[1, 'one'], [2, 'two'], [3, 'three']] as const) {
      const x = await mesh('dare', 'extract', file, '--index', String(i), '--key', at('alice.key'), '--integrity-only');
      expect(x.status, x.err).toBe(0);
      expect(x.out).toBe(want);
    }
    const hidden = JSON.parse((await mesh('dare', 'list', file, '--json')).out);
    expect(hidden.entries.every((e: Record<string, unknown>) => e['size'] === undefined && e['path'] === undefined)).toBe(true);
    const shown = JSON.parse((await mesh('dare', 'list', file, '--key', at('alice.key'), '--json')).out);
    expect(shown.entries.map((e: { size: number }) => e.size)).toEqual([3, 3, 5]);
    expect((await mesh('dare', 'verify', file, '--key', at('alice.key'), '--integrity-only')).status).toBe(0);
  });

  it('policy kept: a signed sequence signs on later appends without --sign; refuses a missing or unnamed signer', async () => {
    const file = at('policy.dare');
    await mesh('dare', 'create', file, '--encrypt', at('alice.pub'), '--sign', at('alice.key'));
    const missing = await mesh('dare', 'append', file, at('a.txt'));
    expect(missing.status).toBe(2);
    expect(missing.err).toMatch(/policy\.dare: DARE_NO_KEY: its policy signs its heads with M.*give that key file with --key/);
    const unnamed = await mesh('dare', 'append', file, at('a.txt'), '--sign', at('bob.key'));
    expect(unnamed.status).toBe(2);
    expect(unnamed.err).toMatch(/DARE_POLICY/);
    expect((await mesh('dare', 'append', file, at('a.txt'), '--key', at('alice.key'))).status).toBe(0);
    const v = await mesh('dare', 'verify', file, '--signer', at('alice.pub'), '--key', at('alice.key'), '--json');
    expect(JSON.parse(v.out)).toMatchObject({ valid: true, unsignedTail: 0, encrypted: true });
  });

  it('prove carries the signed head; check-proof is a light client needing the record and a trusted signer', async () => {
    const file = at('proved.dare');
    await mesh('dare', 'create', file, '--encrypt', at('alice.pub'), '--sign', at('alice.key'));
    await mesh('dare', 'append', file, at('a.txt'), at('b.txt'), '--key', at('alice.key'));
    const noKey = await mesh('dare', 'prove', file, '--index', '2');
    expect(noKey.err).toMatch(/DARE_NO_KEY/);
    const p = await mesh('dare', 'prove', file, '--index', '2', '--key', at('alice.key'));
    expect(p.status, p.err).toBe(0);
    const proof = JSON.parse(p.out);
    expect(proof.signedHead).toMatchObject({ typ: 'Tree', treeSize: 4 });
    writeFileSync(at('proof.json'), p.out);
    const ok = await mesh('dare', 'check-proof', at('proof.json'), '--record', at('b.txt'), '--signer', at('alice.pub'));
    expect(ok.status).toBe(0);
    expect(ok.out).toMatch(/^VALID: the record is frame 2 of a sequence of 4 frames/);
    expect((await mesh('dare', 'check-proof', at('proof.json'), '--record', at('a.txt'), '--signer', at('alice.pub'))).status).toBe(1);
    expect((await mesh('dare', 'check-proof', at('proof.json'), '--record', at('b.txt'), '--signer', at('bob.pub'))).status).toBe(1);
    writeFileSync(at('relabelled.json'), JSON.stringify({ ...proof, index: 1 }));
    expect((await mesh('dare', 'check-proof', at('relabelled.json'), '--record', at('b.txt'), '--signer', at('alice.pub'))).status).toBe(1);
    writeFileSync(at('resized.json'), JSON.stringify({ ...proof, treeSize: 3, signedHead: { ...proof.signedHead, treeSize: 3 } }));
    expect((await mesh('dare', 'check-proof', at('resized.json'), '--record', at('b.txt'), '--signer', at('alice.pub'))).status).toBe(1);
  });
});

describe('mesh dare archive / unarchive', () => {
  const src = at('src');
  beforeAll(() => {
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'one.txt'), 'one');
    writeFileSync(join(src, 'sub', 'two-secret-name.bin'), new Uint8Array([0, 1, 2, 255]));
  });

  it('round trip: verified first, then extracted; an encrypted archive hides names, paths and sizes', async () => {
    const arc = at('arc.dare');
    expect((await mesh('dare', 'archive', src, arc, '--encrypt', at('alice.pub'), '--sign', at('alice.key'), '--json')).status).toBe(0);
    expect(readFileSync(arc).includes(Buffer.from('two-secret-name'))).toBe(false);
    const list = await mesh('dare', 'list', arc);
    expect(list.out).not.toMatch(/one\.txt|two-secret|sub/);
    expect(list.out).not.toMatch(/\t4\b/); // no sizes either
    expect((await mesh('dare', 'list', arc, '--key', at('alice.key'))).out).toMatch(/sub\/two-secret-name\.bin/);
    const dest = at('dest');
    const un = await mesh('dare', 'unarchive', arc, dest, '--key', at('alice.key'), '--signer', at('alice.pub'), '--json');
    expect(un.status, un.err).toBe(0);
    expect(readFileSync(join(dest, 'one.txt'), 'utf8')).toBe('one');
    expect(readFileSync(join(dest, 'sub', 'two-secret-name.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    // Without a trust decision the archive is refused; with the wrong signer too.
    const anyone = await mesh('dare', 'unarchive', arc, at('dest-anyone'), '--key', at('alice.key'));
    expect(anyone.status).toBe(2);
    expect(anyone.err).toMatch(/DARE_NOT_TRUSTED.*--integrity-only/);
    const bob = await mesh('dare', 'unarchive', arc, at('dest-bob'), '--key', at('alice.key'), '--signer', at('bob.pub'));
    expect(bob.err).toMatch(/DARE_NOT_TRUSTED/);
    expect(existsSync(at('dest-anyone')) || existsSync(at('dest-bob'))).toBe(false);
    for (const p of ['../x', '/etc/passwd', 'a/../../b', 'C:/x', 'a\\b', '', 'a//b', 'a\nb']) {
      expect(() => safeArchivePath(p)).toThrow(expect.objectContaining({ code: 'DARE_BAD_PATH' }));
    }
  });

  it('attack: a damaged archive writes nothing (extract and unarchive verify first)', async () => {
    const arc = at('arc-damaged.dare');
    await mesh('dare', 'archive', src, arc, '--sign', at('alice.key'));
    const bytes = readFileSync(arc);
    bytes[bytes.indexOf(Buffer.from([0, 1, 2, 255]))] ^= 0x40; // the last file's content
    writeFileSync(arc, bytes);
    const un = await mesh('dare', 'unarchive', arc, at('dest-damaged'), '--signer', at('alice.pub'));
    expect(un.status).toBe(2);
    expect(un.err).toMatch(/DARE_BAD_DIGEST/);
    expect(existsSync(at('dest-damaged'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('unarchive-'))).toEqual([]);
    const x = await mesh('dare', 'extract', arc, at('one-out.txt'), '--index', '1', '--signer', at('alice.pub'));
    expect(x.status).toBe(2);
    expect(existsSync(at('one-out.txt'))).toBe(false);
  });

  it('attack: a symlink inside the target is never followed; colliding names are refused; nothing is left behind', async () => {
    const arc = at('arc-plain.dare');
    await mesh('dare', 'archive', src, arc, '--sign', at('alice.key'));
    const outside = at('outside');
    mkdirSync(outside);
    const target = at('target-with-link');
    mkdirSync(target);
    symlinkSync(outside, join(target, 'sub'));
    const un = await mesh('dare', 'unarchive', arc, target, '--signer', at('alice.pub'));
    expect(un.status).toBe(2);
    expect(un.err).toMatch(/target-with-link: exists and is not empty \(unarchive into a new or empty directory\)/);
    expect(readdirSync(outside)).toEqual([]);
    const linkTarget = at('target-is-link');
    symlinkSync(outside, linkTarget);
    expect((await mesh('dare', 'unarchive', arc, linkTarget, '--signer', at('alice.pub'))).err).toMatch(/target-is-link: is a symbolic link/);
    expect(lstatSync(linkTarget).isSymbolicLink()).toBe(true);
    expect(readdirSync(outside)).toEqual([]);

    // An archive whose names collide once case-folded (one file on macOS/Windows), and one where a
    // file is also a directory: both refused before anything is written.
    for (const [name, paths] of [['case', ['Read.me', 'READ.ME']], ['dirfile', ['a', 'a/b']], ['twice', ['x/y', 'x/y']]] as const) {
      const file = at(`collide-${name}.dare`);
      const signer = ed448HeadSigner(privateKeyOf(await loadKeyFile(at('alice.key')), 'sign', 'alice').privateKey);
      const w = await SequenceWriter.create(await NodeFileStore.openWrite(file), { signer });
      for (const p of paths) w.append(new TextEncoder().encode(p), { contentMeta: { FileEntry: { Path: p } } });
      await w.close();
      const dest = at(`dest-collide-${name}`);
      const r = await mesh('dare', 'unarchive', file, dest, '--signer', at('alice.pub'));
      expect(r.status, name).toBe(2);
      expect(r.err).toMatch(/DARE_BAD_PATH: .*(collide|directory)/);
      expect(existsSync(dest)).toBe(false);
    }
    expect(readdirSync(dir).filter((n) => n.includes('unarchive-'))).toEqual([]);
  });
});

describe('--backend', () => {
  it('pure and wasm give the same head', async () => {
    const heads = [];
    for (const backend of ['pure', 'wasm']) {
      const file = at(`b-${backend}.dare`);
      await mesh('--backend', backend, 'dare', 'create', file);
      await mesh('--backend', backend, 'dare', 'append', file, at('a.txt'));
      heads.push(JSON.parse((await mesh('--backend', backend, 'dare', 'verify', file, '--json')).out).head);
    }
    expect(heads[0]).toBe(heads[1]);
    expect((await mesh('--backend', 'bogus', 'dare', 'list', at('b-pure.dare'))).status).toBe(2);
  });
});

/** Runs `mesh` with a file as standard input (the `log` command reads stdin). */
async function runWithStdin(input: string, ...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const stdin = vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([readFileSync(input)]) as unknown as typeof process.stdin);
  try {
    return await mesh(...args);
  } finally {
    stdin.mockRestore();
  }
}
