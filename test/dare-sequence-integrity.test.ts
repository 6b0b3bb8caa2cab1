import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import { MemoryStore } from '../adapters/store/memory.js';
import { NodeFileStore } from '../adapters/store/node-fs.js';
import { runConformance } from '../sdk/conformance/main.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { keyPairFromPrivate } from '../sdk/udf/keys.js';
import {
  ed448HeadSigner, frameLeafHash, headerDigest, MerkleTreeLevels, proveInclusion, SequenceReader, SequenceWriter, verifyInclusion,
  verifyMerkleConsistency, verifyMerkleInclusion, verifySequence, type ContainerType, type CreateOptions,
} from '../sdk/dare/sequence/index.js';
import { payloadDigest, treeHasher } from '../sdk/dare/sequence/digests.js';
import { storedDigest } from '../sdk/dare/sequence/reader.js';

/** Deterministic randomness for tests (never for production). */
function counterRandom(seed = 1) {
  let c = seed;
  return (n: number) => Uint8Array.from({ length: n }, () => (c = (c * 1103515245 + 12345) % 2147483648) & 0xff);
}

const x448 = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 7 + 3) & 0xff));
const signerSecret = Uint8Array.from({ length: 57 }, (_, i) => (i * 13 + 1) & 0xff);

async function build(type: ContainerType, n: number, extra: Partial<CreateOptions> = {}, store = MemoryStore.create()) {
  const w = await SequenceWriter.create(store, { type, ...extra });
  for (let i = 1; i <= n; i++) w.append(new TextEncoder().encode(`entry ${i}: ${'x'.repeat(i * 3)}`));
  await w.flush();
  return { store, w };
}

beforeAll(async () => {
  await init();
});

