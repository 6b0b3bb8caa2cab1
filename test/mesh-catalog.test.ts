import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dareKeyFromKeyPair, type DarePrivateKey } from '../sdk/dare/index.js';
import { base64urlDecode } from '../sdk/encoding/index.js';
import {
  CATALOG_KINDS, Catalog, MeshError, decodeCatalogEvent, deriveStoreKey, encodeCatalogEvent, newMeshSeed, primaryKeyOf,
  readReferenceCatalogFrame, sideFileOnStore, type CatalogEntryOf, type CatalogKind, type StoreOptions,
} from '../sdk/mesh/index.js';
import { nonce, recoverSeed } from '../sdk/udf/index.js';
import { seal, sealedBytes, unseal as unsealAsync } from '../sdk/mesh/catalog/sealed.js';
import { vectorsDir } from './support/paths.js';
import { prng, seeded } from './support/random.js';
import { BACKINGS, type Backing, type Slot } from './support/store-slots.js';

/**
 * Catalogs (mesh-model.md §8): typed entries of every store of §8.1, REF's event ContentMeta byte
 * for byte, REF's Download frame read with the store key, the lifecycle refused with typed errors,
 * replay (and snapshots) giving the same state as a plain Map, and a torn last frame losing at
 * most the last edit — on memory and on Node files.
 */

const mesh = JSON.parse(readFileSync(resolve(vectorsDir, 'mesh', 'mesh.json'), 'utf8')) as { vectors: Record<string, any>[] };
const vec = (id: string): Record<string, any> => mesh.vectors.find((v) => v['id'] === id)!;
const SEED = newMeshSeed('MeshProfileAccount', seeded(7));
const keyFor = (label: string, seed = SEED): DarePrivateKey => dareKeyFromKeyPair(deriveStoreKey(seed, label));

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof MeshError || (e instanceof Error && 'code' in e)) return (e as { code: string }).code;
    throw e;
  }
  return undefined;
}

const cred = (site: string, pw: string, protocol?: string): CatalogEntryOf<'credential'> => ({
  $class: 'CatalogedCredential', ...(protocol ? { Protocol: protocol } : {}), Service: site, Username: 'alice', Password: pw,
});

/** One entry of each catalog kind, and its expected primary key. */
const SAMPLES: { [K in CatalogKind]: [CatalogEntryOf<K>, string] } = {
  access: [{ $class: 'CatalogedAccess', Capability: { $class: 'NullCapability', Id: 'MCAP-0001', Active: false } }, 'MCAP-0001'],
  application: [{ $class: 'CatalogedApplicationSsh', Key: 'ssh:alice@laptop', Grant: ['web'] }, 'ssh:alice@laptop'],
  bookmark: [{ $class: 'CatalogedBookmark', Uid: 'NB00-0001', Uri: 'https://example.net/', Title: 'Example' }, 'NB00-0001'],
  callsign: [{ $class: 'CatalogedCallsign', Canonical: '@alice', ProfileUdf: 'MARP-HH6B-D2JW-WLQ6-RWPQ-2SLS-AI2V' }, '@alice'],
  contact: [{ $class: 'CatalogedContact', Key: 'bob@example.com', Self: false, Contact: { $class: 'ContactPerson', CommonNames: [{ $class: 'PersonName', FullName: 'Bob' }] } }, 'bob@example.com'],
  credential: [cred('ftp.example.com', 'pw', 'ftp'), 'ftp:ftp.example.com'],
  device: [{ $class: 'CatalogedDevice', DeviceUdf: 'MAWL-0001', Updated: new Date('2022-05-03T16:47:09Z') }, 'MAWL-0001'],
  ingress: [{ $class: 'CatalogedIngress', Key: 'bob@example.com', ProfileUdf: 'MDDO-B6Z7-4YXY-BJLQ-WFQZ-BOMG-QB6Y', Action: 'Allow' }, 'bob@example.com'],
  member: [{ $class: 'CatalogedMember', ContactAddress: 'carol@example.com', MemberCapabilityId: 'MCAP-0002' }, 'carol@example.com'],
  network: [{ $class: 'CatalogedNetwork', Protocol: 'wpa2', Service: 'home', Password: 'wifi' }, 'wpa2:home'],
  publication: [{ $class: 'CatalogedPublication', Id: 'EBQB-KJVT-BYND-4GE2-U65R-FZFH-4C7O', Authenticator: 'AAX2' }, 'EBQB-KJVT-BYND-4GE2-U65R-FZFH-4C7O'],
  task: [{ $class: 'CatalogedTask', Key: 'NT00-0001', Title: 'Dentist' }, 'NT00-0001'],
};

