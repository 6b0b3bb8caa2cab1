import { isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { parseJson } from '../../encoding/json-reader.js';
import { SequenceError } from './errors.js';

/**
 * File archives in a sequence (dare.md §2.1 ContentMeta, `mesh dare archive`): one frame per
 * entry, its ContentMetaData naming it — `Filename`, `Paths` and a `FileEntry` with the relative
 * `Path` and times. In an encrypted archive that metadata is encrypted (`cloaked`,
 * encryption.ts): names, paths, times, modes and link targets are not readable without a key.
 * Extraction refuses absolute paths, `..` components and names that collide, so an archive can
 * never write outside the target directory or over one of its own entries.
 *
 * Entries are files (the payload is the content), directories (empty payload; every directory is
 * stored, so empty ones survive) and symbolic links (empty payload; the link's text in
 * `FileEntry.LinkTarget`, never followed when archiving). The reference's FileEntry names only
 * `Path`, the times and `Attributes` (Windows file attributes); readers ignore unknown members
 * (dare.md §2.1), so what it lacks travels in members of our own:
 * - `Type`: `"Directory"` or `"SymbolicLink"` (absent for a file), with `Attributes` set to the
 *   Windows value a reference reader understands (directory 0x10, reparse point 0x400);
 * - `Mode`: the POSIX permission bits (`rwxrwxrwx`, 0–0o777; set-id and sticky bits are not kept);
 * - `LinkTarget`: a symbolic link's target, as the link holds it.
 */

/** What an archive entry is; `other` is a `Type` this version does not know (extraction skips it). */
export type ArchiveEntryKind = 'file' | 'directory' | 'symlink' | 'other';

/** Metadata of one archived entry. */
export interface ArchiveEntry {
  /** Relative path with `/` separators. */
  readonly path: string;
  readonly kind: ArchiveEntryKind;
  /** POSIX permission bits (0–0o777), when recorded. */
  readonly mode?: number;
  /** A symbolic link's target (relative or absolute text, not checked here). */
  readonly target?: string;
  /** The `Type` text of an `other` entry. */
  readonly typeName?: string;
  readonly modified?: Date;
  readonly created?: Date;
}

/** What {@link archiveMeta} takes: an entry, whose kind defaults to `file`. */
export type ArchiveEntryInput = Omit<ArchiveEntry, 'kind' | 'typeName'> & { readonly kind?: Exclude<ArchiveEntryKind, 'other'> };

const TYPE_NAMES = { directory: 'Directory', symlink: 'SymbolicLink' } as const;
/** Windows file attributes of the reference's FileEntry (FILE_ATTRIBUTE_DIRECTORY, …_REPARSE_POINT). */
const ATTRIBUTES = { directory: 0x10, symlink: 0x400 } as const;

/** ContentMeta object for an archived entry. */
export function archiveMeta(e: ArchiveEntryInput): JsonObject {
  const name = e.path.split('/').pop() ?? e.path;
  const kind = e.kind ?? 'file';
  if (e.mode !== undefined && (!Number.isInteger(e.mode) || e.mode < 0 || e.mode > 0o777)) {
    throw new SequenceError('DARE_BAD_ARGUMENT', 'an archive mode holds the permission bits only (0 to 0o777)');
  }
  if (kind === 'symlink' && (typeof e.target !== 'string' || e.target.length === 0)) {
    throw new SequenceError('DARE_BAD_ARGUMENT', 'a symbolic link entry needs its target');
  }
  return {
    Filename: name,
    Paths: [e.path],
    FileEntry: {
      Path: e.path,
      ...(e.created ? { CreationTime: e.created } : {}),
      ...(e.modified ? { LastWriteTime: e.modified } : {}),
      ...(kind !== 'file' ? { Attributes: ATTRIBUTES[kind], Type: TYPE_NAMES[kind] } : {}),
      ...(e.mode !== undefined ? { Mode: e.mode } : {}),
      ...(kind === 'symlink' ? { LinkTarget: e.target! } : {}),
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
  if (typeof path !== 'string') return bad('is not text');
  if (path.length === 0) bad('is empty');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) bad('is absolute');
  // eslint-disable-next-line no-control-regex
  if (path.includes('\\') || /[\u0000-\u001f\u007f]/.test(path)) bad('contains a backslash or a control character');
  const parts = path.split('/');
  for (const p of parts) if (p === '' || p === '.' || p === '..') bad(`has a '${p}' component`);
  return parts;
}

/**
 * Refuses a set of archive entries that would collide when written: the same path twice, a path
 * that a file or link holds and another entry needs as a directory (`a` and `a/b`), or paths
 * equal after Unicode normalisation and case folding (one file on macOS and Windows file
 * systems). Directories may of course contain other entries. Plain paths count as files. Throws
 * DARE_BAD_PATH.
 */
export function checkArchiveNames(entries: readonly (string | Pick<ArchiveEntry, 'path' | 'kind'>)[]): void {
  const key = (parts: string[]): string => parts.map((p) => p.normalize('NFC').toLowerCase()).join('/');
  const explicit = new Map<string, { path: string; kind: ArchiveEntryKind }>();
  const needed = new Map<string, string>(); // a directory some entry lies in → that entry
  for (const e of entries) {
    const { path, kind } = typeof e === 'string' ? { path: e, kind: 'file' as const } : e;
    const parts = safeArchivePath(path);
    const k = key(parts);
    const clash = explicit.get(k);
    if (clash !== undefined) throw new SequenceError('DARE_BAD_PATH', `archive paths ${JSON.stringify(clash.path)} and ${JSON.stringify(path)} collide`);
    const inside = needed.get(k);
    if (inside !== undefined && kind !== 'directory') {
      throw new SequenceError('DARE_BAD_PATH', `archive path ${JSON.stringify(inside)} needs ${JSON.stringify(path)} to be a directory`);
    }
    explicit.set(k, { path, kind });
    for (let i = 1; i < parts.length; i++) {
      const d = key(parts.slice(0, i));
      const holder = explicit.get(d);
      if (holder !== undefined && holder.kind !== 'directory') {
        throw new SequenceError('DARE_BAD_PATH', `archive path ${JSON.stringify(path)} needs ${JSON.stringify(holder.path)} to be a directory`);
      }
      if (!needed.has(d)) needed.set(d, path);
    }
  }
}

/**
 * The archive entry named by a frame's ContentMetaData bytes (undefined when it names no path).
 * Malformed members of an entry (a `Mode` that is not a permission mode, a link without a target)
 * are DARE_BAD_HEADER; a `Type` this version does not know gives kind `other`.
 */
export function archiveEntryOf(contentMeta: Uint8Array | undefined, frame?: number): ArchiveEntry | undefined {
  if (contentMeta === undefined) return undefined;
  const where = frame !== undefined ? { frame } : {};
  let meta: unknown;
  try {
    meta = parseJson(contentMeta);
  } catch (e) {
    throw new SequenceError('DARE_BAD_HEADER', 'ContentMetaData is not JSON', { ...where, cause: e });
  }
  if (!isJsonObject(meta)) return undefined;
  const fe = isJsonObject(meta['FileEntry']) ? meta['FileEntry'] : undefined;
  const paths = meta['Paths'];
  const path = typeof fe?.['Path'] === 'string' ? fe['Path'] : Array.isArray(paths) && typeof paths[0] === 'string' ? paths[0] : undefined;
  if (path === undefined) return undefined;
  const date = (v: unknown): Date | undefined => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined);
  const modified = date(fe?.['LastWriteTime']);
  const created = date(fe?.['CreationTime']);
  const type = fe?.['Type'];
  const attributes = fe?.['Attributes'];
  let kind: ArchiveEntryKind;
  if (type === undefined) {
    kind = typeof attributes === 'number' && Number.isInteger(attributes) && (attributes & ATTRIBUTES.directory) !== 0 ? 'directory' : 'file';
  } else if (type === TYPE_NAMES.directory) {
    kind = 'directory';
  } else if (type === TYPE_NAMES.symlink) {
    kind = 'symlink';
  } else if (typeof type === 'string') {
    kind = 'other';
  } else {
    throw new SequenceError('DARE_BAD_HEADER', `FileEntry.Type of ${JSON.stringify(path)} is not text`, where);
  }
  const mode = fe?.['Mode'];
  if (mode !== undefined && (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777)) {
    throw new SequenceError('DARE_BAD_HEADER', `FileEntry.Mode of ${JSON.stringify(path)} is not a permission mode (0 to 0o777)`, where);
  }
  const target = fe?.['LinkTarget'];
  if (kind === 'symlink' && (typeof target !== 'string' || target.length === 0 || target.includes('\u0000'))) {
    throw new SequenceError('DARE_BAD_HEADER', `symbolic link ${JSON.stringify(path)} has no usable LinkTarget`, where);
  }
  return {
    path, kind,
    ...(mode !== undefined ? { mode } : {}),
    ...(kind === 'symlink' ? { target: target as string } : {}),
    ...(kind === 'other' ? { typeName: type as string } : {}),
    ...(modified ? { modified } : {}), ...(created ? { created } : {}),
  };
}
