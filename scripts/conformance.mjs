#!/usr/bin/env node
// Conformance runner: `npm run conformance -- FILE...` (issue 4). Runs the compiled runner from
// dist/ (built by `npm run build:ts`); see sdk/conformance/main.ts for the output format.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'sdk', 'conformance', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('conformance: dist/ is missing; run `npm run build:ts` first\n');
  process.exit(2);
}
const { runConformance } = await import(pathToFileURL(entry).href);
process.exitCode = await runConformance(process.argv.slice(2));
