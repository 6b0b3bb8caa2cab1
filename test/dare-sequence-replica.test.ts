import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/store/memory.js';
import { darePrivateKey, publicPart, type DarePrivateKey } from '../sdk/dare/index.js';
import {
  authorMac, decodeFrame, encodeFrame, headerDigest, payloadDigest,
  EMPTY_REPLICA_STATE, SequenceError, policyRecipients, SequenceReader, SequenceReplica, replicaStateFromJson, replicaStateToJson, resumeStateMatches,
  verifySequence, type ReplicaOptions,
} from '../sdk/dare/sequence/index.js';
import { base64urlEncode, utf8Encode } from '../sdk/encoding/index.js';
import { prng, seeded } from './support/random.js';
import { BACKINGS } from './support/store-slots.js';

/**
 * Sequence replicas (sdk/dare/sequence/replica.ts): frames built by one writer and taken verbatim
 * by another give byte-identical files; every check `accept` promises is attacked and must refuse
 * with its typed error, writing nothing.
 */

const keyOf = (n: number): DarePrivateKey => darePrivateKey('X448', seeded(n)(56));
const storeKey = keyOf(1);
const otherKey = keyOf(2);
const author = seeded(3)(32);
const opts = (extra: Partial<ReplicaOptions> = {}): ReplicaOptions => ({ recipients: [publicPart(storeKey)], keys: [storeKey], author, ...extra });
const content = (i: number) => ({ payload: utf8Encode(`record ${i}`), contentMeta: utf8Encode(`{"UniqueId":"k${i}"}`) });

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SequenceError) return e.code;
    throw e;
  }
  return undefined;
}

/** A writer with `n` data frames, its store, and every frame's bytes. */
async function writer(n: number, o: Partial<ReplicaOptions> = {}): Promise<{ r: SequenceReplica; store: MemoryStore; frames: Uint8Array[] }> {
  const store = MemoryStore.create();
  const r = await SequenceReplica.open(store, opts({ create: {}, ...o }));
  for (let i = 1; i <= n; i++) await r.append(content(i)).durable;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < r.frameCount; i++) frames.push(await r.frameBytes(i));
  return { r, store, frames };
}

