import { describe, expect, it } from 'vitest';
import { createWasmCurve448, pureCore } from '../sdk/crypto/curves/index.js';
import { expandEd448, nobleShake256 } from '../sdk/crypto/curves/ed448.js';
import { clamp448 } from '../sdk/crypto/curves/x448.js';
import { wasmBase64 } from '../sdk/crypto/wasm/generated/curve448.js';
import { decodeBase64, instantiateFamilySync } from '../sdk/crypto/wasm/loader.js';
import { prng } from './curve448-providers.js';

// What the WASM curve core promises about secrets (README "Security", zeroization): after each
// operation on a secret scalar, nothing derived from it stays in the module's linear memory —
// not the scalar, not the X448 shared secret, not the ladder state, not the field temporaries of
// the final inversion. The module is instantiated here on its own (SHAKE256 from @noble) so the
// scan sees only the curve core's memory. Each secret is looked for in the byte form the API
// uses and in the core's limb form (16 × 28-bit limbs in i64, the field and scalar radix), whole
// and as any two adjacent limbs (a fragment of a partly overwritten temporary).

const exports = instantiateFamilySync('curve448', decodeBase64(wasmBase64));
const memory = exports.memory as WebAssembly.Memory;
const wasm = createWasmCurve448(exports, nobleShake256);
const random = prng(448);

/** The core's limb form of a 56-byte little-endian value: limb i = bits 28i..28i+27, as i64 LE. */
function limbs(value: Uint8Array): Uint8Array {
  let n = 0n;
  for (let i = value.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(value[i]!);
  const out = new DataView(new ArrayBuffer(128));
  for (let i = 0; i < 16; i++) out.setBigInt64(i * 8, (n >> BigInt(28 * i)) & 0xfffffffn, true);
  return new Uint8Array(out.buffer);
}

/** Every place in WASM memory where a secret (or a fragment of its limb form) still sits. */
function leftovers(secrets: Record<string, Uint8Array>): string[] {
  const mem = Buffer.from(memory.buffer);
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    const at = mem.indexOf(Buffer.from(value));
    if (at >= 0) found.push(`${name} (bytes) at ${at}`);
    const l = limbs(value);
    for (let i = 0; i + 16 <= 128; i += 8) {
      const window = l.subarray(i, i + 16);
      if (window.every((b) => b === 0)) continue;
      const hit = mem.indexOf(Buffer.from(window));
      if (hit >= 0) {
        found.push(`${name} (limbs ${i / 8}–${i / 8 + 1}) at ${hit}`);
        break;
      }
    }
  }
  return found;
}

describe('WASM curve448 core leaves no secret in its memory', () => {
  it('X448 shared secret: the scalar, the shared secret and the ladder state are wiped', () => {
    const priv = random(56);
    const peer = wasm.x448.getPublicKey(random(56));
    const shared = wasm.x448.getSharedSecret(priv, peer);
    expect(shared).toEqual(pureCore.x448(clamp448(priv), peer));
    // (X2:Z2) = k·P and (X3:Z3) = (k+1)·P as the ladder leaves them (same formulas in both cores).
    const state = pureCore.montLadder(clamp448(priv), peer);
    expect(leftovers({ priv, scalar: clamp448(priv), shared, ...state })).toEqual([]);
  });

  it('X448 public key: the scalar and its reduction are wiped', () => {
    const priv = random(56);
    wasm.x448.getPublicKey(priv);
    expect(leftovers({ priv, scalar: clamp448(priv), reduced: pureCore.scalarReduce(clamp448(priv)) })).toEqual([]);
  });

  it('Ed448 signing: the secret scalar and the nonce are wiped', () => {
    const secret = random(57);
    const message = random(100);
    const signature = wasm.ed448.sign(message, secret);
    const { scalar } = expandEd448(nobleShake256, secret);
    const s = pureCore.scalarReduce(scalar);
    // r = S − k·s mod L is what the nonce was (S and k are public).
    const publicKey = wasm.ed448.getPublicKey(secret);
    expect(wasm.ed448.verify(signature, message, publicKey)).toBe(true);
    const k = pureCore.scalarReduce(nobleShake256(concat(signature.subarray(0, 57), publicKey, message), 114));
    const r = pureCore.scalarSub(signature.subarray(57, 113), pureCore.scalarMulAdd(k, s, new Uint8Array(56)));
    expect(leftovers({ scalar, s, r })).toEqual([]);
  });

  it('Mesh operations: a secret multiple of a point, the ladder outputs and scalar sums are wiped', () => {
    const k = pureCore.scalarReduce(random(64));
    const point = wasm.core.montBaseMulSigned(pureCore.scalarReduce(random(64)));
    const product = wasm.core.montMulSigned(k, point);
    expect(product).toEqual(pureCore.montMulSigned(k, point));
    expect(leftovers({ k, product: product.subarray(0, 56) })).toEqual([]);

    const ladder = wasm.core.montLadder(k, point.subarray(0, 56));
    expect(leftovers({ k, ...ladder })).toEqual([]);

    const a = pureCore.scalarReduce(random(64));
    const b = pureCore.scalarReduce(random(64));
    const sum = wasm.core.scalarAdd(a, b);
    expect(leftovers({ a, b, sum })).toEqual([]);
    const reduced = wasm.core.scalarReduce(random(114));
    expect(leftovers({ reduced })).toEqual([]);
  });
});

