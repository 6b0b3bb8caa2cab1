/**
 * Typed errors of `mathmesh/protocol` (design.md, Errors): a stable `code`, a message that says
 * what was wrong and where, and never a key, a derived HMAC key or a signature base.
 *
 * Two kinds of failure are kept apart, because a caller must act differently on them:
 * - {@link ProtocolError}: this side found the exchange unusable (a bad signature, a response
 *   that is not authentic, a malformed header, the network);
 * - {@link MeshProtocolError}: the service answered, authentically, with a failure status
 *   (protocol.md §4). Only that answer is a verdict of the service.
 */
export type ProtocolErrorCode =
  | 'PROTOCOL_BAD_SIGNATURE' // an RFC 9421 signature is missing, malformed, outside its time window, or does not verify
  | 'PROTOCOL_BAD_DIGEST' // Content-Digest (RFC 9530) is missing, malformed or not the digest of the content
  | 'PROTOCOL_BAD_CREDENTIAL' // the Mesh-Credential header is malformed, or does not name the signing key
  | 'PROTOCOL_UNSIGNED_RESPONSE' // the response to a signed request is not signed by the pinned service key
  | 'PROTOCOL_BAD_RESPONSE' // an authentic response that is not the tagged response object the transaction expects
  | 'PROTOCOL_SERVICE_MISMATCH' // Hello returned a service profile other than the one the account pins (ProfileAccount.ServiceUdf)
  | 'PROTOCOL_NOT_PINNED' // an authenticated request before the service profile is known (call hello first)
  | 'PROTOCOL_UNREACHABLE' // the network failed, or the response could not be read
  | 'PROTOCOL_TOO_LARGE' // a body over the limit (client side: a response, or a request the client refuses to send)
  | 'PROTOCOL_DISCOVERY' // no service location for a domain (MESH_RESOLVE, SRV, --service)
  | 'PROTOCOL_BAD_ARGUMENT' // the caller passed something unusable
  | 'PROTOCOL_REFUSED'; // the service answered with a failure status: a MeshProtocolError

/** Error thrown by `mathmesh/protocol` when this side refuses an exchange. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProtocolError';
    this.code = code;
  }
}