describe('REF interoperability (mesh-model.md §8)', () => {
  it('our event ContentMeta is REF\'s byte for byte (Download credential Update, Upload bookmark New)', () => {
    const refMeta = (id: string): Uint8Array => base64urlDecode(JSON.parse(vec(id)['inputs']['frame_json'])[0]['ContentMetaData']);
    expect(encodeCatalogEvent({ uniqueId: ':ftp.example.com', event: 'Update', first: 1, previous: 1 })).toEqual(refMeta('frame-download-credential'));
    expect(encodeCatalogEvent({ uniqueId: 'NCMP-WOC5-FLPT-XWII-56DW-5XLB-UCKT', event: 'New' })).toEqual(refMeta('frame-upload-bookmark'));
    expect(decodeCatalogEvent(refMeta('frame-download-credential'), 3)).toEqual({ uniqueId: ':ftp.example.com', event: 'Update', first: 1, previous: 1 });
  });

  it('REF\'s Download credential frame decrypts with Alice\'s MMM_Credential key, only with allowUnauthenticated', async () => {
    const alice = recoverSeed(vec('escrow-recover-alice-01')['inputs']['shares']);
    const key = keyFor('MMM_Credential', alice);
    const frame = vec('frame-download-credential')['inputs']['frame_json'] as string;
    expect(await codeOf(() => readReferenceCatalogFrame('credential', frame, key))).toBe('MESH_UNAUTHENTICATED');
    const read = readReferenceCatalogFrame('credential', frame, key, { allowUnauthenticated: true });
    expect(read.index).toBe(3);
    expect(read.treePosition).toBe(825);
    expect(read.event).toEqual({ uniqueId: ':ftp.example.com', event: 'Update', first: 1, previous: 1 });
    expect(read.entry?.$class).toBe('CatalogedCredential');
    expect(read.entry?.Service).toBe('ftp.example.com');
    expect(primaryKeyOf('credential', read.entry!)).toBe(':ftp.example.com');
    expect(read.received).toBe('2022-05-03T16:47:09Z');
    // another store's key does not open it
    expect(await codeOf(() => readReferenceCatalogFrame('credential', frame, keyFor('MMM_Contact', alice), { allowUnauthenticated: true }))).toBe('MESH_BAD_ENVELOPE');
  });
});

const unseal = (k: Uint8Array, magic: string, bytes: Uint8Array) => unsealAsync(k, magic, sealedBytes(bytes));

describe('sealed side files (sealed.ts)', () => {
  const k = seeded(41)(32);
  const body = seeded(42)(3 * 1024 * 1024 + 123); // four chunks
  const sealed = seal(k, 'MMMSNAP1', { head: { label: 'MMM_Credential' }, body }, seeded(43));
  it('round trip over several chunks', async () => {
    const back = await unseal(k, 'MMMSNAP1', sealed);
    expect(back?.head).toEqual({ label: 'MMM_Credential' });
    expect(back?.body).toEqual(body);
  });
  it('any changed byte, a dropped or swapped chunk, another key or kind: absent', async () => {
    const rnd = prng(44);
    for (let t = 0; t < 40; t++) {
      const bad = sealed.slice();
      bad[rnd(bad.length)]! ^= 1 + rnd(255);
      expect(await unseal(k, 'MMMSNAP1', bad)).toBeUndefined();
    }
    expect(await unseal(k, 'MMMSNAP1', sealed.subarray(0, sealed.length - 1))).toBeUndefined();
    expect(await unseal(seeded(45)(32), 'MMMSNAP1', sealed)).toBeUndefined();
    expect(await unseal(k, 'MMMJRNL1', sealed)).toBeUndefined();
    // chunks 0 and 1 swapped (each intact): the MAC binds the index
    const at0 = 28;
    const len = (at: number): number => new DataView(sealed.buffer, sealed.byteOffset + at, 4).getUint32(0) + 4 + 64;
    const c0 = sealed.subarray(at0, at0 + len(at0));
    const c1 = sealed.subarray(at0 + c0.length, at0 + c0.length + len(at0 + c0.length));
    const swapped = new Uint8Array(sealed.length);
    swapped.set(sealed.subarray(0, at0));
    swapped.set(c1, at0);
    swapped.set(c0, at0 + c1.length);
    swapped.set(sealed.subarray(at0 + c0.length + c1.length), at0 + c0.length + c1.length);
    expect(await unseal(k, 'MMMSNAP1', swapped)).toBeUndefined();
  });
});

