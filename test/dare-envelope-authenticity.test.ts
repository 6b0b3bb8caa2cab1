import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import {
  DareError, HEADER_DIGEST_MEMBERS, computePayloadMac, darePrivateKey, decodeEnvelope, deriveItemKeys, derivePayloadMacKey, encodeEnvelope,
  headerDigest, headerToObject, manifestBytes, payloadMacMessage, publicPart, routedCrypto, serializeEnvelope, signDigest, verifyEnvelope,
  verifyPayloadMac, witness, wrapBaseSeed, type DareEnvelope, type DareSignature, type DecodeOptions,
} from '../sdk/dare/index.js';
import { encodeContentMeta } from '../sdk/dare/content-meta.js';
import { bytesEqual, utf8Decode, utf8Encode } from '../sdk/encoding/index.js';
import { errorCodeOf, seeded } from './support/random.js';

/**
 * What a verdict promises (dare.md §5; envelope-verify.ts): expected signers are required, not
 * decorative; the witness and the ManifestSignature bind a signature to the key exchange, so an
 * outsider re-wrapping a signed ciphertext is caught; the header is signed where our writer can
 * sign it, and results keep signed and unsigned data apart.
 */

const key = (alg: 'X448' | 'Ed448', n: number) => darePrivateKey(alg, seeded(n)(56));
const bobEnc = key('X448', 1);
const carolEnc = key('X448', 2);
const alice = key('Ed448', 3);
const bob = key('Ed448', 4);
const mallory = key('Ed448', 5);
const random = seeded(99);
const code = (f: () => unknown) => errorCodeOf(DareError, f);

beforeAll(async () => {
  await init();
});

const withSignature = (env: DareEnvelope, s: DareSignature): DareEnvelope => ({ ...env, trailer: { ...env.trailer!, signatures: [s] } });

describe('expected signers are required', () => {
  const unsignedPlain = serializeEnvelope(encodeEnvelope('hello', { random }));
  const unsignedEncrypted = serializeEnvelope(encodeEnvelope('hello', { recipients: [publicPart(bobEnc)], random }));
  const byBob = serializeEnvelope(encodeEnvelope('hello', { signers: [bob], random }));
  const byBobEncrypted = serializeEnvelope(encodeEnvelope('hello', { recipients: [publicPart(bobEnc)], signers: [bob], random }));

  it('an unsigned envelope with signers: [alice] is DARE_NOT_SIGNED, in decode and in verify, plaintext and encrypted', () => {
    for (const bytes of [unsignedPlain, unsignedEncrypted]) {
      expect(code(() => decodeEnvelope(bytes, { keys: [bobEnc], signers: [publicPart(alice)] }))).toBe('DARE_NOT_SIGNED');
      expect(code(() => verifyEnvelope(bytes, { signers: [publicPart(alice)] }))).toBe('DARE_NOT_SIGNED');
    }
  });

  it('an envelope signed by someone else is DARE_UNKNOWN_SIGNER, never a success', () => {
    for (const bytes of [byBob, byBobEncrypted]) {
      expect(code(() => decodeEnvelope(bytes, { keys: [bobEnc], signers: [publicPart(alice)] }))).toBe('DARE_UNKNOWN_SIGNER');
      expect(code(() => verifyEnvelope(bytes, { signers: [publicPart(alice)] }))).toBe('DARE_UNKNOWN_SIGNER');
    }
  });

  it('each named signer must sign: two expected, one signed → DARE_UNKNOWN_SIGNER; both signed → authentic', () => {
    expect(code(() => decodeEnvelope(byBob, { signers: [publicPart(bob), publicPart(alice)] }))).toBe('DARE_UNKNOWN_SIGNER');
    const both = encodeEnvelope('hello', { signers: [alice, bob], random });
    const d = decodeEnvelope(both, { signers: [publicPart(bob), publicPart(alice)] });
    expect(d).toMatchObject({ verdict: 'authentic', authentic: true, headerSigned: true });
    expect(d.signedBy.map((k) => k.kid).sort()).toEqual([alice.kid, bob.kid].sort());
  });

  it("a signature under alice's kid that does not verify is DARE_BAD_SIGNATURE", () => {
    const env = encodeEnvelope('hello', { signers: [alice], random });
    const s = env.trailer!.signatures![0]!;
    const forged = withSignature(env, { ...s, signature: signDigest(mallory, env.trailer!.payloadDigest!) });
    expect(code(() => decodeEnvelope(forged, { signers: [publicPart(alice)] }))).toBe('DARE_BAD_SIGNATURE');
    expect(code(() => verifyEnvelope(forged, { signers: [publicPart(alice)] }))).toBe('DARE_BAD_SIGNATURE');
  });

  it('without expected signers nothing is authentic: verdict no-signer-checked, even for a signed envelope', () => {
    for (const bytes of [byBob, byBobEncrypted, unsignedPlain]) {
      const d = decodeEnvelope(bytes, { keys: [bobEnc] });
      expect(d).toMatchObject({ verdict: 'no-signer-checked', authentic: false, signedBy: [], headerSigned: false });
      expect(d.signed.metadata).toBeUndefined();
      expect(verifyEnvelope(bytes)).toMatchObject({ verdict: 'no-signer-checked', authentic: false });
    }
  });

  it('a resolver is a trust store: authentic when it knows the signer; requireSignature with an unknown one fails', () => {
    const resolver = (kid: string) => (kid === bob.kid ? publicPart(bob) : undefined);
    expect(decodeEnvelope(byBob, { signerResolver: resolver })).toMatchObject({ verdict: 'authentic', signedBy: [publicPart(bob)] });
    const byAlice = encodeEnvelope('x', { signers: [alice], random });
    expect(code(() => decodeEnvelope(byAlice, { signerResolver: resolver, requireSignature: true }))).toBe('DARE_UNKNOWN_SIGNER');
    expect(code(() => decodeEnvelope(unsignedPlain, { signerResolver: resolver, requireSignature: true }))).toBe('DARE_NOT_SIGNED');
  });
});

