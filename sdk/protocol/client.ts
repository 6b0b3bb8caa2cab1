import type { DarePrivateKey, DarePublicKey } from '../dare/keys.js';
import { MeshError } from '../mesh/errors.js';
import { publicKeyOf } from '../mesh/keydata.js';
import { verifyProfile, type VerifiedProfile } from '../mesh/profiles.js';
import { readMeshObject, writeMeshObject } from '../mesh/schema/codec.js';
import { bytesEqual } from '../encoding/bytes.js';
import { isKindOf } from '../mesh/schema/model.js';
import type { Enveloped, MeshObjectBase } from '../mesh/schema/object.js';
import type { AnyHelloRequest, MeshHelloResponse, ProfileDevice, ProfileService } from '../mesh/schema/types.js';
import type { RandomSource } from '../udf/random.js';
import { declaredOver, ownBytes, readLimited } from './body.js';
import { checkContentDigest, contentDigest } from './content-digest.js';
import { serviceUrl } from './discovery.js';
import { credentialKey, encodeCredential, MESH_CREDENTIAL_HEADER, type MeshCredential } from './credential.js';
import { RequestDeadlines } from './deadlines.js';
import { ProtocolError } from './errors.js';
import { HeaderFields, type HeaderFieldsView } from './header-fields.js';
import { signMeshRequest, verifyMeshResponse } from './mesh-signature.js';
import type { SignedRequestView } from './signature-base.js';
import { deriveSigningKey } from './signing-key.js';
import { errorOfResponse, MeshProtocolError } from './status.js';
import {
  MESH_TRANSACTIONS, MESSAGE_LIMIT, type RequestOf, type ResponseOf, type TransactionName, type TransactionSpec,
} from './transactions.js';

/**
 * The client side of the HTTP binding (protocol.md §2): a transport on `fetch` (every runtime has
 * it) that signs each request with the pairwise HMAC key, checks that every answer is signed by
 * the pinned service key, and turns failure statuses into {@link MeshProtocolError}.
 *
 * Pinning: Hello is the one unauthenticated exchange. Its ProfileService must be self-signed and,
 * when the account already names its service (ProfileAccount.ServiceUdf), be that profile; its
 * ServiceAuthentication key is then the key every later response is checked against. A service
 * that does not hold that key's private half cannot produce a response this client accepts.
 */

/** The `fetch` this client calls (the runtime's, or a test's). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** The service a client trusts: its profile UDF and Authentication key. */
export interface PinnedService {
  /** ProfileService UDF (what ProfileAccount.ServiceUdf records). */
  readonly udf: string;
  /** ProfileService.ServiceAuthentication (X448). */
  readonly authentication: DarePublicKey;
}

/** A credential and the private key that signs with it. */
export interface ClientCredential {
  readonly credential: MeshCredential;
  /** The client's Authentication private key (X448; a co-generated device key is a raw scalar). Secret. */
  readonly key: DarePrivateKey;
}

function checkKey(key: DarePrivateKey): void {
  if (key.algorithm !== 'X448') throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `an Authentication key is X448, not ${key.algorithm}`);
}

/** Key mode: the raw key (account CommonAuthentication for BindAccount; a device base key for PollClaim). */
export function keyCredential(key: DarePrivateKey): ClientCredential {
  checkKey(key);
  return { credential: { mode: 'Key', key: { algorithm: key.algorithm, publicKey: key.publicKey, kid: key.kid } }, key };
}

/** Device mode: a device's self-signed profile and its base Authentication key (Connect, Complete). */
export function deviceCredential(profile: Enveloped<ProfileDevice>, key: DarePrivateKey): ClientCredential {
  checkKey(key);
  const credential: MeshCredential = { mode: 'Device', profile };
  credentialKey(credential, key.kid);
  return { credential, key };
}

/** Connection mode: the account and the device's co-generated Authentication key (Status, Download, Transact…). */
export function connectionCredential(account: string, key: DarePrivateKey): ClientCredential {
  checkKey(key);
  const credential: MeshCredential = { mode: 'Connection', account };
  encodeCredential(credential);
  return { credential, key };
}

/** Service mode: the sending service's profile and ServiceAuthentication key (Post, service to service). */
export function serviceCredential(profile: Enveloped<ProfileService>, key: DarePrivateKey): ClientCredential {
  checkKey(key);
  const credential: MeshCredential = { mode: 'Service', profile };
  credentialKey(credential, key.kid);
  return { credential, key };
}

