// `npm run size` (after `npm run build`): minified and gzipped size of each subpath as a user's
// bundler would ship it — everything `export * from 'mathmesh/<subpath>'` reaches, dependencies
// (@noble/*) included, and the package's own code alone. The WASM families are inlined base64
// in mathmesh/crypto (and what imports it); they are counted.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports).filter((k) => !k.includes('*') && k !== './package.json').map((k) => k.slice(2));

async function size(sub, withDeps) {
  const build = await rollup({
    input: 'entry',
    external: withDeps ? (id) => id.startsWith('node:') : (id) => !id.startsWith('.') && !id.startsWith('/') && id !== 'entry' && !id.startsWith('mathmesh/'),
    onwarn: () => undefined,
    plugins: [
      {
        name: 'entry',
        resolveId: (id) => (id === 'entry' ? id : id.startsWith('mathmesh/') ? { id: join(root, 'dist', 'esm', id.slice(9), 'index.js'), moduleSideEffects: false } : null),
        load: (id) => (id === 'entry' ? `export * from 'mathmesh/${sub}';` : null),
      },
      ...(withDeps ? [nodeResolve({ rootDir: root })] : []),
      terser({ format: { comments: false } }),
    ],
  });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  const code = output.map((c) => c.code ?? '').join('');
  return { min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
console.log('subpath            own min   own gzip   +deps min  +deps gzip');
for (const sub of subpaths) {
  const own = await size(sub, false);
  const all = await size(sub, true);
  console.log(`mathmesh/${sub.padEnd(9)}${kib(own.min)} ${kib(own.gzip)} ${kib(all.min)}  ${kib(all.gzip)}`);
}
const wasm = ['hash', 'aes', 'aes-relaxed', 'curve448', 'frame', 'frame-relaxed'].map((f) => `${f}.wasm ${(readFileSync(join(root, 'dist', 'wasm', `${f}.wasm`)).length / 1024).toFixed(1)} KiB`);
console.log(`raw WASM families (dist/wasm, inlined as base64 above): ${wasm.join(', ')}`);