describe('the key exchange is bound to the signer (witness and ManifestSignature)', () => {
  const original = encodeEnvelope('pay Bob 10', { recipients: [publicPart(bobEnc)], signers: [alice], random });
  const s = original.trailer!.signatures![0]!;
  const salt = original.header.salt!;
  const expectAlice: DecodeOptions = { keys: [carolEnc], signers: [publicPart(alice)] };

  /** Mallory cannot read the ciphertext; she wraps a base seed of her own for Carol and keeps Alice's signature. */
  function rewrap(env: DareEnvelope, seed: Uint8Array): DareEnvelope {
    return { ...env, header: { ...env.header, recipients: [wrapBaseSeed(publicPart(carolEnc), seed, random)] } };
  }

  /** She grinds base seeds offline until the CBC padding under hers happens to be valid: only keyed checks can catch her then. */
  function grindSeed(env: DareEnvelope): Uint8Array {
    for (;;) {
      const seed = random(32);
      const k = deriveItemKeys(seed, env.header.salt!);
      try {
        routedCrypto.aes256CbcDecrypt(k.key, k.iv, env.payload);
        return seed;
      } catch {
        // padding invalid under this seed: try another
      }
    }
  }

  it('re-wrapping for a new recipient under a new base seed, fresh witness, old MAC: DARE_DECRYPT_FAILED', () => {
    const seed = grindSeed(original);
    const forged = withSignature(rewrap(original, seed), { ...s, witness: witness(seed, salt, s.signature) });
    expect(code(() => decodeEnvelope(forged, expectAlice))).toBe('DARE_DECRYPT_FAILED');
  });

  it('… with a PayloadMac recomputed under the new seed: the signed manifest no longer matches (DARE_BAD_SIGNATURE)', () => {
    const seed = grindSeed(original);
    const env = rewrap(original, seed);
    const payloadMac = computePayloadMac(derivePayloadMacKey(seed, salt), {
      dig: 'S512', payloadDigest: original.trailer!.payloadDigest!, headerDigest: headerDigest(env.header, 'S512'),
    });
    const forged: DareEnvelope = { ...env, trailer: { ...env.trailer!, payloadMac, signatures: [{ ...s, witness: witness(seed, salt, s.signature) }] } };
    expect(code(() => decodeEnvelope(forged, expectAlice))).toBe('DARE_BAD_SIGNATURE');
    // … and with the ManifestSignature stripped as well, the signature is bound to nothing: refused.
    const { manifestSignature: _dropped, ...bare } = forged.trailer!.signatures![0]!;
    expect(code(() => decodeEnvelope(withSignature(forged, bare), expectAlice))).toBe('DARE_UNAUTHENTICATED');
  });

  it('the reference form cannot catch a re-wrap (its witness is recomputable): refused by default; under the opt-in never "authentic"', () => {
    const ref = encodeEnvelope('pay Bob 10', { recipients: [publicPart(bobEnc)], signers: [alice], random, referenceForm: true });
    const rs = ref.trailer!.signatures![0]!;
    const seed = grindSeed(ref);
    const forged = withSignature(rewrap(ref, seed), { ...rs, witness: witness(seed, ref.header.salt!, rs.signature) });
    expect(code(() => decodeEnvelope(forged, expectAlice))).toBe('DARE_UNAUTHENTICATED');
    const d = decodeEnvelope(forged, { ...expectAlice, allowUnauthenticated: true });
    expect(bytesEqual(d.payload, utf8Encode('pay Bob 10'))).toBe(false); // not what Alice encrypted
    expect(d).toMatchObject({ verdict: 'unbound-signatures', authentic: false });
  });

  it('an outsider claiming authorship of a ciphertext (re-signing it, manifest included) is caught by the mandatory witness', () => {
    const pd = original.trailer!.payloadDigest!;
    const m = manifestBytes({ dig: 'S512', payloadDigest: pd, headerDigest: headerDigest(original.header, 'S512'), payloadMac: original.trailer!.payloadMac });
    const claim: DareSignature = { alg: 'S512', kid: mallory.kid, signature: signDigest(mallory, pd), manifestSignature: signDigest(mallory, m) };
    const env = withSignature(original, claim);
    expect(code(() => decodeEnvelope(env, { keys: [bobEnc], signers: [publicPart(mallory)] }))).toBe('DARE_DECRYPT_FAILED');
    expect(code(() => decodeEnvelope(withSignature(original, { ...claim, witness: random(32) }), { keys: [bobEnc], signers: [publicPart(mallory)] })))
      .toBe('DARE_DECRYPT_FAILED');
  });

  it("stripping alice's witness from our own envelope: DARE_DECRYPT_FAILED (the witness is mandatory)", () => {
    const { witness: _w, ...bare } = s;
    expect(code(() => decodeEnvelope(withSignature(original, bare), { keys: [bobEnc], signers: [publicPart(alice)] }))).toBe('DARE_DECRYPT_FAILED');
  });
});

