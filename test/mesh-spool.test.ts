import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/store/memory.js';
import { dareKeyFromKeyPair, publicPart, type DareEnvelope } from '../sdk/dare/index.js';
import { SequenceReplica } from '../sdk/dare/sequence/index.js';
import {
  INITIAL_STATUS, Spool, applyRelationship, deriveStoreKey, newMeshSeed, sealMeshObject, sideFileOnStore, spoolFrameOf, stateOf,
  type MessageStatus, type SpoolKind, type StoreOptions,
} from '../sdk/mesh/index.js';
import { envelopeId, nonce } from '../sdk/udf/index.js';
import { seeded } from './support/random.js';
import { BACKINGS, type Backing } from './support/store-slots.js';

/**
 * Spools (mesh-model.md §9): enveloped messages found by MessageId and EnvelopeId, the message
 * state model of §9.3 (completions appended, never edits), state surviving replay and
 * snapshots, the service's unauthored frames limited to delivery states, and sync between devices.
 */

const SEED = newMeshSeed('MeshProfileAccount', seeded(21));
const LABELS: Record<SpoolKind, string> = { inbound: 'MMM_Inbound', outbound: 'MMM_Outbound', local: 'MMM_Local', archive: 'MMM_Archive' };
const key = (kind: SpoolKind) => dareKeyFromKeyPair(deriveStoreKey(SEED, LABELS[kind]));
const rnd = seeded(22);

function message(text = 'hello'): { id: string; env: DareEnvelope } {
  const id = nonce({ random: rnd });
  return { id, env: sealMeshObject({ $class: 'RequestConfirmation', MessageId: id, Sender: 'console@example.com', Recipient: 'alice@example.com', Text: text }, { uniqueId: id, envelopeId: envelopeId(id) }) };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error && 'code' in e) return (e as { code: string }).code;
    throw e;
  }
  return undefined;
}

describe('message states (mesh-model.md §9.3)', () => {
  const run = (rels: string[], authored = true): MessageStatus => rels.reduce((s, r) => applyRelationship(s, r, undefined, authored), INITIAL_STATUS);
  it('Read / Unread, Open read as Unread; Closed is final; Deleted until a later Read or Unread', () => {
    expect(stateOf(run(['Read']))).toBe('Read');
    expect(stateOf(run(['Read', 'Unread']))).toBe('Initial');
    expect(stateOf(run(['Read', 'Open']))).toBe('Initial');
    expect(stateOf(run(['Closed', 'Unread', 'Read']))).toBe('Closed');
    expect(stateOf(run(['Read', 'Deleted']))).toBe('Deleted');
    expect(stateOf(run(['Read', 'Deleted', 'Unread']))).toBe('Initial');
    expect(stateOf(run(['Closed', 'Deleted', 'Read']))).toBe('Closed');
    expect(stateOf(run(['Sent', 'Received', 'Refused']))).toBe('Received');
    expect(stateOf(run(['Refused', 'Sent']))).toBe('Refused');
    expect(stateOf(run(['Frobnicated']))).toBe('Initial');
  });
  it('without AuthorMac only delivery states change', () => {
    expect(stateOf(run(['Read', 'Closed', 'Deleted'], false))).toBe('Initial');
    expect(stateOf(run(['Sent'], false))).toBe('Sent');
  });
});

