import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NodeWebSocket } from '../adapters/http/node-push.js';
import { PostgresServiceStore } from '../adapters/service-store/postgres.js';
import { MeshClient, pushTicketSource, type WatchEvent } from '../sdk/client/index.js';
import type { AccessCapability, CatalogedAccess, CatalogedCredential } from '../sdk/mesh/index.js';
import { MeshHttpClient, MeshProtocolError, UnauthenticatedResponseError } from '../sdk/protocol/index.js';
import { boundAccount, secondDevice, type TestDevice } from './support/mesh-service.js';
import { failoverBalancer, spawnHost, type ChildHost } from './support/mesh-service-hosts.js';
import { POSTGRES_REQUIRED, describePostgres, dropSchemas, freshSchema, startPrivateServer } from './support/postgres.js';

/**
 * One Mesh service as two hosts (two `mesh service start` processes on loopback) in front of one
 * PostgreSQL database (protocol.md §2, §5): a device watching host B hears a change committed
 * through host A; Transacts racing through both hosts on one store — exactly one wins each
 * expected index, the other gets Conflict and its sync applies the conflict rule, nothing is
 * lost; a Transact applied through one host whose answer was lost completes through the other
 * without a duplicate; a device revoked through one host is refused by the other at once; a signed request is
 * used once whichever host it reaches; a host killed with SIGKILL under load (clients go on
 * through the other host, behind a balancer); PostgreSQL restarted under load (hosts and clients
 * recover). In every fault run, every edit a client had acknowledged is on the service
 * afterwards, and reaches a device that only watches.
 */

const SECRET = Buffer.alloc(32, 0x5a).toString('base64url');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function locationOf(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function putPassword(d: { account: TestDevice['account'] }, site: string, password: string): Promise<void> {
  const c = await d.account.catalog('credential');
  try {
    await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'alice', Password: password });
  } finally {
    await c.close();
  }
}

async function sites(d: { account: TestDevice['account'] }): Promise<Map<string, string>> {
  const c = await d.account.catalog('credential');
  try {
    return new Map((c.list() as CatalogedCredential[]).map((e) => [e.Service!, e.Password!]));
  } finally {
    await c.close();
  }
}

/** Follows a watch in the background: its events, and whether its socket is open. */
function follow(client: MeshClient): { events: WatchEvent[]; open: () => boolean; opened: number; ended: unknown; close(): Promise<void> } {
  let open = false;
  const state = { events: [] as WatchEvent[], open: () => open, opened: 0, ended: undefined as unknown, close: async () => undefined as void };
  const watch = client.watch({
    onStatus: (s) => {
      if (s.socket === 'open' && !open) state.opened++;
      open = s.socket === 'open';
    },
  });
  let closing = false;
  const loop = (async () => {
    for await (const e of watch) state.events.push(e);
    if (!closing) state.ended = 'ended by itself';
  })().catch((e: unknown) => void (state.ended = e ?? 'failed'));
  state.close = async () => {
    closing = true;
    watch.close();
    await loop;
  };
  return state;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/**
 * A device editing one password after another, each acknowledged once a sync returned (the
 * service accepted it); a sync that fails (a host gone, the database restarting) is retried.
 */
async function writer(d: { account: TestDevice['account']; client: MeshClient }, name: string, acks: string[], stop: () => boolean, failures: string[]): Promise<void> {
  for (let i = 0; !stop(); i++) {
    const site = `${name}-${i}.example.com`;
    await putPassword(d, site, site);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await d.client.sync();
        break;
      } catch (e) {
        failures.push(`${name}: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`.slice(0, 200));
        if (Date.now() > deadline) throw e;
        await sleep(100);
      }
    }
    acks.push(site);
  }
}

/**
 * The status a refusal names: 403 DeviceRevoked signed by the service, or a 401/403 the service
 * could not sign for a key it no longer admits (an unsigned refusal names it as `claimed`).
 * 0 when `e` is no refusal (a success, or another failure).
 */
function refusedStatus(e: unknown): number {
  const claimed = e instanceof UnauthenticatedResponseError ? e.claimed : e;
  return claimed instanceof MeshProtocolError && (claimed.status === 401 || claimed.status === 403) ? claimed.status : 0;
}