describe('conformance runner: sequence kinds', () => {
  it('every verified container, previous_frame and frame_tags vector passes', async () => {
    const lines: string[] = [];
    await runConformance([new URL('../../shared/vectors/dare.json', import.meta.url).pathname], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const mine = lines.filter((l) => /container|previous-frame|frame-tags/.test(l));
    expect(mine.length).toBe(7);
    for (const l of mine) expect(l).toMatch(/^PASS/);
  });
});

describe('crash safety: torn tails', () => {
  it('truncating at every byte offset of the last frame keeps every earlier frame; the next append truncates', async () => {
    for (const type of ['List', 'Merkle'] as ContainerType[]) {
      const { store } = await build(type, 5);
      const full = store.bytes();
      const r0 = await SequenceReader.open(MemoryStore.fromBytes(full));
      const lastStart = r0.starts[5]!;
      for (let cut = lastStart; cut < full.length; cut++) {
        const s = MemoryStore.create(full.subarray(0, cut));
        const r = await SequenceReader.open(s.reopen());
        expect(r.frameCount).toBe(5);
        expect(r.tornTail === undefined).toBe(cut === lastStart);
        for (let i = 1; i < 5; i++) expect(new TextDecoder().decode(await r.plaintext(i))).toMatch(`entry ${i}:`);
        if (cut === lastStart + 3 || cut === full.length - 1) {
          await s.close();
          const w = await SequenceWriter.open(s.reopen(true));
          w.append(new TextEncoder().encode('entry 5: again'));
          await w.flush();
          const after = await SequenceReader.open(s.reopen());
          expect(after.tornTail).toBeUndefined();
          expect((await verifySequence(after)).intact).toBe(true);
        }
      }
    }
  });

  it('damage in the middle is reported, not mistaken for a torn tail and not truncated', async () => {
    const { store } = await build('Merkle', 4);
    const b = store.bytes();
    const r0 = await SequenceReader.open(MemoryStore.fromBytes(b));
    b[r0.starts[2]!] = 0x00; // frame 2's leading tag
    const s = MemoryStore.create(b);
    const r = await SequenceReader.open(s.reopen());
    expect(r.frameCount).toBe(2);
    expect(r.damage?.code).toBe('DARE_BAD_TAG');
    await s.close();
    await expect(SequenceWriter.open(s.reopen(true))).rejects.toMatchObject({ code: 'DARE_BAD_TAG' });
  });
});

describe('tamper detection: flipping every byte', () => {
  const cases: [ContainerType, boolean][] = [['Digest', false], ['Chain', false], ['Merkle', false], ['Digest', true], ['Chain', true], ['Merkle', true]];
  for (const [type, encrypted] of cases) {
    it(`${type}${encrypted ? ' encrypted' : ''}: verify reports the damaged frame`, async () => {
      const opts: Partial<CreateOptions> = encrypted ? { encrypt: { recipients: [publicPart(x448)], random: counterRandom() } } : {};
      const { store } = await build(type, 3, opts);
      const clean = store.bytes();
      const r0 = await SequenceReader.open(MemoryStore.fromBytes(clean), { keys: [x448] });
      expect((await verifySequence(r0)).errors).toEqual([]);
      const frameOf = (offset: number) => r0.starts.filter((s) => s <= offset).length - 1;
      for (let at = 0; at < clean.length; at++) {
        const b = clean.slice();
        b[at]! ^= 0xff;
        let report;
        try {
          report = await verifySequence(await SequenceReader.open(MemoryStore.fromBytes(b), { keys: [x448] }));
        } catch (e) {
          expect(frameOf(at)).toBe(0); // only a damaged frame 0 makes the sequence unopenable
          continue;
        }
        expect(report.intact, `byte ${at}`).toBe(false);
        expect(report.valid, `byte ${at}`).toBe(false);
        expect(report.errors[0]!.frame, `byte ${at}`).toBe(frameOf(at));
      }
    });
  }
});

describe('Merkle proofs (RFC 9162 §2.1.3, §2.1.4)', () => {
  const leaves = Array.from({ length: 71 }, (_, i) => treeHasher.leafHash(payloadDigest(new Uint8Array([i, i >> 8]))));
  const tree = MerkleTreeLevels.fromLeafHashes(leaves);

  it('inclusion and consistency for every k <= n <= 70; wrong leaf, head or size fail', () => {
    for (let n = 1; n <= 70; n++) {
      const root = tree.root(n);
      for (let k = 0; k < n; k++) {
        const p = tree.inclusionProof(k, n);
        expect(verifyMerkleInclusion(p, leaves[k]!, root)).toBe(true);
        expect(verifyMerkleInclusion(p, leaves[(k + 1) % 71]!, root)).toBe(false);
        expect(verifyMerkleInclusion(p, leaves[k]!, tree.root(n + 1))).toBe(false);
        expect(verifyMerkleInclusion({ ...p, treeSize: n + 1 }, leaves[k]!, tree.root(n + 1))).toBe(false);
        if (n > 1) expect(verifyMerkleInclusion({ ...p, treeSize: n - 1 }, leaves[k]!, tree.root(n - 1))).toBe(false);
        expect(verifyMerkleInclusion({ ...p, index: (k + 1) % n }, leaves[k]!, root) && n > 1).toBe(false);
      }
      for (let m = 1; m <= n; m++) {
        const c = tree.consistencyProof(m, n);
        expect(verifyMerkleConsistency(c, tree.root(m), root)).toBe(true);
        if (m < n) {
          expect(verifyMerkleConsistency(c, tree.root(m + 1), root)).toBe(false);
          expect(verifyMerkleConsistency(c, tree.root(m), tree.root(n + 1))).toBe(false);
          expect(verifyMerkleConsistency({ ...c, secondSize: n + 1 }, tree.root(m), tree.root(n + 1))).toBe(false);
        }
      }
    }
  });

  it('random pairs in 100,000 frames', () => {
    const big = new MerkleTreeLevels();
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < 100_000; i++) {
      const h = treeHasher.leafHash(payloadDigest(new Uint8Array([i & 0xff, (i >> 8) & 0xff, i >> 16])));
      hashes.push(h);
      big.appendLeafHash(h);
    }
    const rnd = counterRandom(7);
    const u32 = () => { const b = rnd(4); return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0; };
    for (let t = 0; t < 200; t++) {
      const n = 1 + (u32() % 100_000);
      const k = u32() % n;
      const m = 1 + (u32() % n);
      const root = big.root(n);
      const p = big.inclusionProof(k, n);
      expect(verifyMerkleInclusion(p, hashes[k]!, root)).toBe(true);
      expect(verifyMerkleInclusion(p, hashes[(k + 1) % n]!, root) && n > 1).toBe(false);
      const c = big.consistencyProof(m, n);
      expect(verifyMerkleConsistency(c, big.root(m), root)).toBe(true);
      if (m < n) expect(verifyMerkleConsistency(c, big.root(m), big.root(n - 1))).toBe(false);
    }
  });

  it('a Merkle sequence: each head is the RFC 9162 head over H(header) ‖ H(payload); proofs from the file verify', async () => {
    const signer = ed448HeadSigner(signerSecret);
    const { store, w } = await build('Merkle', 20, { signer });
    await w.close();
    const r = await SequenceReader.open(store.reopen());
    const frames = [];
    for await (const f of r.frames()) frames.push(f);
    const t = MerkleTreeLevels.fromLeafHashes(frames.slice(0, 21).map((f) => frameLeafHash(headerDigest(f.records.header), payloadDigest(f.payload))));
    expect(t.root()).toEqual(await storedHead(r, 20));
    const proof = await proveInclusion(r, 7);
    const record = await r.plaintext(7);
    expect(verifyInclusion(proof, { record, trust: [signer.publicKey] })).toBe(true);
    expect(verifyInclusion({ ...proof, index: 8 }, { record, trust: [signer.publicKey] })).toBe(false);
  });
});

