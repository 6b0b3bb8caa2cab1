import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryStore } from '../../../adapters/store/memory.js';
import { init } from '../../../sdk/crypto/index.js';
import { darePrivateKey, publicPart } from '../../../sdk/dare/index.js';
import {
  SequenceReader, SequenceWriter, VerifiedSequence, ed448HeadSigner, proveInclusion, verifyInclusion, verifySequence,
  type ContainerType, type CreateOptions,
} from '../../../sdk/dare/sequence/index.js';
import { utf8Encode, type JsonValue } from '../../../sdk/encoding/index.js';
import { vectorsDir } from '../../support/paths.js';
import { seeded } from '../../support/random.js';
import type { FuzzTarget, Seed } from '../engine.js';
import { FRAME_MUTATORS, recordsOf, scanFrames } from '../frames.js';
import { Rng } from '../rng.js';
import { OracleFailure, attemptAsync } from '../typed.js';
import { parseDoc, valueMutator, writeDoc } from '../value-mutation.js';

/**
 * DARE sequences (dare.md §8–§9) through the public API: `SequenceReader.open`, every frame
 * forwards (opened: MAC, then decryption) and backwards, `locate`, `verifySequence` with and
 * without the caller's trusted key, `VerifiedSequence`, inclusion proofs, and
 * `SequenceWriter.open` + `append` on the damaged file. Corpus: every container type, heads
 * signed on close and every k frames, `Session` and `Isolated` encryption, the reference layout,
 * and the reference's published container files.
 *
 * Oracle (what `verifySequence` promises, verify.ts), beyond typed errors:
 * - a trusted signed head covers frames 0 … signedThrough: their header and payload records must
 *   be, frame for frame, those of a sequence the corpus wrote, and so must their plaintexts and
 *   content metadata (the leaves bind H(header) ‖ H(payload); frame MACs bind the rest);
 * - `valid` ⇒ intact ∧ trusted ∧ no unsigned tail ∧ no error; nothing is `trusted` without a
 *   trusted key, nor under a key that signed nothing; a `VerifiedSequence` opens only when the
 *   report is valid;
 * - an inclusion proof made from a trusted file verifies for the frame's record, and a proof
 *   changed in any member that still verifies names a record a writer wrote at that index;
 * - reopening for append: a failed open leaves the file as it was, and whatever the append does,
 *   the bytes of the complete frames before it are unchanged.
 */

interface WrittenFrame {
  readonly header: Uint8Array;
  readonly payload: Uint8Array;
  readonly plaintext: Uint8Array;
}

export interface SequenceContext {
  readonly id: string;
  readonly reference: boolean;
}

const seq = seeded(0x5e9);
const bob = darePrivateKey('X448', seq(56));
const alice = ed448HeadSigner(seq(57));
const mallory = ed448HeadSigner(seq(57)); // signs nothing in the corpus
const bobPublic = publicPart(bob);

/** Every sequence the corpus wrote, frame by frame. */
const written: WrittenFrame[][] = [];

interface Recipe {
  readonly id: string;
  readonly type: ContainerType;
  readonly frames: number;
  readonly options: (random: (n: number) => Uint8Array) => CreateOptions;
}

const RECIPES: Recipe[] = [
  { id: 'list', type: 'List', frames: 3, options: () => ({}) },
  { id: 'digest', type: 'Digest', frames: 3, options: () => ({}) },
  { id: 'chain-signed', type: 'Chain', frames: 4, options: () => ({ signer: alice }) },
  { id: 'tree', type: 'Tree', frames: 5, options: () => ({}) },
  { id: 'merkle-signed-every-2', type: 'Merkle', frames: 5, options: () => ({ signer: alice, signEvery: 2 }) },
  { id: 'merkle-encrypted-session-signed', type: 'Merkle', frames: 4, options: (random) => ({ signer: alice, encrypt: { recipients: [bobPublic], mode: 'Session', random } }) },
  { id: 'merkle-encrypted-isolated', type: 'Merkle', frames: 3, options: (random) => ({ signer: alice, signEvery: 1, encrypt: { recipients: [bobPublic], mode: 'Isolated', random } }) },
  { id: 'merkle-reference-layout', type: 'Merkle', frames: 3, options: () => ({ layout: 'reference', signer: alice }) },
];

