import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/store/memory.js';
import { init, initSync, type ProviderName } from '../sdk/crypto/index.js';
import { writeJson } from '../sdk/encoding/json-writer.js';
import { utf8Encode } from '../sdk/encoding/utf8.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { compactRecordBytes, encodeRecordJson } from '../sdk/dare/sequence/header.js';
import { SequenceReader, SequenceWriter, verifySequence } from '../sdk/dare/sequence/index.js';
import type { JsonObject } from '../sdk/encoding/json-value.js';
import { seeded } from './support/random.js';

/**
 * The fast paths of issue 6's transaction-log workload: the byte-level header/trailer writer must
 * produce exactly `writeJson`'s bytes (or decline), and the batched per-frame crypto of each
 * provider (WASM: HKDF pair + payload digest/Merkle head in one call each) must write the same
 * bytes as the pure provider for the same randomness.
 */

const bytes = (n: number, seed: number): Uint8Array => seeded(seed)(n);

describe('compactRecordBytes', () => {
  const samples: JsonObject[] = [
    { enc: 'A256CBC', dig: 'S512', Salt: bytes(16, 1), ContentMetaData: utf8Encode('{}'), SequenceInfo: { Index: 7, TreePosition: 1234, ExchangePosition: 0 } },
    { PayloadDigest: bytes(64, 2), TreeDigest: bytes(64, 3) },
    { a: undefined, b: 0, c: -0, d: Number.MAX_SAFE_INTEGER, e: -5, f: '', g: new Uint8Array(0), h: bytes(1, 4), i: bytes(2, 5), j: {} },
    { big: bytes(5000, 6), text: 'x'.repeat(3000) }, // beyond the initial scratch size
  ];
  it('equals utf8(writeJson) for the shapes it accepts', () => {
    for (const s of samples) {
      const got = compactRecordBytes(s);
      expect(got, JSON.stringify(Object.keys(s))).toBeDefined();
      expect(got).toEqual(utf8Encode(writeJson(s)));
    }
  });
  it('declines what it does not handle, and encodeRecordJson still writes writeJson bytes', () => {
    const declined: JsonObject[] = [
      { s: 'é' }, { s: 'quote"' }, { s: 'back\\slash' }, { s: 'line\n' }, { n: 1.5 }, { n: 2 ** 60 },
      { a: [1, 2] }, { o: { deeper: { x: 1 } } }, { t: true }, { z: null }, { 'k"ey': 1 },
    ];
    for (const s of declined) {
      expect(compactRecordBytes(s), JSON.stringify(s)).toBeUndefined();
      expect(encodeRecordJson(s, 'compact')).toEqual(utf8Encode(writeJson(s)));
    }
    // A declined record leaves no trace in the next one.
    expect(compactRecordBytes(samples[1]!)).toEqual(utf8Encode(writeJson(samples[1]!)));
  });
});

describe('batched frame crypto: every provider writes the same bytes', () => {
  const recipient = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 29 + 5) & 0xff));
  beforeAll(async () => {
    await init();
  });
  afterAll(() => {
    initSync({});
  });

  async function write(provider: ProviderName | 'default', type: 'Merkle' | 'Chain' | 'Digest'): Promise<{ file: Uint8Array; heads: string[] }> {
    if (provider === 'default') initSync({});
    else initSync({ prefer: provider === 'native' ? { sha512: 'native', sha256: 'native', hkdfSha256: 'native', hmacSha256: 'native', aes256Cbc: 'native', merkleRoot: 'native' } : provider });
    try {
      const store = MemoryStore.create();
      const w = await SequenceWriter.create(store, { type, encrypt: { recipients: [publicPart(recipient)], random: seeded(99) } });
      const heads: string[] = [];
      for (let i = 0; i < 70; i++) {
        const r = w.append(bytes(i === 69 ? 70_000 : (i * 37) % 300, 100 + i)); // one payload larger than the WASM I/O region
        heads.push(Buffer.from(r.head ?? r.payloadDigest!).toString('hex'));
      }
      await w.close();
      return { file: store.bytes(), heads };
    } finally {
      initSync({});
    }
  }

  for (const type of ['Merkle', 'Chain', 'Digest'] as const) {
    it(`${type}: wasm, native and default routing equal pure; the file verifies and decrypts`, async () => {
      const pure = await write('pure', type);
      for (const p of ['wasm', 'native', 'default'] as const) {
        const other = await write(p, type);
        expect(other.heads, p).toEqual(pure.heads);
        expect(Buffer.from(other.file).equals(Buffer.from(pure.file)), p).toBe(true);
      }
      const reader = await SequenceReader.open(MemoryStore.fromBytes(pure.file), { keys: [recipient] });
      const report = await verifySequence(reader);
      expect(report.errors).toEqual([]);
      expect(report.intact).toBe(true);
      expect(report.frames).toBe(71);
      expect(await reader.plaintext(5)).toEqual(bytes((4 * 37) % 300, 104));
    });
  }
});

describe('writer state stays O(log n)', () => {
  it('the TreePosition table keeps only offsets a later frame can name (and the file still reads)', async () => {
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle' });
    const table = (w as unknown as { positions: Map<number, number> }).positions;
    let largest = 0;
    for (let i = 1; i <= 20_000; i++) {
      w.append(Uint8Array.of(i & 0xff, i >> 8));
      largest = Math.max(largest, table.size);
    }
    // Live entries are at most one per bit of the frame count (plus the frame just written).
    expect(largest).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(20_001)) + 2);
    expect(w.treeState.subtreeRoots.length).toBeLessThanOrEqual(15);
    await w.close();
    const reader = await SequenceReader.open(MemoryStore.fromBytes(store.bytes()));
    expect(reader.frameCount).toBe(20_001);
    expect((await verifySequence(reader)).intact).toBe(true);
    expect(await reader.plaintext(12_345)).toEqual(Uint8Array.of(12_345 & 0xff, 12_345 >> 8));
  });
});
