import { describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../adapters/service-store/memory.js';
import { utf8Decode } from '../sdk/encoding/utf8.js';
import { IDENTITY_RECORD, PROFILE_RECORD, loadServiceIdentity, openServiceRecord, sealServiceRecord } from '../sdk/service/mesh/identity.js';

/**
 * The service identity kept in the store (sdk/service/mesh/identity.ts; mesh-model.md §4
 * "Service seed", "Host"): what every host of one store shares. The seeds are sealed under the
 * service secret — whoever reads or writes the store (a database dump, an operator of the
 * database) learns no key and cannot make the hosts serve another identity.
 */

const secret = new Uint8Array(32).fill(1);
const other = new Uint8Array(32).fill(2);

describe('service identity in the store', () => {
  it('hosts loading at once on an empty store agree on one identity; reloading gives the same keys', async () => {
    const store = new MemoryServiceStore();
    const loaded = await Promise.all(Array.from({ length: 5 }, () => loadServiceIdentity(store, { secret, name: 'example.com' })));
    expect(new Set(loaded.map((i) => i.udf)).size).toBe(1);
    const again = await loadServiceIdentity(store, { secret });
    expect(again.udf).toBe(loaded[0]!.udf);
    expect(again.name).toBe('example.com');
    expect(Buffer.from(again.accessKey.publicKey).equals(Buffer.from(loaded[3]!.accessKey.publicKey))).toBe(true);
    expect(await store.listRecords()).toEqual([IDENTITY_RECORD, PROFILE_RECORD]);
  });

  it('the stored record holds no seed; another secret does not open it, nor does the record under another name', async () => {
    const store = new MemoryServiceStore();
    await loadServiceIdentity(store, { secret });
    const sealed = (await store.getRecord(IDENTITY_RECORD))!;
    const seeds = openServiceRecord(secret, IDENTITY_RECORD, sealed);
    const text = utf8Decode(sealed);
    for (const s of [seeds['serviceSeed']!, seeds['hostSeed']!]) {
      expect(s.length).toBeGreaterThan(20);
      expect(text).not.toContain(s);
    }
    expect(() => openServiceRecord(other, IDENTITY_RECORD, sealed)).toThrow(expect.objectContaining({ code: 'SERVICE_BAD_SECRET' }));
    // The record name is bound in (key and associated data): moved under another name it does not open.
    expect(() => openServiceRecord(secret, 'mmm.service.other', sealed)).toThrow(expect.objectContaining({ code: 'SERVICE_BAD_SECRET' }));
    await expect(loadServiceIdentity(store, { secret: other })).rejects.toMatchObject({ code: 'SERVICE_BAD_SECRET' });
  });

  it('a changed byte of the sealed record is refused (authenticated encryption)', async () => {
    const store = new MemoryServiceStore();
    await loadServiceIdentity(store, { secret });
    const o = JSON.parse(utf8Decode((await store.getRecord(IDENTITY_RECORD))!)) as { format: string; sealed: string };
    const bytes = Buffer.from(o.sealed, 'base64url');
    bytes[bytes.length - 20]! ^= 1;
    await store.putRecord(IDENTITY_RECORD, new TextEncoder().encode(JSON.stringify({ ...o, sealed: bytes.toString('base64url') })));
    await expect(loadServiceIdentity(store, { secret })).rejects.toMatchObject({ code: 'SERVICE_BAD_SECRET' });
  });

  it('whoever writes the store cannot make the hosts advertise another service: a profile of other keys is refused', async () => {
    const mine = new MemoryServiceStore();
    const theirs = new MemoryServiceStore();
    await loadServiceIdentity(mine, { secret });
    await loadServiceIdentity(theirs, { secret: other });
    await mine.putRecord(PROFILE_RECORD, (await theirs.getRecord(PROFILE_RECORD))!);
    await expect(loadServiceIdentity(mine, { secret })).rejects.toMatchObject({ code: 'SERVICE_IDENTITY' });
    // Nor both records: the seeds are sealed under a secret the attacker lacks.
    await mine.putRecord(IDENTITY_RECORD, sealServiceRecord(other, IDENTITY_RECORD, openServiceRecord(other, IDENTITY_RECORD, (await theirs.getRecord(IDENTITY_RECORD))!)));
    await expect(loadServiceIdentity(mine, { secret })).rejects.toMatchObject({ code: 'SERVICE_BAD_SECRET' });
  });

  it('a secret shorter than 32 bytes is refused before anything is stored', async () => {
    const store = new MemoryServiceStore();
    await expect(loadServiceIdentity(store, { secret: new Uint8Array(31) })).rejects.toMatchObject({ code: 'SERVICE_BAD_CONFIG' });
    expect(await store.listRecords()).toEqual([]);
  });
});
