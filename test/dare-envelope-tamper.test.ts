import { ed448 as nobleEd448 } from '@noble/curves/ed448.js';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import {
  DareError, darePrivateKey, decodeEnvelope, encodeEnvelope, publicPart, serializeEnvelope, verifyEnvelope, type DareEnvelope,
  type DareEnvelopeFormat, type DecodedEnvelope,
} from '../sdk/dare/index.js';
import { base64urlEncode, bytesEqual, utf8Encode } from '../sdk/encoding/index.js';

/**
 * Tampering, graded by an oracle that is not the decoder: flip every byte of signed, encrypted and
 * signed+encrypted envelopes (two bit masks). Where each covered value sits in the serialized
 * bytes is found by searching for its encoding; that those bytes are the real covered values is
 * confirmed with @noble alone (SHA-512 of the payload bytes = PayloadDigest, and an independent
 * deterministic Ed448 signature over it = the signature found). Then:
 * - a flip inside a covered value (payload, PayloadDigest, PayloadMac, signature, ManifestSignature,
 *   witness, Salt, cipher and digest ids, ContentMetaData, annotations, EnvelopeId, the key
 *   exchange) must be refused with a typed DareError — never decoded;
 * - every flipped signature is also checked with @noble: it must not verify, and the decoder (and
 *   verifyEnvelope with the expected signer) must refuse it;
 * - a flip anywhere else must be refused or be provably harmless: the same payload, metadata and
 *   verdict as the untouched envelope.
 */

