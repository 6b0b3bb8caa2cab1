#!/usr/bin/env node
// `npm run fuzz -- --target envelope --seconds 600`: the fuzz suite on demand (test/fuzz/cli.ts
// lists the options). The TypeScript sources load through test/support/ts-hooks.mjs.
import { register } from 'node:module';

register('../test/support/ts-hooks.mjs', import.meta.url);
const { main } = await import('../test/fuzz/cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
}