describe.each(BACKINGS)('sequence replica on %o', (make) => {
  const backing = make();
  afterAll(() => backing.cleanup());

  it('a second replica takes every frame verbatim: byte-identical files, same head, same plaintexts', async () => {
    const { r: a, store, frames } = await writer(20);
    const slot = backing.slot('b.dare');
    const b = await SequenceReplica.open(await slot.open(), opts());
    expect(b.frameCount).toBe(0);
    const taken = await b.accept(frames);
    await taken.durable;
    expect(taken.frames.map((f) => f.payload && new TextDecoder().decode(f.payload))).toContain('record 7');
    expect(taken.frames.every((f) => f.authored)).toBe(true);
    expect(b.head).toEqual(a.head);
    await b.close();
    expect(slot.bytes()).toEqual(store.bytes());
    // and the other way: b writes (its own session exchange), a takes
    const b2 = await SequenceReplica.open(await slot.open(), opts());
    const mine = b2.append(content(100));
    await mine.durable;
    await a.accept([await b2.frameBytes(21)]);
    expect(store.bytes()).toEqual((await b2.close(), slot.bytes()));
    // the file is an ordinary DARE sequence: verifySequence finds it intact
    const report = await verifySequence(await SequenceReader.open(MemoryStore.fromBytes(store.bytes()), { keys: [storeKey] }));
    expect(report.errors).toEqual([]);
    expect(report.intact).toBe(true);
  });

  it('reopening replays and verifies; a resume state skips the replay and is checked against the file', async () => {
    const { r: a, store } = await writer(12);
    const state = replicaStateFromJson(replicaStateToJson(a.state));
    const slot = backing.slot('resume.dare');
    slot.write(store.bytes());
    expect(await resumeStateMatches(await slot.open().then(async (s) => (await s.close(), MemoryStore.fromBytes(slot.bytes()))), state)).toBe(true);
    const seen: number[] = [];
    const full = await SequenceReplica.open(await slot.open(), opts({ onFrame: (f) => seen.push(f.index) }));
    expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(full.head).toEqual(a.head);
    await full.close();
    // resume from the writer's state: nothing is replayed
    const seen2: number[] = [];
    const resumed = await SequenceReplica.open(await slot.open(), opts({ resume: state, onFrame: (f) => seen2.push(f.index) }));
    expect(seen2).toEqual([]);
    expect(resumed.head).toEqual(a.head);
    await resumed.append(content(13)).durable;
    await resumed.close();
    // a state of another file does not match
    const other = await writer(12);
    expect(await resumeStateMatches(MemoryStore.fromBytes(slot.bytes()), other.r.state)).toBe(false);
    // the empty state fits every file: resuming from it is a full replay
    expect(await resumeStateMatches(MemoryStore.fromBytes(slot.bytes()), EMPTY_REPLICA_STATE)).toBe(true);
  });

  it('a torn last frame is dropped on open: everything before it survives', async () => {
    const { store } = await writer(6);
    const bytes = store.bytes();
    const slot = backing.slot('torn.dare');
    const cut = bytes.length - 17;
    slot.write(bytes.subarray(0, cut));
    const r = await SequenceReplica.open(await slot.open(), opts());
    expect(r.frameCount).toBe(6); // frames 0..5; frame 6 was torn
    await r.close();
    expect(slot.bytes().length).toBeLessThan(cut);
  });

  it('rewind takes back frames after the base and a new session starts', async () => {
    const { r } = await writer(4);
    const base = r.frameCount;
    r.settle(base);
    const head = r.head;
    await r.append(content(5)).durable;
    await r.append(content(6)).durable;
    expect(await codeOf(r.rewind(base - 1))).toBe('DARE_BAD_INDEX');
    await r.rewind(base);
    expect(r.frameCount).toBe(base);
    expect(r.head).toEqual(head);
    const p = r.prepare([content(7)]);
    await r.commit(p).durable;
    const check = await SequenceReplica.open(MemoryStore.create((r.store as MemoryStore).bytes()), opts());
    expect(check.frameCount).toBe(base + 1);
  });

  it('prepare builds without writing; a stale prepared batch is refused', async () => {
    const { r, store } = await writer(2);
    const size = store.size;
    const p = r.prepare([content(3), content(4)]);
    expect(p.from).toBe(3);
    expect(store.size).toBe(size);
    const q = r.prepare([content(5)]);
    await r.commit(q).durable;
    expect(() => r.commit(p)).toThrow(SequenceError);
    // a batch prepared on an uncommitted batch's session is refused too, then rebuilt cleanly
    const chained = r.prepare([content(6)]);
    await r.commit(chained).durable;
    const reopened = await SequenceReplica.open(MemoryStore.create(store.bytes()), opts());
    expect(reopened.frameCount).toBe(5);
  });
});

