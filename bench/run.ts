/**
 * The benchmark: every case on wasm, pure and native, and the peer libraries, in one run, ratios
 * taken from that run. `npm run bench` (full) also measures the AES builds (child Node with
 * relaxed SIMD), WebCrypto in Chromium, the transaction log and files against `age`, writes
 * bench/results/latest.json and regenerates the README's benchmark section (report.ts).
 * `npm run bench:quick` (`--quick`) prints the main, peer and target tables after short sampling.
 *
 * Options: --quick; --only REGEX (case groups; writes partial.json, README untouched);
 * --rounds N; --no-browser; --no-files; --no-sequence; --no-catalog; --file-sizes 50M,1Gi (the default);
 * --4g (adds a 4 GiB file); --sequence-records N; --no-txlog; --txlog-records N; --txlog-in-process (measure the
 * transaction log in this process, after the benchmarks above, instead of a fresh child process); --catalog-entries N;
 * --no-readme.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, providers, route, wasmVariants, WEBCRYPTO_AES_THRESHOLDS, type Primitive, type ProviderName } from '../sdk/crypto/index.js';
import { measureNodeAesBuilds } from './aes-builds.js';
import { measureBrowserAes } from './browser.js';
import { cryptoBenchCases, cryptoTargets } from './crypto-cases.js';
import { curveBenchCases, curveTargets } from './curve448.js';
import { dareBenchCases, dareTargets } from './dare.js';
import { DEFAULT_FILE_SIZES, FOUR_GIB, measureFiles, parseSize } from './files.js';
import { runCases, type BenchCase } from './harness.js';
import { peersOf, preparePeers } from './peers.js';
import {
  checkTargets, markdownPeers, markdownTable, markdownTargets, markdownTxlog, renderSection, spliceReadme, type BenchReport,
} from './report.js';
import { markdownCatalog, measureCatalog } from './catalog.js';
import { measureSequence, prepareSequenceBench, sequenceBenchCases, sequenceTargets } from './sequence.js';
import { udfBenchCases, udfTargets } from './udf.js';
import { measureTxlog, TXLOG_GROUP } from './txlog.js';
import { measureTxlogInChild } from './txlog-child.js';
import { measureThreads } from './txlog-threads.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const value = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const quick = flag('--quick');
const onlyText = value('--only');
const only = onlyText !== undefined ? new RegExp(onlyText, 'i') : undefined;
const wants = (group: string): boolean => !only || only.test(group);
const rounds = Number(value('--rounds') ?? (quick ? 1 : 3));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

await init();
const names = providers().map((p) => p.name) as ProviderName[];
const order: ProviderName[] = (['wasm', 'pure', 'native'] as const).filter((n) => names.includes(n));

await preparePeers();
await prepareSequenceBench(order);
let cases: BenchCase[] = [
  ...cryptoBenchCases(order, quick), ...curveBenchCases(), ...udfBenchCases(order, quick), ...dareBenchCases(order, quick), ...sequenceBenchCases(order),
];
cases = cases.filter((c) => wants(c.group));

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    // The results and README are what this run rewrites; any other change means the tree is not HEAD.
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '.', ':!bench/results', ':!README.md'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const env = {
  node: process.version,
  v8: process.versions.v8,
  openssl: process.versions.openssl,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  rounds,
  commit: commit(),
  /** The AES build init() loaded in this process (the main table's `wasm` AES column). */
  aesBuild: wasmVariants()?.aes,
};
console.log(`mathmesh benchmark (${env.mode}) — Node ${env.node}, OpenSSL ${env.openssl}, ${env.cores} × ${env.cpu}, commit ${env.commit}`);
console.log(`providers: ${order.join(', ')} (AES build: ${env.aesBuild ?? 'none'}); peers: hash-wasm, noble; ${cases.length} cases, ${rounds} round(s)\n`);

const results = runCases(cases, {
  maxTime: quick ? 0.25 : 0.6,
  minSamples: quick ? 3 : 5,
  rounds,
  onResult: (r) =>
    console.log(`  ${r.group} [${r.provider}]: ${r.opsPerSec.toFixed(1)} ops/s (${r.min.toFixed(1)}–${r.max.toFixed(1)})` +
      (r.mbPerSec !== undefined ? ` ${r.mbPerSec.toFixed(1)} MB/s` : '')),
});