describe('signed and unsigned data are kept apart, and our writer signs the header', () => {
  const meta = { contentType: 'text/plain', envelopeId: 'urn:id:1', annotations: ['Subject: hi'] };

  it('signed by our writer: header data under signed.metadata only', () => {
    const d = decodeEnvelope(encodeEnvelope('body', { ...meta, signers: [alice], random }), { signers: [publicPart(alice)] });
    expect(d.headerSigned).toBe(true);
    expect(d.unsigned.metadata).toBeUndefined();
    expect(d.signed.metadata).toMatchObject({ contentType: 'text/plain', envelopeId: 'urn:id:1' });
    expect(d.signed.metadata!.annotations.map(utf8Decode)).toEqual(['Subject: hi']);
  });

  it('reference form: the payload is authentic, the header is not (unsigned.metadata)', () => {
    const d = decodeEnvelope(encodeEnvelope('body', { ...meta, signers: [alice], random, referenceForm: true }), { signers: [publicPart(alice)] });
    expect(d).toMatchObject({ verdict: 'authentic', headerSigned: false });
    expect(d.signed.metadata).toBeUndefined();
    expect(d.unsigned.metadata!.contentType).toBe('text/plain');
  });

  it('each covered header member is signed: changing it breaks the ManifestSignature (DARE_BAD_SIGNATURE)', () => {
    const env = encodeEnvelope('body', { ...meta, signers: [alice], recipients: [publicPart(bobEnc)], random });
    const opts = { keys: [bobEnc], signers: [publicPart(alice)] };
    const changes: [string, DareEnvelope][] = [
      ['ContentMetaData', { ...env, header: { ...env.header, contentMetaData: encodeContentMeta({ cty: 'application/x-evil' }) } }],
      ['EnvelopeId', { ...env, header: { ...env.header, envelopeId: 'urn:id:2' } }],
      ['annotations', { ...env, header: { ...env.header, annotations: [] } }],
      ['Salt', { ...env, header: { ...env.header, salt: random(16) } }],
    ];
    for (const [name, changed] of changes) {
      expect(code(() => decodeEnvelope(changed, opts)), name).toBe('DARE_BAD_SIGNATURE');
      expect(code(() => verifyEnvelope(changed, opts)), name).toBe('DARE_BAD_SIGNATURE');
    }
  });

  it('a signed header string cannot be swapped for another with the same UTF-8 form (unpaired surrogates)', () => {
    // Found by the fuzzer (test/fuzz): "id-\ud800" and "id-\udfff" both digested as "id-\ufffd"
    // (TextEncoder), so the ManifestSignature over one verified for the others.
    const opts = { signers: [publicPart(alice)] };
    const env = encodeEnvelope('body', { signers: [alice], envelopeId: 'id-\ufffd', random });
    const text = utf8Decode(serializeEnvelope(env));
    expect(decodeEnvelope(text, opts).signed.metadata?.envelopeId).toBe('id-\ufffd');
    for (const lone of ['\\ud800', '\\udfff']) {
      const forged = text.replace('id-\ufffd', `id-${lone}`);
      expect(forged).not.toBe(text);
      expect(code(() => decodeEnvelope(forged, opts)), lone).toBe('DARE_BAD_FORMAT');
    }
    const asObject = { ...env, header: { ...env.header, envelopeId: 'id-\ud800' } };
    expect(code(() => decodeEnvelope(asObject, opts))).toBe('DARE_BAD_FORMAT');
    expect(code(() => verifyEnvelope(asObject, opts))).toBe('DARE_BAD_FORMAT');
    expect(code(() => encodeEnvelope('body', { signers: [alice], envelopeId: 'id-\ud800', random }))).toBe('DARE_BAD_ARGUMENT');
    expect(code(() => serializeEnvelope(encodeEnvelope('body', { envelopeId: '\udc00', random })))).toBe('DARE_BAD_ARGUMENT');
  });

  it('unsigned but encrypted: the PayloadMac covers the header against outsiders (changed content type → DARE_DECRYPT_FAILED)', () => {
    const env = encodeEnvelope('body', { ...meta, recipients: [publicPart(bobEnc)], random });
    const changed = { ...env, header: { ...env.header, contentMetaData: encodeContentMeta({ cty: 'application/x-evil' }) } };
    expect(code(() => decodeEnvelope(changed, { keys: [bobEnc] }))).toBe('DARE_DECRYPT_FAILED');
    expect(decodeEnvelope(env, { keys: [bobEnc] })).toMatchObject({ integrity: 'mac', verdict: 'no-signer-checked' });
  });

  it('a user who passes signers: [alice] gets a result authenticated by Alice or a typed error, whatever the envelope', () => {
    const good = encodeEnvelope('ok', { recipients: [publicPart(bobEnc)], signers: [alice], random });
    const gs = good.trailer!.signatures![0]!;
    const { manifestSignature: _m, ...noManifest } = gs;
    const { payloadMac: _p, ...noMac } = good.trailer!;
    const candidates: DareEnvelope[] = [
      encodeEnvelope('x', { random }),
      encodeEnvelope('x', { signers: [mallory], random }),
      encodeEnvelope('x', { signers: [mallory], recipients: [publicPart(bobEnc)], random }),
      encodeEnvelope('x', { signers: [alice], recipients: [publicPart(bobEnc)], random, referenceForm: true }),
      withSignature(good, noManifest),
      { ...good, trailer: noMac },
      { ...good, payload: good.payload.slice(16) },
      withSignature(good, { ...gs, kid: mallory.kid }),
      good,
    ];
    let authentic = 0;
    for (const env of candidates) {
      for (const bytes of [serializeEnvelope(env, 'json'), serializeEnvelope(env, 'jsonb')]) {
        let d;
        try {
          d = decodeEnvelope(bytes, { keys: [bobEnc], signers: [publicPart(alice)] });
        } catch (e) {
          expect(e).toBeInstanceOf(DareError);
          continue;
        }
        expect(d.authentic).toBe(true);
        expect(d.signedBy.map((k) => k.kid)).toContain(alice.kid);
        authentic++;
      }
    }
    expect(authentic).toBe(2); // `good`, in both forms
  });
});

