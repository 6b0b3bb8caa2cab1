/**
 * The README's benchmark section, generated from one run's results (bench/results/latest.json):
 * every figure is the median of its rounds with the rounds' min–max beside it, and every ratio
 * the median of per-round ratios (round r of each side of a ratio ran back to back, harness.ts)
 * with their min–max. `npm run bench` writes the JSON and rewrites the section between the
 * README's `<!-- bench:begin -->` and `<!-- bench:end -->` markers; this file can also be run
 * alone: `node dist/bench/report.js [results.json] [--readme README.md]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { FileReport } from './files.js';
import { peersOf, PEERS } from './peers.js';
import type { SequenceRow } from './sequence.js';
import type { TxlogReport } from './txlog.js';
import { markdownCatalog, type CatalogBenchResult } from './catalog.js';
import { median, type BenchResult } from './stats.js';

export interface Target {
  group: string;
  a: string;
  b: string;
  min: number;
}

export interface TargetCheck extends Target {
  ratio: number | undefined;
  /** Min–max of the per-round ratios. */
  ratioMin?: number;
  ratioMax?: number;
  met: boolean | undefined;
}

/** Everything one run wrote to bench/results/latest.json. */
export interface BenchReport {
  env: Record<string, string | number | undefined>;
  results: BenchResult[];
  targets: TargetCheck[];
  /** The provider the default routing uses for each peer-compared group. */
  defaults?: Record<string, string>;
  sequence?: SequenceRow[];
  /** The transaction log against the node:crypto bare loop, and on 1 and 2 threads (txlog.ts). */
  txlog?: TxlogReport;
  /** The catalog targets: open, list and add on 100,000 credentials (catalog.ts). */
  catalog?: CatalogBenchResult;
  aesBuilds?: { node: string; flag?: string; results: BenchResult[]; note?: string };
  browser?: { chromium?: string; builds: string[]; results: BenchResult[]; note?: string; thresholds?: { encrypt: number; decrypt: number } };
  files?: FileReport;
}

// ---- formatting ------------------------------------------------------------------------------

const SUFFIXES: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** Three significant digits with a k/M/G suffix: 1.38M, 74.4k, 233, 5.48, 0.412. */
export function num(x: number): string {
  for (const [v, s] of SUFFIXES) if (Math.abs(x) >= v * 0.9995) return `${+(x / v).toPrecision(3)}${s}`;
  return x === 0 ? '0' : `${+x.toPrecision(3)}`;
}

/** "1.30–1.40M" (shared suffix written once) or "980k–1.02M". */
export function range(min: number, max: number): string {
  const a = num(min);
  const b = num(max);
  const sa = /[kMG]$/.exec(a)?.[0] ?? '';
  const sb = /[kMG]$/.exec(b)?.[0] ?? '';
  return sa === sb && sa ? `${a.slice(0, -1)}–${b}` : `${a}–${b}`;
}

/** A figure with its spread, e.g. "1.38M (1.30–1.40M)"; no spread for a single round. */
export function withSpread(medianValue: number, min: number, max: number, rounds: number): string {
  return rounds > 1 ? `${num(medianValue)} (${range(min, max)})` : num(medianValue);
}

const cell = (r: BenchResult | undefined): string => {
  if (!r) return '—';
  const ops = withSpread(r.opsPerSec, r.min, r.max, r.rounds.length);
  return r.mbPerSec !== undefined && r.mbPerSec >= 0.05 ? `${ops}, ${num(r.mbPerSec)} MB/s` : ops;
};

/** Ratio a/b: median of the per-round ratios when both ran the same rounds, with their min–max. */
export function ratioOf(a: BenchResult | undefined, b: BenchResult | undefined): { median: number; min: number; max: number; n: number } | undefined {
  if (!a || !b) return undefined;
  if (a.rounds.length === b.rounds.length && a.rounds.length > 1) {
    const rs = a.rounds.map((x, i) => x / b.rounds[i]!);
    return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs), n: rs.length };
  }
  return { median: a.opsPerSec / b.opsPerSec, min: a.opsPerSec / b.opsPerSec, max: a.opsPerSec / b.opsPerSec, n: 1 };
}

