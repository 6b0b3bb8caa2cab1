/**
 * `mathmesh/encoding` on whatever runtime runs this: the JSON-B vectors (jsonb.json) and round
 * trips of base32, base64url, hex, UTF-8, JSON and JSON-B on pseudo-random values.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import {
  base32Decode, base32Encode, base64urlDecode, base64urlEncode, decodeJsonB, encodeJsonB, EncodingError, hexDecode, hexEncode,
  parseJson, readJsonBItems, utf8Decode, utf8Encode, writeJson,
} from '../../sdk/encoding/index.js';
import type { Suite } from './harness.js';
import { vectorFile } from './vectors.js';
import { codeOf, prng, type V } from './util.js';

/** jsonb.json value notation: binary as {"$binary_b64u": …} (jsonbcd.md §7). */
function notation(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(notation);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['$binary_b64u'] === 'string' && Object.keys(o).length === 1) return base64urlDecode(o['$binary_b64u']);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, notation(x)]));
  }
  return v;
}

/** Uniform integers below n (xorshift32), for random values. */
function ints(seed: number): (n: number) => number {
  const bytes = prng(seed);
  return (n) => {
    const b = bytes(4);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n;
  };
}

const encoding: Suite = ({ describe, it, expect }, env) => {
  const file = vectorFile<{ vectors: V[]; derived_vectors: V[] }>(env.vectors, 'jsonb.json');

  describe('encoding: JSON-B vectors (jsonb.json)', () => {
    const verified = file.vectors.filter((x) => x.verified === true);
    it(`${verified.length} verified vectors decode, and re-encode where canonical`, () => {
      expect(verified.length).toBeGreaterThan(10);
      for (const v of verified) {
        const input = v.input_hex ? hexDecode(v.input_hex) : base64urlDecode(v.input_b64u);
        if (v.kind === 'jsonb_items') {
          expect(readJsonBItems(input).map((x) => hexEncode(x as Uint8Array)), v.id).toEqual(v.expected_items.map((x: V) => x.hex));
          continue;
        }
        expect(decodeJsonB(input), v.id).toEqual(notation(v.expected_value));
        if (v.kind === 'jsonb_roundtrip') {
          expect(hexEncode(encodeJsonB(notation(v.expected_value))), v.id).toBe(hexEncode(input));
          expect(base64urlEncode(sha512(input)), v.id).toBe(v.expected_sha512_b64u);
        } else if (v.canonical_encoding === true && input[0] !== 0x92) {
          expect(hexEncode(encodeJsonB(notation(v.expected_value))), v.id).toBe(hexEncode(input));
        }
      }
    });

    it(`${file.derived_vectors.length} derived vectors encode and decode`, () => {
      for (const v of file.derived_vectors) {
        const value = v.id === 'jbd-datetime-text' ? { Created: new Date(v.value.Created) } : notation(v.value);
        expect(hexEncode(encodeJsonB(value)), v.id).toBe(v.expected_hex);
        expect(decodeJsonB(hexDecode(v.expected_hex)), v.id).toEqual(notation(v.value));
      }
    });

    it('truncation anywhere in a document is JSONB_TRUNCATED', () => {
      const bytes = hexDecode(file.vectors.find((x) => x.id === 'jb-connection-service')!.input_hex);
      for (let n = 0; n < bytes.length; n++) expect(codeOf(EncodingError, () => decodeJsonB(bytes.subarray(0, n))), `prefix ${n}`).toBe('JSONB_TRUNCATED');
    });
  });

  describe('encoding: round trips (property)', () => {
    it('base32, base64url and hex of random bytes, every length 0..300', () => {
      const rnd = prng(3);
      for (let n = 0; n <= 300; n++) {
        const b = rnd(n);
        expect(base64urlDecode(base64urlEncode(b)), `b64u ${n}`).toEqual(b);
        expect(base64urlEncode(b)).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(hexDecode(hexEncode(b)), `hex ${n}`).toEqual(b);
        expect(base32Decode(base32Encode(b)), `b32 ${n}`).toEqual(b);
      }
      expect(codeOf(EncodingError, () => hexDecode('0g'))).not.toBe('no-throw');
    });

    it('UTF-8 of every plane, and invalid sequences refused', () => {
      const s = 'A\u00e9\u20ac\u{1f600}\u0000"\\';
      expect(utf8Decode(utf8Encode(s))).toBe(s);
      expect(codeOf(EncodingError, () => utf8Decode(Uint8Array.of(0xc3, 0x28)))).toBe('UTF8_INVALID');
    });

    it('random JSON values round trip through JSON-B and JSON text', () => {
      const r = ints(11);
      const value = (depth: number): unknown => {
        switch (r(depth > 3 ? 6 : 8)) {
          case 0: return null;
          case 1: return r(2) === 0;
          case 2: return r(2 ** 31) * (r(2) ? 1 : -1);
          case 3: return String.fromCodePoint(...Array.from({ length: r(60) }, () => [0x41, 0x22, 0x00, 0xe9, 0x20ac, 0x1f600][r(6)]!));
          case 4: return r(2) ? 2n ** 64n - 1n - BigInt(r(1000)) : -(2n ** 63n) - BigInt(r(1000));
          case 5: return (r(2 ** 30) - 2 ** 29) / (r(1000) + 1);
          case 6: return Array.from({ length: r(5) }, () => value(depth + 1));
          default: {
            const o: Record<string, unknown> = {};
            for (let i = r(5); i > 0; i--) o[['a', 'Udf', 'PublicParameters', 'é', '€x', `m${r(50)}`][r(6)]!] = value(depth + 1);
            return o;
          }
        }
      };
      for (let i = 0; i < 300; i++) {
        const v = value(0);
        const encoded = encodeJsonB(v);
        expect(decodeJsonB(encoded)).toEqual(v);
        expect(hexEncode(encodeJsonB(decodeJsonB(encoded)))).toBe(hexEncode(encoded));
        const text = writeJson(v as never);
        expect(writeJson(parseJson(text) as never)).toBe(text);
      }
    });
  });
};

export default encoding;
