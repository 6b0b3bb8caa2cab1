/**
 * The AES family's two WASM builds (plain SIMD and relaxed SIMD) and the async AES path
 * (WebCrypto or a synchronous provider behind a Promise), on whatever runtime runs this:
 * - `init()` loads the relaxed-SIMD build exactly where the engine compiles relaxed SIMD, and
 *   `wasmVariants()` says which build runs;
 * - where both builds run, they agree with each other and with the standard vectors on
 *   every input tried (the relaxed build's constant-time argument rests on that: vperm.ts);
 * - every async AES agrees with the synchronous providers, one-shot and chunked, and refuses
 *   bad padding, misuse and bad arguments with typed errors;
 * - `asyncAes()` routes as selection.ts says.
 */
import {
  asyncAes, asyncAesOf, CryptoError, init, pureProvider, providers, route, wasmVariants, webCryptoAes, WEBCRYPTO_AES_THRESHOLDS,
  type AsyncAes,
} from '../../sdk/crypto/index.js';
import { createWasmAes } from '../../sdk/crypto/wasm/aes.js';
import { relaxedSimdSupported } from '../../sdk/crypto/wasm/aes-variant.js';
import { wasmBase64 as plainBase64 } from '../../sdk/crypto/wasm/generated/aes.js';
import { wasmBase64 as relaxedBase64 } from '../../sdk/crypto/wasm/generated/aes-relaxed.js';
import { decodeBase64 } from '../../sdk/crypto/wasm/loader.js';
import type { Suite } from './harness.js';
import { vectorFile } from './vectors.js';
import { codeOf, fromHex, hex, prng } from './util.js';

interface AesTest { tcId: number; key: string; iv: string; msg: string; ct: string; result: string }
interface WrapTest { tcId: number; key: string; msg: string; ct: string; result: string }
type WpFile<T> = { testGroups: { keySize?: number; tests: T[] }[] };
type SyncAes = ReturnType<typeof createWasmAes>;

/** SP 800-38A §F.2.5, CBC-AES256 (four blocks, no padding in the standard). */
const SP800_38A = {
  key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
  iv: '000102030405060708090a0b0c0d0e0f',
  pt: '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  ct: 'f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b',
};

/** An instantiated build, or undefined where this engine refuses to compile it. */
function build(base64: string): SyncAes | undefined {
  try {
    const module = new WebAssembly.Module(new Uint8Array(decodeBase64(base64)));
    return createWasmAes(new WebAssembly.Instance(module, { env: { abort: () => undefined } }).exports);
  } catch {
    return undefined;
  }
}

/** The error code a promise rejects with ('resolved' if it does not); rethrows foreign errors. */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
  return 'resolved';
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits `data` into chunks of whole blocks of pseudo-random sizes (some empty), and a tail. */
function chunked(data: Uint8Array, rnd: (n: number) => Uint8Array, tailMin: number): { blocks: Uint8Array[]; tail: Uint8Array } {
  const tailStart = Math.max(0, Math.floor((data.length - tailMin) / 16) * 16);
  const blocks: Uint8Array[] = [];
  for (let at = 0; at < tailStart;) {
    const n = Math.min(tailStart - at, 16 * (rnd(1)[0]! % 9));
    blocks.push(data.subarray(at, at + n));
    at += n;
  }
  return { blocks, tail: data.subarray(tailStart) };
}