const x2 = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratioCell = (r: ReturnType<typeof ratioOf>): string =>
  !r ? '—' : r.n > 1 ? `${x2(r.median)}x (${x2(r.min)}–${x2(r.max)})` : `${x2(r.median)}x`;

const finder = (results: BenchResult[]) => (g: string, p: string) => results.find((r) => r.group === g && r.provider === p);

// ---- tables ------------------------------------------------------------------------------------

/** One Markdown row per case: ops/s per provider (median, min–max) and same-run ratios. */
export function markdownTable(results: BenchResult[], providers: string[]): string {
  const mine = results.filter((r) => providers.includes(r.provider) || r.provider === 'default');
  const groups = [...new Set(mine.map((r) => r.group))];
  const find = finder(mine);
  const cols = [...providers, ...(mine.some((r) => r.provider === 'default') ? ['default'] : [])];
  const head = `| case | ${cols.map((p) => `${p === 'default' ? 'default routing' : p} ops/s`).join(' | ')} | wasm/native | wasm/pure |`;
  const sep = `|${' --- |'.repeat(cols.length + 3)}`;
  const rows = groups.map((g) => {
    const cells = cols.map((p) => cell(find(g, p)));
    return `| ${g} | ${cells.join(' | ')} | ${ratioCell(ratioOf(find(g, 'wasm'), find(g, 'native')))} | ${ratioCell(ratioOf(find(g, 'wasm'), find(g, 'pure')))} |`;
  });
  return [head, sep, ...rows].join('\n');
}

/** Evaluates same-run ratio targets; a target whose cases did not run is reported as not measured. */
export function checkTargets(results: BenchResult[], targets: Target[]): TargetCheck[] {
  const find = finder(results);
  return targets.map((t) => {
    const x = ratioOf(find(t.group, t.a), find(t.group, t.b));
    return x === undefined ? { ...t, ratio: undefined, met: undefined }
      : { ...t, ratio: x.median, ratioMin: x.min, ratioMax: x.max, met: x.median >= t.min };
  });
}

export function markdownTargets(checks: TargetCheck[]): string {
  const lines = ['| target | measured (min–max of rounds) | |', '| --- | --- | --- |'];
  for (const c of checks) {
    const mark = c.met === undefined ? 'not measured' : c.met ? 'met' : `MISSED by ${((1 - c.ratio! / c.min) * 100).toFixed(0)}%`;
    const measured = c.ratio === undefined ? '—'
      : c.ratioMin !== undefined && c.ratioMax !== undefined && c.ratioMin !== c.ratioMax ? `${x2(c.ratio)}x (${x2(c.ratioMin)}–${x2(c.ratioMax)})` : `${x2(c.ratio)}x`;
    lines.push(`| ${c.group}: ${c.a} >= ${c.min}x ${c.b} | ${measured} | ${mark} |`);
  }
  return lines.join('\n');
}

/**
 * The peer table: mathmesh as users get it (the provider the default routing picks for that
 * input, `defaults`) and its WASM provider, against hash-wasm and @noble, with "behind … by N%"
 * wherever a peer is faster than the default routing.
 */
