import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryStore } from '../../../adapters/store/memory.js';
import { init } from '../../../sdk/crypto/index.js';
import { darePrivateKey, publicPart } from '../../../sdk/dare/index.js';
import {
  SequenceReader, SequenceWriter, ed448HeadSigner, verifySequence, type ContainerType, type CreateOptions,
} from '../../../sdk/dare/sequence/index.js';
import { utf8Encode } from '../../../sdk/encoding/index.js';
import { vectorsDir } from '../../support/paths.js';
import { seeded } from '../../support/random.js';
import type { FuzzTarget, Seed } from '../engine.js';
import { FRAME_MUTATORS, recordsOf, scanFrames } from '../frames.js';
import { OracleFailure, attemptAsync } from '../typed.js';

/**
 * DARE sequences (dare.md §8–§9) through the public API: `SequenceReader.open`, every frame
 * forwards and backwards, `locate`, decryption, `verifySequence` with the caller's trusted key,
 * and `SequenceWriter.open` + `append` on the damaged file. Corpus: every container type, signed
 * heads (on close and every k frames), `Once` and `Isolated` encryption, the reference layout,
 * and the reference's published container files.
 *
 * Oracle, beyond typed errors:
 * - a signed head reported valid under the caller's key covers frames 0 … treeSize − 1: their
 *   stored payloads must be, frame for frame, those of a sequence the corpus wrote (what the
 *   current format covers: tree leaves are payload digests; frame headers are not covered yet —
 *   see the note in the report);
 * - `valid: true` comes with no error listed;
 * - reopening for append: a failed open leaves the file as it was, and whatever the append does,
 *   the bytes of the complete frames before it are unchanged (an interrupted append never
 *   corrupts earlier frames).
 */

interface WrittenSequence {
  readonly id: string;
  /** Stored payload of each frame. */
  readonly payloads: Uint8Array[];
}

export interface SequenceContext {
  readonly id: string;
  readonly reference: boolean;
}

const seq = seeded(0x5e9);
const bob = darePrivateKey('X448', seq(56));
const aliceSecret = seq(57);
const alice = ed448HeadSigner(aliceSecret);
const bobPublic = publicPart(bob);

const written: WrittenSequence[] = [];

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
  { id: 'merkle-encrypted-once-signed', type: 'Merkle', frames: 4, options: (random) => ({ signer: alice, encrypt: { recipients: [bobPublic], mode: 'Once', random } }) },
  { id: 'merkle-encrypted-isolated', type: 'Merkle', frames: 3, options: (random) => ({ signer: alice, encrypt: { recipients: [bobPublic], mode: 'Isolated', random } }) },
  { id: 'merkle-reference-layout', type: 'Merkle', frames: 3, options: () => ({ layout: 'reference' }) },
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
    written.push({ id: r.id, payloads: scanFrames(bytes).map((f) => recordsOf(bytes, f)[1]!) });
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
    if (f.ok && f.value.encrypted) await attemptAsync(`SequenceReader.plaintext(${i})`, () => reader.plaintext(f.value));
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

export const sequenceTarget: FuzzTarget<SequenceContext> = {
  name: 'sequence',
  summary: 'DARE sequences, every container type, signed and encrypted (SequenceReader, verifySequence, SequenceWriter.open + append)',
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
      const rep = await attemptAsync('verifySequence', () => verifySequence(reader, { signerKeys: [alice.publicKey] }));
      if (rep.ok) {
        const r = rep.value;
        if (r.valid && r.errors.length > 0) throw new OracleFailure('contract', 'verifySequence: valid with errors listed');
        const covered = Math.max(0, ...r.signedHeads.filter((h) => h.valid).map((h) => h.treeSize));
        if (covered > 0) {
          const payloads: Uint8Array[] = [];
          for (let i = 0; i < covered; i++) {
            const f = await attemptAsync(`SequenceReader.frame(${i}) under a valid head`, () => reader.frame(i));
            if (!f.ok) throw new OracleFailure('contract', `verifySequence: a valid signed head covers frame ${i}, which does not decode (${f.label})`);
            payloads.push(f.value.payload);
          }
          const match = written.some((w) => w.payloads.length >= covered && payloads.every((p, i) => same(p, w.payloads[i]!)));
          if (!match) throw new OracleFailure('accepted-change', `verifySequence: a head signed by the trusted key covers ${covered} frames whose payloads no writer wrote`);
        }
        outcome = r.valid ? `valid (${covered} covered)` : `invalid: ${r.errors[0]?.code ?? '?'}`;
      }
    }
    // Reopen for append on the (possibly damaged) file.
    const store = MemoryStore.create(input);
    const w = await attemptAsync('SequenceWriter.open', () => SequenceWriter.open(store, { keys: [bob] }));
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
