import { Base64urlStreamDecoder } from '../../encoding/base64url-stream.js';
import { EncodingError } from '../../encoding/errors.js';
import type { JsonValue } from '../../encoding/json-value.js';
import { parseJson } from '../../encoding/json-reader.js';
import { readJsonBValue } from '../../encoding/jsonb-reader.js';
import { utf8Decode } from '../../encoding/utf8.js';
import { DareError } from '../errors.js';
import type { ByteReader } from './byte-reader.js';

/**
 * Reads an envelope in any wire form (dare.md §2) as it arrives: header and trailer parsed whole
 * (each bounded by `maxHeaderBytes`), the payload handed on piece by piece, never held. Forms:
 * - JSON-B `5B header payload-item(s) trailer? 5D`, the payload one data item (`88`–`8B`) or
 *   chunks (`8C`–`8F`) ending with one (jsonbcd.md §2–§3): what the streaming encoder writes;
 * - the reference's streamed file, JSON text `[` header `,` then JSON-B data chunks `,` trailer
 *   `]` (REF `DareEnvelopeWriter`; the header is text, the payload binary);
 * - JSON text `[header, "base64url", trailer?]` and tagged `{"DareEnvelope": [...]}`, the payload
 *   decoded from base64url as it streams (the reference's line breaks inside it are skipped).
 * Separators `,` are optional between the items, as JSON-B readers take them (jsonbcd.md §4).
 * Errors are those of `parseEnvelope`: `DARE_TRUNCATED`, `DARE_TOO_DEEP`, `DARE_BAD_FORMAT`.
 *
 * What it accepts is what `parseEnvelope` accepts: that reads an input with no byte from 80 up as
 * strict JSON text and anything else as JSON-B (whose syntax is looser: optional `,` and `:`,
 * more whitespace). A stream cannot know the kind before its end, so the reader parses every
 * value as JSON-B, notes whether the input so far had a byte from 80 up and whether it used any
 * JSON-B-only syntax, and at the end refuses an all-text envelope that is not strict JSON.
 */

/** Limits of the reader. */
export interface WireLimits {
  /** Nesting limit of the whole envelope, counted as `parseEnvelope` counts it. */
  readonly maxDepth: number;
  /** Largest header, and largest trailer, in bytes. */
  readonly maxHeaderBytes: number;
}

