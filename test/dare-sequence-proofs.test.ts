import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aes256CbcDecrypt, init } from '../sdk/crypto/index.js';
import { MemoryStore } from '../adapters/store/memory.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { base64urlDecode } from '../sdk/encoding/base64url.js';
import { utf8Encode } from '../sdk/encoding/utf8.js';
import {
  ed448HeadSigner, frameLeafHash, headerDigest, MerkleTreeLevels, payloadDigest, proveInclusion, SequenceError, SequenceReader, SequenceWriter, verifyInclusion,
  verifyMerkleConsistency, verifyMerkleInclusion, type CreateOptions, type InclusionProofJson,
} from '../sdk/dare/sequence/index.js';
import { referenceMth, referencePath, referenceProof } from './support/merkle-reference.js';
import { pseudoRandomBytes } from './support/providers.js';

/**
 * Inclusion proofs: the RFC 9162 layer against an independent implementation (the RFC's recursive
 * definitions over node:crypto, test/support/merkle-reference.ts), its negative boundaries, and
 * the standalone signed proofs a light client checks — attacked by relabelling every field.
 */

const sha512 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const leafHash = (leaf: Uint8Array): Uint8Array => sha512(Uint8Array.of(0), leaf);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const alice = ed448HeadSigner(Uint8Array.from({ length: 57 }, (_, i) => (i * 13 + 1) & 0xff));
const mallory = ed448HeadSigner(Uint8Array.from({ length: 57 }, (_, i) => (i * 5 + 77) & 0xff));
const x448 = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 7 + 3) & 0xff));
const record = (i: number): Uint8Array => utf8Encode(`ledger entry ${i}`);

beforeAll(async () => {
  await init();
});

describe('RFC 9162 proofs against a second implementation', () => {
  // Leaf data of the size sequences use (HD ‖ PD, 128 bytes), and odd sizes.
  const leaves = Array.from({ length: 41 }, (_, i) => pseudoRandomBytes(i % 3 === 0 ? 128 : 1 + i, 500 + i));
  const tree = MerkleTreeLevels.fromLeafHashes(leaves.map(leafHash));

  it('heads, audit paths and consistency proofs equal the RFC\'s recursive definitions for every m < n <= 40', () => {
    for (let n = 1; n <= 40; n++) {
      const d = leaves.slice(0, n);
      const root = referenceMth(d, sha512);
      expect(hex(tree.root(n)), `MTH n=${n}`).toBe(hex(root));
      for (let m = 0; m < n; m++) {
        const path = referencePath(m, d, sha512);
        expect(tree.inclusionProof(m, n).path.map(hex), `PATH(${m}, ${n})`).toEqual(path.map(hex));
        expect(verifyMerkleInclusion({ index: m, treeSize: n, path }, leafHash(d[m]!), root), `verify PATH(${m}, ${n})`).toBe(true);
      }
      for (let m = 1; m <= n; m++) {
        const proof = referenceProof(m, d, sha512);
        expect(tree.consistencyProof(m, n).path.map(hex), `PROOF(${m}, ${n})`).toEqual(proof.map(hex));
        expect(verifyMerkleConsistency({ firstSize: m, secondSize: n, path: proof }, referenceMth(leaves.slice(0, m), sha512), root)).toBe(true);
      }
    }
  });

  it('negative boundaries: index = size, size 0, relabelled size or index are false, never a throw', () => {
    for (let n = 1; n <= 20; n++) {
      const d = leaves.slice(0, n);
      const root = referenceMth(d, sha512);
      for (let m = 0; m < n; m++) {
        const path = referencePath(m, d, sha512);
        const leaf = leafHash(d[m]!);
        expect(verifyMerkleInclusion({ index: n, treeSize: n, path }, leaf, root), `index = size ${n}`).toBe(false);
        expect(verifyMerkleInclusion({ index: m, treeSize: 0, path }, leaf, root)).toBe(false);
        expect(verifyMerkleInclusion({ index: 0, treeSize: 0, path: [] }, leaf, root)).toBe(false);
        expect(verifyMerkleInclusion({ index: -1, treeSize: n, path }, leaf, root)).toBe(false);
        expect(verifyMerkleInclusion({ index: m + 0.5, treeSize: n, path }, leaf, root)).toBe(false);
        // A relabelled size, checked against the head of that size, fails. (Against the same head
        // the RFC check alone accepts some relabellings — index 0 of 3 leaves passes as 0 of 4 —
        // which is why a head is only ever taken with the size it was signed with, prove.ts.)
        for (const size of [n - 1, n + 1, 2 * n]) {
          if (size > m && size <= leaves.length) {
            expect(verifyMerkleInclusion({ index: m, treeSize: size, path }, leaf, referenceMth(leaves.slice(0, size), sha512)), `size ${n} relabelled ${size}`).toBe(false);
          }
        }
        for (let other = 0; other < n; other++) {
          if (other !== m) expect(verifyMerkleInclusion({ index: other, treeSize: n, path }, leaf, root), `index ${m} relabelled ${other}`).toBe(false);
        }
        expect(verifyMerkleInclusion({ index: m, treeSize: n, path: [...path, root] }, leaf, root)).toBe(false);
        if (path.length > 0) expect(verifyMerkleInclusion({ index: m, treeSize: n, path: path.slice(1) }, leaf, root)).toBe(false);
      }
    }
  });
});

