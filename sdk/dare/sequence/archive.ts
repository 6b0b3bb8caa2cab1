import { isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { parseJson } from '../../encoding/json-reader.js';
import { SequenceError } from './errors.js';

/**
 * File archives in a sequence (dare.md §2.1 ContentMeta, `mesh dare archive`): one frame per
 * file, its ContentMetaData naming the file — `Filename`, `Paths` and a `FileEntry` with the
 * relative `Path` and times. In an encrypted archive that metadata is encrypted (`cloaked`,
 * encryption.ts): names, paths and times are not readable without a key. Extraction refuses
 * absolute paths, `..` components and names that collide, so an archive can never write outside
 * the target directory or over one of its own files.
 */

/** Metadata of one archived file. */
export interface ArchiveEntry {
  /** Relative path with `/` separators. */
  readonly path: string;
  readonly modified?: Date;
  readonly created?: Date;
}

/** ContentMeta object for an archived file. */
export function archiveMeta(e: ArchiveEntry): JsonObject {
  const name = e.path.split('/').pop() ?? e.path;
  return {
    Filename: name,
    Paths: [e.path],
    FileEntry: {
      Path: e.path,
      ...(e.created ? { CreationTime: e.created } : {}),
      ...(e.modified ? { LastWriteTime: e.modified } : {}),
    },
  };
}

/**
 * Checks an archive path: relative, `/`-separated, no empty, `.` or `..` component, no
 * backslash, drive letter, NUL or other control character. Returns its components; throws
 * DARE_BAD_PATH.
 */
export function safeArchivePath(path: string): string[] {
  const bad = (why: string): never => {
    throw new SequenceError('DARE_BAD_PATH', `archive path ${JSON.stringify(path)} ${why}`);
  };
  if (path.length === 0) bad('is empty');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) bad('is absolute');
  // eslint-disable-next-line no-control-regex
  if (path.includes('\\') || /[\u0000-\u001f\u007f]/.test(path)) bad('contains a backslash or a control character');
  const parts = path.split('/');
  for (const p of parts) if (p === '' || p === '.' || p === '..') bad(`has a '${p}' component`);
  return parts;
}

/**
 * Refuses a set of archive paths that would collide when written: the same path twice, a path
 * that is both a file and a directory (`a` and `a/b`), or paths equal after Unicode normalisation
 * and case folding (one file on macOS and Windows file systems). Throws DARE_BAD_PATH.
 */
export function checkArchiveNames(paths: readonly string[]): void {
  const key = (parts: string[]): string => parts.map((p) => p.normalize('NFC').toLowerCase()).join('/');
  const files = new Map<string, string>();
  const dirs = new Map<string, string>();
  for (const path of paths) {
    const parts = safeArchivePath(path);
    const k = key(parts);
    const clash = files.get(k) ?? dirs.get(k);
    if (clash !== undefined) throw new SequenceError('DARE_BAD_PATH', `archive paths ${JSON.stringify(clash)} and ${JSON.stringify(path)} collide`);
    files.set(k, path);
    for (let i = 1; i < parts.length; i++) {
      const d = key(parts.slice(0, i));
      const f = files.get(d);
      if (f !== undefined) throw new SequenceError('DARE_BAD_PATH', `archive path ${JSON.stringify(path)} needs ${JSON.stringify(f)} to be a directory`);
      dirs.set(d, path);
    }
  }
}

/** The archive entry named by a frame's ContentMetaData bytes (undefined when it names no file). */
export function archiveEntryOf(contentMeta: Uint8Array | undefined, frame?: number): ArchiveEntry | undefined {
  if (contentMeta === undefined) return undefined;
  let meta: unknown;
  try {
    meta = parseJson(contentMeta);
  } catch (e) {
    throw new SequenceError('DARE_BAD_HEADER', 'ContentMetaData is not JSON', { ...(frame !== undefined ? { frame } : {}), cause: e });
  }
  if (!isJsonObject(meta)) return undefined;
  const fe = isJsonObject(meta['FileEntry']) ? meta['FileEntry'] : undefined;
  const paths = meta['Paths'];
  const path = typeof fe?.['Path'] === 'string' ? fe['Path'] : Array.isArray(paths) && typeof paths[0] === 'string' ? paths[0] : undefined;
  if (path === undefined) return undefined;
  const date = (v: unknown): Date | undefined => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined);
  const modified = date(fe?.['LastWriteTime']);
  const created = date(fe?.['CreationTime']);
  return { path, ...(modified ? { modified } : {}), ...(created ? { created } : {}) };
}
