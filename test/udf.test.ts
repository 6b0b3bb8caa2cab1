import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { base32Encode, base64urlDecode, hexDecode, hexEncode } from '../sdk/encoding/index.js';
import {
  authenticator, authenticatorDetail, authenticatorKeyUdf, compatibleName, compressionLevel, connectionUri, CONTENT_TYPE, contentDigest, contentDigestDetail,
  DEFAULT_PRECISION, DRAFT_CONTENT_TYPE, earlFor, earlIdentifier, encryptionKeyUdf, envelopeId, fixedUdf, keyFingerprint, makeId,
  newAuthenticatorKey, newEarl, newEncryptionKey, newPin, newSeed, nonce, oidUdf, parseConnectionUri, parsePublicKeyDer, parseSeed, parseSin, parseUdf,
  parseUdfUri, pinId, pinWitness, presentSecret, presentUdf, publicKeyDer, publicKeyOidUdf, resolveEarl, responseId, saltedPin, seedUdf,
  strongName, udfLocatorUri, udfMac, udfMacBytes, udfMatches, udfNameUri, udfTypeInfo, UdfError, UDF_TYPE, verifyContentDigest,
  type PublicKeyAlgorithm,
} from '../sdk/udf/index.js';
import { vectorsDir } from './support/paths.js';
import { errorCodeOf, seeded } from './support/random.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type V = Record<string, any>;
const udfVectors = JSON.parse(readFileSync(resolve(vectorsDir, 'udf.json'), 'utf8')) as V[];
const dare = JSON.parse(readFileSync(resolve(vectorsDir, 'dare.json'), 'utf8')) as { vectors: V[] };
const ofKind = (k: string): V[] => udfVectors.filter((v) => v.kind === k && v.verified === true);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const data = (v: V): Uint8Array => (v.data_hex ? hexDecode(v.data_hex) : utf8(v.data_utf8));

const codeOf = (f: () => unknown): string | undefined => errorCodeOf(UdfError, f);


describe('content digests (udf.md §3)', () => {
  for (const v of ofKind('content-digest')) {
    it(v.id, () => {
      const alg = v.algorithm === 'SHA-3-512' ? 'sha3' : 'sha2';
      const d = contentDigestDetail(data(v), { contentType: v.content_type, algorithm: alg, bits: v.precision_bits });
      expect(d.udf).toBe(v.expected.udf);
      expect(d.type).toBe(v.expected.type_code);
      if (v.expected.data_digest_hex) expect(hexEncode(d.cdv)).toBe(v.expected.data_digest_hex);
      if (v.expected.typed_digest_hex) expect(hexEncode(d.tcdv)).toBe(v.expected.typed_digest_hex);
      if (v.expected.binary_prefix_hex) expect(hexEncode(d.binary).startsWith(v.expected.binary_prefix_hex)).toBe(true);
    });
  }

  it('SHA3-512 examples of the draft (§5.1.7, §5.1.9) and UDFDigest.md', () => {
    const d = contentDigestDetail(utf8('UDF Data Value'), { contentType: 'text/plain', algorithm: 'sha3' });
    expect(hexEncode(d.tcdv).slice(0, 32)).toBe('8a868a061c546e7e3f755f3988f9fd2f');
    expect(d.udf).toBe('KCFI-NCQG-DRKG-47R7-OVPT-TCHZ-7UXY');
    const c = contentDigestDetail(utf8('UDF Compressed Document 774665'), { contentType: 'text/plain', algorithm: 'sha3' });
    expect(c.compression).toBe(1);
    expect(c.type).toBe(81);
    expect(c.udf).toBe('KEJI-Y225-BDUG-XX22-MXKE-5ITF-YVYM');
    expect(contentDigest(utf8('UDF Content Data'), { contentType: 'text/plain', algorithm: 'sha3' })).toBe('KCM5-7VB6-IJXJ-WKHX-NZQF-OKGZ-EWVN');
  });

  it('compression level counts trailing zero bits at the end of the TCDV (§3.2)', () => {
    for (let zeros = 0; zeros <= 70; zeros++) {
      const t = new Uint8Array(64).fill(0xff);
      for (let b = 0; b < zeros; b++) t[63 - (b >> 3)]! &= ~(1 << (b & 7));
      const want = zeros >= 50 ? 4 : zeros >= 40 ? 3 : zeros >= 30 ? 2 : zeros >= 20 ? 1 : 0;
      expect(compressionLevel(t), `${zeros} zeros`).toBe(want);
    }
    expect(compressionLevel(new Uint8Array(64))).toBe(4);
  });

  it('verifies data against a digest UDF at its own precision', () => {
    const d = utf8('UDF Data Value');
    expect(verifyContentDigest('MDDK-7N6A-727A-JZNO-STRX', d, 'text/plain')).toBe(true);
    expect(verifyContentDigest('mddk7n6a727ajznostrxxks7djaf', d, 'text/plain')).toBe(true);
    expect(verifyContentDigest('MDDK-7N6A-727A-JZNO-STRX', d, 'text/html')).toBe(false);
    expect(verifyContentDigest('KCFI-NCQG-DRKG-47R7-OVPT-TCHZ-7UXY', d, 'text/plain')).toBe(true);
    expect(codeOf(() => verifyContentDigest('NDZZ-KNXV-IWNN-ZPN3-CIZY-YJUF-XMBA', d, 'text/plain'))).toBe('UDF_WRONG_TYPE');
  });
});

