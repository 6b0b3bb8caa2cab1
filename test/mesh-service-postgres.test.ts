import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { PostgresServiceStore } from '../adapters/service-store/postgres.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { main } from '../sdk/cli/main.js';
import { MeshClient } from '../sdk/client/index.js';
import { base64urlDecode } from '../sdk/encoding/base64url.js';
import type { CatalogedCredential } from '../sdk/mesh/index.js';
import { MeshHttpClient } from '../sdk/protocol/client.js';
import { EmbeddedServiceStore } from '../sdk/service/embedded/embedded-store.js';
import { MeshServiceError } from '../sdk/service/mesh/errors.js';
import { IDENTITY_RECORD, PROFILE_RECORD, openServiceRecord } from '../sdk/service/mesh/identity.js';
import { NodeWebSocket } from '../adapters/http/node-push.js';
import { boundAccount, testService, type TestDevice } from './support/mesh-service.js';
import { describePostgres, dropSchemas, freshSchema, sql } from './support/postgres.js';
import { dumpServiceStore } from './support/service-store-dump.js';

/**
 * The Mesh service on PostgreSQL (protocol.md §5; mesh-model.md §4 "Service seed", "Host"):
 * `mesh service start --store postgres://…`, the identity every host shares (sealed in the
 * database, one identity however many hosts start at once), the secret every host must hold,
 * and `mesh service export` / `import` between the embedded store and PostgreSQL, byte for byte.
 */

const secretA = Buffer.alloc(32, 7).toString('base64url');
const secretB = Buffer.alloc(32, 9).toString('base64url');

function locationOf(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function mesh(env: Record<string, string | undefined>, ...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { ...nodeIo, stdout: (t) => void (out += t), stderr: (t) => void (err += t), env };
  const status = await main(args, io);
  return { status, out, err };
}

async function putPassword(d: TestDevice, site: string, password: string): Promise<void> {
  const c = await d.account.catalog('credential');
  try {
    await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'alice', Password: password });
  } finally {
    await c.close();
  }
}

async function password(d: TestDevice, site: string): Promise<string | undefined> {
  const c = await d.account.catalog('credential');
  try {
    return (c.get(`:${site}`) as CatalogedCredential | undefined)?.Password;
  } finally {
    await c.close();
  }
}

