/**
 * `mathmesh/crypto` on whatever runtime runs this: the providers it must have (and `init()`'s
 * outcome), standard vectors and Wycheproof on every provider present, and differential checks
 * between all of them on pseudo-random inputs.
 */
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import {
  aesKeyUnwrap, aesKeyWrap, backend, CryptoError, ed448, getProvider, hkdfSha512, merkleRoot, providers, route, sha3_512, sha512, shake256, x448,
  type CryptoProvider,
} from '../../sdk/crypto/index.js';
import { RFC8032_ED448, RFC7748_X448, RFC7748_X448_DH } from '../curve448-vectors.js';
import {
  RFC4231_HMAC_SHA512, SHA3_512_VECTORS, SHA512_VECTORS, SHAKE256_VECTORS,
} from '../support/hash-vectors.js';
import type { Env, Suite } from './harness.js';
import { vectorFile } from './vectors.js';
import { codeOf, fromHex, hex, prng, utf8 } from './util.js';
import { referenceMth as mth } from '../support/merkle-reference.js';

interface WpFile<T> { testGroups: ({ tests: (T & { tcId: number; result: string; comment: string; flags?: string[] })[] } & Record<string, unknown>)[] }
interface MacTest { key: string; msg: string; tag: string }
interface HkdfTest { ikm: string; salt: string; info: string; size: number; okm: string }
interface AesTest { key: string; iv: string; msg: string; ct: string }

/** The providers this runtime must expose after `init()`, by the runtime's own account. */
function expectedProviders(env: Env): string[] {
  return ['pure', ...(env.backend === 'wasm' ? ['wasm'] : []), ...(env.native ? ['native'] : [])].sort();
}

/** RFC 9162 tree head on @noble/hashes (independent of every provider's wrapper). */
function referenceMth(leaves: Uint8Array[]): Uint8Array {
  return mth(leaves, (...parts) => {
    const c = nobleSha512.create();
    for (const p of parts) c.update(p);
    return c.digest();
  });
}

