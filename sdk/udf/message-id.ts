import { CONTENT_TYPE } from './constants.js';
import { contentDigest } from './digest.js';
import { UdfError } from './errors.js';
import { DEFAULT_PRECISION, parseUdf } from './presentation.js';
import { UDF_TYPE } from './types.js';

/**
 * Message identifiers (udf.md §12; schema-08 §6.2 MakeID). A MessageId is a nonce UDF; the
 * envelope and response ids are content digests of its **value bytes** (not its string), with
 * SHA3-512 iff the MessageId's type is 80, else SHA-2-512.
 */
export function makeId(messageId: string, contentType: string, bits: number = DEFAULT_PRECISION): string {
  if (typeof contentType !== 'string') throw new UdfError('UDF_BAD_ARGUMENT', 'contentType must be a string');
  const id = parseUdf(messageId);
  const algorithm = id.type === UDF_TYPE.DIGEST_SHA3 ? 'sha3' : 'sha2';
  return contentDigest(id.value, { contentType, algorithm, bits });
}

/** EnvelopeId of a message: `makeId(messageId, "application/mmm/envelopeid")`. */
export function envelopeId(messageId: string, bits?: number): string {
  return makeId(messageId, CONTENT_TYPE.ENVELOPE_ID, bits);
}

/** ResponseId of a message: `makeId(messageId, "application/mmm/responseid")`. */
export function responseId(messageId: string, bits?: number): string {
  return makeId(messageId, CONTENT_TYPE.RESPONSE_ID, bits);
}
