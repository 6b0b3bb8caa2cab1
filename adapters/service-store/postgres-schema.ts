import type { Pool } from 'pg';
import { serviceError } from '../../sdk/service/store-errors.js';

/**
 * The PostgreSQL store's schema and its versioned migrations, which the store runs itself when
 * it opens: every host of a service opens the same database, possibly at the same moment, so
 * the migrations run in one transaction under a transaction-scoped advisory lock (one per
 * schema): the first host migrates, the others wait for it and then find nothing to do. DDL is
 * transactional in PostgreSQL, so a migration that fails leaves the previous version intact.
 *
 * Version 1:
 * - `accounts(id, address, profile_udf, status, profile, created)` — address and profile UDF
 *   unique; `id` is never reused, so a new account at a deleted address starts empty.
 * - `heads(account_id, store, next_index, digest)` — one row per store that has frames: the
 *   row a transaction updates conditionally (`… WHERE next_index = $expected`), whose row lock
 *   orders the writers of a store.
 * - `frames(account_id, store, idx, bytes)` — the frames byte for byte (stored uncompressed:
 *   DARE frames are mostly ciphertext, compressing them is wasted work).
 * - `records(name, value)`; `nonces(claim, expires)` — `claim` is SHA-256 of the claim's key and
 *   nonce (bounded size for the index, whatever the key's length).
 * Names and labels compare byte-wise (`COLLATE "C"`): the order the contract's `compareUpdates`
 * uses for these ASCII-led keys.
 */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

/** The migrations in order: index i brings the schema from version i to i + 1. `S` is the quoted schema. */
const MIGRATIONS: readonly ((S: string) => string)[] = [
  (S) => `
    CREATE TABLE ${S}.accounts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      address text COLLATE "C" NOT NULL UNIQUE,
      profile_udf text COLLATE "C" NOT NULL UNIQUE,
      status text NOT NULL CHECK (status IN ('pending', 'connected', 'blocked')),
      profile bytea NOT NULL,
      created bigint NOT NULL
    );
    CREATE TABLE ${S}.heads (
      account_id bigint NOT NULL REFERENCES ${S}.accounts (id) ON DELETE CASCADE,
      store text COLLATE "C" NOT NULL,
      next_index bigint NOT NULL CHECK (next_index > 0),
      digest bytea,
      PRIMARY KEY (account_id, store)
    );
    CREATE TABLE ${S}.frames (
      account_id bigint NOT NULL,
      store text COLLATE "C" NOT NULL,
      idx bigint NOT NULL CHECK (idx >= 0),
      bytes bytea NOT NULL,
      PRIMARY KEY (account_id, store, idx),
      FOREIGN KEY (account_id, store) REFERENCES ${S}.heads (account_id, store) ON DELETE CASCADE
    );
    ALTER TABLE ${S}.frames ALTER COLUMN bytes SET STORAGE EXTERNAL;
    CREATE TABLE ${S}.records (
      name text COLLATE "C" PRIMARY KEY,
      value bytea NOT NULL
    );
    CREATE TABLE ${S}.nonces (
      claim bytea PRIMARY KEY,
      expires bigint NOT NULL
    );
    CREATE INDEX nonces_expires ON ${S}.nonces (expires);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A quoted SQL identifier (the names passed here are checked against {@link SCHEMA_NAME} first). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Advisory lock class of the migrations ('mmsv'); the second key is the schema's hash. */
const LOCK_CLASS = 0x6d6d7376;

/**
 * Brings `schema` to {@link SCHEMA_VERSION}, creating it if needed; returns the version found
 * before. `SERVICE_CORRUPT` when the database is at a newer version than this code knows (a
 * newer mathmesh migrated it: run that one).
 */
export async function migrate(pool: Pool, schema: string, now: number): Promise<number> {
  const S = quoteIdent(schema);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${S}.schema_migrations (version integer PRIMARY KEY, applied bigint NOT NULL)`);
    const found = Number((await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${S}.schema_migrations`)).rows[0]?.v ?? 0);
    if (found > SCHEMA_VERSION) {
      throw serviceError('SERVICE_CORRUPT', `PostgreSQL schema ${schema} is at version ${found}, this mathmesh knows versions up to ${SCHEMA_VERSION}: open it with a newer one`);
    }
    for (let v = found; v < SCHEMA_VERSION; v++) {
      await client.query(MIGRATIONS[v]!(S));
      await client.query(`INSERT INTO ${S}.schema_migrations (version, applied) VALUES ($1, $2)`, [v + 1, now]);
    }
    await client.query('COMMIT');
    return found;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw e;
  } finally {
    client.release(broken);
  }
}
