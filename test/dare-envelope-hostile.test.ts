import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import {
  DareError, darePrivateKey, decodeContentMeta, decodeEnvelope, encodeEnvelope, publicPart, serializeEnvelope, verifyEnvelope,
  type ContentMeta,
} from '../sdk/dare/index.js';
import { encodeJsonB, utf8Encode } from '../sdk/encoding/index.js';
import { seeded } from './support/random.js';

/**
 * Hostile values on the envelope path get typed errors, never a TypeError or RangeError: every
 * member of a signed, encrypted, annotated envelope (header, recipients, epk, signatures,
 * trailer, ContentMetaData, EDS) replaced by values chosen to break naive code — objects whose
 * `toString` is not a function, arrays where strings belong, prototypes, huge numbers.
 */

const bob = darePrivateKey('X448', seeded(1)(56));
const alice = darePrivateKey('Ed448', seeded(2)(56));
const random = seeded(3);

beforeAll(async () => {
  await init();
});

const HOSTILE: unknown[] = [
  { toString: 1 }, { valueOf: {} }, { toString: 1, valueOf: 1 }, JSON.parse('{"__proto__":{"toString":1}}'), [], [[]], [{ toString: 1 }],
  null, true, 0, -1, 1e308, 2 ** 53 + 1, '', 'x', '\u0000\u001b[2J', 'A'.repeat(3),
];

/** Every path to a value inside `v` (objects and arrays), root excluded. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [];
  const out: (string | number)[][] = [];
  for (const [k, child] of Object.entries(v)) {
    const p = [...prefix, Array.isArray(v) ? Number(k) : k];
    out.push(p, ...paths(child, p));
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  Object.defineProperty(o, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function typedOnly(label: string, f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof DareError)) throw new Error(`${label}: untyped ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return e.code;
  }
}

describe('hostile members: typed errors only', () => {
  it('every member of a signed, encrypted, annotated envelope replaced by hostile values', () => {
    const env = encodeEnvelope('payload', {
      recipients: [publicPart(bob)], signers: [alice], annotations: ['Subject: a'], contentType: 'text/plain', envelopeId: 'id', random,
    });
    const value = JSON.parse(new TextDecoder().decode(serializeEnvelope(env, 'json'))) as unknown;
    const codes = new Map<string, number>();
    let cases = 0;
    for (const path of paths(value)) {
      for (const h of HOSTILE) {
        const text = JSON.stringify(setAt(value, path, h));
        const label = `${path.join('.')} = ${JSON.stringify(h)}`;
        for (const run of [
          () => decodeEnvelope(text, { keys: [bob], signers: [publicPart(alice)] }),
          () => decodeEnvelope(text, { keys: [bob] }),
          () => verifyEnvelope(text),
        ]) {
          const c = typedOnly(label, run);
          codes.set(c, (codes.get(c) ?? 0) + 1);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
    expect(codes.get('DARE_BAD_FORMAT')).toBeGreaterThan(0);
  });

  it('hostile ContentMetaData: DARE_BAD_FORMAT, or values of the declared types', () => {
    const texts = [
      '{"toString":1}', '{"cty":{"toString":1}}', '{"cty":["a"]}', '{"Filename":5}', '{"Labels":{"toString":1}}', '{"Labels":[1]}',
      '{"KeyValues":[{"Key":{"toString":1}}]}', '{"KeyValues":{"length":1}}', '{"KeyValues":[5]}', '{"Created":{"valueOf":1}}',
      '{"First":"1"}', '{"First":1.5}', '{"FileEntry":[]}', '{"__proto__":{"cty":"x"}}', '{"Paths":["a",{"b":1}]}', '[]', '"x"', 'null',
      '{"cty":"text/plain","Filename":"a.txt","Labels":["l"],"KeyValues":[{"Key":"k","Value":"v"}],"First":1}',
    ];
    const STRINGS: (keyof ContentMeta)[] = ['uniqueId', 'messageType', 'cty', 'filename', 'event', 'created', 'modified', 'expire'];
    for (const t of texts) {
      let meta: ContentMeta | undefined;
      const c = typedOnly(t, () => (meta = decodeContentMeta(utf8Encode(t))));
      if (c !== 'ok') {
        expect(c, t).toBe('DARE_BAD_FORMAT');
        // The same through a whole envelope.
        expect(typedOnly(t, () => decodeEnvelope(encodeEnvelope('p', { contentMeta: utf8Encode(t) }))), t).toBe('DARE_BAD_FORMAT');
        continue;
      }
      for (const k of STRINGS) if (meta![k] !== undefined) expect(typeof meta![k], `${t}: ${k}`).toBe('string');
      for (const k of ['labels', 'paths'] as const) if (meta![k] !== undefined) expect(meta![k]!.every((x) => typeof x === 'string')).toBe(true);
      for (const kv of meta!.keyValues ?? []) expect([typeof kv.key, typeof kv.value]).toEqual(['string', 'string']);
      expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    }
    expect(decodeContentMeta(utf8Encode(texts[texts.length - 1]!))).toMatchObject({ cty: 'text/plain', filename: 'a.txt', keyValues: [{ key: 'k', value: 'v' }] });
  });

  it('hostile annotations (EDS): DARE_BAD_ANNOTATION or DARE_DECRYPT_FAILED', () => {
    const bad = [new Uint8Array(0), Uint8Array.of(0x88), encodeJsonB([1, 2]), encodeJsonB({ toString: 1 }), Uint8Array.of(0x88, 1, 0, 0x88, 1, 0, 0x88, 1, 0, 0x88, 1, 0)];
    for (const eds of bad) {
      const plain = encodeEnvelope('p', { annotations: ['a'] });
      plain.header.annotations = [eds];
      expect(typedOnly('plain EDS', () => decodeEnvelope(serializeEnvelope(plain, 'jsonb')))).toBe('DARE_BAD_ANNOTATION');
    }
  });
});
