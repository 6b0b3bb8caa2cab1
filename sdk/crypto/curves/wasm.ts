import { CryptoError } from '../errors.js';
import type { Curve448Core } from './core.js';
import { createEd448, nobleShake256, type Shake256 } from './ed448.js';
import { createCurve448Mesh } from './mesh.js';
import type { Curve448Mesh, Ed448Api, LadderOutput, X448Api } from './types.js';
import { createX448 } from './x448.js';

/**
 * The `wasm` provider's curves over core-wasm/curve448 (constant-time field, ladder and
 * fixed-base comb; see the AssemblyScript sources). This file only moves bytes: inputs are
 * copied into the core's fixed I/O region, one export runs a whole operation, the output is
 * copied out. SHAKE256 runs in TS (pass the provider's own, e.g. the WASM hash family's; the
 * default is @noble/hashes).
 */

/** The ABI of core-wasm/curve448/index.ts. */
interface Curve448Exports {
  readonly memory: WebAssembly.Memory;
  io(): number;
  init(): number;
  sc_reduce(len: number): void;
  sc_muladd(): void;
  sc_add(): void;
  sc_sub(): void;
  ed_base(): void;
  ed_sign_points(len: number): void;
  mont_base(): number;
  ed_add(): number;
  ed_verify(): number;
  x448(): void;
  mont_ladder(): void;
  mont_mul(): number;
  mont_add(): number;
  fe_bench(n: number, op: number): void;
}

const REQUIRED = ['memory', 'io', 'init', 'sc_reduce', 'sc_muladd', 'sc_add', 'sc_sub', 'ed_base', 'ed_sign_points', 'mont_base', 'ed_add',
  'ed_verify', 'x448', 'mont_ladder', 'mont_mul', 'mont_add'] as const;

const IN0 = 0;
const IN1 = 128;
const IN2 = 256;
const IN3 = 384;
const OUT = 512;

/** Everything the WASM path offers: the provider APIs, the Mesh operations and the raw core. */
export interface WasmCurve448 {
  readonly ed448: Ed448Api;
  readonly x448: X448Api;
  readonly mesh: Curve448Mesh;
  readonly core: Curve448Core;
  /** n field multiplications (op 0) or squarings (op 1) inside WASM, for benchmarks. */
  fieldBench(a: Uint8Array, b: Uint8Array, n: number, op?: number): Uint8Array;
}

/**
 * Wraps an instantiated core-wasm/curve448 module (build/curve448.wasm, or the inlined
 * `sdk/crypto/wasm/generated/curve448.ts`). Builds the base-point tables once (~1–10 ms).
 */
export function createWasmCurve448(exports: WebAssembly.Exports, shake: Shake256 = nobleShake256): WasmCurve448 {
  if (typeof shake !== 'function') shake = nobleShake256;
  for (const name of REQUIRED) {
    if (!(name in exports)) throw new CryptoError('CRYPTO_WASM_FAILED', `the curve448 WASM core lacks the export ${name}`);
  }
  const w = exports as unknown as Curve448Exports;
  if (w.init() !== 1) throw new CryptoError('CRYPTO_WASM_FAILED', 'the curve448 WASM core failed to build its tables');
  const base = w.io();
  let buffer = w.memory.buffer;
  let mem = new Uint8Array(buffer);
  const view = (): Uint8Array => {
    if (w.memory.buffer !== buffer) {
      buffer = w.memory.buffer;
      mem = new Uint8Array(buffer);
    }
    return mem;
  };
  const put = (off: number, b: Uint8Array): void => {
    view().set(b, base + off);
  };
  const put56 = (off: number, b: Uint8Array): void => {
    const m = view();
    m.set(b.subarray(0, 56), base + off);
  };
  const out = (n: number, off = 0): Uint8Array => view().slice(base + OUT + off, base + OUT + off + n);
  const wipe = (): void => {
    view().fill(0, base, base + OUT + 256);
  };
  /** Copies the output out and clears the I/O region (scalar results may be secret: sums of keys). */
  const taken = (n: number): Uint8Array => {
    const r = out(n);
    wipe();
    return r;
  };

  const core: Curve448Core = {
    scalarReduce(x) {
      put(IN0, x);
      w.sc_reduce(x.length);
      return taken(56);
    },
    scalarMulAdd(a, b, c) {
      put56(IN0, a);
      put56(IN1, b);
      put56(IN2, c);
      w.sc_muladd();
      return taken(56);
    },
    scalarAdd(a, b) {
      put56(IN0, a);
      put56(IN1, b);
      w.sc_add();
      return taken(56);
    },
    scalarSub(a, b) {
      put56(IN0, a);
      put56(IN1, b);
      w.sc_sub();
      return taken(56);
    },
    edBaseMul(s) {
      put56(IN0, s);
      w.ed_base();
      const r = out(57);
      wipe();
      return r;
    },
    edSignPoints(s, rWide) {
      put56(IN0, s);
      put(IN1, rWide);
      w.ed_sign_points(rWide.length);
      const r = { A: out(57), R: out(57, 64), r: out(56, 128) };
      wipe();
      return r;
    },
    montBaseMulSigned(s) {
      put56(IN0, s);
      const ok = w.mont_base();
      const r = out(57);
      wipe();
      if (!ok) throw new CryptoError('CRYPTO_INVALID_SCALAR', 'X448 scalar is 0 mod q');
      return r;
    },
    edAdd(a, b) {
      put(IN0, a);
      put(IN1, b);
      if (!w.ed_add()) throw new CryptoError('CRYPTO_INVALID_POINT', 'Ed448 point is not on the curve');
      return out(57);
    },
    edVerify(a, r, s, k) {
      put(IN0, a);
      put(IN1, r);
      put56(IN2, s);
      put56(IN3, k);
      return w.ed_verify() as 0 | 1 | 2 | 3;
    },
    x448(k, u) {
      put56(IN0, k);
      put56(IN1, u);
      w.x448();
      const r = out(56);
      wipe();
      return r;
    },
    montLadder(k, u): LadderOutput {
      put56(IN0, k);
      put56(IN1, u);
      w.mont_ladder();
      const r = { x2: out(56, 0), z2: out(56, 56), x3: out(56, 112), z3: out(56, 168) };
      wipe();
      return r;
    },
    montMulSigned(k, p) {
      put56(IN0, k);
      put(IN1, p);
      const code = w.mont_mul();
      const r = out(57);
      wipe();
      if (code === 1) throw new CryptoError('CRYPTO_INVALID_POINT', 'X448 signed point does not decode to a curve point');
      if (code === 2) throw new CryptoError('CRYPTO_INVALID_POINT', 'Montgomery scalar multiple is the point at infinity (or the input has order 2)');
      return r;
    },
    montAddSigned(p, q) {
      put(IN0, p);
      put(IN1, q);
      const code = w.mont_add();
      if (code === 1) throw new CryptoError('CRYPTO_INVALID_POINT', 'X448 signed point does not decode to a curve point');
      if (code === 2) throw new CryptoError('CRYPTO_INVALID_POINT', 'Montgomery addition of a point and its negative (result is the point at infinity)');
      return out(57);
    },
  };

  return {
    ed448: createEd448(core, shake),
    x448: createX448(core),
    mesh: createCurve448Mesh(core, shake),
    core,
    fieldBench(a, b, n, op = 0) {
      put56(IN0, a);
      put56(IN1, b);
      w.fe_bench(n, op);
      return out(56);
    },
  };
}
