import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoError } from '../sdk/crypto/errors.js';
import { createNativeSymmetric } from '../sdk/crypto/native/symmetric.js';
import { pureProvider } from '../sdk/crypto/pure/provider.js';
import { fromHex, hex, pseudoRandomBytes } from './support/providers.js';

// Deno and Bun expose AES-ECB but not OpenSSL's `id-aesN-wrap`: the native provider then
// falls back to RFC 3394 over ECB. Simulate such a runtime by hiding the wrap ciphers.
const withoutWrap = { ...nodeCrypto, getCiphers: () => nodeCrypto.getCiphers().filter((n) => !n.includes('wrap')) };
const native = createNativeSymmetric(withoutWrap as typeof nodeCrypto);

describe('AES key wrap over AES-ECB (runtimes without id-aesN-wrap)', () => {
  it('reproduces RFC 3394 §4.6 (256-bit KEK, 256-bit key)', () => {
    const kek = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const key = fromHex('00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f');
    const wrapped = native.aesKeyWrap(kek, key);
    expect(hex(wrapped)).toBe('28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21');
    expect(hex(native.aesKeyUnwrap(kek, wrapped))).toBe(hex(key));
  });

  it('agrees with the pure provider for every KEK size and key lengths 16..64', () => {
    for (const kekLength of [16, 24, 32]) {
      for (let n = 16; n <= 64; n += 8) {
        const kek = pseudoRandomBytes(kekLength, kekLength * 100 + n);
        const key = pseudoRandomBytes(n, n);
        const wrapped = native.aesKeyWrap(kek, key);
        expect(hex(wrapped)).toBe(hex(pureProvider.aesKeyWrap(kek, key)));
        expect(hex(native.aesKeyUnwrap(kek, wrapped))).toBe(hex(key));
      }
    }
  });

  it('refuses a tampered or wrongly keyed input with CRYPTO_INTEGRITY', () => {
    const kek = pseudoRandomBytes(32, 1);
    const wrapped = native.aesKeyWrap(kek, pseudoRandomBytes(32, 2));
    for (const i of [0, 7, 8, 39]) {
      const bad = wrapped.slice();
      bad[i]! ^= 1;
      expect(() => native.aesKeyUnwrap(kek, bad)).toThrow(expect.objectContaining({ code: 'CRYPTO_INTEGRITY' }));
    }
    expect(() => native.aesKeyUnwrap(pseudoRandomBytes(32, 3), wrapped)).toThrow(CryptoError);
  });
});
