import { bytesEqual } from '../encoding/bytes.js';
import { hexDecode, hexEncode } from '../encoding/hex.js';
import { VectorMismatch, type Vector } from './types.js';

/**
 * Helpers for evaluators: typed access to vector fields (a missing or mistyped input is a FAIL
 * with a clear reason, not a crash), comparisons that say what differed, and a guard that every
 * `expected` field was looked at — an expected value nobody checked must not count as a PASS.
 */

/** Fails the vector with a reason. */
export function fail(reason: string): never {
  throw new VectorMismatch(reason);
}

/** A required string field. */
export function str(v: Vector | Record<string, unknown>, name: string): string {
  const x = v[name];
  if (typeof x !== 'string') fail(`field '${name}' missing or not a string`);
  return x;
}

/** An optional string field. */
export function optStr(v: Vector | Record<string, unknown>, name: string): string | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  if (typeof x !== 'string') fail(`field '${name}' is not a string`);
  return x;
}

/** A required finite number field. */
export function num(v: Vector | Record<string, unknown>, name: string): number {
  const x = v[name];
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(`field '${name}' missing or not a number`);
  return x;
}

/** An optional number field. */
export function optNum(v: Vector | Record<string, unknown>, name: string): number | undefined {
  return v[name] === undefined ? undefined : num(v, name);
}

/** A required object field. */
export function obj(v: Vector | Record<string, unknown>, name: string): Record<string, unknown> {
  const x = v[name];
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(`field '${name}' missing or not an object`);
  return x as Record<string, unknown>;
}

/** A required array field. */
export function arr(v: Vector | Record<string, unknown>, name: string): unknown[] {
  const x = v[name];
  if (!Array.isArray(x)) fail(`field '${name}' missing or not an array`);
  return x;
}

/** A required hex field, decoded. */
export function hexField(v: Vector | Record<string, unknown>, name: string): Uint8Array {
  try {
    return hexDecode(str(v, name));
  } catch (e) {
    if (e instanceof VectorMismatch) throw e;
    return fail(`field '${name}' is not hex`);
  }
}

/** A required decimal-integer field (string), as bigint. */
export function decField(v: Vector | Record<string, unknown>, name: string): bigint {
  const s = str(v, name);
  if (!/^-?[0-9]+$/.test(s)) fail(`field '${name}' is not a decimal integer`);
  return BigInt(s);
}

/** Data given as `<prefix>_hex` or `<prefix>_utf8` (udf.md §14 conventions); hex wins when both are present. */
export function dataField(v: Vector, prefix: string): Uint8Array {
  if (typeof v[`${prefix}_hex`] === 'string') return hexField(v, `${prefix}_hex`);
  if (typeof v[`${prefix}_utf8`] === 'string') return new TextEncoder().encode(v[`${prefix}_utf8`] as string);
  return fail(`field '${prefix}_hex' or '${prefix}_utf8' missing`);
}

/** Fails with both values shown (bytes as hex) unless they are equal. */
export function expectEqual(label: string, actual: unknown, expected: unknown): void {
  if (actual instanceof Uint8Array && expected instanceof Uint8Array) {
    if (!bytesEqual(actual, expected)) fail(`${label}: got ${hexEncode(actual)}, expected ${hexEncode(expected)}`);
    return;
  }
  if (actual !== expected) fail(`${label}: got ${String(actual)}, expected ${String(expected)}`);
}

/**
 * Tracks which `expected` fields an evaluator compared; `done()` fails on any left unchecked, so
 * an evaluator that does not understand a field cannot report PASS.
 */
export class Expected {
  private readonly seen = new Set<string>();
  readonly fields: Record<string, unknown>;

  constructor(vector: Vector, name = 'expected') {
    this.fields = obj(vector, name);
  }

  has(name: string): boolean {
    return this.fields[name] !== undefined;
  }

  /** Marks a field as checked and returns it. */
  take(name: string): unknown {
    this.seen.add(name);
    return this.fields[name];
  }

  /** Compares a string field (if present). */
  str(name: string, actual: string | (() => string)): void {
    if (!this.has(name)) return;
    const want = this.take(name);
    if (typeof want !== 'string') fail(`expected.${name} is not a string`);
    expectEqual(`expected.${name}`, typeof actual === 'function' ? actual() : actual, want);
  }

  /** Compares a lower-case hex field against bytes (if present). */
  hex(name: string, actual: Uint8Array | (() => Uint8Array)): void {
    if (!this.has(name)) return;
    const want = this.take(name);
    if (typeof want !== 'string') fail(`expected.${name} is not a string`);
    expectEqual(`expected.${name}`, hexEncode(typeof actual === 'function' ? actual() : actual), want.toLowerCase());
  }

  /** Compares a decimal-string field against an integer (if present). */
  dec(name: string, actual: bigint | (() => bigint)): void {
    if (!this.has(name)) return;
    const want = this.take(name);
    if (typeof want !== 'string' && typeof want !== 'number') fail(`expected.${name} is not a decimal`);
    expectEqual(`expected.${name}`, (typeof actual === 'function' ? actual() : actual).toString(), String(want));
  }

  /** Compares a number field (if present). */
  num(name: string, actual: number | (() => number)): void {
    if (!this.has(name)) return;
    const want = this.take(name);
    expectEqual(`expected.${name}`, typeof actual === 'function' ? actual() : actual, want);
  }

  /** Fails when some field was never compared. */
  done(): void {
    const left = Object.keys(this.fields).filter((k) => !this.seen.has(k) && this.fields[k] !== undefined);
    if (left.length > 0) fail(`cannot check expected field(s) ${left.join(', ')}`);
  }
}
