#!/usr/bin/env node
// The `mesh` command (package.json "bin"): runs the bundled CLI from dist/esm. A fresh clone has
// no dist/ until the build ran; say so in one line instead of Node's module-not-found trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/esm/cli.js', import.meta.url);
if (!existsSync(cli)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`mesh: not built yet: run \`npm run build\` (or \`npm start\`) in ${root}\n`);
  process.exit(2);
}
// `mesh dare …` streams files of any size in a few MiB of buffers: keep V8's young generation at
// its startup size, which must be set before the CLI's code loads (see sdk/cli/gc-pacer.ts).
if (process.argv.slice(2).find((a) => !a.startsWith('-')) === 'dare') {
  try {
    (await import('node:v8')).setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // a runtime without V8 flags: memory is what its own collector makes of it
  }
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