/** The response to a signed request was not signed by the pinned service; `claimed` is what it said, unverified. */
export class UnauthenticatedResponseError extends ProtocolError {
  /** The failure status the unsigned response claims, if it parsed as one (not a verdict of the service). */
  readonly claimed: MeshProtocolError | undefined;
  constructor(message: string, claimed: MeshProtocolError | undefined, cause: unknown) {
    super('PROTOCOL_UNSIGNED_RESPONSE', claimed === undefined ? message : `${message} (it claims: ${claimed.message})`, { cause });
    this.name = 'UnauthenticatedResponseError';
    this.claimed = claimed;
  }
}

/** What Hello gave: the response, the verified service profile, and the pin taken from it. */
export interface HelloResult {
  readonly response: MeshHelloResponse;
  readonly profile: VerifiedProfile<ProfileService>;
  readonly service: PinnedService;
}

/**
 * The pin of a Hello response: its ProfileService, self-signature verified, and — when
 * `expectedUdf` is given (ProfileAccount.ServiceUdf) — that very profile
 * (`PROTOCOL_SERVICE_MISMATCH` otherwise: an attacker's service answered).
 */
export function pinService(response: MeshHelloResponse, expectedUdf?: string): { profile: VerifiedProfile<ProfileService>; service: PinnedService } {
  const envelope = response.EnvelopedProfileService;
  if (envelope === undefined) throw new ProtocolError('PROTOCOL_BAD_RESPONSE', 'Hello: no EnvelopedProfileService');
  let profile: VerifiedProfile;
  try {
    profile = verifyProfile(envelope);
  } catch (e) {
    throw new ProtocolError('PROTOCOL_BAD_RESPONSE', `Hello: the service profile does not verify: ${(e as Error).message}`, { cause: e });
  }
  if (profile.profile.$class !== 'ProfileService') throw new ProtocolError('PROTOCOL_BAD_RESPONSE', `Hello: a ${profile.profile.$class}, not a ProfileService`);
  if (expectedUdf !== undefined && profile.udf !== expectedUdf) {
    throw new ProtocolError('PROTOCOL_SERVICE_MISMATCH', `Hello: the service is ${profile.udf}, but the account is bound to ${expectedUdf}`);
  }
  const kd = (profile.profile as ProfileService).ServiceAuthentication;
  let authentication: DarePublicKey;
  try {
    if (kd === undefined) throw new ProtocolError('PROTOCOL_BAD_RESPONSE', 'no ServiceAuthentication');
    authentication = publicKeyOf(kd, 'ProfileService.ServiceAuthentication');
  } catch (e) {
    throw new ProtocolError('PROTOCOL_BAD_RESPONSE', `Hello: unusable ServiceAuthentication: ${(e as Error).message}`, { cause: e });
  }
  if (authentication.algorithm !== 'X448') throw new ProtocolError('PROTOCOL_BAD_RESPONSE', `Hello: ServiceAuthentication is ${authentication.algorithm}, not X448`);
  return { profile: profile as VerifiedProfile<ProfileService>, service: { udf: profile.udf, authentication } };
}

/** Options of {@link MeshHttpClient}. */
export interface MeshHttpClientOptions {
  /** Base URL of the service (discovery.ts finds it); a bare origin gets `/.well-known/mmm/`. */
  readonly endpoint: string;
  /** Default: the runtime's `fetch`. */
  readonly fetch?: FetchFunction;
  /** A service pinned earlier (skips Hello). */
  readonly service?: PinnedService;
  /** ProfileAccount.ServiceUdf when the account is bound: Hello must return that service. */
  readonly expectedServiceUdf?: string;
  /** Most response bytes read (default 64 MiB). */
  readonly maxResponseBytes?: number;
  /** Milliseconds before a request is abandoned (default 30 000). */
  readonly timeoutMs?: number;
  /** The transaction table (default {@link MESH_TRANSACTIONS}). */
  readonly transactions?: Readonly<Record<string, TransactionSpec>>;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
  readonly random?: RandomSource;
}

/** The wire client (see the module comment). */
export class MeshHttpClient {
  readonly #endpoint: string;
  readonly #fetch: FetchFunction;
  readonly #expected: string | undefined;
  readonly #max: number;
  readonly #timeout: number;
  /** One timer for every request in flight (deadlines.ts). */
  readonly #deadlines: RequestDeadlines;
  readonly #table: Readonly<Record<string, TransactionSpec>>;
  readonly #now: () => number;
  readonly #random: RandomSource | undefined;
  readonly #keys = new Map<string, { readonly own: Uint8Array; readonly peer: Uint8Array; readonly key: Uint8Array }>();
  /** The last pairwise key of each private key object, with the service key object it was derived for. */
  readonly #lastKey = new WeakMap<DarePrivateKey, { readonly service: DarePublicKey; readonly own: Uint8Array; readonly peer: Uint8Array; readonly key: Uint8Array }>();
  /** Target URI by transaction name (the endpoint is fixed; names come from the table). */
  readonly #targets = new Map<string, string>();
  #service: PinnedService | undefined;

