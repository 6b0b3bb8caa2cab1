import { EncodingError, type EncodingErrorCode } from './errors.js';
import { DEFAULT_MAX_DEPTH, setMember, type JsonObject, type JsonValue } from './json-value.js';
import { hexDigitValue } from './hex.js';
import { utf8Decode } from './utf8.js';

/**
 * One recursive-descent parser for JSON text and JSON-B (private to `mathmesh/encoding`).
 * JSON-B is a superset of JSON (jsonbcd.md §1, §4): a document may mix text tokens with binary
 * tokens, and the reference writes dates and floats as text inside JSON-B, so a single parser over
 * bytes serves both; the mode only decides which tokens and separators are allowed.
 */

/** Options shared by the JSON and JSON-B readers. */
export interface ReadOptions {
  /** Maximum nesting of arrays and objects (default 128); deeper input throws `JSON_TOO_DEEP`. */
  maxDepth?: number;
}

/** Options of the JSON text reader. */
export interface JsonReadOptions extends ReadOptions {
  /**
   * Skip a raw line break (CR/LF) and the blanks after it inside strings. The reference wraps long
   * base64 values this way (dare.md §1), which is not RFC 8259 JSON; default `true`. With `false`
   * every raw control character in a string is a `JSON_SYNTAX` error.
   */
  tolerateLineBreaks?: boolean;
}

type Mode = 'json' | 'jsonb';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The parser: one instance per input; `parseValue(0)` reads one value from `pos` (private API of this package). */
export class TokenParser {
  pos: number;
  private readonly maxDepth: number;
  private readonly tolerateLineBreaks: boolean;

  constructor(
    private readonly buf: Uint8Array,
    private readonly mode: Mode,
    options: JsonReadOptions = {},
    start = 0,
  ) {
    this.pos = start;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.tolerateLineBreaks = options.tolerateLineBreaks ?? true;
  }

  // ---- errors -------------------------------------------------------------------------------

  private fail(code: EncodingErrorCode, message: string, at = this.pos): never {
    throw new EncodingError(code, message, at);
  }

  /** Input ended early: JSON-B reports truncation, JSON text a syntax error. */
  private truncated(what: string): never {
    if (this.mode === 'jsonb') this.fail('JSONB_TRUNCATED', `JSON-B: input ends inside ${what}`);
    this.fail('JSON_SYNTAX', `JSON: input ends inside ${what}`);
  }

