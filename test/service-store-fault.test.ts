import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { EmbeddedServiceStore } from '../sdk/service/embedded/embedded-store.js';
import type { RecoveryReport } from '../sdk/service/embedded/recovery.js';
import { transpileForChild } from './support/child-modules.js';
import { checkLoad, seeded, type Ack } from './support/service-store-load.js';

/**
 * The embedded store killed with SIGKILL at random moments under load (a child process with 24
 * concurrent writers), restarted, again and again: every transaction the child acknowledged
 * (printed after its commit resolved, before the kill) is present where it was acknowledged, and
 * no transaction is partly visible. Each restart recovers from the previous kill; every few
 * runs the parent itself opens the store and checks.
 */

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'mathmesh-svcfault-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const accounts = ['alice@example.com', 'bob@example.com', 'carol@example.com'];
const stores = ['MMM_Contact', 'MMM_Device', 'MMM_Inbound', 'MMM_Local', 'MMM_Outbound'];

interface Run {
  acks: Ack[];
  recovery: RecoveryReport;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/** Starts the child, kills it `afterMs` after its first acknowledgement, and collects what it acknowledged. */
function runChild(script: string, dir: string, seed: number, afterMs: number): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, dir, String(seed), `k${seed}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let recovery: RecoveryReport | undefined;
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => {
      out += String(d);
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('ack ')) {
          // Armed at the first acknowledgement, so every run is killed under load, however slow
          // the machine is to start the child.
          if (acks.length === 0) setTimeout(() => child.kill('SIGKILL'), afterMs);
          acks.push(JSON.parse(line.slice(4)) as Ack);
        } else if (line.startsWith('ready ')) recovery = JSON.parse(line.slice(6)) as RecoveryReport;
      }
    });
    child.on('error', fail);
    child.on('close', (_code, signal) => {
      if (!recovery) fail(new Error(`child ended before it was ready: ${stderr}`));
      else done({ acks, recovery, stderr, signal });
    });
  });
}

describe('embedded service store: kill -9 under load', () => {
  it('24 kills at random moments: every acknowledged transaction present, none partly visible', async () => {
    const js = join(work, 'js');
    transpileForChild(root, ['test/support/service-store-child.ts'], js);
    writeFileSync(join(js, 'package.json'), '{"type":"module"}');
    const script = join(js, 'test', 'support', 'service-store-child.js');
    const dir = join(work, 'data');
    const rnd = seeded(14);
    const acks: Ack[] = [];
    const reports: RecoveryReport[] = [];
    const check = async (): Promise<void> => {
      const s = await EmbeddedServiceStore.open(new NodeServiceFiles(dir));
      reports.push(s.recovery);
      try {
        const c = await checkLoad(s, accounts, stores, acks);
        expect(c.lost, 'acknowledged transactions missing').toEqual([]);
        expect(c.partial, 'transactions partly visible').toEqual([]);
      } finally {
        await s.close();
      }
    };
    for (let run = 0; run < 24; run++) {
      const r = await runChild(script, dir, run, Math.floor(rnd() * 150));
      expect(r.signal).toBe('SIGKILL');
      expect(r.stderr).toBe('');
      if (run > 0) reports.push(r.recovery);
      acks.push(...r.acks);
      if (run % 4 === 3) await check();
    }
    await check();
    expect(acks.length).toBeGreaterThanOrEqual(24);
    // The kills landed mid-work: logs were replayed at restart.
    expect(reports.filter((r) => r.records > 0).length).toBeGreaterThan(10);
    console.log(`kill -9 runs: 24, acknowledged transactions: ${acks.length}, restarts that replayed the log: ${reports.filter((r) => r.records > 0).length}, `
      + `records replayed: ${reports.reduce((n, r) => n + r.records, 0)}, store files repaired: ${reports.reduce((n, r) => n + r.repairedStores, 0)}, `
      + `torn tails: ${reports.filter((r) => r.tornBytes > 0).length}`);
  }, 120_000);
});
