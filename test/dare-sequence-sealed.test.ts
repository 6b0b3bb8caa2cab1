import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/store/memory.js';
import { init, initSync, sha512 } from '../sdk/crypto/index.js';
import { dareKeyFromKeyPair, darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { SequenceError, SequenceReader, SequenceWriter, verifySequence, type AppendResult, type CreateOptions, type SequenceStore } from '../sdk/dare/sequence/index.js';
import { decodeFrame } from '../sdk/dare/sequence/frame.js';
import { storedDigest } from '../sdk/dare/sequence/reader.js';
import { buildHeader, encodeRecordJson } from '../sdk/dare/sequence/header.js';
import { SEALED_HEADER_MAX, SealedHeaderBuilder, writeSealedHeader } from '../sdk/dare/sequence/sealed-frame.js';
import { FRAME_TAG, writeForwardTag, writeReverseTag } from '../sdk/dare/sequence/tags.js';
import { lowestBit } from '../sdk/dare/sequence/tree-position.js';
import { ed448HeadSigner } from '../sdk/dare/sequence/signed-head.js';
import { deriveKeyPair, newSeed } from '../sdk/udf/index.js';
import { seeded } from './support/random.js';

/**
 * The writer's hot path (sealed-frame.ts: template headers and trailers, one FrameSealer call per
 * frame) against its general path (`appendFrame`: buildHeader / encodeRecordJson / encodeFrame and
 * one primitive call per step) for the same injected randomness: byte-identical files, on the
 * default routing after init() (WASM sealer) and on the pure provider (composed twin); and the
 * files read, decrypt and verify as trusted.
 */

const recipient = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 29 + 5) & 0xff));
const signerSeed = Uint8Array.from({ length: 57 }, (_, i) => (i * 17 + 3) & 0xff);
const signer = ed448HeadSigner(signerSeed);
const payload = (i: number): Uint8Array => seeded(500 + i)(i % 5 === 0 ? 0 : (i * 53) % 700);

type Path = 'sealed' | 'general';

/** Appends through the hot path (`append`) or forces the general path for every frame. */
function appendVia(w: SequenceWriter, path: Path, data: Uint8Array, contentMeta?: Uint8Array): AppendResult {
  if (path === 'sealed' || contentMeta !== undefined) return w.append(data, contentMeta ? { contentMeta } : {});
  return (w as unknown as { appendFrame(p: Uint8Array, o: object): AppendResult }).appendFrame(data, {});
}

async function writeLog(path: Path, frames: number, options: Partial<CreateOptions> = {}): Promise<{ bytes: Uint8Array; results: AppendResult[]; head: Uint8Array | undefined }> {
  const store = new MemoryStore();
  const w = await SequenceWriter.create(store, {
    type: 'Merkle', encrypt: { recipients: [publicPart(recipient)], random: seeded(42) }, signer, signEvery: 16, ...options,
  });
  const results: AppendResult[] = [];
  for (let i = 1; i < frames; i++) results.push(appendVia(w, path, payload(i), i === 7 ? Uint8Array.of(0x7b, 0x7d) : undefined));
  const head = w.head;
  await w.close();
  return { bytes: store.bytes(), results, head };
}

