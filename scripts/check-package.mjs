// `npm run test:package`: checks the built package (npm run build) as a user gets it.
//  1. `npm pack --dry-run` lists only what users need (dist/{esm,cjs,types,wasm}, bin, README).
//  2. Every subpath loads by its package name through `import` and `require`, and agrees.
//  3. The raw dist/wasm/*.wasm files precompile and load through init({ wasm }).
//  4. TypeScript resolves the types of every subpath for ESM and CommonJS consumers (node16).
//  5. A bundle of mathmesh/udf without key derivation has no curve code and nothing imports `ws`;
//     with deriveKeyPair the curve code is there (so the check can fail).
//  6. mathmesh/mesh loads only its own files and @noble/* (no WebSocket, service or CLI code);
//     mathmesh/protocol and mathmesh/client only those and structured-headers (no node:*, no
//     adapter); only mathmesh/adapters/node loads `ws` (the push channel on Node).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Subpaths with an index (not single files served by URL, like the browser hash worker's entry).
const subpaths = Object.keys(pkg.exports).filter((k) => !k.includes('*') && k !== './package.json' && !k.endsWith('.js')).map((k) => k.slice(2));
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

console.log('package contents (npm pack --dry-run):');
const [packed] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
const files = packed.files.map((f) => f.path);
const allowed = /^(dist\/(esm|cjs|types)\/[\w./-]+\.(js|cjs|d\.ts|d\.cts)|dist\/wasm\/[a-z0-9-]+\.wasm|bin\/mesh\.js|README\.md|LICENSE|package\.json)$/;
check(files.every((f) => allowed.test(f)), `only user files (${files.length} files, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${(packed.size / 1024).toFixed(0)} KiB packed): ${files.filter((f) => !allowed.test(f)).join(', ') || 'nothing else'}`);
for (const s of subpaths) {
  for (const f of [`dist/esm/${s}/index.js`, `dist/cjs/${s}/index.cjs`, `dist/types/${s}.d.ts`, `dist/types/${s}.d.cts`]) check(files.includes(f), `packs ${f}`);
}
for (const f of ['hash', 'aes', 'aes-relaxed', 'curve448', 'frame', 'frame-relaxed']) check(files.includes(`dist/wasm/${f}.wasm`), `packs dist/wasm/${f}.wasm`);
check(files.includes('bin/mesh.js') && files.includes('dist/esm/cli.js'), 'packs the mesh CLI (bin/mesh.js → dist/esm/cli.js)');

console.log('\nloading by package name (self-reference through package.json "exports"):');
const require = createRequire(join(root, 'package.json'));
for (const s of subpaths) {
  const esm = await import(`mathmesh/${s}`);
  const cjs = require(`mathmesh/${s}`);
  const names = Object.keys(esm).sort();
  check(names.length > 0 && JSON.stringify(names) === JSON.stringify(Object.keys(cjs).filter((k) => k !== '__esModule').sort()),
    `mathmesh/${s}: ${names.length} exports, the same through import and require`);
}
const esmCrypto = await import('mathmesh/crypto');
const cjsCrypto = require('mathmesh/crypto');
const abc = new TextEncoder().encode('abc');
check(cjsCrypto.initSync() === 'wasm' && (await esmCrypto.init()) === 'wasm', 'init() loads the inlined WASM core in ESM and CJS');
check(Buffer.from(esmCrypto.sha512(abc)).toString('hex') === Buffer.from(cjsCrypto.sha512(abc)).toString('hex') &&
  Buffer.from(esmCrypto.sha512(abc)).toString('hex').startsWith('ddaf35a193617aba'), 'sha512("abc") agrees in ESM and CJS');
const mesh = execFileSync(process.execPath, [join(root, 'bin', 'mesh.js'), '--help'], { encoding: 'utf8' });
check(/hash/.test(mesh), 'bin/mesh.js --help runs the bundled CLI');

