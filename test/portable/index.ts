/**
 * The portable suites, in the order every runtime registers them. Node runs them under vitest
 * (test/portable.test.ts); Deno, Bun and browsers run a rollup bundle of test/runtimes/*.ts.
 */
import aesBuilds from './aes-builds.js';
import crypto from './crypto.js';
import dare, { dareStream } from './dare.js';
import encoding from './encoding.js';
import type { Env, Suite, TestApi } from './harness.js';
import protocol from './protocol.js';
import push from './push.js';
import { memoryFactory, sequenceSuite, type StoreFactory } from './sequence.js';
import udf from './udf.js';
import { hostSuite, memoryHomeFactory, type HomeFactory } from './host.js';
import { connectSuite } from './connect.js';

export const SUITES: readonly Suite[] = [encoding, crypto, aesBuilds, udf, dare, dareStream, protocol, push];

export type { StoreFactory } from './sequence.js';
export type { HomeFactory } from './host.js';

/**
 * Registers every portable suite against `api`. `stores`: the sequence-store factories this
 * runtime tests (default: memory only); every runtime must pass at least memory plus its own.
 * `homes`: likewise the Mesh host's home adapters.
 */
export function registerAll(
  api: TestApi, env: Env, stores: readonly StoreFactory[] = [memoryFactory()], homes: readonly HomeFactory[] = [memoryHomeFactory()],
): void {
  for (const suite of SUITES) suite(api, env);
  sequenceSuite(stores)(api, env);
  hostSuite(homes)(api, env);
  connectSuite(homes)(api, env);
}
