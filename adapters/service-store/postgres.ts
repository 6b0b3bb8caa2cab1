import { createHash, randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ChangeFeed } from '../../sdk/service/change-feed.js';
import { ServiceConflictError, ServiceStoreError, serviceError } from '../../sdk/service/store-errors.js';
import {
  DEFAULT_LIMITS, canonicalAddress, checkIndex, checkListOptions, checkNewAccount, checkNonce, checkProfile, checkProfileUdf, checkReadLimits, checkRecordName,
  checkRecordValue, checkStatus, checkStoreName, checkUpdates, compareUpdates, nonceKey, staleGuard, checkGuards, type CheckedGuard, type CheckedUpdate, type StoreLimits,
} from '../../sdk/service/store-rules.js';
import type {
  AccountChanges, AccountRecord, AccountStatus, AccountStoreHead, NewAccount, NonceClaim, ReadLimits, ReadResult, ServiceEvent, ServiceStore, ServiceWatch,
  StoreHead, StoreUpdate, TransactOptions, TransactResult, WatchOptions,
} from '../../sdk/service/store.js';
import { connectionLost, constraintOf, ioError, rolledBack, sleep, sqlState } from './postgres-errors.js';
import { ChangeListener } from './postgres-listener.js';
import { decodeNote, encodeNote } from './postgres-notify.js';
import { SCHEMA_NAME, migrate, quoteIdent } from './postgres-schema.js';

/** Options of {@link PostgresServiceStore.open}. */
export interface PostgresStoreOptions {
  /** The schema holding the store's tables (created if missing; default `mathmesh`): several services can share a database. */
  readonly schema?: string;
  /**
   * Most connections of the pool (default 4); the listening connection comes on top. The
   * statements are short, so a few connections keep a host's work flowing, and every one more
   * is a backend the database schedules: on the 2-core bench (two hosts, PostgreSQL and the
   * devices on one machine) 16 per host cost about 40% more host CPU per transaction than 4,
   * and far more push latency. Raise it for a database with many cores.
   */
  readonly poolSize?: number;
  /** Size limits (defaults: store-rules.ts DEFAULT_LIMITS). */
  readonly limits?: Partial<StoreLimits>;
  /** Clock for nonce expiry and creation times (ms since the epoch); injectable for tests. */
  readonly now?: () => number;
  /**
   * How long a call keeps trying while the database cannot be reached or is restarting (ms;
   * default 15,000) before it fails with `SERVICE_IO`. Only what is safe to run again is retried.
   */
  readonly retryMs?: number;
  /** Listen for other hosts' changes (default true); a store that nobody watches may skip it. */
  readonly listen?: boolean;
  /** How often the idle listening connection is checked (ms; default 10,000). */
  readonly pingMs?: number;
  /** TLS for the connections (also settable in the URL: `sslmode=require`). */
  readonly ssl?: boolean | ConnectionOptions;
  /** How long to wait for a new connection before failing it (ms; default: no limit). */
  readonly connectTimeoutMs?: number;
}

interface Row {
  [column: string]: unknown;
}

/** A Buffer from `pg` as a Uint8Array of its own (small Buffers share one allocation pool). */
const own = (b: unknown): Uint8Array => new Uint8Array(b as Uint8Array);
const num = (v: unknown): number => Number(v);
/** Largest byte budget passed to SQL when a read has none. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
/** Frames fetched per query of a read; a read with a byte budget stops after the chunk that exceeds it. */
const READ_CHUNK = 256;
/** Rows per INSERT of frames (4 parameters each, under PostgreSQL's 65,535). */
const INSERT_CHUNK = 1000;
/** Most frames of a Transact committed as one statement (`transactOneStatement`, prepared once per frame count). */
const ONE_STATEMENT_FRAMES = 8;
/**
 * A transaction's note, in a transaction of its own that commits without waiting for the WAL
 * flush (`set_config(…, true)`: for this transaction only). A transaction that only notifies
 * writes no WAL before its commit record, so PostgreSQL would not wait for the flush anyway
 * (xact.c, RecordTransactionCommit); the setting says so rather than rely on it. See `sendNote`.
 */
const NOTE_SQL = `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`;