console.log('\nprecompiled WebAssembly.Module from dist/wasm (edge runtimes):');
{
  const fresh = await import(`${new URL('../dist/esm/crypto/index.js', import.meta.url).href}?precompiled`);
  const wasm = Object.fromEntries(['hash', 'aes', 'curve448'].map((f) => [f, new WebAssembly.Module(readFileSync(join(root, 'dist', 'wasm', `${f}.wasm`)))]));
  check((await fresh.init({ wasm })) === 'wasm' && fresh.route('sha512', 64) === 'wasm', 'init({ wasm: { hash, aes, curve448 } }) with precompiled modules → wasm');
  const x = fresh.getProvider('wasm');
  check(Buffer.from(x.sha512(abc)).toString('hex') === Buffer.from(esmCrypto.getProvider('pure').sha512(abc)).toString('hex'), 'the precompiled core answers like the pure one');
  // Only the builds passed are used: without `aesRelaxed`, the plain AES build runs.
  check(fresh.wasmVariants()?.aes === 'simd', `with precompiled modules and no aesRelaxed, the plain AES build runs (${fresh.wasmVariants()?.aes})`);
}

console.log('\nTypeScript consumers (module node16, ESM and CommonJS):');
{
  const dir = mkdtempSync(join(tmpdir(), 'mathmesh-types-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'mathmesh'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const uses = [
      `import { init, sha512, type ProviderName } from 'mathmesh/crypto';`,
      `import { contentDigest, type KeyPair } from 'mathmesh/udf';`,
      `import { base64urlEncode } from 'mathmesh/encoding';`,
      `import { readMeshObject, type ProfileUser } from 'mathmesh/mesh';`,
      `import { MeshHttpClient, type MeshHttpServiceOptions } from 'mathmesh/protocol';`,
      `import { ServiceConflictError, type ServiceStore, type PushChangeSource } from 'mathmesh/service';`,
      `import { watchPush, type PushWatch } from 'mathmesh/client';`,
    ];
    const body = `const p: ProviderName = 'pure'; const d: Uint8Array = sha512(new Uint8Array(1)); const u: string = contentDigest(d, { contentType: 'text/plain' });
let k: KeyPair | undefined; void init; void p; void u; void k; const b: string = base64urlEncode(d); void b;
const pu: ProfileUser = readMeshObject('{"ProfileUser":{}}', 'ProfileUser') as ProfileUser; void pu;
let so: MeshHttpServiceOptions | undefined; void so; void MeshHttpClient;
const conflict: ServiceConflictError = new ServiceConflictError('a@x', 'MMM_Local', 0, 1); const st: ServiceStore | undefined = undefined; void conflict; void st;
const ps: PushChangeSource | undefined = st; let pw: PushWatch | undefined; void ps; void pw; void watchPush;
// @ts-expect-error a number is not bytes
sha512(1);\n`;
    writeFileSync(join(dir, 'esm.mts'), uses.join('\n') + '\n' + body);
    writeFileSync(join(dir, 'cjs.cts'), uses.join('\n') + '\n' + body);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: [] },
      files: ['esm.mts', 'cjs.cts'],
    }));
    let out = '';
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
    } catch (e) {
      out = `${e.stdout}${e.stderr}`;
    }
    check(out === '', `types resolve through "import" and "require" conditions${out ? `:\n${out}` : ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('\nmathmesh/udf in a user bundle (rollup, package.json "sideEffects": false):');
const curveMarker = readFileSync(join(root, 'build', 'curve448.wasm')).toString('base64').slice(0, 64);
async function userBundle(names) {
  const entry = `import { ${names.join(', ')} } from 'mathmesh/udf';\nconsole.log(${names.join(', ')});\n`;
  const build = await rollup({
    input: 'app',
    onwarn: () => undefined,
    plugins: [
      {
        name: 'app',
        resolveId: (id) => (id === 'app' ? id : id.startsWith('mathmesh/') ? { id: join(root, 'dist', 'esm', id.slice(9), 'index.js'), moduleSideEffects: false } : null),
        load: (id) => (id === 'app' ? entry : null),
      },
      nodeResolve({ rootDir: root }),
    ],
  });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  const code = output.map((c) => c.code ?? '').join('\n');
  const modules = output.flatMap((c) => Object.entries(c.modules ?? {}).filter(([, m]) => m.renderedLength > 0).map(([id]) => id));
  return {
    curves: modules.some((m) => m.includes('@noble/curves')) || code.includes(curveMarker),
    ws: modules.some((m) => /[/\\]ws[/\\]/.test(m)) || /from ['"]ws['"]|require\(['"]ws['"]\)/.test(code),
    bytes: code.length,
  };
}
const lean = await userBundle(['contentDigest', 'parseUdf', 'splitSecret', 'recoverSecret', 'keyFingerprint', 'saltedPin']);
check(!lean.curves && !lean.ws, `contentDigest, parseUdf, splitSecret, recoverSecret, keyFingerprint, saltedPin: no curve code, no ws (${(lean.bytes / 1024).toFixed(0)} KiB)`);
const keyed = await userBundle(['contentDigest', 'deriveKeyPair']);
check(keyed.curves, `with deriveKeyPair the curve code is bundled (${(keyed.bytes / 1024).toFixed(0)} KiB): the check can tell`);
/** Bare imports (packages) that everything a dist/esm entry loads statically imports. */
function bareImports(entry) {
  const seen = new Set();
  const bare = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { deps: [...bare].sort(), files: [...seen] };
}
{
  // Without a bundler: everything dist/esm/udf.js loads, statically, must not include ws.
  const { deps } = bareImports(join(root, 'dist', 'esm', 'udf', 'index.js'));
  check(deps.every((d) => d.startsWith('@noble/')), `import 'mathmesh/udf' (no bundler) loads only @noble/* besides its own files: ${deps.join(', ')}`);
}
{
  // mathmesh/mesh is the object model: no transport (ws), service, CLI or node:* code.
  const { deps, files } = bareImports(join(root, 'dist', 'esm', 'mesh', 'index.js'));
  const foreign = files.filter((f) => /[/\\](cli|service|client|adapters)[/\\]/.test(f) || f.endsWith('cli.js'));
  check(deps.every((d) => d.startsWith('@noble/')) && foreign.length === 0,
    `import 'mathmesh/mesh' (no bundler) loads only @noble/* and SDK modules below it: ${deps.join(', ')}${foreign.length ? `; also ${foreign.join(', ')}` : ''}`);
}
{
  // mathmesh/protocol is the wire binding: runtime-neutral (no node:*), no adapter, client or service code.
  const { deps, files } = bareImports(join(root, 'dist', 'esm', 'protocol', 'index.js'));
  const foreign = files.filter((f) => /[/\\](cli|service|client|adapters)[/\\]/.test(f) || f.endsWith('cli.js'));
  check(deps.every((d) => d.startsWith('@noble/') || d === 'structured-headers') && foreign.length === 0,
    `import 'mathmesh/protocol' (no bundler) loads only @noble/*, structured-headers and SDK modules below it: ${deps.join(', ')}${foreign.length ? `; also ${foreign.join(', ')}` : ''}`);
}

{
  // mathmesh/client runs in browsers: runtime-neutral (no node:*, no ws — it uses the runtime's WebSocket), no adapter or service code.
  const { deps, files } = bareImports(join(root, 'dist', 'esm', 'client', 'index.js'));
  const foreign = files.filter((f) => /[/\\](cli|service|adapters)[/\\]/.test(f) || f.endsWith('cli.js'));
  check(deps.every((d) => d.startsWith('@noble/') || d === 'structured-headers') && foreign.length === 0,
    `import 'mathmesh/client' (no bundler) loads only @noble/*, structured-headers and SDK modules below it: ${deps.join(', ')}${foreign.length ? `; also ${foreign.join(', ')}` : ''}`);
}
{
  // Only the Node adapter imports ws (the push channel's server binding and Node 20's WebSocket client).
  const { deps } = bareImports(join(root, 'dist', 'esm', 'service', 'index.js'));
  check(!deps.includes('ws'), `import 'mathmesh/service' (no bundler) does not load ws: ${deps.join(', ')}`);
  check(bareImports(join(root, 'dist', 'esm', 'adapters', 'node', 'index.js')).deps.includes('ws'), `mathmesh/adapters/node brings ws (attachPush, NodeWebSocket)`);
}

if (failures.length) {
  console.error(`\ntest:package FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\ntest:package: ok');