describe('presentation and parsing (udf.md §2)', () => {
  for (const v of ofKind('udf-parse')) {
    it(v.id, () => {
      const p = parseUdf(v.udf);
      expect(p.type).toBe(v.expected.type_code);
      if (v.expected.value_hex) expect(hexEncode(p.value)).toBe(v.expected.value_hex);
      expect(p.value.length).toBe(v.expected.value_length);
      if (v.expected.trailing_bits_discarded !== undefined) expect(p.discardedBits).toBe(v.expected.trailing_bits_discarded);
    });
  }

  it('round trips every type at every precision (property)', () => {
    const random = seeded(5);
    const variable = [0, 1, 80, 81, 82, 83, 84, 96, 97, 98, 99, 100];
    for (const type of variable) {
      const binary = Uint8Array.of(type, ...random(64));
      for (let bits = 100; bits <= 512; bits++) {
        const text = presentUdf(binary, bits);
        const chars = Math.ceil(bits / 5);
        expect(text.replace(/-/g, '').length).toBe(chars);
        expect(text).toMatch(/^([A-Z2-7]{4}-)*[A-Z2-7]{1,4}$/);
        const p = parseUdf(text);
        expect(p.type).toBe(type);
        expect(p.bits).toBe(chars * 5);
        expect(p.discardedBits).toBe((chars * 5) % 8);
        expect(hexEncode(p.binary)).toBe(hexEncode(binary.subarray(0, Math.floor((chars * 5) / 8))));
        expect(p.text).toBe(text);
        expect(parseUdf(text.toLowerCase()).text).toBe(text);
      }
    }
    const fixed = [32, 33, 104, 112, 144, 200];
    for (const type of fixed) {
      for (let n = 3; n <= 70; n++) {
        const binary = Uint8Array.of(type, ...random(n));
        const text = presentUdf(binary);
        expect(text.replace(/-/g, '').length).toBe(Math.ceil(((n + 1) * 8) / 5));
        expect(hexEncode(parseUdf(text).binary)).toBe(hexEncode(binary));
      }
    }
  });

  it('defaults: 140 bits for variable types, whole value for fixed types', () => {
    const digest = Uint8Array.of(96, ...new Uint8Array(64).fill(0x55));
    expect(presentUdf(digest).length).toBe(28 + 6);
    expect(DEFAULT_PRECISION).toBe(140);
    expect(presentUdf(Uint8Array.of(104, ...new Uint8Array(16))).replace(/-/g, '')).toHaveLength(28);
    expect(udfTypeInfo(112)?.kind).toBe('oid');
    expect(udfTypeInfo(108)).toBeUndefined();
  });

  it('bad input gives typed errors naming the problem', () => {
    expect(codeOf(() => parseUdf('MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH1'))).toBe('UDF_BAD_CHAR');
    expect(codeOf(() => parseUdf('MB5S R4AJ 3FBT 7NHO T26Z 2E6Y WFH4'))).toBe('UDF_BAD_CHAR');
    expect(codeOf(() => parseUdf('MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4!'))).toBe('UDF_BAD_CHAR');
    expect(codeOf(() => parseUdf('MB5S-R4AJ'))).toBe('UDF_TOO_SHORT');
    expect(codeOf(() => parseUdf('N'))).toBe('UDF_TOO_SHORT');
    expect(codeOf(() => parseUdf('NA'))).toBe('UDF_TOO_SHORT');
    expect(codeOf(() => parseUdf(''))).toBe('UDF_TOO_SHORT');
    expect(codeOf(() => parseUdf('ZAAA-A'))).toBe('UDF_TOO_SHORT'); // a seed needs a specifier and a seed byte
    expect(codeOf(() => parseUdf(base32Encode(Uint8Array.of(2, ...new Uint8Array(17)))))).toBe('UDF_UNKNOWN_TYPE');
    expect(codeOf(() => parseUdf(base32Encode(Uint8Array.of(108, ...new Uint8Array(17)))))).toBe('UDF_UNKNOWN_TYPE');
    expect(codeOf(() => presentUdf(Uint8Array.of(104, 1, 2), 8))).toBe('UDF_BAD_PRECISION');
    expect(codeOf(() => presentUdf(Uint8Array.of(96, ...new Uint8Array(64)), 99))).toBe('UDF_BAD_PRECISION');
    expect(codeOf(() => presentUdf(Uint8Array.of(96, ...new Uint8Array(64)), 513))).toBe('UDF_BAD_PRECISION');
    try {
      parseUdf('MB5S-R4AJ');
    } catch (e) {
      expect((e as Error).message).toMatch(/40 bits presented, at least 100 required/);
    }
  });

  it('matching: prefix of the normalised string over at least the minimum precision', () => {
    const full = 'MDDK-7N6A-727A-JZNO-STRX-XKS7-DJAF-XI6O-ZSLU-2VOA-TZQ6-JMHP-TSXP';
    expect(udfMatches('MDDK-7N6A-727A-JZNO-STRX', full)).toBe(true);
    expect(udfMatches(full, 'mddk7n6a727ajznostrxxks7')).toBe(true);
    expect(udfMatches('MDDK-7N6A-727A-JZNO-STRY', full)).toBe(false);
    expect(codeOf(() => udfMatches('MDDK-7N6A-727A-JZNO-STRX', full, { minBits: 140 }))).toBe('UDF_TOO_SHORT');
    expect(codeOf(() => udfMatches('MDDK-7N6A-727A', full))).toBe('UDF_TOO_SHORT');
  });

  it('shared secrets are plain Base32 without a type byte (§6)', () => {
    expect(presentSecret(hexDecode('88b2481131e37a9e12e54cac7f100d8d'))).toBe('RCZE-QEJR-4N5J-4EXF-JSWH-6EAN-RU');
  });
});

