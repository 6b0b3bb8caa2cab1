import { sha512 } from '../crypto/hashes.js';
import { ownBytes } from './body.js';
import { bytesEqual } from '../encoding/bytes.js';
import { ProtocolError } from './errors.js';
import { byteSequence, isInnerList, parseDictionaryField, serializeItem } from './structured.js';

/**
 * Content-Digest (RFC 9530 §2): a Dictionary of `algorithm=:digest:` over the content. The Mesh
 * binding writes and requires `sha-512` (protocol.md §2); a recipient ignores algorithms it does
 * not know (RFC 9530 §2), and the signature covers the whole field value, so nothing is lost.
 */

/** The Content-Digest field value of a body: `sha-512=:…:` (RFC 9530 §2, §5). */
export function contentDigest(body: Uint8Array): string {
  return `sha-512=${serializeItem(ownBytes(sha512(body)))}`;
}

/**
 * Checks that a Content-Digest field value holds the SHA-512 digest of `body`. Throws
 * `PROTOCOL_BAD_DIGEST` when the field is absent, malformed, lacks `sha-512`, or differs.
 */
export function checkContentDigest(field: string | null | undefined, body: Uint8Array): void {
  if (field === null || field === undefined) throw new ProtocolError('PROTOCOL_BAD_DIGEST', 'Content-Digest: missing (a sha-512 digest of the content is required)');
  const dict = parseDictionaryField(field, 'Content-Digest', 'PROTOCOL_BAD_DIGEST');
  const member = dict.get('sha-512');
  if (member === undefined) throw new ProtocolError('PROTOCOL_BAD_DIGEST', 'Content-Digest: no sha-512 member');
  const digest = isInnerList(member) ? undefined : byteSequence(member[0]);
  if (digest === undefined || digest.length !== 64) throw new ProtocolError('PROTOCOL_BAD_DIGEST', 'Content-Digest: sha-512 is not a 64-byte Byte Sequence');
  if (!bytesEqual(digest, sha512(body))) throw new ProtocolError('PROTOCOL_BAD_DIGEST', 'Content-Digest: sha-512 is not the digest of the content (the body was altered)');
}
