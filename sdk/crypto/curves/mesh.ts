import { CryptoError } from '../errors.js';
import { bytes, bytesOfLength } from '../validate.js';
import { bigIntToLe, modInverse } from '../bigint.js';
import type { Curve448Core } from './core.js';
import { expandEd448, nobleShake256, signWithExpanded, type Shake256 } from './ed448.js';
import { ED448_L } from './params.js';
import { checkContext, checkEd448PublicKey, checkX448PublicKey, checkX448Shared, X448_BYTES } from './policy.js';
import type { Curve448Mesh, ScalarShare } from './types.js';
import { clamp448 } from './x448.js';

/**
 * The Mesh key operations of crypto.md §2–§6 on Curve448, written once over a Curve448Core
 * (pure: @noble + BigInt; wasm: core-wasm/curve448). Secret scalar arithmetic goes through the
 * core (constant time in WASM); only public quantities (Lagrange coefficients of public share
 * indices) use BigInt here.
 */

const L = ED448_L;
const L_LE = bigIntToLe(L, 56);
const ZERO = new Uint8Array(56);

/** Source of random bytes; defaults to crypto.getRandomValues (injectable for tests). */
export type RandomBytes = (length: number) => Uint8Array;

export const defaultRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

function isZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i]!;
  return acc === 0;
}

const scalarArg = (v: unknown, name: string): Uint8Array => bytesOfLength(v, name, 56);

