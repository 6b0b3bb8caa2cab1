import { ed25519ctx } from '@noble/curves/ed25519.js';
import { CryptoError } from '../crypto/errors.js';
import { concatBytes } from '../encoding/bytes.js';
import { utf8Encode } from '../encoding/utf8.js';
import type { JsonObject } from '../encoding/json-value.js';
import type { DareDigestAlgorithm } from './algorithms.js';
import { DareError } from './errors.js';
import { asObject, optBinary, optObject, optString } from './fields.js';
import type { DarePrivateKey, DarePublicKey } from './keys.js';
import { meshOps, routedCrypto, type DareCrypto } from './provider.js';
import { sha256 } from './sha256.js';

/**
 * Payload digests and signatures (dare.md §5). The signature input is the digest of the payload
 * bytes as stored (ciphertext when encrypted), signed as a message: Ed448 (RFC 8032, empty
 * context) and Ed25519ctx with an empty context (the reference's form; plain Ed25519 does not
 * verify its signatures).
 */

/** One signature entry (dare.md §2.1 DareSignature). */
export interface DareSignature {
  /** Digest id of the entry (rarely present; the header `dig` applies otherwise). */
  readonly dig?: string;
  /** The reference writes the *digest* id here (`S512`), not a signature algorithm (dare.md §10). */
  readonly alg?: string;
  /** UDF fingerprint of the signer's public key. */
  readonly kid?: string;
  readonly signature: Uint8Array;
  /** Signed and encrypted envelopes: HKDF-SHA-256(base seed, Salt, signature) (dare.md §5). */
  readonly witness?: Uint8Array;
  /**
   * Our addition (manifest.ts): the same signer's signature over the envelope manifest — digest
   * id, PayloadDigest, header digest and PayloadMac — which binds the header and, through the
   * MAC, the key exchange to the signer. The reference ignores the member.
   */
  readonly manifestSignature?: Uint8Array;
  /** Kept as read (certificates, manifest) so re-encoding loses nothing. */
  readonly cert?: JsonObject;
  readonly path?: JsonObject;
  readonly manifest?: Uint8Array;
}

/** H(payload) for the digest id (dare.md §5: over the bytes as stored). */
export function payloadDigest(payload: Uint8Array, algorithm: DareDigestAlgorithm = 'S512', c: DareCrypto = routedCrypto): Uint8Array {
  return algorithm === 'S256' ? sha256(payload, c) : c.sha512(payload);
}

const EMPTY = new Uint8Array(0);
const DOM4_EMPTY = concatBytes(utf8Encode('SigEd448'), Uint8Array.of(0, 0));

/**
 * RFC 8032 §5.2.6 signing for a 56-byte Mesh seed (dare.md §5): the seed is hashed like a 57-byte
 * secret (SHAKE256(seed, 114): pruned scalar, nonce prefix = bytes 57..113), which RFC 8032
 * libraries refuse. Composed from the provider's Curve448 operations so it runs on WASM too.
 */
function signEd448Seed56(c: DareCrypto, message: Uint8Array, seed: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const mesh = meshOps(c);
  const h = c.shake256(seed, 114);
  const s = h.slice(0, 56);
  s[0]! &= 252;
  s[55]! |= 128;
  const prefix = h.subarray(57, 114);
  let r: Uint8Array | undefined;
  try {
    r = mesh.scalarReduce(c.shake256(concatBytes(DOM4_EMPTY, prefix, message), 114));
    const R = mesh.ed448PublicKeyFromScalar(r);
    const k = mesh.scalarReduce(c.shake256(concatBytes(DOM4_EMPTY, R, publicKey, message), 114));
    const S = mesh.scalarAdd(mesh.scalarMul(k, s), r);
    return concatBytes(R, S, Uint8Array.of(0));
  } finally {
    h.fill(0);
    s.fill(0);
    r?.fill(0);
  }
}

/**
 * Signs a digest with `signer` (Ed448: 56-byte Mesh seed or 57-byte RFC 8032 secret; Ed25519: 32-byte seed).
 * The input is signed as a message, so the same call signs the short envelope manifest (manifest.ts).
 */
