import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../sdk/dare/sequence/frame.js';
import { utf8Decode, utf8Encode } from '../../sdk/encoding/utf8.js';
import { decodeFrame } from '../../sdk/dare/sequence/frame.js';
import { ServiceConflictError, ServiceStoreError, type ServiceStoreErrorCode } from '../../sdk/service/store-errors.js';
import type { AccountStatus, ServiceEvent, ServiceStore, StoreUpdate, TransactGuard } from '../../sdk/service/store.js';

/**
 * The service-store contract (sdk/service/store.ts) as a suite any implementation runs: memory,
 * embedded, and PostgreSQL later. Each test opens a fresh, empty store from the factory.
 */
export interface ServiceStoreFactory {
  /** A fresh, empty store; `now` is the clock for nonce expiry; `limits` overrides the size limits. */
  open(options?: { now?: () => number; limits?: { maxFrameBytes?: number; maxTransactionBytes?: number; maxRecordBytes?: number } }): Promise<ServiceStore>;
  /**
   * For stores that persist: closes `store` and opens the same data again. Omitted for memory.
   */
  reopen?(store: ServiceStore): Promise<ServiceStore>;
}

/** A DARE frame (dare.md §8) whose header names `tag`, and whose payload is `body`. */
export function testFrame(tag: string, body = ''): Uint8Array {
  return encodeFrame({ header: utf8Encode(JSON.stringify({ tag })), payload: utf8Encode(body) });
}

/** The `tag` of a frame made by {@link testFrame}. */
export function frameTag(frame: Uint8Array): string {
  return (JSON.parse(utf8Decode(decodeFrame(frame).header)) as { tag: string }).tag;
}

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

async function code(p: Promise<unknown>): Promise<ServiceStoreErrorCode | 'none'> {
  try {
    await p;
    return 'none';
  } catch (e) {
    if (e instanceof ServiceStoreError) return e.code;
    throw e;
  }
}

async function account(s: ServiceStore, address: string, udf = `MA${address.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`): Promise<void> {
  await s.createAccount({ address, profileUdf: udf, profile: utf8Encode(`profile of ${address}`) });
}

const up = (account: string, store: string, expectedNextIndex: number, ...tags: string[]): StoreUpdate => ({ account, store, expectedNextIndex, frames: tags.map((t) => testFrame(t)) });

async function tags(s: ServiceStore, address: string, store: string): Promise<string[]> {
  return (await s.read(address, store, 0)).frames.map(frameTag);
}

