import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spreadOf } from './harness.js';
import { MiB } from './fixtures.js';
import { markdownFiles } from './report.js';

/**
 * Files on the command line, ours against `age` in the same run: encode = `mesh dare encode`
 * encrypting to one recipient and signing (age: encrypt; it has no signatures), decode = decrypt
 * and verify the signer (age: decrypt), with the default routing. Each command is a child process
 * timed from spawn to exit, with its peak resident set (GNU time's %M, else the child's VmHWM read
 * from /proc while it runs); the tools alternate round by round like every other group
 * (harness.ts). Inputs are incompressible, generated under os.tmpdir() and removed after; each
 * decoded output is compared with the input, outside the timing.
 *
 * Part of `npm run bench` (sizes `--file-sizes`, default 50 MB and 1 GiB; `--4g` adds 4 GiB, which
 * needs about 12 GiB of free temporary space), and on its own after `npm run build`:
 *
 *   node dist/bench/files.js [--sizes 50M,1Gi] [--4g] [--rounds N] [--json FILE]
 *
 * A tool missing from PATH (Debian: `apt-get install age`) is skipped with a note, never a failure.
 */
export interface FileRow {
  /** e.g. "encrypt 50 MB". */
  op: string;
  tool: 'mathmesh' | 'age';
  bytes: number;
  /** MB/s (MiB of input per second): median of the rounds, min–max. */
  mbPerSec: number;
  min: number;
  max: number;
  /** Peak resident set of the child, the largest over the rounds (MiB); undefined when it could not be read. */
  peakRssMiB?: number;
  rounds: number[];
  /** Why a row failed (the command's stderr tail, or a decoded output that differs from the input), if it did. */
  error?: string;
}

export interface FileReport {
  rows: FileRow[];
  notes: string[];
}

/** The default sizes: "a 50 MB file" and 1 GiB. */
export const DEFAULT_FILE_SIZES = '50M,1Gi';
/** What `--4g` adds. */
export const FOUR_GIB = 4 * 1024 * MiB;

/** The first file named `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
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

/** Runs a command; resolves with seconds and peak RSS (KiB: GNU time's %M, else VmHWM polled from /proc). */
async function timed(argv: string[]): Promise<{ seconds: number; rssKiB?: number }> {
  const [cmd, ...args] = GNU_TIME ? [GNU_TIME, '-f', '@@time %M', ...argv] : argv;
  const t0 = performance.now();
  const child = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  let polled: number | undefined;
  const poll = GNU_TIME ? undefined : setInterval(() => void vmHwm(child.pid!).then((k) => (polled = k ?? polled)), 20);
  const [code] = (await once(child, 'close')) as [number | null];
  const seconds = (performance.now() - t0) / 1000;
  if (poll) clearInterval(poll);
  const m = /@@time (\d+)/.exec(err);
  if (code !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} … exited ${code}: ${err.replace(/@@time.*/, '').trim().slice(-300)}`);
  const kib = m ? Number(m[1]) : polled;
  return { seconds, ...(kib !== undefined ? { rssKiB: kib } : {}) };
}

/** Writes `bytes` of incompressible pseudo-random data (xorshift) without holding it in memory. */
async function writeInput(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  let x = 0x9e3779b9;
  for (let left = bytes; left > 0;) {
    const n = Math.min(left, MiB);
    const chunk = new Uint8Array(n);
    const words = new Uint32Array(chunk.buffer, 0, n >> 2);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      words[i] = x >>> 0;
    }
    if (!out.write(chunk)) await once(out, 'drain');
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

/** "50M" / "1G" / "4G" / "1048576" → bytes (decimal M/G as in "a 50 MB file"; Mi/Gi binary). */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|ki|m|mi|g|gi)?b?$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s}`);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = { '': 1, k: 1e3, ki: 1024, m: 1e6, mi: 1 << 20, g: 1e9, gi: 1 << 30 }[unit]!;
  return Math.round(Number(m[1]) * mult);
}

const label = (n: number): string => (n % (1 << 30) === 0 ? `${n / (1 << 30)} GiB` : n % 1e9 === 0 ? `${n / 1e9} GB` : n % 1e6 === 0 ? `${n / 1e6} MB` : `${n} B`);

/**
 * Encrypt and decrypt files of each size with every tool present, `rounds` rounds alternating
 * the tools. `meshBin` is the `mesh` entry (bin/mesh.js, run by this Node).
 */
