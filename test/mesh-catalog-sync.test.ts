import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/store/memory.js';
import { dareKeyFromKeyPair, publicPart, type DarePrivateKey } from '../sdk/dare/index.js';
import { SequenceError, SequenceReplica, decodeFrame } from '../sdk/dare/sequence/index.js';
import { bytesEqual, utf8Encode } from '../sdk/encoding/index.js';
import {
  Catalog, MeshError, deriveStoreKey, deriveStoreSecrets, encodeCatalogEvent, newMeshSeed, sideFileOnStore, writeMeshObject,
  type CatalogEntryOf, type CatalogEvent, type ConflictWarning, type SideFile,
} from '../sdk/mesh/index.js';
import { seeded } from './support/random.js';
import { BACKINGS, type Backing, type Slot } from './support/store-slots.js';

/**
 * Catalogs synced through a service (protocol.md T7, T8, F5): frames built by one device are
 * taken verbatim by the others (byte-identical files); concurrent edits resolve by the conflict
 * rule (conflict.ts) with warnings; a lost response, a crash in the middle of a rebase and a
 * service that rewrites history are handled; and every kind of bad frame offered in a download is
 * refused with its typed error, leaving the store as it was.
 */

const SEED = newMeshSeed('MeshProfileAccount', seeded(11));
const key = (label = 'MMM_Credential', seed = SEED): DarePrivateKey => dareKeyFromKeyPair(deriveStoreKey(seed, label));
const cred = (site: string, pw: string): CatalogEntryOf<'credential'> => ({ $class: 'CatalogedCredential', Service: site, Username: 'alice', Password: pw });

/** A service's copy of one store: optimistic concurrency on the expected last index and apex (protocol.md T8). */
class FakeService {
  readonly frames: Uint8Array[] = [];
  heads: Uint8Array[] = [];
  async transact(c: Catalog<'credential'>): Promise<'Accept' | 'Conflict'> {
    const out = await c.outgoing();
    if (out.index !== this.frames.length - 1 || (out.index >= 0 && !bytesEqual(out.digest!, this.heads[out.index]!))) return 'Conflict';
    for (let i = 0; i < out.frames.length; i++) {
      this.frames.push(out.frames[i]!);
      this.heads.push(await c.headAt(out.index + 1 + i));
    }
    return 'Accept';
  }
  /** F5: download what is new, upload what is ours, until the service takes it. */
  async sync(c: Catalog<'credential'>): Promise<ConflictWarning[]> {
    const warnings: ConflictWarning[] = [];
    for (let round = 0; round < 5; round++) {
      const r = await c.receive(c.acknowledged, this.frames.slice(c.acknowledged));
      warnings.push(...r.warnings);
      if ((await this.transact(c)) === 'Accept') {
        await c.acknowledge(this.frames.length);
        return warnings;
      }
    }
    throw new Error('sync did not converge');
  }
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MeshError || e instanceof SequenceError) return e.code;
    throw e;
  }
  return undefined;
}

const passwords = (c: Catalog<'credential'>): Record<string, string> =>
  Object.fromEntries(c.list().map((e) => [`:${e.Service}`, e.Password!]).sort());

