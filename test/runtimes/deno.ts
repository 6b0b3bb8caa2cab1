/** Entry of the portable suites on Deno: `deno run --allow-read=<vectors> deno.js <vectors>`. */
import { RESULT_MARKER, runPortable } from './run.js';

declare const Deno: {
  args: string[];
  readTextFile(path: string): Promise<string>;
  exit(code: number): never;
};

const dir = Deno.args[0];
if (!dir) throw new Error('usage: deno run --allow-read deno.js <vectors dir>');
const summary = await runPortable(
  // Deno's node:crypto (process.getBuiltinModule) backs the native provider, Ed448/X448 included
  // but without Ed448 contexts (its sign() refuses the context option).
  { runtime: 'deno', backend: 'wasm', native: true, nativeCurves: true, nativeContexts: false },
  (f) => Deno.readTextFile(`${dir}/${f}`),
);
console.log(RESULT_MARKER + JSON.stringify(summary));
Deno.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
