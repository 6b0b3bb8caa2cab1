import { parseDictionary } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { parseDictionaryField } from '../sdk/protocol/structured.js';
import { parseDictionaryShort } from '../sdk/protocol/structured-dictionary.js';
import { prng } from './support/random.js';

/**
 * The short path of Dictionary parsing (sdk/protocol/structured-dictionary.ts) against the
 * `structured-headers` package it stands in front of: whatever text it parses, the package
 * parses to the same value (same Map order, Strings, Integers including -0, Booleans, Byte
 * Sequence bytes); whatever it declines, the package still decides (and its errors stay ours).
 */

/** A comparable picture of a parsed value: classes named, -0 told from 0, bytes in hex. */
function picture(v: unknown): unknown {
  if (v instanceof Map) return { map: [...v.entries()].map(([k, x]) => [k, picture(x)]) };
  if (Array.isArray(v)) return v.map(picture);
  if (v instanceof ArrayBuffer) return { bytes: Buffer.from(v).toString('hex') };
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : v;
  if (typeof v === 'object' && v !== null) return { [v.constructor.name]: String(v) };
  return v;
}

const REAL = [
  'mmm=("@method" "@target-uri" "content-digest" "mesh-credential");created=1800000000;expires=1800000060;nonce="AAECAwQFBgcICQoLDA0ODw";keyid="MDXX-YYYY";alg="hmac-sha256";tag="mmm"',
  'mmm=("@status" "content-digest" "@method";req "@target-uri";req "content-digest";req "signature-input";req;key="mmm" "signature";req;key="mmm");created=1800000000;keyid="MD";alg="hmac-sha256";tag="mmm-response"',
  'mmm=:3q2+7w==:',
  'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
  'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
  'a=?0, b, c;foo="bar", d=(1 2);x=-0, e=-999999999999999',
];
const FRAGMENTS = [
  'a', 'mmm', 'sha-512', '*k', 'A', '=', ',', ', ', ' ', '\t', ';', ';req', ';key="mmm"', '(', ')', '("@method" "x")', '"', '"s"', '"a\\"b"', '"\\\\"', '\\',
  '1', '-', '-0', '0', '123456789012345', '1234567890123456', '1.5', '.', ':', ':AAAA:', ':AA==:', ':A=A=:', ':AAA:', ':AB==:', ':***:', '::', '?1', '?0', '?2',
  'tok', 'Token', '@1', '%"x"', '\u00e9', '"\u00e9"', '\u0000', '=:', '=?', '=(', ') ', '  ',
];

describe('the short path of Dictionary parsing', () => {
  it('parses the fields of signed messages, exactly as the package does', () => {
    for (const text of REAL) {
      const short = parseDictionaryShort(text);
      expect(short, text).toBeDefined();
      expect(picture(short)).toEqual(picture(parseDictionary(text)));
    }
  });

  it('on random and mutated texts: parsed ⇒ the package parses it the same; declined ⇒ the package decides', () => {
    const r = prng(5);
    let parsed = 0;
    let declinedValid = 0;
    for (let round = 0; round < 20_000; round++) {
      let text: string;
      if (round % 2 === 0) {
        text = Array.from({ length: 1 + r(8) }, () => FRAGMENTS[r(FRAGMENTS.length)]!).join('');
      } else {
        // A real field with a few characters inserted, removed or replaced.
        const chars = [...REAL[r(REAL.length)]!];
        for (let k = 0; k < 1 + r(3); k++) {
          const at = r(chars.length + 1);
          const op = r(3);
          const piece = FRAGMENTS[r(FRAGMENTS.length)]!;
          if (op === 0) chars.splice(at, 0, piece);
          else if (op === 1) chars.splice(at, 1);
          else chars.splice(at, 1, piece);
        }
        text = chars.join('');
      }
      let library: unknown;
      let failed = false;
      try {
        library = parseDictionary(text);
      } catch {
        failed = true;
      }
      const short = parseDictionaryShort(text);
      if (short === undefined) {
        if (!failed) declinedValid++;
        continue;
      }
      parsed++;
      expect(failed, `the package refuses ${JSON.stringify(text)}, the short path parsed it`).toBe(false);
      expect(picture(short), JSON.stringify(text)).toEqual(picture(library));
    }
    // Not vacuous: both outcomes happen often.
    expect(parsed).toBeGreaterThan(1_000);
    expect(declinedValid).toBeGreaterThan(10);
  });

  it('decodes a Byte Sequence exactly as atob (which the package uses): padding, odd lengths, stray "=", unused bits', () => {
    const r = prng(9);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/====';
    for (let round = 0; round < 20_000; round++) {
      const b64 = Array.from({ length: r(14) }, () => alphabet[r(alphabet.length)]!).join('');
      let expected: string | undefined;
      try {
        expected = Buffer.from(atob(b64), 'latin1').toString('hex');
      } catch {
        expected = undefined;
      }
      const short = parseDictionaryShort(`a=:${b64}:`);
      const got = short === undefined ? undefined : Buffer.from((short.get('a') as [ArrayBuffer, unknown])[0]).toString('hex');
      expect(got, b64).toBe(expected);
    }
  });

  it('what the short path declines still gets the package\'s verdict and our typed error', () => {
    expect(() => parseDictionaryField('mmm=:3q2+7w==:,', 'Signature', 'PROTOCOL_BAD_SIGNATURE')).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_SIGNATURE' }));
    expect(parseDictionaryShort('a=tok')).toBeUndefined();
    expect(picture(parseDictionaryField('a=tok, b=1.5', 'X', 'PROTOCOL_BAD_SIGNATURE'))).toEqual(picture(parseDictionary('a=tok, b=1.5')));
  });
});
