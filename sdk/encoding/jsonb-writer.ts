import { EncodingError } from './errors.js';
import { DEFAULT_MAX_DEPTH, formatDateTime, isJsonObject, jsonNumberText } from './json-value.js';
import { isWellFormedText, utf8Encode } from './utf8.js';

/**
 * JSON-B writer reproducing the reference's bytes (jsonbcd.md §3, §5):
 * - string → `80+w` length UTF-8 (length = UTF-8 *byte* count, not REF's buggy UTF-16 count);
 * - `Uint8Array` → `88+w` length bytes;
 * - integer (number with |n| < 2^64, or bigint) → `A0+w` n, or `A8+w` |n| when negative;
 * - other finite numbers → decimal JSON **text** (REF never writes `92`, its reader rejects it);
 * - `true`/`false`/`null` → `B0`/`B1`/`B2`;
 * - `Date` → JSON text string `"yyyy-MM-ddTHH:mm:ssZ"` (REF's JsonBWriter has no binary DateTime);
 * - array → `5B` items `5D`; object → `7B` (`B4+w` name, value)… `7D`; no separators; member
 *   order as given; members whose value is `undefined` are omitted.
 * Every length and integer uses the smallest width w (1/2/4/8 bytes).
 */
export interface JsonBWriteOptions {
  /** Maximum nesting (default 128); also refuses cyclic values (`JSON_TOO_DEEP`). */
  maxDepth?: number;
  /**
   * How `number` values are written: `'reference'` (default) as above — what the reference reads —
   * or `'binary64'`: every number as `92` + IEEE 754 big-endian (the draft's binary form, jsonbcd.md
   * §2; the reference reader rejects it, so use it only with readers that accept it). `bigint`s
   * are integers in both modes.
   */
  numbers?: 'reference' | 'binary64';
}

/** Tag bases (jsonbcd.md §2). */
export const JSONB_TAG = {
  STRING_TERM: 0x80,
  STRING_CHUNK: 0x84,
  DATA_TERM: 0x88,
  DATA_CHUNK: 0x8c,
  BINARY64: 0x92,
  POSITIVE: 0xa0,
  NEGATIVE: 0xa8,
  TRUE: 0xb0,
  FALSE: 0xb1,
  NULL: 0xb2,
  TAG_STRING: 0xb4,
} as const;

const TWO64 = 2 ** 64;

class ByteSink {
  buf = new Uint8Array(256);
  n = 0;
  /** True when the last token written was a text number, which must be kept apart from a following one. */
  lastTextNumber = false;