describe('the service side: no private key', () => {
  it('adoptPolicy takes the keys of the uploaded frame 0; later frames are checked for structure and tree', async () => {
    const { frames } = await writer(5);
    const service = await SequenceReplica.open(MemoryStore.create(), { adoptPolicy: true });
    await (await service.accept(frames.slice(0, 3))).durable;
    expect(service.encryptKeys.map((k) => k.kid)).toEqual([publicPart(storeKey).kid]);
    const taken = await service.accept(frames.slice(3));
    expect(taken.frames.every((f) => f.payload === undefined)).toBe(true); // it cannot read them
    const again = await SequenceReplica.open(MemoryStore.create(), { adoptPolicy: true });
    await (await again.accept(frames.slice(0, 4))).durable;
    for (const at of [20, frames[4]!.length >> 1]) { // header, ciphertext: the service checks these
      const bad = frames[4]!.slice();
      bad[at]! ^= 1;
      expect(await codeOf(again.accept([bad])), `byte ${at}`).toBeDefined();
    }
    // MACs need the keys: a changed AuthorMac passes the service, and every device refuses it
    // (a different base64url character inside the AuthorMac value: a flipped bit could make a
    // character that is not base64url at all, which is a format error, not a MAC failure)
    const macFlip = frames[4]!.slice();
    const macAt = Buffer.from(macFlip).lastIndexOf('"AuthorMac":"') + '"AuthorMac":"'.length + 20;
    expect(macAt).toBeGreaterThan(20);
    macFlip[macAt] = macFlip[macAt] === 0x41 ? 0x42 : 0x41; // 'A' or 'B'
    const deviceB = await SequenceReplica.open(MemoryStore.create(), opts());
    await (await deviceB.accept(frames.slice(0, 4))).durable;
    expect(await codeOf(deviceB.accept([macFlip]))).toBe('DARE_NOT_TRUSTED');
    // a device never adopts: another key's frame 0 is refused
    const device = await SequenceReplica.open(MemoryStore.create(), { recipients: [publicPart(otherKey)] });
    expect(await codeOf(device.accept(frames.slice(0, 1)))).toBe('DARE_POLICY');
  });

  it('a detached replica (state only) verifies uploads and builds deliveries the device takes', async () => {
    const { r, frames } = await writer(3);
    const state = replicaStateFromJson(replicaStateToJson(r.state));
    const svc = SequenceReplica.detached(state, { recipients: policyRecipients(frames[0]!) });
    await r.append(content(4)).durable;
    const upload = await r.frameBytes(4);
    const { after } = await svc.verify([upload]);
    expect(after.head).toEqual(r.head);
    expect(await codeOf(svc.verify([frames[3]!]))).toBe('DARE_BAD_INDEX');
    // a delivery built against the new state, taken by the device
    const next = SequenceReplica.detached(after, { recipients: policyRecipients(frames[0]!) });
    const delivery = next.prepare([content(5)]);
    const lax = await SequenceReplica.open(MemoryStore.create((r.store as MemoryStore).bytes()), opts({ requireAuthor: false }));
    const taken = await lax.accept(delivery.frames);
    expect(taken.frames[0]!.authored).toBe(false);
    expect(lax.head).toEqual(delivery.after.head);
  });
});

