import { CryptoError } from '../errors.js';
import { bytes, bytesOfLength } from '../validate.js';
import { bigIntToLe, leToBigInt } from '../bigint.js';
import { edwardsOrder, edwardsPoint, edwardsScalarLength, type EdwardsCurve } from './edwards.js';
import { add, decodeSigned, encodeSigned, ladder, multiply, type MontPoint } from './montgomery.js';
import { montgomeryParams } from './params.js';
import type { LadderOutput } from './types.js';
import type { MontgomeryCurve } from './keys.js';

/**
 * Curve-generic Mesh operations (X25519/Ed25519 and X448/Ed448) on the pure (BigInt) path,
 * for the 25519 vectors of keys.json and for callers that need Curve25519 co-generation
 * (crypto.md §3–§5). Curve448 callers should prefer `Curve448Mesh` (mesh.ts), which also runs
 * on the constant-time WASM core.
 */

/** Montgomery affine addition of two signed points (crypto.md §3), signed result (33 / 57 B). */
export function montgomeryAdd(curve: MontgomeryCurve, a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = montgomeryParams(curve);
  return encodeSigned(c, add(c, decodeSigned(c, bytes(a, 'a')), decodeSigned(c, bytes(b, 'b'))));
}

/** k·P with v recovered (raw scalar, LE 32 / 56 bytes), signed in and out. */
export function montgomeryMultiply(curve: MontgomeryCurve, scalar: Uint8Array, point: Uint8Array): Uint8Array {
  const c = montgomeryParams(curve);
  const k = bytesOfLength(scalar, 'scalar', c.bytes);
  return encodeSigned(c, multiply(c, leToBigInt(k), decodeSigned(c, bytes(point, 'point'))));
}

/** The raw RFC 7748 ladder state after the final swap (crypto.md §3), each coordinate LE. */
export function montgomeryLadder(curve: MontgomeryCurve, scalar: Uint8Array, u: Uint8Array): LadderOutput {
  const c = montgomeryParams(curve);
  const s = ladder(c, leToBigInt(bytesOfLength(scalar, 'scalar', c.bytes)), leToBigInt(bytesOfLength(u, 'u', c.bytes)));
  return { x2: bigIntToLe(s.x2, c.bytes), z2: bigIntToLe(s.z2, c.bytes), x3: bigIntToLe(s.x3, c.bytes), z3: bigIntToLe(s.z3, c.bytes) };
}

/** Decodes a signed Montgomery point to affine (u, v). */
export function montgomeryDecode(curve: MontgomeryCurve, point: Uint8Array): MontPoint {
  return decodeSigned(montgomeryParams(curve), bytes(point, 'point'));
}

/** Encodes an affine (u, v) in the signed form (checks that it is on the curve). */
export function montgomeryEncode(curve: MontgomeryCurve, point: MontPoint): Uint8Array {
  const c = montgomeryParams(curve);
  const F = c.Fp;
  const u = F.create(point.u);
  const v = F.create(point.v);
  if (!F.eql(F.sqr(v), F.add(F.add(F.mul(F.sqr(u), u), F.mul(c.A, F.sqr(u))), u))) {
    throw new CryptoError('CRYPTO_INVALID_POINT', `${curve} point is not on the curve`);
  }
  return encodeSigned(c, { u, v });
}

/** Edwards addition of two RFC 8032 public keys (co-generation, crypto.md §4). */
export function edwardsAdd(curve: EdwardsCurve, a: Uint8Array, b: Uint8Array): Uint8Array {
  const P = edwardsPoint(curve);
  let pa;
  let pb;
  try {
    pa = P.fromBytes(bytes(a, 'a'));
    pb = P.fromBytes(bytes(b, 'b'));
  } catch (e) {
    throw new CryptoError('CRYPTO_INVALID_POINT', `${curve} public key is not a valid point encoding`, { cause: e });
  }
  const sum = pa.add(pb);
  if (sum.is0()) throw new CryptoError('CRYPTO_INVALID_POINT', `${curve} composite public key is the identity`);
  return sum.toBytes();
}

/** (a + b) mod L on LE scalars, fixed-length LE result (32 / 56 bytes; crypto.md §4). */
export function scalarAddModOrder(curve: EdwardsCurve | MontgomeryCurve, a: Uint8Array, b: Uint8Array): Uint8Array {
  const ed: EdwardsCurve = curve === 'X448' || curve === 'Ed448' ? 'Ed448' : 'Ed25519';
  return bigIntToLe((leToBigInt(bytes(a, 'a')) + leToBigInt(bytes(b, 'b'))) % edwardsOrder(ed), edwardsScalarLength(ed));
}

/** (a − b) mod L on LE scalars (threshold split, crypto.md §5). */
export function scalarSubModOrder(curve: EdwardsCurve | MontgomeryCurve, a: Uint8Array, b: Uint8Array): Uint8Array {
  const ed: EdwardsCurve = curve === 'X448' || curve === 'Ed448' ? 'Ed448' : 'Ed25519';
  const L = edwardsOrder(ed);
  return bigIntToLe((((leToBigInt(bytes(a, 'a')) - leToBigInt(bytes(b, 'b'))) % L) + L) % L, edwardsScalarLength(ed));
}

/**
 * u(k·P) with the raw ladder (no clamping; clamp first for RFC 7748 keys), LE (32 / 56 bytes).
 * Refuses an all-zero result (small-order P or k ≡ 0), RFC 7748 §6.
 */
export function montgomerySharedSecret(curve: MontgomeryCurve, scalar: Uint8Array, u: Uint8Array): Uint8Array {
  const c = montgomeryParams(curve);
  const s = ladder(c, leToBigInt(bytesOfLength(scalar, 'scalar', c.bytes)), leToBigInt(bytesOfLength(u, 'u', c.bytes)) % c.p);
  const out = bigIntToLe(c.Fp.is0(s.z2) ? 0n : c.Fp.mul(s.x2, c.Fp.inv(s.z2)), c.bytes);
  if (out.every((b) => b === 0)) throw new CryptoError('CRYPTO_INVALID_POINT', `${curve} shared secret is all zero`);
  return out;
}
