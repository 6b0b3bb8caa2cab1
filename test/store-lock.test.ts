import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { acquireFileLock } from '../adapters/store/file-lock.js';
import { nodeLockFs } from '../adapters/store/node-lock.js';
import { NodeFileStore } from '../adapters/store/node-fs.js';

/**
 * The file writer lock (adapters/store/file-lock.ts): never two live writers. Many processes race
 * for one lock with random delays injected between every step of the protocol, some die while
 * holding it (so others race to take over a stale lock), and every holder logs the interval it
 * held the lock on the system-wide monotonic clock: no two intervals may overlap.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'mathmesh-lock-'));

/** The protocol's modules as plain JS in `work` (child processes run plain Node). */
function transpileLockModules(): string {
  const out = join(work, 'js');
  for (const f of ['adapters/store/file-lock.ts', 'adapters/store/node-lock.ts', 'sdk/dare/sequence/store.ts', 'sdk/dare/sequence/errors.ts']) {
    const js = ts.transpileModule(readFileSync(join(root, f), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    const target = join(out, f.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js.outputText);
  }
  writeFileSync(join(out, 'child.mjs'), `
import { appendFileSync } from 'node:fs';
import { acquireFileLock } from './adapters/store/file-lock.js';
import { nodeLockFs, nodeLockIdentity } from './adapters/store/node-lock.js';
const [lockDir, log, seedText, holdsText] = process.argv.slice(2);
let seed = Number(seedText);
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Injected delays: half of the steps wait 0-8 ms, widening every window between list, judge, create and verify.
const pause = async () => { const r = rnd(); if (r < 0.5) await sleep(Math.floor(r * 16)); };
// Each process tries until it has held the lock \`holds\` times (or died holding it), for at most 4 s.
const until = Date.now() + 4000;
for (let holds = 0; holds < Number(holdsText) && Date.now() < until;) {
  let lock;
  try {
    lock = await acquireFileLock(nodeLockFs, lockDir, nodeLockIdentity(), pause);
  } catch (e) {
    if (e.code !== 'DARE_LOCKED') throw e;
    await sleep(rnd() * 4);
    continue;
  }
  holds++;
  const start = process.hrtime.bigint();
  await sleep(1 + rnd() * 5);
  const end = process.hrtime.bigint();
  const dies = rnd() < 0.3;
  appendFileSync(log, 'held ' + process.pid + ' ' + start + ' ' + end + (dies ? ' dies' : '') + '\\n');
  if (dies) process.exit(0); // a writer that crashes holding the lock: the lock is now stale
  await lock.release();
}
`);
  return join(out, 'child.mjs');
}

function run(script: string, args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += String(d)));
    p.on('close', (code) => res({ code, err }));
  });
}

describe('file writer lock', () => {
  it('many processes racing with injected delays, some dying while holding it: never two live holders', async () => {
    const child = transpileLockModules();
    const lockDir = join(work, 'seq.dare.lock');
    // Start from a stale lock, so the first wave is a takeover race.
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(join(lockDir, 'g0000000000000001'), 'pid 999999999 node\n');
    const log = join(work, 'held.log');
    writeFileSync(log, '');
    const results = await Promise.all(Array.from({ length: 14 }, (_, i) => run(child, [lockDir, log, String(1000 + i * 7919), '4'])));
    for (const r of results) expect(r.err).toBe('');
    const held = readFileSync(log, 'utf8').trim().split('\n').map((l) => {
      const [, pid, start, end, dies] = l.split(' ');
      return { pid: Number(pid), start: BigInt(start!), end: BigInt(end!), dies: dies === 'dies' };
    }).sort((a, b) => (a.start < b.start ? -1 : 1));
    expect(held.length).toBeGreaterThan(20);
    expect(held.filter((h) => h.dies).length).toBeGreaterThan(2); // stale takeovers happened
    for (let i = 1; i < held.length; i++) {
      expect(held[i]!.start > held[i - 1]!.end, `holders ${held[i - 1]!.pid} and ${held[i]!.pid} overlap`).toBe(true);
    }
    // Old generations are cleaned up by each new holder: the directory stays small.
    expect(readdirSync(lockDir).filter((n) => !n.startsWith('tmp-')).length).toBeLessThanOrEqual(3);
  }, 60_000);

  it('a generation file is never read empty; an unreadable or empty holder is never taken over', async () => {
    const lockDir = join(work, 'odd.lock');
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'g0000000000000007'), '');
    await expect(acquireFileLock(nodeLockFs, lockDir, 'pid 1 node\n')).rejects.toMatchObject({ code: 'DARE_LOCKED' });
    writeFileSync(join(lockDir, 'g0000000000000008'), 'garbage');
    await expect(acquireFileLock(nodeLockFs, lockDir, 'pid 1 node\n')).rejects.toMatchObject({ code: 'DARE_LOCKED' });
    // A holder that released: the next writer takes over at once and cleans up below itself.
    writeFileSync(join(lockDir, 'g0000000000000008.free'), 'free\n');
    const lock = await acquireFileLock(nodeLockFs, lockDir, `pid ${process.pid} node\n`);
    expect(readdirSync(lockDir).sort()).toEqual(['g0000000000000009']);
    await expect(acquireFileLock(nodeLockFs, lockDir, `pid ${process.pid} node\n`)).rejects.toMatchObject({ code: 'DARE_LOCKED' });
    await lock.release();
    expect(existsSync(join(lockDir, 'g0000000000000009.free'))).toBe(true);
  });

  it('NodeFileStore: a second writer gets DARE_LOCKED; a dead writer is taken over; closing releases', async () => {
    const path = join(work, 'store.dare');
    const a = await NodeFileStore.openWrite(path);
    await expect(NodeFileStore.openWrite(path)).rejects.toMatchObject({ code: 'DARE_LOCKED' });
    await a.close();
    const b = await NodeFileStore.openWrite(path);
    await b.close();
    writeFileSync(join(`${path}.lock`, 'g00000000000000ff'), 'pid 999999999 node\n');
    const c = await NodeFileStore.openWrite(path);
    expect(c.writable).toBe(true);
    await c.close();
  });
});