  ensure(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.n++] = b;
    this.lastTextNumber = false;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    this.lastTextNumber = false;
  }

  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.n++] = s.charCodeAt(i);
    this.lastTextNumber = false;
  }

  /** Tag `base + w` then `value` big-endian in 1/2/4/8 bytes, the smallest that fits (0 <= value < 2^64). */
  tagged(base: number, value: number | bigint): void {
    this.ensure(9);
    const buf = this.buf;
    if (typeof value === 'number' && value < 2 ** 32) {
      if (value < 0x100) {
        buf[this.n++] = base;
        buf[this.n++] = value;
      } else if (value < 0x10000) {
        buf[this.n++] = base + 1;
        buf[this.n++] = value >>> 8;
        buf[this.n++] = value & 0xff;
      } else {
        buf[this.n++] = base + 2;
        buf[this.n++] = value >>> 24;
        buf[this.n++] = (value >>> 16) & 0xff;
        buf[this.n++] = (value >>> 8) & 0xff;
        buf[this.n++] = value & 0xff;
      }
    } else {
      const v = BigInt(value);
      if (v < 2n ** 32n) {
        this.tagged(base, Number(v));
        return;
      }
      buf[this.n++] = base + 3;
      for (let i = 7; i >= 0; i--) buf[this.n++] = Number((v >> BigInt(8 * i)) & 0xffn);
    }
    this.lastTextNumber = false;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** UTF-8 of a string or member name; one with an unpaired surrogate has none (it would become U+FFFD). */
function utf8Text(s: string): Uint8Array {
  if (!isWellFormedText(s)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', 'JSON-B: a string with an unpaired UTF-16 surrogate has no UTF-8 form');
  return utf8Encode(s);
}

/** Encodes one value as JSON-B (see the rules above). */
export function encodeJsonB(value: unknown, options: JsonBWriteOptions = {}): Uint8Array {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const binary64 = options.numbers === 'binary64';
  const out = new ByteSink();

  const integer = (v: number | bigint): void => {
    const negative = v < 0;
    const magnitude = negative ? -BigInt(v) : BigInt(v);
    if (magnitude >= 1n << 64n) {
      throw new EncodingError('JSONB_INTEGER_RANGE', 'JSON-B: integer magnitude does not fit in 64 bits');
    }
    out.tagged(negative ? JSONB_TAG.NEGATIVE : JSONB_TAG.POSITIVE, magnitude);
  };

  const write = (v: unknown, depth: number): void => {
    switch (typeof v) {
      case 'string': {
        const b = utf8Text(v);
        out.tagged(JSONB_TAG.STRING_TERM, b.length);
        out.bytes(b);
        return;
      }
      case 'number':
        if (binary64 && !Number.isNaN(v)) {
          out.ensure(9);
          out.buf[out.n++] = JSONB_TAG.BINARY64;
          new DataView(out.buf.buffer, out.buf.byteOffset + out.n, 8).setFloat64(0, v, false);
          out.n += 8;
          out.lastTextNumber = false;
          return;
        }
        if (!Number.isFinite(v)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', `JSON-B: ${String(v)} has no encoding`);
        if (Number.isInteger(v) && Math.abs(v) < TWO64) {
          if (Number.isSafeInteger(v)) out.tagged(v < 0 ? JSONB_TAG.NEGATIVE : JSONB_TAG.POSITIVE, Math.abs(v));
          else integer(BigInt(v));
          return;
        }
        // REF writes non-integers as decimal text; a space keeps two adjacent text numbers apart.
        if (out.lastTextNumber) out.byte(0x20);
        out.ascii(jsonNumberText(v));
        out.lastTextNumber = true;
        return;
      case 'bigint':
        integer(v);
        return;
      case 'boolean':
        out.byte(v ? JSONB_TAG.TRUE : JSONB_TAG.FALSE);
        return;
      case 'object':
        break;
      default:
        throw new EncodingError('JSON_UNSUPPORTED_VALUE', `JSON-B: a ${typeof v} has no encoding`);
    }
    if (v === null) {
      out.byte(JSONB_TAG.NULL);
      return;
    }
    if (v instanceof Uint8Array) {
      out.tagged(JSONB_TAG.DATA_TERM, v.length);
      out.bytes(v);
      return;
    }
    if (v instanceof Date) {
      out.ascii('"' + formatDateTime(v) + '"');
      return;
    }
    if (depth >= maxDepth) throw new EncodingError('JSON_TOO_DEEP', `JSON-B: nesting deeper than ${maxDepth} (cyclic value?)`);
    if (Array.isArray(v)) {
      out.byte(0x5b);
      for (const item of v as unknown[]) write(item === undefined ? null : item, depth + 1);
      out.byte(0x5d);
      return;
    }
    if (!isJsonObject(v)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', 'JSON-B: unsupported object');
    out.byte(0x7b);
    for (const key of Object.keys(v)) {
      const member: unknown = v[key];
      if (member === undefined) continue;
      const name = utf8Text(key);
      out.tagged(JSONB_TAG.TAG_STRING, name.length);
      out.bytes(name);
      write(member, depth + 1);
    }
    out.byte(0x7d);
  };

  if (value === undefined) throw new EncodingError('JSON_UNSUPPORTED_VALUE', 'JSON-B: undefined has no encoding');
  write(value, 0);
  return out.result();
}