async function build(): Promise<Seed<SequenceContext>[]> {
  const out: Seed<SequenceContext>[] = [];
  for (const [n, r] of RECIPES.entries()) {
    const random = seeded(0x5000 + n);
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: r.type, contentMeta: { Created: 'fuzz' }, ...r.options(random) });
    for (let i = 1; i <= r.frames; i++) w.append(utf8Encode(`${r.id} frame ${i}: ${'x'.repeat(i * 5)}`), { contentMeta: { Filename: `f${i}.txt` } });
    await w.close();
    const bytes = store.bytes();
    const reader = await SequenceReader.open(MemoryStore.fromBytes(bytes), { keys: [bob] });
    const frames: WrittenFrame[] = [];
    for (const [i, f] of scanFrames(bytes).entries()) {
      const [header, payload] = recordsOf(bytes, f);
      frames.push({ header: header!, payload: payload!, plaintext: await reader.plaintext(i) });
    }
    written.push(frames);
    out.push({ id: r.id, bytes, context: { id: r.id, reference: false } });
  }
  const dare = JSON.parse(readFileSync(resolve(vectorsDir, 'dare.json'), 'utf8')) as { vectors: Record<string, unknown>[] };
  for (const v of dare.vectors) {
    const h = v['file_hex'] ?? v['file_prefix_hex'];
    if (v['kind'] === 'container' && typeof h === 'string') {
      out.push({ id: `reference:${String(v['id'])}`, bytes: Uint8Array.from(Buffer.from(h, 'hex')), context: { id: String(v['id']), reference: true } });
    }
  }
  return out;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Reads every part of the sequence the API offers; returns the reader (or the error label). */
async function readAll(input: Uint8Array): Promise<{ reader?: SequenceReader; label: string }> {
  const opened = await attemptAsync('SequenceReader.open', () => SequenceReader.open(MemoryStore.fromBytes(input), { keys: [bob] }));
  if (!opened.ok) return { label: opened.label };
  const reader = opened.value;
  for (let i = 0; i < reader.frameCount; i++) {
    const f = await attemptAsync(`SequenceReader.frame(${i})`, () => reader.frame(i));
    if (f.ok) await attemptAsync(`SequenceReader.openFrame(${i})`, () => reader.openFrame(f.value));
  }
  await attemptAsync('SequenceReader.reverse', async () => {
    let n = 0;
    for await (const _ of reader.reverse()) {
      if (++n > reader.frameCount + 1) throw new OracleFailure('contract', `reverse() yielded more frames (${n}) than the file holds (${reader.frameCount})`);
    }
  });
  if (reader.type === 'Tree' || reader.type === 'Merkle') {
    for (const k of new Set([0, reader.frameCount >> 1, reader.frameCount - 1])) await attemptAsync(`SequenceReader.locate(${k})`, () => reader.locate(k));
  }
  return { reader, label: 'opened' };
}

/** Frames 0 … last, as read: each must match, with the ones before it, one written sequence. */
async function checkCovered(reader: SequenceReader, last: number, what: string): Promise<void> {
  const got: WrittenFrame[] = [];
  for (let i = 0; i <= last; i++) {
    const f = await attemptAsync(`SequenceReader.frame(${i}) under a trusted head`, () => reader.frame(i));
    if (!f.ok) throw new OracleFailure('contract', `${what}: a trusted head covers frame ${i}, which does not decode (${f.label})`);
    const opened = await attemptAsync(`SequenceReader.plaintext(${i}) under a trusted head`, () => reader.plaintext(f.value));
    if (!opened.ok) throw new OracleFailure('contract', `${what}: a trusted head covers frame ${i}, which does not open (${opened.label})`);
    got.push({ header: f.value.records.header, payload: f.value.payload, plaintext: opened.value });
  }
  const match = written.some((w) => w.length > last && got.every((g, i) => same(g.header, w[i]!.header) && same(g.payload, w[i]!.payload) && same(g.plaintext, w[i]!.plaintext)));
  if (!match) throw new OracleFailure('accepted-change', `${what}: a head signed by the trusted key covers frames 0..${last}, which no writer wrote`);
}

