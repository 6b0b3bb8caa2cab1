import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshClient } from '../sdk/client/index.js';
import { MeshMessages } from '../sdk/client/messages.js';
import type { CatalogedCredential } from '../sdk/mesh/index.js';
import { ServiceStoreError } from '../sdk/service/store-errors.js';
import type { ServiceStore, StoreUpdate, TransactOptions } from '../sdk/service/store.js';
import { boundAccount, editCapability, refusal, secondBinding, secondDevice, testService, type TestDevice } from './support/mesh-service.js';
import { describePostgres, dropSchemas, freshSchema, statementsOf } from './support/postgres.js';

/**
 * A host answers a Transact from its cache — the account record and the access view it built
 * from MMM_Access at some index — without reading either (service.ts resolveConnection,
 * access.ts cachedConnection), and its commit re-checks both (TransactOptions.guards). Attacked
 * here on two hosts of one store (the embedded store with a second service beside the first;
 * PostgreSQL with two hosts on one database), host B's cache warmed by the device first and
 * then made stale through host A:
 * - a device revoked through A, writing through B: refused 403 DeviceRevoked, nothing written;
 * - a device whose roles no longer grant a store, writing it through B: refused 403, nothing written;
 * - an account deleted through A (and another bound at its address), written through B: refused,
 *   nothing written;
 * - and afterwards the device, re-activated through A, writes through B again (a stale cache
 *   never refuses for good).
 * Without the guard, B commits the first two on its stale grant (tried: both fail). The third is
 * also stopped by the store's own account lookup and the frames' Merkle chain; the store contract
 * test attacks the account guard directly (deleted, re-bound, blocked, re-profiled).
 */

async function putPassword(d: TestDevice, site: string): Promise<void> {
  const c = await d.account.catalog('credential');
  try {
    await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'u', Password: site } as CatalogedCredential);
  } finally {
    await c.close();
  }
}

interface TwoHosts {
  readonly a: { endpoint: string; store: ServiceStore };
  readonly b: { endpoint: string };
  readonly forced: ForcedStale;
  close(): Promise<void>;
}

/**
 * Makes host B's store answer the next guarded transaction `SERVICE_STALE` without writing (what
 * it answers when another host changed the account between a Transact's decision and its
 * commit), so that the decision made again can be watched.
 */
