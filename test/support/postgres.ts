import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, it } from 'vitest';

/**
 * The PostgreSQL server of the PostgreSQL store tests: `MESH_TEST_POSTGRES`
 * (postgres://USER:PASS@HOST:PORT/DB; `.ci/run` starts a private one with
 * scripts/test-postgres.sh). Without it the suites are skipped with a message saying so — unless
 * `MESH_TEST_POSTGRES_REQUIRED=1` (CI), where a missing server fails them.
 */
export const POSTGRES_URL = process.env.MESH_TEST_POSTGRES || undefined;
export const POSTGRES_REQUIRED = process.env.MESH_TEST_POSTGRES_REQUIRED === '1';
const NO_SERVER = 'no PostgreSQL server: set MESH_TEST_POSTGRES=postgres://USER:PASS@HOST:PORT/DB (env=$(bash scripts/test-postgres.sh start) && eval "$env" starts one)';

/** `describe` when a server is configured; else skipped (with the reason in its title), or failing where one is required. */
export function describePostgres(name: string, body: (url: string) => void): void {
  if (POSTGRES_URL) describe(name, () => body(POSTGRES_URL));
  else if (POSTGRES_REQUIRED) describe(name, () => it('has its PostgreSQL server', () => { throw new Error(`MESH_TEST_POSTGRES_REQUIRED=1 but ${NO_SERVER}`); }));
  else {
    // Printed, not only in the title: reporters list skipped files without their titles.
    console.warn(`${name}: skipped, ${NO_SERVER}`);
    describe.skip(`${name} — skipped: ${NO_SERVER}`, () => body(''));
  }
}

/** A fresh schema name (each test's store starts empty); {@link dropSchemas} removes them. */
const made: string[] = [];
export function freshSchema(): string {
  const s = `t_${randomBytes(6).toString('hex')}`;
  made.push(s);
  return s;
}

/** Drops every schema {@link freshSchema} named. */
export async function dropSchemas(url: string): Promise<void> {
  if (!url || made.length === 0) return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const s of made.splice(0)) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await c.end();
  }
}

/** One statement on a connection of its own (test setup and inspection). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

const script = resolve(import.meta.dirname, '..', '..', 'scripts', 'test-postgres.sh');
const run = promisify(execFile);

/** A private server of a test's own (scripts/test-postgres.sh), for tests that restart it. */
export interface PrivateServer {
  readonly url: string;
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a private server, or says why none can be started here. */
export async function startPrivateServer(): Promise<PrivateServer | string> {
  let out: string;
  try {
    out = (await run('bash', [script, 'start'], { timeout: 300_000 })).stdout;
  } catch (e) {
    return `scripts/test-postgres.sh could not start a server: ${(e as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(e)}`;
  }
  const env = Object.fromEntries([...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  const url = env.MESH_TEST_POSTGRES!;
  const data = env.MESH_TEST_POSTGRES_DATA!;
  return {
    url,
    restart: async (mode) => void (await run('bash', [script, 'restart', data, mode], { timeout: 120_000 })),
    stop: async () => void (await run('bash', [script, 'stop', data], { timeout: 120_000 })),
  };
}

/**
 * The statements every `pg` client sends while `f` runs (BEGIN, COMMIT, nonce claims and the
 * pool's `SELECT 1` checks included): counts a store's round trips.
 */
export async function statementsOf<T>(f: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const statements: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    statements.push(typeof q === 'string' ? q : q.text ?? '');
    return original.apply(this, args);
  };
  try {
    return { result: await f(), statements };
  } finally {
    proto.query = original;
  }
}