export function markdownPeers(results: BenchResult[], defaults: Record<string, string>): string {
  const find = finder(results);
  const groups = [...new Set(results.map((r) => r.group))].filter((g) => peersOf(g).length > 0 && PEERS.some((p) => find(g, p)));
  if (groups.length === 0) return '';
  const lines = [
    '| case | mathmesh default (provider) | mathmesh wasm | hash-wasm | @noble | default/hash-wasm | default/@noble | wasm/hash-wasm | where we are behind |',
    `|${' --- |'.repeat(9)}`,
  ];
  for (const g of groups) {
    const dp = defaults[g] ?? 'wasm';
    const ours = find(g, dp);
    const wasm = find(g, 'wasm');
    const hw = find(g, 'hash-wasm');
    const nb = find(g, 'noble');
    const behind = ([['hash-wasm', hw], ['@noble', nb]] as const)
      .map(([name, peer]) => [name, ratioOf(ours, peer)] as const)
      .filter(([, r]) => r !== undefined && r.median < 1)
      .map(([name, r]) => `behind ${name} by ${((1 - r!.median) * 100).toFixed(0)}% (${name} ${x2(1 / r!.median)}x faster)`);
    lines.push(`| ${g} | ${cell(ours)} (${dp}) | ${cell(wasm)} | ${cell(hw)} | ${cell(nb)} | ${ratioCell(ratioOf(ours, hw))} | ` +
      `${ratioCell(ratioOf(ours, nb))} | ${ratioCell(ratioOf(wasm, hw))} | ${behind.join('; ') || '—'} |`);
  }
  return lines.join('\n');
}

/** Node's AES builds (child with relaxed SIMD): relaxed vs plain SIMD vs OpenSSL vs pure. */
export function markdownAesBuilds(b: NonNullable<BenchReport['aesBuilds']>): string {
  if (b.results.length === 0) return b.note ?? '';
  const find = finder(b.results);
  const groups = [...new Set(b.results.map((r) => r.group))];
  const lines = [
    '| case | wasm relaxed-SIMD | wasm SIMD | native | pure | relaxed/SIMD | relaxed/pure | relaxed/native |',
    `|${' --- |'.repeat(8)}`,
  ];
  for (const g of groups) {
    const [rel, simd, nat, pure] = ['wasm relaxed-SIMD', 'wasm SIMD', 'native', 'pure'].map((p) => find(g, p));
    lines.push(`| ${g.replace(' — AES builds', '')} | ${cell(rel)} | ${cell(simd)} | ${cell(nat)} | ${cell(pure)} | ${ratioCell(ratioOf(rel, simd))} | ` +
      `${ratioCell(ratioOf(rel, pure))} | ${ratioCell(ratioOf(rel, nat))} |`);
  }
  return lines.join('\n');
}

/** Sizes of the browser groups, from their names ("… 16 KiB chunks"). */
const chunkBytes = (group: string): number => {
  const m = /(\d+) (KiB|MiB) chunks/.exec(group);
  return m ? Number(m[1]) * (m[2] === 'MiB' ? 1 << 20 : 1024) : NaN;
};

/** The smallest chunk size from which WebCrypto beats every WASM build, per direction, in this run. */
export function webCryptoCrossover(results: BenchResult[]): { encrypt?: number; decrypt?: number } {
  const out: { encrypt?: number; decrypt?: number } = {};
  for (const direction of ['encrypt', 'decrypt'] as const) {
    const groups = [...new Set(results.map((r) => r.group))].filter((g) => g.includes(` ${direction} `)).sort((a, b) => chunkBytes(a) - chunkBytes(b));
    let from: number | undefined;
    for (const g of groups) {
      const web = results.find((r) => r.group === g && r.provider === 'webcrypto');
      const best = Math.max(...results.filter((r) => r.group === g && r.provider.startsWith('wasm')).map((r) => r.opsPerSec));
      if (web && web.opsPerSec > best) from ??= chunkBytes(g);
      else from = undefined;
    }
    if (from !== undefined) out[direction] = from;
  }
  return out;
}

const kib = (n: number | undefined): string => (n === undefined ? 'never (up to 1 MiB)' : n >= 1 << 20 ? `${n >> 20} MiB` : `${n >> 10} KiB`);

