import { base64urlEncode } from './base64url.js';
import { EncodingError } from './errors.js';
import { DEFAULT_MAX_DEPTH, formatDateTime, isJsonObject, jsonNumberText, jsonStringLiteral } from './json-value.js';

/** Options of {@link writeJson}. */
export interface JsonWriteOptions {
  /** Spaces per indentation level; 0 or absent = compact (what the reference reads fine, dare.md §1). */
  indent?: number;
  /** Maximum nesting (default 128): also how a cyclic value is refused (`JSON_TOO_DEEP`). */
  maxDepth?: number;
}

/**
 * Writes strict RFC 8259 JSON (never the reference's line-wrapped strings; dare.md §1: "writers
 * may emit ordinary compact JSON"). `Uint8Array` → base64url string, `bigint` → integer literal,
 * `Date` → `"yyyy-MM-ddTHH:mm:ssZ"`, members whose value is `undefined` are omitted.
 * NaN, ±Infinity, functions, symbols, strings with an unpaired surrogate and a top-level
 * `undefined` throw `JSON_UNSUPPORTED_VALUE`.
 */
export function writeJson(value: unknown, options: JsonWriteOptions = {}): string {
  const indent = options.indent ?? 0;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const parts: string[] = [];

  const newline = (depth: number): void => {
    if (indent > 0) parts.push('\n' + ' '.repeat(indent * depth));
  };

  const write = (v: unknown, depth: number, where: string): void => {
    switch (typeof v) {
      case 'string':
        parts.push(jsonStringLiteral(v, where));
        return;
      case 'number':
        if (!Number.isFinite(v)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', `JSON: ${String(v)} at ${where} has no JSON form`);
        parts.push(jsonNumberText(v));
        return;
      case 'bigint':
        parts.push(v.toString());
        return;
      case 'boolean':
        parts.push(v ? 'true' : 'false');
        return;
      case 'object':
        break;
      default:
        throw new EncodingError('JSON_UNSUPPORTED_VALUE', `JSON: a ${typeof v} at ${where} has no JSON form`);
    }
    if (v === null) {
      parts.push('null');
      return;
    }
    if (v instanceof Uint8Array) {
      parts.push('"' + base64urlEncode(v) + '"');
      return;
    }
    if (v instanceof Date) {
      parts.push('"' + formatDateTime(v) + '"');
      return;
    }
    if (depth >= maxDepth) throw new EncodingError('JSON_TOO_DEEP', `JSON: nesting deeper than ${maxDepth} at ${where} (cyclic value?)`);
    if (Array.isArray(v)) {
      parts.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(',');
        newline(depth + 1);
        const item: unknown = v[i];
        write(item === undefined ? null : item, depth + 1, `${where}[${i}]`);
      }
      if (v.length > 0) newline(depth);
      parts.push(']');
      return;
    }
    if (!isJsonObject(v)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', `JSON: unsupported object at ${where}`);
    parts.push('{');
    let first = true;
    for (const key of Object.keys(v)) {
      const member: unknown = v[key];
      if (member === undefined) continue;
      if (!first) parts.push(',');
      first = false;
      newline(depth + 1);
      parts.push(jsonStringLiteral(key, `${where} member name`), indent > 0 ? ': ' : ':');
      write(member, depth + 1, `${where}.${key}`);
    }
    if (!first) newline(depth);
    parts.push('}');
  };

  if (value === undefined) throw new EncodingError('JSON_UNSUPPORTED_VALUE', 'JSON: undefined has no JSON form');
  write(value, 0, '$');
  return parts.join('');
}
