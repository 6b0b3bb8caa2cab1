/**
 * `mathmesh/udf` on whatever runtime runs this: udf.json and keys.json vectors (digests,
 * parsing, Shamir, key derivation on the routed Curve448 provider) and round trips.
 */
import { hexDecode, hexEncode } from '../../sdk/encoding/index.js';
import {
  contentDigestDetail, deriveKeyMaterial, deriveKeyPair, keyFingerprint, keyPairFromPrivate, newSeed, nonce, parseSeed, parseShare,
  parseUdf, presentUdf, recoverSecret, splitSecret, splitSecretWithCoefficients, UdfError, type DerivedKeyAlgorithm,
} from '../../sdk/udf/index.js';
import type { Suite } from './harness.js';
import { vectorFile } from './vectors.js';
import { codeOf, prng, utf8, type V } from './util.js';

const le = (b: Uint8Array): bigint => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);

const udf: Suite = ({ describe, it, expect }, env) => {
  const udfVectors = vectorFile<V[]>(env.vectors, 'udf.json');
  const keys = vectorFile<V[]>(env.vectors, 'keys.json');
  const ofKind = (list: V[], k: string, derivation?: string): V[] =>
    list.filter((v) => v.kind === k && v.verified === true && (derivation === undefined || v.derivation === derivation));

  describe('udf: vectors (udf.json)', () => {
    it('content digests (udf.md §3)', () => {
      const list = ofKind(udfVectors, 'content-digest');
      expect(list.length).toBeGreaterThan(3);
      for (const v of list) {
        const data = v.data_hex ? hexDecode(v.data_hex) : utf8(v.data_utf8);
        const d = contentDigestDetail(data, { contentType: v.content_type, algorithm: v.algorithm === 'SHA-3-512' ? 'sha3' : 'sha2', bits: v.precision_bits });
        expect(d.udf, v.id).toBe(v.expected.udf);
        expect(d.type, v.id).toBe(v.expected.type_code);
        if (v.expected.typed_digest_hex) expect(hexEncode(d.tcdv), v.id).toBe(v.expected.typed_digest_hex);
      }
    });

    it('parsing (udf.md §2)', () => {
      for (const v of ofKind(udfVectors, 'udf-parse')) {
        const p = parseUdf(v.udf);
        expect(p.type, v.id).toBe(v.expected.type_code);
        if (v.expected.value_hex) expect(hexEncode(p.value), v.id).toBe(v.expected.value_hex);
        expect(p.value.length, v.id).toBe(v.expected.value_length);
      }
    });

    it('Shamir: published split and every recovery vector (udf.md §7)', () => {
      const v = udfVectors.find((x) => x.id === 'shamir-split-3of5-examples')!;
      const shares = splitSecretWithCoefficients(hexDecode(v.secret_hex), v.threshold, v.shares, v.coefficients_dec.slice(1).map(BigInt));
      expect(shares.map((s) => s.udf)).toEqual(v.expected.share_udfs);
      const recover = ofKind(udfVectors, 'shamir-recover');
      expect(recover.length).toBeGreaterThan(3);
      for (const r of recover) expect(hexEncode(recoverSecret(r.share_udfs)), r.id).toBe(r.expected.secret_hex);
    });
  });

  describe('udf: key derivation (keys.json)', () => {
    const reference = ofKind(keys, 'derive-key', 'reference-library');
    it(`${reference.length} reference-library derivations (udf.md §8.1)`, () => {
      expect(reference.length).toBeGreaterThan(5);
      for (const v of reference) {
        const alg = v.algorithm as DerivedKeyAlgorithm;
        const okm = deriveKeyMaterial(v.seed_udf, alg, v.key_name);
        const kp = keyPairFromPrivate(alg, okm);
        expect(le(kp.scalar).toString(), v.id).toBe(v.expected.scalar_dec);
        if (v.expected.public_signed_hex) expect(hexEncode(kp.publicKey), v.id).toBe(v.expected.public_signed_hex);
        if (v.expected.public_hex) expect(hexEncode(kp.publicKey.subarray(0, v.expected.public_hex.length / 2)), v.id).toBe(v.expected.public_hex);
      }
    });

    it('Mesh device keys and keys from private bytes', () => {
      for (const v of ofKind(keys, 'mesh-derive-key')) {
        const kp = deriveKeyPair(v.seed_udf, { algorithm: v.algorithm, keyName: v.key_name });
        expect(hexEncode(kp.publicKey), v.id).toBe(v.expected.public_hex ?? v.expected.public_signed_hex);
        expect(kp.udf, v.id).toBe(v.expected.key_udf);
      }
      for (const v of ofKind(keys, 'keypair-from-private')) {
        const kp = keyPairFromPrivate(v.algorithm, hexDecode(v.private_hex));
        expect(kp.udf, v.id).toBe(v.expected.key_udf);
        expect(keyFingerprint(v.algorithm, kp.publicKey), v.id).toBe(v.expected.key_udf);
      }
    });
  });

  describe('udf: round trips (property)', () => {
    it('present/parse at every precision', () => {
      const rnd = prng(5);
      for (const type of [80, 96, 98]) {
        const binary = Uint8Array.of(type, ...rnd(64));
        for (let bits = 100; bits <= 512; bits += 7) {
          const text = presentUdf(binary, bits);
          const p = parseUdf(text);
          expect(p.type).toBe(type);
          expect(hexEncode(p.binary)).toBe(hexEncode(binary.subarray(0, Math.floor((Math.ceil(bits / 5) * 5) / 8))));
          expect(parseUdf(text.toLowerCase()).text).toBe(text);
        }
      }
    });

    it('split/recover for random secrets, k-of-n up to 6', () => {
      const rnd = prng(42);
      for (const length of [1, 16, 33, 64]) {
        for (let n = 2; n <= 6; n++) {
          for (let k = 2; k <= n; k++) {
            const secret = rnd(length);
            const shares = splitSecret(secret, { shares: n, threshold: k, random: rnd });
            for (const s of shares) expect(parseShare(s.udf)).toEqual({ index: s.index, threshold: k, value: s.value });
            expect(hexEncode(recoverSecret(shares.slice(n - k).map((s) => s.udf)))).toBe(hexEncode(secret));
            expect(codeOf(UdfError, () => recoverSecret(shares.slice(0, k - 1).map((s) => s.udf)))).toBe('UDF_QUORUM');
          }
        }
      }
    });

    it('fresh seeds and nonces (crypto.getRandomValues) parse and derive distinct keys', () => {
      const a = newSeed('MeshProfileDevice');
      const b = newSeed('MeshProfileDevice');
      expect(a).not.toBe(b);
      expect(parseSeed(a).algorithm).toBe('MeshProfileDevice');
      const ka = deriveKeyPair(a, { keyName: 'BaseDeviceEncrypt', operation: 'Encrypt' });
      expect(ka.algorithm).toBe('X448');
      expect(ka.udf).not.toBe(deriveKeyPair(b, { keyName: 'BaseDeviceEncrypt', operation: 'Encrypt' }).udf);
      expect(parseUdf(nonce()).value.length).toBeGreaterThan(15);
    });
  });
};

export default udf;