describe.each(BACKINGS)('spools on %o', (make) => {
  const backing: Backing = make();
  afterAll(() => backing.cleanup());
  let n = 0;
  const files = () => {
    n++;
    return { store: backing.slot(`s${n}.dare`), snapshot: backing.slot(`s${n}.snap`) };
  };
  const open = async (kind: SpoolKind, f: ReturnType<typeof files>, o: Partial<StoreOptions> = {}): Promise<Spool> =>
    Spool.open(kind, { store: await f.store.open(), key: key(kind), snapshot: sideFileOnStore(await f.snapshot.open()), ...o });

  it('post, find by MessageId and EnvelopeId, read the envelope back; bad posts are typed errors', async () => {
    const f = files();
    const s = await open('inbound', f);
    const m = message();
    const got = await s.post(m.env);
    expect(got).toMatchObject({ messageId: m.id, envelopeId: envelopeId(m.id), messageType: 'RequestConfirmation', state: 'Initial', authored: true, index: 1 });
    expect(s.getByEnvelopeId(envelopeId(m.id))?.messageId).toBe(m.id);
    const env = await s.read(m.id);
    expect(env.payload).toEqual(m.env.payload);
    expect(await codeOf(s.post(m.env))).toBe('MESH_ALREADY_EXISTS');
    const noId = sealMeshObject({ $class: 'RequestConfirmation', Text: 'x' });
    expect(await codeOf(s.post(noId))).toBe('MESH_BAD_ARGUMENT');
    const id = nonce({ random: rnd });
    const wrongEnvelopeId = sealMeshObject({ $class: 'RequestConfirmation', MessageId: id }, { uniqueId: id, envelopeId: envelopeId(nonce({ random: rnd })) });
    expect(await codeOf(s.post(wrongEnvelopeId))).toBe('MESH_INVALID');
    expect(await codeOf(s.read('NAAA-AAAA'))).toBe('MESH_NOT_FOUND');
    await s.close();
  });

  it('states change by appended completions, survive replay and snapshots; relationships are checked per spool', async () => {
    const f = files();
    let s = await open('inbound', f, { snapshotEvery: 1 });
    const [a, b, c] = [message('a'), message('b'), message('c')];
    for (const m of [a, b, c]) await s.post(m.env);
    expect((await s.mark(a.id, 'Read')).state).toBe('Read');
    expect((await s.mark(b.id, 'Closed', { responseId: 'MRES-0001' })).state).toBe('Closed');
    await s.mark(c.id, 'Read');
    await s.mark(c.id, 'Deleted');
    expect(await codeOf(s.mark(a.id, 'Sent'))).toBe('MESH_BAD_ARGUMENT');
    expect(await codeOf(s.mark('NAAA-AAAA', 'Read'))).toBe('MESH_NOT_FOUND');
    const states = (sp: Spool) => Object.fromEntries(sp.list().map((m) => [m.messageId, m.state]));
    const want = { [a.id]: 'Read', [b.id]: 'Closed', [c.id]: 'Deleted' };
    expect(states(s)).toEqual(want);
    expect(s.list({ state: 'Read' }).map((m) => m.messageId)).toEqual([a.id]);
    expect(s.list({ completions: true }).length).toBe(7);
    expect(s.list({ messageType: 'MessageComplete', completions: true }).length).toBe(4);
    expect(s.get(b.id)?.responseId).toBe('MRES-0001');
    await s.close();
    s = await open('inbound', f); // snapshot
    expect(s.opened.fromSnapshot).toBe(true);
    expect(states(s)).toEqual(want);
    expect(s.get(b.id)?.responseId).toBe('MRES-0001');
    await s.close();
    f.snapshot.write(new Uint8Array(0));
    s = await open('inbound', f); // replay
    expect(s.opened).toMatchObject({ fromSnapshot: false, replayed: 8 });
    expect(states(s)).toEqual(want);
    expect(s.getByEnvelopeId(envelopeId(c.id))?.state).toBe('Deleted');
    await s.mark(c.id, 'Unread'); // undelete
    expect(s.get(c.id)?.state).toBe('Initial');
    await s.close();
  });

  it('the service appends deliveries and delivery reports with the public key only; its other state changes are ignored', async () => {
    const f = files();
    const device = await open('outbound', f, { synced: true });
    const frames: Uint8Array[] = [];
    for (let i = 0; i < device.frameCount; i++) frames.push(await device.frameBytes(i));
    const m = message('sent');
    await device.post(m.env);
    frames.push(await device.frameBytes(1));
    await device.acknowledge(2);
    // the service: a replica with the spool's public key, no private key, no author key
    const service = await SequenceReplica.open(MemoryStore.create(), { recipients: [publicPart(key('outbound'))] });
    await (await service.accept(frames)).durable;
    const report = (rel: string) => {
      const id = nonce({ random: rnd });
      return spoolFrameOf(sealMeshObject({ $class: 'MessageComplete', MessageId: id, References: [{ $class: 'Reference', MessageId: m.id, Relationship: rel }] }, { uniqueId: id }));
    };
    await service.append(report('Sent')).durable;
    await service.append(report('Deleted')).durable; // not the service's to say
    await service.append(report('Received')).durable;
    const more = [await service.frameBytes(2), await service.frameBytes(3), await service.frameBytes(4)];
    expect(await device.receive(2, more)).toMatchObject({ accepted: 3 });
    expect(device.get(m.id)?.state).toBe('Received');
    expect(device.list({ completions: true }).filter((x) => x.messageType === 'MessageComplete').every((x) => !x.authored)).toBe(true);
    await device.close();
  });

  it('two devices complete different messages concurrently: the rebase keeps both', async () => {
    const fa = files();
    const a = await open('local', fa, { synced: true });
    const [p, q] = [message('p'), message('q')];
    await a.post(p.env);
    await a.post(q.env);
    const service: Uint8Array[] = [];
    const out = await a.outgoing();
    service.push(...out.frames);
    await a.acknowledge(service.length);
    const b = await open('local', files(), { synced: true, create: false });
    await b.receive(0, service);
    await a.mark(p.id, 'Closed');
    await b.mark(q.id, 'Closed');
    const oa = await a.outgoing();
    service.push(...oa.frames);
    await a.acknowledge(service.length);
    const r = await b.receive(b.acknowledged, service.slice(b.acknowledged));
    expect(r).toMatchObject({ accepted: 1, rebuilt: 1 });
    const ob = await b.outgoing();
    expect(ob.index).toBe(service.length - 1);
    service.push(...ob.frames);
    await b.acknowledge(service.length);
    await a.receive(a.acknowledged, service.slice(a.acknowledged));
    for (const s of [a, b]) {
      expect(s.get(p.id)?.state).toBe('Closed');
      expect(s.get(q.id)?.state).toBe('Closed');
    }
    await a.close();
    await b.close();
  });

  it('a spool refuses a frame that is not an enveloped message', async () => {
    const f = files();
    const s = await open('inbound', f, { synced: true });
    const frames = [await s.frameBytes(0)];
    await s.acknowledge(1);
    const svc = await SequenceReplica.open(MemoryStore.create(), { recipients: [publicPart(key('inbound'))] });
    await (await svc.accept(frames)).durable;
    await svc.append({ payload: new TextEncoder().encode('not an envelope'), contentMeta: new TextEncoder().encode('{"UniqueId": "NX", "MessageType": "X"}') }).durable;
    const before = f.store.bytes();
    expect(await codeOf(s.receive(1, [await svc.frameBytes(1)]))).toBe('MESH_INVALID');
    await s.close();
    expect(f.store.bytes()).toEqual(before);
  });
});
