import { isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { parseJson } from '../../encoding/json-reader.js';
import { base64urlDecode } from '../../encoding/base64url.js';
import { SequenceError } from './errors.js';
import type { SequenceFrame } from './reader.js';

/**
 * File archives in a sequence (dare.md §2.1 ContentMeta, issue 6 `mesh dare archive`): one frame
 * per file, its ContentMetaData naming the file — `Filename`, `Paths` and a `FileEntry` with the
 * relative `Path` and times. Extraction refuses absolute paths and `..` components so an archive
 * can never write outside the target directory.
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
 * backslash or drive letter, no NUL. Returns its components; throws DARE_BAD_PATH.
 */
export function safeArchivePath(path: string): string[] {
  const bad = (why: string): never => {
    throw new SequenceError('DARE_BAD_PATH', `archive path ${JSON.stringify(path)} ${why}`);
  };
  if (path.length === 0) bad('is empty');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) bad('is absolute');
  if (path.includes('\\') || path.includes('\0')) bad('contains a backslash or NUL');
  const parts = path.split('/');
  for (const p of parts) if (p === '' || p === '.' || p === '..') bad(`has a '${p}' component`);
  return parts;
}

/** The archive entry of a frame (undefined for frames that name no file, e.g. frame 0). */
export function archiveEntryOf(f: SequenceFrame): ArchiveEntry | undefined {
  const cm = f.header['ContentMetaData'];
  if (typeof cm !== 'string') return undefined;
  let meta: unknown;
  try {
    meta = parseJson(base64urlDecode(cm));
  } catch (e) {
    throw new SequenceError('DARE_BAD_HEADER', 'ContentMetaData is not JSON', { frame: f.index, cause: e });
  }
  if (!isJsonObject(meta)) return undefined;
  const fe = isJsonObject(meta['FileEntry']) ? meta['FileEntry'] : undefined;
  const path = typeof fe?.['Path'] === 'string' ? fe['Path'] : Array.isArray(meta['Paths']) && typeof meta['Paths'][0] === 'string' ? meta['Paths'][0] : undefined;
  if (path === undefined) return undefined;
  const date = (v: unknown): Date | undefined => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined);
  const modified = date(fe?.['LastWriteTime']);
  const created = date(fe?.['CreationTime']);
  return { path, ...(modified ? { modified } : {}), ...(created ? { created } : {}) };
}
