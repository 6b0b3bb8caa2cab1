import pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import { PostgresServiceStore, type PostgresStoreOptions } from '../adapters/service-store/postgres.js';
import { MAX_PAYLOAD_BYTES, decodeNote, encodeNote } from '../adapters/service-store/postgres-notify.js';
import { ServiceConflictError, ServiceStoreError } from '../sdk/service/store-errors.js';
import type { ServiceEvent, ServiceWatch, StoreUpdate } from '../sdk/service/store.js';
import { POSTGRES_REQUIRED, describePostgres, dropSchemas, freshSchema, sql, startPrivateServer, type PrivateServer, statementsOf } from './support/postgres.js';
import { frameTag, testFrame } from './support/service-store-contract.js';
import { checkLoad, runLoad, type Ack } from './support/service-store-load.js';

/**
 * PostgreSQL beyond the contract: several hosts (store instances, each with its own pool and
 * listening connection) on one database — what issue-level "many hosts, one service" rests on.
 */

const up = (account: string, store: string, expectedNextIndex: number, ...tags: string[]): StoreUpdate => ({ account, store, expectedNextIndex, frames: tags.map((t) => testFrame(t)) });
const profile = new Uint8Array([1]);
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'none', (e: unknown) => (e instanceof ServiceStoreError ? e.code : String(e)));

/** Statements less the notes sent after a commit (`pg_notify`, not awaited by the caller). */
const withoutNotes = (statements: readonly string[]): string[] => statements.filter((s) => !/pg_notify/.test(s));

/** The next event of a watch, or 'timeout'. */
async function next(w: ServiceWatch, ms = 5000): Promise<ServiceEvent | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([w.next(), new Promise<'timeout'>((res) => (timer = setTimeout(res, ms, 'timeout')))]);
  clearTimeout(timer);
  return r === 'timeout' ? r : (r.value as ServiceEvent);
}

