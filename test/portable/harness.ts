/**
 * The portable test API: the small describe/it/expect subset the portable suites are written
 * against, so the same files run under vitest on Node (which provides a superset of it) and
 * under this module's own runner on Deno, Bun and browsers. No runtime-specific API here.
 */

import type { PushEnv } from './push.js';

/** The matchers the portable suites use (a subset of vitest's `expect`). */
export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatch(expected: RegExp | string): void;
  toContain(expected: unknown): void;
  toBeInstanceOf(expected: abstract new (...args: never[]) => unknown): void;
  toBeGreaterThan(expected: number): void;
  toThrow(expected?: RegExp | string | (abstract new (...args: never[]) => unknown)): void;
}
export interface Expectation extends Matchers {
  not: Matchers;
}

export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => void | Promise<void>): void;
  expect(actual: unknown, message?: string): Expectation;
}

/** What a runtime tells the suites about itself; the suites check that it is true. */
export interface Env {
  runtime: 'node' | 'deno' | 'bun' | 'browser';
  /** `await init()` should bring in the WASM core ('wasm'), or is refused here (CSP: 'pure'). */
  backend: 'wasm' | 'pure';
  /** node:crypto is present (Node, Deno, Bun), so the native provider must be too. */
  native: boolean;
  /** The native provider has Ed448/X448 (OpenSSL with Curve448). */
  nativeCurves: boolean;
  /** The native Ed448 takes contexts (RFC 8032 Ed448 with a context: Node 22+, not Node 20). */
  nativeContexts: boolean;
  /** Parsed vector files, keyed by path under `../shared/vectors` (see vectors.ts). */
  vectors: Record<string, unknown>;
  /** The push service of this run and the runtime's WebSocket (push.ts); absent: its tests fail. */
  push?: PushEnv;
  /** The connect helper of this run (test/support/connect-server.ts: `GET /pin`); absent: its test fails. */
  connect?: string;
}

/** A portable suite: registers its describe/it blocks against the given API. */
export type Suite = (t: TestApi, env: Env) => void;

// ---- deep equality, as vitest's toEqual (undefined properties ignored) -------------------------

function isTyped(x: unknown): x is ArrayBufferView {
  return ArrayBuffer.isView(x);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (isTyped(a) || isTyped(b)) {
    if (!isTyped(a) || !isTyped(b) || a.constructor !== b.constructor || a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) &&
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function show(x: unknown): string {
  if (isTyped(x)) return `${x.constructor.name}[${Array.from(new Uint8Array(x.buffer, x.byteOffset, Math.min(x.byteLength, 32))).join(',')}${x.byteLength > 32 ? ',…' : ''}]`;
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'string') return JSON.stringify(x.length > 200 ? x.slice(0, 200) + '…' : x);
  try {
    const s = JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : isTyped(v) ? show(v) : v));
    return s === undefined ? String(x) : s.length > 300 ? s.slice(0, 300) + '…' : s;
  } catch {
    return String(x);
  }
}

export class AssertionError extends Error {
  override name = 'AssertionError';
}

function matchers(actual: unknown, negate: boolean, message: string | undefined): Matchers {
  const check = (pass: boolean, what: string): void => {
    if (pass === negate) {
      throw new AssertionError(`${message ? message + ': ' : ''}expected ${show(actual)} ${negate ? 'not ' : ''}${what}`);
    }
  };
  return {
    toBe: (e) => check(Object.is(actual, e), `to be ${show(e)}`),
    toEqual: (e) => check(deepEqual(actual, e), `to equal ${show(e)}`),
    toMatch: (e) => check(typeof actual === 'string' && (typeof e === 'string' ? actual.includes(e) : e.test(actual)), `to match ${String(e)}`),
    toContain: (e) => check(
      typeof actual === 'string' ? typeof e === 'string' && actual.includes(e) : Array.isArray(actual) && actual.includes(e),
      `to contain ${show(e)}`,
    ),
    toBeInstanceOf: (e) => check(actual instanceof e, `to be an instance of ${e.name}`),
    toBeGreaterThan: (e) => check(typeof actual === 'number' && actual > e, `to be greater than ${e}`),
    toThrow: (e) => {
      if (typeof actual !== 'function') throw new AssertionError('toThrow needs a function');
      let thrown: unknown;
      let threw = false;
      try {
        (actual as () => unknown)();
      } catch (err) {
        threw = true;
        thrown = err;
      }
      const text = thrown instanceof Error ? thrown.message : String(thrown);
      const ok = threw && (e === undefined ? true
        : typeof e === 'string' ? text.includes(e)
          : e instanceof RegExp ? e.test(text)
            : thrown instanceof e);
      if (ok === negate) {
        throw new AssertionError(`${message ? message + ': ' : ''}expected the function ${negate ? 'not ' : ''}to throw` +
          `${e === undefined ? '' : ` ${e instanceof RegExp || typeof e === 'string' ? String(e) : e.name}`}` +
          `${threw ? `, it threw ${show(text)}` : ', it returned'}`);
      }
    },
  };
}

/** The portable `expect`. */
export function expect(actual: unknown, message?: string): Expectation {
  return { ...matchers(actual, false, message), not: matchers(actual, true, message) };
}

// ---- the runner for Deno, Bun and browsers ------------------------------------------------------

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}
export interface RunSummary {
  runtime: string;
  backend: string;
  passed: number;
  failed: number;
  results: TestResult[];
  /** Why init() did not load the WASM core, when it did not. */
  note?: string;
}

/** Collects describe/it registrations, then runs every test in order (sequentially, awaited). */
export function createRunner(): { api: TestApi; run(onResult?: (r: TestResult) => void): Promise<TestResult[]> } {
  const tests: { name: string; fn: () => void | Promise<void> }[] = [];
  const path: string[] = [];
  const api: TestApi = {
    describe(name, fn) {
      path.push(name);
      try {
        fn();
      } finally {
        path.pop();
      }
    },
    it(name, fn) {
      tests.push({ name: [...path, name].join(' > '), fn });
    },
    expect,
  };
  return {
    api,
    async run(onResult) {
      const results: TestResult[] = [];
      for (const t of tests) {
        const start = performance.now();
        let r: TestResult;
        try {
          await t.fn();
          r = { name: t.name, ok: true, ms: performance.now() - start };
        } catch (e) {
          const error = e instanceof Error ? `${e.name}: ${e.message}${e instanceof AssertionError ? '' : `\n${e.stack ?? ''}`}` : String(e);
          r = { name: t.name, ok: false, ms: performance.now() - start, error };
        }
        results.push(r);
        onResult?.(r);
      }
      return results;
    },
  };
}
