import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshClient } from '../sdk/client/index.js';
import { MeshMessages } from '../sdk/client/messages.js';
import type { CatalogedCredential } from '../sdk/mesh/index.js';
import type { FetchFunction } from '../sdk/protocol/index.js';
import type { ServiceStore, StoreUpdate, TransactOptions } from '../sdk/service/store.js';
import { boundAccount, secondBinding, testService, type TestDevice } from './support/mesh-service.js';
import { describePostgres, dropSchemas, freshSchema } from './support/postgres.js';

/**
 * A signed Transact claims its request nonce in its own commit (the binding's deferred nonce,
 * protocol/service.ts; service/replay.ts `transactClaiming`): one commit instead of two. What
 * must still hold, attacked here on two hosts of one store — the embedded store with a second
 * binding beside the service (one process), and PostgreSQL with two stores on one database:
 * - a Transact replayed to either host after it was applied is refused (401, unsigned), and
 *   nothing changes;
 * - so is the replay of a Transact that was answered Conflict (it committed nothing, so the
 *   binding burnt its nonce itself before answering);
 * - the same signed Transact sent at once to both hosts (or twice to one) is applied exactly once;
 * - a delivery attempt the store rolled back (a recipient's inbound moved) spent no nonce: the
 *   handler's retry with the same nonce commits, and the nonce is spent after all;
 * - a host's cached store state (trusted without a head read when it agrees with the update's
 *   expected index, store-states.ts `expecting`) is stale after a commit through the other
 *   host: the commit's expected index still makes it a Conflict.
 * Each would fail if the promise broke: without the claim in the commit, the other host's
 * binding (which never saw the nonce) would answer the replay with a signed Conflict, or apply
 * the racing copy a second time; without the binding's own claim after a Conflict, the replay
 * would be answered again; a claim kept by a rolled-back attempt would refuse the retry.
 */

interface Wired {
  url: string;
  headers: Headers;
  body: Uint8Array;
}

/** The requests a device sent; `hold` keeps the next Transact from the service (the client sees the network fail). */
class Wire {
  hold = false;
  readonly transacts: Wired[] = [];
  readonly fetch: FetchFunction = async (input, init) => {
    const headers = new Headers(init.headers);
    if (input.endsWith('/Transact')) {
      this.transacts.push({ url: input, headers, body: new Uint8Array(init.body as Uint8Array) });
      if (this.hold) {
        this.hold = false;
        throw new TypeError('held back by the test');
      }
    }
    return fetch(input, init);
  };

  last(): Wired {
    return this.transacts[this.transacts.length - 1]!;
  }
}

interface Answer {
  status: number;
  signed: boolean;
  body: { Status?: number; StatusDescription?: string; Entries?: { Result?: string }[] };
}

/**
 * Sends `r` byte for byte to the host on `port`. Behind a balancer every host sees the address
 * clients use (here host A's), so the signature verifies on either host.
 */
function send(port: number, r: Wired): Promise<Answer> {
  const target = new URL(r.url);
  const headers: Record<string, string> = {};
  r.headers.forEach((v, k) => void (headers[k] = v));
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: target.pathname, headers: { ...headers, host: target.host, 'content-length': String(r.body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, signed: res.headers.signature !== undefined, body: Object.values(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object)[0] }));
    });
    req.on('error', fail);
    req.end(r.body);
  });
}

const replayRefused = { status: 401, signed: false, body: { Status: 401, StatusDescription: 'NotAuthenticated: replayed request: this nonce was already used' } };

