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
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
