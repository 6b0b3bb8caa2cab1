import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hexDecode, hexEncode } from '../sdk/encoding/index.js';
import { isProbablePrime } from '../sdk/crypto/bigint.js';
import {
  escrowSeed, nonce, parseShare, presentSecret, recoverSecret, recoverSeed, seedUdf, shamirPrime, SHAMIR_PRIME_OFFSETS, splitSecret,
  splitSecretWithCoefficients, UdfError,
} from '../sdk/udf/index.js';
import { vectorsDir } from './support/paths.js';
import { errorCodeOf, seeded } from './support/random.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type V = Record<string, any>;
const vectors = JSON.parse(readFileSync(resolve(vectorsDir, 'udf.json'), 'utf8')) as V[];

const codeOf = (f: () => unknown): string | undefined => errorCodeOf(UdfError, f);


describe('Shamir shares (udf.md §7)', () => {
  it('shamir-split-3of5-examples: shares from the published coefficients', () => {
    const v = vectors.find((x) => x.id === 'shamir-split-3of5-examples')!;
    const secret = hexDecode(v.secret_hex);
    expect(BigInt(v.coefficients_dec[0])).toBe(BigInt('0x' + v.secret_hex)); // a0 is the secret
    const shares = splitSecretWithCoefficients(secret, v.threshold, v.shares, v.coefficients_dec.slice(1).map(BigInt));
    expect(shares.map((s) => hexEncode(s.bytes))).toEqual(v.expected.share_bytes_hex);
    expect(shares.map((s) => s.udf)).toEqual(v.expected.share_udfs);
    expect(shares.map((s) => BigInt('0x' + hexEncode(s.value)).toString())).toEqual(v.expected.share_values_dec);
    expect(presentSecret(secret)).toBe(v.expected.secret_presentation);
  });

  for (const v of vectors.filter((x) => x.kind === 'shamir-recover')) {
    it(v.id, () => expect(hexEncode(recoverSecret(v.share_udfs))).toBe(v.expected.secret_hex));
  }

  it('draft §4.5 example (a0, a1, a2 → f(1)…f(5))', () => {
    const a = [190071288928200631860159323512976374038n, 14009151250881526762711026105093241258n, 192504880386395685081784875462483055914n];
    const secret = hexDecode(a[0]!.toString(16).padStart(32, '0'));
    expect(presentSecret(secret)).toBe('R37G-MEFF-SSAX-KVPE-BG7O-XIXZ-CY');
    const shares = splitSecretWithCoefficients(secret, 3, 5, a.slice(1));
    expect(shares.map((s) => s.udf)).toEqual([
      'SAYC-UW4N-56UI-VTTZ-62UN-J6FP-ETD3-O', 'SAY6-OXXE-SUNL-KUMX-3ZG6-TRDW-UDAK-Y', 'SAZM-MCDK-AD6B-ICWP-BTJU-QISC-C3RY-6',
      'SAZ4-MWA6-GNGK-N6Q7-QI4P-AEQR-Q4YJ-G', 'SA2O-QTQB-FQGG-4H4J-HZ7O-DE7E-6GT3-Q',
    ]);
  });

  it('prime table: p(n) is the smallest prime above 2^(8n), matching UDFPrimes.md', () => {
    const table = vectors.find((x) => x.id === 'shamir-prime-table')!.expected.primes as V[];
    expect(table).toHaveLength(64);
    for (const { secret_bytes: n, prime } of table) expect(prime).toBe(`2^${8 * n}+${SHAMIR_PRIME_OFFSETS[n - 1]}`);
    for (let n = 1; n <= 64; n++) {
      const base = 1n << BigInt(8 * n);
      expect(isProbablePrime(shamirPrime(n)), `p(${n})`).toBe(true);
      for (let c = base + 1n; c < shamirPrime(n); c++) if (isProbablePrime(c)) throw new Error(`${c} is a smaller prime for n = ${n}`);
    }
  });

  it('split/recover round trips for random secrets and every k-of-n up to 8 (property)', () => {
    const random = seeded(42);
    for (const length of [1, 2, 7, 16, 17, 35, 64]) {
      for (let n = 1; n <= 8; n++) {
        for (let k = 1; k <= n; k++) {
          const secret = random(length);
          const shares = splitSecret(secret, { shares: n, threshold: k, random });
          expect(shares).toHaveLength(n);
          for (const s of shares) {
            expect(s.threshold).toBe(k);
            expect(parseShare(s.udf)).toEqual({ index: s.index, threshold: k, value: s.value });
            expect(s.udf.replace(/-/g, '').length).toBe(Math.ceil((8 * (length + 2)) / 5));
          }
          // A random quorum, in random order, and all shares at once.
          const order = [...shares].sort(() => random(1)[0]! - 128);
          expect(hexEncode(recoverSecret(order.slice(0, k).map((s) => s.udf)))).toBe(hexEncode(secret));
          expect(hexEncode(recoverSecret(shares.map((s) => s.bytes)))).toBe(hexEncode(secret));
          if (k > 1) expect(codeOf(() => recoverSecret(order.slice(0, k - 1).map((s) => s.udf)))).toBe('UDF_QUORUM');
        }
      }
    }
  });

  it('redraws coefficients until every share fits in n bytes (1-byte secrets over p = 257)', () => {
    const random = seeded(7);
    for (let i = 0; i < 300; i++) {
      const secret = random(1);
      const shares = splitSecret(secret, { shares: 8, threshold: 3, random });
      expect(shares.every((s) => s.value.length === 1)).toBe(true);
      expect(recoverSecret([shares[7]!.udf, shares[2]!.udf, shares[4]!.udf])).toEqual(secret);
    }
  });

  it('is deterministic under an injected random source and random by default', () => {
    const secret = hexDecode('00112233445566778899aabbccddeeff');
    const a = splitSecret(secret, { shares: 3, threshold: 2, random: seeded(1) }).map((s) => s.udf);
    expect(splitSecret(secret, { shares: 3, threshold: 2, random: seeded(1) }).map((s) => s.udf)).toEqual(a);
    expect(splitSecret(secret, { shares: 3, threshold: 2 }).map((s) => s.udf)).not.toEqual(a);
  });

  it('bad input gives typed errors', () => {
    const secret = hexDecode('d3c2a420c50bf027c17225733c8e3382');
    const one = splitSecret(secret, { shares: 5, threshold: 3 });
    const two = splitSecret(secret, { shares: 5, threshold: 3 });
    const other = splitSecret(hexDecode('d3c2a420c50bf027c17225733c8e33'), { shares: 5, threshold: 3 });
    const twoOfFive = splitSecret(secret, { shares: 5, threshold: 2 });
    expect(codeOf(() => recoverSecret([one[0]!.udf, one[1]!.udf]))).toBe('UDF_QUORUM');
    expect(codeOf(() => recoverSecret([]))).toBe('UDF_QUORUM');
    expect(codeOf(() => recoverSecret([one[0]!.udf, one[0]!.udf, one[1]!.udf]))).toBe('UDF_DUPLICATE_SHARE');
    expect(codeOf(() => recoverSecret([one[0]!.udf, two[0]!.udf, one[1]!.udf]))).toBe('UDF_SHARE_MISMATCH');
    expect(codeOf(() => recoverSecret([one[0]!.udf, one[1]!.udf, one[2]!.udf, two[3]!.udf]))).toBe('UDF_SHARE_MISMATCH');
    expect(codeOf(() => recoverSecret([one[0]!.udf, other[1]!.udf, one[2]!.udf]))).toBe('UDF_SHARE_MISMATCH');
    expect(codeOf(() => recoverSecret([one[0]!.udf, twoOfFive[1]!.udf, one[2]!.udf]))).toBe('UDF_SHARE_MISMATCH');
    expect(codeOf(() => recoverSecret([nonce()]))).toBe('UDF_WRONG_TYPE');
    expect(codeOf(() => recoverSecret([Uint8Array.of(0x02, 1, 2)]))).toBe('UDF_BAD_SHARE');
    expect(codeOf(() => splitSecret(new Uint8Array(65), { shares: 2, threshold: 2 }))).toBe('UDF_BAD_SECRET');
    expect(codeOf(() => splitSecret(new Uint8Array(0), { shares: 2, threshold: 2 }))).toBe('UDF_BAD_SECRET');
    expect(codeOf(() => splitSecret(secret, { shares: 16, threshold: 2 }))).toBe('UDF_BAD_ARGUMENT');
    expect(codeOf(() => splitSecret(secret, { shares: 3, threshold: 4 }))).toBe('UDF_BAD_ARGUMENT');
    expect(codeOf(() => splitSecret(secret, { shares: 3, threshold: 0 }))).toBe('UDF_BAD_ARGUMENT');
    expect(codeOf(() => splitSecretWithCoefficients(secret, 3, 5, [1n]))).toBe('UDF_BAD_ARGUMENT');
    // Errors never carry share or secret text.
    try {
      recoverSecret([one[0]!.udf, two[0]!.udf, one[1]!.udf]);
    } catch (e) {
      expect((e as Error).message).not.toContain(one[0]!.udf.slice(0, 9));
    }
  });

  it('escrows a seed UDF and recovers it', () => {
    const seed = seedUdf('MeshProfileDevice', seeded(3)(32));
    const shares = escrowSeed(seed, { shares: 3, threshold: 2 });
    expect(recoverSeed([shares[2]!.udf, shares[0]!.udf])).toBe(seed);
    expect(codeOf(() => escrowSeed(nonce(), { shares: 3, threshold: 2 }))).toBe('UDF_BAD_SEED');
    const notSeed = splitSecret(seeded(4)(35), { shares: 2, threshold: 2 });
    expect(codeOf(() => recoverSeed(notSeed.map((s) => s.udf)))).toBe('UDF_BAD_SEED');
  });
});