const truncated = (what: string): DareError => new DareError('DARE_TRUNCATED', `envelope: ${what}`);
const badFormat = (what: string): DareError => new DareError('DARE_BAD_FORMAT', `envelope: ${what}`);
const shown = (b: number): string => (b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`);

/** One reader per envelope: call `header()`, iterate `payload()`, then `end()`. */
export class EnvelopeWireReader {
  private tagged = false;
  private base64?: Base64urlStreamDecoder;
  /** A byte from 80 up was read (then `parseEnvelope` reads the input as JSON-B). */
  private highByte = false;
  /** Syntax that JSON-B allows and JSON text does not was read. */
  private jsonbSyntax = false;

  constructor(private readonly r: ByteReader, private readonly limits: WireLimits) {}

  /** Offset of the next byte in the input. */
  get position(): number {
    return this.r.position;
  }

  /** Reads the envelope's opening and its header value. */
  async header(): Promise<JsonValue> {
    const r = this.r;
    await this.space();
    if (!(await r.fill(1))) throw truncated('the input is empty');
    if (r.peek() === 0x7b) {
      // Tagged form: an object whose one member holds the envelope array.
      r.skip(1);
      this.tagged = true;
      await this.memberName();
    }
    await this.space();
    if (!(await r.fill(1))) throw truncated('the input ends before the envelope array');
    if (r.peek() !== 0x5b) throw badFormat(`not an envelope array or a tagged envelope (starts with ${shown(r.peek())})`);
    r.skip(1);
    await this.space();
    if (!(await r.fill(1))) throw truncated('no header');
    if (r.peek() === 0x5d) throw truncated('no header');
    return this.value('header');
  }

  /** The payload bytes as stored (ciphertext when encrypted), in pieces valid until the next one is asked for. */
  async *payload(): AsyncGenerator<Uint8Array> {
    const r = this.r;
    await this.separator(true);
    if (!(await r.fill(1))) throw truncated('no payload');
    const b = r.peek();
    if (b === 0x5d) throw truncated('no payload');
    if (b >= 0x80) this.highByte = true;
    if (b >= 0x88 && b <= 0x8f) {
      yield* this.items(0x88);
    } else if (b >= 0x80 && b <= 0x87) {
      this.base64 = new Base64urlStreamDecoder();
      yield* this.items(0x80);
      this.endBase64();
    } else if (b === 0x22) {
      yield* this.textString();
    } else {
      throw badFormat(`payload: not binary data (${shown(b)})`);
    }
  }

  /** Reads the trailer, if any, and the envelope's end; nothing but whitespace may follow. */
  async end(): Promise<JsonValue | undefined> {
    const r = this.r;
    const comma = await this.separator(false);
    if (!(await r.fill(1))) throw truncated('the input ends before the closing ]');
    let trailer: JsonValue | undefined;
    if (r.peek() !== 0x5d) {
      if (!comma) this.jsonbSyntax = true;
      trailer = await this.value('trailer');
      if (await this.separator(false)) this.jsonbSyntax = true; // a comma before `]`
      if (!(await r.fill(1))) throw truncated('the input ends before the closing ]');
      if (r.peek() !== 0x5d) throw badFormat('more than 3 items (header, payload, trailer at most)');
    } else if (comma) {
      this.jsonbSyntax = true;
    }
    r.skip(1);
    if (this.tagged) {
      await this.space();
      if (!(await r.fill(1))) throw truncated('the input ends before the closing } of the tagged envelope');
      if (r.peek() !== 0x7d) throw badFormat('a tagged envelope holds one member');
      r.skip(1);
    }
    await this.space();
    if (await r.fill(1)) throw badFormat(`data after the envelope (at byte ${r.position})`);
    if (!this.highByte && this.jsonbSyntax) throw badFormat('not JSON: a text envelope must be JSON text (JSON-B syntax only in binary envelopes)');
    return trailer;
  }

  /** Skips whitespace, noting whitespace JSON text does not allow. */
  private async space(): Promise<void> {
    if (await this.r.skipSpace()) this.jsonbSyntax = true;
  }

  /** Skips an optional `,` with the whitespace around it; true when there was one. `expected`: JSON text needs one here. */
  private async separator(expected: boolean): Promise<boolean> {
    const r = this.r;
    await this.space();
    if ((await r.fill(1)) && r.peek() === 0x2c) {
      r.skip(1);
      await this.space();
      return true;
    }
    if (expected) this.jsonbSyntax = true;
    return false;
  }

  /** One JSON / JSON-B value, read from a window that grows (doubling) until it holds it. */
  private async value(what: 'header' | 'trailer'): Promise<JsonValue> {
    const r = this.r;
    const limit = this.limits.maxHeaderBytes;
    // The envelope array (and the tagged object) are levels of nesting above this value.
    const maxDepth = this.limits.maxDepth - (this.tagged ? 2 : 1);
    // First try what is here; after a truncated parse, wait for twice as much (linear overall).
    let need = 1;
    for (;;) {
      const more = await r.fill(need);
      const window = r.window();
      const view = window.length > limit ? window.subarray(0, limit) : window;
      try {
        const { value, next } = readJsonBValue(view, 0, { maxDepth });
        this.noteSyntax(view.subarray(0, next), maxDepth);
        r.skip(next);
        return value;
      } catch (e) {
        if (!(e instanceof EncodingError)) throw e;
        if (e.code === 'JSON_TOO_DEEP') throw new DareError('DARE_TOO_DEEP', `envelope ${what}: ${e.message}`, { cause: e });
        if (e.code !== 'JSONB_TRUNCATED') throw new DareError('DARE_BAD_FORMAT', `envelope ${what}: ${e.code}: ${e.message}`, { cause: e });
        if (view.length >= limit) throw badFormat(`${what} larger than ${limit} bytes (maxHeaderBytes)`);
        if (!more) throw new DareError('DARE_TRUNCATED', `envelope ${what}: ${e.message}`, { cause: e });
        need = Math.min(Math.max(2 * window.length, window.length + 1), limit + 1);
      }
    }
  }

  /** Notes whether a value's bytes hold a byte from 80 up, or else are not strict JSON text. */
  private noteSyntax(bytes: Uint8Array, maxDepth: number): void {
    if (this.highByte || this.jsonbSyntax) return;
    for (const b of bytes) {
      if (b >= 0x80) {
        this.highByte = true;
        return;
      }
    }
    try {
      parseJson(bytes, { maxDepth });
    } catch {
      this.jsonbSyntax = true;
    }
  }

  /** A member name of the tagged form: JSON text `"name" :`, a JSON-B tag-string `B4`–`B7`, or a string item `80`–`83`. */
  private async memberName(): Promise<void> {
    const r = this.r;
    await this.space();
    if (!(await r.fill(1))) throw truncated('the input ends inside the tagged envelope');
    const b = r.peek();
    if (b >= 0x80) this.highByte = true;
    if (b >= 0xb4 && b <= 0xb7) {
      const length = await this.itemLength(b, 'a member name');
      if (length > this.limits.maxHeaderBytes) throw badFormat('member name too long');
      if (!(await r.fill(length))) throw truncated('the input ends inside a member name');
      try {
        utf8Decode(r.window().subarray(0, length)); // any name, but text, as parseEnvelope reads it
      } catch (e) {
        throw new DareError('DARE_BAD_FORMAT', 'envelope: the tagged envelope\'s member name is not UTF-8 text', { cause: e });
      }
      r.skip(length);
      return;
    }
    if (b !== 0x22 && !(b >= 0x80 && b <= 0x83)) throw badFormat(`not an envelope array or a tagged envelope (${shown(b)} where a member name was expected)`);
    const name = await this.value('header');
    if (typeof name !== 'string') throw badFormat('not a tagged envelope');
    await this.space();
    if ((await r.fill(1)) && r.peek() === 0x3a) r.skip(1);
    else if (b === 0x22) throw badFormat("':' expected after the member name");
    else this.jsonbSyntax = true;
  }

  /** Reads the tag at the head and its big-endian length field; returns the length. */
  private async itemLength(tag: number, what: string): Promise<number> {
    const r = this.r;
    const width = 1 << (tag & 3);
    if (!(await r.fill(1 + width))) throw truncated(`the input ends inside the length of ${what}`);
    let length = 0;
    for (let i = 1; i <= width; i++) length = length * 256 + r.peek(i);
    if (!Number.isSafeInteger(length)) throw badFormat(`${what}: length beyond 2^53`);
    r.skip(1 + width);
    return length;
  }

  /** Data (`base` 0x88) or string (0x80) items: chunks `base+4`…`base+7`, then one terminal `base`…`base+3`. */
  private async *items(base: number): AsyncGenerator<Uint8Array> {
    const r = this.r;
    const what = base === 0x88 ? 'the payload' : 'the payload text';
    for (;;) {
      if (!(await r.fill(1))) throw truncated(`the input ends inside ${what}`);
      const tag = r.peek();
      if (tag < base || tag > base + 7) throw badFormat(`${shown(tag)} where a chunk of ${what} was expected (at byte ${r.position})`);
      const length = await this.itemLength(tag, what);
      let left = length;
      while (left > 0) {
        if (r.available === 0 && !(await r.fill(1))) throw truncated(`${what} declares ${length} bytes and the input ends first`);
        const piece = r.take(left);
        left -= piece.length;
        yield this.base64 ? this.decodeBase64(piece) : piece;
      }
      if (tag < base + 4) return;
    }
  }

  /** A JSON text string holding base64url (raw line breaks and blanks inside it are skipped). */
  private async *textString(): AsyncGenerator<Uint8Array> {
    const r = this.r;
    r.skip(1);
    this.base64 = new Base64urlStreamDecoder();
    for (;;) {
      if (r.available === 0 && !(await r.fill(1))) throw truncated('the input ends inside the payload string');
      const window = r.window();
      let stop = 0;
      while (stop < window.length && window[stop] !== 0x22 && window[stop] !== 0x5c) stop++;
      if (stop > 0) yield this.decodeBase64(r.take(stop));
      if (stop === window.length) continue;
      if (window[stop] === 0x22) {
        r.skip(1);
        this.endBase64();
        return;
      }
      // An escape: the whitespace ones stand for what base64url skips anyway; others are not base64url.
      if (!(await r.fill(2))) throw truncated('the input ends inside the payload string');
      const e = r.peek(1);
      if (e !== 0x6e && e !== 0x72 && e !== 0x74) throw badFormat('payload: not base64url (an escape other than \\n, \\r, \\t)');
      r.skip(2);
    }
  }

  private decodeBase64(text: Uint8Array): Uint8Array {
    try {
      return this.base64!.push(text);
    } catch (e) {
      if (e instanceof EncodingError) throw new DareError('DARE_BAD_FORMAT', `envelope payload: not base64url (${e.code})`, { cause: e });
      throw e;
    }
  }

  private endBase64(): void {
    try {
      this.base64!.end();
    } catch (e) {
      if (e instanceof EncodingError) throw new DareError('DARE_BAD_FORMAT', `envelope payload: not base64url (${e.code})`, { cause: e });
      throw e;
    }
  }
}
