import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import { MemoryStore } from '../adapters/store/memory.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { base64urlDecode, base64urlEncode } from '../sdk/encoding/base64url.js';
import { utf8Encode } from '../sdk/encoding/utf8.js';
import type { JsonObject } from '../sdk/encoding/json-value.js';
import {
  ed448HeadSigner, SequenceReader, SequenceWriter, signedHeadMessage, verifySequence, verifySignedHead, type ContainerType,
  type CreateOptions, type VerifyReport,
} from '../sdk/dare/sequence/index.js';
import { decodeFrames, infoOf, rebuildFrames, renumber, type EditableFrame } from './support/sequence-rewrite.js';

/**
 * What `verifySequence` promises (verify.ts) and the attacks on each promise: a verdict of
 * `valid` means authentic against keys the caller trusts — never merely intact — and covers the
 * headers, order and number of frames, not just their payloads.
 */

const alice = ed448HeadSigner(Uint8Array.from({ length: 57 }, (_, i) => (i * 13 + 1) & 0xff));
const mallory = ed448HeadSigner(Uint8Array.from({ length: 57 }, (_, i) => (i * 5 + 77) & 0xff));
const x448 = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 7 + 3) & 0xff));
const record = (i: number): Uint8Array => utf8Encode(`record ${i}: ${'r'.repeat(i * 11)}`);
const meta = (i: number): JsonObject => ({ Filename: `file-${i}.txt`, Paths: [`dir/file-${i}.txt`] });

beforeAll(async () => {
  await init();
});

/** A sequence of `n` records (frame k holds record k and, for plaintext ones, content metadata). */
async function build(n: number, options: CreateOptions, close = true): Promise<Uint8Array> {
  const store = MemoryStore.create();
  const w = await SequenceWriter.create(store, options);
  for (let i = 1; i <= n; i++) w.append(record(i), { contentMeta: meta(i) });
  if (close) await w.close();
  else await w.flush();
  return store.bytes();
}

async function verify(bytes: Uint8Array, trust = [alice.publicKey], keys = false): Promise<VerifyReport> {
  return verifySequence(await SequenceReader.open(MemoryStore.fromBytes(bytes), keys ? { keys: [x448] } : {}), { trust });
}

/** Applies `edit` to the decoded frames and rebuilds the file with every unkeyed value recomputed. */
async function tamper(bytes: Uint8Array, edit: (frames: EditableFrame[]) => EditableFrame[] | void, recompute = true): Promise<Uint8Array> {
  const { type, frames } = await decodeFrames(bytes);
  return rebuildFrames(type, edit(frames) ?? frames, recompute);
}

describe('the attack harness', () => {
  it('decoding and rebuilding with recomputed values reproduces a file byte for byte (so attacks below change only what they say)', async () => {
    for (const options of [{ type: 'Merkle', signer: alice, signEvery: 3 }, { type: 'Chain', signer: alice }, { type: 'Merkle', signer: alice, encrypt: { recipients: [publicPart(x448)] } }] as CreateOptions[]) {
      const bytes = await build(7, options);
      expect(await tamper(bytes, () => undefined)).toEqual(bytes);
      expect((await verify(bytes, [alice.publicKey], options.encrypt !== undefined)).valid).toBe(true);
    }
  });
});

