import { ed448, x448 } from '@noble/curves/ed448.js';
import { bytes, bytesOfLength } from '../validate.js';
import { pureCore } from './core-pure.js';
import { nobleShake256, verifyWith } from './ed448.js';
import { createCurve448Mesh } from './mesh.js';
import { checkContext, checkX448PublicKey, checkX448Shared, X448_BYTES } from './policy.js';
import type { Ed448Api, X448Api } from './types.js';

/**
 * The `pure` provider's curves: @noble/curves for key generation, signing and X448, with
 * the shared refusal policy (policy.ts) in front. Verification evaluates the cofactorless
 * equation on @noble points (core-pure.ts) rather than @noble's cofactored `verify`, so all
 * providers agree on crafted signatures (policy.ts).
 */
export const pureEd448: Ed448Api = {
  getPublicKey(secret) {
    return ed448.getPublicKey(bytesOfLength(secret, 'secret', 57));
  },
  sign(message, secret, context) {
    const ctx = checkContext(context);
    return ed448.sign(bytes(message, 'message'), bytesOfLength(secret, 'secret', 57), { context: ctx });
  },
  verify(signature, message, publicKey, context) {
    return verifyWith(pureCore, nobleShake256, signature, message, publicKey, context);
  },
};

export const pureX448: X448Api = {
  getPublicKey(scalar) {
    return x448.getPublicKey(bytesOfLength(scalar, 'scalar', X448_BYTES));
  },
  getSharedSecret(scalar, publicKey) {
    const k = bytesOfLength(scalar, 'scalar', X448_BYTES);
    const u = checkX448PublicKey(publicKey);
    // Small-order peers are refused by checkX448PublicKey before @noble (which would throw an untyped Error).
    return checkX448Shared(x448.getSharedSecret(k, u));
  },
};

/** The Mesh Curve448 operations (crypto.md §2–§6) on the pure path (@noble points, BigInt scalars). */
export const pureCurve448Mesh = createCurve448Mesh(pureCore);
