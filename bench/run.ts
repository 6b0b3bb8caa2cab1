/**
 * The benchmark: every case on wasm, pure and native in one run, ratios taken from that run
 * (issue 2 §4). `--quick` (npm start) uses short sampling; `--only REGEX` filters case groups.
 * Writes bench/results/latest.json (or quick.json) and prints Markdown tables.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { init, providers, type ProviderName } from '../sdk/crypto/index.js';
import { cryptoBenchCases, cryptoTargets } from './crypto-cases.js';
import { curveBenchCases, curveTargets } from './curve448.js';
import { dareBenchCases, dareTargets } from './dare.js';
import { measureSequence, prepareSequenceBench, sequenceBenchCases, sequenceTargets } from './sequence.js';
import { udfBenchCases, udfTargets } from './udf.js';
import { runCases, type BenchCase, type BenchResult } from './harness.js';
import { checkTargets, markdownTable, markdownTargets } from './report.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new RegExp(args[onlyAt + 1] ?? '.', 'i') : undefined;

await init();
const names = providers().map((p) => p.name) as ProviderName[];
const order: ProviderName[] = (['wasm', 'pure', 'native'] as const).filter((n) => names.includes(n));

await prepareSequenceBench(order);
let cases: BenchCase[] = [...cryptoBenchCases(order, quick), ...curveBenchCases(), ...udfBenchCases(order, quick),
  ...dareBenchCases(order, quick),
  ...sequenceBenchCases(order, quick)];
if (only) cases = cases.filter((c) => only.test(c.group));

const env = {
  node: process.version,
  v8: process.versions.v8,
  openssl: process.versions.openssl,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
};
console.log(`mathmesh benchmark (${env.mode}) — Node ${env.node}, OpenSSL ${env.openssl}, ${env.cores} × ${env.cpu}`);
console.log(`providers: ${order.join(', ')}; ${cases.length} cases\n`);

const results: BenchResult[] = runCases(cases, {
  maxTime: quick ? 0.25 : 0.6,
  minSamples: quick ? 3 : 5,
  rounds: quick ? 1 : 3,
  onResult: (r) =>
    console.log(`  ${r.group} [${r.provider}]: ${r.opsPerSec.toFixed(1)} ops/s ±${r.rme.toFixed(1)}%` +
      (r.mbPerSec !== undefined ? ` (${r.mbPerSec.toFixed(1)} MB/s)` : '')),
});

const table = markdownTable(results, order);
const checks = checkTargets(results, [...cryptoTargets, ...curveTargets, ...udfTargets, ...dareTargets, ...sequenceTargets]);
console.log(`\n${table}\n\n${markdownTargets(checks)}\n`);

// Disk and peak-memory figures of the transaction-log workload (async I/O: outside benchmark.js).
const sequence = quick || (only && !only.test('Sequence')) ? [] : await measureSequence(order);
if (sequence.length > 0) {
  console.log('Transaction log, 100,000 × 256 B (encrypted, signed Merkle sequence):');
  console.table(sequence);
}

const dir = join(process.cwd(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, only ? 'partial.json' : quick ? 'quick.json' : 'latest.json');
writeFileSync(file, JSON.stringify({ env, results, targets: checks, sequence }, null, 2) + '\n');
console.log(`results written to ${file}`);
