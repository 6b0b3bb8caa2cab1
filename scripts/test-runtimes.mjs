// `npm run test:runtimes`: the portable suites (test/portable/) on Deno, Bun and headless
// Chromium, plus plain Node as the reference run of the same bundle. Bundles
// test/runtimes/<runtime>.ts with rollup, runs each runtime, and fails loudly if a runtime is
// missing, fails a test, or runs a different set of tests than the reference. The push suite's
// clients reach one Mesh service on loopback that this script starts (a Node child) and stops.
//   node scripts/test-runtimes.mjs [node] [deno] [bun] [browser] [--stream-mib=N]   (default: all)
// The browser run also encrypts and decodes a generated Blob of 256 MiB (--stream-mib=1024 for
// 1 GiB, or MATHMESH_STREAM_MIB) through the streaming envelope API, and checks it stays in bounded memory.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import ts from 'typescript';
import { startServer, PAGES, STREAM_PAGE } from './browser-server.mjs';
import { bunBinary, denoBinary } from './runtime-bin.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vectorsDir = resolve(root, '..', 'shared', 'vectors');
const bundleDir = join(root, 'build', 'runtimes');
const MARKER = '@@mathmesh-portable-result ';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ALL = ['node', 'deno', 'bun', 'browser'];

/**
 * `npm test` must work on a fresh machine as one command: when Debian's chromium is missing and
 * we may install packages (root with apt-get), install it; otherwise the browser run fails
 * loudly below with the reason.
 */
function ensureChromium() {
  if (process.env.CHROMIUM_PATH || existsSync(CHROMIUM)) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) return;
  console.log('runtimes: installing Debian chromium for the browser tests (apt-get install chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}
const options = process.argv.slice(2).filter((a) => a.startsWith('--'));
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const wanted = positional.length ? positional : ALL;
const STREAM_MIB = Number(options.find((a) => a.startsWith('--stream-mib='))?.slice(13) ?? process.env.MATHMESH_STREAM_MIB ?? 256);
for (const w of wanted) if (!ALL.includes(w)) throw new Error(`unknown runtime '${w}' (one of ${ALL.join(', ')})`);
if (wanted.includes('browser')) ensureChromium();

/** TypeScript → JS per file (types are checked by `npm run typecheck`, not here). */
const typescript = {
  name: 'typescript-transpile',
  async resolveId(id, importer) {
    if (importer && id.startsWith('.') && id.endsWith('.js')) {
      const candidate = resolve(dirname(importer), id.slice(0, -3) + '.ts');
      try {
        await readFile(candidate);
        return candidate;
      } catch {
        return null;
      }
    }
    return null;
  },
  async load(id) {
    if (!id.endsWith('.ts')) return null;
    const out = ts.transpileModule(await readFile(id, 'utf8'), {
      fileName: id,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true, inlineSources: true },
    });
    return { code: out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, ''), map: out.sourceMapText };
  },
};

async function bundle() {
  const t0 = Date.now();
  const build = await rollup({
    input: {
      ...Object.fromEntries(['node', 'deno', 'bun', 'browser', 'browser-worker', 'browser-stream'].map((r) => [r, join(root, 'test', 'runtimes', `${r}.ts`)])),
      // The hash worker of the streaming page, as an app would serve the adapter's worker entry.
      'browser-hash-worker': join(root, 'adapters', 'browser', 'hash-worker.ts'),
    },
    // node:fs only in the node entry, and ws (Node 20's WebSocket client, CommonJS) in it alone;
    // nothing else may stay external.
    external: (id) => id.startsWith('node:') || id === 'ws',
    plugins: [typescript, nodeResolve({ exportConditions: ['import', 'default'], browser: false })],
    onwarn(w, warn) {
      if (w.code !== 'CIRCULAR_DEPENDENCY') warn(w);
    },
  });
  await build.write({ dir: bundleDir, format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunk-[hash].js' });
  await build.close();
  console.log(`runtimes: bundled test/runtimes/*.ts into build/runtimes/ in ${Date.now() - t0} ms`);
}

/** Runs a command, echoing its output, and returns the summary it printed after MARKER. */
function runProcess(name, cmd, args, env = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd: bundleDir, env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
    child.on('error', fail);
    child.on('close', (status) => {
      const lines = out.split('\n');
      for (const l of lines) if (l && !l.startsWith(MARKER)) console.log(`[${name}] ${l}`);
      const line = lines.find((l) => l.startsWith(MARKER));
      if (!line) return fail(new Error(`${name} exited with ${status} without a result`));
      ok({ ...JSON.parse(line.slice(MARKER.length)), exitStatus: status });
    });
  });
}

