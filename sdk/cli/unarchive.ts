import { constants } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, readdir, realpath, rename, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { archiveEntryOf, checkArchiveNames, safeArchivePath, type ArchiveEntry, type VerifiedSequence } from '../dare/sequence/index.js';
import { errnoOf, fileProblem, shown, trackTemporary, untrackTemporary } from './files.js';
import { CliExit } from './io.js';
import type { SkippedEntry } from './archive.js';

/**
 * `mesh dare unarchive`: writes the entries of a verified archive (extract.ts has already refused
 * a damaged or untrusted one) into a directory, so that:
 *
 * - every name is checked before anything is written: relative, no `..`, no control characters,
 *   and no two names that collide (the same entry twice, a file or link that another entry needs
 *   as a directory, names equal after Unicode normalisation and case folding) — archive.ts;
 * - nothing is ever written through a symlink: entries go into a fresh staging directory
 *   (`mkdtemp`, mode 0700, beside the target) in which this process creates every directory and
 *   every file itself (`O_CREAT | O_EXCL | O_NOFOLLOW`), links last; the target must not exist
 *   or be an empty real directory — never a symlink, never a directory with content;
 * - a symbolic link is recreated only when it stays inside the target: its text must be relative,
 *   must not climb out lexically, and once every entry is in place it must resolve (realpath) to
 *   something inside the staging directory — which also defeats chains of links. Any other link
 *   (absolute, leading out, dangling) is not created, with a warning naming it;
 * - permission bits are restored (files 0644 and directories 0755 when the archive has none;
 *   set-id and sticky bits never), directory modes and times last, deepest first, so a read-only
 *   directory is filled before it is closed; entries of a kind this version does not know are
 *   skipped with a warning;
 * - nothing is left behind on failure or Ctrl-C: the staging directory is removed, and only a
 *   complete extraction is moved into place, with one `rename`.
 */

/** An archived entry: its metadata and the frame that holds it. */
interface Planned {
  readonly entry: ArchiveEntry;
  readonly frame: number;
}

/** What an extraction wrote. */
export interface UnarchiveResult {
  readonly files: string[];
  readonly directories: string[];
  readonly links: string[];
  /** Entries not written, and why (each also given to `warn`). */
  readonly skipped: SkippedEntry[];
}

/** The target must be absent or an empty real directory (not a symlink); its parent must exist. Checked before any work. */
export async function checkUnarchiveTarget(target: string): Promise<void> {
  const root = resolve(target);
  let st;
  try {
    st = await lstat(root);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw fileProblem(target, e);
    try {
      if (!(await lstat(dirname(root))).isDirectory()) throw new CliExit(2, `${shown(target)}: ${shown(dirname(target))} is not a directory`);
    } catch (p) {
      if (p instanceof CliExit) throw p;
      if (errnoOf(p) === 'ENOENT') throw new CliExit(2, `${shown(target)}: the directory ${shown(dirname(target))} does not exist`);
      throw fileProblem(target, p);
    }
    return;
  }
  const why = st.isSymbolicLink() ? 'is a symbolic link' : !st.isDirectory() ? 'exists and is not a directory'
    : (await readdir(root)).length > 0 ? 'exists and is not empty' : undefined;
  if (why) throw new CliExit(2, `${shown(target)}: ${why} (unarchive into a new or empty directory)`);
}

