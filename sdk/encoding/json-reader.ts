import { EncodingError } from './errors.js';
import type { JsonValue } from './json-value.js';
import { TokenParser, type JsonReadOptions } from './token-parser.js';
import { utf8Encode } from './utf8.js';

export type { JsonReadOptions, ReadOptions } from './token-parser.js';

/**
 * Parses JSON text (RFC 8259) as written by the reference: by default a raw line break plus the
 * blanks after it *inside a string* are dropped, because the reference wraps long base64url values
 * that way and `JSON.parse` rejects them (dare.md §1). Everything else is strict: one value,
 * commas and colons where RFC 8259 puts them, no duplicate member names, no trailing data.
 * Integers beyond ±(2^53 − 1) come back as `bigint`; binary values stay base64url strings
 * (decode them with `base64urlDecode`, which also skips whitespace).
 * Errors: `JSON_SYNTAX`, `JSON_TOO_DEEP`, `UTF8_INVALID` (bytes input).
 */
export function parseJson(text: string | Uint8Array, options: JsonReadOptions = {}): JsonValue {
  const bytes = typeof text === 'string' ? utf8Encode(text) : text;
  const parser = new TokenParser(bytes, 'json', options);
  const value = parser.parseValue(0);
  if (!parser.atEnd()) {
    throw new EncodingError('JSON_SYNTAX', 'JSON: unexpected data after the value', parser.pos);
  }
  return value;
}