export function createCurve448Mesh(core: Curve448Core, shake: Shake256 = nobleShake256): Curve448Mesh {
  /** Uniform non-zero scalar: 114 random bytes reduced mod L (bias < 2^-466). */
  const randomScalar = (random: RandomBytes): Uint8Array => {
    for (;;) {
      const wide = random(114);
      if (!(wide instanceof Uint8Array) || wide.length !== 114) {
        throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'random(114) must return 114 bytes');
      }
      const s = core.scalarReduce(wide);
      wide.fill(0);
      if (!isZero(s)) return s;
    }
  };
  const nonZeroScalar = (s: Uint8Array, what: string): Uint8Array => {
    const r = core.scalarReduce(s);
    if (isZero(r)) throw new CryptoError('CRYPTO_INVALID_SCALAR', `${what} is 0 mod L`);
    return r;
  };
  const seedArg = (seed: unknown): Uint8Array => {
    const s = bytes(seed, 'seed');
    if (s.length !== 56 && s.length !== 57) {
      throw new CryptoError('CRYPTO_INVALID_LENGTH', `Ed448 seed must be 56 (Mesh) or 57 (RFC 8032) bytes, got ${s.length}`);
    }
    return s;
  };
  const signedPoint = (v: unknown, name: string): Uint8Array => bytesOfLength(v, name, X448_BYTES + 1);
  /** Ephemeral-key validation of crypto.md §5: canonical, on the curve (decoded later), not small order, q·E = O. */
  const checkEphemeral = (e: Uint8Array): void => {
    checkX448PublicKey(e.subarray(0, 56));
    // Z2 = 0 exactly when q·E is the point at infinity (x-only u = 0 would also accept (0, 0)).
    if (!isZero(core.montLadder(L_LE, e.subarray(0, 56)).z2)) {
      throw new CryptoError('CRYPTO_INVALID_POINT', 'X448 ephemeral key is not in the prime-order subgroup');
    }
  };

  const mesh: Curve448Mesh = {
    ed448ScalarFromSeed(seed) {
      const { scalar, prefix } = expandEd448(shake, seedArg(seed));
      prefix.fill(0);
      return scalar;
    },
    ed448PublicKeyFromSeed(seed) {
      const { scalar, prefix } = expandEd448(shake, seedArg(seed));
      prefix.fill(0);
      try {
        return core.edBaseMul(scalar);
      } finally {
        scalar.fill(0);
      }
    },
    ed448PublicKeyFromScalar(scalar) {
      const s = nonZeroScalar(scalarArg(scalar, 'scalar'), 'Ed448 scalar');
      try {
        return core.edBaseMul(s);
      } finally {
        s.fill(0);
      }
    },
    ed448AddPublicKeys(a, b) {
      const sum = core.edAdd(checkEd448PublicKey(a), checkEd448PublicKey(b));
      // The identity (y = 1) means the contributions cancel: a zero composite key (crypto.md §4).
      if (sum[0] === 1 && isZero(sum.subarray(1))) throw new CryptoError('CRYPTO_INVALID_POINT', 'Ed448 composite public key is the identity');
      return sum;
    },
    ed448SignWithScalar(message, scalar, context) {
      const msg = bytes(message, 'message');
      const ctx = checkContext(context);
      const s = nonZeroScalar(scalarArg(scalar, 'scalar'), 'Ed448 signing scalar');
      // threshold-06 §5.1 option 2: a secret, deterministic prefix derived from the scalar itself
      // (canonical 56-byte LE of s mod L), never r = H(dom ‖ M) alone (crypto.md §4, reference flaw).
      const prefix = shake(s, 57);
      try {
        return signWithExpanded(core, shake, msg, s, prefix, ctx);
      } finally {
        s.fill(0);
        prefix.fill(0);
      }
    },
    scalarAdd: (a, b) => core.scalarAdd(scalarArg(a, 'a'), scalarArg(b, 'b')),
    scalarSub: (a, b) => core.scalarSub(scalarArg(a, 'a'), scalarArg(b, 'b')),
    scalarMul: (a, b) => core.scalarMulAdd(scalarArg(a, 'a'), scalarArg(b, 'b'), ZERO),
    scalarReduce(x) {
      const b = bytes(x, 'x');
      if (b.length > 114) throw new CryptoError('CRYPTO_INVALID_LENGTH', `scalar input must be at most 114 bytes, got ${b.length}`);
      return core.scalarReduce(b);
    },
    x448Clamp: (privateKey) => clamp448(bytesOfLength(privateKey, 'privateKey', X448_BYTES)),
    x448PublicKeySigned(privateKey) {
      const k = clamp448(bytesOfLength(privateKey, 'privateKey', X448_BYTES));
      try {
        return mesh.x448PublicKeyFromScalar(k);
      } finally {
        k.fill(0);
      }
    },
    x448PublicKeyFromScalar(scalar) {
      const s = nonZeroScalar(scalarArg(scalar, 'scalar'), 'X448 scalar');
      try {
        return core.montBaseMulSigned(s);
      } finally {
        s.fill(0);
      }
    },
    x448AddPoints: (a, b) => core.montAddSigned(signedPoint(a, 'a'), signedPoint(b, 'b')),
    x448Multiply: (scalar, point) => core.montMulSigned(scalarArg(scalar, 'scalar'), signedPoint(point, 'point')),
    x448Ladder: (scalar, u) => core.montLadder(scalarArg(scalar, 'scalar'), bytesOfLength(u, 'u', X448_BYTES)),
    x448SharedSecretFromScalar(scalar, publicKey) {
      const pk = bytes(publicKey, 'publicKey');
      if (pk.length !== 56 && pk.length !== 57) {
        throw new CryptoError('CRYPTO_INVALID_LENGTH', `X448 public key must be 56 or 57 bytes, got ${pk.length}`);
      }
      const u = checkX448PublicKey(pk.subarray(0, 56));
      return checkX448Shared(core.x448(scalarArg(scalar, 'scalar'), u));
    },
    thresholdSplit(scalar, n, random = defaultRandom) {
      if (!Number.isSafeInteger(n) || n < 1 || n > 255) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `share count must be 1..255, got ${String(n)}`);
      const a = nonZeroScalar(scalarArg(scalar, 'scalar'), 'threshold key scalar');
      const shares: Uint8Array[] = [];
      let last = a;
      for (let i = 0; i < n - 1; i++) {
        const s = randomScalar(random);
        shares.push(s);
        last = core.scalarSub(last, s);
      }
      shares.push(last);
      return shares;
    },
    thresholdPartial(share, ephemeral) {
      const e = signedPoint(ephemeral, 'ephemeral');
      checkEphemeral(e);
      return core.montMulSigned(scalarArg(share, 'share'), e);
    },
    thresholdCombine(partials) {
      if (!Array.isArray(partials) || partials.length === 0) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'at least one partial result is required');
      let acc = signedPoint(partials[0], 'partials[0]');
      for (let i = 1; i < partials.length; i++) acc = core.montAddSigned(acc, signedPoint(partials[i], `partials[${i}]`));
      return checkX448Shared(acc.slice(0, 56));
    },
    shamirSplit(scalar, threshold, n, random = defaultRandom) {
      if (!Number.isSafeInteger(n) || n < 1 || n > 255) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `share count must be 1..255, got ${String(n)}`);
      if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > n) {
        throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `threshold must be 1..${n}, got ${String(threshold)}`);
      }
      const a = nonZeroScalar(scalarArg(scalar, 'scalar'), 'threshold key scalar');
      const coeffs = [a];
      for (let i = 1; i < threshold; i++) coeffs.push(randomScalar(random));
      const out: ScalarShare[] = [];
      for (let x = 1; x <= n; x++) {
        const xs = bigIntToLe(BigInt(x), 56);
        // Horner: f(x) = (((c_{t-1}·x + c_{t-2})·x + …)·x + a)
        let acc = coeffs[threshold - 1]!;
        for (let j = threshold - 2; j >= 0; j--) acc = core.scalarMulAdd(acc, xs, coeffs[j]!);
        out.push({ x, y: acc });
      }
      for (const c of coeffs) if (c !== a) c.fill(0);
      return out;
    },
    shamirWeightedShare(share, quorum) {
      const xi = share.x;
      if (!quorum.includes(xi)) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'the share index must belong to the quorum');
      if (new Set(quorum).size !== quorum.length || quorum.some((x) => !Number.isSafeInteger(x) || x < 1)) {
        throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'quorum indices must be distinct positive integers');
      }
      // λ_i = Π_{j≠i} x_j / (x_j − x_i) mod q: public values, BigInt is fine.
      let num = 1n;
      let den = 1n;
      for (const xj of quorum) {
        if (xj === xi) continue;
        num = (num * BigInt(xj)) % L;
        den = (den * (((BigInt(xj) - BigInt(xi)) % L) + L)) % L;
      }
      const lambda = bigIntToLe((num * modInverse(den, L)) % L, 56);
      return core.scalarMulAdd(lambda, scalarArg(share.y, 'share.y'), ZERO);
    },
  };
  return mesh;
}

