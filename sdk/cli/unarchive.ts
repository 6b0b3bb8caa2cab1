import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { archiveEntryOf, checkArchiveNames, safeArchivePath, SequenceError, type ArchiveEntry, type VerifiedSequence } from '../dare/sequence/index.js';

/**
 * `mesh dare unarchive`: writes the files of a verified archive (extract.ts has already refused a
 * damaged or untrusted one) into a directory, so that:
 *
 * - every name is checked before anything is written: relative, no `..`, no control characters,
 *   and no two names that collide (the same file twice, a file that is also a directory, names
 *   equal after Unicode normalisation and case folding) — archive.ts;
 * - nothing is ever written through a symlink: the files go into a fresh staging directory
 *   (`mkdtemp`, mode 0700, beside the target) in which this process creates every directory and
 *   every file itself (`O_CREAT | O_EXCL | O_NOFOLLOW`), and the target must not exist or be an
 *   empty real directory — never a symlink, never a directory with content to follow;
 * - nothing is left behind on failure: the staging directory is removed, and only a complete
 *   extraction is moved into place, with one `rename`.
 */

/** An archived file: its entry and the frame that holds it. */
interface Planned {
  readonly entry: ArchiveEntry;
  readonly frame: number;
}

/** Extracts every archived file of `archive` into `target`; returns the paths written. */
export async function unarchive(archive: VerifiedSequence, target: string): Promise<string[]> {
  const planned: Planned[] = [];
  for (let i = 1; i < archive.frameCount; i++) {
    const f = await archive.frame(i);
    if (f.info.IsMeta) continue;
    const entry = archiveEntryOf(await archive.reader.contentMeta(f), i);
    if (entry) planned.push({ entry, frame: i });
  }
  checkArchiveNames(planned.map((p) => p.entry.path));
  const root = resolve(target);
  await checkTarget(root);
  const staging = await mkdtemp(join(dirname(root), `.${basename(root)}.unarchive-`));
  try {
    const made = new Set<string>();
    for (const { entry, frame } of planned) {
      const parts = safeArchivePath(entry.path);
      let dir = staging;
      for (const part of parts.slice(0, -1)) {
        dir = join(dir, part);
        if (!made.has(dir)) {
          await mkdir(dir, { mode: 0o755 }); // never recursive: each directory is ours, made here
          made.add(dir);
        }
      }
      const data = (await archive.open(frame)).payload;
      const fh = await open(join(dir, parts[parts.length - 1]!), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      try {
        await fh.writeFile(data);
        if (entry.modified) await fh.utimes(entry.modified, entry.modified);
      } finally {
        await fh.close();
      }
    }
    await rename(staging, root);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  return planned.map((p) => p.entry.path);
}

/** The target must be absent or an empty real directory (not a symlink). */
async function checkTarget(root: string): Promise<void> {
  let st;
  try {
    st = await lstat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (st.isSymbolicLink() || !st.isDirectory() || (await readdir(root)).length > 0) {
    throw new SequenceError('DARE_BAD_PATH', `${root} exists and is not an empty directory; unarchive into a new one`);
  }
}