describe('authenticators and UDF-keyed MACs (udf.md §4, §5)', () => {
  it('authenticator-sha2-konrad-140', () => {
    const v = ofKind('authenticator')[0]!;
    const d = authenticatorDetail(data(v), v.key_string, { contentType: v.content_type, bits: v.precision_bits });
    expect(hexEncode(d.prk)).toBe(v.expected.prk_hex);
    expect(hexEncode(d.okm)).toBe(v.expected.okm_hex);
    expect(hexEncode(d.mac)).toBe(v.expected.mac_hex);
    expect(d.udf).toBe(v.expected.udf);
    expect(authenticator(data(v), v.key_string, { contentType: 'text/plain' })).toBe(v.expected.udf);
    // The key is the string as written: dropping the dashes is another key.
    expect(authenticator(data(v), v.key_string.replace(/-/g, ''), { contentType: 'text/plain' })).not.toBe(v.expected.udf);
  });

  it('MAC keyed by a UDF uses the parsed value bytes; type 1 keys use HMAC-SHA3-512', () => {
    const key = 'ADKW-K2ZB-PPZM-ECG4-P3NQ-UN4K-XI';
    const value = parseUdf(key).value;
    expect(hexEncode(udfMacBytes(key, utf8('Device')).mac)).toBe(hexEncode(hmac(sha512, value, utf8('Device'))));
    const eKey = encryptionKeyUdf(value);
    expect(udfMac(eKey, utf8('x'))).toBe(udfMac(key, utf8('x')));
    const sha3Key = authenticatorKeyUdf(value, 'sha3');
    expect(sha3Key).toBe(fixedUdf(UDF_TYPE.AUTHENTICATOR_SHA3, value));
    expect(udfMac(newAuthenticatorKey({ random: seeded(8) }), utf8('x'))).toMatch(/^A/);
    expect(udfMacBytes(sha3Key, utf8('x')).type).toBe(1);
    expect(udfMac(sha3Key, utf8('x'))).toMatch(/^A/);
    expect(udfMac(sha3Key, utf8('x'))).not.toBe(udfMac(key, utf8('x')));
    expect(codeOf(() => udfMac('NDZZ-KNXV-IWNN-ZPN3-CIZY-YJUF-XMBA', utf8('x')))).toBe('UDF_WRONG_TYPE');
  });
});