/** An account's devices: an administrator and a phone that write, a tablet that only watches. */
interface Family {
  readonly admin: TestDevice;
  readonly phone: TestDevice;
  readonly tablet: TestDevice;
  readonly watch: ReturnType<typeof follow>;
  /** Edits acknowledged on this account. */
  readonly acks: string[];
}

async function family(address: string, adminAt: string, phoneAt: string, tabletAt: string): Promise<Family> {
  const admin = await boundAccount(adminAt, address, { WebSocket: NodeWebSocket });
  const phone = await secondDevice(admin, ['web'], { endpoint: phoneAt });
  const tablet = await secondDevice(admin, ['web'], { endpoint: tabletAt });
  await phone.client.sync();
  await tablet.client.sync();
  return { admin, phone, tablet, watch: follow(tablet.client), acks: [] };
}

/** Every family's admin and phone writing until stopped. */
function startLoad(families: readonly Family[]): { acks(): number; failures: string[]; stop(): Promise<void> } {
  let stop = false;
  const failures: string[] = [];
  const running = Promise.all(families.flatMap((f, i) => [
    writer(f.admin, `admin${i}`, f.acks, () => stop, failures), writer(f.phone, `phone${i}`, f.acks, () => stop, failures),
  ]));
  return {
    acks: () => families.reduce((n, f) => n + f.acks.length, 0),
    failures,
    stop: async () => {
      stop = true;
      await running;
    },
  };
}

/**
 * Every acknowledged edit is on the service: each writer gets the other's by a sync, and the
 * watching tablet takes them all by push; no watch ended.
 */
async function checkFamilies(families: readonly Family[]): Promise<void> {
  for (const f of families) {
    await f.admin.client.sync();
    await f.phone.client.sync();
    for (const d of [f.admin, f.phone]) {
      const s = await sites(d);
      expect(f.acks.filter((x) => !s.has(x)), 'acknowledged edits missing').toEqual([]);
    }
    await until('the tablet took every acknowledged edit by push', async () => {
      const s = await sites(f.tablet);
      return f.acks.every((x) => s.has(x));
    }, 30_000);
    expect(f.watch.ended, 'the watch went on').toBeUndefined();
  }
}