describe.each(['default', 'pure'] as const)('sealed hot path equals the general path (%s routing)', (routing) => {
  beforeAll(async () => {
    await init();
    initSync(routing === 'pure' ? { prefer: 'pure' } : {});
  });
  afterAll(() => {
    initSync({});
  });

  it('byte-identical files for the same randomness: data frames, a cloaked-metadata frame, signed heads every 16, close', async () => {
    const a = await writeLog('sealed', 70);
    const b = await writeLog('general', 70);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.head).toEqual(b.head);
    for (let i = 0; i < a.results.length; i++) {
      const x = a.results[i]!;
      const y = b.results[i]!;
      expect([x.index, x.position, x.length], `frame ${i + 1}`).toEqual([y.index, y.position, y.length]);
      expect(x.headerDigest).toEqual(y.headerDigest);
      expect(x.payloadDigest).toEqual(y.payloadDigest);
      expect(x.head).toEqual(y.head);
    }
    const reader = await SequenceReader.open(MemoryStore.fromBytes(a.bytes), { keys: [recipient] });
    const report = await verifySequence(reader, { trust: [signer.publicKey] });
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.frames).toBe(71);
    for (const i of [1, 5, 7, 16, 33, 69]) expect(await reader.plaintext(i), `frame ${i}`).toEqual(payload(i));
  });

  it('a sealed frame carries the PayloadMac of the envelope layer over its HD and PD', async () => {
    const { bytes } = await writeLog('sealed', 3);
    const reader = await SequenceReader.open(MemoryStore.fromBytes(bytes), { keys: [recipient] });
    const f = await reader.frame(1);
    const records = decodeFrame(bytes.subarray(f.start, f.end));
    const trailer = JSON.parse(Buffer.from(records.trailer!).toString('utf8')) as Record<string, string>;
    const header = JSON.parse(Buffer.from(records.header).toString('utf8')) as Record<string, string>;
    expect(Object.keys(trailer)).toEqual(['PayloadDigest', 'TreeDigest', 'PayloadMac']);
    expect(Object.keys(header)).toEqual(['enc', 'dig', 'Salt', 'SequenceInfo']);
    expect(Buffer.from(trailer['PayloadDigest']!, 'base64url')).toEqual(Buffer.from(sha512(records.payload)));
    expect(await reader.plaintext(1)).toEqual(payload(1)); // the reader checks the MAC before decrypting
    // A changed header byte of the sealed frame (its Salt) fails the MAC: one error, DARE_DECRYPT.
    const at = f.start + Buffer.from(bytes.subarray(f.start, f.end)).indexOf('"Salt":"') + 8;
    const forged = bytes.slice();
    forged[at] = forged[at] === 0x41 ? 0x42 : 0x41;
    const r2 = await SequenceReader.open(MemoryStore.fromBytes(forged), { keys: [recipient] });
    await expect(r2.plaintext(1)).rejects.toMatchObject({ code: 'DARE_DECRYPT' });
  });

  it('a writer reopened on the file continues on the hot path with identical bytes', async () => {
    const out: Uint8Array[] = [];
    for (const path of ['sealed', 'general'] as const) {
      const { bytes } = await writeLog(path, 20);
      const store = MemoryStore.create(bytes);
      const w = await SequenceWriter.open(store, { signer, signEvery: 8, random: seeded(7) });
      for (let i = 0; i < 12; i++) appendVia(w, path, payload(100 + i));
      await w.close();
      out.push(store.bytes());
    }
    expect(Buffer.from(out[0]!).equals(Buffer.from(out[1]!))).toBe(true);
    const report = await verifySequence(await SequenceReader.open(MemoryStore.fromBytes(out[0]!), { keys: [recipient] }), { trust: [signer.publicKey] });
    expect(report.valid).toBe(true);
  });
});

describe('CreateOptions.signer takes a key', () => {
  it('a DarePrivateKey and a mathmesh/udf KeyPair sign heads that verify under their public key', async () => {
    await init();
    const kp = deriveKeyPair(newSeed('MeshProfileDevice'), { operation: 'Sign' });
    for (const key of [dareKeyFromKeyPair(kp), kp, darePrivateKey('Ed448', signerSeed)]) {
      const store = new MemoryStore();
      const w = await SequenceWriter.create(store, { type: 'Merkle', signer: key });
      w.append(Uint8Array.of(1, 2, 3));
      await w.close();
      const report = await verifySequence(await SequenceReader.open(MemoryStore.fromBytes(store.bytes())), { trust: [key.publicKey] });
      expect(report.valid).toBe(true);
      // And reopening takes the key too.
      const more = await SequenceWriter.open(MemoryStore.create(store.bytes()), { signer: key });
      more.append(Uint8Array.of(4));
      await more.close();
    }
  });

  it('refuses a non-Ed448 key, a public key and a mismatched pair, naming no secret', async () => {
    const code = async (signer: unknown): Promise<string> => {
      try {
        await SequenceWriter.create(new MemoryStore(), { type: 'Merkle', signer: signer as CreateOptions['signer'] });
      } catch (e) {
        expect(e).toBeInstanceOf(SequenceError);
        expect((e as Error).message).not.toContain(Buffer.from(signerSeed).toString('hex'));
        return (e as SequenceError).code;
      }
      return 'accepted';
    };
    expect(await code(recipient)).toBe('DARE_BAD_ARGUMENT');
    expect(await code(publicPart(darePrivateKey('Ed448', signerSeed)))).toBe('DARE_BAD_ARGUMENT');
    const other = darePrivateKey('Ed448', new Uint8Array(57).fill(1));
    expect(await code({ ...darePrivateKey('Ed448', signerSeed), publicKey: other.publicKey })).toBe('DARE_BAD_ARGUMENT');
    expect(await code(42)).toBe('DARE_BAD_ARGUMENT');
  });
});