describe.each(BACKINGS)('catalog sync on %o', (make) => {
  const backing: Backing = make();
  afterAll(() => backing.cleanup());
  let n = 0;
  const device = async (create: boolean, journal?: Slot): Promise<{ c: Catalog<'credential'>; slot: Slot; journal: Slot }> => {
    n++;
    const slot = backing.slot(`d${n}.dare`);
    const j = journal ?? backing.slot(`d${n}.jrnl`);
    const c = await Catalog.open('credential', { store: await slot.open(), key: key(), synced: true, create, journal: sideFileOnStore(await j.open()) });
    return { c, slot, journal: j };
  };
  const reopen = async (d: { slot: Slot; journal: Slot }): Promise<Catalog<'credential'>> =>
    Catalog.open('credential', { store: await d.slot.open(), key: key(), synced: true, create: false, journal: sideFileOnStore(await d.journal.open()) });

  /** A service with `entries` and two devices in step with it. */
  async function twoDevices(entries: Record<string, string>) {
    const service = new FakeService();
    const a = await device(true);
    for (const [site, pw] of Object.entries(entries)) await a.c.add(cred(site, pw));
    await service.sync(a.c);
    const b = await device(false);
    await service.sync(b.c);
    return { service, a, b };
  }

  it('device A builds, device B takes verbatim: byte-identical files; then the other way', async () => {
    const { service, a, b } = await twoDevices({ 'a.com': '1', 'b.com': '2' });
    expect(b.c.acknowledged).toBe(3);
    expect(passwords(b.c)).toEqual({ ':a.com': '1', ':b.com': '2' });
    await b.c.delete(':a.com');
    await b.c.add(cred('c.com', '3'));
    expect((await b.c.outgoing()).frames.length).toBe(2);
    await service.sync(b.c);
    await service.sync(a.c);
    expect(passwords(a.c)).toEqual({ ':b.com': '2', ':c.com': '3' });
    await a.c.close();
    await b.c.close();
    expect(a.slot.bytes()).toEqual(b.slot.bytes());
    // a third device joining later decrypts frames from both writers' key exchanges
    const c = await device(false);
    await c.c.receive(0, service.frames);
    expect(passwords(c.c)).toEqual({ ':b.com': '2', ':c.com': '3' });
    await c.c.close();
    expect(c.slot.bytes()).toEqual(a.slot.bytes());
  });

  it.each([
    ['both add the same key', 'add', 'add', 'B', ['add-became-update']],
    ['both update', 'update', 'update', 'B', ['overwrote-remote-update']],
    ['B updates what A deleted', 'delete', 'update', 'B', ['restored-after-remote-delete']],
    ['B deletes what A updated', 'update', 'delete', 'A', ['delete-dropped-remote-update']],
    ['both delete', 'delete', 'delete', undefined, ['already-deleted-remotely']],
  ] as const)('conflict rule: %s', async (_name, opA, opB, winner, kinds) => {
    const existing: Record<string, string> = opA === 'add' ? {} : { 'k.com': 'old' };
    const { service, a, b } = await twoDevices({ ...existing, 'other.com': 'o' });
    const edit = (c: Catalog<'credential'>, op: string, pw: string): Promise<unknown> =>
      op === 'add' ? c.add(cred('k.com', pw)) : op === 'update' ? c.update(cred('k.com', pw)) : c.delete(':k.com');
    await edit(a.c, opA, 'A');
    await edit(b.c, opB, 'B');
    await b.c.add(cred('b-only.com', 'b')); // untouched by A: kept as made
    await service.sync(a.c); // A first: B's upload is now stale
    expect(await service.transact(b.c)).toBe('Conflict');
    const warnings = await service.sync(b.c);
    expect(warnings.map((w) => w.kind)).toEqual(kinds);
    expect(warnings[0]!.uniqueId).toBe(':k.com');
    await service.sync(a.c);
    const want = { ':b-only.com': 'b', ':other.com': 'o', ...(winner ? { ':k.com': winner } : {}) };
    expect(passwords(a.c)).toEqual(want);
    expect(passwords(b.c)).toEqual(want);
    await a.c.close();
    await b.c.close();
    expect(a.slot.bytes()).toEqual(b.slot.bytes());
  });

  it('a lost Transact response: the device finds its own frames in the download and counts them acknowledged', async () => {
    const { service, a, b } = await twoDevices({ 'a.com': '1' });
    await b.c.put(cred('a.com', '2'));
    expect(await service.transact(b.c)).toBe('Accept'); // response lost: no acknowledge
    await a.c.add(cred('x.com', 'x'));
    await service.sync(a.c);
    const r = await b.c.receive(b.c.acknowledged, service.frames.slice(b.c.acknowledged));
    expect(r).toEqual({ acknowledged: 1, accepted: 1, rebuilt: 0, warnings: [] });
    expect((await b.c.outgoing()).frames).toEqual([]);
    expect(passwords(b.c)).toEqual({ ':a.com': '2', ':x.com': 'x' });
  });

  it('a crash in the middle of a rebase loses nothing: the journal brings the edits back', async () => {
    const { service, a, b } = await twoDevices({ 'a.com': '1' });
    await a.c.put(cred('a.com', 'A'));
    await service.sync(a.c);
    await b.c.put(cred('a.com', 'B'));
    await b.c.add(cred('b.com', 'b'));
    // Capture the journal as the rebase writes it, let the rebase finish, then put the files back
    // as a crash after the foreign frame was appended (and before our edits were rebuilt) leaves them.
    const before = b.slot.bytes();
    const at = b.c.acknowledged;
    const frame2Start = (await b.c.frameBytes(0)).length + (await b.c.frameBytes(1)).length;
    await b.c.receive(at, service.frames.slice(at));
    const journalNow = b.journal.bytes();
    expect(journalNow.length).toBe(0); // cleared after the rebase
    await b.c.close();
    // Re-run the same rebase on a copy with a journal that records what it wrote.
    const seen: Uint8Array[] = [];
    const j2 = backing.slot(`spy${n}.jrnl`);
    const spy: SideFile = (() => {
      const inner = { file: undefined as SideFile | undefined };
      return {
        read: async () => (inner.file ??= sideFileOnStore(await j2.open())).read(),
        write: async (bytes) => {
          seen.push(bytes.slice());
          await (inner.file ??= sideFileOnStore(await j2.open())).write(bytes);
        },
        clear: async () => (inner.file ??= sideFileOnStore(await j2.open())).clear(),
        close: async () => inner.file?.close(),
      };
    })();
    const s2 = backing.slot(`copy${n}.dare`);
    s2.write(before);
    const copy = await Catalog.open('credential', { store: await s2.open(), key: key(), synced: true, create: false, journal: spy });
    // the copy has no snapshot: its acknowledged point is 0 until it learns better
    expect(copy.acknowledged).toBe(0);
    await copy.acknowledge(at);
    await copy.receive(at, service.frames.slice(at));
    await copy.close();
    expect(seen.length).toBe(1);
    // crash state: prefix + the service's frame, our edits not yet rebuilt, journal written
    s2.write(bytesConcat(before.subarray(0, frame2Start), service.frames[2]!));
    j2.write(seen[0]!);
    const recovered = await Catalog.open('credential', { store: await s2.open(), key: key(), synced: true, create: false, journal: sideFileOnStore(await j2.open()) });
    expect(recovered.opened.recovered).toBe(2);
    expect(passwords(recovered)).toEqual({ ':a.com': 'B', ':b.com': 'b' }); // our edits, on the state before the conflict
    expect(j2.bytes().length).toBe(0);
    await recovered.acknowledge(at);
    const warnings = await service.sync(recovered);
    expect(warnings.map((w) => w.kind)).toEqual(['overwrote-remote-update']);
    expect(passwords(recovered)).toEqual({ ':a.com': 'B', ':b.com': 'b' });
    await recovered.close();
    await a.c.close();
  });

  it('a device that made its own frame 0 before its first download: theirs replaces it, its edits are rebuilt on top', async () => {
    const { service } = await twoDevices({ 'a.com': '1' });
    const early = await device(true); // created frame 0 itself, then edited offline
    await early.c.add(cred('e.com', 'early'));
    expect(early.c.acknowledged).toBe(0);
    const warnings = await service.sync(early.c);
    expect(warnings).toEqual([]);
    expect(passwords(early.c)).toEqual({ ':a.com': '1', ':e.com': 'early' });
    expect(await early.c.frameBytes(0)).toEqual(service.frames[0]);
    await early.c.close();
  });

  it('a crash right after the cut of a rebase at frame 0 loses nothing either', async () => {
    const { service } = await twoDevices({ 'a.com': '1' });
    const early = await device(true);
    await early.c.add(cred('e.com', 'early'));
    await early.c.close();
    // run the rebase with a journal that keeps a copy of what it was given
    const copies: Uint8Array[] = [];
    const inner = sideFileOnStore(await early.journal.open());
    const spy: SideFile = { ...inner, read: () => inner.read(), clear: () => inner.clear(), close: () => inner.close(), write: async (b) => (copies.push(b.slice()), inner.write(b)) };
    const before = early.slot.bytes();
    const c = await Catalog.open('credential', { store: await early.slot.open(), key: key(), synced: true, create: false, journal: spy });
    await c.receive(0, service.frames);
    await c.close();
    expect(copies.length).toBe(1);
    // the crash: the file cut to nothing, the journal written
    early.slot.write(before.subarray(0, 0));
    early.journal.write(copies[0]!);
    const back = await reopen(early);
    expect(back.opened.recovered).toBe(1);
    expect(back.frameCount).toBe(2); // a frame 0 of its own again, and the edit
    expect(passwords(back)).toEqual({ ':e.com': 'early' });
    await service.sync(back);
    expect(passwords(back)).toEqual({ ':a.com': '1', ':e.com': 'early' });
    await back.close();
  });

  it('a service that changes a frame it had acknowledged: MESH_DIVERGED, nothing changes', async () => {
    const { service, b } = await twoDevices({ 'a.com': '1', 'b.com': '2' });
    const before = b.slot.bytes();
    const forged = service.frames.slice();
    forged[1] = forged[2]!;
    expect(await codeOf(b.c.receive(0, forged))).toBe('MESH_DIVERGED');
    await b.c.close();
    expect(b.slot.bytes()).toEqual(before);
  });
});

