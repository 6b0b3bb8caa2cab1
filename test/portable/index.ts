/**
 * The portable suites, in the order every runtime registers them. Node runs them under vitest
 * (test/portable.test.ts); Deno, Bun and browsers run a rollup bundle of test/runtimes/*.ts.
 */
import crypto from './crypto.js';
import dare from './dare.js';
import encoding from './encoding.js';
import type { Env, Suite, TestApi } from './harness.js';
import udf from './udf.js';

export const SUITES: readonly Suite[] = [encoding, crypto, udf, dare];

/** Registers every portable suite against `api`. */
export function registerAll(api: TestApi, env: Env): void {
  for (const suite of SUITES) suite(api, env);
}
