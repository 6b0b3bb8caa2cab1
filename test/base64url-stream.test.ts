import { describe, expect, it } from 'vitest';
import { Base64urlStreamDecoder, Base64urlStreamEncoder } from '../sdk/encoding/base64url-stream.js';
import { EncodingError, base64urlDecode, base64urlEncode, bytesEqual, concatBytes, utf8Encode } from '../sdk/encoding/index.js';
import { prng, seeded } from './support/random.js';

/** The piecewise base64url of streamed JSON envelopes must accept and produce exactly what the one-shot codec does. */

const splits = (n: number, pick: (k: number) => number): number[] => {
  const cuts: number[] = [];
  for (let at = 0; at < n;) {
    at += 1 + pick(Math.max(1, Math.min(9, n - at)));
    cuts.push(Math.min(at, n));
  }
  return cuts;
};

function decodeInPieces(text: string, pick: (k: number) => number): Uint8Array | string {
  const bytes = utf8Encode(text);
  const d = new Base64urlStreamDecoder();
  const out: Uint8Array[] = [];
  let from = 0;
  try {
    for (const to of splits(bytes.length, pick)) {
      out.push(d.push(bytes.subarray(from, to)));
      from = to;
    }
    d.end();
  } catch (e) {
    if (e instanceof EncodingError) return e.code;
    throw e;
  }
  return concatBytes(...out);
}

function decodeWhole(text: string): Uint8Array | string {
  try {
    return base64urlDecode(text);
  } catch (e) {
    if (e instanceof EncodingError) return e.code;
    throw e;
  }
}

describe('base64url in pieces', () => {
  it('encodes any split of any input to base64urlEncode of the whole', () => {
    const pick = prng(1);
    for (let n = 0; n < 200; n++) {
      const data = seeded(n + 5)(n);
      const e = new Base64urlStreamEncoder();
      const parts: Uint8Array[] = [];
      let from = 0;
      for (const to of splits(n, pick)) {
        parts.push(e.push(data.subarray(from, to)));
        from = to;
      }
      parts.push(e.end());
      expect(new TextDecoder().decode(concatBytes(...parts))).toBe(base64urlEncode(data));
    }
  });

  it('decodes (or refuses, with the same code) exactly what base64urlDecode does, however the text is split', () => {
    const pick = prng(2);
    const texts: string[] = [];
    for (let n = 0; n < 60; n++) texts.push(base64urlEncode(seeded(n + 9)(n)));
    texts.push('QUJD\n  REVG', 'QUJDRA==', 'QUJDRA= =', 'QUJDRA=x', 'QUJ+', 'QUJ/', 'QUJDR', 'QUJDRB', 'QR', 'Q', ' ', '', 'QUJDé', 'QQ==\n');
    for (const t of texts) {
      const whole = decodeWhole(t);
      for (let k = 0; k < 5; k++) {
        const pieces = decodeInPieces(t, pick);
        if (typeof whole === 'string') expect(pieces, JSON.stringify(t)).toBe(whole);
        else expect(typeof pieces !== 'string' && bytesEqual(pieces, whole), JSON.stringify(t)).toBe(true);
      }
    }
  });
});