class ForcedStale {
  armed = false;
  fired = 0;
  wrap = (store: ServiceStore): ServiceStore => new Proxy(store, {
    get: (target, p) => {
      if (p === 'transact') {
        return async (updates: readonly StoreUpdate[], options?: TransactOptions) => {
          if (this.armed && options?.guards !== undefined) {
            this.armed = false;
            this.fired++;
            throw new ServiceStoreError('SERVICE_STALE', 'forced by the test');
          }
          return target.transact(updates, options);
        };
      }
      const v = Reflect.get(target, p, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function guardSuite(name: string, start: (forced: ForcedStale) => Promise<TwoHosts>): void {
  describe(name, () => {
    let hosts: TwoHosts;
    beforeAll(async () => {
      hosts = await start(new ForcedStale());
    }, 60_000);
    afterAll(async () => {
      await hosts?.close();
    });

    /** An admin on host A and a `web` laptop on host B, whose cache of the account is warm (it has written through B). */
    async function warm(address: string): Promise<{ admin: TestDevice; laptop: TestDevice; keyid: string }> {
      const admin = await boundAccount(hosts.a.endpoint, address);
      const laptop = await secondDevice(admin, ['web'], { endpoint: hosts.b.endpoint });
      await laptop.client.sync();
      await putPassword(laptop, 'warm.example.com');
      expect((await laptop.client.upload(['MMM_Credential'])).accepted).toBe(true);
      await putPassword(laptop, 'warmer.example.com');
      expect((await laptop.client.upload(['MMM_Credential'])).accepted).toBe(true);
      await admin.client.sync();
      return { admin, laptop, keyid: laptop.account.activation.keys.authentication.udf };
    }

    it('a device revoked through host A writes through host B (its cache still granting it): 403 DeviceRevoked, nothing written; re-activated, it writes again', async () => {
      const { admin, laptop, keyid } = await warm('ada@example.com');
      await editCapability(admin, keyid, (c) => ({ ...c, Active: false }));
      const heads = await hosts.a.store.heads('ada@example.com');
      await putPassword(laptop, 'revoked.example.com');
      const e = await refusal(laptop.client.upload(['MMM_Credential']));
      expect([e.status, e.extendedName]).toEqual([403, 'DeviceRevoked']);
      expect(await hosts.a.store.heads('ada@example.com')).toEqual(heads);
      await editCapability(admin, keyid, (c) => ({ ...c, Active: true }));
      expect((await laptop.client.upload(['MMM_Credential'])).accepted).toBe(true);
    });

    it('a role change through host A that takes the credential catalog away, then a write to it through host B: 403, nothing written', async () => {
      const { admin, laptop, keyid } = await warm('bob@example.com');
      await editCapability(admin, keyid, (c) => ({ ...c, Rights: ['message'] }));
      const heads = await hosts.a.store.heads('bob@example.com');
      await putPassword(laptop, 'demoted.example.com');
      const e = await refusal(laptop.client.upload(['MMM_Credential']));
      expect(e.status).toBe(403);
      expect(await hosts.a.store.heads('bob@example.com')).toEqual(heads);
    });

    it('a Transact decided again after SERVICE_STALE does not admit its local message twice (ingress claims each message id): the contact request is delivered once', async () => {
      const admin = await boundAccount(hosts.a.endpoint, 'eve@example.com');
      const bob = await boundAccount(hosts.a.endpoint, 'fay@example.com');
      const viaB = new MeshClient(admin.account, { endpoint: hosts.b.endpoint });
      await viaB.sync();
      await new MeshMessages(viaB).contactRequest('fay@example.com'); // host B's cache of the account is warm
      const inbound = (await hosts.a.store.head('fay@example.com', 'MMM_Inbound')).nextIndex;
      hosts.forced.armed = true;
      await new MeshMessages(viaB).contactRequest('fay@example.com');
      expect(hosts.forced.fired).toBe(1);
      expect((await hosts.a.store.head('fay@example.com', 'MMM_Inbound')).nextIndex).toBe(inbound + 1);
      await bob.client.sync();
    });

    it('an account deleted through host A, written through host B: refused (404), nothing written', async () => {
      const { admin, laptop } = await warm('cy@example.com');
      await admin.client.unbind();
      await putPassword(laptop, 'gone.example.com');
      const gone = await refusal(laptop.client.upload(['MMM_Credential']));
      expect([gone.status, gone.errorName]).toEqual([404, 'MeshUnknownAccount']);
      expect(await hosts.a.store.getAccount('cy@example.com')).toBeUndefined();
    });

    it('an account deleted through host A and another bound at its address, written through host B (its cache of the old account warm): refused, the new account unchanged', async () => {
      const { admin, laptop } = await warm('dot@example.com');
      await admin.client.unbind();
      const next = await boundAccount(hosts.a.endpoint, 'dot@example.com');
      await putPassword(next, 'new-owner.example.com');
      await next.client.sync();
      const heads = await hosts.a.store.heads('dot@example.com');
      await putPassword(laptop, 'taken.example.com');
      // The new account does not know the laptop's key: a refusal (401 unsigned, or 403).
      const taken = await laptop.client.upload(['MMM_Credential']).then(() => undefined, (x: unknown) => x);
      expect(taken).toBeInstanceOf(Error);
      expect(await hosts.a.store.heads('dot@example.com')).toEqual(heads);
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

guardSuite('commit guards, embedded store (two services on one store)', async (forced) => {
  const a = await testService({ service: { push: false } });
  const b = await secondBinding(a, forced.wrap(a.store));
  return { a: { endpoint: a.endpoint, store: a.store }, b: { endpoint: b.endpoint }, forced, close: b.close };
});

describePostgres('commit guards, PostgreSQL (two hosts on one database)', (url) => {
  afterAll(async () => {
    await dropSchemas(url);
  });
  const location = (): string => {
    const u = new URL(url);
    u.searchParams.set('schema', freshSchema());
    return u.toString();
  };
  const env = { MESH_SERVICE_SECRET: Buffer.alloc(32, 7).toString('base64url') };
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'mathmesh-guards-'));
    dirs.push(d);
    return d;
  };

  guardSuite('two hosts', async (forced) => {
    const store = location();
    const a = await testService({ store, env, data: tmp() });
    const b = await testService({ store, env, data: tmp(), wrapStore: forced.wrap });
    return {
      a: { endpoint: a.endpoint, store: a.store }, b: { endpoint: b.endpoint }, forced,
      async close() {
        await a.stop();
        await b.stop();
      },
    };
  });

  it('a signed one-store Transact on a warm host cache is one statement (20 sequential Transacts: 20 statements)', async () => {
    const a = await testService({ store: location(), env, data: tmp() });
    try {
      const d = await boundAccount(a.endpoint, 'dee@example.com');
      await putPassword(d, 'first.example.com');
      expect((await d.client.upload(['MMM_Credential'])).accepted).toBe(true); // the cache is warm
      const { statements } = await statementsOf(async () => {
        for (let i = 0; i < 20; i++) {
          await putPassword(d, `site${i}.example.com`);
          expect((await d.client.upload(['MMM_Credential'])).accepted).toBe(true);
        }
      });
      // Neither the account nor its MMM_Access head is read: the commit guards them. (Each commit's
      // note to the other hosts follows the answer on its own: not a statement the device waits for.)
      const work = statements.filter((s) => !/^\s*SELECT 1\s*$/i.test(s) && !/pg_notify/.test(s));
      console.log(`statements over 20 sequential one-store Transacts: ${work.length}`);
      expect(work).toHaveLength(20);
    } finally {
      await a.stop();
    }
  }, 60_000);
});
