import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CryptoError, type CryptoErrorCode } from '../sdk/crypto/errors.js';
import { nativeProvider } from '../sdk/crypto/native/provider.js';
import { pureProvider } from '../sdk/crypto/pure/provider.js';
import type { CryptoProvider } from '../sdk/crypto/types.js';
import { createWasmAes } from '../sdk/crypto/wasm/aes.js';
import { wasmBase64 } from '../sdk/crypto/wasm/generated/aes.js';
import { repoRoot } from './support/paths.js';
import { fromHex, hex, pseudoRandomBytes } from './support/providers.js';

/**
 * AES-256-CBC (PKCS#7) and AES key wrap (RFC 3394) on every provider: standard vectors
 * (SP 800-38A F.2.5/F.2.6, RFC 3394 §4, Wycheproof), differential checks against the other
 * providers, typed errors for bad input, and the WASM core's memory bound and zeroization.
 */
type Aes = Pick<CryptoProvider, 'aes256CbcEncrypt' | 'aes256CbcDecrypt' | 'aesKeyWrap' | 'aesKeyUnwrap'>;

const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasmBase64, 'base64')));
const wasmMemory = instance.exports.memory as WebAssembly.Memory;
/** The module's memory before any call: zeros and its static tables. */
const pristine = new Uint8Array(wasmMemory.buffer).slice();
const wasm: Aes = createWasmAes(instance.exports);
const native = nativeProvider();
if (!native) throw new Error('these tests run on Node: node:crypto must be present');
const pure: Aes = pureProvider;

const providers: [string, Aes][] = [['pure', pure], ['native', native], ['wasm', wasm]];
/** Each provider is checked against a different one, so wasm == native == pure. */
const referenceFor = (name: string): Aes => (name === 'native' ? pure : native);

const wycheproof = (file: string) =>
  JSON.parse(readFileSync(resolve(repoRoot, '../shared/vectors/wycheproof', file), 'utf8')) as {
    testGroups: { keySize: number; tests: { tcId: number; key: string; iv?: string; msg: string; ct: string; result: string; comment: string }[] }[];
  };
const cbcVectors = wycheproof('aes_cbc_pkcs5_test.json').testGroups.filter((g) => g.keySize === 256).flatMap((g) => g.tests);
const wrapVectors = wycheproof('aes_wrap_test.json').testGroups.flatMap((g) => g.tests);

/** Asserts that `f` throws a `CryptoError` whose `code` is one of `codes`. */
function expectCryptoError(f: () => unknown, codes: CryptoErrorCode | CryptoErrorCode[]): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a CryptoError').toBeInstanceOf(CryptoError);
  expect([codes].flat()).toContain((thrown as CryptoError).code);
}

// SP 800-38A §F.2.5 / F.2.6, CBC-AES256 (no padding in the standard).
const sp = {
  key: fromHex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'),
  iv: fromHex('000102030405060708090a0b0c0d0e0f'),
  pt: fromHex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710'),
  ct: fromHex('f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b'),
};
/** The PKCS#7 block that follows a 64-byte plaintext, encrypted by node:crypto ECB (independent of the providers). */
const spPadBlock = (() => {
  const x = new Uint8Array(16).fill(16).map((b, i) => b ^ sp.ct[48 + i]!);
  const ecb = createCipheriv('aes-256-ecb', sp.key, null).setAutoPadding(false);
  return new Uint8Array(ecb.update(x));
})();

// RFC 3394 §4.1–4.6.
const kek128 = '000102030405060708090a0b0c0d0e0f';
const kek192 = kek128 + '1011121314151617';
const kek256 = kek128 + '101112131415161718191a1b1c1d1e1f';
const rfc3394: [string, string, string, string][] = [
  ['4.1', kek128, '00112233445566778899aabbccddeeff', '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5'],
  ['4.2', kek192, '00112233445566778899aabbccddeeff', '96778b25ae6ca435f92b5b97c050aed2468ab8a17ad84e5d'],
  ['4.3', kek256, '00112233445566778899aabbccddeeff', '64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7'],
  ['4.4', kek192, '00112233445566778899aabbccddeeff0001020304050607', '031d33264e15d33268f24ec260743edce1c6c7ddee725a936ba814915c6762d2'],
  ['4.5', kek256, '00112233445566778899aabbccddeeff0001020304050607', 'a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1'],
  ['4.6', kek256, '00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f',
    '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21'],
];

