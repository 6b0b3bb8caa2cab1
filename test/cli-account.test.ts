import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../sdk/cli/main.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';

// End to end through the `mesh` CLI (features.md §B rows 11, 12, 16, 18–21; §D rows 35–42) with
// two homes, in-process; scrypt at the floor cost (2^10) so that passphrase homes stay fast.

interface Run {
  status: number;
  out: string;
  err: string;
}

async function mesh(env: Record<string, string | undefined>, ...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIo = {
    ...nodeIo, stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, kdfLogN: 10, promptSecret: async () => undefined,
  };
  const status = await main(args, io);
  return { status, out, err };
}

const root = mkdtempSync(resolve(tmpdir(), 'mesh-host-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const homeA = join(root, 'alice-1');
const homeB = join(root, 'alice-fresh');
const noEnv = {};

async function ok(env: Record<string, string | undefined>, ...args: string[]): Promise<string> {
  const r = await mesh(env, ...args);
  if (r.status !== 0) throw new Error(`mesh ${args.join(' ')} → ${r.status}: ${r.err}`);
  expect(r.err).toBe('');
  return r.out;
}
const json = async (env: Record<string, string | undefined>, ...args: string[]): Promise<any> => JSON.parse(await ok(env, ...args, '--json'));

function modes(dir: string): { path: string; mode: number; dir: boolean }[] {
  const out: { path: string; mode: number; dir: boolean }[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    out.push({ path: p, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

describe('mesh account + catalogs, end to end on two homes', () => {
  it('create, fill every catalog, escrow 3-of-5, purge, recover on a fresh home from 3 shares; 2 fail', async () => {
    const A = ['--home', homeA];
    const created = await ok(noEnv, 'account', 'create', 'alice@example.com', '--offline', ...A);
    expect(created).toMatch(/^Account=alice@example\.com\nUDF=M[A-Z2-7-]+\n$/);
    const udf = /UDF=(\S+)/.exec(created)![1]!;
    // The self contact exists after create.
    const contacts = (await json(noEnv, 'contact', 'list', ...A)).entries;
    expect(contacts).toEqual([expect.objectContaining({ self: true, key: udf, addresses: ['alice@example.com'] })]);

    // Fill every catalog.
    expect(await ok(noEnv, 'password', 'add', 'ftp.example.com', 'alice1', 'password', ...A)).toBe('alice1@ftp.example.com added\n');
    expect(await ok(noEnv, 'password', 'add', 'ftp.example.com', 'alice1', 'password2', ...A)).toBe('alice1@ftp.example.com updated\n');
    await ok(noEnv, 'password', 'add', 'www.example.com', 'alice@example.com', 'newpassword', ...A);
    await ok(noEnv, 'password', 'add', 'gone.example.com', 'x', 'y', ...A);
    await ok(noEnv, 'password', 'delete', 'gone.example.com', ...A);
    await ok(noEnv, 'bookmark', 'add', 'https://www.example.com/', 'Example', ...A);
    await ok(noEnv, 'calendar', 'add', 'Dentist', '--start', '2030-01-02T10:00:00Z', ...A);
    await ok(noEnv, 'network', 'add', 'myWiFi', 'securePassword', ...A);
    await ok(noEnv, 'contact', 'add', 'bob@example.com', 'Bob Example', ...A);
    await ok(noEnv, 'mail', 'add', 'alice@example.net', '--inbound', 'imap://imap.example.net', '--outbound', 'submit://smtp.example.net', ...A);
    const sshOut = await ok(noEnv, 'ssh', 'create', '--id', 'ssh', ...A);
    expect(sshOut).toMatch(/^UDF: M/);
    const sshPublic = await ok(noEnv, 'ssh', 'get', 'ssh', ...A);

    // list never shows passwords; get does (its purpose).
    const list = await ok(noEnv, 'password', 'list', ...A);
    expect(list).toBe('alice1@ftp.example.com\nalice@example.com@www.example.com\n');
    expect((await json(noEnv, 'password', 'list', ...A)).entries).toEqual([
      { site: 'ftp.example.com', username: 'alice1' }, { site: 'www.example.com', username: 'alice@example.com' },
    ]);
    expect(await ok(noEnv, 'password', 'get', 'ftp.example.com', ...A)).toBe('alice1@ftp.example.com = [password2]\n');

    // Escrow 3-of-5 and purge.
    const escrow = await json(noEnv, 'account', 'escrow', '--shares', '5', '--quorum', '3', ...A);
    expect(escrow.shares).toHaveLength(5);
    await ok(noEnv, 'account', 'purge', ...A);
    const afterPurge = await mesh(noEnv, 'account', 'escrow', ...A);
    expect(afterPurge.status).toBe(2);
    expect(afterPurge.err).toMatch(/^mesh: MESH_NO_SEED: [^\n]+\n$/);
    // Normal catalog use continues.
    await ok(noEnv, 'password', 'add', 'late.example.com', 'alice', 'after-purge', ...A);
    expect((await json(noEnv, 'account', 'info', ...A)).seed).toBe(false);

    // Recover on a fresh home from copies of the store files.
    const backup = join(root, 'backup');
    cpSync(join(homeA, 'accounts', udf, 'stores'), backup, { recursive: true });
    const B = ['--home', homeB];
    const two = await mesh(noEnv, 'account', 'recover', escrow.shares[0], escrow.shares[3], '--from', backup, ...B);
    expect(two.status).toBe(2);
    expect(two.err).toMatch(/^mesh: MESH_QUORUM: [^\n]+\n$/);
    for (const s of escrow.shares) expect(two.err).not.toContain(s);
    const recovered = await ok(noEnv, 'account', 'recover', escrow.shares[1], escrow.shares[2], escrow.shares[4], '--from', backup, ...B);
    expect(recovered).toBe(`Account=alice@example.com\nUDF=${udf}\n`);
    const info = await json(noEnv, 'account', 'info', ...B);
    expect(info).toMatchObject({ udf, administrator: true, seed: true, roles: ['super', 'admin', 'web'] });

    // Every entry reads back on the fresh home.
    expect(await ok(noEnv, 'password', 'get', 'ftp.example.com', ...B)).toBe('alice1@ftp.example.com = [password2]\n');
    expect(await ok(noEnv, 'password', 'get', 'late.example.com', ...B)).toBe('alice@late.example.com = [after-purge]\n');
    expect((await mesh(noEnv, 'password', 'get', 'gone.example.com', ...B)).err).toMatch(/MESH_NOT_FOUND/);
    expect((await json(noEnv, 'bookmark', 'list', ...B)).entries).toEqual([expect.objectContaining({ uri: 'https://www.example.com/', title: 'Example' })]);
    expect((await json(noEnv, 'calendar', 'list', ...B)).entries).toEqual([expect.objectContaining({ title: 'Dentist' })]);
    expect(await json(noEnv, 'network', 'get', 'myWiFi', ...B)).toMatchObject({ ssid: 'myWiFi', password: 'securePassword' });
    expect((await json(noEnv, 'contact', 'get', 'bob@example.com', ...B)).name).toBe('Bob Example');
    expect((await json(noEnv, 'contact', 'list', ...B)).entries.filter((c: { self: boolean }) => c.self)).toHaveLength(1);
    expect(await json(noEnv, 'mail', 'get', 'alice@example.net', ...B)).toEqual({
      address: 'alice@example.net', inbound: 'imap://imap.example.net', outbound: 'submit://smtp.example.net',
    });
    expect(await ok(noEnv, 'ssh', 'get', 'ssh', ...B)).toBe(sshPublic);
    // The recovered device holds the seed again: escrow works there.
    expect((await json(noEnv, 'account', 'escrow', ...B)).shares).toHaveLength(3);
    // A share of another account is refused.
    const other = join(root, 'bob');
    await ok(noEnv, 'account', 'create', 'bob@example.com', '--offline', '--home', other);
    const bobShares = (await json(noEnv, 'account', 'escrow', '--shares', '5', '--quorum', '3', '--home', other)).shares as string[];
    const mixed = await mesh(noEnv, 'account', 'recover', escrow.shares[0], escrow.shares[1], escrow.shares[2], bobShares[3]!, '--home', join(root, 'mixed'));
    expect(mixed.err).toMatch(/^mesh: MESH_WRONG_ACCOUNT: /);
    const wrong = await mesh(noEnv, 'account', 'recover', ...bobShares.slice(0, 3), '--from', backup, '--home', join(root, 'wrong'));
    expect(wrong.err).toMatch(/^mesh: MESH_WRONG_ACCOUNT: /);

    // Owner-only files and folders in both homes.
    for (const h of [homeA, homeB]) {
      for (const m of modes(h)) {
        if (m.path.includes('.lock')) continue;
        expect({ path: m.path, mode: m.mode.toString(8) }).toEqual({ path: m.path, mode: m.dir ? '700' : '600' });
      }
    }
  });

  it('ssh keys: the public key and both private forms are what OpenSSH reads', async () => {
    const H = ['--home', join(root, 'ssh')];
    await ok(noEnv, 'account', 'create', 'carol@example.com', '--offline', ...H);
    await ok(noEnv, 'ssh', 'create', ...H);
    const pub = await ok(noEnv, 'ssh', 'get', 'ssh', ...H);
    expect(pub).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/=]+ ssh@carol@example\.com\n$/);
    const priv = join(root, 'id_ed25519');
    await ok(noEnv, 'ssh', 'get', 'ssh', '--private', '--file', priv, ...H);
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    let derived: string;
    try {
      derived = execFileSync('ssh-keygen', ['-y', '-f', priv], { encoding: 'utf8' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no OpenSSH on this machine
      throw e;
    }
    expect(derived.split(' ').slice(0, 2).join(' ')).toBe(pub.split(' ').slice(0, 2).join(' '));
    const pk8 = join(root, 'id_pkcs8.pem');
    await ok(noEnv, 'ssh', 'get', 'ssh', '--private', '--format', 'pkcs8', '--file', pk8, ...H);
    const fromPk8 = execFileSync('openssl', ['pkey', '-in', pk8, '-pubout', '-outform', 'DER'], { encoding: 'buffer' });
    expect(Buffer.from(fromPk8).subarray(-32).toString('base64')).toBe(Buffer.from(pub.split(' ')[1]!, 'base64').subarray(-32).toString('base64'));
    expect((await mesh(noEnv, 'ssh', 'get', 'ssh', '--private', '--file', priv, ...H)).err).toMatch(/exists/);
  });

  it('a passphrase home: secrets unreadable without it, wrong passphrase a typed error, never echoed', async () => {
    const H = ['--home', join(root, 'sealed')];
    const pass = { MESH_PASSPHRASE: 'tr0ub4dor&3' };
    const created = await ok(pass, 'account', 'create', 'dave@example.com', '--offline', ...H);
    const udf = /UDF=(\S+)/.exec(created)![1]!;
    await ok(pass, 'password', 'add', 'bank.example', 'dave', 'hunter2', ...H);
    const escrow = await json(pass, 'account', 'escrow', ...H);
    // Listing needs no secret; anything touching the account does.
    expect((await json(noEnv, 'account', 'list', ...H)).accounts[0].udf).toBe(udf);
    const none = await mesh(noEnv, 'password', 'get', 'bank.example', ...H);
    expect(none.status).toBe(2);
    expect(none.err).toMatch(/^mesh: MESH_PASSPHRASE_REQUIRED: [^\n]*MESH_PASSPHRASE[^\n]*\n$/);
    const wrong = await mesh({ MESH_PASSPHRASE: 'guess' }, 'password', 'get', 'bank.example', ...H);
    expect(wrong.err).toBe('mesh: MESH_BAD_PASSPHRASE: wrong passphrase\n');
    expect(wrong.err).not.toContain('guess');
    // No file of the home holds the password, the seed shares' secret or the passphrase in clear.
    const { readFileSync } = await import('node:fs');
    for (const m of modes(join(root, 'sealed'))) {
      if (m.dir) continue;
      const text = readFileSync(m.path).toString('latin1');
      for (const s of ['hunter2', 'tr0ub4dor', '"accountSeed"', '"deviceSeed"']) expect(text).not.toContain(s);
    }
    void escrow;
  });

  it('export / import between homes: encrypted to a passphrase, refused without it, never plaintext', async () => {
    const H = ['--home', join(root, 'exporter')];
    await ok(noEnv, 'account', 'create', 'erin@example.com', '--offline', ...H);
    await ok(noEnv, 'password', 'add', 'site.example', 'erin', 'pa55-export-secret-value', ...H);
    const file = join(root, 'erin.export');
    const none = await mesh(noEnv, 'account', 'export', file, ...H);
    expect(none.err).toMatch(/MESH_EXPORT_PASSPHRASE/);
    const pass = { MESH_EXPORT_PASSPHRASE: 'move it' };
    await ok(pass, 'account', 'export', file, ...H);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(file, 'latin1');
    expect(text).not.toContain('pa55-export-secret-value');
    expect(text).not.toContain('erin@example.com');
    expect((await mesh(pass, 'account', 'export', file, ...H)).err).toMatch(/exists/);
    const I = ['--home', join(root, 'importer')];
    expect((await mesh({ MESH_EXPORT_PASSPHRASE: 'nope' }, 'account', 'import', file, ...I)).err).toMatch(/^mesh: MESH_BAD_PASSPHRASE: /);
    const imported = await ok(pass, 'account', 'import', file, ...I);
    expect(imported).toMatch(/^Account=erin@example\.com\n/);
    expect(await ok(noEnv, 'password', 'get', 'site.example', ...I)).toBe('erin@site.example = [pa55-export-secret-value]\n');
    writeFileSync(join(root, 'garbage'), 'not an export');
    expect((await mesh(pass, 'account', 'import', join(root, 'garbage'), '--home', join(root, 'importer2'))).err).toMatch(/^mesh: MESH_BAD_ARGUMENT: /);
  });

  it('errors are one line with a code; secrets of arguments are not echoed', async () => {
    const H = ['--home', join(root, 'errors')];
    const r = await mesh(noEnv, 'password', 'list', ...H);
    expect(r).toMatchObject({ status: 2 });
    expect(r.err).toMatch(/^mesh: MESH_NO_ACCOUNT: [^\n]+\n$/);
    const bad = await mesh(noEnv, 'account', 'recover', 'SAQC-NOT-A-SHARE', ...H);
    expect(bad.err.split('\n')).toHaveLength(2);
    expect(bad.err).toMatch(/^mesh: MESH_/);
  });
});

describe('mesh CLI: passphrase protection is decided when the home is made', () => {
  it('warns when MESH_PASSPHRASE is set for a home without passphrase', async () => {
    const H = ['--home', join(root, 'plain')];
    await ok(noEnv, 'account', 'create', 'frank@example.com', '--offline', ...H);
    const r = await mesh({ MESH_PASSPHRASE: 'late' }, 'account', 'list', ...H);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/^mesh: warning: the home .* is not protected by a passphrase; MESH_PASSPHRASE is ignored\n$/);
  });
});

describe('mesh CLI: seeds never reach output', () => {
  it('create, list, info, contact list, ssh list and errors print no seed', async () => {
    const dir = join(root, 'no-secrets');
    const H = ['--home', dir];
    const outs: string[] = [];
    outs.push(await ok(noEnv, 'account', 'create', 'gina@example.com', '--offline', ...H, '--json'));
    const { readFileSync } = await import('node:fs');
    const udf = JSON.parse(outs[0]!).udf as string;
    const secrets = JSON.parse(readFileSync(join(dir, 'accounts', udf, 'secrets.json'), 'utf8')).plain as Record<string, string>;
    await ok(noEnv, 'ssh', 'create', ...H);
    for (const args of [['account', 'list'], ['account', 'info'], ['contact', 'list'], ['ssh', 'list'], ['ssh', 'get', 'ssh']]) {
      outs.push(await ok(noEnv, ...args, ...H), await ok(noEnv, ...args, ...H, '--json'));
    }
    outs.push((await mesh(noEnv, 'account', 'recover', secrets['accountSeed']!, ...H)).err);
    outs.push((await mesh(noEnv, 'account', 'create', 'gina@example.com', '--offline', ...H)).err);
    for (const o of outs) for (const s of Object.values(secrets)) expect(o).not.toContain(s);
  });
});