  private unexpected(expected: string): never {
    if (this.pos >= this.buf.length) this.truncated(expected);
    const b = this.buf[this.pos]!;
    const shown = b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`;
    if (this.mode === 'jsonb') this.fail('JSONB_BAD_TAG', `JSON-B: byte ${shown} where ${expected} was expected`);
    this.fail('JSON_SYNTAX', `JSON: ${shown} where ${expected} was expected`);
  }

  // ---- whitespace ---------------------------------------------------------------------------

  /** Skips whitespace between tokens (RFC 8259 set; in JSON-B also 0C and 08 as REF does, jsonbcd.md §2). */
  skipSpace(): void {
    const buf = this.buf;
    let p = this.pos;
    for (; p < buf.length; p++) {
      const c = buf[p]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (this.mode === 'jsonb' && (c === 0x0c || c === 0x08)) continue;
      break;
    }
    this.pos = p;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.buf.length;
  }

  // ---- values -------------------------------------------------------------------------------

  parseValue(depth: number): JsonValue {
    this.skipSpace();
    if (this.pos >= this.buf.length) this.truncated('a value');
    const b = this.buf[this.pos]!;
    if (b >= 0x80) {
      if (this.mode === 'json') this.unexpected('a value');
      return this.parseBinaryValue(b);
    }
    switch (b) {
      case 0x7b: // {
        return this.parseObject(depth + 1);
      case 0x5b: // [
        return this.parseArray(depth + 1);
      case 0x22: // "
        return this.parseTextString();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return this.parseTextNumber();
        return this.unexpected('a value');
    }
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) {
      this.fail('JSON_TOO_DEEP', `nesting deeper than ${this.maxDepth} levels`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    const buf = this.buf;
    for (let i = 0; i < word.length; i++) {
      if (this.pos + i >= buf.length) this.truncated(`'${word}'`);
      if (buf[this.pos + i] !== word.charCodeAt(i)) this.fail('JSON_SYNTAX', `JSON: malformed literal, expected '${word}'`);
    }
    this.pos += word.length;
    return value;
  }

  private parseArray(depth: number): JsonValue[] {
    this.enter(depth);
    this.pos++; // [
    const out: JsonValue[] = [];
    let needComma = false;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.buf.length) this.truncated('an array');
      const b = this.buf[this.pos]!;
      if (b === 0x5d) {
        if (this.mode === 'json' && !needComma && out.length > 0) this.unexpected('a value after \',\'');
        this.pos++;
        return out;
      }
      if (b === 0x2c) {
        // JSON-B: separators are optional everywhere (jsonbcd.md §4); JSON: exactly one between values.
        if (this.mode === 'json' && !needComma) this.unexpected('a value or \']\'');
        this.pos++;
        needComma = false;
        continue;
      }
      if (this.mode === 'json' && needComma) this.unexpected('\',\' or \']\'');
      out.push(this.parseValue(depth));
      needComma = true;
    }
  }

  private parseObject(depth: number): JsonObject {
    this.enter(depth);
    this.pos++; // {
    const out: JsonObject = {};
    let needComma = false;
    let members = 0;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.buf.length) this.truncated('an object');
      const b = this.buf[this.pos]!;
      if (b === 0x7d) {
        if (this.mode === 'json' && !needComma && members > 0) this.unexpected('a member after \',\'');
        this.pos++;
        return out;
      }
      if (b === 0x2c) {
        if (this.mode === 'json' && !needComma) this.unexpected('a member name or \'}\'');
        this.pos++;
        needComma = false;
        continue;
      }
      if (this.mode === 'json' && needComma) this.unexpected('\',\' or \'}\'');
      const nameAt = this.pos;
      const name = this.parseMemberName();
      if (Object.prototype.hasOwnProperty.call(out, name)) {
        this.fail(this.mode === 'jsonb' ? 'JSONB_BAD_TAG' : 'JSON_SYNTAX', 'duplicate member name', nameAt);
      }
      setMember(out, name, this.parseValue(depth));
      members++;
      needComma = true;
    }
  }

  /**
   * A member name and its `:`. JSON: `"name" :`. JSON-B (jsonbcd.md §4): the reference's tag-string
   * `B4`–`B7` (no colon), a draft b-string `80`–`87` optionally followed by `:`, or JSON text.
   */
  private parseMemberName(): string {
    const b = this.buf[this.pos]!;
    if (this.mode === 'jsonb' && b >= 0xb4 && b <= 0xb7) {
      this.pos++;
      const len = this.readLength(b, 'a member name');
      const s = utf8Decode(this.buf.subarray(this.pos, this.pos + len), this.pos);
      this.pos += len;
      return s;
    }
    let name: string;
    let colonRequired: boolean;
    if (this.mode === 'jsonb' && b >= 0x80 && b <= 0x87) {
      name = utf8Decode(this.readChunked(0x80, 'a string'), this.pos);
      colonRequired = false;
    } else if (b === 0x22) {
      name = this.parseTextString();
      colonRequired = this.mode === 'json';
    } else {
      return this.unexpected('a member name');
    }
    this.skipSpace();
    if (this.pos < this.buf.length && this.buf[this.pos] === 0x3a) this.pos++;
    else if (colonRequired) this.unexpected('\':\'');
    return name;
  }

  // ---- JSON text tokens ---------------------------------------------------------------------

  private parseTextString(): string {
    const buf = this.buf;
    const start = ++this.pos; // after the opening quote
    // Fast path: no escapes and no control characters; one UTF-8 decode of the slice.
    let p = start;
    while (p < buf.length) {
      const c = buf[p]!;
      if (c === 0x22) {
        this.pos = p + 1;
        return utf8Decode(buf.subarray(start, p), start);
      }
      if (c === 0x5c || c < 0x20) break;
      p++;
    }
    return this.parseTextStringSlow(start);
  }

  private parseTextStringSlow(start: number): string {
    const buf = this.buf;
    let out = '';
    let runStart = start;
    let p = start;
    const flush = (end: number): void => {
      if (end > runStart) out += utf8Decode(buf.subarray(runStart, end), runStart);
    };
    for (;;) {
      if (p >= buf.length) {
        this.pos = p;
        this.truncated('a string');
      }
      const c = buf[p]!;
      if (c === 0x22) {
        flush(p);
        this.pos = p + 1;
        return out;
      }
      if (c === 0x5c) {
        flush(p);
        p = this.parseEscape(p, (s) => (out += s));
        runStart = p;
        continue;
      }
      if (c < 0x20) {
        if ((c === 0x0a || c === 0x0d) && this.tolerateLineBreaks) {
          // Reference wrapping (dare.md §1): drop the line break and the indentation after it.
          flush(p);
          p++;
          while (p < buf.length && (buf[p] === 0x20 || buf[p] === 0x09 || buf[p] === 0x0a || buf[p] === 0x0d)) p++;
          runStart = p;
          continue;
        }
        this.fail('JSON_SYNTAX', `JSON: raw control character 0x${c.toString(16).padStart(2, '0')} in a string`, p);
      }
      p++;
    }
  }

  /** Parses the escape at `p` (a backslash); returns the position after it. */
  private parseEscape(p: number, emit: (s: string) => void): number {
    const buf = this.buf;
    if (p + 1 >= buf.length) {
      this.pos = p;
      this.truncated('a string escape');
    }
    const e = buf[p + 1]!;
    switch (e) {
      case 0x22: emit('"'); return p + 2;
      case 0x5c: emit('\\'); return p + 2;
      case 0x2f: emit('/'); return p + 2;
      case 0x62: emit('\b'); return p + 2;
      case 0x66: emit('\f'); return p + 2;
      case 0x6e: emit('\n'); return p + 2;
      case 0x72: emit('\r'); return p + 2;
      case 0x74: emit('\t'); return p + 2;
      case 0x75: {
        const v = this.hex4(p);
        if (v < 0xd800 || v > 0xdfff) {
          emit(String.fromCharCode(v));
          return p + 6;
        }
        // A surrogate must come as a pair, high then low (RFC 8259 §7): a lone one has no UTF-8
        // form, so two different strings would encode — and hash — the same (jsonbcd.md §3).
        // A high surrogate at the end of the input may be the first half of a pair still to come
        // (a streamed reader parses growing prefixes): that is truncation, not a syntax error.
        if (v <= 0xdbff && (p + 6 >= buf.length || (buf[p + 6] === 0x5c && p + 7 >= buf.length))) {
          this.pos = p;
          this.truncated('a \\u escape pair');
        }
        const low = v <= 0xdbff && buf[p + 6] === 0x5c && buf[p + 7] === 0x75 ? this.hex4(p + 6) : -1;
        if (low < 0xdc00 || low > 0xdfff) this.fail('JSON_SYNTAX', 'JSON: unpaired UTF-16 surrogate in a \\u escape', p);
        emit(String.fromCharCode(v, low));
        return p + 12;
      }
      default:
        return this.fail('JSON_SYNTAX', 'JSON: unknown escape sequence', p);
    }
  }

  /** The code unit of the `\\uXXXX` escape at `p`. */
  private hex4(p: number): number {
    const buf = this.buf;
    if (p + 6 > buf.length) {
      this.pos = p;
      this.truncated('a \\u escape');
    }
    let v = 0;
    for (let i = 2; i < 6; i++) {
      const h = hexDigitValue(buf[p + i]!);
      if (h < 0) this.fail('JSON_SYNTAX', 'JSON: malformed \\u escape', p);
      v = (v << 4) | h;
    }
    return v;
  }

  private parseTextNumber(): number | bigint {
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    if (buf[p] === 0x2d) p++;
    const intStart = p;
    while (p < buf.length && isDigit(buf[p]!)) p++;
    const intDigits = p - intStart;
    if (intDigits === 0) {
      this.pos = p;
      if (p >= buf.length) this.truncated('a number');
      this.fail('JSON_SYNTAX', 'JSON: malformed number', start);
    }
    if (intDigits > 1 && buf[intStart] === 0x30) this.fail('JSON_SYNTAX', 'JSON: leading zero in a number', start);
    let integer = true;
    if (p < buf.length && buf[p] === 0x2e) {
      integer = false;
      p++;
      const f = p;
      while (p < buf.length && isDigit(buf[p]!)) p++;
      if (p === f) this.fail('JSON_SYNTAX', 'JSON: malformed fraction', start);
    }
    if (p < buf.length && (buf[p] === 0x65 || buf[p] === 0x45)) {
      integer = false;
      p++;
      if (p < buf.length && (buf[p] === 0x2b || buf[p] === 0x2d)) p++;
      const e = p;
      while (p < buf.length && isDigit(buf[p]!)) p++;
      if (p === e) this.fail('JSON_SYNTAX', 'JSON: malformed exponent', start);
    }
    this.pos = p;
    let text = '';
    for (let i = start; i < p; i++) text += String.fromCharCode(buf[i]!);
    const n = Number(text);
    if (integer && !Number.isSafeInteger(n)) return BigInt(text);
    return n;
  }

  // ---- JSON-B binary tokens (jsonbcd.md §2, §3) ---------------------------------------------

  private parseBinaryValue(tag: number): JsonValue {
    if (tag <= 0x87) return utf8Decode(this.readChunked(0x80, 'a string'), this.pos);
    if (tag <= 0x8f) return this.readChunked(0x88, 'binary data');
    if (tag === 0x92) {
      this.pos++;
      this.need(8, 'a binary64 value');
      const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, false);
      this.pos += 8;
      return v;
    }
    if (tag >= 0xa0 && tag <= 0xa3) {
      this.pos++;
      return this.readInteger(tag, false);
    }
    if (tag >= 0xa8 && tag <= 0xab) {
      this.pos++;
      return this.readInteger(tag, true);
    }
    if (tag === 0xb0 || tag === 0xb1 || tag === 0xb2) {
      this.pos++;
      return tag === 0xb0 ? true : tag === 0xb1 ? false : null;
    }
    if ((tag >= 0x90 && tag <= 0x98) || (tag >= 0xa4 && tag <= 0xaf) || (tag >= 0xc0 && tag <= 0xdf)) {
      this.fail('JSONB_UNSUPPORTED_TAG',
        `JSON-B: tag 0x${tag.toString(16)} (JSON-C/JSON-D/bignum) is not supported; the Mesh uses none of them`);
    }
    return this.unexpected('a JSON-B value');
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) this.truncated(what);
  }

  /** Reads the big-endian length field selected by the tag's low two bits, checked against the input left. */
  private readLength(tag: number, what: string): number {
    const width = 1 << (tag & 3);
    this.need(width, `the length of ${what}`);
    const buf = this.buf;
    let p = this.pos;
    let len: number;
    if (width === 8) {
      const hi = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
      const lo = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>> 0;
      len = hi * 2 ** 32 + lo; // may round above 2^53, which is far beyond any input anyway
    } else {
      len = 0;
      for (let i = 0; i < width; i++) len = len * 256 + buf[p + i]!;
    }
    p += width;
    this.pos = p;
    const left = buf.length - p;
    if (len > left) {
      // Fail before allocating anything: lengths are attacker-controlled (jsonbcd.md §4).
      this.fail('JSONB_TRUNCATED', `JSON-B: ${what} declares ${len} bytes but only ${left} remain`, p - width - 1);
    }
    return len;
  }

  /**
   * Reads a string (`base` 0x80) or data (`base` 0x88) item: zero or more chunks (`base+4`…`base+7`)
   * then exactly one terminal item (`base`…`base+3`), concatenated (jsonbcd.md §3 "Chunks").
   *
   * Chunk counts are attacker-controlled: 8 MB of empty chunks (`8C 00`) is four million of them.
   * So the chunks are walked twice — once to check every header and add up the lengths, once to
   * copy — and nothing is allocated per chunk: the only allocation is the result (at most the
   * input's size), and empty chunks cost a header check and nothing else.
   */
  private readChunked(base: number, what: string): Uint8Array {
    const buf = this.buf;
    const start = this.pos;
    let total = 0;
    let chunks = 0;
    let onlyAt = 0; // where the data of the one non-empty chunk starts, while there is just one
    let nonEmpty = 0;
    for (;;) {
      if (this.pos >= buf.length) this.truncated(what);
      const tag = buf[this.pos]!;
      if (tag < base || tag > base + 7) this.unexpected(`a chunk of ${what}`);
      this.pos++;
      const len = this.readLength(tag, what);
      if (len > 0) {
        nonEmpty++;
        onlyAt = this.pos;
      }
      this.pos += len;
      total += len;
      chunks++;
      if (tag <= base + 3) break; // terminal item
    }
    // A plain Uint8Array (not `buf.slice`, which keeps a subclass of the input's).
    const out = new Uint8Array(total);
    if (nonEmpty <= 1) {
      out.set(buf.subarray(onlyAt, onlyAt + total));
      return out;
    }
    let p = start;
    let o = 0;
    for (let i = 0; i < chunks; i++) {
      const width = 1 << (buf[p]! & 3);
      let len = 0;
      for (let k = 1; k <= width; k++) len = len * 256 + buf[p + k]!;
      p += 1 + width;
      // Short chunks byte by byte: a view per chunk would be garbage per chunk.
      if (len >= 64) out.set(buf.subarray(p, p + len), o);
      else for (let k = 0; k < len; k++) out[o + k] = buf[p + k]!;
      p += len;
      o += len;
    }
    return out;
  }

  /** `A0`–`A3` (value) or `A8`–`AB` (negated magnitude), big-endian 1/2/4/8 bytes; unsafe values as bigint. */
  private readInteger(tag: number, negative: boolean): number | bigint {
    const width = 1 << (tag & 3);
    this.need(width, 'an integer');
    const buf = this.buf;
    const p = this.pos;
    this.pos += width;
    if (width === 8) {
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(buf[p + i]!);
      if (v <= BigInt(MAX_SAFE)) {
        const n = Number(v);
        return negative ? (n === 0 ? 0 : -n) : n;
      }
      return negative ? -v : v;
    }
    let n = 0;
    for (let i = 0; i < width; i++) n = n * 256 + buf[p + i]!;
    return negative ? (n === 0 ? 0 : -n) : n;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