/** The TreeDigest stored in frame `i`. */
async function storedHead(r: SequenceReader, i: number): Promise<Uint8Array> {
  return storedDigest(await r.frame(i), 'TreeDigest')!;
}

describe('reopen and append', () => {
  it('the head after appending in several sessions equals the head computed in one', async () => {
    for (const type of ['Merkle', 'Chain'] as ContainerType[]) {
      const one = await build(type, 30);
      const store = MemoryStore.create();
      let w = await SequenceWriter.create(store, { type });
      let next = 1;
      for (const session of [4, 1, 7, 18]) {
        for (let i = 0; i < session; i++, next++) w.append(new TextEncoder().encode(`entry ${next}: ${'x'.repeat(next * 3)}`));
        await w.close();
        w = await SequenceWriter.open(store.reopen(true));
      }
      expect(w.frameCount).toBe(31);
      expect(w.head).toEqual(one.w.head);
      expect(store.bytes()).toEqual(one.store.bytes());
      await w.close();
    }
  });

  it('encrypted Session: one key exchange per writer session, per-frame salts; appending needs no private key', async () => {
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle', encrypt: { recipients: [publicPart(x448)] } });
    w.append(new TextEncoder().encode('secret 1'));
    w.append(new TextEncoder().encode('secret 2'));
    await w.close();
    const r = await SequenceReader.open(store.reopen(), { keys: [x448] });
    const f2 = await r.frame(2);
    expect(f2.header['recipients']).toBeUndefined();
    expect(f2.info.ExchangePosition).toBe(0);
    expect(f2.header['Salt']).not.toEqual((await r.frame(1)).header['Salt']);
    expect(new TextDecoder().decode(await r.plaintext(2))).toBe('secret 2');
    await expect(SequenceReader.open(store.reopen()).then((x) => x.plaintext(1))).rejects.toMatchObject({ code: 'DARE_NO_KEY' });
    const other = darePrivateKey('X448', new Uint8Array(56).fill(9));
    await expect(SequenceReader.open(store.reopen(), { keys: [other] }).then((x) => x.plaintext(1))).rejects.toMatchObject({ code: 'DARE_NO_KEY' });
    // A second session: the writer holds only the public keys of the policy.
    const w2 = await SequenceWriter.open(store.reopen(true));
    w2.append(new TextEncoder().encode('secret 3'));
    w2.append(new TextEncoder().encode('secret 4'));
    await w2.close();
    const r2 = await SequenceReader.open(store.reopen(), { keys: [x448] });
    const f3 = await r2.frame(3);
    const f4 = await r2.frame(4);
    expect(Array.isArray(f3.header['recipients'])).toBe(true); // the session's own key exchange
    expect(f4.info.ExchangePosition).toBe(3);
    expect(new TextDecoder().decode(await r2.plaintext(4))).toBe('secret 4');
    expect((await verifySequence(r2)).intact).toBe(true);
  });
});

