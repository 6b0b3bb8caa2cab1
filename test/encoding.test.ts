import { describe, expect, it } from 'vitest';
import {
  base32Decode, base32DecodeBits, base32Encode, base64urlDecode, base64urlEncode, bytesEqual, concatBytes, constantTimeEqual,
  decodeJsonB, encodeJsonB, EncodingError, hexDecode, hexEncode, parseJson, utf8Decode, writeJson, writeReferenceJson,
} from '../sdk/encoding/index.js';
import { base64urlEncodeInto, base64urlLength } from '../sdk/encoding/base64url.js';
import { errorCodeOf, prng } from './support/random.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

const codeOf = (f: () => unknown): string | undefined => errorCodeOf(EncodingError, f);


describe('UDF Base32 (udf.md §2)', () => {
  it('matches RFC 4648 §10 without padding', () => {
    const cases: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, b32] of cases) {
      expect(base32Encode(new TextEncoder().encode(plain))).toBe(b32);
      expect(new TextDecoder().decode(base32Decode(b32))).toBe(plain);
    }
  });

  it('encodes at a bit precision: ceil(bits/5) characters, zero bits beyond the buffer', () => {
    const data = bytes(0xff, 0xff, 0xff);
    expect(base32Encode(data, 8)).toBe('74'); // 8 bits → 2 chars, last 2 bits zero
    expect(base32Encode(data, 10)).toBe('77'); // 10 bits of a 2-byte buffer
    expect(base32Encode(data, 24)).toBe('77776');
    expect(() => base32Encode(data, 25)).toThrow(RangeError);
  });

  it('decodes case-insensitively, skips dashes, discards the trailing partial byte whatever its bits', () => {
    const a = base32DecodeBits('zaaa-gtkg-ed25-5xxk-eyx');
    const b = base32DecodeBits('ZAAA-GTKG-ED25-5XXK-EY2');
    expect(hexEncode(a.bytes)).toBe(hexEncode(b.bytes));
    expect(a.leftoverBits).toBe(7); // 19 characters = 95 bits = 11 bytes + 7
    expect(a.characters).toBe(19);
  });

  it('rejects characters outside the alphabet with BASE32_BAD_CHAR and the offset', () => {
    for (const bad of ['MB5S 0', 'ABC1', 'AB=', 'AÉ', 'AB_C']) expect(codeOf(() => base32Decode(bad))).toBe('BASE32_BAD_CHAR');
    try {
      base32Decode('ABCD-EF8H');
    } catch (e) {
      expect((e as EncodingError).offset).toBe(7);
    }
  });

  it('round trips random bytes', () => {
    const r = prng(1);
    for (let n = 0; n < 70; n++) {
      const b = Uint8Array.from({ length: n }, () => r(256));
      expect(hexEncode(base32Decode(base32Encode(b)))).toBe(hexEncode(b));
    }
  });
});

describe('base64url (dare.md §1)', () => {
  it('encodes without padding and decodes the reference line-wrapping', () => {
    expect(base64urlEncode(bytes(0xfb, 0xff))).toBe('-_8');
    expect(hexEncode(base64urlDecode('-_8'))).toBe('fbff');
    expect(hexEncode(base64urlDecode('-_8='))).toBe('fbff');
    const wrapped = 'VGhpcyBpcyBhIHRlc3QgbG9uZyBlbm91Z2ggdG8gcmVxdWlyZSBtdWx0aXBs\n  ZSBibG9ja3M';
    expect(new TextDecoder().decode(base64urlDecode(wrapped))).toBe('This is a test long enough to require multiple blocks');
  });

  it('rejects plain-base64 characters, impossible lengths and non-canonical tails', () => {
    expect(codeOf(() => base64urlDecode('ab+/'))).toBe('BASE64_BAD_CHAR');
    expect(codeOf(() => base64urlDecode('a=b'))).toBe('BASE64_BAD_CHAR');
    expect(codeOf(() => base64urlDecode('abcde'))).toBe('BASE64_BAD_LENGTH');
    expect(codeOf(() => base64urlDecode('-_9'))).toBe('BASE64_NONCANONICAL');
  });

  it('round trips random bytes (and agrees with Buffer)', () => {
    const r = prng(2);
    for (let n = 0; n < 100; n++) {
      const b = Uint8Array.from({ length: n }, () => r(256));
      const s = base64urlEncode(b);
      expect(s).toBe(Buffer.from(b).toString('base64url'));
      expect(hexEncode(base64urlDecode(s))).toBe(hexEncode(b));
      // The same text wrapped like the reference's output goes through the lenient decoder.
      expect(hexEncode(base64urlDecode(s.replace(/(.{7})/g, '$1\n  ')))).toBe(hexEncode(b));
    }
  });

  it('reports a bad character at its position on the fast path too', () => {
    const s = base64urlEncode(new Uint8Array(3000).fill(7));
    const bad = `${s.slice(0, 2001)}+${s.slice(2002)}`;
    try {
      base64urlDecode(bad);
      expect.unreachable();
    } catch (e) {
      expect((e as EncodingError).code).toBe('BASE64_BAD_CHAR');
      expect((e as EncodingError).message).toMatch(/2001|'\+'/);
    }
    expect(codeOf(() => base64urlDecode(`${s.slice(0, -1)}\u00e9`))).toBe('BASE64_BAD_CHAR');
  });
});

