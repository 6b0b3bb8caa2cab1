import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeJsonB, encodeJsonB, readJsonBItems, type JsonValue } from '../../../sdk/encoding/index.js';
import { vectorsDir } from '../../support/paths.js';
import { seeded } from '../../support/random.js';
import { canon, cost } from '../canon.js';
import type { FuzzTarget, Seed } from '../engine.js';
import { JSONB_TOKEN_MUTATORS } from '../jsonb-tokens.js';
import { OracleFailure, attempt } from '../typed.js';
import { valueMutator, wrapMutator } from '../value-mutation.js';

/**
 * JSON-B documents (jsonbcd.md §2–§5) through `decodeJsonB` and `readJsonBItems`. Oracle: typed
 * errors only; an accepted document costs no more memory than its bytes (cost(), canon.ts); it
 * reads the same as a single item sequence and under a tighter depth limit (when that accepts it);
 * and it survives the round trip through `encodeJsonB` (both number modes) unchanged.
 */

const rand = seeded(0x5eed);
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const txt = (s: string): number[] => [...Buffer.from(s, 'utf8')];

function deep(n: number): JsonValue {
  let v: JsonValue = { leaf: 1 };
  for (let i = 0; i < n; i++) v = i % 2 ? [v, i] : { [`k${i}`]: v };
  return v;
}

const VALUES: JsonValue[] = [
  { a: 1, b: [true, false, null], c: 'text', d: rand(40) },
  [0, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2n ** 63n, -1, -256, -(2 ** 40), -(2n ** 63n), 2n ** 64n - 1n],
  [1.5, -0.25, 1e300, 0.1],
  { unicode: 'héllo ✓ 𝄞', empty: '', long: 'x'.repeat(300), bytes0: new Uint8Array(0), bytes300: rand(300) },
  deep(12),
  { nested: { list: [[], {}, [[1]], { '': null }] }, date: new Date(Date.UTC(2022, 4, 3, 16, 47, 52)) },
];

const HANDMADE: Uint8Array[] = [
  Uint8Array.of(0x84, 3, ...txt('abc'), 0x80, 2, ...txt('de')), // chunked string
  Uint8Array.of(0x8c, 2, 1, 2, 0x8c, 0, 0x88, 1, 3), // chunked data with an empty chunk
  Uint8Array.of(0x7b, 0x80, 1, ...txt('a'), 0x3a, 0xa0, 5, 0x2c, 0x80, 1, ...txt('b'), 0x3a, 0xb2, 0x7d), // draft names, separators
  Uint8Array.of(...txt('{"x": '), 0xa0, 5, ...txt(', "y": [1, 2.5e-3, "t"]}')), // text and binary tokens mixed
  Uint8Array.of(0x0c, 0x5b, 0x08, 0xb0, 0x20, 0x92, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x5d, 0x0a), // 0C/08 whitespace, binary64
  Uint8Array.of(0x5b, 0xa3, 0, 0x20, 0, 0, 0, 0, 0, 0, 0xab, 0, 0x20, 0, 0, 0, 0, 0, 1, 0x5d), // 64-bit integers beyond 2^53
];

export const jsonbTarget: FuzzTarget<null> = {
  name: 'jsonb',
  summary: 'JSON-B documents and item sequences (decodeJsonB, readJsonBItems, encodeJsonB)',
  async corpus() {
    const out: Seed<null>[] = [];
    VALUES.forEach((v, i) => {
      out.push({ id: `value-${i}`, bytes: encodeJsonB(v), context: null });
      out.push({ id: `value-${i}-binary64`, bytes: encodeJsonB(v, { numbers: 'binary64' }), context: null });
    });
    HANDMADE.forEach((b, i) => out.push({ id: `handmade-${i}`, bytes: b, context: null }));
    const vectors = JSON.parse(readFileSync(resolve(vectorsDir, 'jsonb.json'), 'utf8')) as { vectors: Record<string, string>[] };
    for (const v of vectors.vectors) {
      if (v['input_hex']) out.push({ id: v['id']!, bytes: hex(v['input_hex']), context: null });
    }
    return out;
  },
  mutators: () => [...JSONB_TOKEN_MUTATORS, [valueMutator('jsonb'), 4], [wrapMutator('jsonb'), 1]],
  check(input) {
    const doc = attempt('decodeJsonB', () => decodeJsonB(input));
    const items = attempt('readJsonBItems', () => readJsonBItems(input));
    if (items.ok && cost(items.value) > input.length + 8) {
      throw new OracleFailure('contract', `readJsonBItems: ${input.length} input bytes read as a value costing ${cost(items.value)}`);
    }
    if (!doc.ok) return doc.label;
    const v = doc.value;
    if (cost(v) > input.length + 8) throw new OracleFailure('contract', `decodeJsonB: ${input.length} input bytes read as a value costing ${cost(v)}`);
    if (!items.ok || items.value.length !== 1 || canon(items.value[0]) !== canon(v)) {
      throw new OracleFailure('contract', 'readJsonBItems disagrees with decodeJsonB on a one-value document');
    }
    const shallow = attempt('decodeJsonB maxDepth 3', () => decodeJsonB(input, { maxDepth: 3 }));
    if (shallow.ok && canon(shallow.value) !== canon(v)) throw new OracleFailure('contract', 'decodeJsonB: the depth limit changed the value');
    for (const numbers of ['reference', 'binary64'] as const) {
      const again = attempt(`encodeJsonB (${numbers})`, () => encodeJsonB(v, { numbers }));
      if (!again.ok) continue; // a value the writer cannot represent (NaN, an integer beyond 64 bits): typed
      const back = attempt('decodeJsonB of encodeJsonB', () => decodeJsonB(again.value));
      if (!back.ok || canon(back.value) !== canon(v)) {
        throw new OracleFailure('contract', `round trip through encodeJsonB (${numbers}) changed the value: ${canon(v).slice(0, 80)} → ${back.ok ? canon(back.value).slice(0, 80) : back.label}`);
      }
    }
    return 'accepted';
  },
};
