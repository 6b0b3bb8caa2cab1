import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFileStore } from '../adapters/store/node-fs.js';
import { init } from '../sdk/crypto/index.js';
import { dareKeyFromKeyPair } from '../sdk/dare/keys.js';
import { Catalog, sideFileOnStore, type CatalogEditRequest } from '../sdk/mesh/catalog/index.js';
import { deriveStoreKey } from '../sdk/mesh/keys.js';
import { newSeed } from '../sdk/udf/fixed.js';

/**
 * The catalog targets of mesh-model work (README "Catalogs and spools"): an account whose
 * credential catalog holds 100,000 live entries — written as 110,000 adds, 20,000 updates and
 * 10,000 deletes, so 140,001 encrypted frames — must open in ≤ 2 s within ≤ 150 MB RSS, take one
 * more entry in ≤ 2 ms with group durability, and list all entries in ≤ 1 s.
 *
 * The parent builds the catalog on Node files (group commit; edits in batches of 1,000, so one
 * key exchange per batch — a catalog filled one CLI command at a time has one per entry, which
 * only the replay fallback feels) and closes it (which writes the sealed snapshot); each
 * measurement then runs in a fresh child process, so its RSS is the catalog's and not the builder's:
 * - `open`: open from the snapshot (the normal case), list every entry, then 200 awaited adds
 *   (latency of one add, fsync included) and 1,000 concurrent adds (cost per add under group commit);
 * - `replay`: open with no snapshot — every frame replayed, verified and decrypted (the fallback).
 *
 * Usage: `node dist/bench/catalog.js [--entries N]` (standalone, prints JSON), or `npm run bench`
 * (bench/run.ts calls {@link measureCatalog}). Figures are meaningful only on a quiet machine.
 */

/** Results of one run. */
export interface CatalogBenchResult {
  readonly entries: number;
  readonly frames: number;
  readonly fileMiB: number;
  readonly snapshotMiB: number;
  readonly buildSeconds: number;
  /** Open from the snapshot: time, RSS after it, peak RSS of the process. */
  readonly openMs: number;
  readonly openRssMiB: number;
  readonly openPeakRssMiB: number;
  /** list() of every entry (parsed, typed objects). */
  readonly listMs: number;
  /** One awaited add (fsync of its own), median and p99 of 200. */
  readonly addMs: number;
  readonly addP99Ms: number;
  /** 1,000 adds issued together (group commit): total time / 1,000. */
  readonly addGroupMs: number;
  /** Open without a snapshot (full replay). */
  readonly replayMs: number;
  readonly replayRssMiB: number;
  readonly replayPeakRssMiB: number;
  readonly targets: readonly { readonly name: string; readonly value: number; readonly limit: number; readonly met: boolean }[];
}

const MiB = 1024 * 1024;
const SEED_RANDOM = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 73 + 11) & 0xff);
const SEED = newSeed('MeshProfileAccount', { random: SEED_RANDOM });
const storeKey = (): ReturnType<typeof dareKeyFromKeyPair> => dareKeyFromKeyPair(deriveStoreKey(SEED, 'MMM_Credential'));

const credential = (i: number, pw: string) => ({
  $class: 'CatalogedCredential' as const, Protocol: 'https', Service: `site-${i}.example.com`, Username: `alice${i}@example.com`, Password: pw,
});

async function openCatalog(dir: string, snapshot: boolean): Promise<Catalog<'credential'>> {
  const store = await NodeFileStore.openWrite(join(dir, 'MMM_Credential.dare'), { durability: 'group' });
  const side = snapshot ? sideFileOnStore(await NodeFileStore.openWrite(join(dir, 'MMM_Credential.snapshot'), { durability: 'group' })) : undefined;
  const journal = sideFileOnStore(await NodeFileStore.openWrite(join(dir, 'MMM_Credential.journal'), { durability: 'group' }));
  return Catalog.open('credential', { store, key: storeKey(), journal, ...(side ? { snapshot: side } : {}) });
}

/** Builds the catalog: `entries` live of entries × 1.1 added, 0.2 updated, 0.1 deleted. */
async function build(dir: string, entries: number): Promise<number> {
  const c = await openCatalog(dir, true);
  const added = Math.round(entries * 1.1);
  const batch = 1000;
  for (let i = 0; i < added; i += batch) {
    const edits: CatalogEditRequest<'credential'>[] = [];
    for (let k = i; k < Math.min(added, i + batch); k++) edits.push({ op: 'add', entry: credential(k, `pw-${k}-initial`) });
    await c.edit(edits);
  }
  const updates = Math.round(entries * 0.2);
  for (let i = 0; i < updates; i += batch) {
    const edits: CatalogEditRequest<'credential'>[] = [];
    for (let k = i; k < Math.min(updates, i + batch); k++) edits.push({ op: 'update', entry: credential(k * 5 % added, `pw-${k}-updated`) });
    await c.edit(edits);
  }
  const deletes = added - entries;
  for (let i = 0; i < deletes; i += batch) {
    const edits: CatalogEditRequest<'credential'>[] = [];
    for (let k = i; k < Math.min(deletes, i + batch); k++) edits.push({ op: 'delete', key: `https:site-${k * 11 % added}.example.com` });
    // k·11 mod added visits distinct keys for k < added/gcd(11, added); skip any already gone.
    await c.edit(edits.filter((e) => e.op !== 'delete' || c.has(e.key)));
  }
  const frames = c.frameCount;
  await c.checkpoint();
  await c.close();
  return frames;
}

const rssMiB = (): number => +(process.memoryUsage().rss / MiB).toFixed(1);
/**
 * Peak resident set of this process. Not `resourceUsage().maxRSS`: Linux carries a parent's
 * high-water mark into a child across fork and exec, so a child of the benchmark (which built the
 * catalog) reported the builder's peak as its own. VmHWM belongs to the process's own address
 * space; maxRSS is the fallback where /proc is missing.
 */
