#!/usr/bin/env node
// The `mesh` command (package.json "bin"): runs the compiled CLI from dist/ (npm run build:ts).
import { main } from '../dist/sdk/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
