import { EncodingError } from './errors.js';
import type { JsonValue } from './json-value.js';
import { TokenParser, type ReadOptions } from './token-parser.js';

/**
 * JSON-B reader (jsonbcd.md §4). Accepts the reference's member-name tags `B4`–`B7`, draft
 * b-string names, JSON text tokens mixed with binary ones (the reference writes dates and floats as
 * text), optional `,` / `:` separators, chunked strings and data, integers up to 64 bits (`bigint`
 * beyond 2^53) and binary64 (`92`). JSON-C, JSON-D and bignum tags throw `JSONB_UNSUPPORTED_TAG`
 * as the reference does. Every declared length is checked against the bytes left *before* anything
 * is allocated (`JSONB_TRUNCATED`), and nesting is bounded (`JSON_TOO_DEEP`).
 * String items decode to `string`, data items to `Uint8Array` (a copy, not a view of `bytes`).
 */
export function decodeJsonB(bytes: Uint8Array, options: ReadOptions = {}): JsonValue {
  const { value, next } = readJsonBValue(bytes, 0, options);
  const parser = new TokenParser(bytes, 'jsonb', options, next);
  if (!parser.atEnd()) {
    throw new EncodingError('JSONB_TRAILING_DATA', 'JSON-B: data after the value', parser.pos);
  }
  return value;
}

/** Reads one JSON-B value starting at `offset`; returns it and the offset just after it. */
export function readJsonBValue(
  bytes: Uint8Array,
  offset = 0,
  options: ReadOptions = {},
): { value: JsonValue; next: number } {
  const parser = new TokenParser(bytes, 'jsonb', options, offset);
  const value = parser.parseValue(0);
  return { value, next: parser.pos };
}

/**
 * Reads a bare sequence of JSON-B items to the end of `bytes`, e.g. an EDS (dare.md §4.3: "a bare
 * sequence of data items, not a document", jsonbcd.md §4).
 */
export function readJsonBItems(bytes: Uint8Array, options: ReadOptions = {}): JsonValue[] {
  const items: JsonValue[] = [];
  const parser = new TokenParser(bytes, 'jsonb', options);
  while (!parser.atEnd()) items.push(parser.parseValue(0));
  return items;
}
