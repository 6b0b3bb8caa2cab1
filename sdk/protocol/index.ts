/**
 * `mathmesh/protocol`: the HTTP binding of the Mesh protocol (protocol.md §2), between the Mesh
 * object model (`mathmesh/mesh`) and the client and service — one `POST` per transaction under
 * `/.well-known/mmm/`, tagged JSON bodies, requests and responses authenticated with HTTP Message
 * Signatures (RFC 9421, `hmac-sha256` under a key agreed by X448 between the client's and the
 * service's Authentication keys), Content-Digest (RFC 9530), replay protection, body limits,
 * typed protocol statuses, a `fetch` client, a runtime-neutral service, discovery, and the wire
 * format of the WebSocket push channel (push tickets, `/.well-known/mmm/push`, JSON-line messages).
 *
 * Runtime-specific parts are adapters: the node:http server and the node:dns SRV lookup live in
 * `mathmesh/adapters/node`; Deno, Bun and workers mount {@link fetchHandler} directly.
 *
 * @example
 * ```ts
 * import { MeshHttpClient, connectionCredential } from 'mathmesh/protocol';
 * const client = new MeshHttpClient({ endpoint: 'https://example.com/.well-known/mmm/', expectedServiceUdf });
 * await client.hello();
 * const status = await client.request('Status', { $class: 'StatusRequest', Account: 'alice@example.com' },
 *   connectionCredential('alice@example.com', deviceAuthenticationKey));
 * ```
 *
 * @module mathmesh/protocol
 */
export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export {
  MESH_STATUS, MESH_STATUS_EXTENDED, MESH_ERROR_NAMES, MeshProtocolError, statusName, extendedName, isSuccessStatus, refuse, failureResponse,
  errorOfResponse, type MeshStatusName, type MeshExtendedName, type MeshErrorName, type RefusalOptions, type ResponseStatus,
} from './status.js';
export {
  MESH_TRANSACTIONS, MESH_WELL_KNOWN_PATH, MESSAGE_LIMIT, DEFAULT_UPLOAD_LIMIT, transactionOfPath,
  type TransactionSpec, type TransactionName, type MeshTransactionTypes, type RequestOf, type ResponseOf, type BodyLimitKind, type BodyLimits,
} from './transactions.js';
export { contentDigest, checkContentDigest } from './content-digest.js';
export {
  component, componentIds, componentKey, componentName, componentValue, serializeComponentId, serializeSignatureParams, signatureBase, signatureBaseBytes,
  readSignatureParams, type ComponentId, type ComponentIds, type HeaderSource, type SignedRequestView, type SignedResponseView, type SignatureTarget,
} from './signature-base.js';
export { HMAC_SHA256, createHmacSignature, readSignature, verifyHmacSignature, type SignatureFields, type ReadSignature } from './message-signature.js';
export { SIGNING_KEY_INFO, SIGNING_KEY_LENGTH, deriveSigningKey, SigningKeyCache } from './signing-key.js';
export {
  MESH_CREDENTIAL_HEADER, MAX_CREDENTIAL_LENGTH, encodeCredential, decodeCredential, credentialKey,
  type CredentialMode, type MeshCredential, type CredentialKey,
} from './credential.js';
export {
  MESH_SIGNATURE_LABEL, MESH_REQUEST_TAG, MESH_RESPONSE_TAG, MESH_SIGNATURE_WINDOW, MESH_NONCE_BYTES, requestComponents, responseComponents,
  signMeshRequest, readMeshRequestSignature, verifyMeshRequest, acceptableUntil, signMeshResponse, verifyMeshResponse,
  type SignRequestOptions, type RequestSignature,
} from './mesh-signature.js';
export { MemoryReplayCache, type PendingNonce, type ReplayCache, type MemoryReplayCacheOptions } from './replay.js';
export type { HttpRequestHead, HttpRequest, HttpResponse, HttpService } from './http.js';
export { HeaderFields, ReceivedHeaderFields, type HeaderFieldsView } from './header-fields.js';
export {
  MeshHttpService, type MeshHttpServiceOptions, type Authentication, type RequestContext, type TransactionHandler, type MeshHandlers,
  type ConnectionResolver,
  type ResolvedConnection,
} from './service.js';
export {
  MeshHttpClient, UnauthenticatedResponseError, pinService, keyCredential, deviceCredential, connectionCredential, serviceCredential,
  type MeshHttpClientOptions, type FetchFunction, type PinnedService, type ClientCredential, type HelloResult,
} from './client.js';
export { fetchHandler } from './fetch-handler.js';
export { readLimited } from './body.js';
export type { SrvLookup, SrvRecord } from './srv.js';
export { discoverService, serviceUrl, domainOf, parseMeshResolve, orderSrv, type ServiceEndpoint, type DiscoveryOptions } from './discovery.js';
export {
  MESH_PUSH_PATH, PUSH_TICKET_PARAMETER, PUSH_TICKET_LIFETIME_MS, PUSH_CLOSE, PUSH_MAX_MESSAGE_BYTES, PushError, encodePushMessage, decodePushMessages, pushUrl,
  type PushHead, type PushMessage, type PushErrorCode,
} from './push.js';
export { frameEnvelope, frameOfEnvelope } from './frames.js';
