import { getProvider, type CryptoProvider, type ProviderName } from '../sdk/crypto/index.js';
import {
  decodeEnvelope, darePrivateKey, encodeEnvelope, publicPart, serializeEnvelope, type DarePrivateKey,
} from '../sdk/dare/index.js';
import type { BenchCase } from './harness.js';
import { filled, KiB, MiB } from './fixtures.js';

/**
 * Benchmark cases of issue 5 (DARE envelopes), for bench/harness.ts. Each case runs the whole
 * envelope code on one provider (`encodeEnvelope` / `decodeEnvelope` with `provider`):
 * - encode = encrypt to one X448 recipient (ephemeral key, ECDH, HKDF, key wrap, AES-256-CBC) +
 *   SHA-512 digest + Ed448 signature (56-byte Mesh seed) + witness, serialized as JSON;
 * - decode = parse + digest + Ed448 verify + X448 unwrap + witness + AES-256-CBC decrypt.
 * 1 KiB cases are counted in envelopes/s (ops/s), JSON form; 1 MiB cases also in MB/s, JSON-B form
 * (the JSON form adds a base64url pass that costs the same on every provider and is today the
 * slowest step by far, ~130 ms/MiB in `mathmesh/encoding`, hiding the providers). Only `wasm` and
 * `pure` are compared: the native provider has no Curve448 Mesh operations (56-byte Ed448 seeds
 * would fall back to pure), so its figure would not describe a path.
 */



function fixedKey(algorithm: 'X448' | 'Ed448', start: number): DarePrivateKey {
  return darePrivateKey(algorithm, Uint8Array.from({ length: 56 }, (_, i) => (start + i * 13) & 0xff));
}

/** The DARE envelope cases for each of `names` that is `wasm` or `pure` (call after `init()`). */
export function dareBenchCases(names: ProviderName[], quick: boolean): BenchCase[] {
  const ps: CryptoProvider[] = names.filter((n) => n === 'wasm' || n === 'pure').map((n) => getProvider(n));
  const recipient = fixedKey('X448', 1);
  const signer = fixedKey('Ed448', 2);
  const cases: BenchCase[] = [];
  const sizes: [number, string][] = quick ? [[KiB, '1 KiB']] : [[KiB, '1 KiB'], [MiB, '1 MiB JSON-B']];
  for (const [n, label] of sizes) {
    const payload = filled(n);
    const form = n >= MiB ? 'jsonb' : 'json';
    const encode = (p: CryptoProvider) => serializeEnvelope(
      encodeEnvelope(payload, { recipients: [publicPart(recipient)], signers: [signer], provider: p }), form);
    const encoded = encode(getProvider('pure'));
    for (const p of ps) {
      cases.push({ group: `DARE encode ${label} (X448 + Ed448)`, provider: p.name, fn: () => void encode(p), ...(n >= MiB ? { bytes: n } : {}) });
    }
    for (const p of ps) {
      const fn = () => void decodeEnvelope(encoded, { keys: [recipient], signers: [publicPart(signer)], requireSignature: true, provider: p });
      cases.push({ group: `DARE decode+verify ${label} (X448 + Ed448)`, provider: p.name, fn, ...(n >= MiB ? { bytes: n } : {}) });
    }
  }
  return cases;
}

/** Issue 5's same-run targets: envelopes/s on the WASM path at least 5× the pure path. */
export const dareTargets: { group: string; a: string; b: string; min: number }[] = [
  { group: 'DARE encode 1 KiB (X448 + Ed448)', a: 'wasm', b: 'pure', min: 5 },
  { group: 'DARE decode+verify 1 KiB (X448 + Ed448)', a: 'wasm', b: 'pure', min: 5 },
];