const peakMiB = (): number => {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return +(Number(hwm[1]) / 1024).toFixed(1);
  } catch {
    // no /proc: below
  }
  return +(process.resourceUsage().maxRSS / 1024).toFixed(1);
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** Child: open from the snapshot, list, add. */
async function childOpen(dir: string): Promise<Record<string, number>> {
  await init();
  const t0 = performance.now();
  const c = await openCatalog(dir, true);
  const openMs = performance.now() - t0;
  const openRssMiB = rssMiB();
  const openPeakRssMiB = peakMiB();
  const t1 = performance.now();
  const all = c.list();
  const listMs = performance.now() - t1;
  if (all.length !== c.size) throw new Error('list lost entries');
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    await c.add(credential(10_000_000 + i, 'new'));
    lat.push(performance.now() - s);
  }
  const t2 = performance.now();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => c.add(credential(20_000_000 + i, 'group'))));
  const addGroupMs = (performance.now() - t2) / 1000;
  await c.close();
  return { openMs, openRssMiB, openPeakRssMiB, listMs, addMs: quantile(lat, 0.5), addP99Ms: quantile(lat, 0.99), addGroupMs, size: all.length };
}

/** Child: open with no snapshot (full replay). */
async function childReplay(dir: string): Promise<Record<string, number>> {
  await init();
  const t0 = performance.now();
  const c = await openCatalog(dir, false);
  const replayMs = performance.now() - t0;
  const r = { replayMs, replayRssMiB: rssMiB(), replayPeakRssMiB: peakMiB(), size: c.size };
  await c.close();
  return r;
}

function child(mode: string, dir: string): Record<string, number> {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), `--child-${mode}`, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

/** Builds a catalog of `entries` live credentials in a temporary directory and measures it. */
export async function measureCatalog(options: { entries?: number } = {}): Promise<CatalogBenchResult> {
  const entries = options.entries ?? 100_000;
  await init();
  const dir = mkdtempSync(join(tmpdir(), 'mesh-catalog-'));
  try {
    const t0 = performance.now();
    const frames = await build(dir, entries);
    const buildSeconds = (performance.now() - t0) / 1000;
    const fileMiB = statSync(join(dir, 'MMM_Credential.dare')).size / MiB;
    const snapshotMiB = statSync(join(dir, 'MMM_Credential.snapshot')).size / MiB;
    const replay = child('replay', dir);
    const open = child('open', dir);
    if (open['size'] !== entries || replay['size'] !== entries) throw new Error(`expected ${entries} entries, opened ${open['size']} / ${replay['size']}`);
    const r = { ...open, ...replay } as Record<string, number>;
    const targets = [
      { name: `open ${entries} entries (ms)`, value: r['openMs']!, limit: 2000 },
      { name: 'RSS after open (MiB)', value: r['openRssMiB']!, limit: 150 },
      { name: 'add one entry, group durability (ms, median)', value: r['addMs']!, limit: 2 },
      { name: `list ${entries} entries (ms)`, value: r['listMs']!, limit: 1000 },
    ].map((t) => ({ ...t, value: +t.value.toFixed(2), met: t.value <= t.limit }));
    const round = (x: number | undefined): number => +(x ?? NaN).toFixed(2);
    return {
      entries, frames, fileMiB: +fileMiB.toFixed(1), snapshotMiB: +snapshotMiB.toFixed(1), buildSeconds: +buildSeconds.toFixed(1),
      openMs: round(r['openMs']), openRssMiB: round(r['openRssMiB']), openPeakRssMiB: round(r['openPeakRssMiB']), listMs: round(r['listMs']),
      addMs: round(r['addMs']), addP99Ms: round(r['addP99Ms']), addGroupMs: round(r['addGroupMs']),
      replayMs: round(r['replayMs']), replayRssMiB: round(r['replayRssMiB']), replayPeakRssMiB: round(r['replayPeakRssMiB']), targets,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Markdown table of a result (bench/report.ts). */
export function markdownCatalog(r: CatalogBenchResult): string {
  const lines = [
    `${r.entries.toLocaleString('en')} live credentials in ${r.frames.toLocaleString('en')} encrypted frames (${r.fileMiB} MiB; snapshot ${r.snapshotMiB} MiB; built in ${r.buildSeconds} s)`,
    '',
    '| Measure | Value | Target |',
    '|---|---|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.value} | ≤ ${t.limit} ${t.met ? '✔' : '✘'} |`),
    `| peak RSS while opening (MiB) | ${r.openPeakRssMiB} | |`,
    `| add one entry, p99 (ms) | ${r.addP99Ms} | |`,
    `| add, 1,000 concurrent, per entry (ms) | ${r.addGroupMs} | |`,
    `| open with no snapshot: full replay (ms) | ${r.replayMs} | |`,
    `| RSS / peak after full replay (MiB) | ${r.replayRssMiB} / ${r.replayPeakRssMiB} | |`,
  ];
  return lines.join('\n');
}

const me = process.argv[1] !== undefined && /catalog\.[cm]?js$/.test(process.argv[1]);
if (me) {
  const args = process.argv.slice(2);
  if (args[0] === '--child-open') console.log(JSON.stringify(await childOpen(args[1]!)));
  else if (args[0] === '--child-replay') console.log(JSON.stringify(await childReplay(args[1]!)));
  else {
    const at = args.indexOf('--entries');
    const r = await measureCatalog(at >= 0 ? { entries: Number(args[at + 1]) } : {});
    console.log(markdownCatalog(r));
    console.log(JSON.stringify(r));
  }
}