describe('fixed-length UDFs (udf.md §6)', () => {
  it('nonces, keys, seeds and PINs from an injectable random source', () => {
    const n = nonce({ random: seeded(1) });
    expect(n).toBe(nonce({ random: seeded(1) }));
    expect(parseUdf(n).type).toBe(104);
    expect(parseUdf(n).value.length).toBe(16);
    expect(parseUdf(nonce()).value.length).toBe(16);
    expect(nonce()).not.toBe(nonce());
    expect(parseUdf(nonce({ bits: 256 })).value.length).toBe(32);
    expect(codeOf(() => nonce({ bits: 100 }))).toBe('UDF_BAD_PRECISION');
    expect(codeOf(() => nonce({ bits: 32 }))).toBe('UDF_BAD_PRECISION');
    expect(codeOf(() => nonce({ random: () => new Uint8Array(3) }))).toBe('UDF_BAD_ARGUMENT');
    expect(newEncryptionKey()).toMatch(/^E/);
    const pin = newPin({ random: seeded(2) });
    expect(pin.replace(/-/g, '')).toHaveLength(26);
    expect(parseUdf(pin).type).toBe(0);
    const seed = newSeed('MeshProfileDevice');
    expect(seed.replace(/-/g, '')).toHaveLength(56);
    expect(parseSeed(seed).algorithm).toBe('MeshProfileDevice');
    expect(parseSeed(seed).specifier).toBe(0x100);
    expect(codeOf(() => parseSeed(n))).toBe('UDF_BAD_SEED');
  });

  it('seedUdf reproduces the draft example seeds (udf.md §8.2 generator)', async () => {
    const { hkdf } = await import('@noble/hashes/hkdf.js');
    const cases: [string, number, string][] = [['X25519', 1, 'ZAAA-CDJ5-DHPA-DUUW-WIPQ-UXNC-DSAR-U7A'], ['P256', 5, 'ZAAA-LLBO-4A4E-LFMH-EJ73-XVFG-7PZ5-V7Y']];
    for (const [alg, id, want] of cases) {
      const seed = hkdf(sha512, Uint8Array.of(0, id), utf8('UDF examples'), new Uint8Array(0), 16);
      expect(seedUdf(alg as 'X25519', seed)).toBe(want);
    }
  });
});