const crypto: Suite = ({ describe, it, expect }, env) => {
  const present = providers();
  const curvesOf = (p: CryptoProvider): boolean => p.name !== 'native' || env.nativeCurves;
  const contextsOf = (p: CryptoProvider): boolean => p.name !== 'native' || env.nativeContexts;
  const code = (f: () => unknown): string => codeOf(CryptoError, f);

  describe('crypto: runtime and init()', () => {
    it(`init() chose '${env.backend}' and the expected providers are present`, () => {
      expect(backend()).toBe(env.backend);
      expect(present.map((p) => p.name).sort()).toEqual(expectedProviders(env));
      if (env.backend === 'pure') {
        expect(code(() => getProvider('wasm'))).toBe('CRYPTO_UNAVAILABLE');
        expect(route('sha512', 64)).not.toBe('wasm');
      } else {
        expect(route('sha512', 64)).toBe('wasm');
        expect(route('hkdfSha512', 64)).toBe('wasm');
      }
      if (!env.native) expect(code(() => getProvider('native'))).toBe('CRYPTO_UNAVAILABLE');
      if (env.native && !env.nativeCurves) {
        // A node:crypto without Curve448 (Bun's BoringSSL) must say so with a typed error.
        expect(code(() => getProvider('native').ed448.getPublicKey(new Uint8Array(57)))).toBe('CRYPTO_UNAVAILABLE');
        expect(code(() => getProvider('native').x448.getPublicKey(new Uint8Array(56)))).toBe('CRYPTO_UNAVAILABLE');
      }
    });

    it('the routed one-shot calls answer the standard vectors', () => {
      const kek = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
      const key = fromHex('00112233445566778899aabbccddeeff');
      const wrapped = '64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7'; // RFC 3394 §4.3
      // On whichever provider the default routing picked for key wrap on this runtime.
      expect(hex(aesKeyWrap(kek, key)), `aesKeyWrap via ${route('aesKeyWrap', 16)}`).toBe(wrapped);
      expect(hex(aesKeyUnwrap(kek, fromHex(wrapped))), `aesKeyUnwrap via ${route('aesKeyWrap', 16)}`).toBe(hex(key));
      expect(hex(sha512(utf8('abc')))).toBe(SHA512_VECTORS[1]!.digest);
      expect(hex(sha3_512(utf8('abc')))).toBe(SHA3_512_VECTORS[1]!.digest);
      expect(hex(shake256(utf8('abc'), 64))).toBe(SHAKE256_VECTORS[1]!.digest);
      expect(hex(sha512(SHA512_VECTORS[4]!.msg))).toBe(SHA512_VECTORS[4]!.digest); // bulk route
      expect(hkdfSha512(utf8('k'), new Uint8Array(0), new Uint8Array(0), 100).length).toBe(100);
      const leaves = Array.from({ length: 9 }, (_, i) => prng(i + 1)(40));
      expect(merkleRoot(leaves)).toEqual(referenceMth(leaves));
      const v = RFC8032_ED448[1]!;
      expect(hex(ed448.sign(fromHex(v.message), fromHex(v.secret)))).toBe(v.signature);
      expect(hex(x448.getSharedSecret(fromHex(RFC7748_X448_DH.alicePrivate), fromHex(RFC7748_X448_DH.bobPublic)))).toBe(RFC7748_X448_DH.shared);
    });
  });

  for (const p of present) {
    describe(`crypto: standard vectors on ${p.name}`, () => {
      it('SHA-512, SHA3-512, SHAKE256: FIPS 180-4 / FIPS 202 examples (one million "a" included)', () => {
        for (const v of SHA512_VECTORS) expect(hex(p.sha512(v.msg)), v.name).toBe(v.digest);
        for (const v of SHA3_512_VECTORS) expect(hex(p.sha3_512(v.msg)), v.name).toBe(v.digest);
        for (const v of SHAKE256_VECTORS) expect(hex(p.shake256(v.msg, v.outputLength)), v.name).toBe(v.digest);
      });

      it('streaming equals one-shot across block boundaries', () => {
        const msg = prng(7)(1000);
        for (const split of [0, 1, 71, 72, 127, 128, 129, 999]) {
          expect(hex(p.sha512.create().update(msg.subarray(0, split)).update(msg.subarray(split)).digest()), `sha512 @${split}`).toBe(hex(p.sha512(msg)));
          expect(hex(p.sha3_512.create().update(msg.subarray(0, split)).update(msg.subarray(split)).digest()), `sha3 @${split}`).toBe(hex(p.sha3_512(msg)));
        }
        const h = p.sha512.create();
        h.digest();
        expect(code(() => h.update(msg))).toBe('CRYPTO_STATE');
      });

      it('HMAC-SHA-512 RFC 4231; Wycheproof HMAC-SHA-512, HMAC-SHA3-512, HKDF-SHA-512', () => {
        for (const v of RFC4231_HMAC_SHA512) expect(hex(p.hmacSha512(v.key, v.data)).slice(0, v.tag.length), v.name).toBe(v.tag);
        for (const [file, mac] of [
          ['wycheproof/hmac_sha512_test.json', p.hmacSha512],
          ['wycheproof/hmac_sha3_512_test.json', p.hmacSha3_512],
        ] as const) {
          let n = 0;
          for (const g of vectorFile<WpFile<MacTest>>(env.vectors, file).testGroups) {
            for (const t of g.tests) {
              const tag = hex(mac(fromHex(t.key), fromHex(t.msg))).slice(0, t.tag.length);
              expect(tag === t.tag, `${file} tcId ${t.tcId}`).toBe(t.result === 'valid');
              n++;
            }
          }
          expect(n).toBeGreaterThan(100);
        }
        for (const g of vectorFile<WpFile<HkdfTest>>(env.vectors, 'wycheproof/hkdf_sha512_test.json').testGroups) {
          for (const t of g.tests) {
            const label = `hkdf tcId ${t.tcId}`;
            if (t.result === 'valid') expect(hex(p.hkdfSha512(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.size)), label).toBe(t.okm);
            else expect(code(() => p.hkdfSha512(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.size)), label).toBe('CRYPTO_INVALID_LENGTH');
          }
        }
      });

      it('AES-256-CBC and AES key wrap: Wycheproof', () => {
        const cbc = vectorFile<WpFile<AesTest>>(env.vectors, 'wycheproof/aes_cbc_pkcs5_test.json').testGroups
          .filter((g) => g['keySize'] === 256).flatMap((g) => g.tests);
        expect(cbc.length).toBeGreaterThan(50);
        for (const t of cbc) {
          const label = `cbc tcId ${t.tcId} ${t.comment}`;
          if (t.result === 'valid') {
            expect(hex(p.aes256CbcEncrypt(fromHex(t.key), fromHex(t.iv), fromHex(t.msg))), label).toBe(t.ct);
            expect(hex(p.aes256CbcDecrypt(fromHex(t.key), fromHex(t.iv), fromHex(t.ct))), label).toBe(t.msg);
          } else {
            expect(code(() => p.aes256CbcDecrypt(fromHex(t.key), fromHex(t.iv), fromHex(t.ct))), label).not.toBe('no-throw');
          }
        }
        const wrap = vectorFile<WpFile<{ key: string; msg: string; ct: string }>>(env.vectors, 'wycheproof/aes_wrap_test.json').testGroups.flatMap((g) => g.tests);
        for (const t of wrap) {
          const label = `wrap tcId ${t.tcId} ${t.comment}`;
          if (t.result === 'valid') {
            expect(hex(p.aesKeyWrap(fromHex(t.key), fromHex(t.msg))), label).toBe(t.ct);
            expect(hex(p.aesKeyUnwrap(fromHex(t.key), fromHex(t.ct))), label).toBe(t.msg);
          } else if (t.result === 'invalid') {
            expect(code(() => p.aesKeyUnwrap(fromHex(t.key), fromHex(t.ct))), label).not.toBe('no-throw');
          }
        }
      });

      it('merkleRoot matches the recursive RFC 9162 definition for n = 0..40', () => {
        for (let n = 0; n <= 40; n++) {
          const leaves = Array.from({ length: n }, (_, i) => prng(n * 100 + i)(64 - (i % 7)));
          expect(hex(p.merkleRoot(leaves)), `n = ${n}`).toBe(hex(referenceMth(leaves)));
        }
      });

      if (curvesOf(p)) {
        it('Ed448 RFC 8032 §7.4 and X448 RFC 7748 §5.2/§6.2', () => {
          for (const v of RFC8032_ED448) {
            const ctx = v.context ? fromHex(v.context) : undefined;
            if (ctx && !contextsOf(p)) {
              expect(code(() => p.ed448.sign(fromHex(v.message), fromHex(v.secret), ctx)), `${v.name}: no contexts here`).toBe('CRYPTO_UNAVAILABLE');
              continue;
            }
            expect(hex(p.ed448.getPublicKey(fromHex(v.secret))), v.name).toBe(v.public);
            expect(hex(p.ed448.sign(fromHex(v.message), fromHex(v.secret), ctx)), v.name).toBe(v.signature);
            expect(p.ed448.verify(fromHex(v.signature), fromHex(v.message), fromHex(v.public), ctx), v.name).toBe(true);
          }
          for (const v of RFC7748_X448) expect(hex(p.x448.getSharedSecret(fromHex(v.scalar), fromHex(v.u)))).toBe(v.out);
          const dh = RFC7748_X448_DH;
          expect(hex(p.x448.getPublicKey(fromHex(dh.alicePrivate)))).toBe(dh.alicePublic);
          expect(hex(p.x448.getSharedSecret(fromHex(dh.bobPrivate), fromHex(dh.alicePublic)))).toBe(dh.shared);
        });

        it('Wycheproof ed448 (87) and x448 (510): valid accepted, invalid refused with a typed error or false', () => {
          let n = 0;
          for (const g of vectorFile<WpFile<{ msg: string; sig: string }>>(env.vectors, 'wycheproof/ed448_test.json').testGroups) {
            const pk = fromHex((g['publicKey'] as { pk: string }).pk);
            for (const t of g.tests) {
              let ok: boolean;
              try {
                ok = p.ed448.verify(fromHex(t.sig), fromHex(t.msg), pk);
              } catch (e) {
                if (!(e instanceof CryptoError)) throw e;
                ok = false;
              }
              expect(ok, `ed448 tcId ${t.tcId} ${t.comment}`).toBe(t.result === 'valid');
              n++;
            }
          }
          expect(n).toBe(87);
          n = 0;
          for (const g of vectorFile<WpFile<{ private: string; public: string; shared: string }>>(env.vectors, 'wycheproof/x448_test.json').testGroups) {
            for (const t of g.tests) {
              let out: string | undefined;
              try {
                out = hex(p.x448.getSharedSecret(fromHex(t.private), fromHex(t.public)));
              } catch (e) {
                if (!(e instanceof CryptoError)) throw e;
              }
              const label = `x448 tcId ${t.tcId} ${t.comment}`;
              if (t.result === 'valid') expect(out, label).toBe(t.shared);
              else if (t.result === 'invalid') expect(out, label).toBe(undefined);
              else if (out !== undefined) expect(out, label).toBe(t.shared);
              n++;
            }
          }
          expect(n).toBe(510);
        });
      }
    });
  }

  describe('crypto: differential, every provider present agrees', () => {
    const names = present.map((p) => p.name).join(' = ');
    const sizes = [0, 1, 63, 64, 71, 72, 127, 128, 129, 1000, 16 * 1024 + 1, 100_000];

    it(`hashes, HMAC, HKDF on random inputs (${names})`, () => {
      const rnd = prng(42);
      for (const n of sizes) {
        const d = rnd(n);
        const k = rnd(n % 200);
        const ref = present[0]!;
        for (const p of present.slice(1)) {
          const label = `${p.name} vs ${ref.name}, ${n} bytes`;
          expect(hex(p.sha512(d)), label).toBe(hex(ref.sha512(d)));
          expect(hex(p.sha3_512(d)), label).toBe(hex(ref.sha3_512(d)));
          expect(hex(p.shake256(d, 200)), label).toBe(hex(ref.shake256(d, 200)));
          expect(hex(p.hmacSha512(k, d)), label).toBe(hex(ref.hmacSha512(k, d)));
          expect(hex(p.hmacSha3_512(k, d)), label).toBe(hex(ref.hmacSha3_512(k, d)));
          expect(hex(p.hkdfSha512(d, k, d.subarray(0, 1500), 1 + (n % 300))), label).toBe(hex(ref.hkdfSha512(d, k, d.subarray(0, 1500), 1 + (n % 300))));
        }
      }
    });

    it(`AES-256-CBC and key wrap round trips agree (${names})`, () => {
      const rnd = prng(43);
      for (const n of sizes) {
        const key = rnd(32);
        const iv = rnd(16);
        const pt = rnd(n);
        const ct = present[0]!.aes256CbcEncrypt(key, iv, pt);
        const wrapped = present[0]!.aesKeyWrap(key, rnd(16 + 8 * (n % 5)));
        for (const p of present) {
          expect(hex(p.aes256CbcEncrypt(key, iv, pt)), `${p.name} ${n}`).toBe(hex(ct));
          expect(p.aes256CbcDecrypt(key, iv, ct), `${p.name} ${n}`).toEqual(pt);
          expect(hex(p.aesKeyWrap(key, p.aesKeyUnwrap(key, wrapped))), p.name).toBe(hex(wrapped));
          const bad = ct.slice();
          bad[bad.length - 1]! ^= 1;
          expect(code(() => p.aes256CbcDecrypt(key, iv, bad)) === 'CRYPTO_BAD_PADDING' || hex(p.aes256CbcDecrypt(key, iv, bad)) !== hex(pt), p.name).toBe(true);
        }
      }
    });

    it(`Merkle roots of random batches agree (${names})`, () => {
      const rnd = prng(44);
      for (const n of [1, 2, 3, 5, 64, 100, 1000]) {
        const leaves = Array.from({ length: n }, (_, i) => rnd(i % 130));
        const want = hex(referenceMth(leaves));
        for (const p of present) expect(hex(p.merkleRoot(leaves)), `${p.name} n=${n}`).toBe(want);
      }
    });

    const curved = present.filter(curvesOf);
    it(`Ed448 signatures and X448 agreements agree (${curved.map((p) => p.name).join(' = ')})`, () => {
      const rnd = prng(45);
      for (let i = 0; i < 6; i++) {
        const secret = rnd(57);
        const msg = rnd(i * 37);
        const ctx = i % 2 ? rnd(i) : undefined;
        const sig = hex(curved[0]!.ed448.sign(msg, secret, ctx));
        const pub = curved[0]!.ed448.getPublicKey(secret);
        const a = rnd(56);
        const b = rnd(56);
        const shared = hex(curved[0]!.x448.getSharedSecret(a, curved[0]!.x448.getPublicKey(b)));
        for (const p of curved) {
          if (ctx && !contextsOf(p)) continue;
          expect(hex(p.ed448.sign(msg, secret, ctx)), p.name).toBe(sig);
          expect(p.ed448.verify(fromHex(sig), msg, pub, ctx), p.name).toBe(true);
          const tampered = rnd(1)[0]! % msg.length;
          if (msg.length > 0) {
            const m2 = msg.slice();
            m2[tampered]! ^= 0x40;
            expect(p.ed448.verify(fromHex(sig), m2, pub, ctx), `${p.name} tampered`).toBe(false);
          }
          expect(hex(p.x448.getSharedSecret(b, p.x448.getPublicKey(a))), p.name).toBe(shared);
        }
      }
    });
  });
};

export default crypto;
