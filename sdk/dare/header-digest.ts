import { encodeJsonB } from '../encoding/jsonb-writer.js';
import type { DareDigestAlgorithm } from './algorithms.js';
import { headerToObject, type DareHeader } from './header.js';
import { routedCrypto, type DareCrypto } from './provider.js';
import { payloadDigest } from './signature.js';

/**
 * Header digest (our addition): what a `PayloadMac` (payload-mac.ts) and a `ManifestSignature`
 * (manifest.ts) bind besides the payload. DARE signs the payload digest only (dare.md §5), so
 * the content metadata, annotations, EnvelopeId and the cipher parameters of the header are
 * otherwise unprotected; REF has no header protection to follow.
 *
 * Covered members (JSON names): `EnvelopeId`, `enc`, `dig`, `Salt`, `cloaked`, `annotations`,
 * `ContentMetaData` — what describes or decrypts the payload. Not covered, on purpose: the key
 * exchange (`recipients`, header `kid`: a holder of the base seed may legitimately re-wrap it for
 * another recipient; the MAC key already binds the seed), sequence bookkeeping (`policy`,
 * `SequenceInfo`, `SequenceIndex`, `Received`: the sequence layer binds frame headers itself),
 * `Malt`, trailer-type members and unknown members.
 *
 * Encoding: H_dig(JSON-B `["DareHeaderDigest", {covered members in dare.md §2.1 order}]`), values
 * typed as parsed (binary as bytes), so the digest is the same whether the envelope travelled as
 * JSON, tagged JSON or JSON-B.
 */

/** JSON names of the header members a header digest covers. */
export const HEADER_DIGEST_MEMBERS: readonly string[] = ['EnvelopeId', 'enc', 'dig', 'Salt', 'cloaked', 'annotations', 'ContentMetaData'];

/** Domain label, the first item of the digested array. */
export const HEADER_DIGEST_LABEL = 'DareHeaderDigest';

/** The covered members of `header` (see above), as a header holding only them. */
export function coveredHeader(header: DareHeader): DareHeader {
  const out: DareHeader = {};
  if (header.envelopeId !== undefined) out.envelopeId = header.envelopeId;
  if (header.enc !== undefined) out.enc = header.enc;
  if (header.dig !== undefined) out.dig = header.dig;
  if (header.salt !== undefined) out.salt = header.salt;
  if (header.cloaked !== undefined) out.cloaked = header.cloaked;
  if (header.annotations !== undefined) out.annotations = header.annotations;
  if (header.contentMetaData !== undefined) out.contentMetaData = header.contentMetaData;
  return out;
}

/** H_dig over the covered header members (see above). */
export function headerDigest(header: DareHeader, dig: DareDigestAlgorithm, c: DareCrypto = routedCrypto): Uint8Array {
  return payloadDigest(encodeJsonB([HEADER_DIGEST_LABEL, headerToObject(coveredHeader(header))]), dig, c);
}