describe.each(providers)('AES on the %s provider', (name, p) => {
  const ref = referenceFor(name);

  it('SP 800-38A F.2.5: CBC-AES256 encryption', () => {
    const out = p.aes256CbcEncrypt(sp.key, sp.iv, sp.pt);
    expect(out.length).toBe(80);
    expect(hex(out.subarray(0, 64))).toBe(hex(sp.ct));
    expect(hex(out.subarray(64))).toBe(hex(spPadBlock));
  });

  it('SP 800-38A F.2.6: CBC-AES256 decryption', () => {
    const ct = new Uint8Array(80);
    ct.set(sp.ct);
    ct.set(spPadBlock, 64);
    expect(hex(p.aes256CbcDecrypt(sp.key, sp.iv, ct))).toBe(hex(sp.pt));
  });

  it('Wycheproof AES-CBC-PKCS5, 256-bit keys', () => {
    expect(cbcVectors.length).toBeGreaterThan(50);
    for (const t of cbcVectors) {
      const key = fromHex(t.key);
      const iv = fromHex(t.iv!);
      const ct = fromHex(t.ct);
      if (t.result === 'valid') {
        expect(hex(p.aes256CbcEncrypt(key, iv, fromHex(t.msg))), `tcId ${t.tcId}`).toBe(t.ct);
        expect(hex(p.aes256CbcDecrypt(key, iv, ct)), `tcId ${t.tcId}`).toBe(t.msg);
      } else {
        expect(t.result).toBe('invalid');
        expectCryptoError(() => p.aes256CbcDecrypt(key, iv, ct), ['CRYPTO_BAD_PADDING', 'CRYPTO_INVALID_CIPHERTEXT']);
      }
    }
  });

  it('RFC 3394 §4 key wrap examples (128-, 192- and 256-bit KEKs)', () => {
    for (const [section, kek, key, wrapped] of rfc3394) {
      expect(hex(p.aesKeyWrap(fromHex(kek), fromHex(key))), section).toBe(wrapped);
      expect(hex(p.aesKeyUnwrap(fromHex(kek), fromHex(wrapped))), section).toBe(key);
    }
  });

  it('Wycheproof AES key wrap, all KEK sizes', () => {
    expect(wrapVectors.length).toBeGreaterThan(150);
    for (const t of wrapVectors) {
      const kek = fromHex(t.key);
      const msg = fromHex(t.msg);
      const ct = fromHex(t.ct);
      const id = `tcId ${t.tcId} ${t.comment}`;
      if (t.result === 'valid') {
        expect(hex(p.aesKeyWrap(kek, msg)), id).toBe(t.ct);
        expect(hex(p.aesKeyUnwrap(kek, ct)), id).toBe(t.msg);
      } else {
        // 'invalid', and 'acceptable' (an 8-byte key, which RFC 3394 §2 excludes and so do we)
        expectCryptoError(() => p.aesKeyUnwrap(kek, ct), ['CRYPTO_INTEGRITY', 'CRYPTO_INVALID_CIPHERTEXT']);
        if (msg.length < 16 || msg.length % 8 !== 0) expectCryptoError(() => p.aesKeyWrap(kek, msg), 'CRYPTO_INVALID_LENGTH');
        else expect(hex(p.aesKeyWrap(kek, msg)), id).not.toBe(t.ct);
      }
    }
  });

  it(`equals ${name === 'native' ? 'pure' : 'native'} on random plaintexts of every length 0..1100`, () => {
    for (let n = 0; n <= 1100; n++) {
      const key = pseudoRandomBytes(32, 3 * n + 1);
      const iv = pseudoRandomBytes(16, 3 * n + 2);
      const pt = pseudoRandomBytes(n, 3 * n + 3);
      const ct = p.aes256CbcEncrypt(key, iv, pt);
      expect(ct.length).toBe((n & ~15) + 16);
      const expected = ref.aes256CbcEncrypt(key, iv, pt);
      if (hex(ct) !== hex(expected)) expect.fail(`length ${n}: ciphertext differs`);
      const back = p.aes256CbcDecrypt(key, iv, ct);
      if (hex(back) !== hex(pt)) expect.fail(`length ${n}: decrypt(encrypt(x)) !== x`);
    }
  });

  it('equals the reference at 1 MiB and around the 64 KiB chunk boundaries', () => {
    for (const n of [65519, 65520, 65535, 65536, 65537, 131072 + 5, 1 << 20]) {
      const key = pseudoRandomBytes(32, n);
      const iv = pseudoRandomBytes(16, n + 1);
      const pt = pseudoRandomBytes(n, n + 2);
      const ct = p.aes256CbcEncrypt(key, iv, pt);
      expect(Buffer.compare(ct, ref.aes256CbcEncrypt(key, iv, pt)), `length ${n}`).toBe(0);
      expect(Buffer.compare(p.aes256CbcDecrypt(key, iv, ct), pt), `length ${n}`).toBe(0);
    }
  });

  it('key wrap equals the reference on random keys of many lengths, all KEK sizes', () => {
    for (const kekLength of [16, 24, 32]) {
      for (let n = 16; n <= 520; n += 8) {
        const kek = pseudoRandomBytes(kekLength, n * 7 + kekLength);
        const key = pseudoRandomBytes(n, n * 7 + kekLength + 1);
        const wrapped = p.aesKeyWrap(kek, key);
        expect(hex(wrapped), `KEK ${kekLength}, key ${n}`).toBe(hex(ref.aesKeyWrap(kek, key)));
        expect(hex(p.aesKeyUnwrap(kek, wrapped))).toBe(hex(key));
      }
    }
  });

  it('key wrap of inputs longer than the WASM I/O region', () => {
    const kek = pseudoRandomBytes(32, 77);
    for (const n of [65536, 65544, 3 * 65536 + 24]) {
      const key = pseudoRandomBytes(n, n);
      const wrapped = p.aesKeyWrap(kek, key);
      expect(Buffer.compare(wrapped, ref.aesKeyWrap(kek, key)), `key ${n}`).toBe(0);
      expect(Buffer.compare(p.aesKeyUnwrap(kek, wrapped), key), `key ${n}`).toBe(0);
      const tampered = wrapped.slice();
      tampered[n >> 1]! ^= 1;
      expectCryptoError(() => p.aesKeyUnwrap(kek, tampered), 'CRYPTO_INTEGRITY');
    }
  });

  it('refuses a wrong key or IV length', () => {
    const pt = new Uint8Array(10);
    const ct = new Uint8Array(16);
    for (const k of [0, 16, 24, 31, 33, 64]) {
      expectCryptoError(() => p.aes256CbcEncrypt(new Uint8Array(k), new Uint8Array(16), pt), 'CRYPTO_INVALID_LENGTH');
      expectCryptoError(() => p.aes256CbcDecrypt(new Uint8Array(k), new Uint8Array(16), ct), 'CRYPTO_INVALID_LENGTH');
    }
    for (const v of [0, 8, 15, 17, 32]) {
      expectCryptoError(() => p.aes256CbcEncrypt(new Uint8Array(32), new Uint8Array(v), pt), 'CRYPTO_INVALID_LENGTH');
      expectCryptoError(() => p.aes256CbcDecrypt(new Uint8Array(32), new Uint8Array(v), ct), 'CRYPTO_INVALID_LENGTH');
    }
  });

  it('refuses a ciphertext that is not a positive multiple of 16 bytes', () => {
    for (const n of [0, 1, 15, 17, 31, 33, 65537]) {
      expectCryptoError(() => p.aes256CbcDecrypt(new Uint8Array(32), new Uint8Array(16), new Uint8Array(n)), 'CRYPTO_INVALID_CIPHERTEXT');
    }
  });

  it('refuses bad padding with a typed error, never a wrong plaintext', () => {
    const key = pseudoRandomBytes(32, 9);
    const iv = pseudoRandomBytes(16, 10);
    const ct = p.aes256CbcEncrypt(key, iv, pseudoRandomBytes(40, 11));
    // Flipping the low bits of the next-to-last block's last byte changes the last plaintext
    // byte (the padding length 8) to 0 or to 9..15, all invalid against the bytes before it.
    for (const flip of [8, 1, 3, 7]) {
      const bad = ct.slice();
      bad[ct.length - 17]! ^= flip;
      expectCryptoError(() => p.aes256CbcDecrypt(key, iv, bad), 'CRYPTO_BAD_PADDING');
    }
    // A wrong key almost never yields valid padding; with these fixed inputs it does not.
    expectCryptoError(() => p.aes256CbcDecrypt(pseudoRandomBytes(32, 12), iv, ct), 'CRYPTO_BAD_PADDING');
  });

  it('refuses arguments that are not Uint8Array', () => {
    const k = new Uint8Array(32);
    const iv = new Uint8Array(16);
    const d = new Uint8Array(32);
    const bad: unknown[] = [undefined, null, 'x'.repeat(32), Array.from(k), k.buffer, new DataView(k.buffer), 32];
    for (const b of bad) {
      const x = b as Uint8Array;
      expectCryptoError(() => p.aes256CbcEncrypt(x, iv, d), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aes256CbcEncrypt(k, x, d), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aes256CbcEncrypt(k, iv, x), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aes256CbcDecrypt(x, iv, d), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aes256CbcDecrypt(k, x, d), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aes256CbcDecrypt(k, iv, x), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aesKeyWrap(x, d), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aesKeyWrap(k, x), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aesKeyUnwrap(x, d), 'CRYPTO_INVALID_ARGUMENT');
      expectCryptoError(() => p.aesKeyUnwrap(k, x), 'CRYPTO_INVALID_ARGUMENT');
    }
  });

  it('refuses bad key-wrap lengths, a wrong KEK and any tampered byte', () => {
    for (const n of [0, 8, 15, 20, 40]) {
      expectCryptoError(() => p.aesKeyWrap(new Uint8Array(n), new Uint8Array(16)), 'CRYPTO_INVALID_LENGTH');
      expectCryptoError(() => p.aesKeyUnwrap(new Uint8Array(n), new Uint8Array(24)), 'CRYPTO_INVALID_LENGTH');
    }
    for (const n of [0, 8, 12, 17, 23]) expectCryptoError(() => p.aesKeyWrap(new Uint8Array(16), new Uint8Array(n)), 'CRYPTO_INVALID_LENGTH');
    for (const n of [0, 8, 16, 23, 25, 33]) expectCryptoError(() => p.aesKeyUnwrap(new Uint8Array(16), new Uint8Array(n)), 'CRYPTO_INVALID_CIPHERTEXT');
    const kek = pseudoRandomBytes(24, 5);
    const wrapped = p.aesKeyWrap(kek, pseudoRandomBytes(32, 6));
    expectCryptoError(() => p.aesKeyUnwrap(pseudoRandomBytes(24, 7), wrapped), 'CRYPTO_INTEGRITY');
    for (let i = 0; i < wrapped.length; i++) {
      const bad = wrapped.slice();
      bad[i]! ^= 0x80 >> (i % 8);
      expectCryptoError(() => p.aesKeyUnwrap(kek, bad), 'CRYPTO_INTEGRITY');
    }
  });
});