/** Byte ranges where two memory snapshots differ, as `start–end` strings. */
function differences(a: Uint8Array, b: Uint8Array): string[] {
  const ranges: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    let j = i;
    while (j < a.length && a[j] !== b[j]) j++;
    ranges.push(`${i}–${j}`);
    i = j;
  }
  return ranges;
}

describe('WASM curve448 memory after a secret operation does not depend on the secret', () => {
  // A stronger form of the scans above that needs no guess of what a leftover looks like: run
  // the same operation with two different secrets (all public inputs equal) and compare the
  // whole linear memory afterwards. Any byte that differs is a function of the secret that
  // outlived the call (this catches point temporaries of the comb, which no value scan finds).
  const peer = wasm.x448.getPublicKey(random(56));
  const point = wasm.core.montBaseMulSigned(pureCore.scalarReduce(random(64)));
  const message = random(64);
  const ops: [string, (secret: Uint8Array) => unknown][] = [
    ['x448 shared secret', (k) => wasm.x448.getSharedSecret(k.subarray(0, 56), peer)],
    ['x448 public key', (k) => wasm.x448.getPublicKey(k.subarray(0, 56))],
    ['ed448 public key', (k) => wasm.ed448.getPublicKey(k.subarray(0, 57))],
    ['ed448 sign', (k) => wasm.ed448.sign(message, k.subarray(0, 57))],
    ['mesh montMulSigned', (k) => wasm.core.montMulSigned(pureCore.scalarReduce(k), point)],
    ['mesh montLadder', (k) => wasm.core.montLadder(pureCore.scalarReduce(k), point.subarray(0, 56))],
    ['mesh edBaseMul', (k) => wasm.core.edBaseMul(pureCore.scalarReduce(k))],
    ['mesh edSignPoints', (k) => wasm.core.edSignPoints(pureCore.scalarReduce(k), random(114))],
    ['scalar add', (k) => wasm.core.scalarAdd(pureCore.scalarReduce(k), pureCore.scalarReduce(k.subarray(1)))],
    ['scalar mul-add', (k) => wasm.core.scalarMulAdd(pureCore.scalarReduce(k), point.subarray(0, 56), pureCore.scalarReduce(k.subarray(2)))],
  ];
  it.each(ops)('%s', (_name, op) => {
    op(random(64));
    const first = new Uint8Array(memory.buffer).slice();
    op(random(64));
    const second = new Uint8Array(memory.buffer).slice();
    expect(differences(first, second)).toEqual([]);
  });
});

/** dom4 for Ed448 without context (RFC 8032 §5.2): "SigEd448" ‖ 0 ‖ 0, then the parts. */
function concat(...parts: Uint8Array[]): Uint8Array {
  const dom = new Uint8Array([...new TextEncoder().encode('SigEd448'), 0, 0]);
  return Uint8Array.from([...dom, ...parts.flatMap((p) => [...p])]);
}
