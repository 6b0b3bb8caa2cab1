import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogedCredential } from '../sdk/mesh/index.js';
import { boundAccount, secondDevice, testService, type TestDevice } from './support/mesh-service.js';

/**
 * The Mesh service and client end to end on loopback (protocol.md F1, F5): bind, sync between
 * two devices of one account, the conflict rule of features.md row 43, status and unbind.
 */

let service: Awaited<ReturnType<typeof testService>>;
beforeAll(async () => {
  service = await testService();
});
afterAll(async () => {
  await service?.stop();
});

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

describe('Mesh service: bind and sync', () => {
  it('binds an account: the profile names the service, every store is uploaded, Status lists them', async () => {
    const alice = await boundAccount(service.endpoint, 'alice@example.com');
    expect(alice.account.service?.serviceUdf).toBe(service.udf);
    expect(alice.account.profile.ServiceUdf).toBe(service.udf);
    const status = await alice.client.status();
    const byStore = new Map(status.stores.map((s) => [s.store, s]));
    expect(byStore.get('MMM_Access')!.index).toBeGreaterThanOrEqual(1);
    for (const s of status.stores) expect(s.index + 1).toBe(s.local);
    expect((await alice.client.sync()).uploaded).toBe(0);
  });

  it('a second device downloads the account and sees the first device\'s edits; edits flow both ways', async () => {
    const admin = await boundAccount(service.endpoint, 'bob@example.com');
    await putPassword(admin, 'ftp.example.com', 's3cret');
    expect((await admin.client.sync()).uploaded).toBe(1);
    const phone = await secondDevice(admin, ['web']);
    const first = await phone.client.sync();
    expect(first.downloaded).toBeGreaterThan(0);
    expect(await password(phone, 'ftp.example.com')).toBe('s3cret');
    await putPassword(phone, 'mail.example.com', 'hunter2');
    expect((await phone.client.sync()).uploaded).toBe(1);
    await admin.client.sync();
    expect(await password(admin, 'mail.example.com')).toBe('hunter2');
  });

  it('features row 43: the same password edited on two devices — the second Transact gets Conflict, a sync applies the rule (last writer wins)', async () => {
    const a = await boundAccount(service.endpoint, 'carol@example.com');
    await putPassword(a, 'bank.example.com', 'v0');
    await a.client.sync();
    const b = await secondDevice(a, ['web']);
    await b.client.sync();
    await putPassword(a, 'bank.example.com', 'from-a');
    await putPassword(b, 'bank.example.com', 'from-b');
    expect(await a.client.upload(['MMM_Credential'])).toMatchObject({ accepted: true, uploaded: 1 });
    expect(await b.client.upload(['MMM_Credential'])).toEqual({ accepted: false, uploaded: 0, conflicts: ['MMM_Credential'] });
    const report = await b.client.sync();
    const store = report.stores.find((s) => s.store === 'MMM_Credential')!;
    expect(store).toMatchObject({ downloaded: 1, rebuilt: 1, uploaded: 1 });
    expect(store.warnings.map((w) => w.kind)).toEqual(['overwrote-remote-update']);
    await a.client.sync();
    expect(await password(a, 'bank.example.com')).toBe('from-b');
    expect(await password(b, 'bank.example.com')).toBe('from-b');
  });

  it('a sync racing another device: its Transact conflicts, it downloads, rebases and succeeds in the next round', async () => {
    const a = await boundAccount(service.endpoint, 'dave@example.com');
    let raced = false;
    const b0 = await secondDevice(a, ['web']);
    // b's fetch lets a commit first, just before b's first Transact reaches the service.
    const b = await secondDevice(a, ['web'], {
      fetch: async (url, init) => {
        if (!raced && url.endsWith('/Transact')) {
          raced = true;
          await putPassword(a, 'shop.example.com', 'from-a');
          await a.client.sync();
        }
        return fetch(url, init);
      },
    });
    void b0;
    await b.client.sync();
    await putPassword(b, 'shop.example.com', 'from-b');
    raced = false;
    const report = await b.client.sync();
    expect(raced).toBe(true);
    expect(report.conflicts).toBe(1);
    expect(report.stores.find((s) => s.store === 'MMM_Credential')!.warnings.map((w) => w.kind)).toEqual(['add-became-update']);
    await a.client.sync();
    expect(await password(a, 'shop.example.com')).toBe('from-b');
  });
});
