import { EncodingError } from './errors.js';

/** Lower-case hexadecimal, the notation of every vector file (udf.md §14 "hex is lower case"). */
const HEX = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Encodes bytes as lower-case hex. */
export function hexEncode(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += HEX[data[i]!];
  return s;
}

/** Decodes hex (either case, no separators); odd length or a non-hex digit throws `HEX_BAD_CHAR`. */
export function hexDecode(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new EncodingError('HEX_BAD_CHAR', `hex: odd length ${text.length}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(text.charCodeAt(2 * i));
    const lo = hexDigitValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new EncodingError('HEX_BAD_CHAR', 'hex: not a hexadecimal digit', hi < 0 ? 2 * i : 2 * i + 1);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Value of one hexadecimal digit's character code (either case), or −1 (also for JSON's `\u` escapes). */
export function hexDigitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