export async function measureFiles(opts: { sizes: number[]; rounds: number; meshBin: string; log?: (line: string) => void }): Promise<FileReport> {
  const notes: string[] = [];
  const age = onPath('age');
  const ageKeygen = onPath('age-keygen');
  if (!age || !ageKeygen) notes.push('age not found on PATH (Debian: apt-get install age): its rows are missing.');
  if (!GNU_TIME) notes.push('GNU time (/usr/bin/time) not found: peak RSS read from /proc/PID/status (VmHWM) while each command runs.');
  const dir = mkdtempSync(join(tmpdir(), 'mathmesh-files-'));
  const rows: FileRow[] = [];
  try {
    const mesh = (...a: string[]) => [process.execPath, opts.meshBin, ...a];
    const key = join(dir, 'bench.key');
    const pub = join(dir, 'bench.pub');
    const made = spawnSync(process.execPath, [opts.meshBin, 'key', 'create', '--out', key, '--public', pub], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mesh key create failed: ${made.stderr}`);
    let recipient: string | undefined;
    if (age && ageKeygen) {
      const k = spawnSync(ageKeygen, ['-o', join(dir, 'age.key')], { encoding: 'utf8' });
      recipient = /age1[0-9a-z]+/.exec(readFileSync(join(dir, 'age.key'), 'utf8'))?.[0];
      if (k.status !== 0 || !recipient) throw new Error(`age-keygen failed: ${k.stderr}`);
    }
    for (const size of opts.sizes) {
      opts.log?.(`  ${label(size)}…`);
      const input = join(dir, 'input.bin');
      await writeInput(input, size);
      const digest = await sha512File(input);
      const tools: { tool: FileRow['tool']; encrypt: string[]; decrypt: string[]; sealed: string; opened: string }[] = [
        {
          tool: 'mathmesh',
          encrypt: mesh('dare', 'encode', input, join(dir, 'out.dare'), '--encrypt', pub, '--sign', key),
          decrypt: mesh('dare', 'decode', join(dir, 'out.dare'), join(dir, 'back.mesh'), '--key', key, '--signer', pub),
          sealed: join(dir, 'out.dare'),
          opened: join(dir, 'back.mesh'),
        },
        ...(age && recipient ? [{
          tool: 'age' as const,
          encrypt: [age, '-r', recipient, '-o', join(dir, 'out.age'), input],
          decrypt: [age, '-d', '-i', join(dir, 'age.key'), '-o', join(dir, 'back.age'), join(dir, 'out.age')],
          sealed: join(dir, 'out.age'),
          opened: join(dir, 'back.age'),
        }] : []),
      ];
      // All encrypt rounds run before the decrypt rounds: the last encryption is what is decrypted.
      for (const op of ['encrypt', 'decrypt'] as const) {
        const per = tools.map(() => ({ mbps: [] as number[], rss: 0, error: undefined as string | undefined }));
        for (let r = 0; r < Math.max(1, opts.rounds); r++) {
          for (const [i, t] of tools.entries()) {
            if (per[i]!.error) continue;
            // Neither tool replaces an existing output: each run starts without one.
            rmSync(op === 'encrypt' ? t.sealed : t.opened, { force: true });
            try {
              const { seconds, rssKiB } = await timed(op === 'encrypt' ? t.encrypt : t.decrypt);
              per[i]!.mbps.push(size / MiB / seconds);
              if (rssKiB !== undefined) per[i]!.rss = Math.max(per[i]!.rss, rssKiB / 1024);
              if (op === 'decrypt' && (await sha512File(t.opened)) !== digest) per[i]!.error = 'the decoded output differs from the input';
            } catch (e) {
              per[i]!.error = e instanceof Error ? e.message : String(e);
            }
          }
        }
        tools.forEach((t, i) => {
          const p = per[i]!;
          const s = p.mbps.length ? spreadOf(p.mbps) : { median: 0, min: 0, max: 0 };
          rows.push({
            op: `${op} ${label(size)}`, tool: t.tool, bytes: size, mbPerSec: s.median, min: s.min, max: s.max,
            ...(p.rss ? { peakRssMiB: Math.round(p.rss) } : {}), rounds: p.mbps, ...(p.error ? { error: p.error } : {}),
          });
        });
      }
      for (const f of ['input.bin', 'out.dare', 'out.age', 'back.mesh', 'back.age']) rmSync(join(dir, f), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

// On its own: `node dist/bench/files.js [--sizes 50M,1Gi] [--4g] [--rounds N] [--json FILE]`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const value = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const sizes = (value('--sizes') ?? DEFAULT_FILE_SIZES).split(',').map(parseSize);
  if (args.includes('--4g')) sizes.push(FOUR_GIB);
  const rounds = Math.max(1, Number(value('--rounds') ?? 1));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  console.log(`files on the CLI against age — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${rounds} round(s)`);
  const report = await measureFiles({ sizes, rounds, meshBin: join(root, 'bin', 'mesh.js'), log: (l) => console.log(l) });
  console.log(`\n${markdownFiles(report)}`);
  const out = value('--json');
  if (out) writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), rounds, ...report }, null, 2) + '\n');
  if (report.rows.some((r) => r.error)) process.exitCode = 1;
}
