import { merkleRoot as sdkMerkleRoot, getProvider, type CryptoProvider, type ProviderName } from '../sdk/crypto/index.js';
import { loadNodeCrypto } from '../sdk/crypto/native/provider.js';
import type { BenchCase } from './harness.js';
import { filled, KiB, MiB, sizeLabel } from './fixtures.js';
import { peerHashCases } from './peers.js';

export const MERKLE_GROUP = 'merkleRoot 100,000 × 64 B';

type NodeCrypto = NonNullable<ReturnType<typeof loadNodeCrypto>>;

/**
 * The Merkle baseline: RFC 9162 §2.1.1 tree head with OpenSSL doing the hashing, written the
 * fastest way node:crypto allows. There is no multi-message digest in node:crypto, so a tree of
 * n leaves costs 2n − 1 OpenSSL calls whatever one does; what can be removed is everything
 * around them. Each node is one `crypto.hash('sha512', …)` (Node ≥ 20.12: a one-shot EVP digest
 * with no Hash object, measured 2× faster than `createHash().update().digest()` per 65- or
 * 129-byte input), whose input is assembled in one reused buffer (0x00 ‖ leaf, 0x01 ‖ l ‖ r).
 * The tree is built level by level, an odd node moving up unchanged, which yields exactly the
 * RFC's split at the largest power of two (checked against the SDK's root before timing).
 */
export function opensslMerkleRoot(c: NodeCrypto, leaves: readonly Uint8Array[]): Uint8Array {
  const hash = (c as unknown as { hash(alg: string, data: Uint8Array, enc: 'buffer'): Uint8Array }).hash;
  if (leaves.length === 0) return hash('sha512', new Uint8Array(0), 'buffer');
  const leafBuf = new Uint8Array(1 + (leaves[0]?.length ?? 0));
  let level: Uint8Array[] = new Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    const buf = leaf.length + 1 === leafBuf.length ? leafBuf : new Uint8Array(leaf.length + 1);
    buf[0] = 0;
    buf.set(leaf, 1);
    level[i] = hash('sha512', buf, 'buffer');
  }
  const nodeBuf = new Uint8Array(129);
  nodeBuf[0] = 1;
  while (level.length > 1) {
    const next: Uint8Array[] = new Array((level.length + 1) >> 1);
    for (let i = 0; i + 1 < level.length; i += 2) {
      nodeBuf.set(level[i]!, 1);
      nodeBuf.set(level[i + 1]!, 65);
      next[i >> 1] = hash('sha512', nodeBuf, 'buffer');
    }
    if (level.length & 1) next[next.length - 1] = level[level.length - 1]!;
    level = next;
  }
  return level[0]!;
}

/**
 * The foundation's benchmark cases (issue 2 §4) for each provider present, and the peer
 * libraries (peers.ts) in the hashing and MAC groups. Every provider and peer hashes the same
 * bytes; HMAC uses the same 64-byte key everywhere.
 */
export function cryptoBenchCases(names: ProviderName[], quick: boolean): BenchCase[] {
  const ps: CryptoProvider[] = names.map((n) => getProvider(n));
  const cases: BenchCase[] = [];
  const each = (group: string, bytes: number | undefined, make: (p: CryptoProvider) => () => void) => {
    for (const p of ps) cases.push({ group, provider: p.name, fn: make(p), ...(bytes ? { bytes } : {}) });
  };
  for (const n of [64, KiB, MiB]) {
    const data = filled(n);
    each(`SHA-512 ${sizeLabel(n)}`, n, (p) => () => void p.sha512(data));
    each(`SHA3-512 ${sizeLabel(n)}`, n, (p) => () => void p.sha3_512(data));
  }
  const key = filled(64);
  const msg64 = filled(64);
  each('HMAC-SHA-512 64 B', 64, (p) => () => void p.hmacSha512(key, msg64));
  if (!quick) {
    const msg1k = filled(KiB);
    each('HMAC-SHA-512 1 KiB', KiB, (p) => () => void p.hmacSha512(key, msg1k));
  }
  cases.push(...peerHashCases(quick));
  const ikm = filled(32);
  const salt = filled(32).reverse();
  const info = new TextEncoder().encode('BaseDeviceEncrypt');
  each('HKDF-SHA-512 →112 B', undefined, (p) => () => void p.hkdfSha512(ikm, salt, info, 112));
  const aesKey = filled(32);
  const iv = filled(16);
  for (const n of [KiB, MiB]) {
    const pt = filled(n);
    const ct = getProvider('pure').aes256CbcEncrypt(aesKey, iv, pt);
    each(`AES-256-CBC encrypt ${sizeLabel(n)}`, n, (p) => () => void p.aes256CbcEncrypt(aesKey, iv, pt));
    each(`AES-256-CBC decrypt ${sizeLabel(n)}`, n, (p) => () => void p.aes256CbcDecrypt(aesKey, iv, ct));
  }
  const leaves = Array.from({ length: 100_000 }, (_, i) => {
    const l = filled(64);
    l[0] = i & 0xff; l[1] = (i >> 8) & 0xff; l[2] = i >> 16;
    return l;
  });
  // Merkle: wasm and pure as providers; native is the OpenSSL baseline above, not the native
  // provider (which goes through the generic node hasher of sdk/crypto/merkle.ts).
  for (const p of ps.filter((x) => x.name !== 'native')) cases.push({ group: MERKLE_GROUP, provider: p.name, fn: () => void p.merkleRoot(leaves) });
  const node = names.includes('native') ? loadNodeCrypto() : undefined;
  if (node) {
    const root = opensslMerkleRoot(node, leaves);
    const expected = sdkMerkleRoot(leaves);
    if (root.length !== expected.length || root.some((b, i) => b !== expected[i])) {
      throw new Error('the OpenSSL Merkle baseline disagrees with the SDK: it would not measure the same tree');
    }
    cases.push({ group: MERKLE_GROUP, provider: 'native', fn: () => void opensslMerkleRoot(node, leaves) });
  }
  return cases;
}

/** Issue 2's same-run targets: ratio of `a` over `b` ops/s in `group` must reach `min`. */
export const cryptoTargets: { group: string; a: string; b: string; min: number }[] = [
  { group: 'SHA-512 1 MiB', a: 'wasm', b: 'native', min: 0.6 },
  { group: 'SHA3-512 1 MiB', a: 'wasm', b: 'native', min: 0.65 },
  { group: 'SHA-512 64 B', a: 'wasm', b: 'native', min: 3 },
  { group: 'SHA3-512 64 B', a: 'wasm', b: 'native', min: 3 },
  { group: 'HMAC-SHA-512 64 B', a: 'wasm', b: 'native', min: 1.5 },
  { group: 'HKDF-SHA-512 →112 B', a: 'wasm', b: 'native', min: 2 },
  { group: 'AES-256-CBC encrypt 1 KiB', a: 'wasm', b: 'pure', min: 2 },
  { group: 'AES-256-CBC encrypt 1 MiB', a: 'wasm', b: 'pure', min: 2 },
  { group: MERKLE_GROUP, a: 'wasm', b: 'native', min: 1.6 },
];