describe('the MAC and digest building blocks (payload-mac.ts, header-digest.ts)', () => {
  const seed = random(32);
  const salt = random(16);

  it('the MAC key is the dare.md §4.2 "mac" item key; the MAC binds digest id, payload digest and header digest', () => {
    const k = derivePayloadMacKey(seed, salt);
    expect(k).toEqual(deriveItemKeys(seed, salt).mac);
    const input = { dig: 'S512' as const, payloadDigest: random(64), headerDigest: random(64) };
    const mac = computePayloadMac(k, input);
    expect(mac.length).toBe(64);
    expect(verifyPayloadMac(k, input, mac)).toBe(true);
    expect(payloadMacMessage(input)[0]).toBe(0x5b);
    for (const changed of [{ ...input, dig: 'S256' as const }, { ...input, payloadDigest: random(64) }, { ...input, headerDigest: random(64) }]) {
      expect(verifyPayloadMac(k, changed, mac)).toBe(false);
    }
    expect(verifyPayloadMac(derivePayloadMacKey(random(32), salt), input, mac)).toBe(false);
    expect(verifyPayloadMac(k, input, mac.subarray(0, 32))).toBe(false);
  });

  it('the header digest covers exactly the documented members', () => {
    const env = encodeEnvelope('p', { recipients: [publicPart(bobEnc)], annotations: ['a'], contentType: 't', envelopeId: 'e', random });
    const h = env.header;
    const base = headerDigest(h, 'S512');
    expect([...HEADER_DIGEST_MEMBERS].sort()).toEqual(['ContentMetaData', 'EnvelopeId', 'Salt', 'annotations', 'cloaked', 'dig', 'enc'].sort());
    const covered = [
      { ...h, enc: 'A256CBC' }, { ...h, dig: 'S256' }, { ...h, salt: random(16) }, { ...h, envelopeId: 'f' }, { ...h, cloaked: random(3) },
      { ...h, annotations: [utf8Encode('b')] }, { ...h, contentMetaData: utf8Encode('{}') },
    ];
    for (const c of covered) expect(bytesEqual(headerDigest(c, 'S512'), base)).toBe(false);
    const free = [{ ...h, kid: 'other' }, { ...h, recipients: [] }, { ...h, received: '2024-01-01T00:00:00Z' }];
    for (const c of free) expect(headerDigest(c, 'S512')).toEqual(base);
    // The same whatever the wire form.
    const viaJsonB = decodeEnvelope(serializeEnvelope(env, 'jsonb'), { keys: [bobEnc] }).envelope.header;
    expect(headerDigest(viaJsonB, 'S512')).toEqual(base);
    expect(Object.keys(headerToObject(h))).toContain('Salt');
  });
});