describe('key fingerprints and OID UDFs (udf.md §6.4)', () => {
  it('oid-ed25519-examples', () => {
    const v = ofKind('oid')[0]!;
    const pk = hexDecode(v.public_key_hex);
    expect(hexEncode(publicKeyDer('Ed25519', pk))).toBe(v.der_hex);
    expect(publicKeyOidUdf('Ed25519', pk)).toBe(v.expected.oid_udf);
    expect(oidUdf(hexDecode(v.der_hex))).toBe(v.expected.oid_udf);
    expect(keyFingerprint('Ed25519', pk)).toBe(v.expected.fingerprint_udf);
    // The draft's content type does not reproduce the examples (udf.md §3.3 [DISAGREE]).
    expect(contentDigest(hexDecode(v.der_hex), { contentType: DRAFT_CONTENT_TYPE.PKIX_KEY })).not.toBe(v.expected.fingerprint_udf);
    expect(CONTENT_TYPE.PKIX_KEY).toBe('PKIXKey');
  });

  it('DARE kid values (dare.json key-fingerprint-kid)', () => {
    const v = dare.vectors.find((x) => x.id === 'key-fingerprint-kid')!;
    for (const k of v.expected as V[]) {
      const pk = base64urlDecode(k.public_b64u);
      expect(hexEncode(publicKeyDer(k.crv, pk))).toBe(k.spki_der_hex);
      expect(keyFingerprint(k.crv, pk)).toBe(k.kid);
    }
  });

  it('DER round trip for every algorithm; wrong lengths are refused', () => {
    const lengths: Record<PublicKeyAlgorithm, number> = { Ed25519: 32, Ed448: 57, X25519: 33, X448: 57 };
    for (const [alg, n] of Object.entries(lengths) as [PublicKeyAlgorithm, number][]) {
      const pk = seeded(n)(n);
      const der = publicKeyDer(alg, pk);
      expect(der.length).toBe(n + 16);
      expect(parsePublicKeyDer(der)).toEqual({ algorithm: alg, publicKey: pk });
      expect(codeOf(() => publicKeyDer(alg, pk.subarray(1)))).toBe('UDF_BAD_ARGUMENT');
    }
    expect(hexEncode(publicKeyDer('X448', new Uint8Array(57)).subarray(0, 16))).toBe('3047300706032b656f0500033c000439');
    expect(codeOf(() => parsePublicKeyDer(hexDecode('302a300506032b6570032100' + '00'.repeat(32))))).toBe('UDF_BAD_ARGUMENT'); // RFC 8410 form
  });
});

