import { beforeAll, describe, expect, it } from 'vitest';
import { aes256CbcEncrypt, init } from '../sdk/crypto/index.js';
import { MemoryStore } from '../adapters/store/memory.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { deriveItemKeys } from '../sdk/dare/kdf.js';
import { base64urlDecode, base64urlEncode } from '../sdk/encoding/base64url.js';
import { writeJson } from '../sdk/encoding/json-writer.js';
import type { JsonObject } from '../sdk/encoding/json-value.js';
import { utf8Decode, utf8Encode } from '../sdk/encoding/utf8.js';
import {
  archiveEntryOf, ed448HeadSigner, headerDigest, payloadDigest, SequenceError, SequenceReader, SequenceWriter, verifySequence,
  type CreateOptions,
} from '../sdk/dare/sequence/index.js';
import { computePayloadMac, derivePayloadMacKey } from '../sdk/dare/payload-mac.js';
import { decodeFrames, rebuildFrames, type EditableFrame } from './support/sequence-rewrite.js';
import { seeded } from './support/random.js';

/**
 * Encrypted sequences (encryption.ts): keyed integrity before decryption, one error for every
 * decryption failure, no plaintext frames, hidden metadata, appends with public keys only, and
 * the policy kept on every append — each with the attack that would break it.
 */

const x448 = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 7 + 3) & 0xff));
const alice = ed448HeadSigner(Uint8Array.from({ length: 57 }, (_, i) => (i * 13 + 1) & 0xff));
const bob = ed448HeadSigner(Uint8Array.from({ length: 57 }, (_, i) => (i * 3 + 9) & 0xff));
const record = (i: number): Uint8Array => utf8Encode(`secret record ${i}: ${'s'.repeat(i * 9)}`);

beforeAll(async () => {
  await init();
});

async function build(n: number, options: Partial<CreateOptions> = {}): Promise<{ bytes: Uint8Array; store: MemoryStore }> {
  const store = MemoryStore.create();
  const w = await SequenceWriter.create(store, { type: 'Merkle', encrypt: { recipients: [publicPart(x448)] }, ...options });
  for (let i = 1; i <= n; i++) w.append(record(i), { contentMeta: { Filename: `name-${i}.txt`, Paths: [`hidden/path-${i}.txt`] } });
  await w.close();
  return { bytes: store.bytes(), store };
}

const open = (bytes: Uint8Array, allowUnauthenticated = false): Promise<SequenceReader> =>
  SequenceReader.open(MemoryStore.fromBytes(bytes), { keys: [x448], allowUnauthenticated });

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SequenceError) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: 'none', message: '' };
}

async function tamper(bytes: Uint8Array, edit: (frames: EditableFrame[]) => EditableFrame[] | void): Promise<Uint8Array> {
  const { type, frames } = await decodeFrames(bytes);
  return rebuildFrames(type, edit(frames) ?? frames);
}

