import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  base64urlDecode, base64urlEncode, decodeJsonB, encodeJsonB, EncodingError, hexDecode, hexEncode, readJsonBItems, readJsonBValue,
} from '../sdk/encoding/index.js';
import { vectorsDir } from './support/paths.js';
import { errorCodeOf, prng } from './support/random.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type V = Record<string, any>;
const file = JSON.parse(readFileSync(resolve(vectorsDir, 'jsonb.json'), 'utf8')) as { vectors: V[]; derived_vectors: V[] };

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

const codeOf = (f: () => unknown): string | undefined => errorCodeOf(EncodingError, f);


describe('JSON-B vectors (jsonb.json)', () => {
  for (const v of file.vectors.filter((x) => x.verified === true)) {
    it(`${v.id} (${v.kind})`, () => {
      const input = v.input_hex ? hexDecode(v.input_hex) : base64urlDecode(v.input_b64u);
      if (v.kind === 'jsonb_items') {
        const items = readJsonBItems(input);
        expect(items.map((x) => hexEncode(x as Uint8Array))).toEqual(v.expected_items.map((x: V) => x.hex));
        return;
      }
      expect(decodeJsonB(input)).toEqual(notation(v.expected_value));
      if (v.kind === 'jsonb_roundtrip') {
        expect(hexEncode(encodeJsonB(notation(v.expected_value)))).toBe(hexEncode(input));
        expect(base64urlEncode(sha512(input))).toBe(v.expected_sha512_b64u);
      } else if (v.canonical_encoding === true && input[0] !== 0x92) {
        expect(hexEncode(encodeJsonB(notation(v.expected_value)))).toBe(hexEncode(input));
      } else if (input[0] === 0x92) {
        expect(hexEncode(encodeJsonB(v.expected_value, { numbers: 'binary64' }))).toBe(hexEncode(input));
      }
    });
  }

  for (const v of file.derived_vectors) {
    it(`${v.id} (derived)`, () => {
      const value = v.id === 'jbd-datetime-text' ? { Created: new Date(v.value.Created) } : notation(v.value);
      expect(hexEncode(encodeJsonB(value))).toBe(v.expected_hex);
      expect(decodeJsonB(hexDecode(v.expected_hex))).toEqual(notation(v.value));
    });
  }
});

describe('JSON-B reader', () => {
  it('accepts every width, chunks, draft b-string names, text tokens and optional separators', () => {
    expect(decodeJsonB(hexDecode('a30000000000000101'))).toBe(257);
    expect(decodeJsonB(hexDecode('a3ffffffffffffffff'))).toBe(18446744073709551615n);
    expect(decodeJsonB(hexDecode('abffffffffffffffff'))).toBe(-18446744073709551615n);
    expect(decodeJsonB(hexDecode('a800'))).toBe(0);
    expect(decodeJsonB(hexDecode('840548656c6c6f8000'))).toBe('Hello');
    expect(decodeJsonB(hexDecode('8c020102880103'))).toEqual(Uint8Array.of(1, 2, 3));
    // Draft form: member name as a b-string followed by ':' and a ',' separator; JSON text mixed in.
    expect(decodeJsonB(new Uint8Array([...hexDecode('7b8001613a'), ...new TextEncoder().encode(' 1.5 , "b" : [true, "x"]}')]))).toEqual({ a: 1.5, b: [true, 'x'] });
    expect(decodeJsonB(hexDecode('5b0c08a0015d'))).toEqual([1]); // REF also skips 0C and 08
  });

  it('reads an EDS as a bare item sequence and values at an offset', () => {
    const bytes = hexDecode('880100881746726f6d3a20416c696365406578616d706c652e636f6d');
    expect(readJsonBItems(bytes).length).toBe(2);
    expect(codeOf(() => decodeJsonB(bytes))).toBe('JSONB_TRAILING_DATA');
    const { value, next } = readJsonBValue(bytes, 3);
    expect(new TextDecoder().decode(value as Uint8Array)).toBe('From: Alice@example.com');
    expect(next).toBe(bytes.length);
  });

  it('fails fast on a declared length beyond the input, without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    for (const hex of ['8b7fffffff', '8bffffffffffffffff00', '82ffffffff41', '7bb77fffffffffffffff', '7bb6ffffff00']) {
      expect(codeOf(() => decodeJsonB(hexDecode(hex))), hex).toBe('JSONB_TRUNCATED');
    }
    expect(performance.now() - t0).toBeLessThan(100);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('reports truncation anywhere in a valid document as JSONB_TRUNCATED', () => {
    const v = file.vectors.find((x) => x.id === 'jb-connection-service')!;
    const bytes = hexDecode(v.input_hex);
    for (let n = 0; n < bytes.length; n++) {
      expect(codeOf(() => decodeJsonB(bytes.subarray(0, n))), `prefix ${n}`).toBe('JSONB_TRUNCATED');
    }
  });

  it('rejects JSON-C/D and bignum tags, bad tags and deep nesting with typed errors', () => {
    for (const hex of ['a5000142', 'a400', '9000', 'c0', 'd0']) expect(codeOf(() => decodeJsonB(hexDecode(hex))), hex).toBe('JSONB_UNSUPPORTED_TAG');
    for (const hex of ['b3', 'b400', 'f000', 'ff', '7ba001b07d', '5b8001618801615d'.replace('8801', '8401')]) {
      expect(codeOf(() => decodeJsonB(hexDecode(hex))), hex).toBe('JSONB_BAD_TAG');
    }
    expect(codeOf(() => decodeJsonB(new Uint8Array(200).fill(0x5b)))).toBe('JSON_TOO_DEEP');
    expect(codeOf(() => decodeJsonB(hexDecode('7bb40161a001b40161a0027d')))).toBe('JSONB_BAD_TAG'); // duplicate member
    expect(codeOf(() => decodeJsonB(hexDecode('8002c328')))).toBe('UTF8_INVALID');
  });

  it('never throws anything but EncodingError on random input', () => {
    const r = prng(7);
    const tags = [0x80, 0x81, 0x84, 0x88, 0x8c, 0x92, 0xa0, 0xa3, 0xa8, 0xb0, 0xb2, 0xb4, 0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x31, 0x2c, 0x3a];
    for (let i = 0; i < 3000; i++) {
      const b = Uint8Array.from({ length: r(24) }, () => (r(3) === 0 ? tags[r(tags.length)]! : r(256)));
      try {
        decodeJsonB(b);
      } catch (e) {
        expect(e, hexEncode(b)).toBeInstanceOf(EncodingError);
      }
    }
  });
});