const seq = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff);
let counter = 1;
const random = (n: number) => Uint8Array.from({ length: n }, () => (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24);

const recipient = darePrivateKey('X448', seq(56, 3));
// A 57-byte RFC 8032 secret, so that @noble can sign independently (it refuses the Mesh's 56-byte seeds).
const signerSecret = seq(57, 9);
const signer = darePrivateKey('Ed448', signerSecret);
const payload = utf8Encode('Tamper-evident payload');

beforeAll(async () => {
  await init();
});

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

interface Range { name: string; start: number; end: number }

/** Every occurrence of `value`'s encoding in `bytes` (base64url text in JSON, raw bytes in JSON-B). */
function locate(bytes: Uint8Array, format: DareEnvelopeFormat, name: string, value: Uint8Array | string): Range[] {
  const needle = typeof value === 'string' ? utf8Encode(value) : format === 'jsonb' ? value : utf8Encode(base64urlEncode(value));
  const out: Range[] = [];
  for (let at = indexOfBytes(bytes, needle); at >= 0; at = indexOfBytes(bytes, needle, at + 1)) out.push({ name, start: at, end: at + needle.length });
  if (out.length === 0) throw new Error(`${name} not found in the serialized envelope`);
  return out;
}

/** The covered values of `env` and where they are in `bytes`, with the independent checks of what they are. */
function coveredRanges(env: DareEnvelope, bytes: Uint8Array, format: DareEnvelopeFormat): Range[] {
  const h = env.header;
  const t = env.trailer ?? {};
  const ranges: Range[] = [];
  const add = (name: string, v: Uint8Array | string | undefined) => {
    if (v !== undefined) ranges.push(...locate(bytes, format, name, v));
  };
  const pd = nobleSha512(env.payload);
  if (t.payloadDigest) expect(bytesEqual(t.payloadDigest, pd), 'PayloadDigest = SHA-512(payload), per @noble').toBe(true);
  for (const s of t.signatures ?? []) {
    expect(bytesEqual(s.signature, nobleEd448.sign(pd, signerSecret)), 'the signature is @noble\'s deterministic Ed448 over SHA-512(payload)').toBe(true);
    add('signature', s.signature);
    add('witness', s.witness);
    add('ManifestSignature', s.manifestSignature);
    add('signature alg', s.alg);
  }
  add('payload', env.payload);
  add('PayloadDigest', t.payloadDigest);
  add('PayloadMac', t.payloadMac);
  add('Salt', h.salt);
  add('enc', h.enc);
  add('dig', h.dig);
  add('ContentMetaData', h.contentMetaData);
  add('EnvelopeId', h.envelopeId);
  for (const a of h.annotations ?? []) add('annotation', a);
  for (const r of h.recipients ?? []) {
    add('wmk', r.wmk);
    // The agreement uses the first 56 bytes of a 57-byte X448 key; the last one (a sign flag) is
    // ignored (dare.md §4.1): the range stops before the bytes and characters that carry it.
    for (const e of r.epk ? locate(bytes, format, 'epk', r.epk.publicKey) : []) ranges.push({ ...e, end: e.end - (format === 'jsonb' ? 1 : 2) });
  }
  return ranges;
}

/** What a caller gets, with the header data wherever it is (to recognise a downgrade from signed to unsigned). */
const content = (d: DecodedEnvelope): string => {
  const m = d.signed.metadata ?? d.unsigned.metadata!;
  return JSON.stringify({ payload: base64urlEncode(d.payload), verdict: d.verdict, signedBy: d.signedBy.map((k) => k.kid), ...m, annotations: m.annotations.map(base64urlEncode) });
};

const summary = (d: DecodedEnvelope): string => JSON.stringify({
  payload: base64urlEncode(d.payload), verdict: d.verdict, signedBy: d.signedBy.map((k) => k.kid), headerSigned: d.headerSigned,
  signed: d.signed.metadata && { ...d.signed.metadata, annotations: d.signed.metadata.annotations.map(base64urlEncode) },
  unsigned: d.unsigned.metadata && { ...d.unsigned.metadata, annotations: d.unsigned.metadata.annotations.map(base64urlEncode) },
});

const cases: [string, DareEnvelopeFormat, boolean, boolean][] = [
  ['signed (JSON)', 'json', true, false],
  ['signed (JSON-B)', 'jsonb', true, false],
  ['encrypted (JSON)', 'json', false, true],
  ['signed+encrypted (JSON)', 'json', true, true],
  ['signed+encrypted (JSON-B)', 'jsonb', true, true],
];

describe('tampering: every byte flipped, graded by an independent oracle', () => {
  it.each(cases)('%s', (_name, format, signed, encrypted) => {
    const env = encodeEnvelope(payload, {
      random, contentType: 'text/x-tamper', envelopeId: 'urn:test:envelope-1', annotations: ['Subject: tamper'],
      ...(signed ? { signers: [signer] } : {}),
      ...(encrypted ? { recipients: [publicPart(recipient)] } : {}),
    });
    const bytes = serializeEnvelope(env, format);
    const options = { keys: [recipient], ...(signed ? { signers: [publicPart(signer)] } : {}) };
    const original = decodeEnvelope(bytes, options);
    const reference = summary(original);
    const ranges = coveredRanges(env, bytes, format);
    const coveredBy = (i: number) => ranges.find((r) => i >= r.start && i < r.end)?.name;
    // Damaging the name of the ManifestSignature member strips it: the header is then reported as
    // unsigned (a visible downgrade, same content). Anywhere else that is a failure.
    const manifestName = signed ? locate(bytes, format, 'member name', 'ManifestSignature') : [];
    const inManifestName = (i: number) => manifestName.some((r) => i >= r.start && i < r.end);
    const accepted: string[] = [];
    const changed: number[] = [];
    let downgraded = 0;
    let refused = 0;
    for (const mask of [0x01, 0x80]) {
      for (let i = 0; i < bytes.length; i++) {
        const t = bytes.slice();
        t[i]! ^= mask;
        const covered = coveredBy(i);
        let d: DecodedEnvelope | undefined;
        try {
          d = decodeEnvelope(t, options);
        } catch (e) {
          if (!(e instanceof DareError)) throw new Error(`flip at ${i}: untyped ${String(e)}`);
          refused++;
        }
        if (d !== undefined && covered !== undefined) accepted.push(`${covered}@${i}^${mask}`);
        else if (d !== undefined && summary(d) !== reference) {
          const downgrade = inManifestName(i) && !encrypted && !d.headerSigned && d.signed.metadata === undefined && content(d) === content(original);
          if (downgrade) downgraded++;
          else changed.push(i);
        }
      }
    }
    expect(accepted, 'flips of covered bytes that decoded').toEqual([]);
    expect(changed, 'flips elsewhere that changed what the decoder returned').toEqual([]);
    expect(refused).toBeGreaterThan(0);
    if (!signed || encrypted) expect(downgraded).toBe(0);
  });

  it('any changed signature byte: @noble rejects it, and so must verify and decode (plaintext and encrypted)', () => {
    for (const encrypted of [false, true]) {
      const env = encodeEnvelope(payload, { random, signers: [signer], ...(encrypted ? { recipients: [publicPart(recipient)] } : {}) });
      const s = env.trailer!.signatures![0]!;
      const pd = nobleSha512(env.payload);
      expect(nobleEd448.verify(s.signature, pd, signer.publicKey)).toBe(true);
      for (let i = 0; i < s.signature.length; i++) {
        for (const mask of [0x01, 0x80]) {
          const bad = s.signature.slice();
          bad[i]! ^= mask;
          let independent: boolean;
          try {
            independent = nobleEd448.verify(bad, pd, signer.publicKey);
          } catch {
            independent = false;
          }
          expect(independent, `@noble on byte ${i}`).toBe(false);
          const t: DareEnvelope = { ...env, trailer: { ...env.trailer!, signatures: [{ ...s, signature: bad }] } };
          const opts = { keys: [recipient], signers: [publicPart(signer)] };
          expect(() => verifyEnvelope(t, opts), `verify, byte ${i}`).toThrow(DareError);
          expect(() => decodeEnvelope(t, opts), `decode, byte ${i}`).toThrow(DareError);
        }
      }
    }
  });
});
