/**
 * Entry of the portable suites on plain Node (no vitest): the reference run of the very bundle
 * Deno, Bun and the browser run, so the test names each of them must also run are known.
 * Sequence stores: memory and the Node file adapter in a fresh temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFsFactory } from './node-stores.js';
import { RESULT_MARKER, runPortable } from './run.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node node.js <vectors dir>');
const files = mkdtempSync(join(tmpdir(), 'mathmesh-node-seq-'));
const nodeFs = nodeFsFactory(files);
try {
  const summary = await runPortable(
    {
      runtime: 'node', backend: 'wasm', native: true, nativeCurves: true,
      nativeContexts: Number(process.versions.node.split('.')[0]) >= 22,
    },
    (f) => readFile(`${dir}/${f}`, 'utf8'),
    undefined,
    [nodeFs],
  );
  console.log(RESULT_MARKER + JSON.stringify(summary));
  process.exitCode = summary.failed === 0 && summary.passed > 0 ? 0 : 1;
} finally {
  rmSync(files, { recursive: true, force: true });
}