export function describeServiceStore(name: string, factory: ServiceStoreFactory): void {
  const withStore = (title: string, f: (s: ServiceStore) => Promise<void>, timeout?: number): void => {
    it(title, async () => {
      const s = await factory.open();
      try {
        await f(s);
      } finally {
        await s.close();
      }
    }, timeout);
  };

  describe(`service store contract: ${name}`, () => {
    describe('accounts', () => {
      withStore('creates an account under its canonical address, found by any case and by profile', async (s) => {
        const rec = await s.createAccount({ address: 'Alice@Example.COM', profileUdf: 'MAAA-BBBB', profile: bytes(1, 2, 3), created: 1234 });
        expect(rec).toEqual({ address: 'alice@example.com', profileUdf: 'MAAA-BBBB', status: 'connected', profile: bytes(1, 2, 3), created: 1234 });
        expect(await s.getAccount('ALICE@example.com')).toEqual(rec);
        expect(await s.findAccountByProfile('MAAA-BBBB')).toEqual(rec);
        expect(await s.getAccount('bob@example.com')).toBeUndefined();
        expect(await s.findAccountByProfile('MZZZ')).toBeUndefined();
      });

      withStore('refuses a taken address (in any case) or profile with SERVICE_ALREADY_EXISTS', async (s) => {
        await account(s, 'alice@example.com', 'MA1');
        expect(await code(s.createAccount({ address: 'ALICE@example.com', profileUdf: 'MA2', profile: bytes() }))).toBe('SERVICE_ALREADY_EXISTS');
        expect(await code(s.createAccount({ address: 'other@example.com', profileUdf: 'MA1', profile: bytes() }))).toBe('SERVICE_ALREADY_EXISTS');
        // Of two creations racing for one address, exactly one wins.
        const race = await Promise.all([0, 1, 2].map((i) => code(s.createAccount({ address: 'race@example.com', profileUdf: `MR${i}`, profile: bytes() }))));
        expect(race.filter((c) => c === 'none')).toHaveLength(1);
        expect(race.filter((c) => c === 'SERVICE_ALREADY_EXISTS')).toHaveLength(2);
      });

      withStore('refuses malformed input with SERVICE_BAD_ARGUMENT and changes nothing', async (s) => {
        for (const address of ['', 'a b@example.com', 'tab\t@x', 'x'.repeat(300)]) {
          expect(await code(s.createAccount({ address, profileUdf: 'MA1', profile: bytes() })), address).toBe('SERVICE_BAD_ARGUMENT');
        }
        expect(await code(s.createAccount({ address: 'a@x', profileUdf: 'not a udf!', profile: bytes() }))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await code(s.createAccount({ address: 'a@x', profileUdf: 'MA1', profile: bytes(), status: 'weird' as 'pending' }))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await s.listAccounts()).toEqual([]);
      });

      withStore('updates status and profile; deletes; a new account at a deleted address starts empty', async (s) => {
        await account(s, 'alice@example.com', 'MA1');
        await s.transact([up('alice@example.com', 'MMM_Device', 0, 'd0')]);
        const u = await s.updateAccount('Alice@example.com', { status: 'blocked', profile: bytes(9) });
        expect(u).toMatchObject({ address: 'alice@example.com', status: 'blocked', profile: bytes(9) });
        expect(await s.getAccount('alice@example.com')).toEqual(u);
        expect(await code(s.updateAccount('nobody@example.com', { status: 'pending' }))).toBe('SERVICE_NOT_FOUND');
        expect(await s.deleteAccount('ALICE@example.com')).toBe(true);
        expect(await s.deleteAccount('alice@example.com')).toBe(false);
        expect(await s.getAccount('alice@example.com')).toBeUndefined();
        expect(await s.findAccountByProfile('MA1')).toBeUndefined();
        expect(await code(s.read('alice@example.com', 'MMM_Device', 0))).toBe('SERVICE_NOT_FOUND');
        expect(await code(s.heads('alice@example.com'))).toBe('SERVICE_NOT_FOUND');
        expect(await code(s.transact([up('alice@example.com', 'MMM_Device', 1, 'd1')]))).toBe('SERVICE_NOT_FOUND');
        await account(s, 'alice@example.com', 'MA1'); // the profile is free again too
        expect(await s.heads('alice@example.com')).toEqual([]);
        expect((await s.head('alice@example.com', 'MMM_Device')).nextIndex).toBe(0);
      });

      withStore('lists accounts in address order, paged', async (s) => {
        for (const a of ['c@x', 'a@x', 'd@x', 'b@x']) await account(s, a);
        expect((await s.listAccounts()).map((a) => a.address)).toEqual(['a@x', 'b@x', 'c@x', 'd@x']);
        expect((await s.listAccounts({ limit: 2 })).map((a) => a.address)).toEqual(['a@x', 'b@x']);
        expect((await s.listAccounts({ after: 'b@x', limit: 2 })).map((a) => a.address)).toEqual(['c@x', 'd@x']);
        expect(await code(s.listAccounts({ limit: 0 }))).toBe('SERVICE_BAD_ARGUMENT');
      });

      withStore('keeps its own copies of profile bytes', async (s) => {
        const profile = bytes(1, 2, 3);
        await s.createAccount({ address: 'a@x', profileUdf: 'MA1', profile });
        profile[0] = 99;
        const got = await s.getAccount('a@x');
        expect(got!.profile).toEqual(bytes(1, 2, 3));
        got!.profile[1] = 99;
        expect((await s.getAccount('a@x'))!.profile).toEqual(bytes(1, 2, 3));
      });
    });

    describe('transactions and reads', () => {
      withStore('an empty store reads empty at 0 and out of range beyond', async (s) => {
        await account(s, 'a@x');
        expect(await s.head('a@x', 'MMM_Inbound')).toEqual({ store: 'MMM_Inbound', nextIndex: 0 });
        expect(await s.read('a@x', 'MMM_Inbound', 0)).toEqual({ frames: [], fromIndex: 0, nextIndex: 0, head: { store: 'MMM_Inbound', nextIndex: 0 }, partial: false });
        expect(await code(s.read('a@x', 'MMM_Inbound', 1))).toBe('SERVICE_OUT_OF_RANGE');
        expect(await code(s.read('a@x', 'bad name', 0))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await code(s.read('a@x', 'MMM_Inbound', -1))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await code(s.read('a@x', 'MMM_Inbound', 0.5))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await code(s.read('nobody@x', 'MMM_Inbound', 0))).toBe('SERVICE_NOT_FOUND');
      });

      withStore('appends frames byte-identical, reports new heads with the declared digest', async (s) => {
        await account(s, 'a@x');
        const f0 = testFrame('f0', 'x'.repeat(300)); // a two-byte length tag
        const f1 = testFrame('f1');
        const r = await s.transact([{ account: 'A@x', store: 'MMM_Device', expectedNextIndex: 0, frames: [f0, f1], digest: bytes(7, 7) }]);
        expect(r.heads).toEqual([{ account: 'a@x', store: 'MMM_Device', nextIndex: 2, digest: bytes(7, 7) }]);
        const read = await s.read('a@x', 'MMM_Device', 0);
        expect(read.frames).toEqual([f0, f1]);
        expect(read).toMatchObject({ fromIndex: 0, nextIndex: 2, partial: false, head: { store: 'MMM_Device', nextIndex: 2, digest: bytes(7, 7) } });
        expect(await s.head('a@x', 'MMM_Device')).toEqual({ store: 'MMM_Device', nextIndex: 2, digest: bytes(7, 7) });
        // A writer that declares no digest leaves none.
        await s.transact([up('a@x', 'MMM_Device', 2, 'f2')]);
        expect(await s.head('a@x', 'MMM_Device')).toEqual({ store: 'MMM_Device', nextIndex: 3 });
        expect((await s.read('a@x', 'MMM_Device', 2)).frames.map(frameTag)).toEqual(['f2']);
      });

      withStore('several stores of one account commit together; heads lists stores with frames, by name', async (s) => {
        await account(s, 'a@x');
        const r = await s.transact([up('a@x', 'MMM_Local', 0, 'l0'), up('a@x', 'MMM_Contact', 0, 'c0', 'c1'), up('a@x', 'MMM_Access', 0, 'x0')]);
        expect(r.heads.map((h) => [h.store, h.nextIndex])).toEqual([['MMM_Local', 1], ['MMM_Contact', 2], ['MMM_Access', 1]]);
        expect((await s.heads('a@x')).map((h) => [h.store, h.nextIndex])).toEqual([['MMM_Access', 1], ['MMM_Contact', 2], ['MMM_Local', 1]]);
      });

      withStore('all or nothing: one stale update fails the transaction with a typed conflict, nothing applied', async (s) => {
        await account(s, 'a@x');
        await s.transact([up('a@x', 'MMM_Contact', 0, 'c0')]);
        const err = await s.transact([up('a@x', 'MMM_Local', 0, 'l0'), up('a@x', 'MMM_Contact', 0, 'c0-again')]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ServiceConflictError);
        expect(err).toMatchObject({ code: 'SERVICE_CONFLICT', account: 'a@x', store: 'MMM_Contact', expected: 0, actual: 1 });
        expect(await tags(s, 'a@x', 'MMM_Local')).toEqual([]);
        expect(await tags(s, 'a@x', 'MMM_Contact')).toEqual(['c0']);
        // An index ahead of the store is a conflict too.
        expect(await s.transact([up('a@x', 'MMM_Contact', 5, 'c5')]).catch((e: ServiceConflictError) => [e.code, e.actual])).toEqual(['SERVICE_CONFLICT', 1]);
      });

      withStore('names the first conflicting store in (account, store) order', async (s) => {
        await account(s, 'a@x');
        await account(s, 'b@x');
        await s.transact([up('a@x', 'MMM_Local', 0, 'l'), up('a@x', 'MMM_Contact', 0, 'c'), up('b@x', 'MMM_Access', 0, 'x')]);
        const err = (await s.transact([up('b@x', 'MMM_Access', 0, 'x2'), up('a@x', 'MMM_Local', 0, 'l2'), up('a@x', 'MMM_Contact', 0, 'c2')]).catch((e: unknown) => e)) as ServiceConflictError;
        expect([err.account, err.store]).toEqual(['a@x', 'MMM_Contact']);
      });

      withStore('spans accounts atomically (delivery to a local recipient); an unknown account fails it all', async (s) => {
        await account(s, 'alice@x');
        await account(s, 'bob@x');
        await s.transact([up('alice@x', 'MMM_Outbound', 0, 'sent'), up('bob@x', 'MMM_Inbound', 0, 'received')]);
        expect(await tags(s, 'alice@x', 'MMM_Outbound')).toEqual(['sent']);
        expect(await tags(s, 'bob@x', 'MMM_Inbound')).toEqual(['received']);
        expect(await code(s.transact([up('alice@x', 'MMM_Outbound', 1, 'sent2'), up('carol@x', 'MMM_Inbound', 0, 'lost')]))).toBe('SERVICE_NOT_FOUND');
        expect(await code(s.transact([up('alice@x', 'MMM_Outbound', 1, 'sent2'), up('bob@x', 'MMM_Inbound', 0, 'stale')]))).toBe('SERVICE_CONFLICT');
        expect(await tags(s, 'alice@x', 'MMM_Outbound')).toEqual(['sent']);
        expect(await tags(s, 'bob@x', 'MMM_Inbound')).toEqual(['received']);
      });

      withStore('refuses malformed transactions with typed errors and changes nothing', async (s) => {
        await account(s, 'a@x');
        const f = testFrame('ok');
        const cases: [unknown, ServiceStoreErrorCode][] = [
          [[], 'SERVICE_BAD_ARGUMENT'],
          [[{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [] }], 'SERVICE_BAD_ARGUMENT'],
          [[up('a@x', 'MMM_Local', 0, 'x'), up('A@X', 'MMM_Local', 0, 'y')], 'SERVICE_BAD_ARGUMENT'],
          [[up('a@x', 'MMM/Local', 0, 'x')], 'SERVICE_BAD_ARGUMENT'],
          [[up('a@x', '../etc', 0, 'x')], 'SERVICE_BAD_ARGUMENT'],
          [[up('a@x', 'MMM_Local', -1, 'x')], 'SERVICE_BAD_ARGUMENT'],
          [[{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [bytes(1, 2, 3)] }], 'SERVICE_BAD_ARGUMENT'],
          [[{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [f.subarray(0, f.length - 1)] }], 'SERVICE_BAD_ARGUMENT'],
          [[{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [new Uint8Array([...f, 0])] }], 'SERVICE_BAD_ARGUMENT'],
          [[{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [new Uint8Array([...f, ...f])] }], 'SERVICE_BAD_ARGUMENT'],
          [[{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: ['text'] }], 'SERVICE_BAD_ARGUMENT'],
          [[up('a@x', 'MMM_Local', 0, 'fine'), { account: 'a@x', store: 'MMM_Inbound', expectedNextIndex: 0, frames: [f], digest: 'x' }], 'SERVICE_BAD_ARGUMENT'],
        ];
        for (const [updates, expected] of cases) expect(await code(s.transact(updates as StoreUpdate[])), JSON.stringify(updates)).toBe(expected);
        expect(await s.heads('a@x')).toEqual([]);
      });

      it('refuses frames and transactions over the limits with SERVICE_TOO_LARGE', async () => {
        const s = await factory.open({ limits: { maxFrameBytes: 1000, maxTransactionBytes: 3000 } });
        try {
          await account(s, 'a@x');
          expect(await code(s.transact([{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [testFrame('big', 'x'.repeat(1000))] }]))).toBe('SERVICE_TOO_LARGE');
          const medium = (): Uint8Array => testFrame('m', 'x'.repeat(900));
          expect(await code(s.transact([{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [medium(), medium(), medium(), medium()] }]))).toBe('SERVICE_TOO_LARGE');
          expect(await code(s.transact([{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [medium(), medium(), medium()] }]))).toBe('none');
        } finally {
          await s.close();
        }
      });

      withStore('keeps its own copies of frames and digests, and hands out copies', async (s) => {
        await account(s, 'a@x');
        const f = testFrame('orig');
        const digest = bytes(1, 1);
        await s.transact([{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames: [f], digest }]);
        f.fill(0);
        digest.fill(0);
        const r = await s.read('a@x', 'MMM_Local', 0);
        expect(frameTag(r.frames[0]!)).toBe('orig');
        r.frames[0]!.fill(0);
        r.head.digest!.fill(0);
        expect(frameTag((await s.read('a@x', 'MMM_Local', 0)).frames[0]!)).toBe('orig');
        expect((await s.head('a@x', 'MMM_Local')).digest).toEqual(bytes(1, 1));
      });

      withStore('of concurrent transactions expecting the same index, exactly one wins', async (s) => {
        await account(s, 'a@x');
        await s.transact([up('a@x', 'MMM_Contact', 0, 'base')]);
        const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => s.transact([up('a@x', 'MMM_Contact', 1, `w${i}`), up('a@x', `MMM_Side${i}`, 0, `s${i}`)])));
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'SERVICE_CONFLICT', store: 'MMM_Contact', expected: 1, actual: 2 });
        }
        const contact = await tags(s, 'a@x', 'MMM_Contact');
        expect(contact).toHaveLength(2);
        // The loser's other store got nothing: only the winner's side store exists.
        const winner = Number(contact[1]!.slice(1));
        expect((await s.heads('a@x')).map((h) => h.store)).toEqual(['MMM_Contact', `MMM_Side${winner}`]);
      });

      withStore('writers that retry on conflict lose nothing and duplicate nothing', async (s) => {
        await account(s, 'a@x');
        const writers = 8;
        const each = 6;
        await Promise.all(Array.from({ length: writers }, async (_, w) => {
          for (let k = 0; k < each; k++) {
            for (;;) {
              const { nextIndex } = await s.head('a@x', 'MMM_Inbound');
              try {
                await s.transact([up('a@x', 'MMM_Inbound', nextIndex, `w${w}-${k}`)]);
                break;
              } catch (e) {
                if (!(e instanceof ServiceConflictError)) throw e;
              }
            }
          }
        }));
        const all = await tags(s, 'a@x', 'MMM_Inbound');
        expect(all).toHaveLength(writers * each);
        expect(new Set(all).size).toBe(writers * each);
        for (let w = 0; w < writers; w++) expect(all.filter((t) => t.startsWith(`w${w}-`))).toEqual(Array.from({ length: each }, (_, k) => `w${w}-${k}`));
      });

      withStore('reads by cursor: maxEntries, maxBytes (one frame always fits), partial, and a loop that reassembles the store', async (s) => {
        await account(s, 'a@x');
        const frames = Array.from({ length: 10 }, (_, i) => testFrame(`f${i}`, 'y'.repeat(i * 10)));
        await s.transact([{ account: 'a@x', store: 'MMM_Local', expectedNextIndex: 0, frames }]);
        const page = await s.read('a@x', 'MMM_Local', 2, { maxEntries: 3 });
        expect(page.frames).toEqual(frames.slice(2, 5));
        expect(page).toMatchObject({ fromIndex: 2, nextIndex: 5, partial: true, head: { nextIndex: 10 } });
        const small = await s.read('a@x', 'MMM_Local', 9, { maxBytes: 1 });
        expect(small.frames).toEqual([frames[9]]);
        expect(small.partial).toBe(false);
        const budget = frames[0]!.length + frames[1]!.length;
        expect((await s.read('a@x', 'MMM_Local', 0, { maxBytes: budget })).frames).toEqual(frames.slice(0, 2));
        expect((await s.read('a@x', 'MMM_Local', 0, { maxBytes: budget - 1 })).frames).toEqual(frames.slice(0, 1));
        const got: Uint8Array[] = [];
        for (let at = 0, partial = true; partial;) {
          const r = await s.read('a@x', 'MMM_Local', at, { maxBytes: 200 });
          got.push(...r.frames);
          at = r.nextIndex;
          partial = r.partial;
        }
        expect(got).toEqual(frames);
        expect(await s.read('a@x', 'MMM_Local', 10)).toMatchObject({ frames: [], nextIndex: 10, partial: false });
        expect(await code(s.read('a@x', 'MMM_Local', 11))).toBe('SERVICE_OUT_OF_RANGE');
        expect(await code(s.read('a@x', 'MMM_Local', 0, { maxEntries: 0 }))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await code(s.read('a@x', 'MMM_Local', 0, { maxBytes: 1.5 }))).toBe('SERVICE_BAD_ARGUMENT');
      });

      withStore('reads concurrent with writes see whole transactions only', async (s) => {
        await account(s, 'a@x');
        let writing = true;
        const writer = (async () => {
          for (let i = 0; i < 40; i++) {
            await s.transact([up('a@x', 'MMM_Contact', i * 2, `t${i}a`, `t${i}b`), up('a@x', 'MMM_Local', i, `t${i}`)]);
          }
          writing = false;
        })();
        while (writing) {
          // One after the other: two calls in flight at once may be served in either order (a
          // database serves them on two connections); Local read after Contact must have caught up.
          const c = await s.read('a@x', 'MMM_Contact', 0);
          const l = await s.head('a@x', 'MMM_Local');
          expect(c.frames.length % 2).toBe(0);
          expect(c.frames.length).toBe(c.head.nextIndex);
          expect(l.nextIndex).toBeGreaterThanOrEqual(c.frames.length / 2);
          // Let I/O callbacks run: a store whose answers need no I/O would otherwise starve the writer.
          await new Promise((r) => setTimeout(r, 0));
        }
        await writer;
      });
    });

    describe('nonces', () => {
      it('claims a nonce once until it expires; a transaction with a used nonce is a replay and applies nothing', async () => {
        let now = 1_000_000;
        const s = await factory.open({ now: () => now });
        try {
          await account(s, 'a@x');
          const claim = { key: 'MKEY-1', nonce: 'n-1', expires: now + 60_000 };
          expect(await s.claimNonce(claim)).toBe(true);
          expect(await s.claimNonce(claim)).toBe(false);
          expect(await s.claimNonce({ ...claim, key: 'MKEY-2' })).toBe(true);
          // Replay is checked before the indexes: a replayed stale request is a replay.
          expect(await code(s.transact([up('a@x', 'MMM_Local', 7, 'x')], { nonce: claim }))).toBe('SERVICE_REPLAY');
          expect(await code(s.transact([up('a@x', 'MMM_Local', 0, 'x')], { nonce: claim }))).toBe('SERVICE_REPLAY');
          const fresh = { key: 'MKEY-1', nonce: 'n-2', expires: now + 60_000 };
          await s.transact([up('a@x', 'MMM_Local', 0, 'x')], { nonce: fresh });
          expect(await code(s.transact([up('a@x', 'MMM_Local', 1, 'y')], { nonce: fresh }))).toBe('SERVICE_REPLAY');
          expect(await s.claimNonce(fresh)).toBe(false);
          // A transaction that fails does not spend its nonce.
          const spared = { key: 'MKEY-1', nonce: 'n-3', expires: now + 60_000 };
          expect(await code(s.transact([up('a@x', 'MMM_Local', 0, 'stale')], { nonce: spared }))).toBe('SERVICE_CONFLICT');
          expect(await s.claimNonce(spared)).toBe(true);
          expect(await tags(s, 'a@x', 'MMM_Local')).toEqual(['x']);
          now += 60_001;
          expect(await s.claimNonce(claim)).toBe(true);
          expect(await code(s.claimNonce({ key: '', nonce: 'x', expires: 1 }))).toBe('SERVICE_BAD_ARGUMENT');
          // Of concurrent claims of one nonce, exactly one succeeds.
          const race = await Promise.all([0, 1, 2, 3].map(() => s.claimNonce({ key: 'K', nonce: 'race', expires: now + 1000 })));
          expect(race.filter(Boolean)).toHaveLength(1);
        } finally {
          await s.close();
        }
      });
    });

    describe('records', () => {
      withStore('get, put (replaces), create (first writer wins), delete', async (s) => {
        expect(await s.getRecord('service.profile')).toBeUndefined();
        await s.putRecord('service.profile', bytes(1));
        await s.putRecord('service.profile', bytes(2));
        expect(await s.getRecord('service.profile')).toEqual(bytes(2));
        expect(await s.createRecord('service.profile', bytes(3))).toEqual(bytes(2));
        const created = await Promise.all([bytes(4), bytes(5), bytes(6)].map((v) => s.createRecord('host.keys', v)));
        expect(new Set(created.map((v) => v[0])).size).toBe(1);
        expect(await s.getRecord('host.keys')).toEqual(created[0]);
        expect(await s.deleteRecord('host.keys')).toBe(true);
        expect(await s.deleteRecord('host.keys')).toBe(false);
        expect(await s.getRecord('host.keys')).toBeUndefined();
        expect(await code(s.putRecord('../x', bytes()))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await code(s.getRecord(''))).toBe('SERVICE_BAD_ARGUMENT');
      });

      withStore('lists record names in order, paged', async (s) => {
        expect(await s.listRecords()).toEqual([]);
        for (const n of ['host.keys', 'Service.profile', 'a-1', 'service.profile']) await s.putRecord(n, bytes(1));
        expect(await s.listRecords()).toEqual(['Service.profile', 'a-1', 'host.keys', 'service.profile']);
        expect(await s.listRecords({ limit: 2 })).toEqual(['Service.profile', 'a-1']);
        expect(await s.listRecords({ after: 'a-1', limit: 1 })).toEqual(['host.keys']);
        await s.deleteRecord('host.keys');
        expect(await s.listRecords({ after: 'a-1' })).toEqual(['service.profile']);
        expect(await code(s.listRecords({ limit: 0 }))).toBe('SERVICE_BAD_ARGUMENT');
        expect(await code(s.listRecords({ after: '../x' }))).toBe('SERVICE_BAD_ARGUMENT');
      });

      it('guards: a transaction commits only while the account is the one read and the guarded heads are where they were; else SERVICE_STALE and nothing is written, its nonce not spent', async () => {
        let now = 2_000_000;
        const s = await factory.open({ now: () => now });
        const claim = (n: string) => ({ key: 'MKEY-G', nonce: n, expires: now + 60_000 });
        const guardOf = (record: { created: number; status: AccountStatus; profile: Uint8Array }, access?: number): TransactGuard =>
          ({ account: 'G@X', record, ...(access === undefined ? {} : { heads: [{ store: 'MMM_Access', nextIndex: access }] }) });
        try {
          await account(s, 'g@x');
          await account(s, 'h@x');
          await s.transact([up('g@x', 'MMM_Access', 0, 'a0', 'a1')]);
          const read = (await s.getAccount('g@x'))!;
          // Held: one store (the one-statement path of PostgreSQL), with and without a nonce; several stores.
          await s.transact([up('g@x', 'MMM_Local', 0, 'l0')], { guards: [guardOf(read, 2)], nonce: claim('g1') });
          await s.transact([up('g@x', 'MMM_Local', 1, 'l1')], { guards: [guardOf(read, 2)] });
          await s.transact([up('g@x', 'MMM_Local', 2, 'l2'), up('h@x', 'MMM_Inbound', 0, 'i0')], { guards: [guardOf(read, 2)], nonce: claim('g2') });
          // A store with no frames is at 0.
          await s.transact([up('g@x', 'MMM_Local', 3, 'l3')], { guards: [{ account: 'g@x', record: read, heads: [{ store: 'MMM_Device', nextIndex: 0 }] }] });
          expect(await code(s.transact([up('g@x', 'MMM_Local', 4, 'no')], { guards: [{ account: 'g@x', record: read, heads: [{ store: 'MMM_Device', nextIndex: 1 }] }] }))).toBe('SERVICE_STALE');

          // The guarded catalog moved (another writer): stale — before the conflict the update would also be, and before a missing account.
          await s.transact([up('g@x', 'MMM_Access', 2, 'a2')]);
          const attempts: [StoreUpdate[], string | undefined][] = [
            [[up('g@x', 'MMM_Local', 4, 'no')], 'g3'], [[up('g@x', 'MMM_Local', 4, 'no')], undefined], [[up('g@x', 'MMM_Local', 9, 'no')], 'g4'],
            [[up('g@x', 'MMM_Local', 4, 'no'), up('h@x', 'MMM_Inbound', 1, 'no')], 'g5'], [[up('g@x', 'MMM_Local', 4, 'no'), up('h@x', 'MMM_Inbound', 1, 'no')], undefined],
          ];
          for (const [updates, nonce] of attempts) {
            expect(await code(s.transact(updates, { guards: [guardOf(read, 2)], ...(nonce === undefined ? {} : { nonce: claim(nonce) }) }))).toBe('SERVICE_STALE');
          }
          // Nothing written, no nonce spent.
          expect(await tags(s, 'g@x', 'MMM_Local')).toEqual(['l0', 'l1', 'l2', 'l3']);
          expect(await tags(s, 'h@x', 'MMM_Inbound')).toEqual(['i0']);
          for (const n of ['g3', 'g4', 'g5']) expect(await s.claimNonce(claim(n))).toBe(true);
          expect(await s.claimNonce(claim('g1'))).toBe(false);
          await s.transact([up('g@x', 'MMM_Local', 4, 'l4')], { guards: [guardOf(read, 3)] });

          // The account changed: blocked, its profile replaced, deleted, deleted and bound again.
          await s.updateAccount('g@x', { status: 'blocked' });
          expect(await code(s.transact([up('g@x', 'MMM_Local', 5, 'no')], { guards: [guardOf(read, 3)], nonce: claim('g6') }))).toBe('SERVICE_STALE');
          const blocked = (await s.getAccount('g@x'))!;
          await s.transact([up('g@x', 'MMM_Local', 5, 'l5')], { guards: [guardOf(blocked, 3)] });
          await s.updateAccount('g@x', { profile: utf8Encode('another profile of g@x') });
          expect(await code(s.transact([up('g@x', 'MMM_Local', 6, 'no')], { guards: [guardOf(blocked, 3)] }))).toBe('SERVICE_STALE');
          expect(await code(s.transact([up('g@x', 'MMM_Local', 6, 'no'), up('h@x', 'MMM_Inbound', 1, 'no')], { guards: [guardOf(blocked, 3)] }))).toBe('SERVICE_STALE');
          const changed = (await s.getAccount('g@x'))!;
          expect(await s.deleteAccount('g@x')).toBe(true);
          expect(await code(s.transact([up('g@x', 'MMM_Local', 0, 'no')], { guards: [guardOf(changed, 0)], nonce: claim('g7') }))).toBe('SERVICE_STALE');
          expect(await code(s.transact([up('h@x', 'MMM_Inbound', 1, 'no')], { guards: [guardOf(changed)] }))).toBe('SERVICE_STALE');
          now += 1000;
          await account(s, 'g@x');
          expect(await code(s.transact([up('g@x', 'MMM_Local', 0, 'no')], { guards: [guardOf(changed, 0)], nonce: claim('g8') }))).toBe('SERVICE_STALE');
          expect(await code(s.transact([up('g@x', 'MMM_Local', 0, 'no'), up('h@x', 'MMM_Inbound', 1, 'no')], { guards: [guardOf(changed, 0)] }))).toBe('SERVICE_STALE');
          for (const n of ['g6', 'g7', 'g8']) expect(await s.claimNonce(claim(n))).toBe(true);
          expect(await s.heads('g@x')).toEqual([]);
          expect(await tags(s, 'h@x', 'MMM_Inbound')).toEqual(['i0']);
          await s.transact([up('g@x', 'MMM_Local', 0, 'new')], { guards: [guardOf((await s.getAccount('g@x'))!, 0)] });

          // A guard on a store the transaction updates: its expected index is the check.
          expect(await code(s.transact([up('h@x', 'MMM_Inbound', 1, 'no')], { guards: [{ account: 'h@x', record: (await s.getAccount('h@x'))!, heads: [{ store: 'MMM_Inbound', nextIndex: 1 }] }] }))).toBe('SERVICE_BAD_ARGUMENT');
        } finally {
          await s.close();
        }
      });

      it('refuses a record over the limit', async () => {
        const s = await factory.open({ limits: { maxRecordBytes: 10 } });
        try {
          expect(await code(s.putRecord('r', new Uint8Array(11)))).toBe('SERVICE_TOO_LARGE');
          expect(await code(s.createAccount({ address: 'a@x', profileUdf: 'MA', profile: new Uint8Array(11) }))).toBe('SERVICE_TOO_LARGE');
        } finally {
          await s.close();
        }
      });
    });

    describe('watch', () => {
      withStore('every watcher gets one change per store per commit and the deletions, in order', async (s) => {
        await account(s, 'a@x');
        const w1 = s.watch();
        const w2 = s.watch();
        await s.transact([{ ...up('a@x', 'MMM_Local', 0, 'l0', 'l1'), digest: bytes(5) }, up('a@x', 'MMM_Contact', 0, 'c0')]);
        await s.deleteAccount('a@x');
        const expected: ServiceEvent[] = [
          { type: 'change', account: 'a@x', store: 'MMM_Local', nextIndex: 2, digest: bytes(5) },
          { type: 'change', account: 'a@x', store: 'MMM_Contact', nextIndex: 1 },
          { type: 'deleted', account: 'a@x' },
        ];
        for (const w of [w1, w2]) {
          const got: ServiceEvent[] = [];
          for (let i = 0; i < 3; i++) got.push((await w.next()).value as ServiceEvent);
          expect(got).toEqual(expected);
          w.close();
          expect((await w.next()).done).toBe(true);
        }
      });

      withStore('a failed transaction notifies nothing; a slow watcher gets one resync instead of a backlog', async (s) => {
        await account(s, 'a@x');
        const slow = s.watch({ highWaterMark: 3 });
        await s.transact([up('a@x', 'MMM_Local', 0, 'x')]).catch(() => undefined);
        await s.transact([up('a@x', 'MMM_Local', 0, 'stale')]).catch(() => undefined);
        for (let i = 1; i < 8; i++) await s.transact([up('a@x', 'MMM_Local', i, `x${i}`)]);
        expect((await slow.next()).value).toEqual({ type: 'resync' });
        await s.transact([up('a@x', 'MMM_Local', 8, 'x8')]);
        expect((await slow.next()).value).toMatchObject({ type: 'change', nextIndex: 9 });
        slow.close();
      });

      withStore('an aborted watch ends; for-await ends with break', async (s) => {
        await account(s, 'a@x');
        const ac = new AbortController();
        const w = s.watch({ signal: ac.signal });
        const pending = w.next();
        ac.abort();
        expect((await pending).done).toBe(true);
        const w2 = s.watch();
        void s.transact([up('a@x', 'MMM_Local', 0, 'x')]);
        for await (const e of w2) {
          expect(e).toMatchObject({ type: 'change', store: 'MMM_Local' });
          break;
        }
        expect((await w2.next()).done).toBe(true);
      });
    });

    describe('closing', () => {
      it('a closed store refuses every call with SERVICE_CLOSED and ends its watchers', async () => {
        const s = await factory.open();
        await account(s, 'a@x');
        const w = s.watch();
        const next = w.next();
        await s.close();
        expect((await next).done).toBe(true);
        expect(await code(s.getAccount('a@x'))).toBe('SERVICE_CLOSED');
        expect(await code(s.transact([up('a@x', 'MMM_Local', 0, 'x')]))).toBe('SERVICE_CLOSED');
        expect(await code(s.read('a@x', 'MMM_Local', 0))).toBe('SERVICE_CLOSED');
        expect(await code(s.claimNonce({ key: 'k', nonce: 'n', expires: 1 }))).toBe('SERVICE_CLOSED');
        await s.close();
      });
    });

    if (factory.reopen) {
      const reopen = factory.reopen.bind(factory);
      describe('persistence', () => {
        it('everything survives a reopen: accounts, frames, heads, records, nonces, deletions', async () => {
          let now = 5_000_000;
          let s = await factory.open({ now: () => now });
          try {
            await account(s, 'a@x', 'MA1');
            await account(s, 'gone@x', 'MG1');
            await account(s, 'b@x', 'MB1');
            await s.updateAccount('b@x', { status: 'pending', profile: bytes(4, 2) });
            await s.transact([{ ...up('a@x', 'MMM_Local', 0, 'l0', 'l1'), digest: bytes(9) }, up('b@x', 'MMM_Inbound', 0, 'i0')]);
            await s.transact([up('gone@x', 'MMM_Local', 0, 'g0')]);
            await s.deleteAccount('gone@x');
            await s.putRecord('service.profile', bytes(1, 2));
            await s.putRecord('temp', bytes(3));
            await s.deleteRecord('temp');
            await s.claimNonce({ key: 'K', nonce: 'N', expires: now + 1000 });
            s = await reopen(s);
            expect((await s.listAccounts()).map((a) => a.address)).toEqual(['a@x', 'b@x']);
            expect(await s.getAccount('b@x')).toMatchObject({ status: 'pending', profile: bytes(4, 2), profileUdf: 'MB1' });
            expect(await s.findAccountByProfile('MG1')).toBeUndefined();
            expect(await tags(s, 'a@x', 'MMM_Local')).toEqual(['l0', 'l1']);
            expect(await s.head('a@x', 'MMM_Local')).toEqual({ store: 'MMM_Local', nextIndex: 2, digest: bytes(9) });
            expect(await tags(s, 'b@x', 'MMM_Inbound')).toEqual(['i0']);
            expect(await s.getRecord('service.profile')).toEqual(bytes(1, 2));
            expect(await s.getRecord('temp')).toBeUndefined();
            expect(await s.claimNonce({ key: 'K', nonce: 'N', expires: now + 1000 })).toBe(false);
            // Writing continues where it stopped.
            await s.transact([up('a@x', 'MMM_Local', 2, 'l2')]);
            await account(s, 'gone@x', 'MG1');
            expect(await s.heads('gone@x')).toEqual([]);
            s = await reopen(s);
            expect(await tags(s, 'a@x', 'MMM_Local')).toEqual(['l0', 'l1', 'l2']);
            now += 2000;
            expect(await s.claimNonce({ key: 'K', nonce: 'N', expires: now + 1000 })).toBe(true);
          } finally {
            await s.close();
          }
        });
      });
    }
  });
}
