import { curve448Mesh, ed448 } from '../../crypto/index.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { keyFingerprint } from '../../udf/fingerprint.js';
import { SequenceError } from './errors.js';

/**
 * Signed heads (issue 6): an Ed448 signature over a Merkle sequence's TreeDigest (or a Chain
 * sequence's ChainDigest), written in the frame's trailer as a DareSignature with the DRAFT's `typ`
 * parameter (draft-hallambaker-mesh-dare-12 §4.2.3: `Tree` / `Chain`; the reference has no such
 * signatures — its "Signed sequence" example carries none, dare.md §9.4 — so the draft decides).
 *
 * The signature is RFC 8032 Ed448 over the 64-byte digest with the context
 * {@link TREE_HEAD_CONTEXT}: the context separates head signatures from payload signatures
 * (empty context, dare.md §5) made with the same key, so neither can be passed off as the other.
 * The tree size is not signed separately: under RFC 9162's leaf/node domain separation a head
 * determines its leaves, hence its size, short of a SHA-512 collision.
 */
export const TREE_HEAD_CONTEXT = utf8Encode('DARE-SequenceHead');

/** Signs heads: an Ed448 key (public key + a signing function, so keys may live elsewhere). */
export interface HeadSigner {
  /** 57-byte Ed448 public key. */
  readonly publicKey: Uint8Array;
  /** UDF fingerprint of the key (udf.md §6.4), written as the signature's `kid`. */
  readonly kid: string;
  /** Ed448 signature (114 bytes) of `message` under `context`. */
  sign(message: Uint8Array, context: Uint8Array): Uint8Array;
}

/**
 * A signer from an Ed448 private key: a 57-byte RFC 8032 secret, or the Mesh's 56-byte seed
 * (udf.md §8.1, what `mesh` key files hold), expanded the reference's way (dare.md §5).
 */
export function ed448HeadSigner(secret: Uint8Array): HeadSigner {
  if (!(secret instanceof Uint8Array) || (secret.length !== 57 && secret.length !== 56)) {
    throw new SequenceError('DARE_BAD_ARGUMENT', 'an Ed448 head signer needs a 57-byte RFC 8032 secret or a 56-byte Mesh seed');
  }
  const key = secret.slice();
  if (key.length === 57) {
    const publicKey = ed448.getPublicKey(key);
    return { publicKey, kid: keyFingerprint('Ed448', publicKey), sign: (m, c) => ed448.sign(m, key, c) };
  }
  const mesh = curve448Mesh();
  const publicKey = mesh.ed448PublicKeyFromSeed(key);
  const scalar = mesh.ed448ScalarFromSeed(key);
  return { publicKey, kid: keyFingerprint('Ed448', publicKey), sign: (m, c) => mesh.ed448SignWithScalar(m, scalar, c) };
}

/** A signed head as found in a frame (or exported with a proof). */
export interface SignedHead {
  /** Frames covered: frame index + 1. */
  readonly treeSize: number;
  /** `Tree` (Merkle TreeDigest) or `Chain` (ChainDigest). */
  readonly typ: 'Tree' | 'Chain';
  readonly head: Uint8Array;
  readonly kid: string;
  readonly signature: Uint8Array;
}

/** The DareSignature object for a head (trailer `signatures` entry). */
export function headSignature(signer: HeadSigner, typ: 'Tree' | 'Chain', head: Uint8Array): Record<string, unknown> {
  return { alg: 'Ed448', kid: signer.kid, typ, signature: signer.sign(head, TREE_HEAD_CONTEXT) };
}

/**
 * True when `signed.signature` is a valid Ed448 signature of `signed.head` by `publicKey` (whose
 * fingerprint must also be `signed.kid`). Malformed keys or signatures give false.
 */
export function verifySignedHead(signed: SignedHead, publicKey: Uint8Array): boolean {
  try {
    if (keyFingerprint('Ed448', publicKey) !== signed.kid) return false;
    return ed448.verify(signed.signature, signed.head, publicKey, TREE_HEAD_CONTEXT);
  } catch {
    return false;
  }
}
