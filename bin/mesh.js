#!/usr/bin/env node
// The `mesh` command (package.json "bin"): runs the bundled CLI from dist/esm (npm run build).
import { main } from '../dist/esm/cli.js';

process.exitCode = await main(process.argv.slice(2));
