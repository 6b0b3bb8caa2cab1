import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseJson, utf8Encode, writeJson, writeReferenceJson, isJsonObject, type JsonValue } from '../../../sdk/encoding/index.js';
import { vectorsDir } from '../../support/paths.js';
import { seeded } from '../../support/random.js';
import { canon, cost } from '../canon.js';
import type { FuzzTarget, Seed } from '../engine.js';
import { OracleFailure, attempt } from '../typed.js';
import { jsonEscapeMutator, valueMutator, wrapMutator } from '../value-mutation.js';

/**
 * JSON text (RFC 8259 plus the reference's line-wrapped strings, dare.md §1) through `parseJson`.
 * Oracle, beyond typed errors: the strict mode accepts only what `JSON.parse` accepts, and the
 * default mode accepts everything `JSON.parse` does (except duplicate names and unpaired
 * surrogates, which we refuse on purpose) with the same structure; no output larger than the input; `writeJson` and
 * `writeReferenceJson` round-trip what was read.
 */

const rand = seeded(0x150);
const fatal = new TextDecoder('utf-8', { fatal: true });

/** JSON.parse's view of the structure: numbers as numbers (it has no bigint), binary does not occur. */
function loose(v: unknown): string {
  if (typeof v === 'bigint') return `n${Number(v)}`;
  if (typeof v === 'number') return `n${v === 0 ? 0 : v}`;
  if (Array.isArray(v)) return `[${v.map(loose).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${loose(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

const TEXTS = [
  '{"a":"\\u00e9\\n\\"\\\\\\/","b":[1,2.5e-3,-0,1E+2,-12345678901234567890],"c":{},"d":[],"e":true,"f":null}',
  ' [ "x" , { "k" : [ ] } , 0.5 ] ',
  '{"wrapped": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygp\n  KissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9Q"}',
  '"\\ud83d\\ude00 \\ud800"',
  '9007199254740993',
];

export const jsonTarget: FuzzTarget<null> = {
  name: 'json',
  summary: 'JSON text (parseJson strict and tolerant, writeJson, writeReferenceJson)',
  async corpus() {
    const out: Seed<null>[] = TEXTS.map((t, i) => ({ id: `text-${i}`, bytes: utf8Encode(t), context: null }));
    const values: JsonValue[] = [{ a: 1, list: [true, null, 'x'], bin: rand(48), nested: { deeper: [1, [2, [3]]] } }, { Key: 'é✓𝄞', n: -7, f: 0.001 }];
    values.forEach((v, i) => {
      out.push({ id: `compact-${i}`, bytes: utf8Encode(writeJson(v)), context: null });
      out.push({ id: `reference-${i}`, bytes: utf8Encode(writeReferenceJson(v)), context: null });
    });
    const dare = JSON.parse(readFileSync(resolve(vectorsDir, 'dare.json'), 'utf8')) as { vectors: Record<string, unknown>[] };
    for (const v of dare.vectors) if (typeof v['envelope_json'] === 'string') out.push({ id: String(v['id']), bytes: utf8Encode(v['envelope_json']), context: null });
    return out;
  },
  mutators: () => [[valueMutator('json'), 6], [jsonEscapeMutator, 2], [wrapMutator('json'), 1]],
  check(input) {
    const tolerant = attempt('parseJson', () => parseJson(input));
    const strict = attempt('parseJson (strict)', () => parseJson(input, { tolerateLineBreaks: false }));
    let native: { ok: true; value: unknown } | { ok: false } = { ok: false };
    try {
      native = { ok: true, value: JSON.parse(fatal.decode(input)) };
    } catch {
      native = { ok: false };
    }
    if (strict.ok && !native.ok) throw new OracleFailure('contract', 'parseJson (strict) accepted text that JSON.parse refuses');
    if (strict.ok && !tolerant.ok) throw new OracleFailure('contract', 'parseJson refused what its strict mode accepts');
    if (native.ok && !tolerant.ok) {
      const e = tolerant.error.message;
      // Refused on purpose: duplicate names, nesting beyond the limit, unpaired surrogates (jsonbcd.md §3).
      if (!/duplicate member name|nesting deeper|unpaired UTF-16 surrogate/.test(e)) throw new OracleFailure('contract', `parseJson refused valid JSON: ${tolerant.label}`);
    }
    if (strict.ok && native.ok && loose(strict.value) !== loose(native.value)) {
      throw new OracleFailure('contract', 'parseJson (strict) and JSON.parse read different values');
    }
    if (!tolerant.ok) return tolerant.label;
    const v = tolerant.value;
    if (cost(v) > input.length + 8) throw new OracleFailure('contract', `parseJson: ${input.length} input bytes read as a value costing ${cost(v)}`);
    const text = attempt('writeJson', () => writeJson(v));
    if (text.ok) {
      const back = attempt('parseJson of writeJson', () => parseJson(text.value));
      if (!back.ok || canon(back.value) !== canon(v)) throw new OracleFailure('contract', 'round trip through writeJson changed the value');
    }
    if (isJsonObject(v) || Array.isArray(v)) {
      const ref = attempt('writeReferenceJson', () => writeReferenceJson(v));
      if (ref.ok) {
        const back = attempt('parseJson of writeReferenceJson', () => parseJson(ref.value));
        if (!back.ok || canon(back.value) !== canon(v)) throw new OracleFailure('contract', 'round trip through writeReferenceJson changed the value');
      }
    }
    return strict.ok ? 'accepted' : 'accepted (tolerant only)';
  },
};