function bytesConcat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe('MMM_Access: encrypted to the store key and the host\'s AccessEncrypt key (mesh-model.md §8)', () => {
  it('the service reads it with its own key; devices must name the same recipients', async () => {
    const host = dareKeyFromKeyPair(deriveStoreKey(newMeshSeed('MeshProfileAccount', seeded(31)), 'AccessEncrypt'));
    const store = MemoryStore.create();
    const access = await Catalog.open('access', { store, key: key('MMM_Access'), extraRecipients: [publicPart(host)] });
    await access.add({ $class: 'CatalogedAccess', Capability: { $class: 'AccessCapability', Id: 'MDEV-0001', Active: true, Rights: ['web'] } });
    await access.close();
    const frames: Uint8Array[] = [];
    const reader = await SequenceReplica.open(MemoryStore.create(store.bytes()), { adoptPolicy: true, keys: [host] });
    for (let i = 0; i < reader.frameCount; i++) frames.push(await reader.frameBytes(i));
    const service = await SequenceReplica.open(MemoryStore.create(), { adoptPolicy: true, keys: [host] });
    const taken = await service.accept(frames);
    expect(new TextDecoder().decode(taken.frames[1]!.payload)).toContain('MDEV-0001');
    expect(new TextDecoder().decode(taken.frames[1]!.contentMeta)).toContain('"Event": "New"');
    // a device that forgets the host key as a recipient refuses the store (frame 0 names two keys)
    expect(await codeOf(Catalog.open('access', { store: MemoryStore.create(store.bytes()), key: key('MMM_Access') }))).toBe('DARE_POLICY');
    const device = await Catalog.open('access', { store: MemoryStore.create(store.bytes()), key: key('MMM_Access'), extraRecipients: [publicPart(host)] });
    expect(device.get('MDEV-0001')?.Capability?.$class).toBe('AccessCapability');
    await device.close();
  });
});

