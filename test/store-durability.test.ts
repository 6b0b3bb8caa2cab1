import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { NodeFileStore } from '../adapters/store/node-fs.js';

/**
 * `fsync` durability also syncs the directory after creating a file: a new sequence whose frames
 * were fsynced must not vanish because its directory entry was still only in memory. node:fs is
 * wrapped to record which descriptors are fsynced and whether each is a directory.
 */

const synced = vi.hoisted(() => [] as { dir: boolean; path: string }[]);
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    fsyncSync: (fd: number) => {
      let path = '';
      try {
        path = real.readlinkSync(`/proc/self/fd/${fd}`);
      } catch { /* not Linux: the path is only informative */ }
      synced.push({ dir: real.fstatSync(fd).isDirectory(), path });
      real.fsyncSync(fd);
    },
  };
});

describe.skipIf(process.platform === 'win32')('node fs durability', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'mathmesh-dur-'));

  it("creating a file with 'fsync' (and 'group') durability syncs its directory before the first append", async () => {
    for (const durability of ['fsync', 'group'] as const) {
      synced.length = 0;
      const path = join(dir, `new-${durability}.dare`);
      const s = await NodeFileStore.openWrite(path, { durability });
      expect(synced.filter((x) => x.dir).length, durability).toBe(1);
      if (synced[0]!.path) expect(synced[0]!.path).toBe(dir);
      await s.append(new Uint8Array([1, 2, 3]));
      await s.close();
      expect(synced.some((x) => !x.dir), 'the file itself is synced too').toBe(true);
    }
  });

  it("an existing file is not re-announced; 'none' never syncs", async () => {
    const path = join(dir, 'existing.dare');
    fs.writeFileSync(path, '');
    synced.length = 0;
    const s = await NodeFileStore.openWrite(path);
    expect(synced.filter((x) => x.dir)).toEqual([]);
    await s.close();
    synced.length = 0;
    const n = await NodeFileStore.openWrite(join(dir, 'none.dare'), { durability: 'none' });
    await n.append(new Uint8Array([1]));
    await n.close();
    expect(synced).toEqual([]);
  });
});
