/**
 * The portable suites under the portable runner, for the runtimes outside vitest (Deno, Bun,
 * browsers, and Node for the reference run of the same bundle). Each entry file passes how to
 * read a vector file and what to expect of the runtime; this prints one line per failure and
 * returns the summary that scripts/test-runtimes.mjs checks.
 */
import { getProvider, init } from '../../sdk/crypto/index.js';
import { createRunner, type Env, type RunSummary } from '../portable/harness.js';
import { registerAll, type HomeFactory, type StoreFactory } from '../portable/index.js';
import { memoryHomeFactory } from '../portable/host.js';
import { memoryFactory } from '../portable/sequence.js';
import { loadVectors } from '../portable/vectors.js';

export type RuntimeExpectations = Omit<Env, 'vectors'>;

export async function runPortable(
  expected: RuntimeExpectations,
  read: (file: string) => Promise<string>,
  log: (line: string) => void = (l) => console.log(l),
  /** The runtime's own sequence-store adapters; memory is always tested as well. */
  stores: readonly StoreFactory[] = [],
  /** The runtime's own home adapters (Mesh host); memory is always tested as well. */
  homes: readonly HomeFactory[] = [],
): Promise<RunSummary> {
  const vectors = await loadVectors(read);
  // Asynchronous instantiation: the only way a browser main thread may compile the WASM core.
  const backend = await init();
  let note = '';
  if (backend !== 'wasm') {
    try {
      getProvider('wasm');
    } catch (e) {
      note = e instanceof Error ? e.message : String(e); // why the WASM core is not loaded (e.g. the CSP)
    }
  }
  const runner = createRunner();
  registerAll(runner.api, { ...expected, vectors }, [memoryFactory(), ...stores], [memoryHomeFactory(), ...homes]);
  const results = await runner.run((r) => {
    if (!r.ok) log(`FAIL ${r.name}\n  ${r.error?.replace(/\n/g, '\n  ')}`);
  });
  const failed = results.filter((r) => !r.ok).length;
  return { runtime: expected.runtime, backend, passed: results.length - failed, failed, results, note };
}

/** The marker line a runner prints its JSON summary after (stdout of Deno, Bun and Node). */
export const RESULT_MARKER = '@@mathmesh-portable-result ';
