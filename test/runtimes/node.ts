/**
 * Entry of the portable suites on plain Node (no vitest): the reference run of the very bundle
 * Deno, Bun and the browser run, so the test names each of them must also run are known.
 */
import { readFile } from 'node:fs/promises';
import { RESULT_MARKER, runPortable } from './run.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node node.js <vectors dir>');
const summary = await runPortable(
  {
    runtime: 'node', backend: 'wasm', native: true, nativeCurves: true,
    nativeContexts: Number(process.versions.node.split('.')[0]) >= 22,
  },
  (f) => readFile(`${dir}/${f}`, 'utf8'),
);
console.log(RESULT_MARKER + JSON.stringify(summary));
process.exitCode = summary.failed === 0 && summary.passed > 0 ? 0 : 1;