  constructor(options: MeshHttpClientOptions) {
    try {
      this.#endpoint = serviceUrl(options.endpoint);
    } catch (e) {
      throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', (e as Error).message, { cause: e });
    }
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', 'no fetch in this runtime: pass options.fetch');
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#expected = options.expectedServiceUdf;
    if (options.service !== undefined && this.#expected !== undefined && options.service.udf !== this.#expected) {
      throw new ProtocolError('PROTOCOL_SERVICE_MISMATCH', `the pinned service ${options.service.udf} is not the account's ${this.#expected}`);
    }
    this.#service = options.service;
    this.#max = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.#timeout = options.timeoutMs ?? 30_000;
    this.#deadlines = new RequestDeadlines(this.#timeout);
    this.#table = options.transactions ?? MESH_TRANSACTIONS;
    this.#now = options.now ?? Date.now;
    this.#random = options.random;
  }

  /** The base URL requests go to. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** The pinned service, once known. */
  get service(): PinnedService | undefined {
    return this.#service;
  }

  /** Hello (protocol.md T1): unauthenticated; verifies and pins the service profile. */
  async hello(request: AnyHelloRequest = { $class: 'HelloRequest' }): Promise<HelloResult> {
    const response = await this.send('Hello', request) as MeshHelloResponse;
    const { profile, service } = pinService(response, this.#expected);
    if (this.#service !== undefined && this.#service.udf !== service.udf) {
      throw new ProtocolError('PROTOCOL_SERVICE_MISMATCH', `Hello: the service is ${service.udf}, but ${this.#service.udf} is pinned`);
    }
    this.#service = service;
    return { response, profile, service };
  }

  /**
   * One transaction: the request object, signed with `credential` (unused for Hello); returns
   * the response object. Throws {@link MeshProtocolError} when the service refused,
   * authentically; {@link UnauthenticatedResponseError} when the answer is not the pinned
   * service's; `ProtocolError` for anything else this side cannot use.
   */
  async request<T extends TransactionName>(transaction: T, body: RequestOf<T>, credential?: ClientCredential): Promise<ResponseOf<T>> {
    return await this.send(transaction, body, credential) as ResponseOf<T>;
  }

  /** {@link request} for any transaction of the table (untyped). */
  async send(transaction: string, body: MeshObjectBase, credential?: ClientCredential): Promise<MeshObjectBase> {
    if (!Object.hasOwn(this.#table, transaction)) throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `unknown transaction ${transaction}`);
    const spec = this.#table[transaction]!;
    if (!isKindOf(body.$class, spec.request)) throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `${transaction} takes a ${spec.request}, not a ${body.$class}`);
    let bytes: Uint8Array;
    try {
      bytes = writeMeshObject(body);
    } catch (e) {
      throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `${transaction}: the request does not serialize: ${(e as Error).message}`, { cause: e });
    }
    if (spec.body === 'message' && bytes.length > MESSAGE_LIMIT) {
      throw new ProtocolError('PROTOCOL_TOO_LARGE', `${transaction}: a ${bytes.length}-byte request exceeds the ${MESSAGE_LIMIT}-byte message limit`);
    }
    let targetUri = this.#targets.get(transaction);
    if (targetUri === undefined) this.#targets.set(transaction, (targetUri = new URL(transaction, this.#endpoint).href));
    // Not a Fetch `Headers`: it validates and sorts on every call, and `fetch` takes a plain record.
    const headers = new HeaderFields();
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    headers.set('content-digest', contentDigest(bytes));
    if (spec.modes.includes('None')) {
      const { body: answer } = await this.#exchange(targetUri, headers, bytes);
      return this.#read(answer, transaction, spec);
    }
    if (credential === undefined) throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `${transaction} needs a ${spec.modes.join(' or ')} credential`);
    if (!spec.modes.includes(credential.credential.mode)) {
      throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `${transaction} takes a ${spec.modes.join(' or ')} credential, not ${credential.credential.mode}`);
    }
    const service = this.#service ?? (await this.hello()).service;
    headers.set(MESH_CREDENTIAL_HEADER, encodeCredential(credential.credential));
    const key = this.#signingKey(credential.key, service);
    const view: SignedRequestView = { method: 'POST', targetUri, headers };
    const fields = signMeshRequest(view, { key, keyid: credential.key.kid, now: this.#now(), ...(this.#random ? { random: this.#random } : {}) });
    headers.set('signature-input', fields.signatureInput);
    headers.set('signature', fields.signature);
    const answer = await this.#exchange(targetUri, headers, bytes);
    try {
      verifyMeshResponse(answer, view, { key, keyid: credential.key.kid, now: this.#now() });
      checkContentDigest(answer.headers.get('content-digest'), answer.body);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      throw new UnauthenticatedResponseError(`${transaction}: the response is not authentic: ${e.message}`, this.#claimed(answer.body), e);
    }
    return this.#read(answer.body, transaction, spec);
  }

  #signingKey(key: DarePrivateKey, service: PinnedService): Uint8Array {
    // One X448 agreement per pair of keys, not per request. Keyed by both key ids (a service may
    // re-issue its profile with a new Authentication key), and a hit must hold the very public
    // keys of both sides: ids are fingerprints, but the cache does not rely on a caller's kid
    // matching its key, so a changed key on either side always derives anew.
    // First by the key objects themselves (a device signs every request with the same one):
    // no id string to build per request; the same byte checks.
    const last = this.#lastKey.get(key);
    if (last !== undefined && last.service === service.authentication && bytesEqual(last.own, key.publicKey) && bytesEqual(last.peer, service.authentication.publicKey)) return last.key;
    const id = `${key.kid} ${service.authentication.kid}`;
    let hit = this.#keys.get(id);
    if (hit === undefined || !bytesEqual(hit.own, key.publicKey) || !bytesEqual(hit.peer, service.authentication.publicKey)) {
      const derived = deriveSigningKey(key, service.authentication, key.kid);
      if (this.#keys.size >= 64) this.#keys.delete(this.#keys.keys().next().value!);
      this.#keys.set(id, (hit = { own: key.publicKey.slice(), peer: service.authentication.publicKey.slice(), key: derived }));
    }
    this.#lastKey.set(key, { ...hit, service: service.authentication });
    return hit.key;
  }

  /** The status an unauthenticated body claims, for the error message only. */
  #claimed(body: Uint8Array): MeshProtocolError | undefined {
    try {
      return errorOfResponse(readMeshObject(body, 'Response') as MeshObjectBase & { Status?: number });
    } catch {
      return undefined;
    }
  }

  #read(body: Uint8Array, transaction: string, spec: TransactionSpec): MeshObjectBase {
    let obj: MeshObjectBase & { Status?: number };
    try {
      obj = readMeshObject(body, 'Response');
    } catch (e) {
      if (e instanceof MeshError) throw new ProtocolError('PROTOCOL_BAD_RESPONSE', `${transaction}: the response is not a tagged response object: ${e.message}`, { cause: e });
      throw e;
    }
    const error = errorOfResponse(obj);
    if (error !== undefined) throw error;
    if (!isKindOf(obj.$class, spec.response)) throw new ProtocolError('PROTOCOL_BAD_RESPONSE', `${transaction}: a ${obj.$class}, not a ${spec.response}`);
    return obj;
  }

  async #exchange(url: string, headers: HeaderFields, body: Uint8Array): Promise<{ status: number; headers: HeaderFieldsView; body: Uint8Array }> {
    const deadline = this.#deadlines.start();
    const abort = deadline.controller;
    try {
      let res: Response;
      try {
        // No redirects: the service never sends one (payload redirects travel as 200), and a
        // redirect from anyone else must not carry a signed request elsewhere.
        res = await this.#fetch(url, { method: 'POST', headers: headers.record, body: ownBytes(body), redirect: 'error', signal: abort.signal });
      } catch (e) {
        throw new ProtocolError('PROTOCOL_UNREACHABLE', `${url}: ${abort.signal.aborted ? `no answer within ${this.#timeout} ms` : (e as Error).message}`, { cause: e });
      }
      return { status: res.status, headers: res.headers, body: await readResponse(res, this.#max, url) };
    } finally {
      deadline.end();
    }
  }
}

/** A response body, refusing more than `max` bytes (`PROTOCOL_TOO_LARGE`). */
async function readResponse(res: Response, max: number, url: string): Promise<Uint8Array> {
  if (declaredOver(res.headers.get('content-length'), max)) {
    await res.body?.cancel().catch(() => undefined);
    throw new ProtocolError('PROTOCOL_TOO_LARGE', `${url}: the response declares more than ${max} bytes`);
  }
  let body: Uint8Array | undefined;
  try {
    body = await readLimited(res.body, max);
  } catch (e) {
    throw new ProtocolError('PROTOCOL_UNREACHABLE', `${url}: the response could not be read: ${(e as Error).message}`, { cause: e });
  }
  if (body === undefined) throw new ProtocolError('PROTOCOL_TOO_LARGE', `${url}: the response exceeds ${max} bytes`);
  return body;
}