describe('hex and UTF-8', () => {
  it('hex round trip and errors', () => {
    expect(hexEncode(hexDecode('00Ff7a'))).toBe('00ff7a');
    expect(codeOf(() => hexDecode('abc'))).toBe('HEX_BAD_CHAR');
    expect(codeOf(() => hexDecode('zz'))).toBe('HEX_BAD_CHAR');
  });

  it('UTF-8 decoding is fatal', () => {
    expect(codeOf(() => utf8Decode(bytes(0xc3, 0x28)))).toBe('UTF8_INVALID');
  });
});

describe('JSON reader (tolerant of the reference wrapping) and strict writer', () => {
  it('reads a reference envelope with line breaks inside base64 strings', () => {
    const text = '{\n  "DareEnvelope":[{},\n    "VGhpcyBpcyBhIHRlc3QgbG9uZyBlbm91Z2ggdG8gcmVxdWlyZSBtdWx0aXBs\n  ZSBibG9ja3M"\n    ]}';
    expect(() => JSON.parse(text)).toThrow();
    const v = parseJson(text) as { DareEnvelope: [object, string] };
    expect(v.DareEnvelope[1]).toBe('VGhpcyBpcyBhIHRlc3QgbG9uZyBlbm91Z2ggdG8gcmVxdWlyZSBtdWx0aXBsZSBibG9ja3M');
    expect(codeOf(() => parseJson(text, { tolerateLineBreaks: false }))).toBe('JSON_SYNTAX');
  });

  it('agrees with JSON.parse on ordinary JSON', () => {
    const samples = ['0', '-1.5e3', '"a\\u00e9\\ud83d\\ude00\\n"', '[1,[2,[3]],{}]', '{"a":{"b":[true,false,null]},"c":"d"}', ' { "x" : 1 } '];
    for (const s of samples) expect(parseJson(s)).toEqual(JSON.parse(s));
  });

  it('keeps big integers exact and refuses prototype pollution', () => {
    expect(parseJson('18446744073709551615')).toBe(18446744073709551615n);
    const o = parseJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(o)).toEqual(['__proto__']);
  });

  it('rejects malformed JSON with JSON_SYNTAX and deep nesting with JSON_TOO_DEEP', () => {
    for (const bad of ['', '{', '[1,]', '[1 2]', '{"a" 1}', '{"a":1,}', '01', '1.', '"\\x"', 'tru', '{"a":1}x', '"a\tb"', '{"a":1,"a":2}', '\u0080']) {
      expect(codeOf(() => parseJson(bad)), bad).toBe('JSON_SYNTAX');
    }
    expect(codeOf(() => parseJson('['.repeat(200) + ']'.repeat(200)))).toBe('JSON_TOO_DEEP');
    expect(codeOf(() => parseJson('['.repeat(100000)))).toBe('JSON_TOO_DEEP');
    expect(parseJson('['.repeat(50) + ']'.repeat(50), { maxDepth: 50 })).toBeDefined();
  });

  it('writes strict JSON: bytes as base64url, bigint digits, dates in the reference format', () => {
    const v = { b: bytes(1, 2, 3), n: 12345678901234567890n, d: new Date(Date.UTC(2022, 4, 3, 16, 47, 52, 123)), skip: undefined, a: [1, 'x', null] };
    const s = writeJson(v);
    expect(s).toBe('{"b":"AQID","n":12345678901234567890,"d":"2022-05-03T16:47:52Z","a":[1,"x",null]}');
    expect(writeJson({ a: [1, { b: 2 }] }, { indent: 2 })).toBe('{\n  "a": [\n    1,\n    {\n      "b": 2\n    }\n  ]\n}');
    expect(codeOf(() => writeJson(NaN))).toBe('JSON_UNSUPPORTED_VALUE');
    expect(codeOf(() => writeJson({ f: () => 1 }))).toBe('JSON_UNSUPPORTED_VALUE');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(codeOf(() => writeJson(cyclic))).toBe('JSON_TOO_DEEP');
  });

  it('round trips random values through writeJson/parseJson', () => {
    const r = prng(3);
    const value = (depth: number): unknown => {
      switch (r(depth > 3 ? 5 : 7)) {
        case 0: return null;
        case 1: return r(2) === 0;
        case 2: return r(2) ? r(1 << 30) - (1 << 29) : (r(1000000) - 500000) / 7;
        case 3: return String.fromCodePoint(...Array.from({ length: r(6) }, () => [0x41, 0x22, 0x5c, 0x0a, 0xe9, 0x1f600, 0x7f][r(7)]!));
        case 4: return BigInt(Number.MAX_SAFE_INTEGER) * BigInt(r(1000) + 2);
        case 5: return Array.from({ length: r(4) }, () => value(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = r(4); i > 0; i--) o[`k${r(100)}`] = value(depth + 1);
          return o;
        }
      }
    };
    for (let i = 0; i < 300; i++) {
      const v = value(0);
      expect(parseJson(writeJson(v))).toEqual(v);
    }
  });
});

