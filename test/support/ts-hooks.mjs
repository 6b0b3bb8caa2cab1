// Module hooks that let plain Node run the repository's TypeScript sources: the fuzz workers
// (test/fuzz/worker.mjs, scripts/fuzz.mjs: outside vitest, so that a hang can be stopped from
// the outside) and child processes that need Node flags vitest's workers do not have (e.g.
// --experimental-wasm-relaxed-simd).
//
// - A `.js` specifier (relative, absolute or file:) falls back to the `.ts` file beside it when
//   only that exists, as tsc resolves the sources' NodeNext `.js` suffixes.
// - A `.ts` file is transpiled alone with the pinned TypeScript compiler, type-free (`npm run
//   typecheck` checks types), with an inline source map so stack traces name the source lines.
//   The output is cached by content hash under node_modules/.cache, so only changed files cost.
//
// Use: `node --import ./test/support/ts-hooks.mjs file.ts`, or from code
// `register('<relative path>/ts-hooks.mjs', import.meta.url)`.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// Loaded by --import on the main thread, this file registers itself; Node then runs the hooks
// below on its loader thread (where this guard keeps it from registering again). Loaded through
// register(), it is evaluated on the loader thread only.
if (isMainThread) register(import.meta.url, import.meta.url);

const cacheDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'mathmesh-ts');
let ts;

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (/^(\.|\/|file:)/.test(specifier) && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw e;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const key = createHash('sha256').update(fileName).update('\0').update(source).digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // not cached yet
  }
  ts ??= (await import('typescript')).default;
  const out = ts.transpileModule(source, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true },
  }).outputText;
  try {
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(tmp, out);
    await rename(tmp, cached);
  } catch {
    // a read-only tree still works, just slower
  }
  return { format: 'module', source: out, shortCircuit: true };
}