describe('the WASM AES core', () => {
  const memorySize = () => wasmMemory.buffer.byteLength;
  /** Bytes of WASM memory that differ from their state at instantiation. */
  const changed = () => new Uint8Array(wasmMemory.buffer).reduce((n, b, i) => n + (b !== pristine[i] ? 1 : 0), 0);

  it('keeps its memory at its initial size while encrypting 64 MiB', () => {
    const before = memorySize();
    expect(before).toBeLessThanOrEqual(256 * 1024);
    const key = pseudoRandomBytes(32, 1);
    const chunk = pseudoRandomBytes(4 << 20, 3);
    let iv: Uint8Array = pseudoRandomBytes(16, 2);
    let lastIv = iv;
    let ct: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 16; i++) {
      lastIv = iv;
      ct = wasm.aes256CbcEncrypt(key, iv, chunk);
      iv = ct.subarray(ct.length - 16);
      expect(memorySize()).toBe(before);
    }
    expect(Buffer.compare(wasm.aes256CbcDecrypt(key, lastIv, ct), chunk)).toBe(0);
    expect(memorySize()).toBe(before);
  });

  it('leaves no key, round key or plaintext in its memory after each call', () => {
    const heap = new Uint8Array(wasmMemory.buffer);
    heap.set(pristine);
    const io = (instance.exports.ioPtr as () => number)();
    const ioSize = (instance.exports.ioSize as () => number)();
    const key = pseudoRandomBytes(32, 21);
    const iv = pseudoRandomBytes(16, 22);
    const pt = pseudoRandomBytes(100_000, 23);
    const ct = wasm.aes256CbcEncrypt(key, iv, pt);
    // Encryption works in place, so the I/O region holds ciphertext only: the last chunk, then
    // the rest of the chunk before it. Nothing else may be nonzero.
    const tail = ct.subarray(ioSize);
    const expected = Buffer.concat([tail, ct.subarray(tail.length, ioSize)]);
    expect(Buffer.compare(heap.subarray(io, io + ioSize), expected)).toBe(0);
    heap.set(pristine.subarray(io, io + ioSize), io);
    expect(changed()).toBe(0);

    expect(Buffer.compare(wasm.aes256CbcDecrypt(key, iv, ct), pt)).toBe(0);
    expect(changed()).toBe(0);
    const bad = ct.slice();
    bad[bad.length - 17]! ^= 1;
    expectCryptoError(() => wasm.aes256CbcDecrypt(key, iv, bad), 'CRYPTO_BAD_PADDING');
    expect(changed()).toBe(0);

    const kek = pseudoRandomBytes(32, 24);
    const wrapped = wasm.aesKeyWrap(kek, key);
    expect(changed()).toBe(0);
    expect(Buffer.compare(wasm.aesKeyUnwrap(kek, wrapped), key)).toBe(0);
    expect(changed()).toBe(0);
    wrapped[0]! ^= 1;
    expectCryptoError(() => wasm.aesKeyUnwrap(kek, wrapped), 'CRYPTO_INTEGRITY');
    expect(changed()).toBe(0);
  });

  it('uses tables that match their derivation (core-wasm/aes/gen-tables.mjs --check)', () => {
    const out = execFileSync(process.execPath, [resolve(repoRoot, 'core-wasm/aes/gen-tables.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toContain('matches');
  });
});
