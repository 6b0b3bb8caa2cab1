import { parseEnvelope, type DareEnvelope } from '../../dare/envelope.js';
import type { DarePrivateKey } from '../../dare/keys.js';
import { MeshError } from '../errors.js';
import { openEnvelopePayload } from '../envelopes.js';
import { readMeshObject } from '../schema/codec.js';
import { decodeCatalogEvent, type CatalogEvent } from './events.js';
import { catalogKindInfo, primaryKeyOf, type CatalogEntryOf, type CatalogKind } from './kinds.js';

/**
 * Catalog frames as REF carries them in Download / Transact (protocol.md T7, T8;
 * reference/examples/ProtocolDownload.md): a DARE envelope `[header, payload, trailer]` whose
 * header holds `SequenceInfo`, the event's ContentMeta *in the clear*, `Received`, and the
 * trailer's digests moved into the header. REF encrypts the payload to the store key without
 * keyed integrity and signs nothing, so anyone holding the store's public key could have written
 * it: reading one needs `allowUnauthenticated: true`, and says so.
 */

/** A REF catalog frame, read. */
export interface ReferenceCatalogFrame<K extends CatalogKind> {
  /** `SequenceInfo.Index` and `TreePosition` as the frame states them. */
  readonly index: number | undefined;
  readonly treePosition: number | undefined;
  /** The frame's event (UniqueId, Event, First, Previous). */
  readonly event: CatalogEvent;
  /** The entry (undefined for a Delete). */
  readonly entry: CatalogEntryOf<K> | undefined;
  /** `Received` as the service wrote it. */
  readonly received: string | undefined;
}

/**
 * Reads a REF catalog frame of `kind` with the store key. `MESH_UNAUTHENTICATED` without
 * `allowUnauthenticated` (the frame has no keyed integrity); `MESH_LIFECYCLE` when its ContentMeta
 * is not a catalog event or names another key than the entry's.
 */
export function readReferenceCatalogFrame<K extends CatalogKind>(
  kind: K, frame: DareEnvelope | Uint8Array | string, key: DarePrivateKey, options: { allowUnauthenticated?: boolean } = {},
): ReferenceCatalogFrame<K> {
  const info = catalogKindInfo(kind);
  let env: DareEnvelope;
  try {
    env = typeof frame === 'string' || frame instanceof Uint8Array ? parseEnvelope(frame) : frame;
  } catch (e) {
    throw new MeshError('MESH_BAD_ENVELOPE', `not a DARE envelope: ${(e as Error).message}`, { cause: e });
  }
  const opened = openEnvelopePayload(env, { keys: [key], ...(options.allowUnauthenticated ? { allowUnauthenticated: true } : {}) });
  const h = env.header;
  const si = h.sequenceInfo;
  const index = typeof si?.['Index'] === 'number' ? si['Index'] : undefined;
  const event = decodeCatalogEvent(h.contentMetaData, index ?? Number.MAX_SAFE_INTEGER);
  let entry: CatalogEntryOf<K> | undefined;
  if (event.event !== 'Delete') {
    entry = readMeshObject(opened.payload, info.entryClass) as CatalogEntryOf<K>;
    const k = primaryKeyOf(kind, entry);
    if (k !== event.uniqueId) throw new MeshError('MESH_LIFECYCLE', `the entry's primary key '${k}' is not the frame's UniqueId '${event.uniqueId}'`);
  }
  return {
    index, treePosition: typeof si?.['TreePosition'] === 'number' ? si['TreePosition'] : undefined, event, entry,
    received: typeof h.received === 'string' ? h.received : undefined,
  };
}