export function signDigest(signer: DarePrivateKey, digest: Uint8Array, c: DareCrypto = routedCrypto): Uint8Array {
  try {
    if (signer.form === 'scalar') {
      // A co-generated key (crypto.md §4): RFC 8032 signing from the raw scalar, with the
      // deterministic secret nonce prefix of threshold-06 §5.1 (derived from the scalar).
      if (signer.algorithm !== 'Ed448' || signer.privateKey.length !== 56) throw new DareError('DARE_BAD_KEY', `signer ${signer.kid}: only 56-byte Ed448 scalars sign`);
      return meshOps(c).ed448SignWithScalar(digest, signer.privateKey, EMPTY);
    }
    switch (signer.algorithm) {
      case 'Ed448':
        if (signer.privateKey.length === 57) return c.ed448.sign(digest, signer.privateKey, EMPTY);
        if (signer.privateKey.length !== 56) break;
        return signEd448Seed56(c, digest, signer.privateKey, signer.publicKey);
      case 'Ed25519':
        if (signer.privateKey.length !== 32) break;
        return ed25519ctx.sign(digest, signer.privateKey, { context: EMPTY });
      default:
        throw new DareError('DARE_BAD_KEY', `signer ${signer.kid}: ${signer.algorithm} keys cannot sign`);
    }
  } catch (e) {
    if (e instanceof CryptoError) throw new DareError('DARE_BAD_KEY', `signer ${signer.kid}: ${e.message}`, { cause: e });
    throw e;
  }
  throw new DareError('DARE_BAD_KEY', `signer ${signer.kid}: ${signer.algorithm} private key has the wrong length`);
}

/**
 * True when `signature` is a valid signature of `digest` under `key`; false for a signature that
 * does not verify or is malformed (a tampered signature is an answer, not a crash).
 */
export function verifyDigestSignature(key: DarePublicKey, digest: Uint8Array, signature: Uint8Array, c: DareCrypto = routedCrypto): boolean {
  try {
    switch (key.algorithm) {
      case 'Ed448':
        return signature.length === 114 && key.publicKey.length === 57 && c.ed448.verify(signature, digest, key.publicKey, EMPTY);
      case 'Ed25519':
        return signature.length === 64 && key.publicKey.length === 32
          && ed25519ctx.verify(signature, digest, key.publicKey, { context: EMPTY, zip215: false });
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** Writes an entry in the reference member order (dig, alg, kid, cert, path, Manifest, signature, witness), then ManifestSignature. */
export function signatureToObject(s: DareSignature): JsonObject {
  return {
    dig: s.dig, alg: s.alg, kid: s.kid, cert: s.cert, path: s.path, Manifest: s.manifest, signature: s.signature, witness: s.witness,
    ManifestSignature: s.manifestSignature,
  };
}

/** Reads an entry. */
export function signatureFromObject(v: unknown, where: string): DareSignature {
  const o = asObject(v as JsonObject, where);
  const signature = optBinary(o, 'signature', where);
  if (signature === undefined) throw new DareError('DARE_BAD_FORMAT', `${where}: no signature value`);
  const out: { -readonly [K in keyof DareSignature]: DareSignature[K] } = { signature };
  const dig = optString(o, 'dig', where);
  const alg = optString(o, 'alg', where);
  const kid = optString(o, 'kid', where);
  const witness = optBinary(o, 'witness', where);
  const manifest = optBinary(o, 'Manifest', where);
  const cert = optObject(o, 'cert', where);
  const path = optObject(o, 'path', where);
  const manifestSignature = optBinary(o, 'ManifestSignature', where);
  if (dig !== undefined) out.dig = dig;
  if (alg !== undefined) out.alg = alg;
  if (kid !== undefined) out.kid = kid;
  if (witness !== undefined) out.witness = witness;
  if (manifest !== undefined) out.manifest = manifest;
  if (cert !== undefined) out.cert = cert;
  if (path !== undefined) out.path = path;
  if (manifestSignature !== undefined) out.manifestSignature = manifestSignature;
  return out;
}