describePostgres('Mesh service on PostgreSQL: two hosts', (url) => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'mathmesh-pghosts-'));
    dirs.push(d);
    return d;
  };
  const hosts: ChildHost[] = [];
  let schema: string;
  let a: ChildHost;
  let b: ChildHost;

  beforeAll(async () => {
    schema = freshSchema();
    // Both at once on an empty schema: one identity.
    [a, b] = await Promise.all([0, 1].map(() => spawnHost({ store: locationOf(url, schema), secret: SECRET, data: tmp() })));
    hosts.push(a!, b!);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchemas(url);
  });

  it('two host processes started at once on an empty database are one service (one ProfileService UDF)', () => {
    expect(a.udf).toMatch(/^M[A-Z0-9-]+$/);
    expect(b.udf).toBe(a.udf);
    expect(b.port).not.toBe(a.port);
  });

  it('a device watching host B receives a change committed through host A', async () => {
    const admin = await boundAccount(a.endpoint, 'alice@example.com', { WebSocket: NodeWebSocket });
    const phone = await secondDevice(admin, ['web'], { endpoint: b.endpoint });
    await phone.client.sync();
    const watch = follow(phone.client);
    try {
      await until('the phone\'s socket on host B is open', () => watch.open());
      await putPassword(admin, 'ftp.example.com', 'through-a');
      const t0 = performance.now();
      expect((await admin.client.sync()).uploaded).toBe(1);
      const committed = performance.now();
      await until('the phone took the change', () => watch.events.some((e) => e.store === 'MMM_Credential'));
      const arrived = performance.now();
      expect(watch.events.find((e) => e.store === 'MMM_Credential')!.downloaded).toBeGreaterThanOrEqual(1);
      expect((await sites(phone)).get('ftp.example.com')).toBe('through-a');
      console.log(`push across hosts: sync through A ${(committed - t0).toFixed(0)} ms, then taken on B's device ${(arrived - committed).toFixed(0)} ms later (download included)`);
    } finally {
      await watch.close();
    }
  }, 60_000);

  it('Transacts racing through both hosts on one store: exactly one wins each expected index, the other gets Conflict, its sync applies the rule; nothing is lost', async () => {
    const one = await boundAccount(a.endpoint, 'bob@example.com', { WebSocket: NodeWebSocket });
    const two = await secondDevice(one, ['web'], { endpoint: b.endpoint });
    await two.client.sync();
    const db = await PostgresServiceStore.open(url, { schema, listen: false, poolSize: 2 });
    try {
      const rounds = 4;
      const start = (await db.head('bob@example.com', 'MMM_Credential')).nextIndex;
      for (let r = 0; r < rounds; r++) {
        await one.client.sync();
        await two.client.sync();
        const expected = (await db.head('bob@example.com', 'MMM_Credential')).nextIndex;
        await putPassword(one, `one-${r}.example.com`, 'x');
        await putPassword(two, `two-${r}.example.com`, 'y');
        const [u1, u2] = await Promise.all([one.client.upload(['MMM_Credential']), two.client.upload(['MMM_Credential'])]);
        expect([u1.accepted, u2.accepted].filter(Boolean), `round ${r}: exactly one accepted`).toHaveLength(1);
        const loser = u1.accepted ? u2 : u1;
        expect(loser).toEqual({ accepted: false, uploaded: 0, conflicts: ['MMM_Credential'] });
        expect((await db.head('bob@example.com', 'MMM_Credential')).nextIndex).toBe(expected + 1);
        const report = (await (u1.accepted ? two : one).client.sync()).stores.find((s) => s.store === 'MMM_Credential')!;
        expect(report).toMatchObject({ downloaded: 1, uploaded: 1 });
        expect((await db.head('bob@example.com', 'MMM_Credential')).nextIndex).toBe(expected + 2);
      }
      await one.client.sync();
      await two.client.sync();
      expect((await db.head('bob@example.com', 'MMM_Credential')).nextIndex).toBe(start + 2 * rounds);
      for (const d of [one, two]) {
        const s = await sites(d);
        for (let r = 0; r < rounds; r++) for (const n of ['one', 'two']) expect(s.has(`${n}-${r}.example.com`), `${n}-${r} on every device`).toBe(true);
      }
    } finally {
      await db.close();
    }
  }, 120_000);

  it('a Transact committed through host A whose answer never came back: the device syncs on through host B, the edit is there once, nothing duplicated', async () => {
    const admin = await boundAccount(a.endpoint, 'ivy@example.com', { WebSocket: NodeWebSocket });
    const phone = await secondDevice(admin, ['web'], { endpoint: b.endpoint });
    await phone.client.sync();
    const db = await PostgresServiceStore.open(url, { schema, listen: false, poolSize: 2 });
    try {
      const before = (await db.head('ivy@example.com', 'MMM_Credential')).nextIndex;
      let cut = 0;
      // Host A applies the Transact; its answer is lost on the way (the host died as it answered).
      const lossy = new MeshClient(admin.account, {
        endpoint: a.endpoint,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (input.endsWith('/Transact') && cut++ === 0) {
            await response.arrayBuffer();
            throw new TypeError('the connection closed before the answer');
          }
          return response;
        },
      });
      await putPassword(admin, 'bank.example.com', 'once');
      await expect(lossy.sync()).rejects.toMatchObject({ code: 'PROTOCOL_UNREACHABLE' });
      expect(cut).toBe(1);
      expect((await db.head('ivy@example.com', 'MMM_Credential')).nextIndex).toBe(before + 1);
      // The device goes on through host B: the service has the frame already, nothing is sent twice.
      const onB = new MeshClient(admin.account, { endpoint: b.endpoint });
      const report = await onB.sync();
      expect(report.uploaded).toBe(0);
      expect((await db.head('ivy@example.com', 'MMM_Credential')).nextIndex).toBe(before + 1);
      const status = await onB.status();
      for (const st of status.stores) expect([st.store, st.index + 1]).toEqual([st.store, st.local]);
      await phone.client.sync();
      expect((await sites(phone)).get('bank.example.com')).toBe('once');
      // And the next edit goes on from there.
      await putPassword(admin, 'bank.example.com', 'twice');
      expect((await onB.sync()).uploaded).toBe(1);
      expect((await db.head('ivy@example.com', 'MMM_Credential')).nextIndex).toBe(before + 2);
    } finally {
      await db.close();
    }
  }, 60_000);

  it('a device revoked through host A is refused by host B at once: its socket on B closes, B refuses it a ticket and every request', async () => {
    const admin = await boundAccount(a.endpoint, 'hal@example.com', { WebSocket: NodeWebSocket });
    const laptop = await secondDevice(admin, ['web'], { endpoint: b.endpoint });
    await laptop.client.sync();
    const keyid = laptop.account.activation.keys.authentication.udf;
    let open = false;
    let closedAfterOpen = false;
    const watch = laptop.client.watch({
      onStatus: (st) => {
        if (open && st.socket !== 'open') closedAfterOpen = true;
        open = st.socket === 'open';
      },
    });
    try {
      const first = watch.next();
      await putPassword(admin, 'a.example.com', '1');
      await admin.client.sync();
      expect((await first).value).toMatchObject({ store: 'MMM_Credential', downloaded: 1 });
      expect(open).toBe(true);
      // The administrator revokes the laptop through host A.
      const access = await admin.account.catalog('access');
      try {
        const entry = access.get(keyid) as CatalogedAccess;
        await access.put({ ...entry, Capability: { ...(entry.Capability as AccessCapability), Active: false } });
      } finally {
        await access.close();
      }
      await admin.client.sync();
      // Host B heard it (NOTIFY → its push service re-reads the access catalog) and closed the
      // laptop's socket; B refuses the laptop a new ticket and every request.
      await until('host B closed the laptop\'s socket', () => closedAfterOpen, 10_000);
      const ticket = await pushTicketSource(new MeshHttpClient({ endpoint: b.endpoint }), 'hal@example.com', laptop.client.deviceCredential())().then(() => undefined, (e: unknown) => e);
      expect(refusedStatus(ticket)).toBeGreaterThanOrEqual(401);
      expect(refusedStatus(await laptop.client.sync().then(() => undefined, (e: unknown) => e))).toBeGreaterThanOrEqual(401);
      // Host A too, of course.
      expect(refusedStatus(await new MeshClient(laptop.account, { endpoint: a.endpoint }).sync().then(() => undefined, (e: unknown) => e))).toBeGreaterThanOrEqual(401);
    } finally {
      watch.close();
    }
  }, 60_000);

  it('a signed request is used once across hosts: delivered through host B, the same bytes replayed to host A are refused (shared nonce claims)', async () => {
    const admin = await boundAccount(a.endpoint, 'gus@example.com', { WebSocket: NodeWebSocket });
    let held: { url: string; headers: Headers; body: Uint8Array } | undefined;
    const client = new MeshClient(admin.account, {
      endpoint: a.endpoint,
      fetch: async (input, init) => {
        const headers = new Headers(init.headers);
        if (held === undefined && headers.has('signature')) {
          held = { url: input, headers, body: init.body as Uint8Array };
          throw new TypeError('held back by the test');
        }
        return fetch(input, init);
      },
    });
    await expect(client.status()).rejects.toMatchObject({ code: 'PROTOCOL_UNREACHABLE' });
    expect(held).toBeDefined();
    const target = new URL(held!.url);
    // Behind a balancer every host sees the address clients use (here: host A's), so the
    // signature verifies on either host; what stops the replay is the nonce claim they share.
    const send = (port: number): Promise<number> => new Promise((done, fail) => {
      const headers: Record<string, string> = {};
      held!.headers.forEach((v, k) => void (headers[k] = v));
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: target.pathname, headers: { ...headers, host: target.host, 'content-length': String(held!.body.length) } }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      });
      req.on('error', fail);
      req.end(held!.body);
    });
    expect(await send(b.port)).toBe(201); // Success (protocol.md §4)
    expect(await send(a.port)).toBe(401);
    expect(await send(b.port)).toBe(401);
  }, 60_000);

  it('kill -9 of host A under load: clients go on through host B (a balancer in front), the watchers reconnect, nothing acknowledged is lost', async () => {
    const lb = await failoverBalancer(() => [a.port, b.port]); // A first while it lives, then B
    const families = await Promise.all(['carol@example.com', 'erin@example.com'].map((address) => family(address, lb.endpoint, lb.endpoint, lb.endpoint)));
    const load = startLoad(families);
    try {
      await until('the tablets watch', () => families.every((f) => f.watch.open()));
      expect(lb.sent.get(b.port) ?? 0).toBe(0);
      await until('4 acknowledged edits', () => load.acks() >= 4, 60_000);
      await a.kill();
      const killedAt = load.acks();
      const opened = families.map((f) => f.watch.opened);
      await until('6 more acknowledged edits through host B', () => load.acks() >= killedAt + 6, 60_000);
      await load.stop();
      expect((await a.exited).signal).toBe('SIGKILL');
      expect(lb.sent.get(b.port) ?? 0).toBeGreaterThan(0);
      await until('the tablets\' watches reconnected (to B)', () => families.every((f, i) => f.watch.opened > opened[i]! && f.watch.open()));
      await checkFamilies(families);
      console.log(`kill -9 of host A: ${load.acks()} edits acknowledged by 4 writers (${load.acks() - killedAt} after the kill), failed syncs retried: ${load.failures.length}; `
        + `connections to A ${lb.sent.get(a.port) ?? 0}, to B ${lb.sent.get(b.port) ?? 0}`);
    } finally {
      await load.stop();
      for (const f of families) await f.watch.close();
      await lb.close();
    }
  }, 180_000);

  // On a server of its own: a restart of the shared one would disturb the suites running beside it.
  it('PostgreSQL restarted under load (fast, then immediate): both hosts and their clients recover, the watcher takes every edit, nothing acknowledged is lost', async (ctx) => {
    const server = await startPrivateServer();
    if (typeof server === 'string') {
      if (POSTGRES_REQUIRED) throw new Error(server);
      ctx.skip(server);
      return;
    }
    const own = freshSchema();
    const pair: ChildHost[] = [];
    let families: Family[] = [];
    let load: ReturnType<typeof startLoad> | undefined;
    try {
      pair.push(...await Promise.all([0, 1].map(() => spawnHost({ store: locationOf(server.url, own), secret: SECRET, data: tmp() }))));
      const [ha, hb] = pair as [ChildHost, ChildHost];
      // Admins write through A, phones through B, tablets watch B: every edit crosses hosts.
      families = await Promise.all(['dave@example.com', 'fay@example.com'].map((address) => family(address, ha.endpoint, hb.endpoint, hb.endpoint)));
      await until('the tablets watch host B', () => families.every((f) => f.watch.open()));
      load = startLoad(families);
      for (const mode of ['fast', 'immediate'] as const) {
        const before = load.acks();
        await until('3 acknowledged edits', () => load!.acks() >= before + 3, 60_000);
        await server.restart(mode);
        const after = load.acks();
        await until(`3 acknowledged edits after the ${mode} restart`, () => load!.acks() >= after + 3, 60_000);
      }
      await load.stop();
      for (const h of pair) {
        expect(h.stderr()).not.toMatch(/internal error|\n\s+at /);
        expect(await Promise.race([h.exited.then(() => 'ended'), sleep(10).then(() => 'serving')])).toBe('serving');
      }
      await checkFamilies(families);
      console.log(`PostgreSQL restarts under load: 2 (fast, immediate); ${load.acks()} edits acknowledged by 4 writers, failed syncs retried: ${load.failures.length}`);
    } finally {
      await load?.stop();
      for (const f of families) await f.watch.close();
      await Promise.all(pair.map((h) => h.stop()));
      await server.stop();
    }
  }, 300_000);
});