describe('keyed integrity before decryption (PayloadMac)', () => {
  it('a frame\'s PayloadMac is the envelope layer\'s: HMAC-SHA-512 under the frame\'s mac key over (S512, PD, HD)', async () => {
    const replay = seeded(11);
    const { bytes } = await build(2, { encrypt: { recipients: [publicPart(x448)], random: seeded(11) } });
    const seed = replay(32);
    const { frames } = await decodeFrames(bytes);
    for (const f of frames.slice(0, 3)) {
      const key = derivePayloadMacKey(seed, base64urlDecode(String(f.header['Salt'])));
      const mac = computePayloadMac(key, { dig: 'S512', payloadDigest: payloadDigest(f.payload), headerDigest: headerDigest(utf8Encode(writeJson(f.header))) });
      expect(base64urlEncode(mac)).toBe(f.trailer!['PayloadMac']);
    }
  });

  it('every encrypted frame carries a PayloadMac, meta frames included', async () => {
    const { bytes } = await build(3, { signer: alice });
    const { frames } = await decodeFrames(bytes);
    for (const f of frames) {
      expect(f.header['enc']).toBe('A256CBC');
      expect(base64urlDecode(String(f.trailer!['PayloadMac'])).length).toBe(64);
    }
  });

  it('attack: a stripped MAC is refused before anything is decrypted; only the explicit opt-in reads it', async () => {
    const { bytes } = await build(3);
    const stripped = await tamper(bytes, (fs) => void delete fs[2]!.trailer!['PayloadMac']);
    const r = await open(stripped);
    const e = await codeOf(r.plaintext(2));
    expect(e.code).toBe('DARE_DECRYPT');
    expect(e.message).toMatch(/no PayloadMac/);
    expect(utf8Decode(await r.plaintext(1))).toBe(utf8Decode(record(1)));
    // Without a key, verify still sees it.
    const report = await verifySequence(await SequenceReader.open(MemoryStore.fromBytes(stripped)));
    expect(report.errors).toContainEqual(expect.objectContaining({ frame: 2, code: 'DARE_DECRYPT' }));
    expect(utf8Decode(await (await open(stripped, true)).plaintext(2))).toBe(utf8Decode(record(2)));
  });

  it('attack (CBC padding oracle): every changed ciphertext byte gives the same error, message and code', async () => {
    const { bytes } = await build(2);
    const { frames } = await decodeFrames(bytes);
    const ct = frames[1]!.payload;
    const seen = new Set<string>();
    for (let i = 0; i < ct.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const changed = await tamper(bytes, (fs) => void (fs[1]!.payload[i]! ^= bit));
        const e = await codeOf((await open(changed)).plaintext(1));
        seen.add(`${e.code}: ${e.message}`);
      }
    }
    // Stripping the MAC as well does not reach the padding either.
    const both = await tamper(bytes, (fs) => {
      fs[1]!.payload[ct.length - 1]! ^= 1;
      delete fs[1]!.trailer!['PayloadMac'];
    });
    expect((await codeOf((await open(both)).plaintext(1))).code).toBe('DARE_DECRYPT');
    expect([...seen]).toEqual(['DARE_DECRYPT: frame does not decrypt (wrong key, or the frame was changed) (frame 1)']);
  });

  it('a valid MAC over a ciphertext with bad padding fails exactly like a wrong MAC', async () => {
    const random = seeded(5);
    const replay = seeded(5);
    const { bytes } = await build(1, { encrypt: { recipients: [publicPart(x448)], random } });
    const seed = replay(32); // the writer's first draw is the base seed of frame 0's key exchange
    const plain = new Uint8Array(32); // byte 15 = 0: no valid PKCS#7 padding once cut to one block
    const forge = (cut: boolean) => tamper(bytes, (fs) => {
      const f = fs[1]!;
      const keys = deriveItemKeys(seed, base64urlDecode(String(f.header['Salt'])));
      const ct = aes256CbcEncrypt(keys.key, keys.iv, plain);
      f.payload = cut ? ct.subarray(0, 16) : ct;
      f.trailer!['PayloadMac'] = base64urlEncode(computePayloadMac(keys.mac, { dig: 'S512', payloadDigest: payloadDigest(f.payload), headerDigest: headerDigest(utf8Encode(writeJson(f.header))) }));
    });
    // The forged MAC is right: the uncut ciphertext decrypts, so the cut one fails on its padding.
    expect(await (await open(await forge(false))).plaintext(1)).toEqual(plain);
    const changed = await forge(true);
    const padding = await codeOf((await open(changed)).plaintext(1));
    const wrongMac = await codeOf((await open(await tamper(bytes, (fs) => void (fs[1]!.payload[0]! ^= 1)))).plaintext(1));
    expect(padding).toEqual(wrongMac);
    expect(padding.code).toBe('DARE_DECRYPT');
  });
});

describe('an encrypted sequence stays encrypted', () => {
  it('attack: a plaintext frame appended after an encrypted frame 0 is refused by readers, verify and writers', async () => {
    const { bytes } = await build(2);
    const injected = await tamper(bytes, (fs) => {
      const forged: EditableFrame = {
        header: { dig: 'S512', ContentMetaData: base64urlEncode(utf8Encode('{}')), SequenceInfo: { Index: fs.length, TreePosition: 0 } },
        payload: utf8Encode('transfer everything to mallory'),
        trailer: {},
      };
      return [...fs, forged];
    });
    const r = await open(injected);
    expect((await codeOf(r.plaintext(3))).code).toBe('DARE_NOT_ENCRYPTED');
    const report = await verifySequence(r);
    expect(report.errors).toContainEqual(expect.objectContaining({ frame: 3, code: 'DARE_NOT_ENCRYPTED' }));
    expect(report.intact).toBe(false);
    expect((await codeOf(SequenceWriter.open(MemoryStore.create(injected)))).code).toBe('DARE_NOT_ENCRYPTED');
    // Also in place of an encrypted frame.
    const replaced = await tamper(bytes, (fs) => {
      delete fs[1]!.header['enc'];
      delete fs[1]!.header['Salt'];
      delete fs[1]!.header['cloaked'];
      fs[1]!.payload = utf8Encode('plain');
    });
    expect((await codeOf((await open(replaced)).plaintext(1))).code).toBe('DARE_NOT_ENCRYPTED');
  });

  it('names, paths and times are encrypted (cloaked): not in the file, readable with the key only, covered by the MAC', async () => {
    const { bytes } = await build(2);
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).not.toMatch(/name-1|hidden\/path|Filename|Paths/);
    const { frames } = await decodeFrames(bytes);
    expect(frames[1]!.header['ContentMetaData']).toBeUndefined();
    expect(typeof frames[1]!.header['cloaked']).toBe('string');
    const r = await open(bytes);
    expect(archiveEntryOf(await r.contentMeta(1))?.path).toBe('hidden/path-1.txt');
    expect((await codeOf((await SequenceReader.open(MemoryStore.fromBytes(bytes))).contentMeta(1))).code).toBe('DARE_NO_KEY');
    const changed = await tamper(bytes, (fs) => {
      const c = base64urlDecode(String(fs[1]!.header['cloaked']));
      c[c.length - 3]! ^= 1;
      fs[1]!.header['cloaked'] = base64urlEncode(c);
    });
    expect((await codeOf((await open(changed)).contentMeta(1))).code).toBe('DARE_DECRYPT');
  });
});