describe('signed heads', () => {
  it('every N frames and on close; verify trusts only the keys the caller gives', async () => {
    const signer = ed448HeadSigner(signerSecret);
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle', signer, signEvery: 4 });
    for (let i = 1; i <= 10; i++) w.append(new Uint8Array([i]));
    await w.close();
    const r = await SequenceReader.open(store.reopen());
    const report = await verifySequence(r, { trust: [signer.publicKey] });
    expect(report).toMatchObject({ valid: true, intact: true, trusted: true, signedThrough: 11, unsignedTail: 0 });
    expect(report.signedHeads.map((h) => h.frame)).toEqual([4, 8, 11]);
    expect(report.signedHeads.every((h) => h.signature === 'valid' && h.trusted)).toBe(true);
    // The policy names the signer, but the policy is not a trust anchor.
    const self = await verifySequence(r);
    expect(self).toMatchObject({ valid: false, intact: true, trusted: false, authenticityChecked: false, signedThrough: null, unsignedTail: 12 });
    expect(self.signedHeads.every((h) => h.signature === 'valid' && !h.trusted)).toBe(true);
    const stranger = ed448HeadSigner(new Uint8Array(57).fill(5));
    const untrusted = await verifySequence(r, { trust: [stranger.publicKey] });
    expect(untrusted).toMatchObject({ valid: false, intact: true, trusted: false, authenticityChecked: true });
  });
});

describe('stores: locking and durability', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dare-seq-'));

  it('memory: a second writer gets DARE_LOCKED', async () => {
    const s = MemoryStore.create();
    expect(() => s.reopen(true)).toThrow(expect.objectContaining({ code: 'DARE_LOCKED' }));
    await s.close();
    expect(s.reopen(true).writable).toBe(true);
  });

  for (const durability of ['fsync', 'group', 'none'] as const) {
    it(`node fs (${durability}): write, lock, reopen, append, torn tail on disk`, async () => {
      const path = join(dir, `seq-${durability}.dare`);
      const store = await NodeFileStore.openWrite(path, { durability });
      await expect(NodeFileStore.openWrite(path)).rejects.toMatchObject({ code: 'DARE_LOCKED' });
      const { w } = await build('Merkle', 50, {}, store as unknown as MemoryStore);
      await w.close();
      const head = w.head;
      // A torn append: half a frame written by a "crashed" writer.
      const bytes = readFileSync(path);
      const lastStart = (await SequenceReader.open(MemoryStore.fromBytes(bytes))).starts[50]!;
      writeFileSync(path, Buffer.concat([bytes, bytes.subarray(lastStart, lastStart + 80)]));
      const r = await SequenceReader.open(await NodeFileStore.openRead(path));
      expect(r.tornTail?.length).toBe(80);
      expect(r.frameCount).toBe(51);
      const w2 = await SequenceWriter.open(await NodeFileStore.openWrite(path, { durability }));
      expect(w2.head).toEqual(head);
      w2.append(new Uint8Array([1, 2, 3]));
      await w2.close();
      const r2 = await SequenceReader.open(await NodeFileStore.openRead(path));
      expect(r2.tornTail).toBeUndefined();
      expect((await verifySequence(r2)).intact).toBe(true);
      expect(r2.frameCount).toBe(52);
    });
  }

  it('node fs: a lock left by a dead process is taken over', async () => {
    const path = join(dir, 'stale.dare');
    mkdirSync(path + '.lock', { recursive: true });
    writeFileSync(path + '.lock/g0000000000000001', 'pid 999999999 node\n');
    const s = await NodeFileStore.openWrite(path);
    expect(s.writable).toBe(true);
    await s.close();
  });
});

void keyPairFromPrivate;
