import { ed448 as nobleEd448 } from '@noble/curves/ed448.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { getProvider, init } from '../sdk/crypto/index.js';
import {
  DareError, darePrivateKey, decodeEnvelope, encodeEnvelope, encodeEds, decodeEds, headerToObject, parseEnvelope, publicPart,
  serializeEnvelope, signDigest, verifyEnvelope, type DareEnvelopeFormat, type DarePrivateKey,
} from '../sdk/dare/index.js';
import { concatBytes, encodeJsonB, utf8Decode, utf8Encode } from '../sdk/encoding/index.js';

/** Round trips, bad input and safety of mathmesh/dare envelopes (issue 5; dare.md §2–§7). */

const seq = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start * 31 + i * 13) & 0xff);
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => Uint8Array.from({ length: n }, () => (s = (s * 1664525 + 1013904223) >>> 0) >>> 24);
}
const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof DareError) return e.code;
    throw e;
  }
  return 'no error';
};

const x448 = [1, 2, 3].map((i) => darePrivateKey('X448', seq(56, i)));
const x25519 = darePrivateKey('X25519', seq(32, 4));
const ed25519Enc = darePrivateKey('Ed25519', seq(32, 5));
const ed448Enc = darePrivateKey('Ed448', seq(56, 6));
const ed448Sign = [7, 8].map((i) => darePrivateKey('Ed448', seq(56, i)));
const ed25519Sign = darePrivateKey('Ed25519', seq(32, 9));

beforeAll(async () => {
  await init();
});