describe('primary keys (mesh-model.md §8.1)', () => {
  it('every kind names its label, class and key; entries of another class are refused', () => {
    for (const [kind, [entry, key]] of Object.entries(SAMPLES) as [CatalogKind, [never, string]][]) {
      expect(primaryKeyOf(kind, entry)).toBe(key);
      expect(CATALOG_KINDS[kind].label).toMatch(/^MMM_/);
    }
    expect(primaryKeyOf('credential', { $class: 'CatalogedCredential', Service: 'ftp.example.com' })).toBe(':ftp.example.com');
    expect(() => primaryKeyOf('credential', SAMPLES.contact[0] as never)).toThrow(expect.objectContaining({ code: 'MESH_WRONG_CLASS' }));
    expect(() => primaryKeyOf('contact', { $class: 'CatalogedContact' })).toThrow(expect.objectContaining({ code: 'MESH_BAD_MEMBER' }));
  });
});

describe.each(BACKINGS)('catalogs on %o', (make) => {
  const backing: Backing = make();
  afterAll(() => backing.cleanup());
  let n = 0;
  const files = (): { store: Slot; snapshot: Slot; journal: Slot } => {
    n++;
    return { store: backing.slot(`c${n}.dare`), snapshot: backing.slot(`c${n}.snap`), journal: backing.slot(`c${n}.jrnl`) };
  };
  const open = async <K extends CatalogKind>(kind: K, f: ReturnType<typeof files>, o: Partial<StoreOptions> = {}, withSnapshot = true): Promise<Catalog<K>> =>
    Catalog.open(kind, {
      store: await f.store.open(), key: keyFor(CATALOG_KINDS[kind].label), ...(withSnapshot ? { snapshot: sideFileOnStore(await f.snapshot.open()) } : {}),
      journal: sideFileOnStore(await f.journal.open()), ...o,
    });

  it('every catalog kind: add, get typed, update, reopen, delete', async () => {
    for (const [kind, [entry, key]] of Object.entries(SAMPLES) as [CatalogKind, [CatalogEntryOf<CatalogKind>, string]][]) {
      const f = files();
      const c = await open(kind, f);
      const edit = await c.add(entry as never);
      expect(edit).toEqual({ uniqueId: key, event: 'New', index: 1 });
      expect(c.get(key)).toEqual(entry);
      expect((await c.update(entry as never)).event).toBe('Update');
      await c.close();
      const again = await open(kind, f, {}, false);
      expect(again.get(key)).toEqual(entry);
      expect(again.framesOf(key)).toEqual({ first: 1, last: 2 });
      expect(await again.delete(key)).toEqual({ uniqueId: key, event: 'Delete', first: 1, previous: 2, index: 3 });
      expect(again.size).toBe(0);
      await again.close();
    }
  });

  it('the application catalog holds SSH, mail and other application classes side by side', async () => {
    const f = files();
    const apps = await open('application', f);
    const mail: CatalogEntryOf<'application'> = {
      $class: 'CatalogedApplicationMail', Key: 'mailto:alice@example.com', AccountAddress: 'alice@example.com',
      InboundConnect: 'imap://imap.example.com', OutboundConnect: 'submit://smtp.example.com',
    };
    await apps.add(SAMPLES.application[0]);
    await apps.add(mail);
    await apps.close();
    const again = await open('application', f, {}, false);
    expect(again.get('mailto:alice@example.com')).toEqual(mail);
    expect(again.list().map((a) => a.$class).sort()).toEqual(['CatalogedApplicationMail', 'CatalogedApplicationSsh']);
    await again.close();
  });

  it('lifecycle violations through the API are typed errors and write nothing', async () => {
    const f = files();
    const c = await open('credential', f);
    await c.add(cred('a.com', '1'));
    const frames = c.frameCount;
    expect(await codeOf(c.add(cred('a.com', '2')))).toBe('MESH_ALREADY_EXISTS');
    expect(await codeOf(c.update(cred('b.com', '2')))).toBe('MESH_NOT_FOUND');
    expect(await codeOf(c.delete(':b.com'))).toBe('MESH_NOT_FOUND');
    expect(await codeOf(c.add(SAMPLES.contact[0] as never))).toBe('MESH_WRONG_CLASS');
    expect(await codeOf(c.add({ $class: 'CatalogedCredential', Username: 'x' }))).toBe('MESH_BAD_MEMBER');
    expect(await codeOf(c.add({ $class: 'CatalogedCredential', Service: 'x', Password: 42 } as never))).toBe('MESH_BAD_MEMBER');
    // a batch is all or nothing: the second edit fails, the first is not written either
    expect(await codeOf(c.edit([{ op: 'add', entry: cred('c.com', '3') }, { op: 'add', entry: cred('a.com', '4') }]))).toBe('MESH_ALREADY_EXISTS');
    expect(c.frameCount).toBe(frames);
    expect(c.has(':c.com')).toBe(false);
    // inside a batch the lifecycle follows the earlier edits
    await c.edit([{ op: 'add', entry: cred('c.com', '3') }, { op: 'update', entry: cred('c.com', '4') }, { op: 'delete', key: ':c.com' }, { op: 'put', entry: cred('c.com', '5') }]);
    expect(c.get(':c.com')?.Password).toBe('5');
    expect(c.framesOf(':c.com')).toEqual({ first: frames + 3, last: frames + 3 });
    await c.close();
  });

  it('concurrent edits share group commits and keep their order', async () => {
    const f = files();
    const c = await open('credential', f);
    const edits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? c.put(cred(`g${i - 1}.com`, `again${i}`)) : c.add(cred(`g${i}.com`, `${i}`)))));
    expect(edits.map((e) => e.index)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await c.close();
    const again = await open('credential', f, {}, false);
    expect(again.size).toBe(30);
    expect(again.get(':g2.com')?.Password).toBe('again3');
    await again.close();
  });

  it('a store opened as the wrong catalog, or with the wrong key, is refused', async () => {
    const f = files();
    const contacts = await open('contact', f);
    await contacts.add(SAMPLES.contact[0] as never);
    await contacts.close();
    // the credential key: frame 0 encrypts to another key
    expect(await codeOf(Catalog.open('credential', { store: await f.store.open(), key: keyFor('MMM_Credential') }))).toBe('DARE_POLICY');
    // the contact key, opened as the credential catalog: its frames are not the credential store's
    expect(await codeOf(Catalog.open('credential', { store: await f.store.open(), key: keyFor('MMM_Contact') }))).toBe('DARE_NOT_TRUSTED');
    // another account's contact key
    const other = keyFor('MMM_Contact', newMeshSeed('MeshProfileAccount', seeded(8)));
    expect(await codeOf(Catalog.open('contact', { store: await f.store.open(), key: other }))).toBe('DARE_POLICY');
    // a refused open closes what it was given: the store and its side files open again (locks released)
    expect(await codeOf(open('credential', f))).toBe('DARE_POLICY');
    const ok = await open('contact', f);
    expect(ok.size).toBe(1);
    await ok.close();
  });

  it('prepare builds frames without writing; commit writes them; a stale batch is MESH_STALE', async () => {
    const f = files();
    const c = await open('credential', f);
    const p = c.prepare([{ op: 'add', entry: cred('p.com', '1') }]);
    expect(p.from).toBe(1);
    expect(p.frames.length).toBe(1);
    expect(c.has(':p.com')).toBe(false);
    const q = c.prepare([{ op: 'add', entry: cred('q.com', '1') }]);
    await c.commit(q);
    expect(await codeOf(c.commit(p))).toBe('MESH_STALE');
    await c.close();
    expect(f.store.bytes().subarray(-q.frames[0]!.length)).toEqual(q.frames[0]);
  });

  it('replay gives the state of a plain Map model (property: 6 seeds × 120 random edits, reopened by replay and by snapshot)', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rnd = prng(seed * 7919);
      const f = files();
      const model = new Map<string, string>();
      let c = await open('credential', f, { snapshotEvery: 1 });
      for (let step = 0; step < 120; step++) {
        const site = `s${rnd(12)}.example`;
        const key = `:${site}`;
        const pw = `pw${seed}-${step}`;
        const op = rnd(4);
        const code = await codeOf(
          op === 0 ? c.add(cred(site, pw)) : op === 1 ? c.update(cred(site, pw)) : op === 2 ? c.put(cred(site, pw)) : c.delete(key),
        );
        const live = model.has(key);
        const want = op === 0 ? (live ? 'MESH_ALREADY_EXISTS' : undefined) : op === 1 || op === 3 ? (live ? undefined : 'MESH_NOT_FOUND') : undefined;
        expect(code, `seed ${seed} step ${step} op ${op} ${key}`).toBe(want);
        if (code === undefined) {
          if (op === 3) model.delete(key);
          else model.set(key, pw);
        }
        if (step % 40 === 39) {
          // reopen: alternately from the snapshot and by a full replay
          await c.close();
          c = await open('credential', f, { snapshotEvery: 1 }, step % 80 === 39);
        }
      }
      const got = new Map(c.list().map((e) => [primaryKeyOf('credential', e), e.Password!]));
      expect(got).toEqual(model);
      expect(new Set(c.keys())).toEqual(new Set(model.keys()));
      await c.close();
      const replayed = await open('credential', f, {}, false);
      expect(new Map(replayed.list().map((e) => [primaryKeyOf('credential', e), e.Password!]))).toEqual(model);
      await replayed.close();
    }
  });

  it('a torn last frame loses at most the last edit', async () => {
    const f = files();
    const c = await open('credential', f, {}, false);
    for (let i = 0; i < 5; i++) await c.add(cred(`t${i}.com`, `${i}`));
    const whole = f.store.bytes();
    await c.close();
    for (const cut of [1, 20, 200]) {
      f.store.write(whole.subarray(0, whole.length - cut));
      const r = await open('credential', f, {}, false);
      expect(r.keys().sort()).toEqual([':t0.com', ':t1.com', ':t2.com', ':t3.com']);
      await r.add(cred('t9.com', '9')); // and the catalog goes on from there
      await r.close();
      const again = await open('credential', f, {}, false);
      expect(again.size).toBe(5);
      await again.close();
    }
  });

  it('a snapshot of another file with the same length is ignored', async () => {
    const f = files();
    const g = files();
    for (const x of [f, g]) {
      const c = await open('credential', x, { snapshotEvery: 1 });
      await c.add(cred('same.com', 'same'));
      await c.close();
    }
    expect(f.store.bytes().length).toBe(g.store.bytes().length);
    f.snapshot.write(g.snapshot.bytes());
    const r = await open('credential', f);
    expect(r.opened.fromSnapshot).toBe(false);
    expect(r.get(':same.com')?.Password).toBe('same');
    await r.close();
  });

  it('a snapshot that is tampered, of another store or of an earlier state: ignored, or taken with the later frames replayed', async () => {
    const f = files();
    const c = await open('credential', f, { snapshotEvery: 1 });
    for (let i = 0; i < 4; i++) await c.add(cred(`x${i}.com`, `${i}`));
    await c.close();
    const snap = f.snapshot.bytes();
    expect(snap.length).toBeGreaterThan(0);
    // a flipped byte anywhere (MAC), then a snapshot of the contact catalog under the same seed
    const bad = snap.slice();
    bad[bad.length >> 1]! ^= 1;
    f.snapshot.write(bad);
    const r1 = await open('credential', f);
    expect(r1.opened).toEqual({ fromSnapshot: false, replayed: 5, recovered: 0 });
    expect(r1.size).toBe(4);
    await r1.close();
    f.snapshot.write(snap);
    const good = await open('credential', f);
    expect(good.opened).toEqual({ fromSnapshot: true, replayed: 0, recovered: 0 });
    expect(good.size).toBe(4);
    await good.close();
    const g = files();
    const other = await open('contact', g, { snapshotEvery: 1 });
    await other.add(SAMPLES.contact[0] as never);
    await other.close();
    f.snapshot.write(g.snapshot.bytes());
    const r2 = await open('credential', f);
    expect(r2.opened.fromSnapshot).toBe(false);
    expect(r2.size).toBe(4);
    await r2.close();
    // a good snapshot of an earlier state: taken, and the frames after it replayed
    f.snapshot.write(snap);
    const more = await open('credential', f, { snapshotEvery: 1000 });
    await more.add(cred('later.com', 'l'));
    await more.close();
    f.snapshot.write(snap);
    const r3 = await open('credential', f);
    expect(r3.opened).toEqual({ fromSnapshot: true, replayed: 1, recovered: 0 });
    expect(r3.size).toBe(5);
    expect(r3.get(':later.com')?.Password).toBe('l');
    await r3.close();
  });
});
