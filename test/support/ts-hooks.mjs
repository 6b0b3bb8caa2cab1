// Module hooks that let a plain `node` child process run the repository's TypeScript sources
// (tests that need Node flags vitest's workers do not have, e.g. --experimental-wasm-relaxed-simd).
// Types are not checked here (`npm run typecheck` does that); each .ts file is transpiled alone,
// and a relative `./x.js` import resolves to `./x.ts` when only that exists, as tsc resolves it.
// Use: node --import ./test/support/ts-hooks.mjs file.ts
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// Loaded by --import on the main thread, this file registers itself; Node then runs the hooks
// below on its loader thread (where this guard keeps it from registering again).
if (isMainThread) register(import.meta.url, import.meta.url);

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw e;
  }
}

let ts;
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  ts ??= (await import('typescript')).default;
  const out = ts.transpileModule(await readFile(fileURLToPath(url), 'utf8'), {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
