import { curve448Mesh, ed448 } from '../../crypto/index.js';
import { base64urlDecode } from '../../encoding/base64url.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { encodeJsonB } from '../../encoding/jsonb-writer.js';
import { isJsonObject } from '../../encoding/json-value.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { keyFingerprint } from '../../udf/fingerprint.js';
import { SequenceError } from './errors.js';

/**
 * Signed heads: an Ed448 signature over a Merkle sequence's tree head (or a Chain sequence's chain
 * value) *and the number of frames it covers*, written in a frame's trailer as a DareSignature
 * with the draft's `typ` parameter (draft-hallambaker-mesh-dare-12 §4.2.3: `Tree` / `Chain`; the
 * reference signs no heads — its "Signed sequence" example carries none, dare.md §9.4).
 *
 * What is signed is the JSON-B array `["DareSequenceHead", typ, treeSize, head]`
 * ({@link signedHeadMessage}), with the Ed448 context {@link TREE_HEAD_CONTEXT}. Signing the size
 * explicitly means a head relabelled with another size never verifies, whatever a verifier
 * assumes about leaf/node domain separation; the context keeps head signatures apart from payload
 * signatures (empty context, dare.md §5) made with the same key.
 *
 * A signature found in frame i covers frames 0..i (treeSize = i + 1); the head it signs is the one
 * the verifier recomputes from the frames, never the value stored in the trailer.
 */
export const TREE_HEAD_CONTEXT = utf8Encode('DARE-SequenceHead');

/** Domain label, the first item of the signed array. */
export const SIGNED_HEAD_LABEL = 'DareSequenceHead';

/** What a head signature covers. */
export type HeadType = 'Tree' | 'Chain';

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

/**
 * What a writer accepts as its head signer: a {@link HeadSigner}, or an Ed448 private key — a
 * `DarePrivateKey` (`darePrivateKey('Ed448', …)`, `dareKeyFromKeyPair(…)`) or a `mathmesh/udf`
 * key pair (`deriveKeyPair(seed, { operation: 'Sign' })`). Structural, so that this layer needs
 * neither type's module.
 */
export type HeadSignerInput = HeadSigner | Ed448PrivateKeyLike;

/** An Ed448 private key with its public key, as `DarePrivateKey` and `KeyPair` both carry it. */
export interface Ed448PrivateKeyLike {
  readonly algorithm: string;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * The HeadSigner of a signer option. A key must be Ed448 (DARE_BAD_ARGUMENT otherwise, naming the
 * algorithm, never the key), and its public key must be the one its private key gives
 * (DARE_BAD_ARGUMENT: a mismatched pair would name one key in the policy and sign with another).
 */
export function headSignerOf(input: HeadSignerInput): HeadSigner {
  if (input === null || typeof input !== 'object') throw new SequenceError('DARE_BAD_ARGUMENT', 'signer must be a HeadSigner or an Ed448 private key');
  if ('sign' in input && typeof input.sign === 'function') {
    if (!(input.publicKey instanceof Uint8Array) || typeof input.kid !== 'string') {
      throw new SequenceError('DARE_BAD_ARGUMENT', 'a HeadSigner needs publicKey (bytes) and kid');
    }
    return input;
  }
  const key = input as Ed448PrivateKeyLike;
  if (key.algorithm !== 'Ed448') {
    throw new SequenceError('DARE_BAD_ARGUMENT', `heads are signed with Ed448 keys; this signer key is ${String(key.algorithm)}`);
  }
  if (!(key.privateKey instanceof Uint8Array)) throw new SequenceError('DARE_BAD_ARGUMENT', 'the signer key has no private key: a public key cannot sign');
  const signer = ed448HeadSigner(key.privateKey);
  if (!(key.publicKey instanceof Uint8Array) || !bytesEqual(key.publicKey, signer.publicKey)) {
    throw new SequenceError('DARE_BAD_ARGUMENT', `the signer key's public key is not the one its private key gives (expected ${signer.kid})`);
  }
  return signer;
}

/** A signed head: found in a frame, or carried by an inclusion proof. */
export interface SignedHead {
  /** Frames covered (0 .. treeSize − 1). */
  readonly treeSize: number;
  /** `Tree` (Merkle TreeDigest) or `Chain` (ChainDigest). */
  readonly typ: HeadType;
  readonly head: Uint8Array;
  readonly kid: string;
  readonly signature: Uint8Array;
}

/** The bytes a head signature signs: JSON-B `["DareSequenceHead", typ, treeSize, head]`. */
export function signedHeadMessage(typ: HeadType, treeSize: number, head: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(treeSize) || treeSize < 1) throw new SequenceError('DARE_BAD_ARGUMENT', `a signed head covers at least one frame, not ${treeSize}`);
  return encodeJsonB([SIGNED_HEAD_LABEL, typ, treeSize, head]);
}

/** The DareSignature object for a head (trailer `signatures` entry). */
export function headSignature(signer: HeadSigner, typ: HeadType, treeSize: number, head: Uint8Array): Record<string, unknown> {
  return { alg: 'Ed448', kid: signer.kid, typ, signature: signer.sign(signedHeadMessage(typ, treeSize, head), TREE_HEAD_CONTEXT) };
}

/**
 * True when `signed.signature` is a valid Ed448 signature of (typ, treeSize, head) by `publicKey`,
 * whose fingerprint must also be `signed.kid`. Malformed keys, sizes or signatures give false.
 */
export function verifySignedHead(signed: SignedHead, publicKey: Uint8Array): boolean {
  try {
    if (signed.typ !== 'Tree' && signed.typ !== 'Chain') return false;
    if (keyFingerprint('Ed448', publicKey) !== signed.kid) return false;
    return ed448.verify(signed.signature, signedHeadMessage(signed.typ, signed.treeSize, signed.head), publicKey, TREE_HEAD_CONTEXT);
  } catch {
    return false;
  }
}

/** A head signature as read from a trailer: `typ`, `kid`, signature bytes (empty when unreadable). */
export interface HeadSignatureEntry {
  readonly typ: HeadType;
  readonly kid: string;
  readonly signature: Uint8Array;
}

/** The head signatures (entries with `typ` Tree or Chain) of a trailer's `signatures` list. */
export function headSignaturesOf(trailer: Record<string, unknown> | undefined): HeadSignatureEntry[] {
  const list = trailer?.['signatures'];
  if (!Array.isArray(list)) return [];
  const out: HeadSignatureEntry[] = [];
  for (const s of list) {
    if (!isJsonObject(s) || (s['typ'] !== 'Tree' && s['typ'] !== 'Chain')) continue;
    let signature: Uint8Array;
    try {
      signature = typeof s['signature'] === 'string' ? base64urlDecode(s['signature']) : new Uint8Array(0);
    } catch {
      signature = new Uint8Array(0);
    }
    out.push({ typ: s['typ'], kid: typeof s['kid'] === 'string' ? s['kid'] : '', signature });
  }
  return out;
}