describe('URIs, EARLs and SINs (udf.md §9, §10)', () => {
  it('udf-uri vectors', () => {
    for (const v of ofKind('udf-uri')) {
      expect(v.form === 'name' ? udfNameUri(v.udf) : udfLocatorUri(v.domain, v.udf)).toBe(v.expected.uri);
      expect(parseUdfUri(v.expected.uri).udf.text).toBe(v.udf);
    }
    expect(parseUdfUri('UDF:MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4').form).toBe('name');
    for (const bad of ['http://x/MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4', 'udf://a:80/MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4',
      'udf://u@a.com/MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4', 'udf://10.0.0.1/MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4']) {
      expect(codeOf(() => parseUdfUri(bad)), bad).toBe('UDF_BAD_URI');
    }
  });

  it('earl-examples', () => {
    const v = ofKind('earl')[0]!;
    const e = earlFor(v.domain, v.key_udf, v.identifier_precision_bits);
    expect(e.earl).toBe(v.expected.earl);
    expect(e.identifier).toBe(v.expected.identifier);
    expect(e.url).toBe(v.expected.resolution_url);
    expect(resolveEarl(v.expected.earl).identifier).toBe(v.expected.identifier);
    expect(earlIdentifier(v.key_udf)).toBe(v.expected.identifier);
    expect(resolveEarl(v.expected.earl).keyBytes.length).toBe(17);
    expect(codeOf(() => resolveEarl('udf://example.com/MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4'))).toBe('UDF_WRONG_TYPE');
    expect(codeOf(() => resolveEarl('udf:EAYD-XWZT-KLWY-LAM5-65GD-II6N-MPZS-TP'))).toBe('UDF_BAD_URI');
    const fresh = newEarl('example.net', { random: seeded(9) });
    expect(fresh.key.replace(/-/g, '')).toHaveLength(28); // full 136-bit key, not the reference's lossy 150 bits
    expect(resolveEarl(fresh.earl)).toEqual(fresh);
  });

  it('sin-alice-account', () => {
    const v = ofKind('sin')[0]!;
    expect(compatibleName(v.address, v.udf)).toBe(v.expected.sin_compatible);
    expect(strongName(v.address, v.udf)).toBe(v.expected.sin_strong);
    expect(parseSin(v.expected.sin_strong).address).toBe(v.expected.plain);
    expect(parseSin(v.expected.sin_compatible).udf?.text).toBe(v.udf);
    expect(parseSin('alice@example.com').udf).toBeUndefined();
    const long = presentUdf(Uint8Array.of(96, ...new Uint8Array(64)), 260);
    expect(codeOf(() => strongName('a@b.c', long))).toBe('UDF_BAD_SIN');
    expect(codeOf(() => strongName('nobody', v.udf))).toBe('UDF_BAD_SIN');
  });

  it('Mesh connection URIs', () => {
    const u = connectionUri('alice@example.com', 'ADKW-K2ZB-PPZM-ECG4-P3NQ-UN4K-XI');
    expect(u).toBe('mcu://alice@example.com/ADKW-K2ZB-PPZM-ECG4-P3NQ-UN4K-XI');
    expect(parseConnectionUri(u).account).toBe('alice@example.com');
  });
});

describe('PINs and message ids (udf.md §11, §12)', () => {
  it('pin vectors', () => {
    const salt = ofKind('pin-salt')[0]!;
    expect(saltedPin(salt.pin, salt.action)).toBe(salt.expected.salted_pin);
    const id = ofKind('pin-id')[0]!;
    expect(pinId(id.salted_pin, id.account)).toBe(id.expected.pin_id);
    expect(pinId(id.salted_pin, id.account.toUpperCase())).toBe(id.expected.pin_id);
    const doc = ofKind('pin-id-docvariant')[0]!;
    expect(pinId(doc.pin, doc.account)).toBe(doc.expected.pin_id);
  });

  it('witness = HMAC(BDS(saltedPIN), lower(account) ‖ nonce ‖ digest)', () => {
    const salted = 'AA3X-AOXG-CTAE-HAQ3-EDP7-PSLZ-CIHS';
    const nonceBytes = seeded(3)(16);
    const digest = seeded(4)(64);
    const w = pinWitness(salted, 'Alice@Example.com', nonceBytes, digest);
    const key = parseUdf(salted).value;
    expect(key.length).toBe(16);
    expect(hexEncode(w)).toBe(hexEncode(hmac(sha512, key, new Uint8Array([...utf8('alice@example.com'), ...nonceBytes, ...digest]))));
    expect(hexEncode(pinWitness(salted, 'alice@example.com', nonceBytes, seeded(5)(64)))).not.toBe(hexEncode(w));
  });

  it('message-id vectors', () => {
    for (const v of ofKind('message-id')) expect(makeId(v.message_id, v.content_type, v.precision_bits)).toBe(v.expected.udf);
    expect(envelopeId('NDTL-GUGD-IBJR-4ENF-M4E3-7YJY-OCLR')).toBe('MAC2-EOFV-EAVW-LCJQ-NO2I-UWJ4-IJCV');
    expect(responseId('NDTL-GUGD-IBJR-4ENF-M4E3-7YJY-OCLR')).toBe('MC7F-65PZ-WF3W-P5AR-DHJP-ILLD-P6RS');
  });
});
