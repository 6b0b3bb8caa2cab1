import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PostgresServiceStore } from '../adapters/service-store/postgres.js';
import { transpileForChild } from './support/child-modules.js';
import { describePostgres, dropSchemas, freshSchema } from './support/postgres.js';
import { checkLoad, runLoad, seeded, type Ack } from './support/service-store-load.js';

/**
 * One host of a service on PostgreSQL killed with SIGKILL at random moments under load, while
 * another host (this process) keeps writing to the same accounts and stores: every transaction
 * either host acknowledged is present where it was acknowledged, none is partly visible, and
 * the surviving host never stops (the killed host's open transactions die with its
 * connections; its locks go with them).
 */

const root = resolve(import.meta.dirname, '..');
const accounts = ['alice@example.com', 'bob@example.com', 'carol@example.com'];
const stores = ['MMM_Contact', 'MMM_Device', 'MMM_Inbound', 'MMM_Local', 'MMM_Outbound'];

describePostgres('PostgreSQL service store: kill -9 of a host under load', (url) => {
  // Inside the repository, so the child's `pg` resolves from its node_modules.
  const work = mkdtempSync(join(root, 'node_modules', '.mathmesh-pgkill-'));
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await dropSchemas(url);
  });

  /** Starts a child host, kills it `afterMs` after its first acknowledgement, collects its acknowledgements. */
  function runChild(script: string, schema: string, seed: number, afterMs: number): Promise<{ acks: Ack[]; stderr: string; signal: NodeJS.Signals | null }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [script, url, schema, String(seed), `k${seed}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      const acks: Ack[] = [];
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
            if (acks.length === 0) setTimeout(() => child.kill('SIGKILL'), afterMs);
            acks.push(JSON.parse(line.slice(4)) as Ack);
          }
        }
      });
      child.on('error', fail);
      child.on('close', (_code, signal) => done({ acks, stderr, signal }));
    });
  }

  it('8 kills of host A at random moments while host B writes on: every acknowledged transaction present, none partly visible', async () => {
    transpileForChild(root, ['test/support/service-store-postgres-child.ts'], work);
    writeFileSync(join(work, 'package.json'), '{"type":"module"}');
    const script = join(work, 'test', 'support', 'service-store-postgres-child.js');
    const schema = freshSchema();
    const b = await PostgresServiceStore.open(url, { schema, poolSize: 4 });
    const acks: Ack[] = [];
    let stop = false;
    let bFailed: unknown;
    const hostB = (async () => {
      // Host B starts once A created the accounts.
      while (!(await b.getAccount(accounts[2]!))) await new Promise((r) => setTimeout(r, 50));
      await runLoad(b, { writers: 8, accounts, stores, seed: 99, prefix: 'b', onAck: (x) => acks.push(x), stop: () => stop });
      if (!stop) bFailed = new Error('host B stopped writing before the end');
    })();
    const rnd = seeded(17);
    try {
      for (let run = 0; run < 8; run++) {
        const r = await runChild(script, schema, run, Math.floor(rnd() * 300));
        expect(r.signal).toBe('SIGKILL');
        expect(r.stderr).toBe('');
        acks.push(...r.acks);
      }
    } finally {
      stop = true;
      await hostB;
    }
    expect(bFailed).toBeUndefined();
    const check = await checkLoad(b, accounts, stores, acks);
    expect(check.lost, 'acknowledged transactions missing').toEqual([]);
    expect(check.partial, 'transactions partly visible').toEqual([]);
    expect(acks.filter((a) => a.tx.startsWith('b-')).length).toBeGreaterThan(0);
    console.log(`kill -9 of a host: 8 runs, acknowledged transactions: ${acks.length} (host B: ${acks.filter((a) => a.tx.startsWith('b-')).length})`);
    await b.close();
  }, 180_000);
});
