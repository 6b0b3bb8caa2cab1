import { checkPrimeSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { beToBigInt, bigIntToBe, bigIntToLe, fitsInBytes, leToBigInt, mod, modInverse, modPow, nextPrime } from '../sdk/crypto/bigint.js';
import { prng } from './support/random.js';

describe('BigInt helpers (sdk/crypto/bigint.ts, the one home)', () => {
  it('byte conversions round trip in both orders and agree with Buffer', () => {
    const r = prng(9);
    for (let n = 0; n < 80; n++) {
      const b = Uint8Array.from({ length: n }, () => r(256));
      const be = beToBigInt(b);
      expect(be).toBe(n === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex')));
      expect(leToBigInt(b)).toBe(beToBigInt(b.slice().reverse()));
      expect(bigIntToBe(be, n)).toEqual(b);
      expect(bigIntToLe(leToBigInt(b), n)).toEqual(b);
    }
  });

  it('a value that does not fit, or a negative one, is refused', () => {
    expect(fitsInBytes(255n, 1)).toBe(true);
    expect(fitsInBytes(256n, 1)).toBe(false);
    expect(fitsInBytes(-1n, 8)).toBe(false);
    expect(() => bigIntToBe(256n, 1)).toThrow(RangeError);
    expect(() => bigIntToLe(1n << 448n, 56)).toThrow(RangeError);
    expect(() => bigIntToLe(-1n, 56)).toThrow(RangeError);
  });

  it('modular arithmetic', () => {
    // nextPrime against OpenSSL's primality test as an independent oracle.
    const p = nextPrime(1n << 127n);
    expect(checkPrimeSync(p)).toBe(true);
    for (let c = (1n << 127n) + 1n; c < p; c += 2n) expect(checkPrimeSync(c), String(c)).toBe(false);
    for (const a of [1n, 2n, 12345678901234567890n, p - 1n, -5n]) {
      expect(mod(a * modInverse(a, p), p)).toBe(1n);
      expect(modPow(a, p - 1n, p)).toBe(1n); // Fermat
    }
    expect(() => modInverse(0n, p)).toThrow(RangeError);
    expect(() => modInverse(6n, 9n)).toThrow(RangeError);
  });
});