describe('what accept refuses (nothing is written)', () => {
  const refused = async (frames: Uint8Array[], o: Partial<ReplicaOptions> = {}, base?: Uint8Array[]): Promise<string | undefined> => {
    const store = MemoryStore.create();
    const b = await SequenceReplica.open(store, opts(o));
    if (base) await (await b.accept(base)).durable;
    const before = store.bytes();
    const code = await codeOf(b.accept(frames));
    expect(store.bytes()).toEqual(before);
    return code;
  };

  it('a frame for the wrong index, a gap, a replayed frame', async () => {
    const { frames } = await writer(6);
    expect(await refused(frames.slice(1))).toBe('DARE_BAD_INDEX'); // no frame 0
    expect(await refused([frames[4]!], {}, frames.slice(0, 3))).toBe('DARE_BAD_INDEX'); // gap
    expect(await refused([frames[2]!], {}, frames.slice(0, 3))).toBe('DARE_BAD_INDEX'); // replayed
    expect(await refused([frames[3]!, frames[3]!], {}, frames.slice(0, 3))).toBe('DARE_BAD_INDEX'); // duplicated in a batch
  });

  it('hostile dig and Encryption values (objects whose toString is not a function): typed errors, never a TypeError', async () => {
    const { frames } = await writer(2);
    const withHeader = (bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array => {
      const r = decodeFrame(bytes, 0);
      const h = JSON.parse(new TextDecoder().decode(r.header)) as Record<string, unknown>;
      edit(h);
      return encodeFrame({ header: utf8Encode(JSON.stringify(h)), payload: r.payload, trailer: r.trailer });
    };
    for (const value of [{ toString: 1 }, [{ toString: 1 }], JSON.parse('{"__proto__":{"toString":1}}')]) {
      expect(await refused([withHeader(frames[1]!, (h) => void (h['dig'] = value))], {}, frames.slice(0, 1))).toMatch(/^DARE_/);
      const zero = withHeader(frames[0]!, (h) => void ((h['policy'] as Record<string, unknown>)['Encryption'] = value));
      expect(await refused([zero])).toMatch(/^DARE_/);
    }
  });

  it('frames of another sequence: its frame 0 names other keys, its later frames do not fit the tree', async () => {
    const mine = await writer(3);
    const other = await writer(3, { recipients: [publicPart(otherKey)], keys: [otherKey] });
    expect(await refused(other.frames)).toBe('DARE_POLICY');
    // same key, another file: frame 1 of it does not extend our tree (TreeDigest), or its key exchange is not ours
    const twin = await writer(3);
    const code = await refused([twin.frames[1]!], {}, mine.frames.slice(0, 1));
    expect(['DARE_BAD_TREE', 'DARE_BAD_POSITION']).toContain(code);
  });

  it('a frame encrypted to the wrong key (same tree position) does not decrypt', async () => {
    const { frames } = await writer(2);
    // a writer whose policy names our key but whose frames go to another key cannot exist through
    // the API; build one: frame 0 from us, frame 1 from a replica that encrypts to another key
    const evil = await SequenceReplica.open(MemoryStore.create(), { recipients: [publicPart(otherKey)], keys: [otherKey], author, create: {} });
    await evil.append(content(1)).durable;
    const f1 = await evil.frameBytes(1);
    const code = await refused([f1], {}, frames.slice(0, 1));
    expect(['DARE_BAD_TREE', 'DARE_NO_KEY', 'DARE_DECRYPT']).toContain(code);
  });

  it('every single-byte change of a frame is refused (property, 300 random flips)', async () => {
    const { frames } = await writer(4);
    const rnd = prng(0x5eed);
    const store = MemoryStore.create();
    const b = await SequenceReplica.open(store, opts());
    await (await b.accept(frames.slice(0, 4))).durable;
    const before = store.bytes();
    for (let t = 0; t < 300; t++) {
      const f = frames[4]!.slice();
      const at = rnd(f.length);
      f[at] = f[at]! ^ (1 + rnd(255));
      const code = await codeOf(b.accept([f]));
      expect(code, `flip at byte ${at}`).toBeDefined();
    }
    expect(store.bytes()).toEqual(before);
    await (await b.accept([frames[4]!])).durable; // the intact frame still goes in
    expect(b.frameCount).toBe(5);
  });

  it('a frame built by someone holding only the public key: no AuthorMac, or a wrong one', async () => {
    const { frames } = await writer(2);
    // the service (public key only, no author key) builds a valid, decryptable frame
    const service = await SequenceReplica.open(MemoryStore.create(), { recipients: [publicPart(storeKey)] });
    await (await service.accept(frames)).durable;
    await service.append(content(9)).durable;
    const forged = await service.frameBytes(3);
    expect(await refused([forged], {}, frames)).toBe('DARE_NOT_TRUSTED');
    // an AuthorMac under another key, added to the trailer (which the tree does not cover)
    const records = decodeFrame(forged);
    const trailer = JSON.parse(new TextDecoder().decode(records.trailer)) as Record<string, string>;
    trailer['AuthorMac'] = base64urlEncode(authorMac(seeded(99)(32), headerDigest(records.header), payloadDigest(records.payload)));
    const wrongAuthor = encodeFrame({ header: records.header, payload: records.payload, trailer: utf8Encode(JSON.stringify(trailer)) });
    expect(await refused([wrongAuthor], {}, frames)).toBe('DARE_NOT_TRUSTED');
    // a store that does not require authorship takes the service's frame and says it is not authored
    const lax = await SequenceReplica.open(MemoryStore.create(), opts({ requireAuthor: false }));
    await (await lax.accept(frames)).durable;
    const taken = await lax.accept([forged]);
    expect(taken.frames[0]!.authored).toBe(false);
    expect(new TextDecoder().decode(taken.frames[0]!.payload)).toBe('record 9');
  });

  it('a check hook refuses before anything is written', async () => {
    const { frames } = await writer(2);
    const store = MemoryStore.create();
    const b = await SequenceReplica.open(store, opts());
    await expect(b.accept(frames, () => {
      throw new Error('no');
    })).rejects.toThrow('no');
    expect(store.size).toBe(0);
    expect(b.frameCount).toBe(0);
  });
});
