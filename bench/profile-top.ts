/**
 * The functions a V8 CPU profile (`.cpuprofile`, e.g. from bench/service.ts `--profile DIR`)
 * spent most self time in, and the files: `node dist/bench/profile-top.js FILE [--top 40]`.
 * Self time = samples whose top frame is the function; "total" adds the time of what it called.
 * Weighted by sample count, not by the time between samples: on a busy machine a process waits
 * for a CPU between samples, and the wait would be charged to whatever was on the stack.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args[0];
if (file === undefined) {
  console.error('usage: profile-top FILE.cpuprofile [--top N]');
  process.exit(2);
}
const at = args.indexOf('--top');
const top = at >= 0 ? Number(args[at + 1]) : 40;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (url: string): string => url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '').replace(/^node:/, '');
const nameOf = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const total = new Map<string, number>();
const files = new Map<string, number>();
let all = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = 1;
  let node = byId.get(profile.samples[i]!);
  if (node === undefined) continue;
  all += dt;
  const name = nameOf(node);
  self.set(name, (self.get(name) ?? 0) + dt);
  const f = short(node.callFrame.url) || node.callFrame.functionName;
  files.set(f, (files.get(f) ?? 0) + dt);
  const seen = new Set<string>();
  for (;;) {
    const k = nameOf(node);
    if (!seen.has(k)) {
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
    const p = parent.get(node.id);
    if (p === undefined) break;
    node = byId.get(p)!;
  }
}
const idle = self.get('(idle) :0') ?? 0;
const busy = all - idle;
const show = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (samples, % of ${busy} busy samples)`);
  for (const [k, v] of [...m].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${String(v).padStart(7)} ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
  }
};
// `--callers NAME`: the call paths (five frames up) that spent self time in functions named NAME.
const callersOf = args.indexOf('--callers') >= 0 ? args[args.indexOf('--callers') + 1] : undefined;
if (callersOf !== undefined) {
  const paths = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    let node = byId.get(profile.samples[i]!);
    if (node === undefined || node.callFrame.functionName !== callersOf) continue;
    const path: string[] = [];
    for (let depth = 0; node !== undefined && depth < 6; depth++) {
      path.push(nameOf(node));
      const p = parent.get(node.id);
      node = p === undefined ? undefined : byId.get(p);
    }
    const k = path.join(' < ');
    paths.set(k, (paths.get(k) ?? 0) + 1);
  }
  for (const [k, v] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(v).padStart(7)}  ${k}`);
  process.exit(0);
}
// `--under NAME`: where the time of functions named NAME went: samples by NAME's callee on their stack (or "(self)").
const underOf = args.indexOf('--under') >= 0 ? args[args.indexOf('--under') + 1] : undefined;
if (underOf !== undefined) {
  const callees = new Map<string, number>();
  let inside = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    let node = byId.get(profile.samples[i]!);
    let child: ProfileNode | undefined;
    while (node !== undefined && node.callFrame.functionName !== underOf) {
      child = node;
      const p = parent.get(node.id);
      node = p === undefined ? undefined : byId.get(p);
    }
    if (node === undefined) continue;
    inside++;
    const k = child === undefined ? '(self)' : nameOf(child);
    callees.set(k, (callees.get(k) ?? 0) + 1);
  }
  console.log(`${inside} samples under ${underOf}`);
  for (const [k, v] of [...callees].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(v).padStart(7)}  ${k}`);
  process.exit(0);
}
show('self time by function', self);
show('self time by file', files);
show('total time by function', total);