describe('JSON-B writer', () => {
  it('uses the smallest widths, byte lengths for UTF-8 and B4 member names', () => {
    expect(hexEncode(encodeJsonB(2 ** 53 - 1))).toBe('a3001fffffffffffff');
    expect(hexEncode(encodeJsonB(2n ** 64n - 1n))).toBe('a3ffffffffffffffff');
    expect(codeOf(() => encodeJsonB(2n ** 64n))).toBe('JSONB_INTEGER_RANGE');
    expect(hexEncode(encodeJsonB({ 'é': 'x' }))).toBe('7bb402c3a980' + '0178' + '7d');
    expect(hexEncode(encodeJsonB('a'.repeat(300)).subarray(0, 3))).toBe('81012c');
    expect(hexEncode(encodeJsonB(new Uint8Array(70000)).subarray(0, 5))).toBe('8a00011170');
  });

  it('writes floats as decimal text, apart from each other', () => {
    expect(new TextDecoder().decode(encodeJsonB(1.5))).toBe('1.5');
    const arr = encodeJsonB([1.5, 2.5, 3]);
    expect(hexEncode(arr)).toBe('5b' + hexEncode(new TextEncoder().encode('1.5 2.5')) + 'a0035d');
    expect(decodeJsonB(arr)).toEqual([1.5, 2.5, 3]);
    expect(hexEncode(encodeJsonB(1, { numbers: 'binary64' }))).toBe('923ff0000000000000');
    expect(codeOf(() => encodeJsonB(Infinity))).toBe('JSON_UNSUPPORTED_VALUE');
  });

  it('round trips random JSON values (property)', () => {
    const r = prng(11);
    const value = (depth: number): unknown => {
      switch (r(depth > 4 ? 7 : 9)) {
        case 0: return null;
        case 1: return r(2) === 0;
        case 2: return r(2) ? r(2 ** 31) * (r(2) ? 1 : -1) : r(2 ** 20) * 4096 * 1024 * (r(2) ? 1 : -1);
        case 3: return (r(2 ** 30) - 2 ** 29) / (r(1000) + 1);
        case 4: return r(2) ? 2n ** 64n - 1n - BigInt(r(1000)) : -(2n ** 63n) - BigInt(r(1000));
        case 5: return String.fromCodePoint(...Array.from({ length: r(300) }, () => [0x41, 0x22, 0x00, 0xe9, 0x20ac, 0x1f600][r(6)]!));
        case 6: return Uint8Array.from({ length: r(2) ? r(20) : r(70000) }, () => r(256));
        case 7: return Array.from({ length: r(5) }, () => value(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = r(5); i > 0; i--) o[['a', 'Udf', 'PublicParameters', 'é', '€x', `m${r(50)}`][r(6)]!] = value(depth + 1);
          return o;
        }
      }
    };
    for (let i = 0; i < 400; i++) {
      const v = value(0);
      const encoded = encodeJsonB(v);
      expect(decodeJsonB(encoded)).toEqual(v);
      expect(hexEncode(encodeJsonB(decodeJsonB(encoded)))).toBe(hexEncode(encoded));
    }
  });
});