/** The provider the default routing picks for each peer-compared group (what users get). */
function defaultsOf(groups: string[]): Record<string, string> {
  const size = (g: string): number => (/ 1 MiB/.test(g) ? 1 << 20 : / 1 KiB/.test(g) ? 1024 : 64);
  const primitive = (g: string): Primitive | undefined =>
    g.startsWith('SHA-512 ') ? 'sha512' : g.startsWith('SHA3-512 ') ? 'sha3_512' : g.startsWith('HMAC-SHA-512 ') ? 'hmacSha512'
      : g.startsWith('Ed448') ? 'ed448' : g.startsWith('X448') ? 'x448' : undefined;
  const out: Record<string, string> = {};
  for (const g of groups) {
    const p = primitive(g);
    if (p && peersOf(g).length) out[g] = route(p, size(g));
  }
  return out;
}
const defaults = defaultsOf([...new Set(results.map((r) => r.group))]);
const targets = checkTargets(results, [...cryptoTargets, ...curveTargets, ...udfTargets, ...dareTargets, ...sequenceTargets]);
console.log(`\n${markdownTable(results, order)}\n\n${markdownPeers(results, defaults)}\n\n${markdownTargets(targets)}\n`);

const report: BenchReport = { env, results, targets, defaults };
if (!quick && wants('AES-256-CBC')) {
  console.log('AES builds on Node (child process with relaxed SIMD)…');
  report.aesBuilds = measureNodeAesBuilds({ quick });
}
if (!quick && !flag('--no-browser') && wants('AES-256-CBC')) {
  console.log('AES in Chromium (WebCrypto against the WASM builds)…');
  try {
    report.browser = { ...(await measureBrowserAes({ minMs: 200, rounds })), thresholds: { ...WEBCRYPTO_AES_THRESHOLDS } };
  } catch (e) {
    report.browser = { builds: [], results: [], note: `browser run failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
if (!quick && !flag('--no-sequence') && wants('Sequence')) {
  console.log('Transaction log (measureSequence)…');
  report.sequence = await measureSequence(order, { records: Number(value('--sequence-records') ?? 100_000), rounds });
}
if (!quick && !flag('--no-txlog') && wants('Transaction')) {
  const records = Number(value('--txlog-records') ?? 100_000);
  console.log(`Transaction log: ${records} records, writer against the node:crypto bare loop, then 1 and 2 threads…`);
  // A fresh process for both loops (txlog-child.ts): no heap inherited from the benchmarks above.
  // At least five rounds: the ratio is of two figures that each drift a few % on a shared VM.
  const txRounds = quick ? rounds : Math.max(rounds, 5);
  const txlog = flag('--txlog-in-process') ? await measureTxlog({ records, rounds: txRounds }) : await measureTxlogInChild({ records, rounds: txRounds });
  try {
    txlog.threads = await measureThreads({ records, rounds });
  } catch (e) {
    txlog.note = `thread run failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  report.txlog = txlog;
  report.targets.push({
    group: TXLOG_GROUP, a: 'default routing', b: 'node:crypto bare loop', min: 3,
    ratio: txlog.ratio.median, ratioMin: txlog.ratio.min, ratioMax: txlog.ratio.max, met: txlog.ratio.median >= 3,
  });
  console.log(markdownTxlog(txlog));
}
if (!quick && !flag('--no-catalog') && wants('Catalog')) {
  console.log('Catalog of 100,000 credentials (measureCatalog: open, list, add)…');
  report.catalog = await measureCatalog({ entries: Number(value('--catalog-entries') ?? 100_000) });
  console.log(markdownCatalog(report.catalog));
}
if (!quick && !flag('--no-files') && wants('File')) {
  const sizes = (value('--file-sizes') ?? DEFAULT_FILE_SIZES).split(',').map(parseSize);
  if (flag('--4g')) sizes.push(FOUR_GIB);
  console.log(`Files on the CLI against age (${sizes.join(', ')} bytes)…`);
  report.files = await measureFiles({ sizes, rounds, meshBin: join(root, 'bin', 'mesh.js'), log: (l) => console.log(l) });
}

const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, only ? 'partial.json' : quick ? 'quick.json' : 'latest.json');
writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
const section = renderSection(report);
if (!quick) console.log(`\n${section}\n`);
console.log(`results written to ${file}`);
if (!quick && !only && !flag('--no-readme')) {
  const readme = join(root, 'README.md');
  writeFileSync(readme, spliceReadme(readFileSync(readme, 'utf8'), section));
  console.log(`README.md: benchmark section regenerated (commit ${env.commit})`);
}
