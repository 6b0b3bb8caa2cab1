import { getProvider, type ProviderName } from '../sdk/crypto/index.js';
import { loadNodeCrypto } from '../sdk/crypto/native/provider.js';
import { decodeJsonB, encodeJsonB } from '../sdk/encoding/index.js';
import {
  authenticator, compressionLevel, contentDigest, contentDigestFromCdv, digestTypeCode, parseUdf, presentUdf, recoverSecret,
  saltedPin, splitSecret,
} from '../sdk/udf/index.js';
import type { BenchCase } from './harness.js';
import { filled, KiB, MiB, sizeLabel } from './fixtures.js';

/**
 * Benchmark cases of issue 4 (UDF), for the benchmark.js harness (bench/harness.ts).
 *
 * Performance target (issue 4): `contentDigest` of a 1 MiB input on the WASM path ≥ 0.6× the
 * same computation written on node:crypto — see {@link udfTargets}. The per-provider
 * `contentDigest` cases run the UDF code with the data hash on that provider (the 75-byte typed
 * hash that follows goes through the SDK's routing, as in production); the `native` case is the
 * whole computation written directly on node:crypto (createHash twice, then the same presentation),
 * i.e. what an application would write without the SDK.
 * Cases whose cost is TypeScript logic (parse, present, Shamir, JSON-B) run once, on the SDK's
 * default routing, under the provider label `wasm` (after `init()`).
 */
export interface UdfBenchCase extends BenchCase {
  /** Short operation name (the group without the size). */
  name: string;
}



/** contentDigest written directly on node:crypto (the comparison baseline). */
function nodeContentDigest(c: NonNullable<ReturnType<typeof loadNodeCrypto>>, data: Uint8Array, contentType: string): string {
  const cdv = c.createHash('sha512').update(data).digest();
  const tcdv = c.createHash('sha512').update(contentType).update(':').update(cdv).digest();
  const binary = new Uint8Array(65);
  binary[0] = digestTypeCode('sha2', compressionLevel(tcdv));
  binary.set(tcdv, 1);
  return presentUdf(binary, 140);
}

/** The UDF cases for the providers present (`names`, e.g. ['wasm', 'pure', 'native']). */
export function udfBenchCases(names: readonly ProviderName[] = ['wasm', 'pure', 'native'], quick = false): UdfBenchCase[] {
  const cases: UdfBenchCase[] = [];
  const node = loadNodeCrypto();
  const ct = 'text/plain';

  for (const n of quick ? [64, MiB] : [64, KiB, MiB]) {
    const data = filled(n);
    const group = `UDF contentDigest ${sizeLabel(n)}`;
    for (const p of names) {
      if (p === 'native') {
        if (node) cases.push({ group, name: 'contentDigest', provider: p, bytes: n, fn: () => void nodeContentDigest(node, data, ct) });
        continue;
      }
      const provider = getProvider(p);
      cases.push({
        group, name: 'contentDigest', provider: p, bytes: n,
        fn: () => void contentDigestFromCdv(provider.sha512(data), { contentType: ct }),
      });
    }
  }

  const sdk = (name: string, group: string, fn: () => void): void => void cases.push({ group, name, provider: names[0] ?? 'wasm', fn });
  const doc = filled(KiB);
  const udf = contentDigest(doc, { contentType: ct });
  const key = 'NDD7-6CMX-H2FW-ISAL-K4VB-DQ3E-PEDM';
  const secret = filled(16);
  const shares = splitSecret(secret, { shares: 5, threshold: 3 }).map((s) => s.udf);
  const object = {
    ConnectionService: { Authentication: { Udf: udf, PublicParameters: { PublicKeyECDH: { crv: 'X448', Public: filled(57) } } }, ProfileUdf: udf },
  };
  const jsonb = encodeJsonB(object);
  sdk('contentDigest', 'UDF contentDigest 1 KiB (default routing)', () => void contentDigest(doc, { contentType: ct }));
  sdk('authenticator', 'UDF authenticator 1 KiB', () => void authenticator(doc, key, { contentType: ct }));
  sdk('parseUdf', 'UDF parse 140-bit', () => void parseUdf(udf));
  sdk('presentUdf', 'UDF present 140-bit', () => void presentUdf(Uint8Array.of(96, ...filled(64)), 140));
  sdk('saltedPin', 'UDF saltedPin', () => void saltedPin('ADKW-K2ZB-PPZM-ECG4-P3NQ-UN4K-XI', 'Device'));
  sdk('splitSecret', 'Shamir split 16 B 3-of-5', () => void splitSecret(secret, { shares: 5, threshold: 3 }));
  sdk('recoverSecret', 'Shamir recover 16 B 3-of-5', () => void recoverSecret(shares.slice(0, 3)));
  sdk('encodeJsonB', 'JSON-B encode ConnectionService', () => void encodeJsonB(object));
  sdk('decodeJsonB', 'JSON-B decode ConnectionService', () => void decodeJsonB(jsonb));
  return cases;
}

/** Issue 4's same-run target. */
export const udfTargets: { group: string; a: string; b: string; min: number }[] = [
  { group: 'UDF contentDigest 1 MiB', a: 'wasm', b: 'native', min: 0.6 },
];
