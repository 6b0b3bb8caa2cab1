import { lstat, opendir, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SequenceError, safeArchivePath, type ArchiveEntryInput } from '../dare/sequence/index.js';
import { errnoOf, fileProblem, shown } from './files.js';
import { CliExit } from './io.js';

/**
 * What `mesh dare archive DIR` stores of a directory tree: every regular file (content, mode,
 * times), every directory (so empty ones survive; mode and times), and every symbolic link as a
 * link (its target text; never followed, so nothing outside DIR is read through one). Anything
 * else — devices, sockets, FIFOs — is skipped with a warning naming it, as are names extraction
 * would refuse (a backslash or a control character) and set-id and sticky bits (only the
 * permission bits are kept). Entries come in path order, each directory before what it holds.
 */

/** One entry to archive: where it is on disk, and its archive metadata. */
export interface WalkedEntry {
  /** The file on disk. */
  readonly source: string;
  readonly meta: ArchiveEntryInput & { readonly kind: 'file' | 'directory' | 'symlink' };
}

/** Something the archive does not hold, and why. */
export interface SkippedEntry {
  readonly path: string;
  readonly reason: string;
}

/** A directory tree as the archive will hold it. */
export interface Walk {
  readonly entries: WalkedEntry[];
  readonly skipped: SkippedEntry[];
  /** Entries stored without some of their mode bits (set-id, sticky). */
  readonly modesReduced: string[];
}

const kindOf = (s: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string =>
  s.isFIFO() ? 'a FIFO (named pipe)' : s.isSocket() ? 'a socket' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : 'not a file, directory or link';

/** Checks `dir` and walks it; `exclude` (absolute) is left out (the archive being written, when it lies inside). */
export async function walkDirectory(dir: string, exclude: readonly string[] = []): Promise<Walk> {
  let top;
  try {
    top = await lstat(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') throw new CliExit(2, `${shown(dir)}: no such directory`);
    throw fileProblem(dir, e);
  }
  if (!top.isDirectory()) throw new CliExit(2, `${shown(dir)}: not a directory${top.isSymbolicLink() ? ' (a symbolic link: give the directory it points to)' : ''}`);
  const skip = new Set(exclude.map((p) => resolve(p)));
  const walk: Walk = { entries: [], skipped: [], modesReduced: [] };
  await visit(dir, '', walk, skip);
  return walk;
}

async function visit(dir: string, prefix: string, walk: Walk, skip: ReadonlySet<string>): Promise<void> {
  const names: string[] = [];
  try {
    for await (const d of await opendir(dir)) names.push(d.name);
  } catch (e) {
    throw fileProblem(dir, e);
  }
  names.sort();
  for (const name of names) {
    const source = join(dir, name);
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (skip.has(resolve(source))) continue;
    try {
      safeArchivePath(path);
    } catch (e) {
      if (!(e instanceof SequenceError)) throw e;
      walk.skipped.push({ path, reason: 'its name holds a backslash or a control character, which extraction refuses' });
      continue;
    }
    let st;
    try {
      st = await lstat(source);
    } catch (e) {
      throw fileProblem(source, e);
    }
    const mode = st.mode & 0o777;
    if ((st.mode & 0o7000) !== 0 && !st.isSymbolicLink()) walk.modesReduced.push(path);
    const times = { modified: st.mtime, ...(st.birthtimeMs > 0 ? { created: st.birthtime } : {}) };
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await readlink(source);
      } catch (e) {
        throw fileProblem(source, e);
      }
      walk.entries.push({ source, meta: { path, kind: 'symlink', target, modified: st.mtime } });
    } else if (st.isDirectory()) {
      walk.entries.push({ source, meta: { path, kind: 'directory', mode, ...times } });
      await visit(source, path, walk, skip);
    } else if (st.isFile()) {
      walk.entries.push({ source, meta: { path, kind: 'file', mode, ...times } });
    } else {
      walk.skipped.push({ path, reason: `${kindOf(st)}: archives hold files, directories and symbolic links` });
    }
  }
}
