import { describe, expect, it } from 'vitest';
import { archiveEntryOf, archiveMeta, checkArchiveNames, SequenceError, type ArchiveEntryInput } from '../sdk/dare/sequence/index.js';
import { writeJson } from '../sdk/encoding/json-writer.js';
import type { JsonObject } from '../sdk/encoding/json-value.js';
import { utf8Encode } from '../sdk/encoding/utf8.js';

/**
 * Archive entries (archive.ts): files, directories and symbolic links in ContentMetaData, read
 * back as written; hostile members are typed errors; names that would collide on extraction —
 * including a file or link standing where another entry needs a directory — are refused.
 */

const bytesOf = (meta: JsonObject): Uint8Array => utf8Encode(writeJson(meta));
const when = new Date('2021-03-04T05:06:07Z');

describe('archive entries', () => {
  it('files, directories and links round-trip with modes, times and link targets; Attributes speak the reference\'s language', () => {
    const inputs: ArchiveEntryInput[] = [
      { path: 'a/b.txt', mode: 0o640, modified: when, created: when },
      { path: 'a', kind: 'directory', mode: 0o750, modified: when },
      { path: 'a/link', kind: 'symlink', target: '../elsewhere' },
    ];
    for (const e of inputs) {
      const meta = archiveMeta(e);
      const back = archiveEntryOf(bytesOf(meta), 1)!;
      expect(back).toMatchObject({ path: e.path, kind: e.kind ?? 'file', ...(e.mode !== undefined ? { mode: e.mode } : {}) });
      if (e.modified) expect(back.modified!.getTime()).toBe(when.getTime());
      if (e.kind === 'symlink') expect(back.target).toBe('../elsewhere');
    }
    expect((archiveMeta(inputs[1]!)['FileEntry'] as JsonObject)['Attributes']).toBe(0x10);
    expect((archiveMeta(inputs[2]!)['FileEntry'] as JsonObject)['Attributes']).toBe(0x400);
    // A reference-style entry: no Type, the directory attribute; and a plain Paths entry.
    expect(archiveEntryOf(bytesOf({ FileEntry: { Path: 'd', Attributes: 0x11 } }))?.kind).toBe('directory');
    expect(archiveEntryOf(bytesOf({ Paths: ['p.txt'] }))).toMatchObject({ path: 'p.txt', kind: 'file' });
    expect(archiveEntryOf(bytesOf({ FileEntry: { Path: 'x', Type: 'Socket' } }))).toMatchObject({ kind: 'other', typeName: 'Socket' });
  });

  it('hostile members are typed errors (DARE_BAD_HEADER), never a TypeError; the writer refuses what it could not read back', () => {
    const hostile: JsonObject[] = [
      { FileEntry: { Path: 'x', Mode: 0o4755 } }, { FileEntry: { Path: 'x', Mode: -1 } }, { FileEntry: { Path: 'x', Mode: 1.5 } },
      { FileEntry: { Path: 'x', Mode: '755' } }, { FileEntry: { Path: 'x', Mode: { toString: 1 } as unknown as JsonObject } },
      { FileEntry: { Path: 'x', Type: { toString: 1 } as unknown as JsonObject } }, { FileEntry: { Path: 'x', Type: ['Directory'] } },
      { FileEntry: { Path: 'x', Type: 'SymbolicLink' } }, { FileEntry: { Path: 'x', Type: 'SymbolicLink', LinkTarget: '' } },
      { FileEntry: { Path: 'x', Type: 'SymbolicLink', LinkTarget: 'a\u0000b' } }, { FileEntry: { Path: 'x', Type: 'SymbolicLink', LinkTarget: 7 } },
    ];
    for (const h of hostile) {
      expect(() => archiveEntryOf(bytesOf(h), 3), JSON.stringify(h)).toThrow(expect.objectContaining({ code: 'DARE_BAD_HEADER' }));
    }
    expect(() => archiveMeta({ path: 'x', mode: 0o4755 })).toThrow(SequenceError);
    expect(() => archiveMeta({ path: 'x', kind: 'symlink' })).toThrow(SequenceError);
  });

  it('names that collide on extraction are refused, directories may hold entries', () => {
    const ok = [{ path: 'a', kind: 'directory' as const }, { path: 'a/b', kind: 'file' as const }, { path: 'a/c', kind: 'directory' as const }, { path: 'a/c/d', kind: 'symlink' as const }];
    expect(() => checkArchiveNames(ok)).not.toThrow();
    expect(() => checkArchiveNames([...ok].reverse())).not.toThrow();
    const bad: { path: string; kind: 'file' | 'directory' | 'symlink' }[][] = [
      [{ path: 'l', kind: 'symlink' }, { path: 'l/x', kind: 'file' }], // a file written through a link
      [{ path: 'l/x', kind: 'file' }, { path: 'l', kind: 'symlink' }], // the same, the other way round
      [{ path: 'f', kind: 'file' }, { path: 'f/x', kind: 'directory' }],
      [{ path: 'd', kind: 'directory' }, { path: 'D', kind: 'directory' }], // one directory on case-insensitive systems
      [{ path: 'd', kind: 'directory' }, { path: 'd', kind: 'file' }],
    ];
    for (const b of bad) expect(() => checkArchiveNames(b), JSON.stringify(b)).toThrow(expect.objectContaining({ code: 'DARE_BAD_PATH' }));
  });
});