/** Chromium: WebCrypto against both WASM builds and pure, per chunk size, and the routing it implies. */
export function markdownBrowser(b: NonNullable<BenchReport['browser']>): string {
  if (b.results.length === 0) return b.note ?? '';
  const find = finder(b.results);
  const groups = [...new Set(b.results.map((r) => r.group))];
  const lines = [
    '| case (MB/s) | webcrypto | wasm relaxed-SIMD | wasm SIMD | pure | webcrypto/best wasm | relaxed/SIMD |',
    `|${' --- |'.repeat(7)}`,
  ];
  const mb = (r: BenchResult | undefined): string => (r?.mbPerSec === undefined ? '—'
    : r.rounds.length > 1 ? `${num(r.mbPerSec)} (${range((r.min * r.mbPerSec) / r.opsPerSec, (r.max * r.mbPerSec) / r.opsPerSec)})` : num(r.mbPerSec));
  for (const g of groups) {
    const [web, rel, simd, pure] = ['webcrypto', 'wasm relaxed-SIMD', 'wasm SIMD', 'pure'].map((p) => find(g, p));
    const best = [rel, simd].filter((r) => r !== undefined).sort((p, q) => q!.opsPerSec - p!.opsPerSec)[0];
    lines.push(`| ${g} | ${mb(web)} | ${mb(rel)} | ${mb(simd)} | ${mb(pure)} | ${ratioCell(ratioOf(web, best))} | ${ratioCell(ratioOf(rel, simd))} |`);
  }
  const cross = webCryptoCrossover(b.results);
  const set = b.thresholds;
  lines.push('', `WebCrypto beats the WASM core in this run from ${kib(cross.encrypt)} chunks (encrypt) and ${kib(cross.decrypt)} (decrypt)` +
    (set ? `; \`WEBCRYPTO_AES_THRESHOLDS\` in sdk/crypto/selection.ts routes from ${kib(set.encrypt)} / ${kib(set.decrypt)}` +
      (cross.encrypt !== set.encrypt || cross.decrypt !== set.decrypt ? ' (differs from this run: re-measure on a quiet machine before changing it)' : '') : '') + '.');
  return lines.join('\n');
}

export function markdownSequence(rows: SequenceRow[]): string {
  const lines = ['| routing | where | records | records/s (min–max of rounds) | MB/s |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.provider === 'default' ? 'default (after init())' : r.provider} | ${r.where} | ${r.records.toLocaleString('en-US')} | ` +
      `${withSpread(r.recordsPerSec, r.min, r.max, r.rounds.length)} | ${r.mbPerSec} |`);
  }
  return lines.join('\n');
}

export function markdownFiles(f: FileReport): string {
  const ops = [...new Set(f.rows.map((r) => r.op))];
  const lines = ['| operation | mathmesh MB/s | mathmesh peak RSS | age MB/s | age peak RSS | mathmesh/age |', '| --- | --- | --- | --- | --- | --- |'];
  for (const op of ops) {
    const m = f.rows.find((r) => r.op === op && r.tool === 'mathmesh');
    const a = f.rows.find((r) => r.op === op && r.tool === 'age');
    const mbs = (r: typeof m): string => (!r ? '—' : r.error ? `failed: ${r.error.replace(/\|/g, '/').replace(/\s+/g, ' ').slice(0, 120)}` : withSpread(r.mbPerSec, r.min, r.max, r.rounds.length));
    const rss = (r: typeof m): string => (r?.peakRssMiB !== undefined ? `${r.peakRssMiB} MiB` : '—');
    const ratio = m && a && !m.error && !a.error && a.mbPerSec > 0 ? `${x2(m.mbPerSec / a.mbPerSec)}x` : '—';
    lines.push(`| ${op} | ${mbs(m)} | ${rss(m)} | ${mbs(a)} | ${rss(a)} | ${ratio} |`);
  }
  return [...lines, ...f.notes.map((n) => `\n${n}`)].join('\n');
}

// ---- the README section ------------------------------------------------------------------------

export const BEGIN = '<!-- bench:begin (generated by npm run bench from bench/results/latest.json; do not edit by hand) -->';
export const END = '<!-- bench:end -->';

