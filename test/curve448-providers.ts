import { createWasmCurve448, nativeCurve448, pureEd448, pureX448, type Ed448Api, type WasmCurve448, type X448Api } from '../sdk/crypto/curves/index.js';
import { CryptoError } from '../sdk/crypto/errors.js';
import { getProvider, initSync } from '../sdk/crypto/index.js';
import { wasmBase64 } from '../sdk/crypto/wasm/generated/curve448.js';
import { decodeBase64, instantiateFamilySync } from '../sdk/crypto/wasm/loader.js';
import { seeded } from './support/random.js';

let wasmCache: WasmCurve448 | undefined;
/**
 * The WASM curve448 core, instantiated from the inlined build output (`node scripts/build-wasm.mjs`)
 * with the WASM provider's SHAKE256, as `provider.ed448` is wired.
 */
export function wasmCurve448(): WasmCurve448 {
  if (!wasmCache) {
    initSync();
    const hashes = getProvider('wasm');
    wasmCache = createWasmCurve448(instantiateFamilySync('curve448', decodeBase64(wasmBase64)), (d, n) => hashes.shake256(d, n));
  }
  return wasmCache;
}

/** The curve providers under test, for `describe.each` (native is required: the suites run on Node). */
export interface CurveProvider {
  name: 'pure' | 'wasm' | 'native';
  ed448: Ed448Api;
  x448: X448Api;
}

export function curveProviders(): CurveProvider[] {
  const native = nativeCurve448();
  if (!native) throw new Error('node:crypto with curve448 is required for these tests');
  const wasm = wasmCurve448();
  return [
    { name: 'pure', ed448: pureEd448, x448: pureX448 },
    { name: 'wasm', ed448: wasm.ed448, x448: wasm.x448 },
    { name: 'native', ...native },
  ];
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** Runs fn and returns the CryptoError code it throws (or 'no-throw' / 'untyped: …'). */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
    return 'no-throw';
  } catch (e) {
    return e instanceof CryptoError ? e.code : `untyped: ${String(e)}`;
  }
}

/** Deterministic pseudo-random bytes (xorshift32) so failures reproduce. */
export function prng(seed: number): (n: number) => Uint8Array {
  return seeded(seed * 2654435761);
}
