import { CONTENT_TYPE } from './constants.js';
import { contentDigest } from './digest.js';
import { UdfError } from './errors.js';
import { DEFAULT_PRECISION, parseSecret } from './presentation.js';
import { UDF_TYPE } from './types.js';

/**
 * Message identifiers (udf.md §12; schema-08 §6.2 MakeID). A MessageId is usually a nonce UDF;
 * the envelope and response ids are content digests of its **value bytes** (not its string), with
 * SHA3-512 iff the id's first byte is 80 (a SHA-3 digest UDF), else SHA-2-512.
 *
 * The id is read the way the reference reads it (mesh-kinds.md D5): Base32 to whole bytes, byte 0
 * taken as the "type" *whatever its value*, the rest as data. Ids that are not typed UDFs occur on
 * the wire — the connection witness (`YDLF-…`, first byte 0xC0) is the MessageId of an
 * AcknowledgeConnection (mesh-model.md §9.1) — so an unassigned type byte is not an error here,
 * unlike in `parseUdf`. The reference examples decide (ProtocolConnectRequest.md).
 */
export function makeId(messageId: string, contentType: string, bits: number = DEFAULT_PRECISION): string {
  if (typeof contentType !== 'string') throw new UdfError('UDF_BAD_ARGUMENT', 'contentType must be a string');
  if (typeof messageId !== 'string') throw new UdfError('UDF_BAD_ARGUMENT', 'a message id must be given as a string');
  const bytes = parseSecret(messageId);
  if (bytes.length < 2) throw new UdfError('UDF_TOO_SHORT', 'a message id needs a type byte and at least one data byte');
  const algorithm = bytes[0] === UDF_TYPE.DIGEST_SHA3 ? 'sha3' : 'sha2';
  return contentDigest(bytes.subarray(1), { contentType, algorithm, bits });
}

/** EnvelopeId of a message: `makeId(messageId, "application/mmm/envelopeid")`. */
export function envelopeId(messageId: string, bits?: number): string {
  return makeId(messageId, CONTENT_TYPE.ENVELOPE_ID, bits);
}

/** ResponseId of a message: `makeId(messageId, "application/mmm/responseid")`. */
export function responseId(messageId: string, bits?: number): string {
  return makeId(messageId, CONTENT_TYPE.RESPONSE_ID, bits);
}
