import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MerkleCompactRange, merkleHasherFrom } from '../sdk/crypto/index.js';
import { CryptoError } from '../sdk/crypto/errors.js';
import { allProviders, hex, pseudoRandomBytes } from './support/providers.js';
import { referenceMth as mth } from './support/merkle-reference.js';

/** RFC 9162 tree head on node:crypto (independent of the providers under test). */
function referenceMth(leaves: Uint8Array[]): Buffer {
  return Buffer.from(mth(leaves, (...parts) => {
    const c = createHash('sha512');
    for (const p of parts) c.update(p);
    return c.digest();
  }));
}

const leavesOf = (n: number, size = 64) => Array.from({ length: n }, (_, i) => pseudoRandomBytes(size - (i % 7), i + 1));

describe.each(allProviders())('merkleRoot on $name', (provider) => {
  it('matches the recursive RFC 9162 definition for n = 0..70', () => {
    for (let n = 0; n <= 70; n++) {
      const leaves = leavesOf(n);
      expect(hex(provider.merkleRoot(leaves)), `n = ${n}`).toBe(referenceMth(leaves).toString('hex'));
    }
  });

  it('handles empty and odd-sized leaves', () => {
    const leaves = [new Uint8Array(0), pseudoRandomBytes(1, 9), pseudoRandomBytes(300, 10)];
    expect(hex(provider.merkleRoot(leaves))).toBe(referenceMth(leaves).toString('hex'));
  });

  it('refuses non-array and non-byte leaves with a typed error', () => {
    expect(() => provider.merkleRoot('abc' as unknown as Uint8Array[])).toThrow(CryptoError);
    try {
      provider.merkleRoot([new Uint8Array(1), [1, 2] as unknown as Uint8Array]);
      expect.unreachable();
    } catch (e) {
      expect((e as CryptoError).code).toBe('CRYPTO_INVALID_ARGUMENT');
    }
  });
});

describe('merkleRoot at scale', () => {
  it('100,000 leaves of 64 B: every provider equals the recursive definition', () => {
    const leaves = Array.from({ length: 100_000 }, (_, i) => pseudoRandomBytes(64, i + 7));
    const expected = referenceMth(leaves).toString('hex');
    for (const p of allProviders()) expect(hex(p.merkleRoot(leaves)), p.name).toBe(expected);
  });
});

describe('MerkleCompactRange', () => {
  const hasher = merkleHasherFrom((d) => new Uint8Array(createHash('sha512').update(d).digest()));

  it('gives the head of every prefix while growing, with O(log n) subtree roots', () => {
    const range = new MerkleCompactRange(hasher);
    const leaves = leavesOf(130, 40);
    expect(hex(range.root())).toBe(referenceMth([]).toString('hex'));
    leaves.forEach((leaf, i) => {
      range.append(leaf);
      expect(range.size).toBe(i + 1);
      // One perfect subtree per set bit of the size.
      expect(range.subtreeRoots.length).toBe((i + 1).toString(2).replace(/0/g, '').length);
      expect(hex(range.root()), `prefix ${i + 1}`).toBe(referenceMth(leaves.slice(0, i + 1)).toString('hex'));
    });
  });
});