describe('one home per helper: bytes, base64url into a buffer, the reference JSON layout', () => {
  it('bytes: concat, equality and constant-time equality agree', () => {
    const r = prng(5);
    for (let i = 0; i < 200; i++) {
      const a = Uint8Array.from({ length: r(40) }, () => r(256));
      const b = r(2) === 0 ? a.slice() : Uint8Array.from({ length: r(40) }, () => r(256));
      const same = Buffer.from(a).equals(Buffer.from(b));
      expect(bytesEqual(a, b)).toBe(same);
      expect(constantTimeEqual(a, b)).toBe(same);
      expect(concatBytes(a, b, a)).toEqual(Uint8Array.from([...a, ...b, ...a]));
    }
  });

  it('base64urlEncodeInto writes the same text as base64urlEncode at any offset', () => {
    const r = prng(6);
    for (let n = 0; n < 70; n++) {
      const data = Uint8Array.from({ length: n }, () => r(256));
      const out = new Uint8Array(3 + base64urlLength(n)).fill(0x2a);
      const end = base64urlEncodeInto(data, out, 3);
      expect(end).toBe(3 + base64urlLength(n));
      expect(new TextDecoder().decode(out.subarray(3, end))).toBe(base64urlEncode(data));
      expect(out.subarray(0, 3)).toEqual(bytes(0x2a, 0x2a, 0x2a));
    }
  });

  it('writeReferenceJson: the reference layout (dare.md §9.7), binary wrapped past column 63', () => {
    const digest = Uint8Array.from({ length: 64 }, (_, i) => i);
    const text = writeReferenceJson({ A: 1, L: ['x', 'y'], O: { B: true, N: null }, PayloadDigest: digest, Skip: undefined });
    const b64 = base64urlEncode(digest);
    // "PayloadDigest" starts the counter at 1 + 4 + 13 = 18: 45 characters fit before column 63.
    expect(text).toBe(`{\n  "A": 1,\n  "L": ["x",\n    "y"],\n  "O": {\n    "B": true,\n    "N": null},\n  "PayloadDigest": "${b64.slice(0, 45)}\n  ${b64.slice(45)}"}`);
    expect(parseJson(text)).toEqual({ A: 1, L: ['x', 'y'], O: { B: true, N: null }, PayloadDigest: b64 });
    expect(writeReferenceJson({ When: new Date(Date.UTC(2022, 4, 3, 1, 2, 3, 456)) })).toBe('{\n  "When": "2022-05-03T01:02:03Z"}');
  });

  it('unpaired surrogates: the reader refuses their escapes, every writer refuses such strings (no two strings share one UTF-8 form)', () => {
    // Found by the fuzzer (test/fuzz): "\ud800" read from JSON text became U+FFFD in JSON-B, so
    // different strings had the same header digest, and a signed EnvelopeId could be changed.
    for (const t of ['"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"x\\udfff"', '{"\\ud800":1}', '"\\ud800\\ud800"', '"\\udc00\\ud800"', '"\\ud800']) {
      expect(codeOf(() => parseJson(t)), t).toBe('JSON_SYNTAX');
    }
    expect(parseJson('"\\ud83d\\ude00 \\u00e9"')).toBe('\u{1f600} \u00e9');
    for (const s of ['\ud800', 'a\udc00', '\udfff\ud800', 'x\ud83d', '\ude00\ud83d']) {
      for (const v of [s, { [s]: 1 }, [{ k: s }]]) {
        expect(codeOf(() => writeJson(v)), JSON.stringify(v)).toBe('JSON_UNSUPPORTED_VALUE');
        expect(codeOf(() => writeReferenceJson(v)), JSON.stringify(v)).toBe('JSON_UNSUPPORTED_VALUE');
        expect(codeOf(() => encodeJsonB(v)), JSON.stringify(v)).toBe('JSON_UNSUPPORTED_VALUE');
      }
    }
    // The same where the runtime has no String.prototype.isWellFormed (the regular-expression path).
    const proto = String.prototype as { isWellFormed?: unknown };
    const native = Object.getOwnPropertyDescriptor(proto, 'isWellFormed');
    delete proto.isWellFormed;
    try {
      for (const s of ['\ud800', 'a\udc00', '\udfff\ud800', 'x\ud83d']) expect(codeOf(() => encodeJsonB(s)), s).toBe('JSON_UNSUPPORTED_VALUE');
      expect(codeOf(() => encodeJsonB('ok \u{1f600} \u00e9'))).toBeUndefined();
    } finally {
      if (native !== undefined) Object.defineProperty(proto, 'isWellFormed', native);
    }
    const pair = { '\u{1f600}': 'x\u{1f600}' };
    expect(decodeJsonB(encodeJsonB(pair))).toEqual(pair);
    expect(parseJson(writeJson(pair))).toEqual(pair);
  });

  it('integral numbers beyond 2^53 are written so that they read back as the same value', () => {
    // Found by the fuzzer (test/fuzz): String(2 ** 60) is "1152921504606847000", which the readers
    // take as that exact integer — a different number from the one written.
    for (const v of [2 ** 60, -(2 ** 60), 90719925474099e3, 2 ** 64 - 2048, 2 ** 53]) {
      expect(writeJson(v)).toBe(BigInt(v).toString());
      expect(parseJson(writeJson([v]))).toEqual([BigInt(v)]);
      expect(parseJson(writeReferenceJson({ v }))).toEqual({ v: BigInt(v) });
      expect(decodeJsonB(encodeJsonB([v]))).toEqual([BigInt(v)]);
    }
    for (const v of [2 ** 64, -(2 ** 70), 1e21, 1e300]) {
      expect(parseJson(writeJson([v]))).toEqual([v]);
      expect(parseJson(writeReferenceJson({ v }))).toEqual({ v });
      expect(decodeJsonB(encodeJsonB([v, 0.5]))).toEqual([v, 0.5]);
    }
    expect(writeJson([2 ** 53 - 1, -0, 0.1, 1e300, 2 ** 64])).toBe('[9007199254740991,0,0.1,1e+300,1.8446744073709552e+19]');
  });

  it('writeReferenceJson and writeJson refuse what JSON cannot carry with typed errors', () => {
    for (const bad of [NaN, Infinity, () => 1, Symbol('s'), new Date(NaN), { d: new Date('x') }]) {
      expect(codeOf(() => writeReferenceJson({ v: bad })), String(bad)).toBe('JSON_UNSUPPORTED_VALUE');
      expect(codeOf(() => writeJson({ v: bad })), String(bad)).toBe('JSON_UNSUPPORTED_VALUE');
    }
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(codeOf(() => writeReferenceJson(deep))).toBe('JSON_TOO_DEEP');
  });
});