describe('JSON-B chunked items cost nothing per chunk', () => {
  // jsonbcd.md §3: a string or data item is any number of chunks then one terminal item. The
  // count is the sender's choice, so 8 MB of empty chunks (`8C 00` × 4M) must not become 4M
  // objects (it took 554 MiB). The reader is given a Uint8Array that counts the views and
  // copies taken of it: a per-chunk allocation shows as millions of them.
  class CountingBytes extends Uint8Array {
    static taken = 0;
    override subarray(begin?: number, end?: number): Uint8Array<ArrayBuffer> {
      CountingBytes.taken++;
      return super.subarray(begin, end);
    }
    override slice(begin?: number, end?: number): Uint8Array<ArrayBuffer> {
      CountingBytes.taken++;
      return super.slice(begin, end);
    }
  }
  /** `count` chunks of `size` bytes (tag `chunkTag`, 1-byte lengths) and a terminal item. */
  function chunked(chunkTag: number, count: number, size: number, terminal: Uint8Array): CountingBytes {
    const b = new CountingBytes(count * (2 + size) + terminal.length);
    for (let i = 0, p = 0; i < count; i++, p += 2 + size) {
      b[p] = chunkTag;
      b[p + 1] = size;
      for (let k = 0; k < size; k++) b[p + 2 + k] = (i + k) & 0xff;
    }
    b.set(terminal, count * (2 + size));
    return b;
  }
  const counted = <T>(f: () => T): { value: T; taken: number } => {
    CountingBytes.taken = 0;
    const value = f();
    return { value, taken: CountingBytes.taken };
  };

  it('4M empty data or string chunks: one result, no view or copy per chunk', () => {
    const data = counted(() => decodeJsonB(chunked(0x8c, 4_000_000, 0, Uint8Array.of(0x88, 0x00))));
    expect(data.value).toEqual(new Uint8Array(0));
    expect(data.taken).toBeLessThanOrEqual(2);
    const text = counted(() => decodeJsonB(chunked(0x84, 4_000_000, 0, Uint8Array.of(0x80, 0x02, 0x68, 0x69))));
    expect(text.value).toBe('hi');
    expect(text.taken).toBeLessThanOrEqual(2);
  });

  it('1M one-byte chunks: the result is the concatenation, with no view or copy per chunk', () => {
    const { value, taken } = counted(() => decodeJsonB(chunked(0x8c, 1_000_000, 1, Uint8Array.of(0x88, 0x01, 0xff))));
    const bytes = value as Uint8Array;
    expect(bytes.length).toBe(1_000_001);
    expect(bytes[999_999]).toBe(999_999 & 0xff);
    expect(bytes[1_000_000]).toBe(0xff);
    expect(taken).toBeLessThanOrEqual(2);
  });

  it('a stream of empty chunks without a terminal item, or with an absurd length, is a typed error', () => {
    expect(codeOf(() => decodeJsonB(chunked(0x8c, 4_000_000, 0, new Uint8Array(0))))).toBe('JSONB_TRUNCATED');
    const absurd = Uint8Array.of(0x8f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x88, 0x00);
    expect(codeOf(() => decodeJsonB(concat(chunked(0x8c, 1_000_000, 0, new Uint8Array(0)), absurd)))).toBe('JSONB_TRUNCATED');
    expect(codeOf(() => decodeJsonB(chunked(0x8c, 1000, 0, Uint8Array.of(0x80, 0x00))))).toBe('JSONB_BAD_TAG'); // string terminal after data chunks
  });

  it('chunks of every width and size concatenate to the same bytes as one item', () => {
    const r = prng(11);
    for (let round = 0; round < 200; round++) {
      const pieces: Uint8Array[] = [];
      const encoded: number[] = [];
      const n = r(8);
      for (let i = 0; i <= n; i++) {
        const size = r(4) === 0 ? 0 : r(3) === 0 ? 64 + r(300) : r(64);
        const piece = Uint8Array.from({ length: size }, () => r(256));
        pieces.push(piece);
        const width = size < 256 ? r(2) : 1; // 1- or 2-byte lengths (and 4 below)
        const tag = (i === n ? 0x88 : 0x8c) + (r(5) === 0 ? 2 : width);
        const w = 1 << (tag & 3);
        encoded.push(tag, ...Array.from({ length: w }, (_, k) => (size >> (8 * (w - 1 - k))) & 0xff), ...piece);
      }
      expect(decodeJsonB(Uint8Array.from(encoded))).toEqual(concat(...pieces));
    }
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('a prefix of a document is truncation, never a syntax error (what streamed readers rely on)', () => {
  it('cut anywhere, including between the halves of a \\u surrogate-pair escape', () => {
    const doc = new TextEncoder().encode('{"kid":"ab\\ud83d\\ude00","x":[1,"\\u00e9"]}');
    expect(readJsonBValue(doc).value).toEqual({ kid: 'ab\u{1F600}', x: [1, '\u00e9'] });
    for (let n = 1; n < doc.length; n++) {
      expect(errorCodeOf(EncodingError, () => readJsonBValue(doc.subarray(0, n))), `first ${n} bytes`).toBe('JSONB_TRUNCATED');
    }
    // A lone high surrogate followed by something else is still a syntax error.
    expect(errorCodeOf(EncodingError, () => readJsonBValue(new TextEncoder().encode('"\\ud83dx"')))).toBe('JSON_SYNTAX');
  });
});
