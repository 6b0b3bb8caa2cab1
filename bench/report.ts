import type { BenchResult } from './harness.js';

export interface Target {
  group: string;
  a: string;
  b: string;
  min: number;
}

export interface TargetCheck extends Target {
  ratio: number | undefined;
  met: boolean | undefined;
}

const ops = (r: BenchResult | undefined) =>
  r === undefined ? '—' : r.opsPerSec >= 100 ? Math.round(r.opsPerSec).toLocaleString('en-US') : r.opsPerSec.toFixed(2);
const cell = (r: BenchResult | undefined) =>
  r === undefined ? '—' : r.mbPerSec !== undefined ? `${ops(r)} (${r.mbPerSec.toFixed(1)} MB/s)` : ops(r);
const ratio = (a: BenchResult | undefined, b: BenchResult | undefined) =>
  a && b ? a.opsPerSec / b.opsPerSec : undefined;
const fmt = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(2)}x`);

/** Groups results into one Markdown row per case: ops/s per provider and same-run ratios. */
export function markdownTable(results: BenchResult[], providers: string[]): string {
  const groups = [...new Set(results.map((r) => r.group))];
  const find = (g: string, p: string) => results.find((r) => r.group === g && r.provider === p);
  const head = `| case | ${providers.map((p) => `${p} ops/s`).join(' | ')} | wasm/native | wasm/pure |`;
  const sep = `|${' --- |'.repeat(providers.length + 3)}`;
  const rows = groups.map((g) => {
    const cols = providers.map((p) => cell(find(g, p)));
    return `| ${g} | ${cols.join(' | ')} | ${fmt(ratio(find(g, 'wasm'), find(g, 'native')))} | ${fmt(ratio(find(g, 'wasm'), find(g, 'pure')))} |`;
  });
  return [head, sep, ...rows].join('\n');
}

/** Evaluates same-run ratio targets; a target whose cases did not run is reported as not measured. */
export function checkTargets(results: BenchResult[], targets: Target[]): TargetCheck[] {
  const find = (g: string, p: string) => results.find((r) => r.group === g && r.provider === p);
  return targets.map((t) => {
    const x = ratio(find(t.group, t.a), find(t.group, t.b));
    return { ...t, ratio: x, met: x === undefined ? undefined : x >= t.min };
  });
}

export function markdownTargets(checks: TargetCheck[]): string {
  const lines = ['| target | measured | |', '| --- | --- | --- |'];
  for (const c of checks) {
    const mark = c.met === undefined ? 'not measured' : c.met ? 'met' : `MISSED by ${((1 - c.ratio! / c.min) * 100).toFixed(0)}%`;
    lines.push(`| ${c.group}: ${c.a} >= ${c.min}x ${c.b} | ${fmt(c.ratio)} | ${mark} |`);
  }
  return lines.join('\n');
}
