import { EncodingError } from './errors.js';
import { isWellFormedText } from './utf8.js';

/**
 * The value model shared by the JSON and JSON-B readers and writers.
 * - `Uint8Array` is binary data: a JSON-B data item (`88`…), a base64url string in JSON text.
 * - `bigint` carries integers outside ±(2^53 − 1) (JSON-B integers are up to 64 bits, jsonbcd.md §4).
 * - `Date` is written the reference's way, `yyyy-MM-ddTHH:mm:ssZ`, as *text* even inside JSON-B
 *   (jsonbcd.md §3, §5.4); readers return it as a string (the schema, not the bytes, says "date").
 * Object member order is preserved (it is significant when re-encoding reference bytes, jsonbcd.md §5.1),
 * with JavaScript's own caveat that integer-like member names ("1", "2") are iterated first.
 */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Date
  | JsonValue[]
  | { [member: string]: JsonValue | undefined };

/** A JSON object as read (members in document order). */
export type JsonObject = { [member: string]: JsonValue | undefined };

/** Default nesting limit of readers and writers: deep enough for any Mesh object, shallow enough for the stack. */
export const DEFAULT_MAX_DEPTH = 128;

/** True for the objects the writers treat as JSON objects (not arrays, bytes, dates or class instances with special meaning). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/**
 * Adds a member without invoking setters: `__proto__` becomes an ordinary own property instead of
 * replacing the prototype (untrusted input must not be able to change an object's prototype).
 */
export function setMember(obj: JsonObject, name: string, value: JsonValue): void {
  if (name === '__proto__') {
    Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[name] = value;
  }
}

/**
 * `yyyy-MM-ddTHH:mm:ssZ` (UTC, no fraction): the reference's DateTime format (dare.md §1). An
 * invalid Date throws `JSON_UNSUPPORTED_VALUE` (every writer goes through here).
 */
export function formatDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new EncodingError('JSON_UNSUPPORTED_VALUE', 'an invalid Date has no DateTime form');
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A string as a JSON text literal. A string with an unpaired surrogate is refused
 * (`JSON_UNSUPPORTED_VALUE`): its `\uD800` escape is refused by our reader, and its UTF-8 form
 * (U+FFFD) is the same as other strings' — two headers that a digest could not tell apart.
 */
export function jsonStringLiteral(s: string, where: string): string {
  if (!isWellFormedText(s)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', `JSON: the string at ${where} has an unpaired UTF-16 surrogate`);
  return JSON.stringify(s);
}

/**
 * A finite number as JSON text that reads back as the same value. `String(2 ** 60)` is the
 * shortest text that rounds to it, `1152921504606847000`, which the readers take as that exact
 * integer (a bigint): a different number. So integral numbers beyond ±(2^53 − 1) are written with
 * their exact digits below 2^64 (the integers JSON-B carries, read back exactly), and in exponent
 * form from 2^64 on (read back as the same binary64). Others as `String` (−0 as `0`).
 */
export function jsonNumberText(v: number): string {
  if (Object.is(v, -0)) return '0';
  if (!Number.isInteger(v) || Number.isSafeInteger(v)) return String(v);
  return Math.abs(v) < 2 ** 64 ? BigInt(v).toString() : v.toExponential();
}

/**
 * A short description of a value read from untrusted JSON, for error messages: a string as a
 * quoted literal (cut at 40 characters), a number, boolean or null as written, anything else by
 * its kind (`an object`, `an array`, `binary data`). Never throws: `String(v)` on a parsed object
 * whose `toString` member is not a function (`{"toString": 1}`) throws a TypeError, so error
 * paths must never stringify a hostile value themselves.
 */
export function describeJsonValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null) return `${v}`;
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'binary data';
  if (v instanceof Date) return 'a date';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