describe('bad frames in a download are refused, and the store is unchanged', () => {
  /** B holds frames 0..2 of A's catalog; `offer` frames for index 3. */
  async function setup() {
    const service = new FakeService();
    const aStore = MemoryStore.create();
    const a = await Catalog.open('credential', { store: aStore, key: key(), synced: true });
    await a.add(cred('a.com', '1'));
    await a.add(cred('b.com', '2'));
    await service.sync(a);
    const bStore = MemoryStore.create();
    const b = await Catalog.open('credential', { store: bStore, key: key(), synced: true, create: false });
    await service.sync(b);
    await a.put(cred('a.com', 'next'));
    await service.sync(a);
    const good = service.frames[3]!;
    const refused = async (from: number, frames: Uint8Array[]): Promise<string | undefined> => {
      const bytes = bStore.bytes();
      const state = passwords(b);
      const count = b.frameCount;
      const code = await codeOf(b.receive(from, frames));
      expect(bStore.bytes()).toEqual(bytes);
      expect(passwords(b)).toEqual(state);
      expect(b.frameCount).toBe(count);
      return code;
    };
    /** A writer that holds the store key (and so its author key) but ignores the catalog's rules. */
    const rogue = async (): Promise<SequenceReplica> => {
      const secrets = deriveStoreSecrets(key(), 'MMM_Credential');
      const r = await SequenceReplica.open(MemoryStore.create(), { recipients: [publicPart(key())], keys: [key()], author: secrets.author });
      await (await r.accept(service.frames.slice(0, 3))).durable;
      return r;
    };
    return { service, a, b, good, refused, rogue };
  }
  const event = (e: CatalogEvent, entry?: CatalogEntryOf<'credential'>) => ({ payload: entry ? writeMeshObject(entry, 'json') : new Uint8Array(0), contentMeta: encodeCatalogEvent(e) });

  it('wrong index, gap, replayed frame', async () => {
    const { service, good, refused } = await setup();
    expect(await refused(4, [good])).toBe('DARE_BAD_INDEX'); // a gap
    expect(await refused(3, [service.frames[2]!])).toBe('DARE_BAD_INDEX'); // frame 2 again, at 3
    expect(await refused(3, [good, good])).toBe('DARE_BAD_INDEX'); // replayed within the batch
  });

  it('a tampered frame (a flipped byte in the header, the ciphertext or the trailer)', async () => {
    const { good, refused } = await setup();
    for (const at of [12, good.length >> 1, good.length - 40]) {
      const bad = good.slice();
      bad[at]! ^= 0x20;
      expect(await refused(3, [bad]), `byte ${at}`).toBeDefined();
    }
  });

  it('frames of another account (another key) and of another store (the contact catalog)', async () => {
    const { refused } = await setup();
    const otherSeed = newMeshSeed('MeshProfileAccount', seeded(12));
    for (const [label, seed] of [['MMM_Credential', otherSeed], ['MMM_Contact', SEED]] as const) {
      const s = new FakeService();
      const other = await Catalog.open(label === 'MMM_Contact' ? 'contact' : 'credential', { store: MemoryStore.create(), key: key(label, seed), synced: true } as never);
      await (other as Catalog<'credential'>).add((label === 'MMM_Contact' ? { $class: 'CatalogedContact', Key: 'k' } : cred('a.com', 'x')) as never);
      await (other as Catalog<'credential'>).add((label === 'MMM_Contact' ? { $class: 'CatalogedContact', Key: 'l' } : cred('b.com', 'y')) as never);
      await (other as Catalog<'credential'>).add((label === 'MMM_Contact' ? { $class: 'CatalogedContact', Key: 'm' } : cred('c.com', 'z')) as never);
      await s.sync(other as Catalog<'credential'>);
      expect(await refused(3, [s.frames[3]!])).toMatch(/^DARE_/);
    }
  });

  it('a frame the service (holding only the public key) builds: valid, decryptable, not authored', async () => {
    const { service, refused } = await setup();
    const svc = await SequenceReplica.open(MemoryStore.create(), { recipients: [publicPart(key())] });
    await (await svc.accept(service.frames.slice(0, 3))).durable;
    await svc.append(event({ uniqueId: ':evil.com', event: 'New' }, cred('evil.com', 'phish'))).durable;
    expect(await refused(3, [await svc.frameBytes(3)])).toBe('DARE_NOT_TRUSTED');
  });

  it('lifecycle violations by a holder of the key: each a typed error', async () => {
    const { refused, rogue } = await setup();
    const cases: [string, ReturnType<typeof event>, string][] = [
      ['New for a live key', event({ uniqueId: ':a.com', event: 'New' }, cred('a.com', 'x')), 'MESH_LIFECYCLE'],
      ['Update with the wrong Previous', event({ uniqueId: ':a.com', event: 'Update', first: 1, previous: 2 }, cred('a.com', 'x')), 'MESH_LIFECYCLE'],
      ['Update with the wrong First', event({ uniqueId: ':b.com', event: 'Update', first: 1, previous: 2 }, cred('b.com', 'x')), 'MESH_LIFECYCLE'],
      ['Update of a key never added', event({ uniqueId: ':z.com', event: 'Update', first: 1, previous: 1 }, cred('z.com', 'x')), 'MESH_LIFECYCLE'],
      ['Delete carrying an entry', event({ uniqueId: ':a.com', event: 'Delete', first: 1, previous: 1 }, cred('a.com', 'x')), 'MESH_LIFECYCLE'],
      ['an entry whose key is not the UniqueId', event({ uniqueId: ':q.com', event: 'New' }, cred('r.com', 'x')), 'MESH_LIFECYCLE'],
      ['an entry of another catalog', { payload: writeMeshObject({ $class: 'CatalogedContact', Key: ':q.com' } as CatalogEntryOf<'contact'>, 'json'), contentMeta: encodeCatalogEvent({ uniqueId: ':q.com', event: 'New' }) }, 'MESH_WRONG_STORE'],
      ['no event at all', { payload: writeMeshObject(cred('q.com', 'x'), 'json'), contentMeta: utf8Encode('{"UniqueId": ":q.com"}') }, 'MESH_LIFECYCLE'],
      ['not JSON', { payload: utf8Encode('{"CatalogedCredential": '), contentMeta: encodeCatalogEvent({ uniqueId: ':q.com', event: 'New' }) }, 'MESH_BAD_ENCODING'],
    ];
    for (const [what, content, code] of cases) {
      const r = await rogue();
      await r.append(content).durable;
      expect(await refused(3, [await r.frameBytes(3)]), what).toBe(code);
    }
  });

  it('a good frame goes in after all that; a re-sent frame we hold is a no-op', async () => {
    const { b, good, service } = await setup();
    expect(await b.receive(3, [good])).toEqual({ acknowledged: 0, accepted: 1, rebuilt: 0, warnings: [] });
    expect(await b.receive(0, service.frames)).toEqual({ acknowledged: 0, accepted: 0, rebuilt: 0, warnings: [] });
    expect(b.get(':a.com')?.Password).toBe('next');
  });

  it('a rebuilt frame after a conflict carries its own key exchange; the frames it replaced are gone', async () => {
    const { service, a, b } = await setup();
    await b.put(cred('b.com', 'mine'));
    const mineBefore = await b.frameBytes(3);
    await a.put(cred('a.com', 'again'));
    await service.sync(a);
    await service.sync(b);
    const rebuilt = await b.frameBytes(5);
    expect(bytesEqual(rebuilt, mineBefore)).toBe(false);
    const header = JSON.parse(new TextDecoder().decode(decodeFrame(rebuilt).header)) as Record<string, unknown>;
    expect(Array.isArray(header['recipients'])).toBe(true);
    expect((header['SequenceInfo'] as Record<string, number>)['Index']).toBe(5);
  });
});
