import { EncodingError } from './errors.js';
import { base64urlEncodeInto } from './base64url.js';

/**
 * base64url (RFC 4648 §5) in pieces, for values too large to hold as one string: a streamed
 * envelope's payload written as JSON text (dare.md §2). The decoder accepts exactly what
 * `base64urlDecode` accepts — whitespace anywhere (the reference's wrapped lines), `=` only at
 * the end, no `+` or `/`, zero unused bits — whatever the split into pieces, so one text decodes
 * to one byte string either way.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = /* @__PURE__ */ (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i;
  for (const c of [0x20, 0x0a, 0x0d, 0x09]) t[c] = -2; // whitespace: skipped
  t[0x3d] = -3; // '='
  return t;
})();

/** Decodes base64url text given as ASCII bytes, piece by piece. */
export class Base64urlStreamDecoder {
  private acc = 0;
  private accBits = 0;
  private chars = 0;
  private padding = false;
  private position = 0;
  private lastCharAt = -1;

  /** Decodes the next piece of text; returns the bytes it completes (possibly none). */
  push(text: Uint8Array): Uint8Array {
    const out = new Uint8Array(Math.ceil((text.length * 3) / 4) + 1);
    let n = 0;
    let acc = this.acc;
    let accBits = this.accBits;
    for (let k = 0; k < text.length; k++) {
      const v = DECODE[text[k]!]!;
      if (v >= 0 && !this.padding) {
        acc = ((acc << 6) | v) & 0xfff;
        accBits += 6;
        this.chars++;
        this.lastCharAt = this.position + k;
        if (accBits >= 8) {
          accBits -= 8;
          out[n++] = (acc >>> accBits) & 0xff;
        }
      } else if (v === -2) {
        continue;
      } else if (v === -3) {
        this.padding = true;
      } else {
        const c = text[k]!;
        const shown = c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${c.toString(16).padStart(2, '0')}`;
        throw new EncodingError('BASE64_BAD_CHAR', `base64url: character ${shown} is not allowed here`, this.position + k);
      }
    }
    this.acc = acc;
    this.accBits = accBits;
    this.position += text.length;
    return out.subarray(0, n);
  }

  /** Ends the text: checks that it encodes whole bytes with zero unused bits. */
  end(): void {
    if (this.chars % 4 === 1) {
      throw new EncodingError('BASE64_BAD_LENGTH', `base64url: ${this.chars} characters cannot encode whole bytes`);
    }
    if (this.accBits > 0 && (this.acc & ((1 << this.accBits) - 1)) !== 0) {
      throw new EncodingError('BASE64_NONCANONICAL', 'base64url: the unused bits of the last character are not zero', this.lastCharAt);
    }
  }
}

/**
 * Encodes bytes as unpadded base64url, piece by piece: the output of all pieces is
 * `base64urlEncode` of their concatenation. Pieces may have any length; up to two bytes wait
 * for the next piece (or `end()`).
 */
export class Base64urlStreamEncoder {
  private readonly carry = new Uint8Array(2);
  private carried = 0;

  /** The ASCII bytes of the text the piece completes. */
  push(data: Uint8Array): Uint8Array {
    const total = this.carried + data.length;
    const whole = total - (total % 3);
    const out = new Uint8Array((whole / 3) * 4);
    let o = 0;
    let at = 0;
    if (this.carried > 0) {
      if (total < 3) {
        this.carry.set(data, this.carried);
        this.carried = total;
        return out;
      }
      const first = new Uint8Array(3);
      first.set(this.carry.subarray(0, this.carried));
      at = 3 - this.carried;
      first.set(data.subarray(0, at), this.carried);
      o = base64urlEncodeInto(first, out, 0);
    }
    const end = at + (whole - (this.carried > 0 ? 3 : 0));
    o = base64urlEncodeInto(data.subarray(at, end), out, o);
    this.carried = data.length - end;
    this.carry.set(data.subarray(end));
    return out.subarray(0, o);
  }

  /** The text of the last one or two bytes, if any. */
  end(): Uint8Array {
    const out = new Uint8Array(4);
    const n = base64urlEncodeInto(this.carry.subarray(0, this.carried), out, 0);
    this.carried = 0;
    return out.subarray(0, n);
  }
}
