import { describe, expect, it } from 'vitest';
import { HeaderFields, ReceivedHeaderFields } from '../sdk/protocol/header-fields.js';
import { seeded } from './support/random.js';

/**
 * The binding's header views read exactly as the Fetch `Headers` they replace on the hot path
 * (sdk/protocol/header-fields.ts): differentially, on random raw field lists with repeated fields,
 * mixed-case names, surrounding whitespace, names that are not tokens and values with NUL, CR or
 * LF — a field `Headers` refuses is not a field, a repeated one reads combined with ", ".
 */

const NAMES = ['Signature', 'signature', 'SIGNATURE-INPUT', 'signature-input', 'content-digest', 'Mesh-Credential', 'origin', 'host', 'content-length', '__proto__', 'constructor', 'x:bad', 'bad name', '', 'täst'];
const VALUES = ['a', ' a', 'a ', '\ta\t', 'sig1=:AAAA:', '', ' ', 'x\u0000y', 'x\ry', 'x\ny', 'a, b', '"q"', '\u00ff'];

/** What a server adapter that appended raw fields to a `Headers` (skipping refused ones) would read. */
function viaHeaders(raw: readonly string[]): Headers {
  const h = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      h.append(raw[i]!, raw[i + 1]!);
    } catch {
      // refused by Fetch: not a field
    }
  }
  return h;
}

describe('ReceivedHeaderFields reads as Headers', () => {
  it('on random raw field lists (repeats, case, whitespace, refused names and values)', () => {
    const r = seeded(11);
    for (let round = 0; round < 500; round++) {
      const n = r(1)[0]! % 12;
      const raw: string[] = [];
      for (let i = 0; i < n; i++) {
        const [a, b] = r(2);
        raw.push(NAMES[a! % NAMES.length]!, VALUES[b! % VALUES.length]!);
      }
      const expected = viaHeaders(raw);
      const view = new ReceivedHeaderFields(raw);
      for (const name of NAMES) {
        let want: string | null;
        try {
          want = expected.get(name);
        } catch {
          want = null; // Headers throws for a name that is not a token; no field has it
        }
        expect(view.get(name), `${JSON.stringify(raw)} ${name}`).toBe(want);
      }
      const seen: [string, string][] = [];
      view.forEach((v, k) => seen.push([k, v]));
      const wanted: [string, string][] = [];
      expected.forEach((v, k) => wanted.push([k, v]));
      expect(seen.sort(), JSON.stringify(raw)).toEqual(wanted.sort());
    }
  });

  it('combines a repeated field with ", " and reads names case-insensitively', () => {
    const view = new ReceivedHeaderFields(['Signature', 'a=:AA==:', 'signature', 'b=:BB==:', 'Host', 'x']);
    expect(view.get('SIGNATURE')).toBe('a=:AA==:, b=:BB==:');
    expect(view.get('host')).toBe('x');
    expect(view.get('constructor')).toBeNull();
    expect(view.get('__proto__')).toBeNull();
  });
});

describe('HeaderFields', () => {
  it('refuses what Headers refuses, so nothing written can split a header on the wire', () => {
    const f = new HeaderFields();
    for (const [name, value] of [['bad name', 'v'], ['x:y', 'v'], ['', 'v'], ['ok', 'a\r\nInjected: 1'], ['ok', 'a\u0000'], ['ok', 'a\nb']] as const) {
      expect(() => new Headers().set(name, value)).toThrow(TypeError);
      expect(() => f.set(name, value)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_ARGUMENT' }));
      expect(() => f.append(name, value)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_ARGUMENT' }));
    }
    expect(f.record).toEqual({});
  });

  it('reads as Headers after the same sets and appends', () => {
    const f = new HeaderFields({ 'Content-Type': ' application/json ' });
    const h = new Headers({ 'Content-Type': ' application/json ' });
    for (const target of [f, h]) {
      target.set('Signature', 'mmm=:AA==:');
      target.append('vary', 'origin');
      target.append('Vary', 'accept');
      target.set('__proto__', 'p');
    }
    for (const name of ['content-type', 'signature', 'vary', 'VARY', '__proto__', 'absent']) expect(f.get(name)).toBe(h.get(name));
    expect(f.has('Signature')).toBe(true);
    f.delete('signature');
    expect(f.get('signature')).toBeNull();
    expect(Object.getPrototypeOf(f.record)).toBeNull();
    expect(Object.entries(f.record)).toEqual([['content-type', 'application/json'], ['vary', 'origin, accept'], ['__proto__', 'p']]);
    const seen: string[] = [];
    f.forEach((v, k) => seen.push(`${k}: ${v}`));
    expect(seen).toEqual(['content-type: application/json', 'vary: origin, accept', '__proto__: p']);
  });
});
