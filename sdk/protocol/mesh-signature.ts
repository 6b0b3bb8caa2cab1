import { base64urlEncode } from '../encoding/base64url.js';
import { defaultRandom, type RandomSource } from '../udf/random.js';
import { MESH_CREDENTIAL_HEADER } from './credential.js';
import { ProtocolError } from './errors.js';
import { createHmacSignature, HMAC_SHA256, readSignature, verifyHmacSignature, type ReadSignature, type SignatureFields } from './message-signature.js';
import { component, componentIds, componentName, type ComponentId, type ComponentIds, type HeaderSource, type SignedRequestView } from './signature-base.js';
import type { BareItem, Parameters } from './structured.js';

/**
 * The Mesh's use of RFC 9421 (protocol.md §2) — what a request and a response signature must
 * cover and when they are fresh:
 *
 * Request, label `mmm`: covers `@method`, `@target-uri`, `content-digest` and, when the request
 * carries one, `mesh-credential`; parameters `created`, `expires` (at most 60 s after created),
 * `nonce` (16 random bytes, base64url), `keyid` (UDF of the client's Authentication key),
 * `alg="hmac-sha256"` and `tag="mmm"`. The verifier refuses a `created` more than 60 s from its
 * clock either way, an expired signature, and any of the above missing.
 *
 * Response, label `mmm`: covers `@status`, `content-digest`, and the request's `@method`,
 * `@target-uri`, `content-digest`, `mesh-credential` (when present), Signature-Input and
 * Signature members (`;req`, RFC 9421 §2.4) — so the nonce and the request signature are
 * covered, and the RFC's advice to cover every component of the request signature (§7.3.7) is
 * followed; parameters `created`, `keyid` (the client's, naming the same pairwise key),
 * `alg="hmac-sha256"`, `tag="mmm-response"`. The two tags keep a response signature from ever
 * passing as a request signature.
 *
 * `tag` is our addition to the parameters protocol.md lists: RFC 9421 §2.3 defines it for this.
 */

/** The signature label of both directions. */
export const MESH_SIGNATURE_LABEL = 'mmm';
/** `tag` of a request signature. */
export const MESH_REQUEST_TAG = 'mmm';
/** `tag` of a response signature. */
export const MESH_RESPONSE_TAG = 'mmm-response';
/** Longest `expires − created`, and largest clock difference accepted, in seconds (protocol.md §2). */
export const MESH_SIGNATURE_WINDOW = 60;
/** Bytes of randomness in a nonce (protocol.md §2). */
export const MESH_NONCE_BYTES = 16;

const NONCE = /^[A-Za-z0-9_-]{22}$/;

function bad(message: string): never {
  throw new ProtocolError('PROTOCOL_BAD_SIGNATURE', message);
}

/** The components a request signature covers, in the order we sign them. */
export function requestComponents(headers: HeaderSource): ComponentId[] {
  const list = [component('@method'), component('@target-uri'), component('content-digest')];
  if (headers.get(MESH_CREDENTIAL_HEADER) !== null) list.push(component(MESH_CREDENTIAL_HEADER));
  return list;
}

/** The components a response signature covers, in the order we sign them. */
export function responseComponents(request: HeaderSource): ComponentId[] {
  const req = { req: true };
  const list = [
    component('@status'), component('content-digest'),
    component('@method', req), component('@target-uri', req), component('content-digest', req),
  ];
  if (request.get(MESH_CREDENTIAL_HEADER) !== null) list.push(component(MESH_CREDENTIAL_HEADER, req));
  list.push(component('signature-input', { req: true, key: MESH_SIGNATURE_LABEL }), component('signature', { req: true, key: MESH_SIGNATURE_LABEL }));
  return list;
}

/** A list of components built once (a request's components do not change), with their identities. */
interface Coverage {
  readonly components: readonly ComponentId[];
  readonly ids: ComponentIds;
}

const coverage = (components: ComponentId[]): Coverage => ({ components, ids: componentIds(components) });

/** The identities of a read signature's components, computed once for its coverage check and its base. */
const readIds = new WeakMap<ReadSignature, ComponentIds>();
const idsOf = (sig: ReadSignature): ComponentIds => readIds.get(sig) ?? componentIds(sig.components);
const WITH_CREDENTIAL = { get: (name: string) => (name === MESH_CREDENTIAL_HEADER ? '' : null) };
const WITHOUT_CREDENTIAL = { get: () => null };
// Shared by every signature: nothing in this module or signature-base.ts modifies them.
const REQUEST = { with: coverage(requestComponents(WITH_CREDENTIAL)), without: coverage(requestComponents(WITHOUT_CREDENTIAL)) };
const RESPONSE = { with: coverage(responseComponents(WITH_CREDENTIAL)), without: coverage(responseComponents(WITHOUT_CREDENTIAL)) };

