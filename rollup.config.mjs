// The npm package's entry points (issue 7), bundled from tsc's output (`npm run build:ts` emits
// dist/sdk/**.js + .d.ts; this turns them into what users import):
//   dist/esm/<subpath>/index.js    ESM, one file per module (tree-shakeable)
//   dist/cjs/<subpath>/index.cjs   CommonJS, the same tree
//   dist/types/<subpath>.d.ts  declarations for `import`, and .d.cts twins for `require`
//   dist/wasm/<family>.wasm    the raw WASM families, for callers that precompile them
//   dist/esm/cli.js            the `mesh` command (bin/mesh.js)
// Dependencies (@noble/*, structured-headers, commander) and node:* stay imports: npm installs them once.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dts } from 'rollup-plugin-dts';

/** Every subpath with an index in sdk/ that package.json exports. */
const SUBPATHS = ['crypto', 'udf', 'encoding', 'dare', 'mesh', 'protocol', 'client', 'service'].filter((s) => existsSync(`dist/sdk/${s}/index.js`));
/** Storage adapters, one subpath per platform so a browser bundle never meets node:fs. */
const ADAPTERS = ['memory', 'node', 'postgres', 'bun', 'deno', 'browser'].filter((a) => existsSync(`dist/adapters/${a}/index.js`));
const input = Object.fromEntries([
  ...SUBPATHS.map((s) => [`${s}/index`, `dist/sdk/${s}/index.js`]),
  ...ADAPTERS.map((a) => [`adapters/${a}/index`, `dist/adapters/${a}/index.js`]),
  // The Web Worker entry behind webWorkerHashOffload, loaded by URL (mathmesh/adapters/browser/hash-worker.js).
  ...(existsSync('dist/adapters/browser/hash-worker.js') ? [['adapters/browser/hash-worker', 'dist/adapters/browser/hash-worker.js']] : []),
]);
/** Output names relative to dist/: the SDK's subpaths at the top (crypto/…), adapters under adapters/. */
const fileName = (ext) => (chunk) => `${chunk.name.replace(/^sdk\//, '')}.${ext}`;
const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

/** Copies build/<family>.wasm (scripts/build-wasm.mjs) into dist/wasm/. */
const copyWasm = {
  name: 'copy-wasm',
  writeBundle() {
    mkdirSync('dist/wasm', { recursive: true });
    for (const f of readdirSync('build').filter((f) => f.endsWith('.wasm'))) copyFileSync(`build/${f}`, `dist/wasm/${f}`);
  },
};

const quiet = (w, warn) => {
  if (w.code !== 'CIRCULAR_DEPENDENCY') warn(w);
};

export default [
  {
    input,
    external,
    // package.json "sideEffects": false: a module none of whose exports is used is dropped.
    treeshake: { moduleSideEffects: false },
    onwarn: quiet,
    output: [
      // One file per module (not merged chunks), so a user's bundler drops, module by module,
      // what an app does not use: e.g. mathmesh/udf without deriveKeyPair brings no curve code.
      { dir: 'dist/esm', format: 'es', preserveModules: true, preserveModulesRoot: 'dist', entryFileNames: fileName('js') },
      { dir: 'dist/cjs', format: 'cjs', preserveModules: true, preserveModulesRoot: 'dist', entryFileNames: fileName('cjs'), exports: 'named' },
    ],
    plugins: [copyWasm],
  },
  {
    input: { cli: 'dist/sdk/cli/main.js' },
    external,
    onwarn: quiet,
    output: { dir: 'dist/esm', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'cli/[name]-[hash].js' },
  },
  ...[['d.ts', 'es'], ['d.cts', 'cjs']].map(([ext, format]) => ({
    input: Object.fromEntries([
      ...SUBPATHS.map((s) => [s, `dist/sdk/${s}/index.d.ts`]),
      ...ADAPTERS.map((a) => [`adapters/${a}`, `dist/adapters/${a}/index.d.ts`]),
    ]),
    external,
    onwarn: quiet,
    output: { dir: 'dist/types', format, entryFileNames: `[name].${ext}`, chunkFileNames: `chunks/[name]-[hash].${ext}` },
    plugins: [dts()],
  })),
];
