import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CryptoError } from '../sdk/crypto/errors.js';
import { curveProviders, fromHex, hex } from './curve448-providers.js';
import { wycheproofDir } from './support/paths.js';

/**
 * Wycheproof ed448_test.json / x448_test.json on every provider (issue 3): `valid` → the stated
 * output, `invalid` → refused (false or a typed CryptoError, never acceptance), `acceptable` →
 * either the stated output or a typed refusal, never a different value.
 */

interface Group { tests: { tcId: number; comment: string; flags: string[]; result: string; [k: string]: unknown }[]; [k: string]: unknown }
const load = (f: string): Group[] => (JSON.parse(readFileSync(resolve(wycheproofDir, f), 'utf8')) as { testGroups: Group[] }).testGroups;

type Outcome = { ok: true; value: unknown } | { ok: false; code: string };
function run(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof CryptoError) return { ok: false, code: e.code };
    throw e; // an untyped exception is a failure of the policy
  }
}

describe.each(curveProviders())('Wycheproof ($name)', ({ ed448, x448 }) => {
  it('ed448_test.json', () => {
    let n = 0;
    for (const g of load('ed448_test.json')) {
      const pk = fromHex((g.publicKey as { pk: string }).pk);
      for (const t of g.tests) {
        const r = run(() => ed448.verify(fromHex(t.sig as string), fromHex(t.msg as string), pk));
        const label = `tcId ${t.tcId} ${t.comment} [${t.flags.join(',')}]`;
        if (t.result === 'valid') expect(r, label).toEqual({ ok: true, value: true });
        else expect(r.ok ? r.value : false, label).toBe(false);
        n++;
      }
    }
    expect(n).toBe(87);
  });
  it('x448_test.json', () => {
    let n = 0;
    for (const g of load('x448_test.json')) {
      for (const t of g.tests) {
        const r = run(() => hex(x448.getSharedSecret(fromHex(t.private as string), fromHex(t.public as string))));
        const label = `tcId ${t.tcId} ${t.comment} [${t.flags.join(',')}]`;
        if (t.result === 'valid') expect(r, label).toEqual({ ok: true, value: t.shared });
        else if (t.result === 'invalid') expect(r.ok, label).toBe(false);
        else if (r.ok) expect(r.value, label).toBe(t.shared);
        n++;
      }
    }
    expect(n).toBe(510);
  });
});
