import type { BareItem, Dictionary, InnerList, Item, Parameters } from 'structured-headers';

/**
 * A short path for parsing the Dictionaries every signed message carries — Signature-Input,
 * Signature (RFC 9421 §4) and Content-Digest (RFC 9530 §2) — by the algorithm of RFC 8941
 * §4.2.2 (members, Inner Lists §4.2.1.2, Parameters §4.2.3.2) for the bare items those fields
 * are made of: Integers (§4.2.4), Strings (§4.2.5), Byte Sequences (§4.2.7) and Booleans
 * (§4.2.8). The `structured-headers` package walks the text one regular expression and one
 * string concatenation per character, which cost the service and each client a few percent of
 * their CPU per request.
 *
 * It never decides alone: it returns undefined for anything outside that subset (a Token, a
 * Decimal, a Date, a Display String) and for any text the algorithm fails on, and the caller
 * then hands the text to the package, which parses it or throws its error exactly as before. For
 * every text it does parse, it gives what the package gives — the same Maps in the same order,
 * Strings, Integers (also `-0`), Booleans, and Byte Sequences as ArrayBuffers holding what the
 * package's `atob` decodes them to (a differential test holds it to that).
 */
export function parseDictionaryShort(input: string): Dictionary | undefined {
  const p = new ShortParser(input);
  try {
    return p.dictionary();
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

/** Thrown inside the parser to leave for the package (never escapes {@link parseDictionaryShort}). */
const OUTSIDE = Symbol('outside the short path');

const SP = 0x20;
const HTAB = 0x09;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLcAlpha = (c: number): boolean => c >= 0x61 && c <= 0x7a;
/** RFC 8941 §4.2.3.3: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
const isKeyStart = (c: number): boolean => isLcAlpha(c) || c === 0x2a;
const isKeyChar = (c: number): boolean => isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2a;
/** The characters the package lets into a Byte Sequence before `atob` sees them. */
const isBase64Char = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || isDigit(c) || c === 0x2b || c === 0x2f || c === 0x3d;

/** Values of the base64 alphabet (RFC 4648 §4) by character code, -1 elsewhere. */
const BASE64 = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * What `atob` decodes `text[from, to)` to, as bytes — the package decodes a Byte Sequence with
 * `atob` — for text of the base64 alphabet and "=" only: the WHATWG "forgiving-base64 decode"
 * (up to two "=" dropped from the end of a multiple of 4 characters; a length of 4k+1 or any "="
 * left is a failure, undefined; the bits of an incomplete last byte are discarded).
 */
function forgivingBase64(text: string, from: number, to: number): Uint8Array | undefined {
  let end = to;
  if ((end - from) % 4 === 0 && end > from && text.charCodeAt(end - 1) === 0x3d) {
    end--;
    if (text.charCodeAt(end - 1) === 0x3d) end--;
  }
  const n = end - from;
  if (n % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = from; i < end; i++) {
    const v = BASE64[text.charCodeAt(i)]!; // "=" is -1: a failure
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

class ShortParser {
  #pos = 0;
  readonly #s: string;
  readonly #n: number;

  constructor(input: string) {
    this.#s = input;
    this.#n = input.length;
  }

  #code(): number {
    // NaN at the end: every comparison with it is false.
    return this.#s.charCodeAt(this.#pos);
  }

  #skipSP(): void {
    while (this.#code() === SP) this.#pos++;
  }

  #skipOWS(): void {
    for (let c = this.#code(); c === SP || c === HTAB; c = this.#code()) this.#pos++;
  }

  dictionary(): Dictionary {
    this.#skipSP();
    const dictionary: Dictionary = new Map();
    while (this.#pos < this.#n) {
      const key = this.#key();
      let member: Item | InnerList;
      if (this.#code() === 0x3d) {
        this.#pos++;
        member = this.#code() === 0x28 ? this.#innerList() : [this.#bareItem(), this.#parameters()];
      } else {
        member = [true, this.#parameters()];
      }
      dictionary.set(key, member);
      this.#skipOWS();
      if (this.#pos >= this.#n) return dictionary;
      if (this.#code() !== 0x2c) throw OUTSIDE;
      this.#pos++;
      this.#skipOWS();
      if (this.#pos >= this.#n) throw OUTSIDE; // a trailing comma
    }
    return dictionary;
  }

  #key(): string {
    const start = this.#pos;
    if (!isKeyStart(this.#code())) throw OUTSIDE;
    this.#pos++;
    while (isKeyChar(this.#code())) this.#pos++;
    return this.#s.slice(start, this.#pos);
  }

  #innerList(): InnerList {
    this.#pos++; // "("
    const items: Item[] = [];
    while (this.#pos < this.#n) {
      this.#skipSP();
      if (this.#code() === 0x29) {
        this.#pos++;
        return [items, this.#parameters()];
      }
      items.push([this.#bareItem(), this.#parameters()]);
      const next = this.#code();
      if (next !== SP && next !== 0x29) throw OUTSIDE;
    }
    throw OUTSIDE;
  }

  #parameters(): Parameters {
    const parameters: Parameters = new Map();
    while (this.#code() === 0x3b) {
      this.#pos++;
      this.#skipSP();
      const key = this.#key();
      let value: BareItem = true;
      if (this.#code() === 0x3d) {
        this.#pos++;
        value = this.#bareItem();
      }
      parameters.set(key, value);
    }
    return parameters;
  }

  #bareItem(): BareItem {
    const c = this.#code();
    if (c === 0x2d || isDigit(c)) return this.#integer();
    if (c === 0x22) return this.#string();
    if (c === 0x3a) return this.#byteSequence();
    if (c === 0x3f) return this.#boolean();
    throw OUTSIDE; // a Token, Date or Display String (the package's), or nothing an item starts with
  }

  #integer(): number {
    let sign = 1;
    if (this.#code() === 0x2d) {
      sign = -1;
      this.#pos++;
    }
    const start = this.#pos;
    while (isDigit(this.#code())) this.#pos++;
    const digits = this.#pos - start;
    // No digit, a Decimal, or more than 15 digits: the package's to parse or refuse.
    if (digits === 0 || digits > 15 || this.#code() === 0x2e) throw OUTSIDE;
    return parseInt(this.#s.slice(start, this.#pos), 10) * sign;
  }

  #string(): string {
    this.#pos++; // '"'
    const start = this.#pos;
    for (;;) {
      const c = this.#code();
      if (c === 0x22) {
        const out = this.#s.slice(start, this.#pos);
        this.#pos++;
        return out;
      }
      // An escape, a character outside %x20-7E, or the end: the package's.
      if (!(c >= 0x20 && c <= 0x7e) || c === 0x5c) throw OUTSIDE;
      this.#pos++;
    }
  }

  #byteSequence(): ArrayBuffer {
    this.#pos++; // ":"
    const end = this.#s.indexOf(':', this.#pos);
    if (end < 0) throw OUTSIDE;
    for (let i = this.#pos; i < end; i++) if (!isBase64Char(this.#s.charCodeAt(i))) throw OUTSIDE;
    const bytes = forgivingBase64(this.#s, this.#pos, end);
    if (bytes === undefined) throw OUTSIDE;
    this.#pos = end + 1;
    return bytes.buffer as ArrayBuffer;
  }

  #boolean(): boolean {
    const c = this.#s.charCodeAt(this.#pos + 1);
    if (c !== 0x30 && c !== 0x31) throw OUTSIDE;
    this.#pos += 2;
    return c === 0x31;
  }
}
