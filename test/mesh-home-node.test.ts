import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultHomePath, NodeHome } from '../adapters/home/node.js';
import { MemoryHome } from '../adapters/home/memory.js';
import { MeshError, type HomeStorage } from '../sdk/mesh/index.js';

// The home-storage contract (sdk/mesh/host/storage.ts) on the Node and memory adapters.

const root = mkdtempSync(resolve(tmpdir(), 'mesh-home-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

async function contract(home: HomeStorage): Promise<void> {
  expect(await home.readRecord('a/b.json')).toBeUndefined();
  await home.writeRecord('a/b.json', bytes('one'));
  await home.writeRecord('a/b.json', bytes('two'));
  expect(text(await home.readRecord('a/b.json'))).toBe('two');
  expect(await home.createRecord('a/c.json', bytes('first'))).toBe(true);
  expect(await home.createRecord('a/c.json', bytes('second'))).toBe(false);
  expect(text(await home.readRecord('a/c.json'))).toBe('first');
  const seq = await home.openSequence('a/s/x.dare', { write: true });
  await seq.append(bytes('frame'));
  await seq.close();
  expect(await home.list('a')).toEqual(['b.json', 'c.json', 's']);
  const r = await home.openSequence('a/s/x.dare');
  expect(text(await r.read(0, r.size))).toBe('frame');
  await r.close();
  expect((await home.openSequence('a/s/none.dare')).size).toBe(0);
  await home.deleteRecord('a/b.json');
  await home.deleteRecord('a/b.json');
  await home.deleteSequence('a/s/x.dare');
  expect(await home.readRecord('a/b.json')).toBeUndefined();
  expect((await home.openSequence('a/s/x.dare')).size).toBe(0);
  for (const bad of ['../x', 'a/../../x', '.hidden', 'a//b', '', 'a/b.tmp/..', 'x y']) {
    await expect(home.writeRecord(bad, bytes('x'))).rejects.toMatchObject({ code: 'MESH_BAD_ARGUMENT' });
  }
}

describe('home storage contract', () => {
  it('memory adapter', async () => contract(new MemoryHome()));
  it('node adapter', async () => contract(NodeHome.open(join(root, 'contract'))));
});

describe('NodeHome: owner-only, atomic, where it says', () => {
  it('creates folders 0700 and files 0600 whatever the umask; narrows an open home folder', async () => {
    const old = process.umask(0o000);
    try {
      const dir = join(root, 'modes');
      mkdirSync(dir, { mode: 0o755 });
      chmodSync(dir, 0o755);
      const home = NodeHome.open(dir);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      await home.writeRecord('x/y/z.json', bytes('{}'));
      const s = await home.openSequence('x/stores/s.dare', { write: true });
      await s.append(bytes('x'));
      await s.close();
      for (const p of ['x', 'x/y', 'x/stores']) expect(statSync(join(dir, p)).mode & 0o777).toBe(0o700);
      for (const p of ['x/y/z.json', 'x/stores/s.dare']) expect(statSync(join(dir, p)).mode & 0o777).toBe(0o600);
      // A replaced record leaves no temporary file behind.
      await home.writeRecord('x/y/z.json', bytes('{"a":1}'));
      expect(readdirSync(join(dir, 'x/y'))).toEqual(['z.json']);
    } finally {
      process.umask(old);
    }
  });

  it('refuses a home that is a file or a symbolic link', () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => NodeHome.open(file)).toThrow(MeshError);
    const target = join(root, 'target');
    mkdirSync(target);
    const link = join(root, 'link');
    symlinkSync(target, link);
    expect(() => NodeHome.open(link)).toThrow(/not a folder/);
  });

  it('home path: --home, else MESH_HOME, else ~/.mathmesh', () => {
    expect(defaultHomePath({ home: '/h', env: { MESH_HOME: '/e' } })).toBe('/h');
    expect(defaultHomePath({ env: { MESH_HOME: '/e' } })).toBe('/e');
    expect(defaultHomePath({ env: {} })).toMatch(/\.mathmesh$/);
  });
});