const requestCoverage = (headers: HeaderSource): Coverage => (headers.get(MESH_CREDENTIAL_HEADER) === null ? REQUEST.without : REQUEST.with);
const responseCoverage = (request: HeaderSource): Coverage => (request.get(MESH_CREDENTIAL_HEADER) === null ? RESPONSE.without : RESPONSE.with);

/**
 * Nonce bytes, drawn from the runtime's generator a few hundred nonces at a time (one call per
 * request cost more than the rest of signing it). A nonce is public the moment it is sent, so
 * holding the next ones in memory reveals nothing; every byte is handed out once.
 */
const NONCE_POOL = 4096;
let pool: Uint8Array = new Uint8Array(0);
let pooled = 0;
function nonceBytes(): Uint8Array {
  if (pooled + MESH_NONCE_BYTES > pool.length) {
    pool = defaultRandom(NONCE_POOL);
    pooled = 0;
  }
  const out = pool.subarray(pooled, pooled + MESH_NONCE_BYTES);
  pooled += MESH_NONCE_BYTES;
  return out;
}

/** Seconds since the epoch, whole (RFC 9421 §2.3: no sub-second precision). */
const seconds = (ms: number): number => Math.floor(ms / 1000);

/** Options of {@link signMeshRequest}. */
export interface SignRequestOptions {
  /** The pairwise HMAC key (signing-key.ts). Secret. */
  readonly key: Uint8Array;
  /** UDF of the client's Authentication key. */
  readonly keyid: string;
  /** Clock in milliseconds; default `Date.now`. */
  readonly now?: number;
  /** Seconds until `expires` (1…60, default 60). */
  readonly lifetime?: number;
  readonly random?: RandomSource;
}

/** What a request signature said (the parts a service acts on). */
export interface RequestSignature {
  readonly keyid: string;
  readonly nonce: string;
  /** Unix seconds. */
  readonly created: number;
  readonly expires: number;
}

/**
 * Signs a request (the Content-Digest and any Mesh-Credential field must already be in
 * `request.headers`) and returns the Signature-Input and Signature fields to add.
 */
export function signMeshRequest(request: SignedRequestView, options: SignRequestOptions): SignatureFields & RequestSignature {
  const lifetime = options.lifetime ?? MESH_SIGNATURE_WINDOW;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MESH_SIGNATURE_WINDOW) {
    throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `a signature lifetime is 1 to ${MESH_SIGNATURE_WINDOW} seconds`);
  }
  const created = seconds(options.now ?? Date.now());
  const expires = created + lifetime;
  const nonce = base64urlEncode(options.random === undefined ? nonceBytes() : options.random(MESH_NONCE_BYTES));
  const parameters: Parameters = new Map<string, BareItem>([
    ['created', created], ['expires', expires], ['nonce', nonce], ['keyid', options.keyid], ['alg', HMAC_SHA256], ['tag', MESH_REQUEST_TAG],
  ]);
  const cover = requestCoverage(request.headers);
  const fields = createHmacSignature(MESH_SIGNATURE_LABEL, cover.components, parameters, { kind: 'request', request }, options.key, cover.ids);
  return { signatureInput: fields.signatureInput, signature: fields.signature, keyid: options.keyid, nonce, created, expires };
}

function stringParam(sig: ReadSignature, name: string): string {
  const v = sig.parameters.get(name);
  if (typeof v !== 'string') bad(`signature parameter ${name} is missing or not a String`);
  return v;
}

function integerParam(sig: ReadSignature, name: string): number {
  const v = sig.parameters.get(name);
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(`signature parameter ${name} is missing or not an Integer`);
  return v;
}

function requireCovered(sig: ReadSignature, required: Coverage): void {
  const covered = new Set(idsOf(sig).keys);
  for (const [i, key] of required.ids.keys.entries()) if (!covered.has(key)) bad(`the signature does not cover ${required.ids.ids[i]!}`);
}

/** A signature from the message, with the parameters every Mesh signature must have checked. */
function readMeshSignature(headers: HeaderSource, tag: string): ReadSignature & { keyid: string; created: number } {
  const sig = readSignature(headers, MESH_SIGNATURE_LABEL);
  if (stringParam(sig, 'alg') !== HMAC_SHA256) bad(`signature alg must be ${HMAC_SHA256}`);
  if (stringParam(sig, 'tag') !== tag) bad(`signature tag must be ${tag}`);
  for (const id of sig.components) componentName(id);
  readIds.set(sig, componentIds(sig.components));
  return Object.assign(sig, { keyid: stringParam(sig, 'keyid'), created: integerParam(sig, 'created') });
}

