import { isJsonObject, type JsonValue } from '../../sdk/encoding/index.js';

/**
 * A canonical text of a parsed value, for comparing two parses: member order kept (it is part of
 * the value, jsonbcd.md §5.1), integers compared by value whether number or bigint, ±0 alike (the
 * writers have no negative-zero form) and exactly, binary data tagged apart from strings.
 */
export function canon(v: JsonValue | undefined): string {
  if (v === undefined) return 'u';
  if (v === null) return 'n';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return `i${BigInt(v)}`; // the exact value, whatever its magnitude (±0 alike)
    return `d${String(v)}`;
  }
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  if (v instanceof Date) return `D${v.toISOString()}`;
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (isJsonObject(v)) return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${canon(x)}`).join(',')}}`;
  return `?${typeof v}`;
}

/**
 * What a parse costs the reader in memory, in units an input byte pays for at least once: one per
 * node, one per byte of data, one per UTF-16 unit of strings and member names. A reader whose
 * output costs more than its input (plus a constant) is allocating for something that is not
 * there — the empty-chunk blow-up class (jsonbcd.md §4).
 */
export function cost(v: JsonValue | undefined): number {
  if (v === undefined || v === null || typeof v !== 'object') return 1 + (typeof v === 'string' ? v.length : 0);
  if (v instanceof Uint8Array) return 1 + v.length;
  if (v instanceof Date) return 1;
  if (Array.isArray(v)) return v.reduce<number>((a, x) => a + cost(x), 1);
  return Object.entries(v).reduce<number>((a, [k, x]) => a + k.length + cost(x), 1);
}
