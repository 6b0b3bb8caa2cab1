import { ed448 } from '@noble/curves/ed448.js';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { CryptoError } from '../errors.js';
import { bigIntToLe, leToBigInt } from '../bigint.js';
import type { Curve448Core } from './core.js';
import { edwardsToMontgomery } from './edwards.js';
import { add, decodeSigned, encodeSigned, ladder, multiply } from './montgomery.js';
import { ED448_L, X448_PARAMS } from './params.js';

/**
 * Curve448Core on @noble's edwards448 points and BigInt (the `pure` provider). Not constant
 * time: BigInt arithmetic never is. It is the portable fallback and the reference against
 * which the WASM core is tested.
 */

const Point = ed448.Point;
const L = ED448_L;
const X = X448_PARAMS;
const scalar = (n: bigint): Uint8Array => bigIntToLe(((n % L) + L) % L, 56);

function decodeEd(enc: Uint8Array): EdwardsPoint | undefined {
  try {
    return Point.fromBytes(enc);
  } catch {
    return undefined;
  }
}

/** True when an (already canonical) RFC 8032 encoding decodes to a point of edwards448. */
export function ed448Decodes(enc: Uint8Array): boolean {
  return decodeEd(enc) !== undefined;
}

function mulBase(k: bigint): EdwardsPoint {
  const r = k % L;
  return r === 0n ? Point.ZERO : Point.BASE.multiply(r);
}

export const pureCore: Curve448Core = {
  scalarReduce: (x) => scalar(leToBigInt(x)),
  scalarMulAdd: (a, b, c) => scalar(leToBigInt(a) * leToBigInt(b) + leToBigInt(c)),
  scalarAdd: (a, b) => scalar(leToBigInt(a) + leToBigInt(b)),
  scalarSub: (a, b) => scalar(leToBigInt(a) - leToBigInt(b)),
  edBaseMul: (s) => mulBase(leToBigInt(s)).toBytes(),
  edSignPoints(s, rWide) {
    const r = leToBigInt(rWide) % L;
    return { A: mulBase(leToBigInt(s)).toBytes(), R: mulBase(r).toBytes(), r: scalar(r) };
  },
  montBaseMulSigned(s) {
    const p = mulBase(leToBigInt(s));
    return encodeSigned(X, edwardsToMontgomery('Ed448', p));
  },
  edAdd(a, b) {
    const pa = decodeEd(a);
    const pb = decodeEd(b);
    if (!pa || !pb) throw new CryptoError('CRYPTO_INVALID_POINT', 'Ed448 point is not on the curve');
    return pa.add(pb).toBytes();
  },
  edVerify(a, r, s, k) {
    const pa = decodeEd(a);
    if (!pa) return 2;
    const pr = decodeEd(r);
    if (!pr) return 3;
    const sb = Point.BASE.multiplyUnsafe(leToBigInt(s));
    const rhs = pr.add(pa.multiplyUnsafe(leToBigInt(k) % L));
    return sb.equals(rhs) ? 0 : 1;
  },
  x448(k, u) {
    const s = ladder(X, leToBigInt(k), leToBigInt(u));
    const F = X.Fp;
    return bigIntToLe(F.is0(s.z2) ? 0n : F.mul(s.x2, F.inv(s.z2)), 56);
  },
  montLadder(k, u) {
    const s = ladder(X, leToBigInt(k), leToBigInt(u));
    return { x2: bigIntToLe(s.x2, 56), z2: bigIntToLe(s.z2, 56), x3: bigIntToLe(s.x3, 56), z3: bigIntToLe(s.z3, 56) };
  },
  montMulSigned(k, p) {
    return encodeSigned(X, multiply(X, leToBigInt(k), decodeSigned(X, p)));
  },
  montAddSigned(p, q) {
    return encodeSigned(X, add(X, decodeSigned(X, p), decodeSigned(X, q)));
  },
};
