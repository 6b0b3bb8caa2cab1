import { utf8Encode } from '../../encoding/utf8.js';
import { writeJson } from '../../encoding/json-writer.js';
import type { JsonObject } from '../../encoding/json-value.js';
import type { ContainerType } from './info.js';
import { writeReferenceJson } from './ref-json.js';
import type { EncryptedFields } from './encryption.js';

/**
 * Building frame headers and trailers in the reference member order (dare.md §2.1, §9.1):
 * `enc`, `dig`, `Salt`, `recipients`, `policy`, `ContentMetaData`, `SequenceInfo`; trailers
 * `signatures`, `PayloadDigest`, `ChainDigest` / `TreeDigest`.
 */

/** How header/trailer JSON text is laid out: strict compact JSON, or the reference's layout (§9.7). */
export type JsonLayout = 'compact' | 'reference';

/** Encodes a header or trailer object. */
export function encodeRecordJson(value: JsonObject, layout: JsonLayout): Uint8Array {
  return utf8Encode(layout === 'reference' ? writeReferenceJson(value) : writeJson(value));
}

/** `{}` as the reference writes an empty ContentMetaData (base64url "e30"). */
export const EMPTY_CONTENT_META = utf8Encode('{}');

/** Parts of a frame header. */
export interface HeaderParts {
  readonly type: ContainerType;
  readonly index: number;
  readonly encrypted?: EncryptedFields | undefined;
  readonly policy?: JsonObject | undefined;
  readonly contentMeta?: Uint8Array | undefined;
  readonly treePosition?: number | undefined;
  readonly exchangePosition?: number | undefined;
  readonly isMeta?: boolean | undefined;
}

/** The header object of a frame. */
export function buildHeader(p: HeaderParts): JsonObject {
  const digest = p.type === 'Digest' || p.type === 'Chain' || p.type === 'Merkle';
  const info: JsonObject = p.index === 0
    ? { DataEncoding: 'JSON', ContainerType: p.type, Index: 0 }
    : { Index: p.index, TreePosition: p.treePosition, ExchangePosition: p.exchangePosition, IsMeta: p.isMeta || undefined };
  return {
    enc: p.encrypted?.enc,
    dig: digest ? 'S512' : undefined,
    Salt: p.encrypted?.Salt,
    recipients: p.encrypted?.recipients,
    policy: p.index === 0 ? (p.policy ?? {}) : undefined,
    ContentMetaData: p.contentMeta ?? EMPTY_CONTENT_META,
    SequenceInfo: info,
  } as JsonObject;
}

/** The trailer object of a frame, or undefined when the type has none (List, Tree). */
export function buildTrailer(
  type: ContainerType, pd: Uint8Array | undefined, chain: Uint8Array | undefined, tree: Uint8Array | undefined,
  signatures?: JsonObject[],
): JsonObject | undefined {
  if (type === 'List' || type === 'Tree') return undefined;
  return {
    signatures,
    PayloadDigest: pd,
    ChainDigest: type === 'Chain' ? chain : undefined,
    TreeDigest: type === 'Merkle' ? tree : undefined,
  } as JsonObject;
}