/** Forces the next delivery attempt that carries a nonce to conflict on `store` of `account` (a stale expected index): the store must roll it back, claim included. */
class ForcedConflict {
  armed: { account: string; store: string } | undefined;
  fired = 0;
  wrap = (store: ServiceStore): ServiceStore => new Proxy(store, {
    get: (target, p) => {
      if (p === 'transact') {
        return (updates: readonly StoreUpdate[], options?: TransactOptions) => {
          const armed = this.armed;
          if (armed !== undefined && options?.nonce !== undefined && updates.some((u) => u.account === armed.account && u.store === armed.store)) {
            this.armed = undefined;
            this.fired++;
            updates = updates.map((u) => (u.account === armed.account && u.store === armed.store ? { ...u, expectedNextIndex: u.expectedNextIndex + 1 } : u));
          }
          return target.transact(updates, options);
        };
      }
      const v = Reflect.get(target, p, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

interface TwoHosts {
  /** The host devices talk to. */
  readonly a: { endpoint: string; port: number; store: ServiceStore };
  /** Another host of the same service and store. */
  readonly b: { port: number };
  readonly forced: ForcedConflict;
  close(): Promise<void>;
}

async function framesOf(store: ServiceStore, account: string, label: string): Promise<number> {
  return (await store.head(account, label)).nextIndex;
}

async function putPassword(d: TestDevice, site: string): Promise<void> {
  const c = await d.account.catalog('credential');
  try {
    await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'amy', Password: site } as CatalogedCredential);
  } finally {
    await c.close();
  }
}

function foldSuite(name: string, start: (forced: ForcedConflict) => Promise<TwoHosts>): void {
  describe(name, () => {
    let hosts: TwoHosts;
    beforeAll(async () => {
      hosts = await start(new ForcedConflict());
    }, 60_000);
    afterAll(async () => {
      await hosts?.close();
    });

    /** A bound account whose device's Transacts go through a {@link Wire}. */
    async function device(address: string): Promise<TestDevice & { wire: Wire }> {
      const wire = new Wire();
      const d = await boundAccount(hosts.a.endpoint, address, { fetch: wire.fetch });
      return { ...d, wire };
    }

    it('a Transact applied through host A, replayed to host B and to host A: refused (401, unsigned), nothing changes', async () => {
      const d = await device('rita@example.com');
      await putPassword(d, 'one.example.com');
      expect((await d.client.upload(['MMM_Credential'])).accepted).toBe(true);
      const applied = d.wire.last();
      const frames = await framesOf(hosts.a.store, 'rita@example.com', 'MMM_Credential');
      const heads = await hosts.a.store.heads('rita@example.com');
      expect(await send(hosts.b.port, applied)).toMatchObject(replayRefused);
      expect(await send(hosts.a.port, applied)).toMatchObject(replayRefused);
      expect(await framesOf(hosts.a.store, 'rita@example.com', 'MMM_Credential')).toBe(frames);
      expect(await hosts.a.store.heads('rita@example.com')).toEqual(heads);
    });

    it('a Transact answered Conflict (it committed nothing), replayed to host B and to host A: refused', async () => {
      const d = await device('sam@example.com');
      await putPassword(d, 'two.example.com');
      d.wire.hold = true;
      await expect(d.client.upload(['MMM_Credential'])).rejects.toThrow();
      const stale = d.wire.last();
      // The same frames again under a fresh nonce: applied, so the held copy now expects an old index.
      expect((await d.client.upload(['MMM_Credential'])).accepted).toBe(true);
      const first = await send(hosts.a.port, stale);
      expect(first).toMatchObject({ signed: true, body: { Entries: [{ Result: 'Conflict' }] } });
      const heads = await hosts.a.store.heads('sam@example.com');
      expect(await send(hosts.b.port, stale)).toMatchObject(replayRefused);
      expect(await send(hosts.a.port, stale)).toMatchObject(replayRefused);
      expect(await hosts.a.store.heads('sam@example.com')).toEqual(heads);
    });

    it('the same signed Transact sent at once to both hosts, or twice to one: applied exactly once, the other copy refused', async () => {
      const d = await device('tess@example.com');
      for (const [round, ports] of [[hosts.a.port, hosts.b.port], [hosts.b.port, hosts.a.port], [hosts.a.port, hosts.a.port], [hosts.b.port, hosts.b.port]].entries()) {
        await putPassword(d, `race${round}.example.com`);
        d.wire.hold = true;
        await expect(d.client.upload(['MMM_Credential'])).rejects.toThrow();
        const held = d.wire.last();
        const before = await framesOf(hosts.a.store, 'tess@example.com', 'MMM_Credential');
        const answers = await Promise.all(ports.map((p) => send(p, held)));
        const accepted = answers.filter((x) => x.status < 300 && x.body.Entries?.[0]?.Result === 'Accept');
        expect(accepted, JSON.stringify(answers)).toHaveLength(1);
        expect(answers.filter((x) => x.status === 401 && !x.signed && /replayed/.test(x.body.StatusDescription ?? ''))).toHaveLength(1);
        expect(await framesOf(hosts.a.store, 'tess@example.com', 'MMM_Credential')).toBe(before + 1);
        await d.client.sync(); // the device learns its frame was taken
      }
    });

    it('a store moved through host B: host A trusts its cached state only as far as its commit re-checks it — a Transact at the old index is a Conflict and writes nothing', async () => {
      const d = await device('wes@example.com');
      await putPassword(d, 'first.example.com');
      expect((await d.client.upload(['MMM_Credential'])).accepted).toBe(true); // host A's cache: this count
      await putPassword(d, 'second.example.com');
      d.wire.hold = true;
      await expect(d.client.upload(['MMM_Credential'])).rejects.toThrow();
      expect(await send(hosts.b.port, d.wire.last())).toMatchObject({ status: 201, body: { Entries: [{ Result: 'Accept' }] } });
      const heads = await hosts.a.store.heads('wes@example.com');
      // The device does not know: it sends the same frame again, at the index host A has cached.
      expect(await d.client.upload(['MMM_Credential'])).toMatchObject({ accepted: false, conflicts: ['MMM_Credential'] });
      expect(await hosts.a.store.heads('wes@example.com')).toEqual(heads);
      await d.client.sync();
      await putPassword(d, 'third.example.com');
      expect((await d.client.upload(['MMM_Credential'])).accepted).toBe(true);
    });

    it('a delivery attempt the store rolled back spends no nonce: the retry with the same nonce commits, once; the nonce is spent after it', async () => {
      const alice = await device('uma@example.com');
      const bob = await boundAccount(hosts.a.endpoint, 'vic@example.com');
      const inbound = await framesOf(hosts.a.store, 'vic@example.com', 'MMM_Inbound');
      hosts.forced.armed = { account: 'vic@example.com', store: 'MMM_Inbound' };
      await new MeshMessages(alice.client).contactRequest('vic@example.com');
      expect(hosts.forced.fired).toBe(1);
      expect(await framesOf(hosts.a.store, 'vic@example.com', 'MMM_Inbound')).toBeGreaterThan(inbound);
      const after = await framesOf(hosts.a.store, 'vic@example.com', 'MMM_Inbound');
      const delivered = alice.wire.last();
      expect(await send(hosts.b.port, delivered)).toMatchObject(replayRefused);
      expect(await send(hosts.a.port, delivered)).toMatchObject(replayRefused);
      expect(await framesOf(hosts.a.store, 'vic@example.com', 'MMM_Inbound')).toBe(after);
      await bob.client.sync();
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

foldSuite('deferred request nonces, embedded store (two bindings on one store)', async (forced) => {
  const a = await testService({ wrapStore: forced.wrap });
  const b = await secondBinding(a);
  return { a: { endpoint: a.endpoint, port: a.port, store: a.store }, b: { port: b.port }, forced, close: b.close };
});

describePostgres('deferred request nonces, PostgreSQL (two hosts on one database)', (url) => {
  afterAll(async () => {
    await dropSchemas(url);
  });
  foldSuite('two hosts', async (forced) => {
    const u = new URL(url);
    u.searchParams.set('schema', freshSchema());
    const env = { MESH_SERVICE_SECRET: Buffer.alloc(32, 5).toString('base64url') };
    const tmp = (): string => {
      const d = mkdtempSync(join(tmpdir(), 'mathmesh-fold-'));
      dirs.push(d);
      return d;
    };
    const a = await testService({ store: u.toString(), env, data: tmp(), wrapStore: forced.wrap });
    const b = await testService({ store: u.toString(), env, data: tmp() });
    return {
      a: { endpoint: a.endpoint, port: a.port, store: a.store }, b: { port: b.port }, forced,
      async close() {
        await a.stop();
        await b.stop();
      },
    };
  });
});