/** Extracts every entry of `archive` into `target`; `warn(path, reason)` hears of each entry not written. */
export async function unarchive(archive: VerifiedSequence, target: string, warn: (path: string, reason: string) => void): Promise<UnarchiveResult> {
  const planned: Planned[] = [];
  for (let i = 1; i < archive.frameCount; i++) {
    const f = await archive.frame(i);
    if (f.info.IsMeta) continue;
    const entry = archiveEntryOf(await archive.reader.contentMeta(f), i);
    if (entry) planned.push({ entry, frame: i });
  }
  checkArchiveNames(planned.map((p) => ({ path: p.entry.path, kind: p.entry.kind })));
  await checkUnarchiveTarget(target);
  const root = resolve(target);
  let staging: string;
  try {
    staging = await mkdtemp(join(dirname(root), `.${basename(root)}.unarchive-`));
  } catch (e) {
    throw fileProblem(target, e);
  }
  trackTemporary(staging);
  const result: UnarchiveResult = { files: [], directories: [], links: [], skipped: [] };
  const skip = (path: string, reason: string): void => {
    result.skipped.push({ path, reason });
    warn(path, reason);
  };
  const made = new Map<string, ArchiveEntry | undefined>(); // directories made → their entry (undefined: implied by a path)
  try {
    const makeDir = async (dir: string, entry?: ArchiveEntry): Promise<void> => {
      if (!made.has(dir)) {
        await mkdir(dir, { mode: 0o700 }); // never recursive: each directory is ours, made here
        made.set(dir, entry);
      } else if (entry) {
        made.set(dir, entry);
      }
    };
    const parentOf = async (parts: string[]): Promise<string> => {
      let dir = staging;
      for (const part of parts.slice(0, -1)) {
        dir = join(dir, part);
        await makeDir(dir);
      }
      return dir;
    };
    const links: { entry: ArchiveEntry; at: string }[] = [];
    for (const { entry, frame } of planned) {
      const parts = safeArchivePath(entry.path);
      const at = join(await parentOf(parts), parts[parts.length - 1]!);
      if (entry.kind === 'directory') {
        await makeDir(at, entry);
        result.directories.push(entry.path);
      } else if (entry.kind === 'file') {
        const data = (await archive.open(frame)).payload;
        const fh = await open(at, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          await fh.writeFile(data);
          await fh.chmod(entry.mode ?? 0o644);
          if (entry.modified) await fh.utimes(entry.modified, entry.modified);
        } finally {
          await fh.close();
        }
        result.files.push(entry.path);
      } else if (entry.kind === 'symlink') {
        links.push({ entry, at });
      } else {
        skip(entry.path, `an entry of type ${JSON.stringify(entry.typeName)}, which this version does not extract`);
      }
    }
    await makeLinks(links, staging, target, result, skip);
    // Directory modes and times last, deepest first: their content is written by now.
    for (const [dir, entry] of [...made.entries()].sort((a, b) => b[0].length - a[0].length)) {
      await chmod(dir, entry?.mode ?? 0o755);
      if (entry?.modified) await utimes(dir, entry.modified, entry.modified);
    }
    await chmod(staging, 0o755);
    await rename(staging, root);
  } catch (e) {
    // Make every directory writable again (a read-only one may have been closed already), then remove all.
    for (const dir of made.keys()) await chmod(dir, 0o700).catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    untrackTemporary(staging);
    throw errnoOf(e) !== undefined ? fileProblem(target, e) : e;
  }
  untrackTemporary(staging);
  return result;
}

/** True when `path` is `root` or lies under it. */
const within = (root: string, path: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Creates the symbolic links that stay inside the extraction (see the module notes): a lexical
 * check first, then — with every link in place — each must resolve inside the staging directory;
 * links that do not are removed, repeatedly, since removing one can leave another dangling.
 */
async function makeLinks(
  links: readonly { entry: ArchiveEntry; at: string }[], staging: string, target: string, result: UnarchiveResult,
  skip: (path: string, reason: string) => void,
): Promise<void> {
  const outside = `points outside ${target}: not created`;
  let made: { entry: ArchiveEntry; at: string }[] = [];
  for (const l of links) {
    const text = l.entry.target!;
    if (isAbsolute(text) || !within(staging, resolve(dirname(l.at), text))) {
      skip(l.entry.path, `a symbolic link to ${JSON.stringify(text)}, which ${outside}`);
      continue;
    }
    await symlink(text, l.at);
    made.push(l);
  }
  const real = await realpath(staging);
  for (let changed = true; changed;) {
    changed = false;
    const kept: typeof made = [];
    for (const l of made) {
      let resolved: string | undefined;
      try {
        resolved = await realpath(l.at);
      } catch {
        resolved = undefined;
      }
      if (resolved !== undefined && within(real, resolved)) {
        kept.push(l);
        continue;
      }
      await unlink(l.at);
      changed = true;
      skip(l.entry.path, resolved === undefined
        ? `a symbolic link to ${JSON.stringify(l.entry.target)}, which leads to nothing inside ${target}: not created`
        : `a symbolic link to ${JSON.stringify(l.entry.target)}, which ${outside} (through another link)`);
    }
    made = kept;
  }
  result.links.push(...made.map((l) => l.entry.path));
}
