import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../sdk/encoding/bytes.js';
import type { ContainerUpdate } from '../sdk/mesh/index.js';
import { frameOfEnvelope } from '../sdk/protocol/index.js';
import { boundAccount, secondDevice, testService, type TestDevice } from './support/mesh-service.js';

/**
 * T7 Download by cursor (protocol.md §5): per store `IndexMin` (and `IndexMax`), at most
 * `ConstraintsPost.MaxEntries` frames and about `BytesMax` bytes over the request; each
 * ContainerUpdate carries the store's last index (FinalIndex) and apex digest whatever part of it
 * was sent, so a reader knows a page is partial (fewer frames than FinalIndex − IndexMin + 1) and
 * asks again from the next index. The frames are the service's bytes, in order, none skipped or
 * repeated across pages.
 */

let service: Awaited<ReturnType<typeof testService>>;
let admin: TestDevice;
const ACCOUNT = 'pam@example.com';
beforeAll(async () => {
  service = await testService();
  admin = await boundAccount(service.endpoint, ACCOUNT);
  const c = await admin.account.catalog('credential');
  for (let i = 0; i < 9; i++) await c.put({ $class: 'CatalogedCredential', Service: `s${i}.example.com`, Username: 'pam', Password: `p${i}` });
  await c.close();
  const b = await admin.account.catalog('bookmark');
  for (let i = 0; i < 4; i++) await b.put({ $class: 'CatalogedBookmark', Uid: `b${i}`, Uri: `https://example.com/${i}` });
  await b.close();
  await admin.client.sync();
});
afterAll(async () => {
  await service?.stop();
});

async function download(select: { Container: string; IndexMin: number; IndexMax?: number }[], post: { MaxEntries?: number; BytesMax?: number } = {}): Promise<Omit<ContainerUpdate, '$class'>[]> {
  const r = await admin.client.http.request('Download', { $class: 'DownloadRequest', Account: ACCOUNT, Select: select, ConstraintsPost: post }, admin.client.deviceCredential());
  return r.Updates ?? [];
}

async function serviceFrames(store: string): Promise<Uint8Array[]> {
  return (await service.store.read(ACCOUNT, store, 0, { maxEntries: 1000, maxBytes: 1 << 30 })).frames;
}

describe('Mesh service: Download paging', () => {
  it('pages by IndexMin and MaxEntries; every page names the store\'s final index and apex digest; pages join to the store', async () => {
    const stores = ['MMM_Credential', 'MMM_Bookmark'];
    const heads = new Map((await service.store.heads(ACCOUNT)).map((h) => [h.store, h]));
    const got = new Map<string, Uint8Array[]>(stores.map((s) => [s, []]));
    let pages = 0;
    for (;;) {
      const select = stores.filter((s) => got.get(s)!.length < heads.get(s)!.nextIndex).map((s) => ({ Container: s, IndexMin: got.get(s)!.length }));
      if (select.length === 0) break;
      const updates = await download(select, { MaxEntries: 3 });
      pages++;
      expect(updates.map((u) => u.Container)).toEqual(select.map((s) => s.Container));
      for (const u of updates) {
        const head = heads.get(u.Container!)!;
        // FinalIndex and apex digest of the store, whatever part of it this page carries.
        expect(u.Index).toBe(head.nextIndex - 1);
        expect(bytesEqual(u.Digest!, head.digest!)).toBe(true);
        const frames = (u.Envelopes ?? []).map((e, i) => frameOfEnvelope(e, `${u.Container}[${i}]`));
        expect(frames.length).toBeGreaterThan(0);
        expect(frames.length).toBeLessThanOrEqual(3);
        got.get(u.Container!)!.push(...frames);
      }
    }
    for (const s of stores) {
      const all = await serviceFrames(s);
      expect(got.get(s)!.length).toBe(all.length);
      for (const [i, f] of all.entries()) expect(bytesEqual(got.get(s)![i]!, f), `${s}[${i}]`).toBe(true);
    }
    expect(heads.get('MMM_Credential')!.nextIndex).toBeGreaterThanOrEqual(10);
    expect(pages).toBeGreaterThanOrEqual(4);
  });

  it('IndexMax ends a selection; BytesMax bounds the page but a store with frames left gets at least one while budget remains', async () => {
    const all = await serviceFrames('MMM_Credential');
    const [window] = await download([{ Container: 'MMM_Credential', IndexMin: 2, IndexMax: 4 }]);
    expect((window!.Envelopes ?? []).map((e) => frameOfEnvelope(e, 'w'))).toEqual(all.slice(2, 5));
    expect(window!.Index).toBe(all.length - 1);
    // A budget smaller than one frame: one frame for the first store (progress), none for the next.
    const [first, second] = await download([{ Container: 'MMM_Credential', IndexMin: 1 }, { Container: 'MMM_Bookmark', IndexMin: 0 }], { BytesMax: 10 });
    expect(first!.Envelopes).toHaveLength(1);
    expect(second!.Envelopes ?? []).toHaveLength(0);
    expect(second!.Index).toBe((await service.store.head(ACCOUNT, 'MMM_Bookmark')).nextIndex - 1);
  });

  it('a device syncing with two frames per page ends with every store byte for byte the service\'s', async () => {
    const laptop = await secondDevice(admin, ['web'], { pageSize: 2 });
    const report = await laptop.client.sync();
    expect(report.downloaded).toBeGreaterThanOrEqual(15);
    for (const label of ['MMM_Credential', 'MMM_Bookmark']) {
      const all = await serviceFrames(label);
      const s = await laptop.account.openStore(label);
      try {
        expect(s.frameCount).toBe(all.length);
        for (let i = 0; i < all.length; i++) expect(bytesEqual(await s.frameBytes(i), all[i]!), `${label}[${i}]`).toBe(true);
      } finally {
        await s.close();
      }
    }
  });
});
