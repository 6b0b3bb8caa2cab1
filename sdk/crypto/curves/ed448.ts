import { shake256 } from '@noble/hashes/sha3.js';
import { concatBytes } from '../../encoding/bytes.js';
import { bytes, bytesOfLength } from '../validate.js';
import type { Curve448Core } from './core.js';
import { checkContext, checkEd448PublicKey, checkEd448Signature, dom4, invalidA, invalidR } from './policy.js';
import type { Ed448Api } from './types.js';

/**
 * RFC 8032 §5.2 Ed448 written once over a Curve448Core (used by the `wasm` provider, and by the
 * Mesh's raw-scalar signing on both paths). SHAKE256 runs in TS; the curve work is a few core
 * calls per operation: sign = 2 fixed-base products + 2 scalar reductions + 1 mul-add.
 */

export type Shake256 = (data: Uint8Array, outputLength: number) => Uint8Array;

export const nobleShake256: Shake256 = (data, n) => shake256(data, { dkLen: n });

/** RFC 8032 §5.2.5 key expansion of a 56/57-byte secret: pruned scalar (56 B) and prefix (57 B). */
export function expandEd448(shake: Shake256, secret: Uint8Array): { scalar: Uint8Array; prefix: Uint8Array } {
  const h = shake(secret, 114);
  const s = h.slice(0, 56);
  s[0]! &= 252;
  s[55]! |= 128;
  const prefix = h.slice(57, 114);
  h.fill(0);
  return { scalar: s, prefix };
}

/**
 * The signing steps 2–6 of RFC 8032 §5.2.6 given the secret scalar s and the nonce prefix:
 * r = SHAKE256(dom4 ‖ prefix ‖ M, 114) mod L, R = r·B, A = s·B (computed in the same core call),
 * k = SHAKE256(dom4 ‖ R ‖ A ‖ M, 114) mod L, S = (r + k·s) mod L.
 */
export function signWithExpanded(
  core: Curve448Core, shake: Shake256, message: Uint8Array, s: Uint8Array, prefix: Uint8Array, context: Uint8Array,
): Uint8Array {
  const dom = dom4(context);
  const rWide = shake(concatBytes(dom, prefix, message), 114);
  const { A, R, r } = core.edSignPoints(s, rWide);
  rWide.fill(0);
  const k = core.scalarReduce(shake(concatBytes(dom, R, A, message), 114));
  const S = core.scalarMulAdd(k, s, r);
  r.fill(0);
  const sig = new Uint8Array(114);
  sig.set(R);
  sig.set(S, 57);
  return sig;
}

/**
 * RFC 8032 §5.2.7 verification after the policy checks (policy.ts): returns the boolean of the
 * cofactorless equation, throws for encodings that do not decode.
 */
export function verifyWith(
  core: Curve448Core, shake: Shake256, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, context: unknown,
): boolean {
  const sig = checkEd448Signature(signature);
  const msg = bytes(message, 'message');
  const pk = checkEd448PublicKey(publicKey);
  const ctx = checkContext(context);
  const R = sig.subarray(0, 57);
  const k = core.scalarReduce(shake(concatBytes(dom4(ctx), R, pk, msg), 114));
  const verdict = core.edVerify(pk, R, sig.subarray(57, 113), k);
  if (verdict === 2) throw invalidA();
  if (verdict === 3) throw invalidR();
  return verdict === 0;
}

/** Ed448Api over a core (the `wasm` provider's `ed448`). */
export function createEd448(core: Curve448Core, shake: Shake256 = nobleShake256): Ed448Api {
  return {
    getPublicKey(secret) {
      const { scalar, prefix } = expandEd448(shake, bytesOfLength(secret, 'secret', 57));
      prefix.fill(0);
      const A = core.edBaseMul(scalar);
      scalar.fill(0);
      return A;
    },
    sign(message, secret, context) {
      const msg = bytes(message, 'message');
      const ctx = checkContext(context);
      const { scalar, prefix } = expandEd448(shake, bytesOfLength(secret, 'secret', 57));
      try {
        return signWithExpanded(core, shake, msg, scalar, prefix, ctx);
      } finally {
        scalar.fill(0);
        prefix.fill(0);
      }
    },
    verify(signature, message, publicKey, context) {
      return verifyWith(core, shake, signature, message, publicKey, context);
    },
  };
}