describe('hot-path header and tags', () => {
  it('SealedHeaderBuilder writes the general header bytes for indices and positions of every width', () => {
    const builder = new SealedHeaderBuilder();
    const general = new Uint8Array(SEALED_HEADER_MAX);
    const rnd = seeded(9);
    const values = [1, 9, 10, 99, 100, 65_535, 999_999_999, 1_000_000_000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1];
    for (const [k, index] of values.entries()) {
      for (const position of [0, 7, 10, index, values[(k + 3) % values.length]!]) {
        for (const exchange of [0, 1, 12_345, 2 ** 31]) {
          const salt = rnd(16);
          const n = builder.write(salt, index, position, exchange);
          const expected = encodeRecordJson(buildHeader({ type: 'Merkle', index, encrypted: { enc: 'A256CBC', Salt: salt }, treePosition: position, exchangePosition: exchange }), 'compact');
          expect(Buffer.from(builder.bytes.subarray(0, n)).toString(), `${index} ${position} ${exchange}`).toBe(Buffer.from(expected).toString());
          expect(builder.bytes.subarray(0, writeSealedHeader(general, salt, index, position, exchange))).toEqual(expected);
        }
      }
    }
  });

  it('lowestBit (PreviousFrame, dare.md §9.2) is the same on the int32 fast path and beyond it', () => {
    const reference = (x: number): number => {
      let d = 1;
      while (Math.floor(x / d) % 2 === 0) d *= 2;
      return d;
    };
    for (const x of [1, 2, 3, 6, 96, 2 ** 30, 2 ** 31 - 1, 2 ** 31 - 2, 2 ** 31, 2 ** 31 + 2, 3 * 2 ** 40, 2 ** 53 - 2]) expect(lowestBit(x), `${x}`).toBe(reference(x));
  });

  it('forward and reverse tags of every length code, as the reference writes them (dare.md §8)', () => {
    for (const length of [0, 1, 255, 256, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      const k = length < 0x100 ? 0 : length < 0x10000 ? 1 : length < 2 ** 32 ? 2 : 3;
      const be: number[] = [];
      for (let i = 0, v = length; i < 1 << k; i++, v = Math.floor(v / 256)) be.unshift(v % 256);
      const forward = new Uint8Array(9);
      const reverse = new Uint8Array(9);
      expect(writeForwardTag(forward, 0, FRAME_TAG, length)).toBe(1 + be.length);
      expect(writeReverseTag(reverse, 0, FRAME_TAG, length)).toBe(1 + be.length);
      expect([...forward.subarray(0, 1 + be.length)], `${length}`).toEqual([FRAME_TAG + k, ...be]);
      expect([...reverse.subarray(0, 1 + be.length)], `${length}`).toEqual([...be].reverse().concat(FRAME_TAG + k));
    }
  });
});

/** The async-only view of a store: what a writer sees of an adapter without `appendSync`. */
function asyncOnly(s: MemoryStore): SequenceStore {
  return {
    get size() { return s.size; },
    get writable() { return s.writable; },
    read: (o, n) => s.read(o, n), append: (b) => s.append(b), truncate: (n) => s.truncate(n), flush: () => s.flush(), close: () => s.close(),
  };
}

describe('writer on a store with and without appendSync', () => {
  beforeAll(async () => {
    await init();
  });

  it('the same bytes whether frames go through appendSync (one reused buffer) or append (slab bytes it keeps)', async () => {
    const write = async (sync: boolean): Promise<Uint8Array> => {
      const store = new MemoryStore();
      const w = await SequenceWriter.create(sync ? store : asyncOnly(store), {
        type: 'Merkle', encrypt: { recipients: [publicPart(recipient)], random: seeded(42) }, signer, signEvery: 16,
      });
      const kept: Uint8Array[] = [];
      for (let i = 1; i < 60; i++) kept.push(w.append(payload(i)).head!);
      await w.close();
      // Each result's head is its own copy: later frames did not overwrite it.
      const reader = await SequenceReader.open(MemoryStore.fromBytes(store.bytes()), { keys: [recipient] });
      for (const i of [1, 17, 59]) expect(kept[i - 1], `frame ${i}`).toEqual(storedDigest(await reader.frame(i), 'TreeDigest'));
      return store.bytes();
    };
    const a = await write(true);
    const b = await write(false);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('a failed synchronous append rejects its durable, and the writer refuses further appends', async () => {
    const store = new MemoryStore();
    const w = await SequenceWriter.create(store, { type: 'Merkle', encrypt: { recipients: [publicPart(recipient)] } });
    await w.append(payload(1)).durable;
    const size = store.size;
    await store.close(); // the store now throws DARE_CLOSED on append
    const r = w.append(payload(2));
    await expect(r.durable).rejects.toMatchObject({ code: 'DARE_CLOSED' });
    expect(() => w.append(payload(3))).toThrow(expect.objectContaining({ code: 'DARE_IO' }));
    await expect(w.flush()).rejects.toThrow();
    expect(store.size).toBe(size);
  });
});

describe('MemoryStore', () => {
  it('new MemoryStore() is a working empty writable store; a non-bytes argument is refused', async () => {
    const s = new MemoryStore();
    expect(s.size).toBe(0);
    expect(s.writable).toBe(true);
    await s.append(Uint8Array.of(1, 2, 3));
    expect(await s.read(1, 5)).toEqual(Uint8Array.of(2, 3));
    expect(new MemoryStore(Uint8Array.of(9, 8)).bytes()).toEqual(Uint8Array.of(9, 8));
    expect(() => new MemoryStore('abc' as unknown as Uint8Array)).toThrow(SequenceError);
    expect(() => s.reopen(true)).toThrow(/another writer/);
  });

  it('appends across 1 MiB chunks, reads spanning them, truncates and appends again', async () => {
    const s = new MemoryStore(seeded(1)(1000));
    const parts: Uint8Array[] = [s.bytes()];
    const rnd = seeded(2);
    for (let i = 0; i < 40; i++) {
      const b = rnd(i === 20 ? 3_000_000 : 70_001);
      s.appendSync(b);
      parts.push(b);
    }
    const all = new Uint8Array(Buffer.concat(parts));
    expect(s.size).toBe(all.length);
    for (const [o, n] of [[0, 10], [1_048_500, 200], [1_048_576 * 3 - 5, 2_000_000], [all.length - 3, 10]] as const) {
      expect(Buffer.from(await s.read(o, n)).equals(Buffer.from(all.subarray(o, o + n))), `${o}+${n}`).toBe(true);
    }
    const view = s.reopen();
    await s.truncate(2_500_000);
    s.appendSync(Uint8Array.of(7, 7));
    const expected = new Uint8Array(Buffer.concat([all.subarray(0, 2_500_000), Uint8Array.of(7, 7)]));
    expect(Buffer.from(view.bytes()).equals(Buffer.from(expected))).toBe(true);
    await s.truncate(0);
    s.appendSync(Uint8Array.of(5));
    expect(s.bytes()).toEqual(Uint8Array.of(5));
  });
});