describe('authenticity needs a trust anchor', () => {
  it('without trusted keys: intact, never trusted or valid (the keys in frame 0 prove nothing)', async () => {
    const bytes = await build(4, { type: 'Merkle', signer: alice });
    const r = await verify(bytes, []);
    expect(r).toMatchObject({ intact: true, authenticityChecked: false, trusted: false, valid: false, signedThrough: null, unsignedTail: 6 });
  });

  it('attack: the whole file rewritten under mallory\'s key never verifies against alice', async () => {
    const original = await build(4, { type: 'Merkle', signer: alice });
    // Mallory rewrites it all: his own signer (policy included), the same records.
    const rewritten = await build(4, { type: 'Merkle', signer: mallory });
    expect(await verify(rewritten)).toMatchObject({ intact: true, trusted: false, valid: false });
    // ... and with alice's key named in the policy and alice's kid on his signatures.
    const alicePolicy = (await decodeFrames(original)).frames[0]!.header['policy'] as JsonObject;
    const forged = await tamper(rewritten, (frames) => {
      (frames[0]!.header['policy'] as JsonObject)['SignKeys'] = alicePolicy['SignKeys']!;
      for (const f of frames) for (const s of signaturesOf(f)) s['kid'] = alice.kid;
    });
    const r = await verify(forged);
    expect(r).toMatchObject({ trusted: false, valid: false });
    expect(r.signedHeads.every((h) => h.signature === 'invalid' && !h.trusted)).toBe(true);
    // Alice's real signatures copied onto mallory's content do not verify either.
    const aliceSigs = (await decodeFrames(original)).frames.map(signaturesOf);
    const copied = await tamper(rewritten, (frames) => {
      frames.forEach((f, i) => {
        if (f.trailer && aliceSigs[i]!.length) f.trailer['signatures'] = aliceSigs[i]!;
      });
    });
    expect((await verify(copied)).valid).toBe(false);
  });
});

describe('coverage: a signed head covers frames 0..n-1 and binds n', () => {
  it('signedThrough / unsignedTail; an unsigned tail fails unless allowed', async () => {
    const bytes = await build(10, { type: 'Merkle', signer: alice, signEvery: 4 }, false); // no close: frames 9, 10 unsigned
    const r = await verify(bytes);
    expect(r).toMatchObject({ intact: true, trusted: true, signedThrough: 8, unsignedTail: 2, valid: false });
    const live = await verifySequence(await SequenceReader.open(MemoryStore.fromBytes(bytes)), { trust: [alice.publicKey], allowUnsignedTail: true });
    expect(live.valid).toBe(true);
  });

  it('attack: a head signature relabelled with another size does not verify', async () => {
    const bytes = await build(6, { type: 'Merkle', signer: alice });
    const { frames } = await decodeFrames(bytes);
    const last = frames.length - 1;
    const sig = base64urlDecode(String(signaturesOf(frames[last]!)[0]!['signature']));
    const head = base64urlDecode(String(frames[last]!.trailer!['TreeDigest']));
    const signed = { typ: 'Tree' as const, treeSize: last + 1, head, kid: alice.kid, signature: sig };
    expect(verifySignedHead(signed, alice.publicKey)).toBe(true);
    for (const size of [last, last + 2, 1, 2 ** 31]) expect(verifySignedHead({ ...signed, treeSize: size }, alice.publicKey), `size ${size}`).toBe(false);
    expect(signedHeadMessage('Tree', 7, head)).not.toEqual(signedHeadMessage('Tree', 8, head));
    // In the file: the last signature moved onto an earlier frame (a shorter sequence claiming it).
    const moved = await tamper(bytes, (fs) => {
      const cut = fs.slice(0, 5);
      cut[4]!.trailer!['signatures'] = signaturesOf(fs[last]!);
      return cut;
    });
    const r = await verify(moved);
    expect(r).toMatchObject({ trusted: false, valid: false });
    expect(r.signedHeads[0]).toMatchObject({ frame: 4, treeSize: 5, signature: 'invalid' });
  });
});

