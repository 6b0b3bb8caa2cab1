import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { edwardsPublicKey, edwardsSecretScalar } from '../crypto/curves/keys.js';
import { leToBigInt } from '../crypto/bigint.js';
import { CryptoError } from '../crypto/errors.js';
import type { DareKeyAlgorithm } from './algorithms.js';
import { DareError } from './errors.js';
import { meshOps, type DareCrypto } from './provider.js';

/**
 * Key agreement of DARE recipients (dare.md §4.1 table). X448 (the Mesh default) runs on the
 * caller's provider; X25519 and the Edwards agreements (only needed to read the reference's
 * examples) run on @noble/curves.
 *
 * Edwards agreement is the reference's: Z = a·P encoded as an RFC 8032 point, with a the pruned
 * secret scalar of the seed, not a conversion to X25519/X448. Because pruning makes a a multiple
 * of the cofactor h, a·P = (a/h mod L)·(h·P) exactly, for every point P including ones with a
 * torsion component; the identity result (small-order P) is refused.
 */

const ED = {
  Ed25519: { Point: ed25519.Point, h: 8n, hBits: 3n, L: ed25519.Point.Fn.ORDER, seedLength: 32 },
  Ed448: { Point: ed448.Point, h: 4n, hBits: 2n, L: ed448.Point.Fn.ORDER, seedLength: 56 },
} as const;

/** Lengths of the public key encodings each curve accepts in `epk` (dare.md §4.1: X keys with or without the sign byte). */
export const EPK_LENGTHS: Readonly<Record<DareKeyAlgorithm, readonly number[]>> = {
  Ed25519: [32], Ed448: [57], X25519: [32, 33], X448: [56, 57],
};

function badKey(message: string, cause?: unknown): never {
  throw new DareError('DARE_BAD_KEY', message, cause === undefined ? undefined : { cause });
}

function checkPeer(algorithm: DareKeyAlgorithm, peer: Uint8Array, what: string): void {
  if (!(peer instanceof Uint8Array) || !EPK_LENGTHS[algorithm].includes(peer.length)) {
    badKey(`${what}: ${algorithm} public key must be ${EPK_LENGTHS[algorithm].join(' or ')} bytes`);
  }
}

function edwardsAgree(curve: 'Ed25519' | 'Ed448', seed: Uint8Array, peer: Uint8Array, what: string): Uint8Array {
  const c = ED[curve];
  let point;
  try {
    point = c.Point.fromBytes(peer);
  } catch (e) {
    return badKey(`${what}: not a point on ${curve}`, e);
  }
  const scalar = edwardsSecretScalar(curve, seed);
  try {
    const k = (leToBigInt(scalar) >> c.hBits) % c.L;
    const cleared = point.multiply(c.h);
    if (k === 0n || cleared.is0()) badKey(`${what}: ${curve} agreement is the identity (small-order point)`);
    return cleared.multiply(k).toBytes();
  } finally {
    scalar.fill(0);
  }
}

/**
 * Z = agreement(private, peer) in the encoding dare.md §4.1 gives (the HKDF input keying
 * material): Edwards point (32 / 57 B), X25519 output (32 B), X448 output (56 B, first 56 bytes
 * of a 57-byte peer key). Errors: `DARE_BAD_KEY` for a malformed or small-order peer key.
 */
export function agree(
  c: DareCrypto, algorithm: DareKeyAlgorithm, privateKey: Uint8Array, peer: Uint8Array, what = 'epk', form?: 'scalar',
): Uint8Array {
  checkPeer(algorithm, peer, what);
  try {
    if (form === 'scalar') {
      // A co-generated key (crypto.md §4): u(s·P) with the raw scalar, never clamped.
      if (algorithm !== 'X448') badKey(`${what}: only X448 agreement takes a raw scalar`);
      return meshOps(c).x448SharedSecretFromScalar(privateKey, peer);
    }
    switch (algorithm) {
      case 'X448':
        return c.x448.getSharedSecret(privateKey, peer.subarray(0, 56));
      case 'X25519': {
        const z = x25519.getSharedSecret(privateKey, peer.subarray(0, 32));
        if (z.every((b) => b === 0)) badKey(`${what}: X25519 agreement is all zero (small-order point)`);
        return z;
      }
      default:
        return edwardsAgree(algorithm, privateKey, peer, what);
    }
  } catch (e) {
    if (e instanceof DareError) throw e;
    if (e instanceof CryptoError) return badKey(`${what}: ${e.message}`, e);
    return badKey(`${what}: ${algorithm} agreement failed`, e);
  }
}

/** A fresh ephemeral key on the recipient's curve: the private key and its `epk` encoding as the reference writes it. */
export interface EphemeralKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Length of the random draw an ephemeral key of each curve takes (the injectable randomness order, dare.md §7). */
export const EPHEMERAL_LENGTH: Readonly<Record<DareKeyAlgorithm, number>> = { Ed25519: 32, Ed448: 56, X25519: 32, X448: 56 };

/**
 * Ephemeral key pair from `EPHEMERAL_LENGTH[algorithm]` random bytes. X448 public keys are written
 * in the 57-byte signed form, X25519 as 32 bytes (dare.md §4.1: what the reference writes).
 */
export function ephemeralKey(c: DareCrypto, algorithm: DareKeyAlgorithm, randomBytes: Uint8Array): EphemeralKey {
  const privateKey = randomBytes;
  switch (algorithm) {
    case 'X448':
      return { privateKey, publicKey: meshOps(c).x448PublicKeySigned(privateKey) };
    case 'X25519':
      return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
    default:
      return { privateKey, publicKey: edwardsPublicKey(algorithm, privateKey) };
  }
}
