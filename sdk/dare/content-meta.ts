import { parseJson } from '../encoding/json-reader.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../encoding/json-value.js';
import { EncodingError } from '../encoding/errors.js';
import { writeReferenceJson } from '../encoding/reference-json.js';
import { utf8Encode } from '../encoding/utf8.js';
import { DareError } from './errors.js';

/**
 * Content metadata (dare.md §2.1 ContentMeta): carried in the header as `ContentMetaData`, the
 * UTF-8 bytes of the object's JSON text in the reference's pretty layout, untagged (so `{}` is
 * `e30`). Members in the reference's order; unknown members of a read object are kept in `extra`.
 */
export interface ContentMeta {
  uniqueId?: string;
  labels?: string[];
  keyValues?: { key: string; value: string }[];
  messageType?: string;
  /** Content type, e.g. `application/example-mail`. */
  cty?: string;
  paths?: string[];
  filename?: string;
  event?: string;
  created?: Date | string;
  modified?: Date | string;
  expire?: Date | string;
  first?: JsonValue;
  previous?: JsonValue;
  fileEntry?: JsonObject;
  extra?: JsonObject;
}

const ORDER: readonly [keyof ContentMeta, string][] = [
  ['uniqueId', 'UniqueId'], ['labels', 'Labels'], ['keyValues', 'KeyValues'], ['messageType', 'MessageType'], ['cty', 'cty'],
  ['paths', 'Paths'], ['filename', 'Filename'], ['event', 'Event'], ['created', 'Created'], ['modified', 'Modified'],
  ['expire', 'Expire'], ['first', 'First'], ['previous', 'Previous'], ['fileEntry', 'FileEntry'],
];

/** The `ContentMetaData` bytes of a ContentMeta (reference layout, byte-exact with its examples). */
export function encodeContentMeta(meta: ContentMeta): Uint8Array {
  const o: Record<string, unknown> = {};
  for (const [prop, name] of ORDER) {
    const v = meta[prop];
    if (v === undefined) continue;
    o[name] = prop === 'keyValues' ? (v as { key: string; value: string }[]).map((kv) => ({ Key: kv.key, Value: kv.value })) : v;
  }
  if (meta.extra) for (const [k, v] of Object.entries(meta.extra)) if (!(k in o)) o[k] = v;
  try {
    return utf8Encode(writeReferenceJson(o));
  } catch (e) {
    if (e instanceof EncodingError) throw new DareError('DARE_BAD_ARGUMENT', `ContentMeta: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Reads `ContentMetaData` bytes; malformed text is `DARE_BAD_FORMAT`. */
export function decodeContentMeta(bytes: Uint8Array): ContentMeta {
  let v: JsonValue;
  try {
    v = parseJson(bytes, { maxDepth: 16 });
  } catch (e) {
    if (e instanceof EncodingError) throw new DareError('DARE_BAD_FORMAT', `ContentMetaData: ${e.message}`, { cause: e });
    throw e;
  }
  if (!isJsonObject(v)) throw new DareError('DARE_BAD_FORMAT', 'ContentMetaData: not a JSON object');
  const meta: Record<string, unknown> = {};
  const names = new Map(ORDER.map(([p, n]) => [n, p]));
  const extra: JsonObject = {};
  for (const [name, value] of Object.entries(v)) {
    const prop = names.get(name);
    if (prop === undefined) {
      if (name !== '__proto__') extra[name] = value;
    } else if (prop === 'keyValues' && Array.isArray(value)) {
      meta[prop] = value.filter(isJsonObject).map((kv) => ({ key: String(kv['Key'] ?? ''), value: String(kv['Value'] ?? '') }));
    } else {
      meta[prop] = value;
    }
  }
  if (Object.keys(extra).length) meta['extra'] = extra;
  return meta as ContentMeta;
}
