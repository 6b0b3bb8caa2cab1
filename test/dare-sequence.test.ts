import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/store/memory.js';
import { base64urlEncode } from '../sdk/encoding/base64url.js';
import { hexDecode, hexEncode } from '../sdk/encoding/hex.js';
import { utf8Decode } from '../sdk/encoding/utf8.js';
import {
  bytesStore,
  decodeFrame, encodeFrame, FRAME_TAG, forwardTag, lastReferrer, previousFrame, RECORD_TAG, reverseTag, SequenceReader,
  SequenceWriter, verifySequence, type ContainerType,
} from '../sdk/dare/sequence/index.js';

const dare = JSON.parse(readFileSync(new URL('../../shared/vectors/dare.json', import.meta.url), 'utf8')) as {
  vectors: Record<string, unknown>[];
  derived_vectors: Record<string, unknown>[];
};
const all = [...dare.vectors, ...dare.derived_vectors];
const byId = (id: string) => all.find((v) => v['id'] === id)!;
const payload300 = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);

describe('frame tags (dare.md §8)', () => {
  for (const id of ['frame-tags', 'frame-tags-wide']) {
    it(id, () => {
      for (const e of byId(id)['expected'] as { kind: string; length: number; forward_hex: string; reverse_hex: string | null }[]) {
        const base = e.kind === 'bframe' ? FRAME_TAG : RECORD_TAG;
        expect(hexEncode(forwardTag(base, e.length))).toBe(e.forward_hex);
        if (e.reverse_hex) expect(hexEncode(reverseTag(base, e.length))).toBe(e.reverse_hex);
      }
    });
  }
  it('round-trips frames of every length width', () => {
    for (const n of [0, 1, 250, 300, 70000]) {
      const payload = new Uint8Array(n).fill(7);
      const f = encodeFrame({ header: new Uint8Array([0x7b, 0x7d]), payload, trailer: new Uint8Array(0) });
      const r = decodeFrame(f);
      expect(r.payload).toEqual(payload);
      expect(r.trailer).toEqual(new Uint8Array(0));
    }
  });
});

describe('PreviousFrame (dare.md §9.2)', () => {
  it('matches previous-frame and previous-frame-more', () => {
    for (const id of ['previous-frame', 'previous-frame-more']) {
      for (const [n, want] of Object.entries(byId(id)['expected'] as Record<string, number>)) expect(previousFrame(Number(n))).toBe(want);
    }
  });
  it('lastReferrer is the last n with PreviousFrame(n) = m', () => {
    const last = new Map<number, number>();
    for (let n = 1; n < 5000; n++) last.set(previousFrame(n), n);
    for (let m = 0; m < 2000; m++) expect(lastReferrer(m)).toBe(last.get(m) ?? m);
  });
});

async function readVectorFile(hex: string) {
  return SequenceReader.open(MemoryStore.fromBytes(hexDecode(hex)));
}

describe('reference container vectors', () => {
  for (const id of ['container-simple', 'container-chain', 'container-merkle-0-4']) {
    it(`${id}: frames, positions, headers, digests; legacy reported`, async () => {
      const v = byId(id);
      const hex = (v['file_hex'] ?? v['file_prefix_hex']) as string;
      const r = await readVectorFile(hex);
      const frames = v['frames'] as { index: number; position: number; frame_length: number; header_utf8: string; trailer_utf8: string | null; payload: { length: number; sha512_b64u?: string } }[];
      expect(r.type).toBe(v['container_type']);
      for (const e of frames) {
        const f = await r.frame(e.index);
        expect(f.start).toBe(e.position);
        expect(f.end - f.start).toBe(e.frame_length);
        expect(utf8Decode(f.records.header)).toBe(e.header_utf8);
        if (e.trailer_utf8 !== null) expect(utf8Decode(f.records.trailer!)).toBe(e.trailer_utf8);
        expect(f.payload.length).toBe(e.payload.length);
      }
      const report = await verifySequence(r);
      expect(report.errors).toEqual([]);
      expect(report.legacy).toBe(v['container_type'] !== 'List');
      expect(report).toMatchObject({ intact: true, authenticated: false, trusted: false, valid: false });
    });
  }

  it('writing with the reference layout and legacy digests reproduces the reference bytes', async () => {
    for (const id of ['container-simple', 'container-chain', 'container-merkle-0-4']) {
      const v = byId(id);
      const hex = (v['file_hex'] ?? v['file_prefix_hex']) as string;
      const frames = (v['frames'] as unknown[]).length;
      const store = MemoryStore.create();
      const w = await SequenceWriter.create(store, { type: v['container_type'] as ContainerType, layout: 'reference', legacyDigests: true });
      for (let i = 1; i < frames; i++) w.append(payload300);
      await w.flush();
      expect(hexEncode(store.bytes())).toBe(hex.slice(0, store.size * 2));
      expect(store.size * 2).toBe(hex.length);
    }
  });
});

describe('writing and reading each container type', () => {
  const types: ContainerType[] = ['List', 'Digest', 'Chain', 'Tree', 'Merkle'];
  for (const type of types) {
    it(`${type}: forwards, backwards, by index, TreePosition navigation, verify`, async () => {
      const store = MemoryStore.create();
      const w = await SequenceWriter.create(store, { type });
      const payloads = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`record ${i} `.repeat(i % 7)));
      for (const p of payloads) w.append(p);
      await w.flush();
      const r = await SequenceReader.open(store.reopen());
      expect(r.frameCount).toBe(41);
      for (let i = 1; i <= 40; i++) expect(await r.plaintext(i)).toEqual(payloads[i - 1]);
      const back: number[] = [];
      for await (const f of r.reverse()) back.push(f.index);
      expect(back).toEqual(Array.from({ length: 41 }, (_, i) => 40 - i));
      if (type === 'Tree' || type === 'Merkle') {
        for (let i = 0; i <= 40; i++) expect(await r.locate(i)).toBe(r.starts[i]);
      }
      const report = await verifySequence(r);
      // Intact, never valid: nothing here is signed, and no trusted key was given.
      const signable = type === 'Merkle' || type === 'Chain';
      expect(report).toMatchObject({ intact: true, valid: false, trusted: false, authenticated: signable, frames: 41, legacy: false, errors: [] });
      if (type === 'Merkle' || type === 'Chain') expect(report.head).toBe(base64urlEncode(w.head!));
    });
  }
});

describe('bytesStore (read-only store in the SDK)', () => {
  it('reads a sequence from bytes without an adapter; refuses writes; closes', async () => {
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle' });
    w.append(new TextEncoder().encode('x'));
    await w.close();
    const s = bytesStore(store.bytes());
    const r = await SequenceReader.open(s);
    expect(r.frameCount).toBe(2);
    expect(new TextDecoder().decode(await r.plaintext(1))).toBe('x');
    await expect(s.append(new Uint8Array(1))).rejects.toMatchObject({ code: 'DARE_BAD_ARGUMENT' });
    await expect(s.truncate(0)).rejects.toMatchObject({ code: 'DARE_BAD_ARGUMENT' });
    await s.close();
    await expect(s.read(0, 1)).rejects.toMatchObject({ code: 'DARE_CLOSED' });
  });
});
