import { EncodingError } from './errors.js';

/**
 * UDF Base32 (udf.md §2): the RFC 4648 §6 alphabet, most-significant bit first, **no `=`
 * padding**. UDF presentations are truncated at any bit count, so the encoder takes a bit count
 * and the decoder reports the leftover bits of a final partial byte instead of failing on them.
 */
export const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Character code → 5-bit value; -1 outside the alphabet. Lower case maps like upper case. */
const DECODE = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 32; i++) {
    t[BASE32_ALPHABET.charCodeAt(i)] = i;
    const lower = BASE32_ALPHABET[i]!.toLowerCase().charCodeAt(0);
    if (lower !== BASE32_ALPHABET.charCodeAt(i)) t[lower] = i;
  }
  return t;
})();

/**
 * Encodes `data` at a precision of `bits` bits as `ceil(bits / 5)` Base32 characters, taking the
 * first `ceil(bits / 8)` bytes of `data` (udf.md §2, §13.1). When the last character needs bits
 * beyond those bytes they are zero. `bits` defaults to all of `data`.
 */
export function base32Encode(data: Uint8Array, bits: number = data.length * 8): string {
  if (!Number.isSafeInteger(bits) || bits < 0 || bits > data.length * 8) {
    throw new RangeError(`base32Encode: bits must be an integer in 0..${data.length * 8}, got ${String(bits)}`);
  }
  const chars = Math.ceil(bits / 5);
  const used = Math.ceil(bits / 8);
  let out = '';
  let acc = 0;
  let accBits = 0;
  let i = 0;
  for (let c = 0; c < chars; c++) {
    if (accBits < 5) {
      acc = ((acc << 8) | (i < used ? data[i]! : 0)) & 0xffff;
      i++;
      accBits += 8;
    }
    accBits -= 5;
    out += BASE32_ALPHABET[(acc >>> accBits) & 31];
  }
  return out;
}

/** Result of {@link base32DecodeBits}. */
export interface Base32Decoded {
  /** Whole bytes decoded. */
  bytes: Uint8Array;
  /** Number of leftover bits (0–7) of a final partial byte, which are discarded. */
  leftoverBits: number;
  /** Number of alphabet characters consumed. */
  characters: number;
}

/** Options for the Base32 decoder. */
export interface Base32DecodeOptions {
  /**
   * Characters skipped silently (UDF presentations use `-` every four characters; udf.md §2
   * recommends accepting dashes and rejecting everything else, stricter than the reference).
   * Default: `'-'`.
   */
  ignore?: string;
}

/**
 * Decodes Base32 (case-insensitive), packing 5 bits per character MSB first and **discarding the
 * trailing < 8 leftover bits even if non-zero** (udf.md §2, §13.2): the reference does so, and
 * `…-EYX` / `…-EY2` seeds that differ only there must parse to the same key.
 * A character outside the alphabet and not in `ignore` throws `BASE32_BAD_CHAR`.
 */
export function base32DecodeBits(text: string, options: Base32DecodeOptions = {}): Base32Decoded {
  const ignore = options.ignore ?? '-';
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let n = 0;
  let acc = 0;
  let accBits = 0;
  let chars = 0;
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) {
      if (ignore.includes(text[k]!)) continue;
      throw new EncodingError('BASE32_BAD_CHAR', `Base32: character ${describeChar(text, k)} is not in the alphabet A-Z 2-7`, k);
    }
    chars++;
    acc = ((acc << 5) | v) & 0x1fff;
    accBits += 5;
    if (accBits >= 8) {
      accBits -= 8;
      out[n++] = (acc >>> accBits) & 0xff;
    }
  }
  return { bytes: out.slice(0, n), leftoverBits: accBits, characters: chars };
}

/** Decodes Base32 to whole bytes (see {@link base32DecodeBits}). */
export function base32Decode(text: string, options?: Base32DecodeOptions): Uint8Array {
  return base32DecodeBits(text, options).bytes;
}

/** Describes a character for an error message without echoing more than that character. */
export function describeChar(text: string, index: number): string {
  const ch = text[index]!;
  const code = text.codePointAt(index)!;
  return code >= 0x21 && code < 0x7f ? `'${ch}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
