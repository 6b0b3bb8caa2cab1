/** Entry of the portable suites on Bun: `bun run bun.js <vectors>`. */
import { RESULT_MARKER, runPortable } from './run.js';

declare const Bun: {
  argv: string[];
  file(path: string): { text(): Promise<string> };
};

const dir = Bun.argv[2];
if (!dir) throw new Error('usage: bun run bun.js <vectors dir>');
const summary = await runPortable(
  // Bun's node:crypto is BoringSSL: hashes, HMAC, HKDF and AES are native; no Curve448.
  { runtime: 'bun', backend: 'wasm', native: true, nativeCurves: false, nativeContexts: false },
  (f) => Bun.file(`${dir}/${f}`).text(),
);
console.log(RESULT_MARKER + JSON.stringify(summary));
process.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
