import { getProvider, type CryptoProvider, type ProviderName } from '../sdk/crypto/index.js';
import type { BenchCase } from './harness.js';
import { filled, KiB, MiB, sizeLabel } from './fixtures.js';




/** The foundation's benchmark cases (issue 2 §4), for each provider present. */
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
  each('merkleRoot 100,000 × 64 B', undefined, (p) => () => void p.merkleRoot(leaves));
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
  { group: 'merkleRoot 100,000 × 64 B', a: 'wasm', b: 'native', min: 1.6 },
];