describe('headers are covered', () => {
  const cases: [string, CreateOptions, (frames: EditableFrame[]) => void][] = [
    ['ContentMetaData (the archive path)', { type: 'Merkle', signer: alice }, (fs) => {
      fs[2]!.header['ContentMetaData'] = base64urlEncode(utf8Encode(JSON.stringify({ Paths: ['../../etc/evil'] })));
    }],
    ['SequenceInfo (IsMeta added)', { type: 'Merkle', signer: alice }, (fs) => void (infoOf(fs[2]!)['IsMeta'] = true)],
    ['SequenceInfo (a member added)', { type: 'Chain', signer: alice }, (fs) => void (infoOf(fs[3]!)['Default'] = true)],
    ['Salt of an encrypted frame', { type: 'Merkle', signer: alice, encrypt: { recipients: [publicPart(x448)] } }, (fs) => {
      fs[2]!.header['Salt'] = base64urlEncode(new Uint8Array(16).fill(7));
    }],
    ['a recipient entry', { type: 'Merkle', signer: alice, encrypt: { recipients: [publicPart(x448)] } }, (fs) => {
      const r = (fs[0]!.header['recipients'] as JsonObject[])[0]!;
      (fs[0]!.header['recipients'] as JsonObject[]).push({ ...r, kid: 'MAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA' });
    }],
    ['cloaked metadata of an encrypted frame', { type: 'Merkle', signer: alice, encrypt: { recipients: [publicPart(x448)] } }, (fs) => {
      const c = base64urlDecode(String(fs[2]!.header['cloaked']));
      c[c.length - 1]! ^= 1;
      fs[2]!.header['cloaked'] = base64urlEncode(c);
    }],
  ];
  for (const [what, options, edit] of cases) {
    it(`attack: a changed ${what} of a covered frame is detected, even with every unkeyed value recomputed`, async () => {
      const bytes = await build(5, options);
      const changed = await tamper(bytes, edit);
      expect(changed).not.toEqual(bytes);
      // Without a key, the recomputed file is intact — only the signed head can tell.
      const r = await verify(changed);
      expect(r.intact && r.trusted).toBe(false);
      expect(r.valid).toBe(false);
      expect(r.signedHeads.some((h) => h.signature === 'valid')).toBe(false);
      if (options.encrypt) expect((await verify(changed, [alice.publicKey], true)).valid).toBe(false);
    });
  }
});

describe('order and number of covered frames', () => {
  const edits: [string, (fs: EditableFrame[]) => EditableFrame[]][] = [
    ['reordered', (fs) => [fs[0]!, fs[1]!, fs[3]!, fs[2]!, ...fs.slice(4)]],
    ['duplicated', (fs) => [...fs.slice(0, 3), structuredClone(fs[2]!), ...fs.slice(3)]],
    ['dropped', (fs) => [...fs.slice(0, 2), ...fs.slice(3)]],
  ];
  for (const [what, edit] of edits) {
    it(`attack: a ${what} frame is detected, with or without renumbering and recomputing`, async () => {
      for (const type of ['Merkle', 'Chain'] as ContainerType[]) {
        const bytes = await build(6, { type, signer: alice });
        const raw = await tamper(bytes, edit, false);
        const rawReport = await verify(raw);
        expect(rawReport.valid, `${type} raw`).toBe(false);
        expect(rawReport.intact, `${type} raw`).toBe(false);
        const clean = await tamper(bytes, (fs) => renumber(edit(fs)));
        const r = await verify(clean);
        expect(r.valid, `${type} renumbered`).toBe(false);
        expect(r.trusted, `${type} renumbered`).toBe(false);
      }
    });
  }
});

describe('sequences without signed heads say so', () => {
  it('List, Digest and Tree: authenticated: false, never trusted, even with trusted keys', async () => {
    for (const type of ['List', 'Digest', 'Tree'] as ContainerType[]) {
      const bytes = await build(3, { type });
      expect(await verify(bytes)).toMatchObject({ authenticated: false, intact: true, trusted: false, valid: false });
    }
    await expect(build(1, { type: 'List', signer: alice })).rejects.toMatchObject({ code: 'DARE_BAD_ARGUMENT' });
  });
});

function signaturesOf(f: EditableFrame): JsonObject[] {
  const s = f.trailer?.['signatures'];
  return Array.isArray(s) ? (s as JsonObject[]) : [];
}

