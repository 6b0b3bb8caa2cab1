/**
 * Files of any size through the `mesh` CLI with its default routing, against `age` in the same
 * run: encode = encrypt to one recipient and sign (age: encrypt; it has no signatures), decode =
 * decrypt and verify the signer (age: decrypt). Each command is a child process, timed from
 * spawn to exit, with its peak resident set (GNU time's %M, else the child's VmHWM read from
 * /proc while it runs). Inputs are generated on the fly under os.tmpdir() and deleted after.
 *
 *   npm run build && node dist/bench/stream.js [--sizes 50M,1G] [--4g] [--rounds N] [--no-age] [--json FILE]
 *
 * `--4g` adds a 4 GiB file (needs ~12 GiB of free temporary space). Figures mean something only
 * on a quiet machine; each decode output is compared with the input (outside the timing).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const value = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

/** "50M" (decimal, as in "a 50 MB file"), "1G" / "1Gi" (binary: 1 GiB), or bytes. */
function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|ki|m|mi|g|gi)?b?$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s}`);
  const mult: Record<string, number> = { '': 1, k: 1e3, ki: 1024, m: 1e6, mi: MiB, g: 1024 * MiB, gi: 1024 * MiB };
  return Math.round(Number(m[1]) * mult[(m[2] ?? '').toLowerCase()]!);
}
const label = (n: number): string => (n % (1024 * MiB) === 0 ? `${n / (1024 * MiB)} GiB` : n % 1e6 === 0 ? `${n / 1e6} MB` : `${n} B`);

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const f = join(dir, name);
    if (dir && existsSync(f)) return f;
  }
  return undefined;
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Peak RSS of a running process from /proc (Linux), in KiB, or undefined. */
async function vmHwm(pid: number): Promise<number | undefined> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command; seconds from spawn to exit and peak RSS in MiB. */
async function timed(argv: string[]): Promise<{ seconds: number; rssMiB?: number }> {
  const [cmd, ...rest] = GNU_TIME ? [GNU_TIME, '-f', '@@rss %M', ...argv] : argv;
  const t0 = performance.now();
  const child = spawn(cmd!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  let polled: number | undefined;
  const poll = GNU_TIME ? undefined : setInterval(() => void vmHwm(child.pid!).then((k) => (polled = k ?? polled)), 20);
  const [code] = (await once(child, 'close')) as [number | null];
  const seconds = (performance.now() - t0) / 1000;
  if (poll) clearInterval(poll);
  if (code !== 0) throw new Error(`${argv.slice(0, 4).join(' ')} … exited ${code}: ${err.replace(/@@rss.*/, '').trim().slice(-300)}`);
  const m = /@@rss (\d+)/.exec(err);
  const kib = m ? Number(m[1]) : polled;
  return { seconds, ...(kib !== undefined ? { rssMiB: kib / 1024 } : {}) };
}

/** Writes `bytes` of incompressible pseudo-random data (xorshift32) in 1 MiB pieces. */
async function writeInput(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  let x = 0x9e3779b9;
  const chunk = new Uint8Array(MiB);
  const words = new Uint32Array(chunk.buffer);
  for (let left = bytes; left > 0;) {
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    const n = Math.min(left, MiB);
    if (!out.write(chunk.slice(0, n))) await once(out, 'drain');
    left -= n;
  }
  out.end();
  await once(out, 'finish');
}

async function sha512File(file: string): Promise<string> {
  const h = createHash('sha512');
  for await (const c of createReadStream(file, { highWaterMark: MiB })) h.update(c as Buffer);
  return h.digest('hex');
}

interface Row { size: string; op: 'encode' | 'decode'; tool: 'mesh' | 'age'; mbps: number[]; rssMiB: number; error?: string }

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const meshBin = join(root, 'bin', 'mesh.js');
const sizes = (value('--sizes') ?? '50M,1G').split(',').map(parseSize);
if (flag('--4g')) sizes.push(4 * 1024 * MiB);
const rounds = Math.max(1, Number(value('--rounds') ?? 1));
const age = flag('--no-age') ? undefined : onPath('age');
const ageKeygen = age ? onPath('age-keygen') : undefined;

const dir = mkdtempSync(join(tmpdir(), 'mathmesh-stream-'));
const rows: Row[] = [];
const notes: string[] = [];
if (!age || !ageKeygen) notes.push(flag('--no-age') ? 'age skipped (--no-age)' : 'age not found on PATH (Debian: apt-get install age): no age rows');
if (!GNU_TIME) notes.push('GNU time not found: peak RSS read from /proc/PID/status (VmHWM) while the command runs');
try {
  const mesh = (...a: string[]) => [process.execPath, meshBin, ...a];
  const key = join(dir, 'bench.key');
  const pub = join(dir, 'bench.pub');
  const made = spawnSync(process.execPath, [meshBin, 'key', 'create', '--out', key, '--public', pub], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mesh key create failed: ${made.stderr}`);
  let recipient: string | undefined;
  if (age && ageKeygen) {
    spawnSync(ageKeygen, ['-o', join(dir, 'age.key')], { encoding: 'utf8' });
    recipient = /age1[0-9a-z]+/.exec(readFileSync(join(dir, 'age.key'), 'utf8'))?.[0];
  }
  console.log(`stream benchmark — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${rounds} round(s), files in ${dir}`);
  for (const size of sizes) {
    const input = join(dir, 'input.bin');
    await writeInput(input, size);
    const digest = await sha512File(input);
    const tools = [
      {
        tool: 'mesh' as const, sealed: join(dir, 'out.dare'), opened: join(dir, 'back.mesh'),
        encode: mesh('dare', 'encode', input, join(dir, 'out.dare'), '--encrypt', pub, '--sign', key, '--force'),
        decode: mesh('dare', 'decode', join(dir, 'out.dare'), join(dir, 'back.mesh'), '--key', key, '--signer', pub, '--force'),
      },
      ...(age && recipient ? [{
        tool: 'age' as const, sealed: join(dir, 'out.age'), opened: join(dir, 'back.age'),
        encode: [age, '-r', recipient, '-o', join(dir, 'out.age'), input],
        decode: [age, '-d', '-i', join(dir, 'age.key'), '-o', join(dir, 'back.age'), join(dir, 'out.age')],
      }] : []),
    ];
    for (const op of ['encode', 'decode'] as const) {
      const per = tools.map((t) => ({ size: label(size), op, tool: t.tool, mbps: [] as number[], rssMiB: 0 } as Row));
      for (let r = 0; r < rounds; r++) {
        for (const [i, t] of tools.entries()) {
          const row = per[i]!;
          if (row.error) continue;
          rmSync(op === 'encode' ? t.sealed : t.opened, { force: true });
          try {
            const { seconds, rssMiB } = await timed(op === 'encode' ? t.encode : t.decode);
            row.mbps.push(size / 1e6 / seconds);
            row.rssMiB = Math.max(row.rssMiB, rssMiB ?? 0);
            if (op === 'decode' && (await sha512File(t.opened)) !== digest) row.error = 'decoded output differs from the input';
          } catch (e) {
            row.error = e instanceof Error ? e.message : String(e);
          }
        }
      }
      rows.push(...per);
      if (op === 'decode') for (const t of tools) rmSync(t.opened, { force: true });
    }
    for (const f of ['input.bin', 'out.dare', 'out.age', 'back.mesh', 'back.age']) rmSync(join(dir, f), { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
};
const fmt = (r: Row | undefined): string => (!r ? '—' : r.error ? `failed: ${r.error}` : `${median(r.mbps).toFixed(0)} MB/s (${Math.min(...r.mbps).toFixed(0)}–${Math.max(...r.mbps).toFixed(0)}), ${r.rssMiB.toFixed(0)} MiB`);
console.log('\n| file | op | mesh (MB/s, min–max, peak RSS) | age | mesh/age |');
console.log('|---|---|---|---|---|');
for (const r of rows.filter((x) => x.tool === 'mesh')) {
  const a = rows.find((x) => x.tool === 'age' && x.size === r.size && x.op === r.op);
  const ratio = a && !a.error && !r.error ? `${(median(r.mbps) / median(a.mbps)).toFixed(2)}×` : '—';
  console.log(`| ${r.size} | ${r.op} | ${fmt(r)} | ${fmt(a)} | ${ratio} |`);
}
for (const n of notes) console.log(`\nnote: ${n}`);
const out = value('--json');
if (out) {
  writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), rounds, rows, notes }, null, 2) + '\n');
  console.log(`wrote ${out} (${statSync(out).size} bytes)`);
}
const failed = rows.filter((r) => r.error);
if (failed.length) {
  for (const r of failed) console.error(`${r.tool} ${r.op} ${r.size}: ${r.error}`);
  process.exitCode = 1;
}
