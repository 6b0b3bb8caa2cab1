import { decodeContentMeta, encodeContentMeta, type ContentMeta } from '../../dare/content-meta.js';
import { DareError } from '../../dare/errors.js';
import { MeshError } from '../errors.js';

/**
 * Catalog events as REF writes them (mesh-model.md §8; the Download example's credential frame):
 * each frame's ContentMeta is `{UniqueId, Event}` for `New`, `{UniqueId, Event, First, Previous}`
 * for `Update` and `Delete`, in the reference's text layout — byte for byte
 * `{"UniqueId": ":ftp.example.com", "Event": "Update", "First": 1, "Previous": 1}` as REF prints
 * it. `First` is the index of the key's `New` frame, `Previous` the index of its last frame.
 *
 * Our frames carry this ContentMeta encrypted (`cloaked`, dare.md §9.5) where REF leaves it in
 * the clear: a catalog's keys (the sites of your passwords, your contacts' addresses) are its
 * contents, and the service has no need to read them.
 */

/** The three catalog events. */
export type CatalogEventType = 'New' | 'Update' | 'Delete';

/** One frame's event. */
export interface CatalogEvent {
  /** The entry's primary key (mesh-model.md §8.1). */
  readonly uniqueId: string;
  readonly event: CatalogEventType;
  /** Update/Delete: index of the key's New frame. */
  readonly first?: number;
  /** Update/Delete: index of the key's last frame. */
  readonly previous?: number;
}

/** ContentMeta content type of a catalog's frame 0 (mesh-model.md §8). */
export const CATALOG_CTY = 'application/mmm-catalog';

/** The ContentMetaData bytes of an event (the reference's layout). */
export function encodeCatalogEvent(e: CatalogEvent): Uint8Array {
  const meta: ContentMeta = { uniqueId: e.uniqueId, event: e.event };
  if (e.event !== 'New') {
    meta.first = e.first;
    meta.previous = e.previous;
  }
  return encodeContentMeta(meta);
}

const index = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : typeof v === 'bigint' && v >= 1n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;

/**
 * Reads a frame's ContentMetaData as a catalog event. `MESH_LIFECYCLE` (naming the frame) when it
 * is not one: no UniqueId, an unknown Event, Update/Delete without First and Previous.
 */
export function decodeCatalogEvent(bytes: Uint8Array | undefined, frame: number): CatalogEvent {
  const bad = (what: string): never => {
    throw new MeshError('MESH_LIFECYCLE', `frame ${frame}: ${what}`);
  };
  if (bytes === undefined) return bad('no ContentMeta: not a catalog event');
  let meta: ContentMeta;
  try {
    meta = decodeContentMeta(bytes);
  } catch (e) {
    if (e instanceof DareError) return bad(`ContentMeta does not parse (${e.message})`);
    throw e;
  }
  const uniqueId = meta.uniqueId;
  if (typeof uniqueId !== 'string' || uniqueId.length === 0) return bad('ContentMeta has no UniqueId');
  const event = meta.event;
  if (event === 'New') {
    if (meta.first !== undefined || meta.previous !== undefined) return bad(`New event for '${uniqueId}' names First/Previous`);
    return { uniqueId, event };
  }
  if (event !== 'Update' && event !== 'Delete') return bad(`unknown Event '${String(event)}'`);
  const first = index(meta.first);
  const previous = index(meta.previous);
  if (first === undefined || previous === undefined || previous < first || previous >= frame) {
    return bad(`${event} of '${uniqueId}' without a valid First/Previous`);
  }
  return { uniqueId, event, first, previous };
}
