import { EncodingError } from '../encoding/errors.js';
import { parseJson } from '../encoding/json-reader.js';
import { isJsonObject, type JsonValue } from '../encoding/json-value.js';
import { writeJson } from '../encoding/json-writer.js';
import { decodeJsonB } from '../encoding/jsonb-reader.js';
import { encodeJsonB } from '../encoding/jsonb-writer.js';
import { utf8Encode } from '../encoding/utf8.js';
import { DareError, writing } from './errors.js';
import { bad, toBinary } from './fields.js';
import { headerFromObject, headerToObject, isEmptyHeader, type DareHeader } from './header.js';

/**
 * An envelope as its three parts (dare.md §2): header, payload bytes (plaintext, or ciphertext
 * when `enc` is present) and an optional trailer. Digests and signatures cover the payload bytes
 * (and, for our `PayloadMac` and `ManifestSignature`, a digest of typed header values,
 * header-digest.ts), never the serialization, so the same parts may be written as JSON, tagged
 * JSON or JSON-B without breaking them.
 */
export interface DareEnvelope {
  header: DareHeader;
  payload: Uint8Array;
  /** Omitted (or empty) when there is nothing to put in it. */
  trailer?: DareHeader;
}

/** Wire forms (dare.md §2): `json` `[h, "payload", t?]`, `tagged` `{"DareEnvelope": [...]}`, `jsonb` `5B h 88.. t? 5D`. */
export type DareEnvelopeFormat = 'json' | 'tagged' | 'jsonb';

/** Nesting limit of the envelope reader: ample for any header (policy keys nest 6 deep), small enough to refuse abuse. */
export const DARE_MAX_DEPTH = 32;

/** The envelope as a JSON value `[header, payload, trailer?]` (binary as `Uint8Array`): embed it in a larger object this way. */
export function envelopeToValue(env: DareEnvelope): JsonValue[] {
  const out: JsonValue[] = [headerToObject(env.header, 'header'), env.payload];
  if (env.trailer !== undefined && !isEmptyHeader(env.trailer)) out.push(headerToObject(env.trailer));
  return out;
}

/**
 * The envelope as **bytes** to store or send (dare.md §2): `json` (default) compact JSON text as
 * UTF-8, `tagged` the same inside `{"DareEnvelope": …}`, `jsonb` binary JSON-B (no base64, the
 * smaller form for files). For JSON as a JS `string` (a text channel) use {@link envelopeToString};
 * to embed the envelope in a larger document, {@link envelopeToValue}. {@link decodeEnvelope},
 * {@link verifyEnvelope} and {@link parseEnvelope} read every form, from bytes or a string.
 */
export function serializeEnvelope(env: DareEnvelope, format: DareEnvelopeFormat = 'json'): Uint8Array {
  const value = envelopeToValue(env);
  switch (format) {
    case 'json':
      return utf8Encode(writing('envelope', () => writeJson(value)));
    case 'tagged':
      return utf8Encode(writing('envelope', () => writeJson({ DareEnvelope: value })));
    case 'jsonb':
      return writing('envelope', () => encodeJsonB(value));
    default:
      throw new DareError('DARE_BAD_ARGUMENT', `unknown envelope format ${String(format)}`);
  }
}

/**
 * The envelope as a JSON **string** (`json` or `tagged`): the same text as
 * {@link serializeEnvelope} in that form, before UTF-8 encoding. Use it where text is expected
 * (a message body, a JSON field); use {@link serializeEnvelope} for bytes and for JSON-B.
 */
export function envelopeToString(env: DareEnvelope, format: 'json' | 'tagged' = 'json'): string {
  const value = envelopeToValue(env);
  return writing('envelope', () => writeJson(format === 'tagged' ? { DareEnvelope: value } : value));
}

/** Reads `[header, payload, trailer?]` or `{"DareEnvelope": [...]}` from a parsed value. */
export function envelopeFromValue(value: JsonValue, where = 'envelope'): DareEnvelope {
  let v = value;
  if (isJsonObject(v)) {
    const names = Object.keys(v);
    if (names.length !== 1 || !Array.isArray(v[names[0]!])) bad(where, 'not an envelope array or a tagged envelope');
    where = `${where}.${names[0]}`;
    v = v[names[0]!]!;
  }
  if (!Array.isArray(v)) bad(where, 'not an envelope array');
  if (v.length < 2) throw new DareError('DARE_TRUNCATED', `${where}: ${v.length === 0 ? 'no header' : 'no payload'}`);
  if (v.length > 3) bad(where, `${v.length} items (header, payload, trailer at most)`);
  const header = headerFromObject(v[0], `${where}[0] header`);
  const payload = toBinary(v[1], `${where}[1] payload`);
  if (v.length === 2) return { header, payload };
  return { header, payload, trailer: headerFromObject(v[2], `${where}[2] trailer`) };
}

/** Options of {@link parseEnvelope}. */
export interface ParseEnvelopeOptions {
  /** `auto` (default): JSON text when the input is JSON text, else JSON-B (which also reads mixed text/binary). */
  format?: 'auto' | 'json' | 'jsonb';
  /** Nesting limit (default {@link DARE_MAX_DEPTH}). */
  maxDepth?: number;
}

function mapEncodingError(e: unknown, length: number): never {
  if (!(e instanceof EncodingError)) throw e;
  if (e.code === 'JSON_TOO_DEEP') throw new DareError('DARE_TOO_DEEP', `envelope: ${e.message}`, { cause: e });
  if (e.code === 'JSONB_TRUNCATED' || (e.offset !== undefined && e.offset >= length && e.code === 'JSON_SYNTAX')) {
    throw new DareError('DARE_TRUNCATED', `envelope: ${e.message}`, { cause: e });
  }
  throw new DareError('DARE_BAD_FORMAT', `envelope: ${e.code}: ${e.message}`, { cause: e });
}

function hasHighByte(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return true;
  return false;
}

/**
 * Parses an envelope in any wire form (dare.md §2), including the reference's JSON with line
 * breaks inside base64 strings. JSON-B lengths are checked against the input before anything is
 * allocated. Errors: `DARE_TRUNCATED`, `DARE_TOO_DEEP`, `DARE_BAD_FORMAT`.
 */
export function parseEnvelope(input: Uint8Array | string, options: ParseEnvelopeOptions = {}): DareEnvelope {
  const bytes = typeof input === 'string' ? utf8Encode(input) : input;
  if (!(bytes instanceof Uint8Array)) throw new DareError('DARE_BAD_ARGUMENT', 'envelope input must be bytes or a string');
  const maxDepth = options.maxDepth ?? DARE_MAX_DEPTH;
  const format = options.format ?? 'auto';
  let value: JsonValue;
  try {
    if (format === 'json' || (format === 'auto' && !hasHighByte(bytes))) {
      value = parseJson(bytes, { maxDepth });
    } else {
      value = decodeJsonB(bytes, { maxDepth });
    }
  } catch (e) {
    return mapEncodingError(e, bytes.length);
  }
  return envelopeFromValue(value);
}
