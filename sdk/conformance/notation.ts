import { base64urlDecode } from '../encoding/base64url.js';
import { hexEncode } from '../encoding/hex.js';
import type { JsonValue } from '../encoding/json-value.js';

/**
 * The value notation of jsonb.json (jsonbcd.md §7): binary as `{"$binary_b64u": "…"}`, member
 * order significant. Vectors carry no schema, so a string in the reference DateTime format
 * (`yyyy-MM-ddTHH:mm:ssZ`) is taken as a DateTime *when encoding*, as the typed schema would
 * (the reference writes DateTime fields as JSON text inside JSON-B, jsonbcd.md §3).
 */

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Notation → value for decoding comparisons (DateTimes stay strings, as the reader returns them). */
export function fromNotation(v: unknown): JsonValue {
  return convert(v, false);
}

/** Notation → value to encode (DateTime strings become `Date`). */
export function fromNotationForEncoding(v: unknown): JsonValue {
  return convert(v, true);
}

function convert(v: unknown, dates: boolean): JsonValue {
  if (Array.isArray(v)) return v.map((x) => convert(x, dates));
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$binary_b64u' && typeof o['$binary_b64u'] === 'string') {
      return base64urlDecode(o['$binary_b64u']);
    }
    const out: Record<string, JsonValue> = {};
    for (const k of keys) out[k] = convert(o[k], dates);
    return out;
  }
  if (dates && typeof v === 'string' && DATE_TIME.test(v)) return new Date(v);
  return v as JsonValue;
}

/** Deep equality with member order, bytes by value, and number/bigint equal when numerically equal. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && hexEncode(a) === hexEncode(b);
  }
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
    return Number.isInteger(Number(a)) && Number.isInteger(Number(b)) && BigInt(a) === BigInt(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i]
      && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** A short rendering for FAIL messages (bytes as hex, bigints as digits). */
export function show(v: unknown): string {
  const s = JSON.stringify(v, (_k, x: unknown) =>
    x instanceof Uint8Array ? { hex: hexEncode(x) } : typeof x === 'bigint' ? x.toString() : x);
  return s === undefined ? String(v) : s.length > 200 ? s.slice(0, 200) + '…' : s;
}