async function signedLog(n: number, options: Partial<CreateOptions> = {}): Promise<SequenceReader> {
  const store = MemoryStore.create();
  const w = await SequenceWriter.create(store, { type: 'Merkle', signer: alice, signEvery: 4, ...options });
  for (let i = 1; i <= n; i++) w.append(record(i));
  await w.close();
  return SequenceReader.open(MemoryStore.fromBytes(store.bytes()), { keys: [x448] });
}

describe('standalone proofs: record + signed head + trusted key, nothing taken from the proof\'s claims', () => {
  const trust = [alice.publicKey];

  it('a proof carries the signed head and verifies from the record alone', async () => {
    const r = await signedLog(9);
    for (const k of [0, 1, 5, 9]) {
      const p = await proveInclusion(r, k);
      expect(p.signedHead).toMatchObject({ typ: 'Tree', treeSize: 11, kid: alice.kid });
      const rec = await r.plaintext(k);
      expect(verifyInclusion(p, { record: rec, trust }), `frame ${k}`).toBe(true);
      expect(verifyInclusion(p, { payloadDigest: payloadDigest(rec), trust }), `frame ${k} by digest`).toBe(true);
    }
    const early = await proveInclusion(r, 3, { treeSize: 5 }); // the head signed at frame 4
    expect(early.signedHead.treeSize).toBe(5);
    expect(verifyInclusion(early, { record: record(3), trust })).toBe(true);
  });

  it('attack: relabelled index, size, head, header or path; another record; an untrusted key — all false', async () => {
    const r = await signedLog(9);
    const p = await proveInclusion(r, 5);
    const ok = { record: record(5), trust };
    const other = await proveInclusion(r, 6);
    const earlier = await proveInclusion(r, 3, { treeSize: 5 });
    const variants: [string, unknown][] = [
      ['index relabelled', { ...p, index: 6 }],
      ['index = size', { ...p, index: p.treeSize }],
      ['size relabelled', { ...p, treeSize: 10 }],
      ['size relabelled, signed head too', { ...p, treeSize: 10, signedHead: { ...p.signedHead, treeSize: 10 } }],
      ['size 0', { ...p, index: 0, treeSize: 0, signedHead: { ...p.signedHead, treeSize: 0 } }],
      ['head of another size', { ...p, signedHead: { ...p.signedHead, head: earlier.signedHead.head } }],
      ['signed head of another size', { ...p, signedHead: earlier.signedHead }],
      ['another frame\'s header', { ...p, header: other.header }],
      ['another frame\'s path', { ...p, path: other.path }],
      ['path shortened', { ...p, path: p.path.slice(1) }],
      ['signature of mallory', { ...p, signedHead: { ...p.signedHead, kid: mallory.kid } }],
      ['no signed head', { ...p, signedHead: undefined }],
      ['not a proof', 'hello'],
      ['null', null],
    ];
    expect(verifyInclusion(p, ok)).toBe(true);
    for (const [what, v] of variants) expect(verifyInclusion(v, ok), what).toBe(false);
    expect(verifyInclusion(p, { record: record(6), trust }), 'another record').toBe(false);
    expect(verifyInclusion(p, { record: record(5), payloadDigest: payloadDigest(record(6)), trust }), 'record and digest disagree').toBe(false);
    expect(verifyInclusion(p, { record: record(5), trust: [mallory.publicKey] }), 'untrusted key').toBe(false);
    // What the caller must bring is never defaulted from the proof.
    expect(() => verifyInclusion(p, { trust })).toThrow(expect.objectContaining({ code: 'DARE_BAD_ARGUMENT' }));
    expect(() => verifyInclusion(p, { record: record(5), trust: [] })).toThrow(expect.objectContaining({ code: 'DARE_BAD_ARGUMENT' }));
    // A proof signed by mallory over his own log of the same records does not pass for alice's.
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle', signer: mallory });
    for (let i = 1; i <= 9; i++) w.append(record(i));
    await w.close();
    const forged = await proveInclusion(await SequenceReader.open(MemoryStore.fromBytes(store.bytes())), 5);
    expect(verifyInclusion(forged, ok)).toBe(false);
  });

  it('attack: a size relabelling the RFC check alone accepts (0 of 3 as 0 of 4) fails on the signed size', async () => {
    const r = await signedLog(1); // frames 0, 1 and the signed meta frame: a head of 3 frames
    const p = await proveInclusion(r, 0);
    expect(p.treeSize).toBe(3);
    const head = base64urlDecode(p.signedHead.head);
    const path = p.path.map((x) => base64urlDecode(x));
    const leaf = frameLeafHash(headerDigest(base64urlDecode(p.header)), payloadDigest(new Uint8Array(0)));
    expect(verifyMerkleInclusion({ index: 0, treeSize: 3, path }, leaf, head)).toBe(true);
    expect(verifyMerkleInclusion({ index: 0, treeSize: 4, path }, leaf, head)).toBe(true); // the path alone does not fix the size
    expect(verifyInclusion(p, { record: new Uint8Array(0), trust })).toBe(true);
    expect(verifyInclusion({ ...p, treeSize: 4, signedHead: { ...p.signedHead, treeSize: 4 } }, { record: new Uint8Array(0), trust })).toBe(false);
  });

  it('no proof without a signed head covering the frame', async () => {
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle' });
    w.append(record(1));
    await w.close();
    await expect(proveInclusion(await SequenceReader.open(store.reopen()), 1)).rejects.toMatchObject({ code: 'DARE_NOT_TRUSTED' });
    const r = await signedLog(6); // heads at 4 and 7
    await expect(proveInclusion(r, 3, { treeSize: 6 })).rejects.toMatchObject({ code: 'DARE_NOT_TRUSTED' });
    await expect(proveInclusion(r, 5, { treeSize: 5 })).rejects.toBeInstanceOf(SequenceError);
  });

  it('attack: a last head whose signature does not verify is never proved against; the last head that verifies is', async () => {
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle', signer: alice, signEvery: 4 });
    for (let i = 1; i <= 6; i++) w.append(record(i));
    await w.close(); // heads signed at frame 4 (5 frames) and at frame 7, the meta frame written on close (8 frames)
    // Damage the last head's signature in place (same length: the frames still scan, the tree is intact).
    const bytes = store.bytes();
    const text = Buffer.from(bytes).toString('latin1');
    const at = text.lastIndexOf('"signature":"') + '"signature":"'.length + 10;
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
    const r = await SequenceReader.open(MemoryStore.fromBytes(bytes));
    for (const options of [{}, { trust: [alice.publicKey] }]) {
      const p = await proveInclusion(r, 3, options);
      expect(p.signedHead.treeSize, 'the head signed at frame 4, not the damaged one at frame 7').toBe(5);
      expect(verifyInclusion(p, { record: record(3), trust: [alice.publicKey] })).toBe(true);
    }
    // Frame 5 is covered only by the damaged head: no proof rather than one that fails.
    await expect(proveInclusion(r, 5)).rejects.toMatchObject({ code: 'DARE_NOT_TRUSTED' });
    await expect(proveInclusion(r, 3, { treeSize: 8 })).rejects.toMatchObject({ code: 'DARE_NOT_TRUSTED' });
    // Heads count only under the keys asked for: mallory's trust finds none.
    await expect(proveInclusion(r, 3, { trust: [mallory.publicKey] })).rejects.toMatchObject({ code: 'DARE_NOT_TRUSTED' });
    // The undamaged file proves frame 5 against the last head, as before.
    const intact = await proveInclusion(await SequenceReader.open(store.reopen()), 5);
    expect(intact.signedHead.treeSize).toBe(8);
    expect(verifyInclusion(intact, { record: record(5), trust: [alice.publicKey] })).toBe(true);
  });

  it('heads count only under the keys asked for: trust given, or the policy\'s own signer by default', async () => {
    const store = MemoryStore.create();
    const w = await SequenceWriter.create(store, { type: 'Merkle', signer: mallory });
    for (let i = 1; i <= 3; i++) w.append(record(i));
    await w.close();
    const r = await SequenceReader.open(store.reopen());
    await expect(proveInclusion(r, 2, { trust: [alice.publicKey] })).rejects.toMatchObject({ code: 'DARE_NOT_TRUSTED' });
    const own = await proveInclusion(r, 2); // the policy names mallory: his own proof, checkable by whoever trusts him
    expect(verifyInclusion(own, { record: record(2), trust: [mallory.publicKey] })).toBe(true);
    expect(verifyInclusion(own, { record: record(2), trust: [alice.publicKey] })).toBe(false);
  });

  it('encrypted logs: checked from the plaintext record; the disclosed key opens that frame only', async () => {
    const r = await signedLog(5, { encrypt: { recipients: [publicPart(x448)] } });
    const p: InclusionProofJson = await proveInclusion(r, 2);
    expect(p.frameKey).toBeDefined();
    expect(verifyInclusion(p, { record: record(2), trust })).toBe(true);
    expect(verifyInclusion(p, { record: record(3), trust })).toBe(false);
    expect(verifyInclusion(p, { payloadDigest: payloadDigest(record(2)), trust }), 'a plaintext digest cannot stand for a ciphertext leaf').toBe(false);
    expect(verifyInclusion({ ...p, frameKey: undefined }, { record: record(2), trust })).toBe(false);
    const key = base64urlDecode(p.frameKey!.key);
    const iv = base64urlDecode(p.frameKey!.iv);
    expect(aes256CbcDecrypt(key, iv, (await r.frame(2)).payload)).toEqual(record(2));
    const next = (await r.frame(3)).payload;
    let opened: Uint8Array | undefined;
    try {
      opened = aes256CbcDecrypt(key, iv, next);
    } catch {
      opened = undefined; // bad padding: the usual outcome under a wrong key
    }
    expect(opened).not.toEqual(record(3));
    const noKey = await SequenceReader.open(r.store);
    await expect(proveInclusion(noKey, 2)).rejects.toMatchObject({ code: 'DARE_NO_KEY' });
  });
});