describePostgres('PostgreSQL service store: many hosts, one database', (url) => {
  const open: PostgresServiceStore[] = [];
  const host = async (schema: string, o: PostgresStoreOptions = {}): Promise<PostgresServiceStore> => {
    const s = await PostgresServiceStore.open(url, { schema, poolSize: 4, ...o });
    open.push(s);
    return s;
  };
  /** Two hosts of one fresh service, with accounts a@x and b@x. */
  const twoHosts = async (o: PostgresStoreOptions = {}): Promise<[PostgresServiceStore, PostgresServiceStore, string]> => {
    const schema = freshSchema();
    const a = await host(schema, o);
    const b = await host(schema, o);
    await a.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    await b.createAccount({ address: 'b@x', profileUdf: 'MB', profile });
    return [a, b, schema];
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(() => dropSchemas(url));

  it('migrations racing from four hosts: all open, each version applied once; a newer schema is refused', async () => {
    const schema = freshSchema();
    const hosts = await Promise.all([0, 1, 2, 3].map(() => host(schema)));
    expect(hosts).toHaveLength(4);
    const versions = await sql(url, `SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(versions.map((r) => r.version)).toEqual([1]);
    await sql(url, `INSERT INTO "${schema}".schema_migrations VALUES (99, 0)`);
    const e = await PostgresServiceStore.open(url, { schema }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'SERVICE_CORRUPT' });
    expect(String((e as Error).message)).toMatch(/version 99/);
  });

  it('of concurrent transactions through two hosts expecting the same index, exactly one wins; the others conflict and apply nothing', async () => {
    const [a, b] = await twoHosts();
    await a.transact([up('a@x', 'MMM_Contact', 0, 'base')]);
    for (let round = 1; round <= 5; round++) {
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).transact([
        up('a@x', 'MMM_Contact', round, `r${round}w${i}`), up('b@x', `MMM_Side${round}x${i}`, 0, 'side'),
      ])));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'SERVICE_CONFLICT', store: 'MMM_Contact', expected: round, actual: round + 1 });
    }
    // Each round's winner and only its side store: nothing of a loser was applied.
    expect((await b.read('a@x', 'MMM_Contact', 0)).frames).toHaveLength(6);
    expect(await a.heads('b@x')).toHaveLength(5);
  });

  it('writers on two hosts that retry on conflict lose nothing and duplicate nothing', async () => {
    const [a, b] = await twoHosts();
    const acks: Ack[] = [];
    let stop = false;
    const stores = ['MMM_Contact', 'MMM_Inbound', 'MMM_Local'];
    const load = (s: PostgresServiceStore, seed: number): Promise<void> => runLoad(s, {
      writers: 8, accounts: ['a@x', 'b@x'], stores, seed, prefix: `h${seed}`, onAck: (x) => acks.push(x), stop: () => stop,
    });
    setTimeout(() => (stop = true), 2000);
    await Promise.all([load(a, 1), load(b, 2)]);
    const check = await checkLoad(a, ['a@x', 'b@x'], stores, acks);
    expect(check.lost).toEqual([]);
    expect(check.partial).toEqual([]);
    expect(check.complete).toBe(acks.length);
    expect(acks.length).toBeGreaterThan(20);
  });

  it('a commit through host A reaches the watchers of host B (digest included); each host reports its own commits once', async () => {
    const [a, b] = await twoHosts();
    const wa = a.watch();
    const wb = b.watch();
    await a.transact([{ ...up('a@x', 'MMM_Local', 0, 'l0', 'l1'), digest: new Uint8Array([7, 7]) }, up('b@x', 'MMM_Inbound', 0, 'i0')]);
    const expected: ServiceEvent[] = [
      { type: 'change', account: 'a@x', store: 'MMM_Local', nextIndex: 2, digest: new Uint8Array([7, 7]) },
      { type: 'change', account: 'b@x', store: 'MMM_Inbound', nextIndex: 1 },
    ];
    for (const w of [wa, wb]) expect([await next(w), await next(w)]).toEqual(expected);
    await b.deleteAccount('b@x');
    expect(await next(wa)).toEqual({ type: 'deleted', account: 'b@x' });
    expect(await next(wb)).toEqual({ type: 'deleted', account: 'b@x' });
    // Nothing more: A did not hear its own note a second time, nor B its own.
    expect(await next(wa, 300)).toBe('timeout');
    expect(await next(wb, 300)).toBe('timeout');
  });

  it('a note that would exceed NOTIFY\'s 8,000 bytes drops the digests, then becomes a resync', async () => {
    const many = Array.from({ length: 100 }, (_, i): ServiceEvent => ({ type: 'change', account: 'a@x', store: `MMM_Store${i}`, nextIndex: i + 1, digest: new Uint8Array(64).fill(i) }));
    const fits = encodeNote('H', many);
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(decodeNote(fits).events).toEqual(many.map((e) => ({ ...e, digest: undefined })).map(({ digest: _, ...e }) => e));
    const huge = Array.from({ length: 200 }, (_, i): ServiceEvent => ({ type: 'change', account: `${'x'.repeat(200)}${i}@x`, store: 'MMM_Inbound', nextIndex: 1 }));
    expect(decodeNote(encodeNote('H', huge))).toEqual({ host: 'H', events: [{ type: 'resync' }] });
    expect(decodeNote('not json').events).toEqual([{ type: 'resync' }]);
    // Through the database: one transaction over 100 stores with 64-byte digests.
    const [a, b] = await twoHosts();
    const wb = b.watch();
    await a.transact(many.map((e, i) => ({ ...up('a@x', `MMM_Store${i}`, 0, 'x'), digest: new Uint8Array(64).fill(i) })));
    const got: ServiceEvent[] = [];
    for (let i = 0; i < 100; i++) got.push((await next(wb)) as ServiceEvent);
    expect(got.map((e) => e.type === 'change' && [e.store, e.nextIndex, e.digest])).toEqual(many.map((_, i) => [`MMM_Store${i}`, 1, undefined]));
  });

  it('a Transact\'s note is a transaction of its own after the data\'s COMMIT (a notifying commit would flush one at a time); host B\'s watchers still get every change, once', async () => {
    const [a, b] = await twoHosts();
    const wb = b.watch();
    // One store (one statement) and two stores (BEGIN … COMMIT): no NOTIFY until the data committed.
    for (const updates of [[up('a@x', 'MMM_Local', 0, 'x')], [up('a@x', 'MMM_Local', 1, 'y'), up('b@x', 'MMM_Inbound', 0, 'z')]]) {
      const { statements } = await statementsOf(() => a.transact(updates));
      const notes = statements.filter((s) => /pg_notify/.test(s));
      expect(notes).toHaveLength(1);
      expect(statements.at(-1)).toBe(notes[0]);
      expect(notes[0]).not.toMatch(/INSERT|UPDATE|DELETE/);
      if (updates.length > 1) expect(statements.at(-2)).toBe('COMMIT');
    }
    expect(await next(wb)).toEqual({ type: 'change', account: 'a@x', store: 'MMM_Local', nextIndex: 1 });
    expect(await next(wb)).toEqual({ type: 'change', account: 'a@x', store: 'MMM_Local', nextIndex: 2 });
    expect(await next(wb)).toEqual({ type: 'change', account: 'b@x', store: 'MMM_Inbound', nextIndex: 1 });
    // A conflict commits nothing and tells nobody.
    expect(await codeOf(a.transact([up('a@x', 'MMM_Local', 1, 'late')]))).toBe('SERVICE_CONFLICT');
    expect(await next(wb, 300)).toBe('timeout');
    expect(a.faults.notesLost).toBe(0);
  });

  it('a note whose connection dies right after the data\'s COMMIT is sent again on another: host B hears the change', async () => {
    const [a, b] = await twoHosts();
    const wb = b.watch();
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    let cut = 0;
    proto.query = function (this: { processID?: number }, ...args: unknown[]) {
      const q = args[0] as { text?: string } | string;
      if (cut === 0 && typeof q === 'object' && /pg_notify/.test(q.text ?? '')) {
        cut++;
        // The backend that committed is ended before its note goes out: the note fails.
        return sql(url, 'SELECT pg_terminate_backend($1)', [this.processID]).then(() => original.apply(this, args));
      }
      return original.apply(this, args);
    };
    try {
      await a.transact([up('a@x', 'MMM_Local', 0, 'x')]);
      expect(await next(wb)).toEqual({ type: 'change', account: 'a@x', store: 'MMM_Local', nextIndex: 1 });
    } finally {
      proto.query = original;
    }
    expect(cut).toBe(1);
    expect(a.faults.notesLost).toBe(0);
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['x']);
  });

  it('a host tells its own watchers of its commits at once, with no listening connection at all; the other hosts hear its notes', async () => {
    const schema = freshSchema();
    const a = await host(schema, { listen: false });
    const b = await host(schema);
    await a.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    const wa = a.watch();
    const wb = b.watch();
    await a.transact([up('a@x', 'MMM_Local', 0, 'x')]);
    const change = { type: 'change', account: 'a@x', store: 'MMM_Local', nextIndex: 1 };
    expect(await next(wa, 0)).toEqual(change); // published before transact resolved
    expect(await next(wb)).toEqual(change);
    // B's commits never reach A (it does not listen), which is what listen: false means.
    await b.transact([up('a@x', 'MMM_Local', 1, 'y')]);
    expect(await next(wa, 300)).toBe('timeout');
  });

  it('a host whose listening connection is cut reconnects and publishes resync; pushes flow again after', async () => {
    const [a, b] = await twoHosts({ pingMs: 500 });
    const wb = b.watch();
    const pid = b.listenerPid;
    expect(pid).toBeTypeOf('number');
    await sql(url, 'SELECT pg_terminate_backend($1)', [pid]);
    expect(await next(wb, 10_000)).toEqual({ type: 'resync' });
    expect(b.listenerReconnects).toBe(1);
    expect(b.listenerPid).not.toBe(pid);
    await a.transact([up('a@x', 'MMM_Local', 0, 'after')]);
    expect(await next(wb)).toMatchObject({ type: 'change', account: 'a@x', store: 'MMM_Local', nextIndex: 1 });
  });

  it('replay nonces are shared: a nonce claimed through one host is refused through the other, and one of racing claims wins', async () => {
    const [a, b] = await twoHosts();
    const expires = Date.now() + 60_000;
    expect(await a.claimNonce({ key: 'MKEY', nonce: 'n1', expires })).toBe(true);
    expect(await b.claimNonce({ key: 'MKEY', nonce: 'n1', expires })).toBe(false);
    const race = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).claimNonce({ key: 'MKEY', nonce: 'race', expires })));
    expect(race.filter(Boolean)).toHaveLength(1);
    const nonce = { key: 'MKEY', nonce: 'tx', expires };
    await a.transact([up('a@x', 'MMM_Local', 0, 'x')], { nonce });
    expect(await codeOf(b.transact([up('a@x', 'MMM_Local', 1, 'y')], { nonce }))).toBe('SERVICE_REPLAY');
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['x']);
  });

  it('records are shared: createRecord racing on two hosts stores one value, which both get (one service profile)', async () => {
    const [a, b] = await twoHosts();
    const got = await Promise.all([a, b, a, b].map((s, i) => s.createRecord('service.profile', new Uint8Array([i + 1]))));
    expect(new Set(got.map((v) => v[0])).size).toBe(1);
    expect(await b.getRecord('service.profile')).toEqual(got[0]);
    expect(await a.listRecords()).toEqual(['service.profile']);
  });

  /**
   * The connection lost at a chosen statement: `pg`'s query is intercepted for the next `times`
   * statements of any client that `matches`, and the socket destroyed after the statement went
   * out, or before.
   */
  async function cutAt<T>(matches: (query: unknown) => boolean, when: 'after-send' | 'before-send', f: () => Promise<T>, times = 1): Promise<{ result: T; cut: number }> {
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    let cut = 0;
    proto.query = function (this: { connection: { stream: { destroy(): void } } }, ...args: unknown[]) {
      if (cut < times && matches(args[0])) {
        cut++;
        if (when === 'before-send') {
          this.connection.stream.destroy();
          return Promise.reject(new Error('Connection terminated unexpectedly'));
        }
        const p = original.apply(this, args);
        this.connection.stream.destroy();
        return p;
      }
      return original.apply(this, args);
    };
    try {
      return { result: await f(), cut };
    } finally {
      proto.query = original;
    }
  }

  /** The connection lost right at the next COMMIT (`times` of them). */
  async function cutAtCommit<T>(when: 'after-send' | 'before-send', f: () => Promise<T>, times = 1): Promise<T> {
    return (await cutAt((q) => q === 'COMMIT', when, f, times)).result;
  }

  it('a connection lost during COMMIT: the store learns the outcome — applied, and reported as applied', async () => {
    const [a, b] = await twoHosts();
    const nonce = { key: 'MKEY', nonce: 'commit-1', expires: Date.now() + 60_000 };
    const r = await cutAtCommit('after-send', () => a.transact([up('a@x', 'MMM_Local', 0, 'x'), up('b@x', 'MMM_Inbound', 0, 'y')], { nonce }));
    expect(r.heads.map((h) => h.nextIndex)).toEqual([1, 1]);
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['x']);
    expect(await b.claimNonce(nonce)).toBe(false);
  });

  it('a connection lost before COMMIT reached the server: known not applied, so run again — applied once, the nonce spent once', async () => {
    const [a, b] = await twoHosts();
    const nonce = { key: 'MKEY', nonce: 'commit-2', expires: Date.now() + 60_000 };
    const r = await cutAtCommit('before-send', () => a.transact([up('a@x', 'MMM_Local', 0, 'x'), up('b@x', 'MMM_Inbound', 0, 'y')], { nonce }));
    expect(r.heads.map((h) => h.nextIndex)).toEqual([1, 1]);
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['x']);
    expect((await b.read('b@x', 'MMM_Inbound', 0)).frames.map(frameTag)).toEqual(['y']);
    expect(await b.claimNonce(nonce)).toBe(false);
  });

  /**
   * A one-store Transact without a nonce commits as a single statement (no BEGIN … COMMIT): its
   * statement is the commit. Cut the connection right after it went out, or before.
   */
  function cutAtFramesStatement<T>(when: 'after-send' | 'before-send', f: () => Promise<T>): Promise<{ result: T; cut: number }> {
    const text = (q: unknown): unknown => (q as { text?: unknown } | undefined)?.text;
    return cutAt((q) => typeof text(q) === 'string' && /INSERT INTO \S+\.\S*frames/.test(text(q) as string), when, f);
  }

  it('a one-store commit (one statement) whose connection is lost in flight: the outcome is looked up — applied once, reported as applied', async () => {
    const [a, b] = await twoHosts();
    await a.transact([up('a@x', 'MMM_Local', 0, 'w')]);
    const { result, cut } = await cutAtFramesStatement('after-send', () => a.transact([up('a@x', 'MMM_Local', 1, 'x')]));
    expect(cut).toBe(1);
    expect(result.heads.map((h) => h.nextIndex)).toEqual([2]);
    expect(a.faults.commitsInDoubt).toBe(1);
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['w', 'x']);
  });

  it('a one-store commit (one statement) cut before it reached the server: known not applied, run again — applied once', async () => {
    const [a, b] = await twoHosts();
    const { result, cut } = await cutAtFramesStatement('before-send', () => a.transact([up('b@x', 'MMM_Inbound', 0, 'y')]));
    expect(cut).toBe(1);
    expect(result.heads.map((h) => h.nextIndex)).toEqual([1]);
    expect((await b.read('b@x', 'MMM_Inbound', 0)).frames.map(frameTag)).toEqual(['y']);
    expect(await codeOf(b.transact([up('b@x', 'MMM_Inbound', 0, 'z')]))).toBe('SERVICE_CONFLICT');
  });

  it('a one-store Transact with a nonce is one statement: the claim, the head and the frames in one round trip (its note follows the answer)', async () => {
    const [a, b] = await twoHosts();
    const nonce = { key: 'MKEY', nonce: 'one-1', expires: Date.now() + 60_000 };
    const { statements } = await statementsOf(() => a.transact([up('a@x', 'MMM_Local', 0, 'x', 'y')], { nonce }));
    expect(withoutNotes(statements)).toHaveLength(1);
    expect(statements[0]).toMatch(/INSERT INTO \S+nonces/);
    const next = { key: 'MKEY', nonce: 'one-2', expires: Date.now() + 60_000 };
    expect(withoutNotes((await statementsOf(() => a.transact([up('a@x', 'MMM_Local', 2, 'z')], { nonce: next }))).statements)).toHaveLength(1);
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['x', 'y', 'z']);
    expect(await b.claimNonce(nonce)).toBe(false);
    expect(await b.claimNonce(next)).toBe(false);
  });

  it('a guarded one-store Transact is still one statement; a guard made stale through host B (the catalog moved, the account blocked) rolls the claim back with the rest', async () => {
    const [a, b] = await twoHosts();
    await a.transact([up('a@x', 'MMM_Access', 0, 'h')]);
    const record = (await a.getAccount('a@x'))!;
    const guards = [{ account: 'a@x', record, heads: [{ store: 'MMM_Access', nextIndex: 1 }] }];
    const nonce = { key: 'MKEY', nonce: 'guarded-1', expires: Date.now() + 60_000 };
    const { statements } = await statementsOf(() => a.transact([up('a@x', 'MMM_Local', 0, 'x')], { nonce, guards }));
    expect(withoutNotes(statements)).toHaveLength(1);
    expect(withoutNotes((await statementsOf(() => a.transact([up('a@x', 'MMM_Local', 1, 'y')], { guards }))).statements)).toHaveLength(1);
    await b.transact([up('a@x', 'MMM_Access', 1, 'moved')]);
    const spared = { key: 'MKEY', nonce: 'guarded-2', expires: Date.now() + 60_000 };
    expect(await codeOf(a.transact([up('a@x', 'MMM_Local', 2, 'no')], { nonce: spared, guards }))).toBe('SERVICE_STALE');
    const moved = [{ ...guards[0]!, heads: [{ store: 'MMM_Access', nextIndex: 2 }] }];
    await b.updateAccount('a@x', { status: 'blocked' });
    expect(await codeOf(a.transact([up('a@x', 'MMM_Local', 2, 'no')], { nonce: spared, guards: moved }))).toBe('SERVICE_STALE');
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['x', 'y']);
    expect(await b.claimNonce(spared)).toBe(true);
  });

  it('one statement with a nonce: a conflict on a first frame (the head row\'s insert) or a later one (its update) and an unknown account spend no nonce and write nothing; a live nonce is a replay before anything else', async () => {
    const [a, b] = await twoHosts();
    await a.transact([up('a@x', 'MMM_Local', 0, 'w')]);
    const nonce = { key: 'MKEY', nonce: 'spared', expires: Date.now() + 60_000 };
    const conflict = await a.transact([up('a@x', 'MMM_Local', 0, 'stale')], { nonce }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ServiceConflictError);
    expect(conflict).toMatchObject({ store: 'MMM_Local', expected: 0, actual: 1 });
    expect(await codeOf(a.transact([up('a@x', 'MMM_Local', 5, 'stale')], { nonce }))).toBe('SERVICE_CONFLICT');
    expect(await codeOf(a.transact([up('nobody@x', 'MMM_Local', 0, 'x')], { nonce }))).toBe('SERVICE_NOT_FOUND');
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['w']);
    // Still free: the same nonce commits now, once.
    await b.transact([up('a@x', 'MMM_Local', 1, 'x')], { nonce });
    expect(await codeOf(a.transact([up('a@x', 'MMM_Local', 2, 'again')], { nonce }))).toBe('SERVICE_REPLAY');
    expect(await codeOf(a.transact([up('nobody@x', 'MMM_Local', 9, 'again')], { nonce }))).toBe('SERVICE_REPLAY');
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['w', 'x']);
  });

  it('one request racing through both hosts (one store, one nonce): applied exactly once, every other copy a replay', async () => {
    const [a, b] = await twoHosts();
    for (let round = 0; round < 5; round++) {
      const nonce = { key: 'MKEY', nonce: `race-${round}`, expires: Date.now() + 60_000 };
      // Copies expecting the same index, and copies of another plan (a recipient's spool moved): the nonce decides.
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).transact(
        [up(i < 4 ? 'a@x' : 'b@x', i < 4 ? 'MMM_Local' : 'MMM_Inbound', round, `r${round}c${i}`)], { nonce },
      )));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as ServiceStoreError).code).toBe('SERVICE_REPLAY');
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      // Keep both stores at `round + 1` frames for the next round.
      const other = winner < 4 ? up('b@x', 'MMM_Inbound', round, 'pad') : up('a@x', 'MMM_Local', round, 'pad');
      await a.transact([other]);
    }
    expect((await b.read('a@x', 'MMM_Local', 0)).frames).toHaveLength(5);
    expect((await b.read('b@x', 'MMM_Inbound', 0)).frames).toHaveLength(5);
  });

  it('one statement with a nonce whose connection is lost in flight: looked up — applied once, the nonce spent; cut before it left: run again, applied once', async () => {
    const [a, b] = await twoHosts();
    const n1 = { key: 'MKEY', nonce: 'doubt-1', expires: Date.now() + 60_000 };
    const after = await cutAtFramesStatement('after-send', () => a.transact([up('a@x', 'MMM_Local', 0, 'x')], { nonce: n1 }));
    expect(after.cut).toBe(1);
    expect(after.result.heads.map((h) => h.nextIndex)).toEqual([1]);
    expect(a.faults.commitsInDoubt).toBe(1);
    expect(await b.claimNonce(n1)).toBe(false);
    const n2 = { key: 'MKEY', nonce: 'doubt-2', expires: Date.now() + 60_000 };
    const before = await cutAtFramesStatement('before-send', () => a.transact([up('a@x', 'MMM_Local', 1, 'y')], { nonce: n2 }));
    expect(before.cut).toBe(1);
    expect(before.result.heads.map((h) => h.nextIndex)).toEqual([2]);
    expect(await b.claimNonce(n2)).toBe(false);
    expect((await b.read('a@x', 'MMM_Local', 0)).frames.map(frameTag)).toEqual(['x', 'y']);
  });

  it('a commit cut every time until retryMs: SERVICE_IO, nothing applied, the nonce not spent; the store goes on', async () => {
    const [a, b] = await twoHosts({ retryMs: 300 });
    const nonce = { key: 'MKEY', nonce: 'commit-3', expires: Date.now() + 60_000 };
    expect(await cutAtCommit('before-send', () => codeOf(a.transact([up('a@x', 'MMM_Local', 0, 'x'), up('b@x', 'MMM_Inbound', 0, 'y')], { nonce })), 1000)).toBe('SERVICE_IO');
    expect(await b.heads('a@x')).toEqual([]);
    expect(await b.heads('b@x')).toEqual([]);
    expect(await b.claimNonce(nonce)).toBe(true);
    await a.transact([up('a@x', 'MMM_Local', 0, 'z')]);
  });

  // On a server of its own: a restart of the shared one would disturb the suites running beside it.
  it('PostgreSQL restarted under load (fast, then immediate: a crash): writers on two hosts recover, nothing acknowledged is lost, watchers resync', async (ctx) => {
    const server = await startPrivateServer();
    if (typeof server === 'string') {
      if (POSTGRES_REQUIRED) throw new Error(server);
      ctx.skip(server);
      return;
    }
    try {
      await restartUnderLoad(server);
    } finally {
      await Promise.all(open.splice(0).map((s) => s.close()));
      await server.stop();
    }
  }, 300_000);

  async function restartUnderLoad(server: PrivateServer): Promise<void> {
    const schema = freshSchema();
    const a = await PostgresServiceStore.open(server.url, { schema, poolSize: 4, pingMs: 500 });
    const b = await PostgresServiceStore.open(server.url, { schema, poolSize: 4, pingMs: 500 });
    open.push(a, b);
    await a.createAccount({ address: 'a@x', profileUdf: 'MA', profile });
    await b.createAccount({ address: 'b@x', profileUdf: 'MB', profile });
    const wa = a.watch({ highWaterMark: 1_000_000 });
    const wb = b.watch({ highWaterMark: 1_000_000 });
    const acks: Ack[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const stores = ['MMM_Contact', 'MMM_Inbound', 'MMM_Local'];
    const load = (s: PostgresServiceStore, seed: number): Promise<void> => runLoad(new Proxy(s, {
      // runLoad stops a writer at a store error: record it, the test wants none.
      get(target, p) {
        const v = Reflect.get(target, p) as unknown;
        if (p !== 'transact' && p !== 'head') return typeof v === 'function' ? v.bind(target) : v;
        return (...args: unknown[]) => (v as (...x: unknown[]) => Promise<unknown>).apply(target, args).catch((e: unknown) => {
          if (!(e instanceof ServiceConflictError)) failures.push(e);
          throw e;
        });
      },
    }), { writers: 8, accounts: ['a@x', 'b@x'], stores, seed, prefix: `r${seed}`, onAck: (x) => acks.push(x), stop: () => stop });
    const running = Promise.all([load(a, 11), load(b, 12)]);
    const counts: number[] = [];
    for (const mode of ['fast', 'immediate'] as const) {
      const before = acks.length;
      while (acks.length < before + 100) await new Promise((r) => setTimeout(r, 20));
      await server.restart(mode);
      const at = acks.length;
      while (acks.length < at + 100) await new Promise((r) => setTimeout(r, 20));
      counts.push(acks.length - at);
    }
    stop = true;
    await running;
    expect(failures).toEqual([]);
    // The restarts hit work in flight, which the stores ran again.
    expect(a.faults.retries + b.faults.retries).toBeGreaterThan(0);
    const check = await checkLoad(b, ['a@x', 'b@x'], stores, acks);
    expect(check.lost).toEqual([]);
    expect(check.partial).toEqual([]);
    // Each host's listener came back (it may still be backing off: wait) and said so.
    for (let i = 0; i < 400 && [a, b].some((s) => s.listenerPid === undefined || s.listenerReconnects === 0); i++) await new Promise((r) => setTimeout(r, 50));
    for (const s of [a, b]) expect(s.listenerReconnects).toBeGreaterThanOrEqual(1);
    for (const w of [wa, wb]) {
      let resyncs = 0;
      for (let e = await next(w, 200); e !== 'timeout'; e = await next(w, 200)) if (e.type === 'resync') resyncs++;
      expect(resyncs).toBeGreaterThanOrEqual(1);
    }
    console.log(`PostgreSQL restarts under load: 2 (fast, immediate); acknowledged transactions: ${acks.length}; listener reconnects: ${a.listenerReconnects} + ${b.listenerReconnects}; `
      + `calls run again: ${a.faults.retries + b.faults.retries}; commits in doubt, looked up: ${a.faults.commitsInDoubt + b.faults.commitsInDoubt}`);
  }
});
