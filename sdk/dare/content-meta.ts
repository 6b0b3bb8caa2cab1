import { parseJson } from '../encoding/json-reader.js';
import { isJsonObject, setMember, type JsonObject, type JsonValue } from '../encoding/json-value.js';
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

type Kind = 'string' | 'strings' | 'keyValues' | 'integer' | 'object';
const KIND: Readonly<Record<keyof ContentMeta, Kind | undefined>> = {
  uniqueId: 'string', labels: 'strings', keyValues: 'keyValues', messageType: 'string', cty: 'string', paths: 'strings',
  filename: 'string', event: 'string', created: 'string', modified: 'string', expire: 'string', first: 'integer', previous: 'integer',
  fileEntry: 'object', extra: undefined,
};

function badMember(name: string, what: string): never {
  throw new DareError('DARE_BAD_FORMAT', `ContentMetaData.${name}: ${what}`);
}

/** One member checked against the schema type (dare.md §2.1 ContentMeta); hostile values are typed errors, never coerced. */
function member(name: string, kind: Kind, value: JsonValue): unknown {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') badMember(name, 'not a string');
      return value;
    case 'strings':
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) badMember(name, 'not an array of strings');
      return value;
    case 'integer':
      if (!(typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) badMember(name, 'not an integer');
      return value;
    case 'object':
      if (!isJsonObject(value)) badMember(name, 'not an object');
      return value;
    case 'keyValues':
      if (!Array.isArray(value)) badMember(name, 'not an array');
      return value.map((kv, i) => {
        if (!isJsonObject(kv)) badMember(`${name}[${i}]`, 'not an object');
        const key = kv['Key'] ?? '';
        const val = kv['Value'] ?? '';
        if (typeof key !== 'string' || typeof val !== 'string') badMember(`${name}[${i}]`, 'Key and Value must be strings');
        return { key, value: val };
      });
  }
}

/**
 * Reads `ContentMetaData` bytes. Malformed text, or a member of the wrong type (a `cty` that is
 * an object, a label that is a number), is `DARE_BAD_FORMAT`: values are checked, never coerced,
 * so no hostile value reaches a caller's `String()` or template literal. Unknown members go to
 * `extra` as parsed. These values are what the header says: see `DecodedEnvelope.unsigned`.
 */
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
  let anyExtra = false;
  for (const [name, value] of Object.entries(v)) {
    if (value === undefined) continue;
    const prop = names.get(name);
    if (prop === undefined) {
      setMember(extra, name, value);
      anyExtra = true;
    } else if (value !== null) {
      meta[prop] = member(name, KIND[prop]!, value);
    }
  }
  if (anyExtra) meta['extra'] = extra;
  return meta as ContentMeta;
}