/**
 * Reads and checks the parts of a request signature that need no key: label, `alg`, `tag`,
 * required components, nonce form, and the time window (`created` within 60 s of `now` either
 * way, `expires` after `now` and at most 60 s after `created`). Throws `PROTOCOL_BAD_SIGNATURE`.
 * The service then finds the key `keyid` names and calls {@link verifyMeshRequest}.
 */
export function readMeshRequestSignature(request: SignedRequestView, now: number = Date.now()): ReadSignature & RequestSignature {
  const sig = readMeshSignature(request.headers, MESH_REQUEST_TAG);
  requireCovered(sig, requestCoverage(request.headers));
  const nonce = stringParam(sig, 'nonce');
  if (!NONCE.test(nonce)) bad(`nonce must be ${MESH_NONCE_BYTES} bytes in base64url`);
  const expires = integerParam(sig, 'expires');
  const t = seconds(now);
  if (sig.created > t + MESH_SIGNATURE_WINDOW) bad(`the signature was created ${sig.created - t} s in the future`);
  if (sig.created < t - MESH_SIGNATURE_WINDOW) bad(`the signature was created ${t - sig.created} s ago (more than ${MESH_SIGNATURE_WINDOW} s)`);
  if (expires <= sig.created || expires - sig.created > MESH_SIGNATURE_WINDOW) bad(`expires must be 1 to ${MESH_SIGNATURE_WINDOW} s after created`);
  if (expires <= t) bad('the signature has expired');
  return Object.assign(sig, { nonce, expires });
}

/** Verifies a request signature read by {@link readMeshRequestSignature} under the pairwise key. */
export function verifyMeshRequest(request: SignedRequestView, signature: ReadSignature, key: Uint8Array): void {
  verifyHmacSignature(signature, { kind: 'request', request }, key, idsOf(signature));
}

/**
 * The last instant (Unix seconds) at which a request signature could be accepted: what the
 * replay cache must remember a nonce until.
 */
export function acceptableUntil(signature: RequestSignature): number {
  return Math.min(signature.expires, signature.created + MESH_SIGNATURE_WINDOW);
}

/** Signs a response (its Content-Digest field must be set) to a signed request. */
export function signMeshResponse(
  response: { readonly status: number; readonly headers: HeaderSource }, request: SignedRequestView,
  options: { readonly key: Uint8Array; readonly keyid: string; readonly now?: number },
): SignatureFields {
  const parameters: Parameters = new Map<string, BareItem>([
    ['created', seconds(options.now ?? Date.now())], ['keyid', options.keyid], ['alg', HMAC_SHA256], ['tag', MESH_RESPONSE_TAG],
  ]);
  const cover = responseCoverage(request.headers);
  const fields = createHmacSignature(MESH_SIGNATURE_LABEL, cover.components, parameters, { kind: 'response', response: { ...response, request } }, options.key, cover.ids);
  return { signatureInput: fields.signatureInput, signature: fields.signature };
}

/**
 * Verifies the response to a request we signed: labelled `mmm`, tag `mmm-response`, the
 * client's keyid, created within 60 s of `now`, covering the components above, and the HMAC
 * under the pairwise key. Throws `PROTOCOL_UNSIGNED_RESPONSE` otherwise: whatever such a
 * response says, it is not known to come from the service.
 */
export function verifyMeshResponse(
  response: { readonly status: number; readonly headers: HeaderSource }, request: SignedRequestView,
  options: { readonly key: Uint8Array; readonly keyid: string; readonly now?: number },
): void {
  try {
    const sig = readMeshSignature(response.headers, MESH_RESPONSE_TAG);
    if (sig.keyid !== options.keyid) bad(`the response signature names key ${sig.keyid}, not ours`);
    const t = seconds(options.now ?? Date.now());
    if (Math.abs(sig.created - t) > MESH_SIGNATURE_WINDOW) bad(`the response signature was created ${sig.created - t} s from now`);
    requireCovered(sig, responseCoverage(request.headers));
    verifyHmacSignature(sig, { kind: 'response', response: { ...response, request } }, options.key, idsOf(sig));
  } catch (e) {
    if (e instanceof ProtocolError && e.code === 'PROTOCOL_BAD_SIGNATURE') {
      throw new ProtocolError('PROTOCOL_UNSIGNED_RESPONSE', `the response is not signed by the service: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
