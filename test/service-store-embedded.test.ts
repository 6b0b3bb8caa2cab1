import { mkdtempSync, readdirSync, readFileSync, rmSync, appendFileSync, truncateSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { EmbeddedServiceStore, type EmbeddedStoreOptions } from '../sdk/service/embedded/embedded-store.js';
import { crc32 } from '../sdk/service/embedded/crc32.js';
import { encodeRecord, readSegment } from '../sdk/service/embedded/wal-codec.js';
import { ServiceStoreError } from '../sdk/service/store-errors.js';
import type { StoreUpdate } from '../sdk/service/store.js';
import { MemoryDisk } from './support/memory-disk.js';
import { frameTag, testFrame } from './support/service-store-contract.js';
import { checkLoad, runLoad, seeded, type Ack } from './support/service-store-load.js';

/**
 * The embedded store beyond the contract: its files, its log, and what it promises when the
 * process dies, the power fails or the disk refuses a write (sdk/service/embedded).
 */

const root = mkdtempSync(join(tmpdir(), 'mathmesh-embedded-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `d${n++}`);
const open = async (dir: string, o: EmbeddedStoreOptions = {}): Promise<EmbeddedServiceStore> => EmbeddedServiceStore.open(new NodeServiceFiles(dir), o);
const up = (account: string, store: string, expectedNextIndex: number, ...tags: string[]): StoreUpdate => ({ account, store, expectedNextIndex, frames: tags.map((t) => testFrame(t)) });
const profile = new Uint8Array([1]);
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'none', (e: unknown) => (e instanceof ServiceStoreError ? e.code : String(e)));
const segments = (dir: string): string[] => readdirSync(join(dir, 'wal')).sort();

describe('embedded service store: files', () => {
  it('keeps each store as a DARE sequence file of exactly the uploaded frames, numbered so names never collide', async () => {
    const dir = freshDir();
    const s = await open(dir);
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    const f = [testFrame('d0', 'x'.repeat(400)), testFrame('d1')];
    await s.transact([{ account: 'a@x', store: 'MMM_Device', expectedNextIndex: 0, frames: f }, up('a@x', 'MMM_device', 0, 'lower')]);
    await s.transact([up('a@x', 'MMM_Device', 2, 'd2')]);
    await s.close();
    const files = readdirSync(join(dir, 'accounts', 'a1')).sort();
    expect(files).toEqual(['s1-MMM_Device.dare', 's2-MMM_device.dare']);
    expect(new Uint8Array(readFileSync(join(dir, 'accounts', 'a1', 's1-MMM_Device.dare')))).toEqual(new Uint8Array([...f[0]!, ...f[1]!, ...testFrame('d2')]));
    // After a clean close the log is one segment holding only a base record.
    expect(segments(dir)).toHaveLength(1);
    const read = readSegment(new Uint8Array(readFileSync(join(dir, 'wal', segments(dir)[0]!))));
    expect(read.records.map((r) => r.record.type)).toEqual(['base']);
    expect(read.tornBytes).toBe(0);
  });

  it('a second store on the same directory is refused with SERVICE_LOCKED (in-process or another process)', async () => {
    const dir = freshDir();
    const s = await open(dir);
    expect(await codeOf(open(dir))).toBe('SERVICE_LOCKED');
    await s.close();
    await (await open(dir)).close();
  });

  it('rotates the log at segmentBytes, keeping one segment, and reopens with everything', async () => {
    const dir = freshDir();
    const s = await open(dir, { segmentBytes: 4096 });
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    for (let i = 0; i < 60; i++) await s.transact([{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: i, frames: [testFrame(`l${i}`, 'z'.repeat(200))] }]);
    expect(segments(dir)).toHaveLength(1);
    expect(parseInt(segments(dir)[0]!, 16)).toBeGreaterThan(3);
    await s.close();
    const t = await open(dir);
    expect(t.recovery).toMatchObject({ records: 0, tornBytes: 0, repairedStores: 0 });
    expect((await t.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(Array.from({ length: 60 }, (_, i) => `l${i}`));
    await t.close();
  });

  it('serves more accounts than it keeps files open', async () => {
    const disk = new MemoryDisk();
    const s = await EmbeddedServiceStore.open(disk.files_(), { maxOpenFiles: 3 });
    for (let a = 0; a < 8; a++) await s.createAccount({ address: `u${a}@x`, profileUdf: `MU${a}`, profile });
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, a) => s.transact([up(`u${a}@x`, 'MMM_Inbound', round, `u${a}r${round}`), up(`u${a}@x`, 'MMM_Local', round, `l${round}`)])));
    }
    for (let a = 0; a < 8; a++) expect((await s.read(`u${a}@x`, 'MMM_Inbound', 0)).frames.map(frameTag)).toEqual([0, 1, 2].map((r) => `u${a}r${r}`));
    await s.close();
    const t = await EmbeddedServiceStore.open(disk.files_());
    for (let a = 0; a < 8; a++) expect((await t.read(`u${a}@x`, 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['l0', 'l1', 'l2']);
    await t.close();
  });

  it('removes a deleted account\'s files, and leftovers of one at the next open', async () => {
    const dir = freshDir();
    const s = await open(dir);
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    await s.createAccount({ address: 'b@x', profileUdf: 'MB', profile });
    await s.transact([up('a@x', 'MMM_Local', 0, 'x'), up('b@x', 'MMM_Local', 0, 'y')]);
    await s.deleteAccount('a@x');
    await s.close();
    expect(readdirSync(join(dir, 'accounts'))).toEqual(['a2']);
    mkdirSync(join(dir, 'accounts', 'a7'));
    const t = await open(dir);
    expect(t.recovery.removedAccounts).toBe(1);
    expect(readdirSync(join(dir, 'accounts'))).toEqual(['a2']);
    await t.close();
  });

  it('groups concurrent commits: one log fsync for many transactions', async () => {
    const disk = new MemoryDisk();
    let walSyncs = 0;
    disk.fault = (op, path) => {
      if (op === 'flush' && path.startsWith('wal/')) walSyncs++;
      return undefined;
    };
    const s = await EmbeddedServiceStore.open(disk.files_());
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    walSyncs = 0;
    await Promise.all(Array.from({ length: 100 }, (_, i) => s.transact([up('a@x', `MMM_S${i}`, 0, `s${i}`)])));
    expect(walSyncs).toBeLessThanOrEqual(2);
    expect(await s.heads('a@x')).toHaveLength(100);
    await s.close();
  });
});

describe('embedded service store: the log after a crash', () => {
  /** A store killed (process death: every write reached the OS) right after some transactions. */
  async function killedAfter(dir: string): Promise<void> {
    const s = await open(dir);
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    await s.transact([up('a@x', 'MMM_Local', 0, 'l0', 'l1'), up('a@x', 'MMM_Inbound', 0, 'i0')]);
    await s.transact([up('a@x', 'MMM_Local', 2, 'l2')]);
    // No close: the lock's holder (this process) is alive, so release it by hand as a dead
    // holder's would be taken over; the log is not checkpointed.
    await (s as unknown as { files: NodeServiceFiles }).files.close();
  }

  it('replays the log: a torn tail (half a record, or zeros) is dropped, everything acknowledged is there', async () => {
    for (const tail of [(rec: Uint8Array) => rec.subarray(0, rec.length - 3), (rec: Uint8Array) => new Uint8Array(rec.length)]) {
      const dir = freshDir();
      await killedAfter(dir);
      const wal = join(dir, 'wal', segments(dir)[0]!);
      const rec = encodeRecord({ type: 'tx', nonce: undefined, updates: [{ accountId: 1, store: 'MMM_Local', expectedNextIndex: 3, digest: undefined, frames: [testFrame('torn')] }] });
      appendFileSync(wal, tail(rec));
      const t = await open(dir);
      expect(t.recovery.records).toBe(3);
      expect(t.recovery.tornBytes).toBe(tail(rec).length);
      expect((await t.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['l0', 'l1', 'l2']);
      await t.transact([up('a@x', 'MMM_Local', 3, 'l3')]);
      await t.close();
    }
  });

  it('a garbled record followed by more than one interrupted write can leave is damage: SERVICE_CORRUPT, nothing changed', async () => {
    const dir = freshDir();
    await killedAfter(dir);
    const wal = join(dir, 'wal', segments(dir)[0]!);
    const bytes = new Uint8Array(readFileSync(wal));
    const records = readSegment(bytes).records;
    expect(records.map((r) => r.record.type)).toEqual(['base', 'account-create', 'tx', 'tx']);
    bytes[records[1]!.end + 20]! ^= 0xff; // inside the first transaction
    const damaged = new Uint8Array(bytes.length + (3 << 20)).fill(7);
    damaged.set(bytes);
    rmSync(wal);
    appendFileSync(wal, damaged);
    const local = readFileSync(join(dir, 'accounts', 'a1', 's1-MMM_Local.dare'));
    expect(await codeOf(open(dir, { batchBytes: 4096, limits: { maxTransactionBytes: 4096 } }))).toBe('SERVICE_CORRUPT');
    expect(statSync(wal).size).toBe(damaged.length);
    expect(readFileSync(join(dir, 'accounts', 'a1', 's1-MMM_Local.dare'))).toEqual(local);
    // The same damage with only a small tail is taken for a torn tail: the log ends before it.
    rmSync(wal);
    appendFileSync(wal, bytes);
    const t = await open(dir);
    expect(t.recovery).toMatchObject({ records: 1, tornBytes: bytes.length - records[1]!.end });
    expect(await t.heads('a@x')).toEqual([]);
    await t.close();
  });

  it('store files: a half-written frame is cut, missing frames re-applied, frames of no logged transaction cut', async () => {
    const dir = freshDir();
    await killedAfter(dir);
    const local = join(dir, 'accounts', 'a1', 's1-MMM_Local.dare');
    const inbound = join(dir, 'accounts', 'a1', 's2-MMM_Inbound.dare');
    const full = statSync(local).size;
    truncateSync(local, full - testFrame('l2').length - 2); // l1 torn, l2 missing
    appendFileSync(inbound, testFrame('never-committed'));
    const t = await open(dir);
    expect(t.recovery.repairedStores).toBe(2);
    expect((await t.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['l0', 'l1', 'l2']);
    expect((await t.read('a@x', 'MMM_Inbound', 0)).frames.map(frameTag)).toEqual(['i0']);
    expect(statSync(local).size).toBe(full);
    await t.close();
  });

  it('a store file shorter than its checkpoint is corruption, reported for that store only', async () => {
    const dir = freshDir();
    const s = await open(dir);
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    await s.transact([up('a@x', 'MMM_Local', 0, 'l0', 'l1'), up('a@x', 'MMM_Inbound', 0, 'i0')]);
    await s.close();
    truncateSync(join(dir, 'accounts', 'a1', 's1-MMM_Local.dare'), 5);
    const t = await open(dir);
    expect(await codeOf(t.read('a@x', 'MMM_Local', 0))).toBe('SERVICE_CORRUPT');
    expect(await codeOf(t.transact([up('a@x', 'MMM_Local', 2, 'l2')]))).toBe('SERVICE_CORRUPT');
    expect((await t.read('a@x', 'MMM_Inbound', 0)).frames.map(frameTag)).toEqual(['i0']);
    await t.close();
  });
});

describe('embedded service store: disk faults', () => {
  it('a log write that fails (ENOSPC) fails its transactions with SERVICE_IO and changes nothing; later ones succeed', async () => {
    const disk = new MemoryDisk();
    let full = false;
    disk.fault = (op, path) => (full && op === 'append' && path.startsWith('wal/') ? 'ENOSPC' : undefined);
    const s = await EmbeddedServiceStore.open(disk.files_());
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    const w = s.watch();
    full = true;
    const failed = await Promise.all([0, 1, 2].map((i) => codeOf(s.transact([up('a@x', `MMM_S${i}`, 0, 'x')]))));
    expect(failed).toEqual(['SERVICE_IO', 'SERVICE_IO', 'SERVICE_IO']);
    expect(await codeOf(s.createAccount({ address: 'b@x', profileUdf: 'MB', profile }))).toBe('SERVICE_IO');
    expect(await s.heads('a@x')).toEqual([]);
    expect(await s.getAccount('b@x')).toBeUndefined();
    full = false;
    await s.transact([up('a@x', 'MMM_S0', 0, 'ok')]);
    expect((await w.next()).value).toMatchObject({ type: 'change', store: 'MMM_S0', nextIndex: 1 });
    await s.close();
    const t = await EmbeddedServiceStore.open(disk.files_());
    expect((await t.heads('a@x')).map((h) => h.store)).toEqual(['MMM_S0']);
    await t.close();
  });

  it('a failed log fsync whose cut-back also fails: changes refused (SERVICE_FAILED) until a checkpoint settles them as not applied', async () => {
    const disk = new MemoryDisk();
    let broken = false;
    disk.fault = (op, path) => (broken && path.startsWith('wal/') && (op === 'flush' || op === 'truncate' || op === 'open') ? 'EIO' : undefined);
    const s = await EmbeddedServiceStore.open(disk.files_());
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    broken = true;
    expect(await codeOf(s.transact([up('a@x', 'MMM_Local', 0, 'lost')]))).toBe('SERVICE_IO');
    expect(await codeOf(s.transact([up('a@x', 'MMM_Local', 0, 'refused')]))).toBe('SERVICE_FAILED');
    expect(await s.heads('a@x')).toEqual([]);
    broken = false;
    await s.transact([up('a@x', 'MMM_Local', 0, 'after')]);
    // The failed batch reached the old segment's bytes but the new base supersedes it.
    const crashed = disk.crash();
    const t = await EmbeddedServiceStore.open(crashed.files_());
    expect((await t.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['after']);
    await t.close();
  });

  it('a store file that cannot be written keeps its frames: acknowledged, readable, and in the files once the disk recovers', async () => {
    const disk = new MemoryDisk();
    let full = false;
    disk.fault = (op, path) => (full && op === 'append' && path.startsWith('accounts/') ? 'ENOSPC' : undefined);
    const s = await EmbeddedServiceStore.open(disk.files_(), { segmentBytes: 1024 });
    await s.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    await s.transact([up('a@x', 'MMM_Local', 0, 'l0')]);
    full = true;
    for (let i = 1; i < 12; i++) await s.transact([{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: i, frames: [testFrame(`l${i}`, 'q'.repeat(100))] }]);
    expect((await s.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(Array.from({ length: 12 }, (_, i) => `l${i}`));
    // Checkpoints cannot complete meanwhile: the log keeps the frames.
    full = false;
    await s.transact([up('a@x', 'MMM_Local', 12, 'l12')]);
    await s.close();
    const t = await EmbeddedServiceStore.open(disk.crash().files_());
    expect((await t.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(Array.from({ length: 13 }, (_, i) => `l${i}`));
    await t.close();
  });
});

describe('embedded service store: power cuts and kills at random moments (in process, memory disk)', () => {
  it('every acknowledged transaction survives, no transaction is partly visible — 60 crashes', async () => {
    const rnd = seeded(20_261_214);
    let disk = new MemoryDisk(rnd);
    const accounts = ['a@x', 'b@x', 'c@x'];
    const stores = ['MMM_Contact', 'MMM_Device', 'MMM_Inbound', 'MMM_Local'];
    const acks: Ack[] = [];
    let crashes = 0;
    let kills = 0;
    let totalRepaired = 0;
    for (let run = 0; run < 60; run++) {
      const options: EmbeddedStoreOptions = { segmentBytes: 2048 + Math.floor(rnd() * 8192), batchBytes: 256 + Math.floor(rnd() * 4096), maxOpenFiles: 1 + Math.floor(rnd() * 6) };
      const s = await EmbeddedServiceStore.open(disk.files_(), options);
      totalRepaired += s.recovery.repairedStores;
      // Everything acknowledged before is there, and nothing is partial.
      const check = await checkLoad(s, run === 0 ? [] : accounts, stores, acks);
      expect(check.lost, `run ${run}: lost`).toEqual([]);
      expect(check.partial, `run ${run}: partial`).toEqual([]);
      if (run === 0) for (const a of accounts) await s.createAccount({ address: a, profileUdf: `M${a[0]!.toUpperCase()}`, profile });
      // Die after a random number of disk operations from now.
      const at = disk.ops + 5 + Math.floor(rnd() * 400);
      const power = rnd() < 0.5;
      let next: MemoryDisk | undefined;
      disk.fault = () => {
        if (next === undefined && disk.ops >= at) next = power ? disk.crash() : disk.kill();
        return undefined;
      };
      await runLoad(s, { writers: 6, accounts, stores, seed: run + 1, prefix: `r${run}`, onAck: (a) => acks.push(a), stop: () => next !== undefined });
      if (next === undefined) next = power ? disk.crash() : disk.kill();
      if (power) crashes++;
      else kills++;
      disk = next;
    }
    const s = await EmbeddedServiceStore.open(disk.files_());
    const check = await checkLoad(s, accounts, stores, acks);
    expect(check.lost).toEqual([]);
    expect(check.partial).toEqual([]);
    expect(check.complete).toBeGreaterThanOrEqual(new Set(acks.map((a) => a.tx)).size);
    expect(acks.length).toBeGreaterThan(300);
    expect(crashes).toBeGreaterThan(10);
    expect(kills).toBeGreaterThan(10);
    expect(totalRepaired, 'some crashes left store files to repair').toBeGreaterThan(0);
    await s.close();
  }, 120_000);
});

// crc32 sanity (the log's checksum): the standard check value and agreement with zlib.
describe('embedded service store: log checksum', () => {
  it('CRC-32 matches the check value and node:zlib on random inputs, also when continued', async () => {
    const { crc32: zcrc } = await import('node:zlib');
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const rnd = seeded(7);
    for (let len = 0; len < 200; len++) {
      const b = new Uint8Array(len).map(() => Math.floor(rnd() * 256));
      expect(crc32(b)).toBe(zcrc(b));
      expect(crc32(b.subarray(len >> 1), crc32(b.subarray(0, len >> 1)))).toBe(zcrc(b));
    }
  });
});