/**
 * The service-store contract (sdk/service/store.ts) on PostgreSQL: one database behind many
 * hosts of one Mesh service. Every host opens the same database with its own instance; they
 * share accounts, frames, records (so one service profile and one set of host keys:
 * `createRecord` is first-writer-wins across hosts) and nonce claims, and each host's watchers
 * hear every host's commits.
 *
 * **Transact** is one database transaction at READ COMMITTED: claim the nonce (an upsert that
 * replaces only an expired claim; zero rows is a replay), lock the accounts (`FOR KEY SHARE`, so a
 * concurrent deletion waits or is waited for — never a deadlock), then, for each update in
 * `compareUpdates` order, one conditional head update `… SET next_index = next_index + k WHERE
 * next_index = $expected` (an insert for a store's first frames): the head row's lock orders
 * the writers of a store, and zero rows updated is the `Conflict` (READ COMMITTED re-checks the
 * condition on the row as the previous writer committed it, so of two writers expecting one
 * index exactly one updates a row). Then the frames and COMMIT; taking head locks in
 * one global order keeps multi-store transactions free of deadlocks.
 *
 * **Guards** (`TransactOptions.guards`: the account as the caller read it, heads of stores it
 * decided on) are conditions read in the transaction's snapshot after the account locks — in
 * the one-statement path, a condition of its head update — with no row lock of their own: a
 * guard adds no lock, so no lock order to keep, and the statement's snapshot holds every commit
 * acknowledged before it began (a revocation acknowledged through another host is seen). The
 * stored profile is compared by its SHA-256, so the profile bytes do not travel with each commit.
 *
 * **Faults.** A connection lost before COMMIT aborts the transaction in the server; it is run
 * again (as are deadlocks and serialization failures, which roll back) until `retryMs`. A
 * connection lost *during* COMMIT leaves the outcome unknown: the store ends the old backend,
 * waits until it is gone, and reads whether the transaction's frames are there: applied, it
 * resolves; not applied, it runs again — so a database restart costs latency, not answers.
 * A nonce claimed in the transaction follows its frames (one commit): applied, the nonce is
 * spent; not applied, it was not, and the run again claims it — or finds it claimed by a copy of
 * the same request committed through another host meanwhile, and is a replay. (Frames found
 * that such a copy wrote are the same request's bytes, so "applied" is then true of the request.)
 * Only a database that stays out of reach past `retryMs` fails a commit whose outcome is
 * unknown (`SERVICE_IO` saying so). Other writes are single statements: lost mid-flight they fail with `SERVICE_IO`
 * whose message says the change may have been applied.
 *
 * **Push.** One `NOTIFY` per transaction on the channel `<schema>.changes` (postgres-notify.ts),
 * heard by every host's listening connection (postgres-listener.ts); a host publishes its own
 * commits to its watchers directly (at once, whether or not its listener is connected) and
 * ignores its own notes. The note of a Transact is sent in a transaction of its own right after
 * the data's COMMIT, not in it (`sendNote` says why: a notifying transaction's commit flush
 * runs one at a time). After the listening connection is re-established the store publishes
 * `resync`: notifications sent meanwhile are lost.
 */
