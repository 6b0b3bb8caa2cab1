import { darePublicKey, type DarePublicKey } from '../../dare/keys.js';
import type { SignatureStatus } from '../../dare/envelope-verify.js';
import { parseEnvelope, type DareEnvelope } from '../../dare/envelope.js';
import { base64urlDecode } from '../../encoding/base64url.js';
import { parseJson } from '../../encoding/json-reader.js';
import { isJsonObject, type JsonValue } from '../../encoding/json-value.js';
import { writeJson } from '../../encoding/json-writer.js';
import { Expected, fail, obj, str } from '../check.js';
import type { EvalContext, Vector } from '../types.js';

/**
 * Shared pieces of the Mesh evaluators (mesh-kinds.md §D): the vector's `inputs`, keys named
 * in the file's `keys` table, envelopes, JSON comparisons and the `signatures` report.
 */

/** The `inputs` object of a mesh.json vector. */
export function inputs(v: Vector): Record<string, unknown> {
  return obj(v, 'inputs');
}

/** Parses an envelope given as JSON text (mesh-kinds.md D1) through the SDK's envelope reader. */
export function envelopeField(o: Record<string, unknown>, name: string): DareEnvelope {
  return parseEnvelope(str(o, name));
}

/**
 * A public key named in the file's `keys` table (`alice.admin-sign` …); `undefined` for a key
 * whose public half is published nowhere (mesh-kinds.md §0). Its `kid` is recomputed from the
 * bytes and must equal the table's.
 */
export function namedKey(ctx: EvalContext, name: string): DarePublicKey | undefined {
  const entry = ctx.keys[name];
  if (typeof entry !== 'object' || entry === null) return fail(`key '${name}' is not in the file's keys table`);
  const k = entry as Record<string, unknown>;
  if (typeof k['public_b64u'] !== 'string') return undefined;
  const crv = str(k, 'crv');
  if (crv !== 'Ed448' && crv !== 'X448' && crv !== 'Ed25519' && crv !== 'X25519') fail(`key '${name}': unsupported curve ${crv}`);
  const key = darePublicKey(crv, base64urlDecode(k['public_b64u']));
  if (typeof k['kid'] === 'string' && k['kid'] !== key.kid) fail(`key '${name}': kid ${String(k['kid'])} is not the fingerprint of its public key (${key.kid})`);
  return key;
}

/** The named signer keys of a vector (`signer_keys`), those with a published public key. */
export function signerKeys(ctx: EvalContext, o: Record<string, unknown>): DarePublicKey[] {
  const names = o['signer_keys'];
  if (names === undefined) return [];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) fail("'signer_keys' is not a list of key names");
  return (names as string[]).map((n) => namedKey(ctx, n)).filter((k): k is DarePublicKey => k !== undefined);
}

/** The `signatures` report of a vector: `{kid, valid}` with valid = true / false / null (no published key). */
export function signatureReport(statuses: readonly SignatureStatus[]): { kid: string | null; valid: boolean | null }[] {
  return statuses.map((s) => ({ kid: s.kid ?? null, valid: s.status === 'valid' ? true : s.status === 'invalid' ? false : null }));
}

/** Compact JSON text of a value (binary as base64url, dates as DateTime): how two values are compared. */
export function jsonText(v: unknown): string {
  return writeJson(v);
}

/** Compares a structured expected field (objects, arrays, booleans, null) as compact JSON, member order included. */
export function expectJson(e: Expected, name: string, actual: unknown): void {
  if (!e.has(name)) return;
  const want = e.take(name);
  const a = jsonText(actual === undefined ? null : actual);
  const w = jsonText(want);
  if (a !== w) fail(`expected.${name}: got ${a.length > 300 ? a.slice(0, 300) + '…' : a}, expected ${w.length > 300 ? w.slice(0, 300) + '…' : w}`);
}

/** The ContentMetaData of a header as the JSON object it encodes (member order kept), or null. */
export function contentMetaJson(env: DareEnvelope): JsonValue {
  const bytes = env.header.contentMetaData;
  if (bytes === undefined) return null;
  const v = parseJson(bytes);
  if (!isJsonObject(v)) fail('ContentMetaData is not a JSON object');
  return v;
}
