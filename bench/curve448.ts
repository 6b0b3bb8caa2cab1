import { ed448 as nobleEd448 } from '@noble/curves/ed448.js';
import {
  createWasmCurve448, nativeCurve448, pureCurve448Mesh, pureEd448, pureX448, type WasmCurve448,
} from '../sdk/crypto/curves/index.js';
import { leToBigInt } from '../sdk/crypto/bigint.js';
import { wasmBase64 } from '../sdk/crypto/wasm/generated/curve448.js';
import { decodeBase64, instantiateFamilySync } from '../sdk/crypto/wasm/loader.js';
import { getProvider, initSync } from '../sdk/crypto/index.js';
import type { BenchCase } from './harness.js';
import { peerCurveCases } from './peers.js';

/**
 * Benchmark cases of issue 3 (Ed448 / X448 and the Mesh's point operations) for the
 * benchmark.js harness (bench/harness.ts). Every group runs the providers that have the
 * operation: `native` is node:crypto/OpenSSL through `nativeCurve448()` (its KeyObjects are
 * cached per key buffer, so the native numbers are OpenSSL's signing/agreement cost, not key
 * import); `pure` is our provider on @noble/curves; `wasm` is core-wasm/curve448; the peer
 * `noble` (sign, verify, X448) is @noble/curves called directly (peers.ts).
 *
 * Targets (issue 3, same-run ratios): see {@link curveTargets}.
 */
export interface CurveBenchCase extends BenchCase {
  /** Short operation name. */
  name: string;
}

function wasmShake(): ((data: Uint8Array, n: number) => Uint8Array) | undefined {
  try {
    initSync();
    const p = getProvider('wasm');
    return (data, n) => p.shake256(data, n);
  } catch {
    return undefined;
  }
}

function filled(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 17 + 7) & 0xff;
  return b;
}

/**
 * The cases. Pass an instantiated WASM curve to reuse it; by default the inlined bytes are
 * instantiated with the WASM provider's SHAKE256 (as `provider.ed448` is wired), falling back
 * to @noble/hashes when the WASM hash family is unavailable.
 */
export function curveBenchCases(opts: { wasm?: WasmCurve448 } = {}): CurveBenchCase[] {
  const wasm = opts.wasm ?? createWasmCurve448(instantiateFamilySync('curve448', decodeBase64(wasmBase64)), wasmShake());
  const native = nativeCurve448();
  const cases: CurveBenchCase[] = [];
  const add = (group: string, name: string, provider: CurveBenchCase['provider'], fn: () => void) =>
    cases.push({ group, name, provider, fn });

  const secret = filled(57, 1);
  const msg = filled(64, 2);
  const pk = pureEd448.getPublicKey(secret);
  const sig = pureEd448.sign(msg, secret);
  const apis = [
    ['wasm', { ed448: wasm.ed448, x448: wasm.x448 }],
    ['pure', { ed448: pureEd448, x448: pureX448 }],
    ...(native ? [['native', native] as const] : []),
  ] as const;

  // keygen: a fresh secret each call for native would measure key import; the secret is fixed
  // for all providers and native's cache is bypassed by copying the buffer.
  for (const [p, api] of apis) {
    add('Ed448 keygen', 'keygen', p, p === 'native' ? () => void api.ed448.getPublicKey(secret.slice()) : () => void api.ed448.getPublicKey(secret));
  }
  for (const [p, api] of apis) add('Ed448 sign 64 B', 'sign', p, () => void api.ed448.sign(msg, secret));
  for (const [p, api] of apis) add('Ed448 verify 64 B', 'verify', p, () => void api.ed448.verify(sig, msg, pk));
  const xs = filled(56, 3);
  const xpeer = pureX448.getPublicKey(filled(56, 4));
  for (const [p, api] of apis) add('X448 shared secret', 'x448', p, () => void api.x448.getSharedSecret(xs, xpeer));
  for (const c of peerCurveCases({ secret, msg, sig, pk, xs, xpeer })) cases.push({ ...c, name: c.group });

  // Mesh point operations (crypto.md §3–§4): no native equivalent.
  const A2 = pureEd448.getPublicKey(filled(57, 5));
  add('Ed448 point add (co-generation)', 'point add', 'wasm', () => void wasm.mesh.ed448AddPublicKeys(pk, A2));
  add('Ed448 point add (co-generation)', 'point add', 'pure', () => void pureCurve448Mesh.ed448AddPublicKeys(pk, A2));
  const scalar = wasm.mesh.scalarReduce(filled(114, 6));
  add('Ed448 fixed-base multiply', 'fixed-base multiply', 'wasm', () => void wasm.core.edBaseMul(scalar));
  const k = leToBigInt(scalar);
  add('Ed448 fixed-base multiply', 'fixed-base multiply', 'pure', () => void nobleEd448.Point.BASE.multiply(k).toBytes());
  const E = wasm.mesh.x448PublicKeySigned(filled(56, 7));
  add('X448 variable-base multiply with v (Mesh)', 'variable-base multiply', 'wasm', () => void wasm.mesh.x448Multiply(scalar, E));
  add('X448 variable-base multiply with v (Mesh)', 'variable-base multiply', 'pure', () => void pureCurve448Mesh.x448Multiply(scalar, E));

  // field multiplication, 100 per call on both sides (amortizes the JS→WASM call like @noble's loop)
  const Fp = nobleEd448.Point.Fp;
  const fa = filled(56, 8);
  const fb = filled(56, 9);
  fa[55] = 0x7f;
  fb[55] = 0x7f;
  let x = Fp.create(leToBigInt(fa));
  const y = Fp.create(leToBigInt(fb));
  add('p448 field multiply ×100', 'field multiply', 'wasm', () => void wasm.fieldBench(fa, fb, 100, 0));
  add('p448 field multiply ×100', 'field multiply', 'pure', () => {
    for (let i = 0; i < 100; i++) x = Fp.mul(x, y);
  });
  return cases;
}

/** Issue 3 targets as same-run ratios a/b >= min (for bench/report.ts `checkTargets`). */
export const curveTargets: { group: string; a: string; b: string; min: number }[] = [
  { group: 'Ed448 sign 64 B', a: 'wasm', b: 'native', min: 0.6 },
  { group: 'Ed448 verify 64 B', a: 'wasm', b: 'native', min: 0.4 },
  { group: 'X448 shared secret', a: 'wasm', b: 'native', min: 0.4 },
  { group: 'Ed448 sign 64 B', a: 'wasm', b: 'pure', min: 5 },
  { group: 'Ed448 verify 64 B', a: 'wasm', b: 'pure', min: 5 },
  { group: 'X448 shared secret', a: 'wasm', b: 'pure', min: 5 },
  { group: 'p448 field multiply ×100', a: 'wasm', b: 'pure', min: 4 },
];
