import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../adapters/service-store/memory.js';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { PostgresServiceStore } from '../adapters/service-store/postgres.js';
import { copyServiceStore } from '../sdk/service/copy.js';
import { EmbeddedServiceStore } from '../sdk/service/embedded/embedded-store.js';
import type { AccountRecord, ServiceStore, StoreHead } from '../sdk/service/store.js';
import { describePostgres, dropSchemas, freshSchema } from './support/postgres.js';
import { seeded } from './support/service-store-load.js';
import { testFrame } from './support/service-store-contract.js';

/**
 * `copyServiceStore` (mesh service export / import): a service moved between stores keeps every
 * account, every frame byte at its index, every head digest and every record.
 */

const root = mkdtempSync(join(tmpdir(), 'mathmesh-copy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const embedded = (): Promise<EmbeddedServiceStore> => EmbeddedServiceStore.open(new NodeServiceFiles(join(root, `e${dirs++}`)));

/** Everything a store holds, in order: what two stores must agree on, byte for byte. */
interface Dump {
  accounts: AccountRecord[];
  stores: { account: string; head: StoreHead; frames: Uint8Array[] }[];
  records: [string, Uint8Array | undefined][];
}
async function dump(s: ServiceStore): Promise<Dump> {
  const accounts = await s.listAccounts();
  const stores: Dump['stores'] = [];
  for (const a of accounts) {
    for (const head of await s.heads(a.address)) stores.push({ account: a.address, head, frames: (await s.read(a.address, head.store, 0)).frames });
  }
  const records: Dump['records'] = [];
  for (const name of await s.listRecords()) records.push([name, await s.getRecord(name)]);
  return { accounts, stores, records };
}

/** A service's worth of data: accounts in each status, stores of many frames (some over 2 KiB), digests, records; one deleted account. */
async function fill(s: ServiceStore): Promise<void> {
  const rnd = seeded(7);
  const statuses = ['connected', 'pending', 'blocked'] as const;
  for (let a = 0; a < 5; a++) {
    const address = `user${a}@example.com`;
    await s.createAccount({ address, profileUdf: `MUSER${a}`, profile: new Uint8Array(100 + a).fill(a), status: statuses[a % 3], created: 1_700_000_000_000 + a });
    for (const store of ['MMM_Contact', 'MMM_Inbound', 'MMM_Local'].slice(0, 1 + (a % 3))) {
      let at = 0;
      for (let t = 0; t < 4 + a; t++) {
        const frames = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, k) => testFrame(`${store}-${t}-${k}`, 'p'.repeat(Math.floor(rnd() * 3000))));
        const digest = rnd() < 0.7 ? new Uint8Array(64).fill(t) : undefined;
        await s.transact([{ account: address, store, expectedNextIndex: at, frames, ...(digest ? { digest } : {}) }]);
        at += frames.length;
      }
    }
  }
  await s.createAccount({ address: 'gone@example.com', profileUdf: 'MGONE', profile: new Uint8Array(1) });
  await s.transact([{ account: 'gone@example.com', store: 'MMM_Local', expectedNextIndex: 0, frames: [testFrame('gone')] }]);
  await s.deleteAccount('gone@example.com');
  await s.putRecord('service.profile', new Uint8Array(500).fill(9));
  await s.putRecord('host.keys', new Uint8Array([1, 2, 3]));
}

describe('copyServiceStore (export / import)', () => {
  it('memory → embedded → memory: every account, frame byte, head and record identical', async () => {
    const source = new MemoryServiceStore();
    await fill(source);
    const expected = await dump(source);
    expect(expected.stores.reduce((n, s) => n + s.frames.length, 0)).toBeGreaterThan(50);
    const e = await embedded();
    const report = await copyServiceStore(source, e, { pageEntries: 7 });
    expect(report).toMatchObject({ accounts: 5, stores: expected.stores.length, records: 2 });
    expect(report.frames).toBe(expected.stores.reduce((n, s) => n + s.frames.length, 0));
    expect(await dump(e)).toEqual(expected);
    const back = new MemoryServiceStore();
    await copyServiceStore(e, back);
    expect(await dump(back)).toEqual(expected);
    await e.close();
  });

  it('refuses a target that already holds accounts or records', async () => {
    const source = new MemoryServiceStore();
    await fill(source);
    const busy = new MemoryServiceStore();
    await busy.putRecord('service.profile', new Uint8Array([1]));
    await expect(copyServiceStore(source, busy)).rejects.toMatchObject({ code: 'SERVICE_ALREADY_EXISTS' });
  });
});

describePostgres('copyServiceStore between the embedded store and PostgreSQL', (url) => {
  afterAll(() => dropSchemas(url));
  it('embedded → PostgreSQL → embedded, byte for byte; the copy on PostgreSQL survives a reopen', async () => {
    const source = await embedded();
    await fill(source);
    const expected = await dump(source);
    const schema = freshSchema();
    let pgStore = await PostgresServiceStore.open(url, { schema, poolSize: 2 });
    await copyServiceStore(source, pgStore, { pageEntries: 5 });
    await source.close();
    await pgStore.close();
    pgStore = await PostgresServiceStore.open(url, { schema, poolSize: 2 });
    expect(await dump(pgStore)).toEqual(expected);
    const back = await embedded();
    await copyServiceStore(pgStore, back);
    expect(await dump(back)).toEqual(expected);
    await Promise.all([pgStore.close(), back.close()]);
  });
});
