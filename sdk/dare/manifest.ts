import { encodeJsonB } from '../encoding/jsonb-writer.js';
import type { DareDigestAlgorithm } from './algorithms.js';

/**
 * The envelope manifest (our addition): what a `ManifestSignature` signs. A DARE signature covers
 * the payload digest only (dare.md §5), which leaves two gaps this closes:
 * - the header (content type, file name, annotations, EnvelopeId) is unsigned: the manifest holds
 *   the header digest (header-digest.ts);
 * - the key exchange is not bound to the signer. The reference's witness, HKDF(base seed, Salt,
 *   signature), can be recomputed by anyone who picks the base seed, so an outsider who re-wraps
 *   a signed ciphertext under a base seed of their own for a new recipient (new seed, same
 *   ciphertext and signature, fresh witness) passes every reference check; the plaintext that
 *   comes out is not what the signer encrypted. The manifest holds the `PayloadMac`, keyed by
 *   the signer's base seed: a re-wrapped envelope's MAC, checked under the new seed, cannot
 *   match the signed one.
 *
 * Encoding: JSON-B `["DareEnvelopeManifest", dig, PayloadDigest, headerDigest, PayloadMac | null]`,
 * signed as a message like the payload digest (Ed448, Ed25519ctx with an empty context). The
 * signature travels as `ManifestSignature` in the same signature entry, beside the reference's
 * `signature` (kept, so reference readers still verify the payload signature).
 */

/** Domain label, the first item of the manifest array. */
export const MANIFEST_LABEL = 'DareEnvelopeManifest';

/** The values a manifest holds. */
export interface EnvelopeManifest {
  readonly dig: DareDigestAlgorithm;
  /** H(payload bytes as stored). */
  readonly payloadDigest: Uint8Array;
  /** `headerDigest(header, dig)`. */
  readonly headerDigest: Uint8Array;
  /** The envelope's `PayloadMac` (encrypted envelopes); absent for plaintext ones. */
  readonly payloadMac?: Uint8Array | undefined;
}

/** The bytes a `ManifestSignature` signs. */
export function manifestBytes(m: EnvelopeManifest): Uint8Array {
  return encodeJsonB([MANIFEST_LABEL, m.dig, m.payloadDigest, m.headerDigest, m.payloadMac ?? null]);
}