describe('appending with public keys only; the policy is kept', () => {
  it('each writer session does its own key exchange to the policy\'s EncryptKeys (no private key), pointed to by ExchangePosition', async () => {
    const { store } = await build(2);
    for (let session = 0; session < 2; session++) {
      const w = await SequenceWriter.open(store.reopen(true)); // OpenOptions has no place for a private key
      w.append(record(10 + session));
      w.append(record(20 + session));
      await w.close();
    }
    const r = await open(store.bytes());
    expect(r.frameCount).toBe(7);
    const infos = [];
    for (let i = 1; i < 7; i++) {
      const f = await r.frame(i);
      infos.push([Array.isArray(f.header['recipients']), f.info.ExchangePosition ?? null]);
    }
    expect(infos).toEqual([[false, 0], [false, 0], [true, null], [false, 3], [true, null], [false, 5]]);
    expect(utf8Decode(await r.plaintext(6))).toBe(utf8Decode(record(21)));
    expect((await verifySequence(r)).intact).toBe(true);
  });

  it('a signed sequence needs its signer on every append; an unnamed signer is refused at write time', async () => {
    const { store } = await build(1, { signer: alice });
    expect((await codeOf(SequenceWriter.open(store.reopen(true)))).code).toBe('DARE_NO_KEY');
    const unnamed = await codeOf(SequenceWriter.open(store.reopen(true), { signer: bob }));
    expect(unnamed.code).toBe('DARE_POLICY');
    expect(unnamed.message).toContain(alice.kid);
    const w = await SequenceWriter.open(store.reopen(true), { signer: alice });
    w.append(record(9));
    await w.close();
    const report = await verifySequence(await open(store.bytes()), { trust: [alice.publicKey] });
    expect(report).toMatchObject({ valid: true, unsignedTail: 0 });
    // A sequence created unsigned cannot start signing with a key its policy does not name.
    const plain = await build(1);
    expect((await codeOf(SequenceWriter.open(plain.store.reopen(true), { signer: alice }))).code).toBe('DARE_POLICY');
  });

  it('attack: alice never signs over a prefix rewritten by someone else (the last signed head must verify under a policy key)', async () => {
    const { bytes } = await build(2, { signer: alice });
    const { bytes: mallorys } = await build(2, { signer: bob });
    const aliceFrames = (await decodeFrames(bytes)).frames;
    // Bob's file, with alice's policy in frame 0: the heads no longer match bob's signatures...
    const forged = await tamper(mallorys, (fs) => {
      fs[0]!.header['policy'] = aliceFrames[0]!.header['policy'] as JsonObject;
    });
    const e = await codeOf(SequenceWriter.open(MemoryStore.create(forged), { signer: alice }));
    expect(e.code).toBe('DARE_BAD_SIGNATURE');
  });
});

describe('hostile header values: typed errors, never a TypeError', () => {
  // Objects whose toString is not a function make String(value) and `${value}` throw TypeError.
  const HOSTILE: unknown[] = [{ toString: 1 }, { toString: 1, valueOf: 1 }, [], [{ toString: 1 }], JSON.parse('{"__proto__":{"toString":1}}'), 7, null, true];

  it('enc, dig and ContainerType: every reader path ends in a SequenceError', async () => {
    const { bytes } = await build(3);
    for (const value of HOSTILE) {
      const what = JSON.stringify(value);
      const { type, frames } = await decodeFrames(bytes);
      frames[2]!.header['enc'] = value as JsonObject;
      frames[3]!.header['dig'] = value as JsonObject;
      const r = await SequenceReader.open(MemoryStore.fromBytes(rebuildFrames(type, frames)), { keys: [x448] });
      expect((await codeOf(r.openFrame(2))).code, what).toBe('DARE_DECRYPT'); // codeOf rethrows anything but a SequenceError
      const report = await verifySequence(r);
      expect(report.intact, what).toBe(false);
      expect(report.errors.map((e) => e.frame), what).toEqual(expect.arrayContaining([2, 3]));

      const zero = await decodeFrames(bytes);
      (zero.frames[0]!.header['SequenceInfo'] as JsonObject)['ContainerType'] = value as JsonObject;
      const e = await codeOf(SequenceReader.open(MemoryStore.fromBytes(rebuildFrames('Merkle', zero.frames, false))));
      expect(e.code, what).toBe('DARE_BAD_TYPE');
    }
  });
});