describe('round trips', () => {
  const formats: DareEnvelopeFormat[] = ['json', 'tagged', 'jsonb'];
  const shapes: [string, DarePrivateKey[], DarePrivateKey[], string[]][] = [
    ['plain', [], [], []],
    ['1 recipient', [x448[0]!], [], []],
    ['3 recipients, 2 signers, annotations', x448, ed448Sign, ['From: a', 'To: b', '']],
    ['every curve as recipient', [x448[0]!, x25519, ed25519Enc, ed448Enc], [ed25519Sign], ['note']],
    ['signed only, annotations', [], [ed448Sign[0]!, ed25519Sign], ['x']],
  ];
  for (const size of [0, 1, 15, 16, 17, 1000]) {
    it.each(shapes)(`%s — ${size}-byte payload`, (_n, recipients, signers, annotations) => {
      const payload = seq(size, size + 1);
      const env = encodeEnvelope(payload, {
        recipients: recipients.map(publicPart), signers, annotations, contentType: 'application/octet-stream', random: rng(size + 7),
      });
      for (const format of formats) {
        const bytes = serializeEnvelope(env, format);
        for (const key of recipients.length ? recipients : [undefined]) {
          const d = decodeEnvelope(bytes, { ...(key ? { keys: [key] } : {}), signers: signers.map(publicPart) });
          expect(d.payload).toEqual(payload);
          expect(d.signed.payload).toBe(d.payload);
          // Signed by our writer: the header is signed too, so it is found under `signed` only.
          const metadata = signers.length ? d.signed.metadata! : d.unsigned.metadata!;
          expect(signers.length ? d.unsigned.metadata : d.signed.metadata).toBeUndefined();
          expect(metadata.annotations.map(utf8Decode)).toEqual(annotations);
          expect(metadata.contentMeta).toEqual({ cty: 'application/octet-stream' });
          expect(metadata.contentType).toBe('application/octet-stream');
          expect(d.signedBy.map((k) => k.kid)).toEqual(signers.map((s) => s.kid));
          expect(d.verdict).toBe(signers.length ? 'authentic' : 'no-signer-checked');
          expect(d.authentic).toBe(signers.length > 0);
          expect(d.integrity).toBe(signers.length ? 'signature' : recipients.length ? 'mac' : 'none');
          expect(d.mac).toBe(recipients.length ? 'valid' : 'absent');
          expect(d.recipients).toEqual(recipients.map((r) => r.kid));
          expect(d.encrypted).toBe(recipients.length > 0);
          if (recipients.length) expect(d.signatures.every((s) => s.witness === 'valid')).toBe(true);
        }
      }
    });
  }

  it('the ciphertext has PKCS#7 length and the digest covers it; encrypted envelopes carry a digest and a MAC by default', () => {
    const env = encodeEnvelope(seq(53, 1), { recipients: [publicPart(x448[0]!)], random: rng(1) });
    expect(env.payload.length).toBe(64);
    expect(env.header.dig).toBe('S512');
    expect(env.header.enc).toBe('A256CBC-HS512');
    expect(env.trailer?.payloadDigest).toEqual(getProvider('pure').sha512(env.payload));
    expect(env.trailer?.payloadMac?.length).toBe(64);
    expect(encodeEnvelope(seq(53, 1), { recipients: [publicPart(x448[0]!)], random: rng(1), digest: false }).trailer).toEqual({ payloadMac: expect.any(Uint8Array) });
    const ref = encodeEnvelope(seq(53, 1), { recipients: [publicPart(x448[0]!)], random: rng(1), digest: false, referenceForm: true });
    expect(ref.trailer).toBeUndefined();
    expect(ref.header.enc).toBe('A256CBC');
  });

  it('header fields are written in the reference order', () => {
    const env = encodeEnvelope('x', { recipients: [publicPart(x448[0]!)], signers: [ed448Sign[0]!], annotations: ['a'], contentType: 't', envelopeId: 'id', random: rng(2) });
    expect(Object.keys(headerToObject(env.header))).toEqual(['EnvelopeId', 'enc', 'dig', 'kid', 'Salt', 'annotations', 'recipients', 'ContentMetaData']);
    expect(Object.keys(headerToObject(env.trailer!))).toEqual(['signatures', 'PayloadDigest', 'PayloadMac']);
    const entry = (headerToObject(env.trailer!)['signatures'] as Record<string, unknown>[])[0]!;
    expect(Object.keys(entry).filter((k) => entry[k] !== undefined)).toEqual(['alg', 'kid', 'signature', 'witness', 'ManifestSignature']);
  });

  it('wasm and pure providers produce the same bytes with the same randomness, and read each other', () => {
    const opts = (p: 'wasm' | 'pure') => ({ recipients: [publicPart(x448[0]!)], signers: [ed448Sign[0]!], random: rng(3), provider: getProvider(p) });
    const a = serializeEnvelope(encodeEnvelope('same', opts('wasm')), 'jsonb');
    const b = serializeEnvelope(encodeEnvelope('same', opts('pure')), 'jsonb');
    expect(a).toEqual(b);
    const d = decodeEnvelope(a, { keys: [x448[0]!], signers: [publicPart(ed448Sign[0]!)], provider: getProvider('pure') });
    expect(utf8Decode(d.payload)).toBe('same');
  });

  it('Ed448 with a 56-byte Mesh seed: RFC 8032 nonce from SHAKE256(seed)[57..113], verifies with @noble', () => {
    const digest = seq(64, 11);
    const signer = ed448Sign[0]!;
    const sig = signDigest(signer, digest);
    expect(nobleEd448.verify(sig, digest, signer.publicKey)).toBe(true);
    const h = shake256(signer.privateKey, { dkLen: 114 });
    const dom = concatBytes(utf8Encode('SigEd448'), Uint8Array.of(0, 0));
    const r = shake256(concatBytes(dom, h.subarray(57), digest), { dkLen: 114 });
    let n = 0n;
    for (let i = r.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(r[i]!);
    const R = nobleEd448.Point.BASE.multiply(n % nobleEd448.Point.Fn.ORDER).toBytes();
    expect(sig.subarray(0, 57)).toEqual(R);
    expect(signDigest(signer, digest, getProvider('pure'))).toEqual(sig);
  });

  it('encrypted annotations with A256CBC-HS512 carry a MAC that detects tampering', () => {
    const env = encodeEnvelope('p', { recipients: [publicPart(x448[0]!)], annotations: ['Subject: s'], enc: 'A256CBC-HS512', random: rng(4) });
    const eds = env.header.annotations![0]!;
    expect(utf8Decode(decodeEnvelope(env, { keys: [x448[0]!] }).unsigned.metadata!.annotations[0]!)).toBe('Subject: s');
    for (let i = 3; i < eds.length; i++) {
      const t = eds.slice();
      t[i]! ^= 1;
      const bad = { ...env, header: { ...env.header, annotations: [t] } };
      expect(code(() => decodeEnvelope(bad, { keys: [x448[0]!] }))).toBe('DARE_DECRYPT_FAILED');
    }
  });

  it('EDS with more than 255 annotations is refused rather than written the reference\'s buggy way', () => {
    expect(code(() => encodeEnvelope('p', { annotations: Array.from({ length: 256 }, () => 'a') }))).toBe('DARE_BAD_ARGUMENT');
    expect(decodeEds(encodeEds(Uint8Array.of(7), utf8Encode('b'))).prefix).toEqual(Uint8Array.of(7));
  });
});

describe('bad input and safety', () => {
  const signed = encodeEnvelope('payload', { recipients: [publicPart(x448[0]!), publicPart(x448[1]!)], signers: [ed448Sign[0]!], random: rng(5) });
  const json = serializeEnvelope(signed, 'json');
  const jsonb = serializeEnvelope(signed, 'jsonb');

  it('a wrong key: DARE_NO_KEY listing every recipient kid, and no private key material in the message', () => {
    let err: DareError | undefined;
    try {
      decodeEnvelope(json, { keys: [x448[2]!, x25519] });
    } catch (e) {
      err = e as DareError;
    }
    expect(err).toBeInstanceOf(DareError);
    expect(err!.code).toBe('DARE_NO_KEY');
    expect(err!.recipients).toEqual([x448[0]!.kid, x448[1]!.kid]);
    expect(err!.message).toContain(x448[0]!.kid);
    expect(err!.message).toContain(x448[1]!.kid);
    expect(code(() => decodeEnvelope(json))).toBe('DARE_NO_KEY');
    const secrets = [x448[2]!, x25519, x448[0]!].flatMap((k) => [Buffer.from(k.privateKey).toString('hex'), Buffer.from(k.privateKey).toString('base64url')]);
    for (const s of secrets) expect(`${err!.message} ${String(err!.stack)}`).not.toContain(s);
  });

  it('a key resolver by kid opens the envelope', () => {
    const d = decodeEnvelope(jsonb, { keyResolver: (kid) => (kid === x448[1]!.kid ? x448[1] : undefined), signerResolver: () => publicPart(ed448Sign[0]!) });
    expect(utf8Decode(d.payload)).toBe('payload');
    expect(d.recipient?.kid).toBe(x448[1]!.kid);
  });

  it('truncated input at every length: DARE_TRUNCATED (or a typed format error)', () => {
    for (const whole of [json, jsonb]) {
      for (let n = 0; n < whole.length; n++) {
        const c = code(() => decodeEnvelope(whole.subarray(0, n), { keys: [x448[0]!] }));
        expect(['DARE_TRUNCATED', 'DARE_BAD_FORMAT', 'DARE_BAD_DIGEST']).toContain(c);
      }
    }
    expect(code(() => decodeEnvelope(json.subarray(0, json.length - 1)))).toBe('DARE_TRUNCATED');
    expect(code(() => decodeEnvelope(jsonb.subarray(0, 40)))).toBe('DARE_TRUNCATED');
    expect(code(() => decodeEnvelope('[{}]'))).toBe('DARE_TRUNCATED');
  });

  it('unknown algorithm identifiers: DARE_UNKNOWN_ALGORITHM', () => {
    const text = new TextDecoder().decode(json);
    for (const [from, to] of [['"enc":"A256CBC-HS512"', '"enc":"A256GCM"'], ['"dig":"S512"', '"dig":"S384"'], ['"alg":"S512"', '"alg":"RS256"'], ['"crv":"X448"', '"crv":"P256"']]) {
      expect(text).toContain(from);
      expect(code(() => decodeEnvelope(text.replace(from, to), { keys: [x448[0]!] }))).toBe('DARE_UNKNOWN_ALGORITHM');
    }
    expect(code(() => encodeEnvelope('x', { recipients: [publicPart(x448[0]!)], enc: 'A128CBC' as never }))).toBe('DARE_UNKNOWN_ALGORITHM');
  });

  it('declared lengths larger than the input are refused before allocation', () => {
    // 5B 7B 7D 8B <2^62 length>: an 8-byte length field claiming far more than the input holds.
    const huge = Uint8Array.of(0x5b, 0x7b, 0x7d, 0x8b, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0x5d);
    expect(code(() => parseEnvelope(huge))).toBe('DARE_TRUNCATED');
    const mid = Uint8Array.of(0x5b, 0x7b, 0x7d, 0x8a, 0x7f, 0xff, 0xff, 0xff, 1, 2, 0x5d);
    expect(code(() => parseEnvelope(mid))).toBe('DARE_TRUNCATED');
    // Same inside an annotation EDS.
    const env = encodeEnvelope('p', { annotations: ['a'] });
    env.header.annotations = [Uint8Array.of(0x88, 0x01, 0x00, 0x8b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)];
    expect(code(() => decodeEnvelope(serializeEnvelope(env, 'jsonb')))).toBe('DARE_BAD_ANNOTATION');
  });

  it('JSON-B and JSON nesting deeper than the limit: DARE_TOO_DEEP', () => {
    const deep = (n: number) => concatBytes(Uint8Array.of(0x5b, 0x7b, 0xb4, 0x01, 0x78), new Uint8Array(n).fill(0x5b), new Uint8Array(n).fill(0x5d), Uint8Array.of(0x7d, 0x88, 0x00, 0x5d));
    expect(code(() => parseEnvelope(deep(10)))).toBe('no error');
    expect(code(() => parseEnvelope(deep(100)))).toBe('DARE_TOO_DEEP');
    expect(code(() => parseEnvelope(deep(100000)))).toBe('DARE_TOO_DEEP');
    expect(code(() => parseEnvelope(`[{"x":${'['.repeat(5000)}${']'.repeat(5000)}},""]`))).toBe('DARE_TOO_DEEP');
  });

  it('malformed structure: typed DARE_BAD_FORMAT', () => {
    for (const bad of ['{}', '[]', '[1,""]', '[{},5]', '[{},"***"]', '[{},"",{},{}]', '[{"recipients":{}},""]', '[{"Salt":"AA"},""]', 'null', '"x"']) {
      expect(['DARE_BAD_FORMAT', 'DARE_TRUNCATED'], bad).toContain(code(() => decodeEnvelope(bad)));
    }
    expect(code(() => parseEnvelope(encodeJsonB([{}, new Uint8Array(1), {}, {}])))).toBe('DARE_BAD_FORMAT');
  });

  it('verify without decrypting reports digest, signatures and recipients; tampering is reported, not thrown', () => {
    const r = verifyEnvelope(json, { signers: [publicPart(ed448Sign[0]!)] });
    expect(r).toMatchObject({
      encrypted: true, enc: 'A256CBC-HS512', dig: 'S512', digestStatus: 'valid', mac: 'unchecked', recipients: [x448[0]!.kid, x448[1]!.kid],
      verdict: 'authentic', authentic: true, headerSigned: true, integrity: 'signature',
    });
    expect(r.signatures.map((s) => [s.status, s.manifest, s.witness])).toEqual([['valid', 'valid', 'unchecked']]);
    const t = { ...signed, payload: signed.payload.slice() };
    t.payload[0]! ^= 1;
    // No expected signer: a report, and it says nobody was checked.
    const report = verifyEnvelope(t, { signerResolver: () => publicPart(ed448Sign[0]!) });
    expect(report).toMatchObject({ digestStatus: 'invalid', verdict: 'no-signer-checked', authentic: false });
    expect(report.signatures[0]!.status).toBe('invalid');
    // Expected signers: a typed error, as in decode.
    expect(code(() => verifyEnvelope(t, { signers: [publicPart(ed448Sign[0]!)] }))).toBe('DARE_BAD_DIGEST');
    expect(code(() => decodeEnvelope(t, { keys: [x448[0]!] }))).toBe('DARE_BAD_DIGEST');
  });

  it('a required signature: unsigned → DARE_NOT_SIGNED, unknown signer → DARE_UNKNOWN_SIGNER, bad one → DARE_BAD_SIGNATURE', () => {
    expect(code(() => decodeEnvelope(serializeEnvelope(encodeEnvelope('x')), { requireSignature: true }))).toBe('DARE_NOT_SIGNED');
    expect(code(() => decodeEnvelope(json, { keys: [x448[0]!], requireSignature: true }))).toBe('DARE_UNKNOWN_SIGNER');
    const forged = { ...signed, trailer: { ...signed.trailer!, signatures: [{ ...signed.trailer!.signatures![0]!, signature: signDigest(ed448Sign[1]!, seq(64, 1)) }] } };
    expect(code(() => decodeEnvelope(forged, { keys: [x448[0]!], signers: [publicPart(ed448Sign[0]!)] }))).toBe('DARE_BAD_SIGNATURE');
  });

  it('a substituted witness or Salt is detected (the witness and the MAC bind the Salt): one error code', () => {
    const s = signed.trailer!.signatures![0]!;
    const w = { ...signed, trailer: { ...signed.trailer!, signatures: [{ ...s, witness: seq(32, 2) }] } };
    expect(code(() => decodeEnvelope(w, { keys: [x448[0]!] }))).toBe('DARE_DECRYPT_FAILED');
    const salted = { ...signed, header: { ...signed.header, salt: seq(16, 3) } };
    expect(code(() => decodeEnvelope(salted, { keys: [x448[0]!] }))).toBe('DARE_DECRYPT_FAILED');
  });

  it('small-order and off-curve ephemeral keys are refused (typed), not used', () => {
    const env = encodeEnvelope('x', { recipients: [publicPart(x448[0]!)], random: rng(9) });
    const r0 = env.header.recipients![0]!;
    for (const epk of [new Uint8Array(57), Uint8Array.of(1, ...new Uint8Array(56)), new Uint8Array(57).fill(0xff)]) {
      const bad = { ...env, header: { ...env.header, recipients: [{ ...r0, epk: { crv: 'X448' as const, publicKey: epk } }] } };
      expect(code(() => decodeEnvelope(bad, { keys: [x448[0]!] }))).toBe('DARE_NO_KEY');
    }
  });
});