/** Peak resident set (VmHWM, MiB) of the renderer processes under the Chromium whose profile is `profile` (Linux /proc). */
function rendererPeakMiB(profile) {
  const procs = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      procs.push({ pid: Number(d), ppid: Number(/PPid:\s+(\d+)/.exec(status)?.[1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  const ours = new Set(procs.filter((p) => p.cmdline.includes(profile)).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (!ours.has(p.pid) && ours.has(p.ppid)) grew = !!ours.add(p.pid);
  }
  const renderers = procs.filter((p) => ours.has(p.pid) && p.cmdline.includes('--type=renderer'));
  return renderers.length ? Math.max(...renderers.map((p) => p.hwm)) / 1024 : undefined;
}

/**
 * The streaming page, first in a fresh renderer: a generated Blob of STREAM_MIB MiB encrypted,
 * signed and decoded back through the streaming API. It must decode to the same bytes, keep at
 * most a few MiB between what it read and what it handed on, and the renderer must stay far
 * below the file's size.
 */
async function runStreamPage(context, server, profile) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[chromium stream] page error: ${e.message}`));
  try {
    await page.goto(`${server.url}${STREAM_PAGE.path}?mib=${STREAM_MIB}`);
    await page.waitForFunction(() => globalThis.__meshStream !== undefined, undefined, { timeout: 1_800_000, polling: 500 });
    const r = await page.evaluate(() => globalThis.__meshStream);
    const log = await page.evaluate(() => document.getElementById('log')?.textContent ?? '');
    if (log) console.log(log.trimEnd().replace(/^/gm, '[chromium stream] '));
    const rss = rendererPeakMiB(profile);
    const problems = [];
    if (!r.ok) problems.push(r.error ?? 'failed');
    if (!(r.encodeAheadMiB <= 8) || !(r.decodeAheadMiB <= 8)) problems.push(`too much in flight: encode ${r.encodeAheadMiB} MiB, decode ${r.decodeAheadMiB} MiB (at most 8)`);
    if (!r.gcExposed || r.heapGrowthMiB === undefined) problems.push('the page could not measure its reachable heap (gc() / performance.memory missing)');
    // Measured flat at ~40 MiB (pipeline buffers, queues) for 256 MiB and 1 GiB alike: a constant, not the file.
    else if (r.heapGrowthMiB > 64) problems.push(`the reachable JS heap grew by ${r.heapGrowthMiB.toFixed(0)} MiB (at most 64)`);
    // ~210 MiB measured for 256 MiB and for 1 GiB (Chromium 156): holding the file would exceed it at once.
    const rssLimit = 320;
    if (rss !== undefined && rss > rssLimit) problems.push(`renderer peak RSS ${rss.toFixed(0)} MiB (at most ${rssLimit} for a ${STREAM_MIB} MiB file)`);
    console.log(`[chromium stream] ${STREAM_MIB} MiB: encode ${r.encodeSeconds?.toFixed(1)} s, decode ${r.decodeSeconds?.toFixed(1)} s, in flight `
      + `${r.encodeAheadMiB?.toFixed(1)} / ${r.decodeAheadMiB?.toFixed(1)} MiB, JS heap +${r.heapGrowthMiB?.toFixed(0) ?? '?'} MiB, `
      + `renderer peak RSS ${rss?.toFixed(0) ?? '?'} MiB, backend ${r.backend}`);
    if (problems.length) throw new Error(`streaming page: ${problems.join('; ')}`);
  } finally {
    await page.close();
  }
}

/**
 * The Mesh service of the portable push suite (test/runtimes/push-server.ts): a Node child on
 * loopback, started once and shared by every runtime; it exits when its standard input closes.
 */
function startPushServer() {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', join(root, 'test', 'support', 'ts-hooks.mjs'), join(root, 'test', 'runtimes', 'push-server.ts')],
      { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const onData = (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      child.stdout.off('data', onData);
      const { url, connect, connectService } = JSON.parse(line);
      console.log(`runtimes: push service at ${url}, connect helper at ${connect}, its Mesh service at ${connectService} (pid ${child.pid})`);
      ok({
        url, port: new URL(url).port, connect, connectService,
        net: [url, connect, connectService].map((u) => new URL(u).host).join(','), stop: () => new Promise((done) => { child.once('exit', done); child.stdin.end(); }) });
    };
    child.stdout.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`the push service exited with ${code} before it listened: ${out}`)));
  });
}

async function runBrowser() {
  const { chromium } = await import('playwright-core');
  const server = await startServer({ bundleDir, vectorsDir, push: push.url, connect: [push.connect, new URL(push.connectService).origin] });
  const profile = await mkdtemp(join(tmpdir(), 'mathmesh-chromium-'));
  const summaries = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
    });
    const version = context.browser()?.version() ?? (await context.newPage().then(async (p) => {
      const v = await p.evaluate(() => navigator.userAgent);
      await p.close();
      return v;
    }));
    console.log(`[browser] Chromium ${version} at ${CHROMIUM}`);
    await runStreamPage(context, server, profile);
    for (const [path, { backend }] of Object.entries(PAGES)) {
      const name = `chromium${path === '/' ? '' : ' (CSP without wasm-unsafe-eval)'}`;
      const page = await context.newPage();
      const cspErrors = [];
      page.on('console', (m) => {
        if (m.type() === 'error') cspErrors.push(m.text());
      });
      page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
      await page.goto(server.url + path);
      await page.waitForFunction(() => globalThis.__meshResult !== undefined, undefined, { timeout: 600_000, polling: 250 });
      const result = await page.evaluate(() => globalThis.__meshResult);
      const log = await page.evaluate(() => document.getElementById('log')?.textContent ?? '');
      if (log) console.log(log.replace(/^/gm, `[${name}] `));
      await page.close();
      if ('error' in result) throw new Error(`${name}: the suite could not start: ${result.error}`);
      if (result.backend !== backend) throw new Error(`${name}: init() chose '${result.backend}', expected '${backend}'`);
      summaries.push({ ...result, runtime: name, exitStatus: result.failed === 0 ? 0 : 1 });
      if (cspErrors.length) console.log(`[${name}] console: ${cspErrors[0]}`);
    }
  } finally {
    await context?.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
  return summaries;
}

/** A test's name with the parts that legitimately differ between runtimes taken out. */
const normalize = (name) => name.replace(/ \([^)]*\)$/, '').replace(/init\(\) chose '\w+'/, "init() chose '*'");

function compare(reference, s) {
  const providerSpecific = /standard vectors on (native|wasm)/;
  const refNames = new Set(reference.results.filter((r) => !providerSpecific.test(r.name)).map((r) => normalize(r.name)));
  const names = new Set(s.results.filter((r) => !providerSpecific.test(r.name)).map((r) => normalize(r.name)));
  const missing = [...refNames].filter((n) => !names.has(n));
  const extra = [...names].filter((n) => !refNames.has(n));
  return [...missing.map((n) => `missing: ${n}`), ...extra.map((n) => `extra: ${n}`)];
}

await bundle();
const push = await startPushServer();
const summaries = [];
const problems = [];
const attempt = async (name, f) => {
  const t0 = Date.now();
  try {
    const got = [await f()].flat();
    for (const g of got) summaries.push({ ...g, seconds: (Date.now() - t0) / 1000 / got.length });
  } catch (e) {
    problems.push(`${name}: ${e.message}`);
  }
};

const useReference = true;
if (useReference || wanted.includes('node')) {
  await attempt('node', () => runProcess('node', process.execPath, [join(bundleDir, 'node.js'), vectorsDir, push.url, push.connect]));
}
if (wanted.includes('deno')) {
  await attempt('deno', async () => {
    const { file, version } = denoBinary();
    console.log(`[deno] ${version.split('\n')[0]} at ${file}`);
    // A scratch directory for the sequence-store tests: the only place Deno may write.
    const scratch = await mkdtemp(join(tmpdir(), 'mathmesh-deno-seq-'));
    try {
      return await runProcess('deno', file, ['run', '--no-config', '--no-lock', '--no-prompt', `--allow-read=${vectorsDir},${scratch}`,
        `--allow-write=${scratch}`, `--allow-net=${push.net}`, join(bundleDir, 'deno.js'), vectorsDir, scratch, push.url, push.connect],
      { DENO_DIR: join(bundleDir, '.deno'), DENO_NO_UPDATE_CHECK: '1' });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
}
if (wanted.includes('bun')) {
  await attempt('bun', () => {
    const { file, version } = bunBinary();
    console.log(`[bun] ${version} at ${file}`);
    return runProcess('bun', file, ['run', '--no-install', join(bundleDir, 'bun.js'), vectorsDir, push.url, push.connect], { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' });
  });
}
if (wanted.includes('browser')) await attempt('browser', runBrowser);
await push.stop();

const reference = summaries.find((s) => s.runtime === 'node');
console.log('\nportable suites per runtime:');
for (const s of summaries) {
  const diff = reference && s !== reference ? compare(reference, s) : [];
  const ok = s.failed === 0 && s.passed > 0 && s.exitStatus === 0 && diff.length === 0;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${s.runtime.padEnd(40)} ${String(s.passed).padStart(3)} passed, ${s.failed} failed, backend ${s.backend}, ${s.seconds.toFixed(1)} s`);
  if (s.note) console.log(`       ${s.note}`);
  if (!ok) problems.push(`${s.runtime}: ${s.failed} failed${diff.length ? `; test set differs from Node's: ${diff.join('; ')}` : ''}`);
}
if (!reference) problems.push('node: the reference run did not complete');
for (const w of wanted) if (w !== 'browser' && !summaries.some((s) => s.runtime === w)) problems.push(`${w}: did not run`);
if (wanted.includes('browser') && summaries.filter((s) => s.runtime.startsWith('chromium')).length !== 2) problems.push('browser: both pages must run');
if (problems.length) {
  console.error(`\ntest:runtimes FAILED\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('test:runtimes: every runtime passed the same suite');
