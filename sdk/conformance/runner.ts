import { NotImplementedYet, type EvalContext, type Vector, type VectorResult } from './types.js';
import type { Registry } from './registry.js';

/**
 * Runs the vectors of one file (issue 4, conformance runner). Two file formats (../shared/vectors):
 * - a JSON array of vectors (udf.json, keys.json);
 * - an object with `vectors`, `derived_vectors`, optional `known_bad` and `keys` (jsonb.json, dare.json).
 * Only `"verified": true` vectors (and unknown kinds) decide the exit status; derived/unverified
 * vectors are run and reported; `known_bad` entries are reported, not run.
 */

/** A file's vectors, split by how they count. */
export interface VectorFile {
  readonly name: string;
  readonly vectors: readonly Vector[];
  readonly knownBad: readonly Record<string, unknown>[];
  readonly keys: Readonly<Record<string, unknown>>;
}

/** Thrown for a file that is in neither format. */
export class VectorFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VectorFileError';
  }
}

/** Interprets parsed JSON as a vector file. */
export function toVectorFile(name: string, json: unknown): VectorFile {
  if (Array.isArray(json)) return { name, vectors: json as Vector[], knownBad: [], keys: {} };
  if (typeof json === 'object' && json !== null) {
    const o = json as Record<string, unknown>;
    const lists = ['vectors', 'derived_vectors'].filter((k) => Array.isArray(o[k]));
    if (lists.length > 0) {
      const vectors: Vector[] = [];
      for (const k of lists) {
        for (const v of o[k] as Vector[]) {
          // Derived vectors are consistency tests, never ground truth: unverified whatever they say.
          vectors.push(k === 'derived_vectors' && v !== null && typeof v === 'object' ? { ...v, verified: false } : v);
        }
      }
      const knownBad = Array.isArray(o['known_bad']) ? (o['known_bad'] as Record<string, unknown>[]) : [];
      const keys = typeof o['keys'] === 'object' && o['keys'] !== null && !Array.isArray(o['keys']) ? (o['keys'] as Record<string, unknown>) : {};
      return { name, vectors, knownBad, keys };
    }
  }
  throw new VectorFileError(`${name}: not a vector file (expected an array of vectors or an object with "vectors")`);
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 400 ? t.slice(0, 400) + '…' : t;
}

/** Runs one vector. */
export async function runVector(v: Vector, registry: Registry, context: EvalContext): Promise<VectorResult> {
  const valid = typeof v === 'object' && v !== null;
  const id = valid && typeof v.id === 'string' ? v.id : '(no id)';
  const kind = valid && typeof v.kind === 'string' ? v.kind : '';
  const verified = valid && v.verified === true;
  if (!valid || kind === '') return { id, kind, status: 'fail', reason: 'vector has no kind', verified, unknownKind: true };
  const evaluator = registry.get(kind);
  if (evaluator === undefined) {
    if (registry.isKnown(kind)) return { id, kind, status: 'skip', reason: `${kind} not implemented yet`, verified };
    return { id, kind, status: 'fail', reason: `unknown kind '${kind}'`, verified, unknownKind: true };
  }
  try {
    await evaluator(v, context);
    return { id, kind, status: 'pass', verified };
  } catch (e) {
    if (e instanceof NotImplementedYet) return { id, kind, status: 'skip', reason: `${kind} not implemented yet (${e.message})`, verified };
    const message = e instanceof Error ? `${'code' in e && typeof e.code === 'string' ? e.code + ': ' : ''}${e.message}` : String(e);
    return { id, kind, status: 'fail', reason: oneLine((verified ? '' : '(unverified) ') + message), verified };
  }
}

/** Runs every vector of a file, in file order, then reports its known-bad entries. */
export async function runVectorFile(file: VectorFile, registry: Registry): Promise<VectorResult[]> {
  const context: EvalContext = { keys: file.keys, file: file.name };
  const out: VectorResult[] = [];
  for (const v of file.vectors) out.push(await runVector(v, registry, context));
  for (const b of file.knownBad) {
    const id = typeof b['id'] === 'string' ? b['id'] : '(no id)';
    const reason = typeof b['reason'] === 'string' ? b['reason'] : 'no reason given';
    out.push({ id, kind: 'known_bad', status: 'skip', reason: `known bad: ${oneLine(reason)}`, verified: false, knownBad: true });
  }
  return out;
}

/** The line printed for a result: `PASS <id>`, `FAIL <id>: <reason>` or `SKIP <id>: <reason>`. */
export function formatResult(r: VectorResult): string {
  if (r.status === 'pass') return `PASS ${r.id}`;
  return `${r.status === 'fail' ? 'FAIL' : 'SKIP'} ${r.id}: ${r.reason ?? ''}`;
}

/** True when the result makes the run fail: a verified vector failed, or its kind is unknown. */
export function isFatal(r: VectorResult): boolean {
  return r.status === 'fail' && (r.verified || r.unknownKind === true);
}

/**
 * The closing lines. `N passed, M failed, K skipped` counts as failed only what decides the exit
 * status (verified vectors and unknown kinds), so a CI that reads that line agrees with the exit
 * code; unverified (derived) failures are printed as FAIL lines and counted on the line before.
 */
export function summaryLines(results: readonly VectorResult[]): string[] {
  const passed = results.filter((r) => r.status === 'pass').length;
  const fatal = results.filter(isFatal).length;
  const unverified = results.filter((r) => r.status === 'fail' && !isFatal(r)).length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const lines: string[] = [];
  if (unverified > 0) lines.push(`# ${unverified} unverified vector(s) failed (derived or verified:false: reported, not counted)`);
  lines.push(`${passed} passed, ${fatal} failed, ${skipped} skipped`);
  return lines;
}
