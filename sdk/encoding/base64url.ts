import { EncodingError } from './errors.js';
import { describeChar } from './base32.js';

/**
 * base64url (RFC 4648 §5) without padding: how every binary value travels in Mesh JSON
 * (dare.md §1). The decoder skips ASCII whitespace because the reference wraps long values with
 * a raw line break and two spaces *inside* the string (dare.md §1 notes), accepts trailing `=`,
 * and rejects non-zero unused bits so that one byte string has exactly one accepted text.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const DECODE = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

const ENCODE = /* @__PURE__ */ (() => Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0)))();
/** The two characters of every 12-bit value, first one in the low byte: half the lookups per 3 bytes. */
const ENCODE_PAIR = /* @__PURE__ */ (() => {
  const t = new Uint16Array(4096);
  for (let i = 0; i < 4096; i++) t[i] = ENCODE[i >>> 6]! | (ENCODE[i & 63]! << 8);
  return t;
})();
const ascii = /* @__PURE__ */ new TextDecoder();

/**
 * Encodes bytes as unpadded base64url. Writes ASCII codes into one buffer and decodes it once:
 * building the string by concatenation costs ~100 ms per MiB (DARE payloads are that big).
 */
export function base64urlEncode(data: Uint8Array): string {
  const out = new Uint8Array(base64urlLength(data.length));
  return ascii.decode(out.subarray(0, base64urlEncodeInto(data, out, 0)));
}

/** Characters of the unpadded base64url text of `n` bytes. */
export function base64urlLength(n: number): number {
  return Math.ceil((n * 4) / 3);
}

/**
 * Writes the unpadded base64url text of `data` as ASCII bytes into `out` at `offset` (which must
 * have {@link base64urlLength} bytes of room) and returns the offset after it: for writers that
 * build JSON as bytes and want no intermediate string.
 */
export function base64urlEncodeInto(data: Uint8Array, out: Uint8Array, offset: number): number {
  const n = data.length;
  let i = 0;
  let o = offset;
  for (; i + 3 <= n; i += 3) {
    const v = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    const hi = ENCODE_PAIR[v >>> 12]!;
    const lo = ENCODE_PAIR[v & 4095]!;
    out[o] = hi & 0xff;
    out[o + 1] = hi >>> 8;
    out[o + 2] = lo & 0xff;
    out[o + 3] = lo >>> 8;
    o += 4;
  }
  const rest = n - i;
  if (rest === 1) {
    const v = data[i]!;
    out[o++] = ENCODE[v >>> 2]!;
    out[o++] = ENCODE[(v & 3) << 4]!;
  } else if (rest === 2) {
    const v = (data[i]! << 8) | data[i + 1]!;
    out[o++] = ENCODE[v >>> 10]!;
    out[o++] = ENCODE[(v >>> 4) & 63]!;
    out[o++] = ENCODE[(v & 15) << 2]!;
  }
  return o;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Decodes base64url. Whitespace anywhere is skipped; `=` is accepted only at the end.
 * Errors: `BASE64_BAD_CHAR` (e.g. `+` or `/`, which belong to plain base64),
 * `BASE64_BAD_LENGTH` (4k+1 characters), `BASE64_NONCANONICAL` (non-zero unused bits).
 */
export function base64urlDecode(text: string): Uint8Array {
  return decodeCompact(text) ?? decodeLenient(text);
}

/**
 * Fast path for the usual input (no whitespace, no padding): four characters at a time.
 * Returns undefined on anything unusual so that the lenient decoder reports it precisely.
 */
function decodeCompact(text: string): Uint8Array | undefined {
  const len = text.length;
  // Whitespace and "=" need no scan of their own: they decode to -1 below, which hands the text
  // to the lenient decoder as any other unusual character does.
  if (len % 4 === 1) return undefined;
  const full = len - (len % 4);
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  for (let k = 0; k < full; k += 4) {
    const a = lookup(text.charCodeAt(k));
    const b = lookup(text.charCodeAt(k + 1));
    const c = lookup(text.charCodeAt(k + 2));
    const d = lookup(text.charCodeAt(k + 3));
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  const rest = len - full;
  if (rest > 0) {
    const a = lookup(text.charCodeAt(full));
    const b = lookup(text.charCodeAt(full + 1));
    const c = rest === 3 ? lookup(text.charCodeAt(full + 2)) : 0;
    if ((a | b | c) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6);
    // Non-zero unused bits: let the lenient decoder name the error.
    if ((rest === 2 ? v & 0xffff : v & 0xff) !== 0) return undefined;
    out[o++] = v >>> 16;
    if (rest === 3) out[o++] = (v >>> 8) & 0xff;
  }
  return out;
}

const lookup = (c: number): number => (c < 128 ? DECODE[c]! : -1);

/** The general decoder: skips whitespace, accepts trailing `=`, reports errors with positions. */
function decodeLenient(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let n = 0;
  let acc = 0;
  let accBits = 0;
  let chars = 0;
  let padding = false;
  let lastIndex = -1;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (isSpace(c)) continue;
    if (c === 0x3d) {
      padding = true;
      continue;
    }
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0 || padding) {
      throw new EncodingError('BASE64_BAD_CHAR', `base64url: character ${describeChar(text, k)} is not allowed here`, k);
    }
    chars++;
    lastIndex = k;
    acc = ((acc << 6) | v) & 0xfff;
    accBits += 6;
    if (accBits >= 8) {
      accBits -= 8;
      out[n++] = (acc >>> accBits) & 0xff;
    }
  }
  if (chars % 4 === 1) {
    throw new EncodingError('BASE64_BAD_LENGTH', `base64url: ${chars} characters cannot encode whole bytes`);
  }
  if (accBits > 0 && (acc & ((1 << accBits) - 1)) !== 0) {
    throw new EncodingError('BASE64_NONCANONICAL', 'base64url: the unused bits of the last character are not zero', lastIndex);
  }
  return out.slice(0, n);
}