export class PostgresServiceStore implements ServiceStore {
  private readonly feed = new ChangeFeed();
  private closed = false;
  private claimsSincePrune = 0;
  /** This instance's name in notes (random). */
  private readonly host = randomBytes(9).toString('base64url');
  private readonly channel: string;
  private readonly T: { accounts: string; heads: string; frames: string; records: string; nonces: string };
  private listener: ChangeListener | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly limits: StoreLimits,
    private readonly now: () => number,
    private readonly retryMs: number,
  ) {
    const S = quoteIdent(schema);
    this.T = { accounts: `${S}.accounts`, heads: `${S}.heads`, frames: `${S}.frames`, records: `${S}.records`, nonces: `${S}.nonces` };
    this.channel = `${schema}.changes`;
  }

  /**
   * Connects to the database at `url` (`postgres://USER:PASS@HOST:PORT/DB`, the libpq URI
   * syntax), brings the schema to this version (store-schema migrations, safe when several
   * hosts start at once) and starts listening. `SERVICE_IO` when the database cannot be reached.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresServiceStore> {
    const schema = options.schema ?? 'mathmesh';
    if (!SCHEMA_NAME.test(schema)) throw serviceError('SERVICE_BAD_ARGUMENT', `schema name ${JSON.stringify(schema)} is not 1-40 lower-case letters, digits or _`);
    const poolSize = options.poolSize ?? 4;
    if (!(Number.isSafeInteger(poolSize) && poolSize >= 1)) throw serviceError('SERVICE_BAD_ARGUMENT', `pool size ${poolSize} is not a positive integer`);
    const config: pg.PoolConfig = {
      connectionString: url, application_name: 'mathmesh-service', keepAlive: true,
      ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: options.connectTimeoutMs }),
    };
    const pool = new pg.Pool({ ...config, max: poolSize });
    // An idle pooled connection that fails (server restart) is dropped by the pool; without a
    // listener its 'error' would end the process.
    pool.on('error', () => undefined);
    // Likewise a checked-out connection that fails between two queries (pg-pool listens only
    // while a connection is idle): the failure then surfaces as the next query's error.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const now = options.now ?? Date.now;
    const store = new PostgresServiceStore(pool, schema, { ...DEFAULT_LIMITS, ...options.limits }, now, options.retryMs ?? 15_000);
    try {
      await store.retrying('migrate the schema', () => migrate(pool, schema, now()));
      if (options.listen !== false) {
        store.listener = await ChangeListener.start({
          config, channel: store.channel, pingMs: options.pingMs,
          onNote: (payload) => store.onNote(payload),
          onReconnect: () => store.feed.publish([{ type: 'resync' }]),
        });
      }
    } catch (e) {
      await store.close().catch(() => undefined);
      throw ioError('open', e);
    }
    return store;
  }

  /**
   * What the store absorbed: calls run again after a failure that allowed it (`retries`),
   * commits whose outcome had to be looked up after a lost connection (`commitsInDoubt`), and
   * notes of committed transactions that could not be sent to the other hosts (`notesLost`).
   */
  readonly faults = { retries: 0, commitsInDoubt: 0, notesLost: 0 };

  /** How often the listening connection was re-established (a `resync` was published each time). */
  get listenerReconnects(): number {
    return this.listener?.reconnects ?? 0;
  }

  /** The server process id of the listening connection (to test reconnection), if connected. */
  get listenerPid(): number | undefined {
    return this.listener?.backendPid;
  }

  private onNote(payload: string | undefined): void {
    if (this.closed) return;
    const { host, events } = decodeNote(payload);
    if (host !== this.host) this.feed.publish(events);
  }

  private check(): void {
    if (this.closed) throw serviceError('SERVICE_CLOSED', 'the PostgreSQL service store is closed');
  }

  /**
   * Runs `f` until it succeeds, fails in a way that running it again cannot help, or `retryMs`
   * has passed: retried are failures to connect, and errors after which the server rolled the
   * work back — plus, when `idempotent`, any lost connection (a read may simply run again).
   */
  private async retrying<T>(what: string, f: () => Promise<T>, idempotent = true, where?: { account?: string; store?: string }): Promise<T> {
    const deadline = performance.now() + this.retryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await f();
      } catch (e) {
        if (e instanceof ServiceStoreError) throw e;
        const again = e instanceof ConnectFailed || e instanceof NotApplied || rolledBack(e) || (idempotent && connectionLost(e));
        if (!again || this.closed || performance.now() >= deadline) {
          const cause = e instanceof ConnectFailed || e instanceof NotApplied ? e.cause : e;
          if (!idempotent && connectionLost(cause) && !(e instanceof ConnectFailed)) {
            throw serviceError('SERVICE_IO', `PostgreSQL: the connection was lost while trying to ${what}; the change may have been applied`, { ...where, cause });
          }
          throw ioError(what, cause, where);
        }
        this.faults.retries++;
        await sleep(Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
      }
    }
  }

  /** A pooled connection; `ConnectFailed` when none can be had (nothing was sent: safe to retry). */
  private async checkout(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (e) {
      throw new ConnectFailed(e);
    }
  }

  /** One statement on a pooled connection (connection failures marked as such). */
  private async q(text: string, values: unknown[], name?: string): Promise<pg.QueryResult<Row>> {
    const client = await this.checkout();
    try {
      const r = await client.query<Row>(name === undefined ? { text, values } : { name, text, values });
      client.release();
      return r;
    } catch (e) {
      client.release(connectionLost(e) ? (e as Error) : undefined);
      throw e;
    }
  }

  // ---- accounts ----

  async createAccount(account: NewAccount): Promise<AccountRecord> {
    this.check();
    const a = checkNewAccount(account, this.limits, this.now());
    try {
      await this.retrying('create an account', () => this.q(
        `INSERT INTO ${this.T.accounts} (address, profile_udf, status, profile, created) VALUES ($1, $2, $3, $4, $5)`,
        [a.address, a.profileUdf, a.status, a.profile, a.created],
      ), false, { account: a.address });
    } catch (e) {
      const cause = e instanceof ServiceStoreError ? e.cause : e;
      if (sqlState(cause) === '23505') {
        const what = constraintOf(cause)?.includes('profile') ? `profile ${a.profileUdf} is bound to another account` : `account ${a.address} exists`;
        throw serviceError('SERVICE_ALREADY_EXISTS', what, { account: a.address });
      }
      throw e;
    }
    return { ...a, profile: a.profile.slice() };
  }

  private static readonly ACCOUNT_COLUMNS = 'address, profile_udf, status, profile, created';

  async getAccount(address: string): Promise<AccountRecord | undefined> {
    this.check();
    const canonical = canonicalAddress(address);
    const r = await this.retrying('read an account', () => this.q(`SELECT ${PostgresServiceStore.ACCOUNT_COLUMNS} FROM ${this.T.accounts} WHERE address = $1`, [canonical], 'get-account'));
    return r.rows[0] && accountOf(r.rows[0]);
  }

  async findAccountByProfile(profileUdf: string): Promise<AccountRecord | undefined> {
    this.check();
    try {
      checkProfileUdf(profileUdf);
    } catch {
      return undefined; // no account can have it
    }
    const r = await this.retrying('find an account', () => this.q(`SELECT ${PostgresServiceStore.ACCOUNT_COLUMNS} FROM ${this.T.accounts} WHERE profile_udf = $1`, [profileUdf]));
    return r.rows[0] && accountOf(r.rows[0]);
  }

  async updateAccount(address: string, changes: AccountChanges): Promise<AccountRecord> {
    this.check();
    const canonical = canonicalAddress(address);
    const status = changes.status === undefined ? null : checkStatus(changes.status);
    const profile = changes.profile === undefined ? null : checkProfile(canonical, changes.profile, this.limits);
    // Setting the same values again changes nothing, so a retry after a lost connection is harmless.
    const r = await this.retrying('update an account', () => this.q(
      `UPDATE ${this.T.accounts} SET status = COALESCE($2, status), profile = COALESCE($3, profile) WHERE address = $1 RETURNING ${PostgresServiceStore.ACCOUNT_COLUMNS}`,
      [canonical, status, profile],
    ), true, { account: canonical });
    if (!r.rows[0]) throw serviceError('SERVICE_NOT_FOUND', `no account ${canonical}`, { account: canonical });
    return accountOf(r.rows[0]);
  }

  async deleteAccount(address: string): Promise<boolean> {
    this.check();
    const canonical = canonicalAddress(address);
    const event: ServiceEvent = { type: 'deleted', account: canonical };
    // One statement: the deletion (heads and frames go with it, ON DELETE CASCADE) and its note.
    // The note stays inside (unlike a Transact's, see sendNote): deletions are rare, so the one
    // commit flush it serialises costs nothing, and the note cannot be lost without the deletion.
    const r = await this.retrying('delete an account', () => this.q(
      `WITH d AS (DELETE FROM ${this.T.accounts} WHERE address = $1 RETURNING id) SELECT pg_notify($2, $3) FROM d`,
      [canonical, this.channel, encodeNote(this.host, [event])],
    ), false, { account: canonical });
    if (r.rowCount === 0) return false;
    this.feed.publish([event]);
    return true;
  }

  async listAccounts(options: { after?: string; limit?: number } = {}): Promise<AccountRecord[]> {
    this.check();
    const limit = options.limit ?? 1000;
    if (!(Number.isSafeInteger(limit) && limit >= 1)) throw serviceError('SERVICE_BAD_ARGUMENT', `limit ${limit} is not a positive integer`);
    const after = options.after === undefined ? null : canonicalAddress(options.after);
    const r = await this.retrying('list accounts', () => this.q(
      `SELECT ${PostgresServiceStore.ACCOUNT_COLUMNS} FROM ${this.T.accounts} WHERE $1::text IS NULL OR address > $1 ORDER BY address LIMIT $2`,
      [after, limit],
    ));
    return r.rows.map(accountOf);
  }

  // ---- stores ----

  async transact(updates: readonly StoreUpdate[], options: TransactOptions = {}): Promise<TransactResult> {
    this.check();
    // Own copies: the caller's buffers may change while the transaction waits or is retried.
    const checked = checkUpdates(updates, this.limits).map((u) => ({ ...u, frames: u.frames.map((f) => f.slice()), digest: u.digest?.slice() }));
    const claim = options.nonce === undefined ? undefined : checkNonce(options.nonce);
    const guards = checkGuards(options.guards, checked).map((g) => ({ ...g, profileDigest: createHash('sha256').update(g.profile).digest() }));
    const sorted = [...checked].sort(compareUpdates);
    const heads: AccountStoreHead[] = checked.map((u) => withDigest({ account: u.account, store: u.store, nextIndex: u.expectedNextIndex + u.frames.length }, u.digest));
    const events: ServiceEvent[] = heads.map((h) => ({ type: 'change', ...h }));
    const note = encodeNote(this.host, events);
    const single = sorted.length === 1 && sorted[0]!.frames.length <= ONE_STATEMENT_FRAMES && guards.every((g) => g.account === sorted[0]!.account) ? sorted[0]! : undefined;
    await this.retrying('commit a transaction', () => (single ? this.transactOneStatement(single, claim, guards[0], note) : this.transactOnce(sorted, claim, guards, note)), true);
    if (claim !== undefined) this.claimed();
    this.feed.publish(events);
    return { heads };
  }

  /**
   * One attempt. Throws a ServiceStoreError for an answer (conflict, replay, not found, an
   * unresolved commit), anything else for a failure before COMMIT (the server rolled back).
   */
  private async transactOnce(sorted: readonly CheckedUpdate[], claim: NonceClaim | undefined, guards: readonly PgGuard[], note: string): Promise<void> {
    const client = await this.checkout();
    const pid = backendPid(client);
    let ids: Map<string, number> | undefined;
    let committing = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      if (claim) {
        const r = await client.query({ name: 'claim-nonce', text: this.claimSql(), values: [claimId(claim), claim.expires, this.now()] });
        if (r.rowCount === 0) throw serviceError('SERVICE_REPLAY', `nonce of ${claim.key} was already used`);
      }
      // Guarded accounts are locked with the updated ones, in the one address order.
      const addresses = [...new Set([...sorted.map((u) => u.account), ...guards.map((g) => g.account)])];
      const found = await client.query<Row>({
        name: 'lock-accounts',
        text: `SELECT address, id FROM ${this.T.accounts} WHERE address = ANY($1::text[]) ORDER BY address FOR KEY SHARE`,
        values: [addresses],
      });
      ids = new Map(found.rows.map((row) => [row.address as string, num(row.id)]));
      // The guards: plain reads after the locks (no row lock of their own, so no new lock order
      // to keep): the statement's snapshot holds every commit acknowledged before it began.
      const stale = await this.failedGuard((text, values) => client.query<Row>({ name: 'guard-read', text, values }), guards);
      if (stale) throw stale;
      for (const u of sorted) {
        const id = ids.get(u.account);
        if (id === undefined) throw serviceError('SERVICE_NOT_FOUND', `no account ${u.account}`, { account: u.account });
        const k = u.frames.length;
        const digest = u.digest ?? null;
        const r = u.expectedNextIndex === 0
          ? await client.query({
            name: 'head-first',
            // A head row exists only once its store has frames: a row there is the conflict.
            text: `INSERT INTO ${this.T.heads} (account_id, store, next_index, digest) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, store) DO NOTHING`,
            values: [id, u.store, k, digest],
          })
          : await client.query({
            name: 'head-next',
            text: `UPDATE ${this.T.heads} SET next_index = next_index + $4, digest = $5 WHERE account_id = $1 AND store = $2 AND next_index = $3`,
            values: [id, u.store, u.expectedNextIndex, k, digest],
          });
        if (r.rowCount === 0) {
          const actual = await client.query<Row>({ name: 'head-index', text: `SELECT next_index FROM ${this.T.heads} WHERE account_id = $1 AND store = $2`, values: [id, u.store] });
          throw new ServiceConflictError(u.account, u.store, u.expectedNextIndex, num(actual.rows[0]?.next_index ?? 0));
        }
      }
      await this.insertFrames(client, sorted, ids);
      committing = true;
      await client.query('COMMIT');
    } catch (e) {
      if (committing && !(e instanceof ServiceStoreError)) {
        // The outcome is unknown until the old backend is gone; then the frames tell.
        client.release(true);
        this.faults.commitsInDoubt++;
        let applied: boolean;
        try {
          applied = await this.committedAfterAll(pid, sorted, ids!);
        } catch (x) {
          throw serviceError('SERVICE_IO', 'PostgreSQL: the connection was lost while committing a transaction, and the database could not be asked whether it was applied: read its stores to learn', { cause: x });
        }
        if (!applied) throw new NotApplied(e); // known not applied: safe to run again
        this.sendNote(undefined, note);
        return;
      }
      const lost = connectionLost(e);
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      client.release(lost ? (e as Error) : undefined);
      throw e;
    }
    this.sendNote(client, note); // committed: tell the other hosts (releases the connection)
  }

  /**
   * The usual Transact — one store, a few frames, with or without a nonce — as one statement, so
   * one round trip instead of five or six (BEGIN, nonce, lock, head, frames, COMMIT): a statement
   * outside a transaction block is a transaction of its own, all or nothing. Its parts are the
   * ones of {@link transactOnce}: the nonce claimed first (`n`: the upsert that replaces only an
   * expired claim — of two statements claiming one nonce, the second waits for the first's
   * outcome on the unique key, then claims only if the first rolled back), the account locked
   * `FOR KEY SHARE`, the conditional head update (or the first head's insert) made only when the
   * nonce was claimed, then the frames, joined to the head row the update returned, so that
   * when a condition fails nothing is written (and no note is sent after it). One case
   * would leave a write behind: the nonce claimed but the head's condition failed (a conflict,
   * or no account) — then the statement divides by zero on purpose, which rolls all of it back
   * (SQLSTATE 22012, nothing else in it divides), so a conflict claims nothing and the caller
   * may run the transaction again with the same nonce. The statement's COMMIT is part of the one
   * round trip, so a connection lost during it leaves the outcome unknown (resolved as in
   * {@link transactOnce}: by the frames; a nonce claimed with them was claimed by that commit).
   */
  private async transactOneStatement(u: CheckedUpdate, claim: NonceClaim | undefined, guard: PgGuard | undefined, note: string): Promise<void> {
    const client = await this.checkout();
    const pid = backendPid(client);
    const k = u.frames.length;
    const first = u.expectedNextIndex === 0;
    // $1–$5 the update, then the frames, then the nonce claim's id, expiry and now, then the
    // guard's creation time, status, profile digest and (store, next index) pairs.
    const c = 6 + k;
    const gp = claim === undefined ? c : c + 3;
    const claimed = claim === undefined ? '' : 'EXISTS (SELECT 1 FROM n)';
    // The guard (the account as read, the heads of stores it decided on) is a condition of the
    // head update, read in the statement's snapshot: every commit acknowledged before it began.
    // No row lock of its own (the account's FOR KEY SHARE is there already), so no lock order to keep.
    const guardHeads = (guard?.heads ?? []).map((h, i) => ` AND COALESCE((SELECT next_index FROM ${this.T.heads} WHERE account_id = a.id AND store = $${gp + 3 + 2 * i}::text), 0) = $${gp + 4 + 2 * i}::bigint`).join('');
    const from = guard === undefined ? 'a' : 'g';
    const head = first
      // A head row exists only once its store has frames: a row there is the conflict.
      ? `INSERT INTO ${this.T.heads} (account_id, store, next_index, digest) SELECT id, $2::text, $4::bigint, $5::bytea FROM ${from}${claimed && ` WHERE ${claimed}`} ON CONFLICT (account_id, store) DO NOTHING RETURNING account_id`
      : `UPDATE ${this.T.heads} SET next_index = next_index + $4::bigint, digest = $5::bytea WHERE account_id = (SELECT id FROM ${from}) AND store = $2::text AND next_index = $3::bigint${claimed && ` AND ${claimed}`} RETURNING account_id`;
    const tuples = u.frames.map((_, i) => `($3::bigint + ${i}, $${6 + i}::bytea)`).join(', ');
    const text = `WITH a AS (SELECT id${guard === undefined ? '' : `, created = $${gp}::bigint AND status = $${gp + 1}::text AND sha256(profile) = $${gp + 2}::bytea AS same`} FROM ${this.T.accounts} WHERE address = $1 FOR KEY SHARE),
      ${guard === undefined ? '' : `g AS (SELECT id FROM a WHERE same${guardHeads}),`}
      ${claim === undefined ? '' : `n AS (${this.claimSql(`$${c}::bytea`, `$${c + 1}::bigint`, `$${c + 2}::bigint`)} RETURNING 1),`}
      h AS (${head}),
      f AS (INSERT INTO ${this.T.frames} (account_id, store, idx, bytes) SELECT h.account_id, $2::text, v.idx, v.bytes FROM h, (VALUES ${tuples}) AS v (idx, bytes) RETURNING 1)
      SELECT (SELECT id FROM a) AS id, (SELECT count(*) FROM f) AS inserted${guard === undefined ? '' : ', (SELECT count(*) FROM g) AS guarded, (SELECT same FROM a) AS same'}${claim === undefined ? ''
        : ', (SELECT count(*) FROM n) AS claimed, CASE WHEN EXISTS (SELECT 1 FROM n) AND NOT EXISTS (SELECT 1 FROM h) THEN 1 / (SELECT count(*) FROM h)::int END AS undo'}`;
    let r: pg.QueryResult<Row>;
    try {
      r = await client.query<Row>({
        name: `tx1-${first ? 'first' : 'next'}-${k}${claim === undefined ? '' : '-nonce'}${guard === undefined ? '' : `-guard${guard.heads.length}`}`, text,
        values: [
          u.account, u.store, u.expectedNextIndex, k, u.digest ?? null, ...u.frames,
          ...(claim === undefined ? [] : [claimId(claim), claim.expires, this.now()]),
          ...(guard === undefined ? [] : [guard.created, guard.status, guard.profileDigest, ...guard.heads.flatMap((h) => [h.store, h.nextIndex])]),
        ],
      });
    } catch (e) {
      if (!connectionLost(e)) {
        client.release();
        // The nonce was claimed but the head's condition failed: rolled back (see above); which is it?
        if (claim !== undefined && sqlState(e) === '22012') {
          const stale = guard === undefined ? undefined : await this.retrying('read a guard', () => this.failedGuard((text, values) => this.q(text, values, 'guard-read'), [guard]));
          if (stale) throw stale;
          await this.conflictOf(u);
        }
        throw e; // the server ended the statement: it rolled back
      }
      client.release(true);
      this.faults.commitsInDoubt++;
      let applied: boolean;
      try {
        applied = await this.committedAfterAll(pid, [u], undefined);
      } catch (x) {
        throw serviceError('SERVICE_IO', 'PostgreSQL: the connection was lost while committing a transaction, and the database could not be asked whether it was applied: read its stores to learn', { cause: x });
      }
      if (!applied) throw new NotApplied(e);
      this.sendNote(undefined, note);
      return;
    }
    const row = r.rows[0]!;
    if (num(row.inserted) === k) {
      this.sendNote(client, note); // committed: tell the other hosts (releases the connection)
      return;
    }
    client.release();
    if (claim !== undefined && num(row.claimed) === 0) throw serviceError('SERVICE_REPLAY', `nonce of ${claim.key} was already used`);
    if (guard !== undefined && num(row.guarded) === 0) throw staleGuard(guard.account, row.id === null || row.same === false ? 'the account' : 'a guarded store');
    if (row.id === null) throw serviceError('SERVICE_NOT_FOUND', `no account ${u.account}`, { account: u.account });
    // The condition failed: nothing was written. Which index is there now (a read, safe to run again)?
    const actual = await this.retrying('read a head', () => this.q(`SELECT next_index FROM ${this.T.heads} WHERE account_id = $1 AND store = $2`, [num(row.id), u.store]));
    throw new ServiceConflictError(u.account, u.store, u.expectedNextIndex, num(actual.rows[0]?.next_index ?? 0));
  }

  /**
   * The first of `guards` that fails now, as its `SERVICE_STALE` error, or undefined; `run` reads
   * one guard's account and heads (inside a transaction, or on its own).
   */
  private async failedGuard(run: (text: string, values: unknown[]) => Promise<pg.QueryResult<Row>>, guards: readonly PgGuard[]): Promise<ServiceStoreError | undefined> {
    for (const g of guards) {
      const r = await run(
        `SELECT a.created, a.status, sha256(a.profile) AS profile_digest,
           (SELECT COALESCE(json_object_agg(h.store, h.next_index), '{}') FROM ${this.T.heads} h WHERE h.account_id = a.id AND h.store = ANY($2::text[])) AS heads
         FROM ${this.T.accounts} a WHERE a.address = $1`,
        [g.account, g.heads.map((h) => h.store)],
      );
      const row = r.rows[0];
      if (!row || num(row.created) !== g.created || row.status !== g.status || Buffer.compare(row.profile_digest as Buffer, g.profileDigest) !== 0) return staleGuard(g.account, 'the account');
      const heads = row.heads as Record<string, number | string>;
      for (const h of g.heads) if (num(heads[h.store] ?? 0) !== h.nextIndex) return staleGuard(g.account, h.store, h.store);
    }
    return undefined;
  }

  /** Throws what a one-statement transaction that claimed its nonce but failed its head's condition met: no account, or a conflict. */
  private async conflictOf(u: CheckedUpdate): Promise<never> {
    const { head } = await this.headOf(u.account, u.store); // SERVICE_NOT_FOUND without the account
    throw new ServiceConflictError(u.account, u.store, u.expectedNextIndex, head.nextIndex);
  }

  /** The nonce upsert: claims a free or expired claim, and returns no row (writes nothing) for a live one. */
  private claimSql(claim = '$1', expires = '$2', now = '$3'): string {
    return `INSERT INTO ${this.T.nonces} AS n (claim, expires) VALUES (${claim}, ${expires})
            ON CONFLICT (claim) DO UPDATE SET expires = EXCLUDED.expires WHERE n.expires <= ${now}`;
  }

  /**
   * Tells the other hosts of a committed transaction: its note, `pg_notify` in a transaction of
   * its own sent right after the data's COMMIT — on the same connection when the caller has it
   * (released once the note is sent), else on a pooled one — and not awaited: the answer to the
   * caller does not wait for it.
   *
   * Not inside the data's transaction: a transaction that notifies takes a database-wide lock
   * before its commit record and holds it until the commit is flushed (PostgreSQL's async.c:
   * the queue must hold notes in commit order), so the commits of transactions that notify are
   * flushed one at a time, never together — every WAL fsync is paid in a queue, and one slow
   * fsync delays every commit behind it. The note's own transaction commits without waiting for
   * its flush (`synchronous_commit` off for it alone): it holds the lock for microseconds, and
   * losing it in a crash loses nothing a listener keeps (a listener loses its connection too,
   * and resyncs). The data stays durable: its COMMIT was flushed before the note is sent.
   *
   * The price: a host that dies (or loses the database) after the COMMIT and before the note
   * leaves the other hosts' watchers untold of that change until the store's next note (whose
   * index covers it: a client downloads by cursor), their next resync, or their socket's next
   * `heads`. A note that fails is tried again on another connection (a duplicate hint is
   * harmless) until `retryMs`; one given up is counted in `faults.notesLost`. Notes of two
   * hosts' commits to one store may now reach a watcher in either order (each follows its own
   * commit): a hint of an older index after a newer one costs a client a needless look at its
   * cursor, never a wrong state (protocol push.ts: hints; the stores are the truth).
   */
  private sendNote(client: pg.PoolClient | undefined, note: string): void {
    if (client === undefined) {
      void this.noteAgain(note);
      return;
    }
    void client.query({ name: 'note', text: NOTE_SQL, values: [this.channel, note] }).then(() => client.release(), (e: unknown) => {
      client.release(connectionLost(e) ? (e as Error) : undefined);
      return this.noteAgain(note);
    });
  }

  private async noteAgain(note: string): Promise<void> {
    try {
      this.check();
      await this.retrying('send a change note', () => this.q(NOTE_SQL, [this.channel, note], 'note'));
    } catch {
      this.faults.notesLost++;
    }
  }

  /** Inserts every frame of the transaction. */
  private async insertFrames(client: pg.PoolClient, sorted: readonly CheckedUpdate[], ids: Map<string, number>): Promise<void> {
    const rows: unknown[][] = [];
    for (const u of sorted) u.frames.forEach((f, i) => rows.push([ids.get(u.account), u.store, u.expectedNextIndex + i, f]));
    for (let at = 0; at < rows.length; at += INSERT_CHUNK) {
      const chunk = rows.slice(at, at + INSERT_CHUNK);
      const values = chunk.flat();
      const tuples = chunk.map((_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`).join(', ');
      const insert = `INSERT INTO ${this.T.frames} (account_id, store, idx, bytes) VALUES ${tuples}`;
      // Prepared by shape for the usual small transactions; larger ones are parsed each time.
      const name = chunk.length <= 8 ? `frames-${chunk.length}` : undefined;
      await client.query(name === undefined ? { text: insert, values } : { name, text: insert, values });
    }
  }

  /**
   * After a connection lost during COMMIT: ends the old backend if it is still there, waits until
   * it is gone (its transaction then committed or aborted for good), and checks whether the
   * first frame of every update is stored where it was written, byte for byte. Frames are never
   * changed once written, and a transaction is all or nothing, so that answers whether it
   * committed. Keeps trying (the database may be restarting) until `retryMs`.
   */
  private async committedAfterAll(pid: number | undefined, sorted: readonly CheckedUpdate[], ids: Map<string, number> | undefined): Promise<boolean> {
    return this.retrying('learn whether a transaction committed', async () => {
      if (pid !== undefined) {
        await this.q('SELECT pg_terminate_backend($1)', [pid]);
        for (let i = 0; (await this.q('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount !== 0; i++) {
          if (i > 200) throw serviceError('SERVICE_IO', `PostgreSQL: backend ${pid} of a transaction being committed does not end`);
          await sleep(25);
        }
      }
      for (const u of sorted) {
        // Without the account's id (the statement that would have read it is the one in doubt), by address.
        const r = ids === undefined
          ? await this.q(`SELECT f.bytes FROM ${this.T.frames} f JOIN ${this.T.accounts} a ON a.id = f.account_id WHERE a.address = $1 AND f.store = $2 AND f.idx = $3`, [u.account, u.store, u.expectedNextIndex])
          : await this.q(`SELECT bytes FROM ${this.T.frames} WHERE account_id = $1 AND store = $2 AND idx = $3`, [ids.get(u.account), u.store, u.expectedNextIndex]);
        const stored = r.rows[0]?.bytes as Uint8Array | undefined;
        if (!stored || Buffer.compare(stored, u.frames[0]!) !== 0) return false;
      }
      return true;
    });
  }

  async read(account: string, store: string, fromIndex: number, limits?: ReadLimits): Promise<ReadResult> {
    this.check();
    const address = canonicalAddress(account);
    checkStoreName(store);
    checkIndex(fromIndex, 'read index');
    const lim = checkReadLimits(limits);
    const { id, head } = await this.headOf(address, store);
    if (fromIndex > head.nextIndex) {
      throw serviceError('SERVICE_OUT_OF_RANGE', `${store} of ${address} has ${head.nextIndex} frames, cannot read from ${fromIndex}`, { account: address, store });
    }
    // Frames below a committed head never change (until the account is deleted): later chunks
    // need no snapshot shared with the head's.
    const frames: Uint8Array[] = [];
    let at = fromIndex;
    let budget = lim.maxBytes === Infinity ? NO_LIMIT : lim.maxBytes;
    while (at < head.nextIndex && frames.length < lim.maxEntries) {
      const want = Math.min(READ_CHUNK, head.nextIndex - at, lim.maxEntries === Infinity ? READ_CHUNK : lim.maxEntries - frames.length);
      const r = await this.retrying('read frames', () => this.q(
        `SELECT idx, bytes FROM (
           SELECT idx, bytes, sum(octet_length(bytes)) OVER (ORDER BY idx) AS upto
           FROM ${this.T.frames} WHERE account_id = $1 AND store = $2 AND idx >= $3 AND idx < $4
         ) s WHERE upto <= $5 OR idx = $6 ORDER BY idx`,
        [id, store, at, at + want, budget, fromIndex], 'read-frames',
      ), true, { account: address, store });
      if (r.rows.length === 0 || num(r.rows[0]!.idx) !== at) throw serviceError('SERVICE_NOT_FOUND', `no account ${address}`, { account: address });
      for (const row of r.rows) {
        const f = own(row.bytes);
        frames.push(f);
        budget -= f.length;
      }
      at += r.rows.length;
      if (r.rows.length < want) break; // the byte budget ended it
    }
    return { frames, fromIndex, nextIndex: at, head, partial: at < head.nextIndex };
  }

  private async headOf(address: string, store: string): Promise<{ id: number; head: StoreHead }> {
    const r = await this.retrying('read a head', () => this.q(
      `SELECT a.id, h.next_index, h.digest FROM ${this.T.accounts} a LEFT JOIN ${this.T.heads} h ON h.account_id = a.id AND h.store = $2 WHERE a.address = $1`,
      [address, store], 'head',
    ), true, { account: address, store });
    const row = r.rows[0];
    if (!row) throw serviceError('SERVICE_NOT_FOUND', `no account ${address}`, { account: address });
    return { id: num(row.id), head: withDigest({ store, nextIndex: num(row.next_index ?? 0) }, row.digest == null ? undefined : own(row.digest)) };
  }

  async head(account: string, store: string): Promise<StoreHead> {
    this.check();
    const address = canonicalAddress(account);
    checkStoreName(store);
    return (await this.headOf(address, store)).head;
  }

  async heads(account: string): Promise<StoreHead[]> {
    this.check();
    const address = canonicalAddress(account);
    const r = await this.retrying('read heads', () => this.q(
      `SELECT h.store, h.next_index, h.digest FROM ${this.T.accounts} a LEFT JOIN ${this.T.heads} h ON h.account_id = a.id WHERE a.address = $1 ORDER BY h.store`,
      [address], 'heads',
    ), true, { account: address });
    if (r.rows.length === 0) throw serviceError('SERVICE_NOT_FOUND', `no account ${address}`, { account: address });
    return r.rows.filter((row) => row.store !== null).map((row) => withDigest({ store: row.store as string, nextIndex: num(row.next_index) }, row.digest == null ? undefined : own(row.digest)));
  }

  watch(options?: WatchOptions): ServiceWatch {
    this.check();
    return this.feed.watch(options);
  }

  // ---- records ----

  async getRecord(name: string): Promise<Uint8Array | undefined> {
    this.check();
    checkRecordName(name);
    const r = await this.retrying('read a record', () => this.q(`SELECT value FROM ${this.T.records} WHERE name = $1`, [name]));
    return r.rows[0] && own(r.rows[0].value);
  }

  async putRecord(name: string, value: Uint8Array): Promise<void> {
    this.check();
    checkRecordValue(checkRecordName(name), value, this.limits);
    const bytes = value.slice();
    // Writing the same value again is harmless: safe to retry.
    await this.retrying('write a record', () => this.q(
      `INSERT INTO ${this.T.records} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [name, bytes],
    ));
  }

  async createRecord(name: string, value: Uint8Array): Promise<Uint8Array> {
    this.check();
    checkRecordValue(checkRecordName(name), value, this.limits);
    const bytes = value.slice();
    // Insert if free, else read the winner's; a retry finds its own value as the winner's.
    for (;;) {
      const ins = await this.retrying('create a record', () => this.q(`INSERT INTO ${this.T.records} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, bytes]));
      if (ins.rowCount === 1) return bytes.slice();
      const stored = await this.getRecord(name);
      if (stored) return stored; // else deleted in between: try again
    }
  }

  async deleteRecord(name: string): Promise<boolean> {
    this.check();
    checkRecordName(name);
    const r = await this.retrying('delete a record', () => this.q(`DELETE FROM ${this.T.records} WHERE name = $1`, [name]), false);
    return r.rowCount === 1;
  }

  async listRecords(options: { after?: string; limit?: number } = {}): Promise<string[]> {
    this.check();
    const { after, limit } = checkListOptions(options);
    const r = await this.retrying('list records', () => this.q(`SELECT name FROM ${this.T.records} WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2`, [after ?? null, limit]));
    return r.rows.map((row) => row.name as string);
  }

  // ---- nonces ----

  async claimNonce(claim: NonceClaim): Promise<boolean> {
    this.check();
    const c = checkNonce(claim);
    const r = await this.retrying('claim a nonce', () => this.q(this.claimSql(), [claimId(c), c.expires, this.now()], 'claim-nonce'), false);
    this.claimed();
    return r.rowCount === 1;
  }

  /** Counts a claim; expired claims are dropped now and then, so the table holds about one window of nonces. */
  private claimed(): void {
    if (++this.claimsSincePrune >= 1024) {
      this.claimsSincePrune = 0;
      void this.q(`DELETE FROM ${this.T.nonces} WHERE expires <= $1`, [this.now()]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed.close();
    await this.listener?.close();
    // Waits for calls in flight to hand their connections back.
    await this.pool.end().catch(() => undefined);
  }
}

/** A checked guard with the SHA-256 of its profile bytes (compared with the stored profile's in SQL). */
interface PgGuard extends CheckedGuard {
  readonly profileDigest: Buffer;
}

/** A connection could not be had: nothing was sent, so anything may be tried again. */
/** The server process behind a connection (what a commit in doubt is resolved against). */
function backendPid(client: pg.PoolClient): number | undefined {
  return (client as unknown as { processID?: number }).processID;
}

class ConnectFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('could not connect');
  }
}

/** A transaction whose COMMIT failed is known not to have been applied: safe to run again. */
class NotApplied extends Error {
  constructor(override readonly cause: unknown) {
    super('not applied');
  }
}

/** The key of a nonce claim in the table: SHA-256 of its length-prefixed key and nonce. */
function claimId(claim: NonceClaim): Buffer {
  return createHash('sha256').update(nonceKey(claim)).digest();
}

function accountOf(row: Row): AccountRecord {
  return {
    address: row.address as string,
    profileUdf: row.profile_udf as string,
    status: row.status as AccountStatus,
    profile: own(row.profile),
    created: num(row.created),
  };
}

/** Adds `digest` (a copy) when there is one: an absent digest is an absent member, not `undefined`. */
function withDigest<T extends object>(o: T, digest: Uint8Array | undefined): T & { digest?: Uint8Array } {
  return digest === undefined ? o : { ...o, digest: digest.slice() };
}