/** The whole generated part of the README's benchmark section. */
export function renderSection(r: BenchReport): string {
  const e = r.env;
  const providers = ['wasm', 'pure', 'native'].filter((p) => r.results.some((x) => x.provider === p));
  const out: string[] = [
    `Measured with \`npm run bench\` at commit ${e['commit'] ?? 'unknown'} (${String(e['date'] ?? '').slice(0, 10)}, Node ${e['node']}, ` +
      `OpenSSL ${e['openssl']}${r.browser?.chromium ? `, Chromium ${r.browser.chromium}` : ''}, ${e['cores']} × ${e['cpu']}; ${e['mode']} mode, ` +
      `${e['rounds']} rounds; WASM AES build: ${e['aesBuild'] ?? 'none'}). Every figure is the median of its rounds with their min–max in parentheses; the providers of a ` +
      'case (and the peer libraries) are measured in turn within each round, and every ratio is the median of the per-round ' +
      'ratios with their min–max. Raw rounds in `bench/results/latest.json`.',
    '',
    markdownTable(r.results, providers),
    '',
    'Notes: `native` is node:crypto (OpenSSL). For `merkleRoot` it is the fastest tree head node:crypto allows — one ' +
      "`crypto.hash('sha512')` one-shot per node (2n − 1 per tree, no Hash objects, inputs assembled in one reused buffer: " +
      'there is no multi-message digest in node:crypto), see `opensslMerkleRoot` in bench/crypto-cases.ts. For `UDF contentDigest` ' +
      'it is the same computation written on node:crypto. `default routing` is what users get after `init()` with no options.',
  ];
  const peers = markdownPeers(r.results, r.defaults ?? {});
  if (peers) {
    out.push('', '#### Against peer libraries (same run, same inputs, alternating with our providers)', '', peers, '',
      'hash-wasm runs its fastest synchronous path (a hasher created once, then `init().update().digest(\'binary\')`; its HMAC ' +
      'object is created once per key). @noble is @noble/hashes / @noble/curves called directly (our `pure` provider wraps it). ' +
      '`mathmesh default` is the provider `route()` picks for that input after `init()`.');
  }
  out.push('', '#### Targets of the issues (same-run ratios)', '', markdownTargets(r.targets));
  if (r.aesBuilds) {
    out.push('', `#### AES builds on Node (${r.aesBuilds.flag ? `a child \`node ${r.aesBuilds.flag}\`` : 'relaxed SIMD on by default'}, ${r.aesBuilds.node})`, '',
      markdownAesBuilds(r.aesBuilds), '',
      '`init()` loads the relaxed-SIMD build where the engine compiles relaxed SIMD (Chromium, Node 22+, Deno, Bun) and the plain ' +
      'SIMD build elsewhere (Node 20 without the flag); `wasmVariants()` says which.');
  }
  if (r.browser) {
    out.push('', `#### AES-256-CBC in Chromium: WebCrypto against the WASM core (stream chunks, MB/s)`, '', markdownBrowser(r.browser));
  }
  if (r.txlog) {
    out.push('', `#### Transaction log: ${r.txlog.records.toLocaleString('en-US')} × 256 B records against a bare node:crypto loop (\`measureTxlog\`, bench/txlog.ts)`, '',
      markdownTxlog(r.txlog));
  }
  if (r.sequence?.length) {
    out.push('', '#### Transaction log: 256 B records into an encrypted, signed Merkle sequence (`measureSequence`, bench/sequence.ts)', '',
      markdownSequence(r.sequence));
  }
  if (r.catalog) {
    out.push('', '#### Catalog: open, list and add on a credential catalog of 100,000 entries (`measureCatalog`, bench/catalog.ts)', '',
      markdownCatalog(r.catalog));
  }
  if (r.files?.rows.length || r.files?.notes.length) {
    out.push('', '#### Files on the command line: `mesh dare encode/decode` (encrypt to one recipient + sign / decrypt + verify) against `age`', '',
      markdownFiles(r.files));
  }
  return out.join('\n');
}

/**
 * The transaction-log table: our writer (default routing after `init()`) and the bare loop of the
 * same cryptography on node:crypto (bench/txlog.ts defines it), their ratio against the ≥ 3×
 * target, and independent logs on 1 and 2 worker threads.
 */