/** Inclusion proofs from a trusted Merkle file: the right record verifies; a changed proof never names another record. */
async function checkProofs(reader: SequenceReader, signedThrough: number, input: Uint8Array): Promise<void> {
  const rng = new Rng((input.length * 2654435761 + (input[input.length >> 1] ?? 0)) >>> 0 || 1);
  const index = rng.int(signedThrough + 1);
  // proveInclusion picks the last head that verifies under the keys it is given: a trusted head
  // covers frame `index`, so a proof must come out, and it must verify.
  const trust = [alice.publicKey];
  const proof = await attemptAsync(`proveInclusion(${index})`, () => proveInclusion(reader, index, { trust }));
  if (!proof.ok) throw new OracleFailure('contract', `proveInclusion(${index}, trusted key) refused a frame a trusted head covers (${proof.label})`);
  const record = await reader.plaintext(index);
  if (!verifyInclusion(proof.value, { record, trust })) throw new OracleFailure('contract', `verifyInclusion refused the proof of frame ${index} made from a trusted file`);
  if (verifyInclusion(proof.value, { record, trust: [mallory.publicKey] })) throw new OracleFailure('contract', 'verifyInclusion accepted a head under a key that signed nothing');
  const doc = writeDoc(proof.value as unknown as JsonValue, 'json')!;
  const m = valueMutator('json')(doc, { rng, others: [] });
  const changed = m ? parseDoc(m.apply(doc), 'json') : undefined;
  if (changed === undefined) return;
  const at = (changed as { index?: unknown }).index;
  // The original record, its neighbours, one from elsewhere: whichever verifies must be a record written at the claimed index.
  const candidates = [record, ...[index - 1, index + 1].filter((i) => i >= 0 && i < reader.frameCount).map((i) => written.find((w) => w[i])?.[i]?.plaintext),
    rng.pick(rng.pick(written)).plaintext].filter((x): x is Uint8Array => x !== undefined);
  for (const r of candidates) {
    if (!verifyInclusion(changed, { record: r, trust })) continue;
    const ok = typeof at === 'number' && written.some((w) => w[at] !== undefined && same(w[at]!.plaintext, r));
    if (!ok) throw new OracleFailure('accepted-change', `verifyInclusion accepted a changed proof (${m!.name}) for a record no writer wrote at index ${String(at)}`);
  }
}

export const sequenceTarget: FuzzTarget<SequenceContext> = {
  name: 'sequence',
  summary: 'DARE sequences, every container type, signed and encrypted (SequenceReader, verifySequence, VerifiedSequence, proofs, SequenceWriter.open + append)',
  async corpus() {
    await init();
    written.length = 0;
    return build();
  },
  mutators: () => FRAME_MUTATORS,
  async check(input) {
    const { reader, label } = await readAll(input);
    let outcome = label;
    if (reader) {
      const rep = await attemptAsync('verifySequence', () => verifySequence(reader, { trust: [alice.publicKey] }));
      if (rep.ok) {
        const r = rep.value;
        if (r.valid && (!r.intact || !r.trusted || r.unsignedTail !== 0 || r.errors.length > 0)) {
          throw new OracleFailure('contract', 'verifySequence: valid without intact, trusted, no unsigned tail and no error');
        }
        if (r.trusted !== (r.signedThrough !== null)) throw new OracleFailure('contract', 'verifySequence: trusted and signedThrough disagree');
        if (r.signedThrough !== null) {
          await checkCovered(reader, r.signedThrough, 'verifySequence');
          if (reader.type === 'Merkle') await checkProofs(reader, r.signedThrough, input);
        }
        const verified = await attemptAsync('VerifiedSequence.open', () => VerifiedSequence.open(reader, { trust: [alice.publicKey] }));
        if (verified.ok !== r.valid) throw new OracleFailure('contract', `VerifiedSequence.open ${verified.ok ? 'opened' : 'refused'} a sequence verifySequence calls ${r.valid ? 'valid' : 'not valid'}`);
        outcome = r.valid ? 'valid' : r.trusted ? 'trusted, not valid' : r.intact ? 'intact' : `not intact: ${r.errors[0]?.code ?? '?'}`;
      }
      for (const trust of [[], [mallory.publicKey]]) {
        const other = await attemptAsync('verifySequence (no trusted key / a key that signed nothing)', () => verifySequence(reader, { trust }));
        if (other.ok && (other.value.trusted || other.value.valid)) throw new OracleFailure('contract', `verifySequence: trusted without a key that signed (${trust.length} keys)`);
      }
    }
    // Reopen for append on the (possibly damaged) file.
    const store = MemoryStore.create(input);
    const w = await attemptAsync('SequenceWriter.open', () => SequenceWriter.open(store, { signer: alice, random: seeded(input.length + 1) }));
    if (!w.ok) {
      if (!same(store.bytes(), input)) throw new OracleFailure('contract', `SequenceWriter.open failed (${w.label}) and changed the file`);
      return outcome;
    }
    const keep = reader?.end ?? 0;
    await attemptAsync('SequenceWriter.append + close', async () => {
      w.value.append(utf8Encode('appended by the fuzzer'));
      await w.value.close();
    });
    const after = store.bytes();
    if (after.length < keep || !same(after.subarray(0, keep), input.subarray(0, keep))) {
      throw new OracleFailure('contract', 'reopening and appending changed bytes of complete frames before it');
    }
    return outcome;
  },
};