describePostgres('Mesh service on PostgreSQL: one identity, one secret, export and import', (url) => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'mathmesh-pgsvc-'));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchemas(url);
  });

  it('three hosts starting at once on an empty database make exactly one identity; Hello through each names it; a later host is the same service', async () => {
    const schema = freshSchema();
    const store = locationOf(url, schema);
    const env = { MESH_SERVICE_SECRET: secretA };
    const hosts = await Promise.all([0, 1, 2].map(() => testService({ store, env, data: tmp() })));
    try {
      const udfs = new Set(hosts.map((h) => h.udf));
      expect(udfs.size).toBe(1);
      for (const h of hosts) {
        expect(h.location).not.toContain(new URL(url).password);
        expect((await new MeshHttpClient({ endpoint: h.endpoint }).hello()).profile.udf).toBe(hosts[0]!.udf);
      }
      const records = await sql<{ name: string }>(url, `SELECT name FROM "${schema}".records WHERE name LIKE 'mmm.service.%' ORDER BY name`);
      expect(records.map((r) => r.name)).toEqual([IDENTITY_RECORD, PROFILE_RECORD]);
      const later = await testService({ store, env, data: tmp() });
      expect(later.udf).toBe(hosts[0]!.udf);
      await later.stop();
    } finally {
      await Promise.all(hosts.map((h) => h.stop()));
    }
  }, 60_000);

  it('the host keys are sealed at rest: the database row holds neither seed nor secret; a host with another secret, or none, does not serve (and invents none)', async () => {
    const schema = freshSchema();
    const store = locationOf(url, schema);
    const host = await testService({ store, env: { MESH_SERVICE_SECRET: secretA }, data: tmp() });
    await host.stop();
    const [row] = await sql<{ value: Buffer }>(url, `SELECT value FROM "${schema}".records WHERE name = $1`, [IDENTITY_RECORD]);
    const raw = row!.value.toString('latin1');
    const seeds = openServiceRecord(base64urlDecode(secretA), IDENTITY_RECORD, new Uint8Array(row!.value));
    for (const seed of [seeds['serviceSeed']!, seeds['hostSeed']!]) {
      expect(seed.length).toBeGreaterThan(20);
      expect(raw).not.toContain(seed);
    }
    expect(raw).not.toContain(secretA);
    expect(raw).not.toContain(Buffer.from(base64urlDecode(secretA)).toString('latin1'));
    // Another secret: refused, nothing created.
    await expect(testService({ store, env: { MESH_SERVICE_SECRET: secretB }, data: tmp() })).rejects.toMatchObject({ code: 'SERVICE_BAD_SECRET' });
    // No secret at all on a shared store: refused with how to make one, and no secret file appears.
    const bare = tmp();
    const none = await testService({ store, env: {}, data: bare }).then(() => undefined, (e: unknown) => e);
    expect(none).toBeInstanceOf(MeshServiceError);
    expect((none as MeshServiceError).code).toBe('SERVICE_BAD_CONFIG');
    expect((none as MeshServiceError).message).toContain('mesh service secret --to FILE');
    expect(existsSync(join(bare, 'service.secret'))).toBe(false);
    // The CLI: one line, no trace, no password.
    const r = await mesh({ MESH_STORE: store }, 'service', 'start', '--port', '0', '--data', bare);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^mesh: SERVICE_BAD_CONFIG: no service secret: .*\n$/);
    expect(r.err).not.toContain(new URL(url).password);
    // A wrong password: one line at once, naming the failure, never either password.
    const wrong = new URL(store);
    wrong.password = 'not-the-password-42';
    const w = await mesh({ MESH_STORE: wrong.toString(), MESH_SERVICE_SECRET: secretA }, 'service', 'start', '--port', '0', '--data', bare);
    expect(w.status).toBe(2);
    expect(w.err).toMatch(/^mesh: SERVICE_IO: PostgreSQL: .*28P01 password authentication failed.*\n$/);
    expect(w.err).not.toContain('not-the-password-42');
    expect(w.err).not.toContain(new URL(url).password);
    // The secret command makes one (0600) that hosts can share, and never replaces it.
    const file = join(bare, 'shared.secret');
    expect((await mesh({}, 'service', 'secret', '--to', file)).status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(base64urlDecode(readFileSync(file, 'utf8').trim()).length).toBe(32);
    const again = await mesh({}, 'service', 'secret', '--to', file);
    expect(again.status).toBe(2);
    expect(again.err).toContain('exists already');
  }, 60_000);

  it('export embedded → PostgreSQL → embedded: frames, records and heads identical; same service UDF; the account syncs on the copy', async () => {
    const data = tmp();
    const embedded = await testService({ data });
    const udf = embedded.udf;
    const alice = await boundAccount(embedded.endpoint, 'alice@example.com', { WebSocket: NodeWebSocket });
    await putPassword(alice, 'ftp.example.com', 'before');
    expect((await alice.client.sync()).uploaded).toBe(1);
    // While the service runs, its store is not copied (the embedded store's directory lock).
    const running = await mesh({}, 'service', 'export', '--data', data, '--to', locationOf(url, freshSchema()));
    expect(running.status).toBe(2);
    expect(running.err).toMatch(/^mesh: SERVICE_LOCKED: /);
    await embedded.close();

    const schema = freshSchema();
    const pg = locationOf(url, schema);
    // A source that holds no service (a mistyped location) is refused, not "copied".
    const empty = await mesh({}, 'service', 'import', '--from', `file:${tmp()}`, '--store', pg);
    expect(empty.status).toBe(2);
    expect(empty.err).toContain('holds no Mesh service');
    const missing = join(tmp(), 'nowhere');
    const none = await mesh({}, 'service', 'import', '--from', missing, '--store', pg);
    expect(none.err).toContain('does not exist');
    expect(existsSync(missing)).toBe(false);
    // The embedded service is stopped (its directory lock keeps a copy from reading it while it runs).
    const out = await mesh({}, 'service', 'export', '--data', data, '--to', pg, '--json');
    expect(out.err).toBe('');
    expect(out.status).toBe(0);
    const report = JSON.parse(out.out) as { accounts: number; frames: number; records: number; to: string };
    expect(report).toMatchObject({ accounts: 1 });
    expect(report.frames).toBeGreaterThan(5);
    expect(report.to).not.toContain(new URL(url).password);
    // A second export into the now non-empty target is refused.
    const twice = await mesh({}, 'service', 'export', '--data', data, '--to', pg);
    expect(twice.status).toBe(2);
    expect(twice.err).toContain('SERVICE_ALREADY_EXISTS');

    const source = await EmbeddedServiceStore.open(new NodeServiceFiles(join(data, 'store')));
    const copy = await PostgresServiceStore.open(url, { schema, listen: false, poolSize: 2 });
    const original = await dumpServiceStore(source);
    expect([...original.keys()].some((k) => k.startsWith(`record ${IDENTITY_RECORD}`))).toBe(true);
    expect(await dumpServiceStore(copy)).toEqual(original);
    await copy.close();
    await source.close();

    // The same data directory (its secret) on PostgreSQL: the same service, and Alice syncs on.
    const onPg = await testService({ data, store: pg });
    try {
      expect(onPg.udf).toBe(udf);
      const client = new MeshClient(alice.account, { endpoint: onPg.endpoint, WebSocket: NodeWebSocket });
      expect((await client.sync()).downloaded).toBe(0);
      await putPassword(alice, 'ftp.example.com', 'after');
      expect((await client.sync()).uploaded).toBe(1);
      const status = await client.status();
      expect(status.serviceUdf).toBe(udf);
      for (const s of status.stores) expect(s.index + 1).toBe(s.local);
    } finally {
      await onPg.close();
    }
    expect(await password(alice, 'ftp.example.com')).toBe('after');

    // And back: import from PostgreSQL into a fresh embedded store, byte for byte.
    const back = tmp();
    const imp = await mesh({}, 'service', 'import', '--from', pg, '--store', `file:${join(back, 'store')}`, '--json');
    expect(imp.err).toBe('');
    expect(imp.status).toBe(0);
    const pgStore = await PostgresServiceStore.open(url, { schema, listen: false, poolSize: 2 });
    const returned = await EmbeddedServiceStore.open(new NodeServiceFiles(join(back, 'store')));
    try {
      const onPgDump = await dumpServiceStore(pgStore);
      expect(await dumpServiceStore(returned)).toEqual(onPgDump);
      expect(onPgDump.size).toBeGreaterThan(original.size);
    } finally {
      await returned.close();
      await pgStore.close();
    }
  }, 120_000);
});