const aesBuilds: Suite = ({ describe, it, expect }, env) => {
  describe('crypto: AES WASM builds (plain SIMD, relaxed SIMD)', () => {
    const relaxed = env.backend === 'wasm' ? build(relaxedBase64) : undefined;
    const plain = env.backend === 'wasm' ? build(plainBase64) : undefined;

    it(`init() loads the relaxed-SIMD build exactly where it compiles (${relaxed ? 'relaxed-simd' : 'simd'} here)`, () => {
      if (env.backend === 'pure') {
        // WASM refused (CSP): no build runs, and the probe cannot compile either.
        expect(wasmVariants()).toBe(undefined);
        expect(relaxedSimdSupported()).toBe(false);
        return;
      }
      expect(plain !== undefined, 'the plain SIMD build compiles wherever init() loaded WASM').toBe(true);
      expect(relaxedSimdSupported(), 'the probe agrees with compiling the relaxed build').toBe(relaxed !== undefined);
      expect(wasmVariants()?.aes).toBe(relaxed ? 'relaxed-simd' : 'simd');
    });

    it('where both builds run, they agree with each other and with the vectors', () => {
      const builds = [plain, relaxed].filter((b): b is SyncAes => b !== undefined);
      // On engines without relaxed SIMD this checks the plain build alone (the one init() loaded).
      for (const b of builds) {
        const ct = b.aes256CbcEncrypt(fromHex(SP800_38A.key), fromHex(SP800_38A.iv), fromHex(SP800_38A.pt));
        expect(hex(ct.subarray(0, 64))).toBe(SP800_38A.ct);
        const cbc = vectorFile<WpFile<AesTest>>(env.vectors, 'wycheproof/aes_cbc_pkcs5_test.json').testGroups
          .filter((g) => g.keySize === 256).flatMap((g) => g.tests).filter((t) => t.result === 'valid');
        for (const t of cbc) {
          expect(hex(b.aes256CbcEncrypt(fromHex(t.key), fromHex(t.iv), fromHex(t.msg))), `tcId ${t.tcId}`).toBe(t.ct);
          expect(hex(b.aes256CbcDecrypt(fromHex(t.key), fromHex(t.iv), fromHex(t.ct))), `tcId ${t.tcId}`).toBe(t.msg);
        }
        const wrap = vectorFile<WpFile<WrapTest>>(env.vectors, 'wycheproof/aes_wrap_test.json').testGroups
          .flatMap((g) => g.tests).filter((t) => t.result === 'valid');
        for (const t of wrap) expect(hex(b.aesKeyWrap(fromHex(t.key), fromHex(t.msg))), `wrap tcId ${t.tcId}`).toBe(t.ct);
      }
      if (builds.length < 2) return;
      const [p, r] = builds as [SyncAes, SyncAes];
      const rnd = prng(0xae5);
      // Lengths around block and chunk boundaries (the WASM I/O region is 64 KiB).
      for (const n of [0, 1, 15, 16, 17, 63, 64, 255, 1000, 4096, 65535, 65536, 65537, 200_000]) {
        const key = rnd(32);
        const iv = rnd(16);
        const pt = rnd(n);
        const ct = p.aes256CbcEncrypt(key, iv, pt);
        expect(r.aes256CbcEncrypt(key, iv, pt), `encrypt ${n} B`).toEqual(ct);
        expect(r.aes256CbcDecrypt(key, iv, ct), `decrypt ${n} B`).toEqual(pt);
        const noise = rnd(ct.length); // decryption of arbitrary blocks: every S-box input occurs
        const a = codeOf(CryptoError, () => p.aes256CbcDecrypt(key, iv, noise));
        expect(codeOf(CryptoError, () => r.aes256CbcDecrypt(key, iv, noise)), `noise ${n} B`).toBe(a);
        if (n >= 16 && n % 8 === 0 && n <= 4096) {
          const kek = rnd(16 + 8 * (n % 3));
          expect(r.aesKeyWrap(kek, pt), `wrap ${n} B`).toEqual(p.aesKeyWrap(kek, pt));
        }
      }
    });
  });

  describe('crypto: async AES-256-CBC (WebCrypto and providers behind a Promise)', () => {
    const web = webCryptoAes();
    const asyncs: AsyncAes[] = [...(web ? [web] : []), ...providers().map((p) => asyncAesOf(p))];
    const names = asyncs.map((a) => a.name).join(', ');

    it('WebCrypto is present (every supported runtime has crypto.subtle in a secure context)', () => {
      expect(web?.name).toBe('webcrypto');
    });

    it(`one-shot calls agree with the synchronous pure provider (${names})`, async () => {
      const rnd = prng(0xa5c);
      for (const n of [0, 1, 16, 31, 1024, 70_000]) {
        const key = rnd(32);
        const iv = rnd(16);
        const pt = rnd(n);
        const ct = pureProvider.aes256CbcEncrypt(key, iv, pt);
        for (const a of asyncs) {
          expect(await a.aes256CbcEncrypt(key, iv, pt), `${a.name} encrypt ${n}`).toEqual(ct);
          expect(await a.aes256CbcDecrypt(key, iv, ct), `${a.name} decrypt ${n}`).toEqual(pt);
        }
      }
    });

    it(`streams of chunks equal the one-shot call (${names})`, async () => {
      const rnd = prng(0x57e);
      for (const n of [0, 15, 16, 100, 5000, 70_001]) {
        const key = rnd(32);
        const iv = rnd(16);
        const pt = rnd(n);
        const ct = pureProvider.aes256CbcEncrypt(key, iv, pt);
        for (const a of asyncs) {
          const e = chunked(pt, rnd, 0);
          const enc = a.cbcEncryptStream(key, iv);
          // Overlapping calls: the stream applies them in call order.
          const parts = await Promise.all([...e.blocks.map((b) => enc.update(b)), enc.finish(e.tail)]);
          expect(concat(parts), `${a.name} encrypt stream ${n}`).toEqual(ct);
          const d = chunked(ct, rnd, 16);
          const dec = a.cbcDecryptStream(key, iv);
          const out: Uint8Array[] = [];
          for (const b of d.blocks) out.push(await dec.update(b));
          out.push(await dec.finish(d.tail));
          expect(concat(out), `${a.name} decrypt stream ${n}`).toEqual(pt);
        }
      }
    });

    it(`bad padding, misuse and bad arguments are typed errors (${names})`, async () => {
      const rnd = prng(0xbad);
      const key = rnd(32);
      const iv = rnd(16);
      const ct = pureProvider.aes256CbcEncrypt(key, iv, rnd(32)); // the last block is all padding
      // Flipping bit 5 of the previous block's last byte turns the final 0x10 into 0x30: invalid.
      const bad = ct.slice();
      bad[31] ^= 0x20;
      expect(codeOf(CryptoError, () => pureProvider.aes256CbcDecrypt(key, iv, bad))).toBe('CRYPTO_BAD_PADDING');
      for (const a of asyncs) {
        expect(await rejection(a.aes256CbcDecrypt(key, iv, bad)), `${a.name} one-shot`).toBe('CRYPTO_BAD_PADDING');
        const s = a.cbcDecryptStream(key, iv);
        await s.update(bad.subarray(0, 32)); // intermediate chunks decrypt whatever they hold
        expect(await rejection(s.finish(bad.subarray(32))), `${a.name} stream`).toBe('CRYPTO_BAD_PADDING');
        expect(await rejection(s.update(new Uint8Array(16))), `${a.name} after finish`).toBe('CRYPTO_STATE');
        const e = a.cbcEncryptStream(key, iv);
        expect(await rejection(e.update(new Uint8Array(17))), `${a.name} partial block`).toBe('CRYPTO_INVALID_LENGTH');
        expect(await rejection(a.aes256CbcEncrypt(key.subarray(1), iv, rnd(1))), `${a.name} short key`).toBe('CRYPTO_INVALID_LENGTH');
        expect(await rejection(a.aes256CbcDecrypt(key, iv, rnd(20))), `${a.name} ragged ciphertext`).toBe('CRYPTO_INVALID_CIPHERTEXT');
        expect(await rejection(a.aes256CbcEncrypt(key, iv, 'text' as unknown as Uint8Array)), `${a.name} string`).toBe('CRYPTO_INVALID_ARGUMENT');
      }
    });

    it('asyncAes() routes bulk calls to WebCrypto only in place of the WASM or pure path', async () => {
      const big = Math.max(WEBCRYPTO_AES_THRESHOLDS.encrypt, WEBCRYPTO_AES_THRESHOLDS.decrypt);
      const sync = route('aes256Cbc', big);
      if (env.native) {
        expect(asyncAes(big).name, 'node:crypto serves bulk AES synchronously').toBe('native');
      } else {
        expect(asyncAes(16).name, 'a short call stays on the synchronous route').toBe(sync);
        expect(asyncAes(big).name).toBe('webcrypto');
        expect(asyncAes(big, 'decrypt').name).toBe('webcrypto');
      }
      if (env.backend === 'wasm') {
        // An explicit preference is kept, whatever the size.
        await init({ prefer: { aes256Cbc: 'wasm' } });
        try {
          expect(asyncAes(big).name).toBe('wasm');
        } finally {
          await init();
        }
      }
      const key = prng(1)(32);
      const iv = prng(2)(16);
      const pt = prng(3)(big);
      expect(await asyncAes(big).aes256CbcEncrypt(key, iv, pt)).toEqual(pureProvider.aes256CbcEncrypt(key, iv, pt));
    });
  });
};

export default aesBuilds;