export function markdownTxlog(t: TxlogReport): string {
  const fig = (s: { median: number; min: number; max: number }): string => `${num(s.median)} (${range(s.min, s.max)})`;
  const ratio = (s: { median: number; min: number; max: number }): string => `${x2(s.median)}x (${x2(s.min)}–${x2(s.max)})`;
  const met = t.ratio.median >= 3 ? 'met' : `MISSED by ${((1 - t.ratio.median / 3) * 100).toFixed(0)}%`;
  const lines = [
    '| what | records/s (min–max of rounds) | µs / record | writer / this |',
    '| --- | --- | --- | --- |',
    `| mathmesh SequenceWriter, default routing after init() | ${fig(t.writer)} | ${(1e6 / t.writer.median).toFixed(1)} | — |`,
    `| bare loop on node:crypto (KDF: ${t.bareKdf}), with tree heads | ${fig(t.bare)} | ${(1e6 / t.bare.median).toFixed(1)} | ${ratio(t.ratio)}: target >= 3x, ${met} |`,
    `| bare loop on node:crypto, without tree heads | ${fig(t.bareNoTree)} | ${(1e6 / t.bareNoTree.median).toFixed(1)} | ${ratio(t.ratioNoTree)} |`,
  ];
  if (t.literal && t.ratioLiteral) {
    lines.push(`| the issue's literal loop on node:crypto (one HKDF-SHA-512 for key+IV+MAC key, AES-256-CBC, HMAC-SHA-512; no digests, no tree) | ${fig(t.literal)} | ${(1e6 / t.literal.median).toFixed(1)} | ${ratio(t.ratioLiteral)} |`);
  }
  if (t.sealer && t.floorRatio) {
    lines.push(`| floor: the writer's cryptography alone (one FrameSealer.seal per record: no frame bytes, no store) | ${fig(t.sealer)} | ${(1e6 / t.sealer.median).toFixed(1)} | bare/floor ${ratio(t.floorRatio)}: the most a writer can reach |`);
  }
  for (const th of t.threads ?? []) {
    lines.push(`| SequenceWriter, independent logs on ${th.threads} worker thread${th.threads > 1 ? 's' : ''} | ${fig(th.recordsPerSec)} | — | — |`);
  }
  const out = [lines.join('\n')];
  if (t.sealer && t.floorRatio) {
    const overhead = 1e6 / t.writer.median - 1e6 / t.sealer.median;
    out.push('', `The writer spends ${(1e6 / t.sealer.median).toFixed(1)} µs a record in its cryptography (the floor row) and ${overhead.toFixed(1)} µs on everything else (header and trailer text, frame bytes, the in-memory store, results). `
      + `Even with that second part at zero, a single-threaded writer would reach ${x2(t.floorRatio.median)}x the bare loop in this run.`);
  }
  if (t.isolation) out.push('', `Writer and bare loop measured ${t.isolation === 'child process' ? 'in a fresh child process (bench/txlog-child.ts), both loops alternating in the same run' : 'in the benchmark process, alternating in the same run'}.`);
  if (t.note) out.push('', t.note);
  return out.join('\n');
}

/** Replaces the generated part of `readme` (between the markers); throws if they are missing. */
export function spliceReadme(readme: string, section: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README has no ${BEGIN} … ${END} block`);
  return `${readme.slice(0, a + BEGIN.length)}\n${section}\n${readme.slice(b)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--readme');
  const file = args.find((a, i) => !a.startsWith('--') && i !== at + 1) ?? 'bench/results/latest.json';
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  const section = renderSection(report);
  if (at >= 0) {
    const readme = args[at + 1] ?? 'README.md';
    writeFileSync(readme, spliceReadme(readFileSync(readme, 'utf8'), section));
    console.log(`${readme}: benchmark section regenerated from ${file}`);
  } else {
    console.log(section);
  }
}
