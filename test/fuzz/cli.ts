import { randomInt } from 'node:crypto';
import type { TargetStats } from './engine.js';
import { findingCounts, formatFailure, formatFigures, formatOutcomes, runTarget } from './runner.js';
import { TARGET_NAMES, TARGETS } from './targets/index.js';

/**
 * `npm run fuzz -- [options]`: the fuzz targets for longer than `npm test` gives them.
 *   --target NAME[,NAME]  targets (default all: jsonb, json, envelope, sequence)
 *   --seconds N           seconds per target (default 60)
 *   --seed N|random       run seed (default random, printed; failures print theirs)
 *   --from I --inputs N   replay inputs I … I+N−1 of a seed (e.g. one reported input)
 *   --budget-ms N         per-input time budget (default 3000)
 *   --max-failures N      stop a target after N distinct findings (default 5)
 *   --json                print the statistics as JSON after the table
 * Exit status 1 when anything was found.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const opts = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (k === 'json' || k === 'help') flags.add(k);
    else opts.set(k!, inline ?? argv[++i] ?? '');
  }
  if (flags.has('help')) {
    console.log('npm run fuzz -- [--target jsonb,json,envelope,sequence] [--seconds 60] [--seed N|random] [--from I --inputs N] [--budget-ms 3000] [--max-failures 5] [--json]');
    return 0;
  }
  const targets = (opts.get('target') ?? TARGET_NAMES.join(',')).split(',').filter(Boolean);
  for (const t of targets) if (!(t in TARGETS)) throw new Error(`unknown target ${t} (targets: ${TARGET_NAMES.join(', ')})`);
  const seedText = opts.get('seed') ?? 'random';
  const seed = seedText === 'random' ? randomInt(1, 2 ** 31) : Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer or "random", not ${seedText}`);
  const num = (k: string): number | undefined => (opts.has(k) ? Number(opts.get(k)) : undefined);
  const seconds = num('seconds') ?? (opts.has('inputs') ? 3600 : 60);
  console.log(`fuzzing ${targets.join(', ')} for ${seconds} s each, seed ${seed}`);
  const all: TargetStats[] = [];
  for (const target of targets) {
    const s = await runTarget({
      target, seed, seconds, inputs: num('inputs'), from: num('from'), budgetMs: num('budget-ms'), maxFailures: num('max-failures'),
    });
    all.push(s);
    console.log(`\n${target}: ${s.inputs} inputs in ${s.seconds.toFixed(1)} s, corpus ${s.corpusSize}; outcomes:\n${formatOutcomes(s)}`);
    for (const f of s.failures) console.log(`\n${formatFailure(f)}`);
  }
  console.log(`\n${formatFigures(all)}`);
  if (flags.has('json')) {
    console.log(JSON.stringify(all.map((s) => ({ ...s, failures: s.failures.map((f) => ({ ...f, input: Buffer.from(f.input).toString('hex') })) })), null, 2));
  }
  return all.some((s) => s.failures.length > 0 || Object.values(findingCounts(s)).some((n) => n > 0)) ? 1 : 0;
}
