import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { once } from 'node:events';
import { spreadOf } from './harness.js';
import { MiB } from './fixtures.js';

/**
 * File encryption on the command line, ours against `age` (issue §1's table): encode = encrypt
 * to one recipient (+ sign, for mathmesh: DARE signs, age has no signatures), decode = decrypt
 * (+ verify). Each command is a child process timed from spawn to exit, with its peak RSS; the
 * tools alternate round by round like every other group (harness.ts).
 *
 * This is the harness hook: a tool missing from PATH (Debian: `apt-get install age`) is skipped
 * with a note, never a failure, and the mathmesh side runs whatever `bin/mesh.js` does today.
 * The streaming envelope work brings the 1 GiB / 4 GiB sizes (`--file-sizes 50M,1G,4G`).
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
  /** Peak resident set of the child, the largest over the rounds (MiB); undefined without GNU time. */
  peakRssMiB?: number;
  rounds: number[];
  /** Why a row failed (the command's stderr tail), if it did. */
  error?: string;
}

export interface FileReport {
  rows: FileRow[];
  notes: string[];
}

/** The first file named `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const f = join(dir, name);
    if (dir && existsSync(f)) return f;
  }
  return undefined;
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command; resolves with seconds and peak RSS (KiB, via GNU time's %M when present). */
async function timed(argv: string[]): Promise<{ seconds: number; rssKiB?: number }> {
  const [cmd, ...args] = GNU_TIME ? [GNU_TIME, '-f', '@@time %M', ...argv] : argv;
  const t0 = performance.now();
  const child = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const [code] = (await once(child, 'close')) as [number | null];
  const seconds = (performance.now() - t0) / 1000;
  const m = /@@time (\d+)/.exec(err);
  if (code !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} … exited ${code}: ${err.replace(/@@time.*/, '').trim().slice(-300)}`);
  return { seconds, ...(m ? { rssKiB: Number(m[1]) } : {}) };
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
export async function measureFiles(opts: { sizes: number[]; rounds: number; meshBin: string }): Promise<FileReport> {
  const notes: string[] = [];
  const age = onPath('age');
  const ageKeygen = onPath('age-keygen');
  if (!age || !ageKeygen) notes.push('age not found on PATH (Debian: apt-get install age): its rows are missing.');
  if (!GNU_TIME) notes.push('GNU time (/usr/bin/time) not found: no peak RSS.');
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
      const input = join(dir, 'input.bin');
      await writeInput(input, size);
      const tools: { tool: FileRow['tool']; encrypt: string[]; decrypt: string[]; sealed: string; opened: string }[] = [
        {
          tool: 'mathmesh',
          encrypt: mesh('dare', 'encode', input, join(dir, 'out.dare'), '--encrypt', pub, '--sign', key, '--format', 'jsonb'),
          decrypt: mesh('dare', 'decode', join(dir, 'out.dare'), join(dir, 'back.mesh'), '--key', key, '--signer', pub, '--require-signature'),
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
            // A tool may refuse to overwrite its output: each run starts without one.
            rmSync(op === 'encrypt' ? t.sealed : t.opened, { force: true });
            try {
              const { seconds, rssKiB } = await timed(op === 'encrypt' ? t.encrypt : t.decrypt);
              per[i]!.mbps.push(size / MiB / seconds);
              if (rssKiB !== undefined) per[i]!.rss = Math.max(per[i]!.rss, rssKiB / 1024);
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
