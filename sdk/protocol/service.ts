import type { DarePrivateKey, DarePublicKey } from '../dare/keys.js';
import { MeshError } from '../mesh/errors.js';
import type { VerifiedProfile } from '../mesh/profiles.js';
import { readMeshObject, writeMeshObject } from '../mesh/schema/codec.js';
import { isKindOf } from '../mesh/schema/model.js';
import type { MeshObjectBase } from '../mesh/schema/object.js';
import { checkContentDigest, contentDigest } from './content-digest.js';
import { credentialKey, decodeCredential, MESH_CREDENTIAL_HEADER, type CredentialMode, type MeshCredential } from './credential.js';
import { ProtocolError } from './errors.js';
import { HeaderFields, type HeaderFieldsView } from './header-fields.js';
import type { HttpRequest, HttpRequestHead, HttpResponse, HttpService } from './http.js';
import {
  acceptableUntil, readMeshRequestSignature, signMeshResponse, verifyMeshRequest, type RequestSignature,
} from './mesh-signature.js';
import { MemoryReplayCache, type PendingNonce, type ReplayCache } from './replay.js';
import type { SignedRequestView } from './signature-base.js';
import { SigningKeyCache } from './signing-key.js';
import { failureResponse, isSuccessStatus, MESH_STATUS, MeshProtocolError, refuse } from './status.js';
import {
  DEFAULT_UPLOAD_LIMIT, MESH_TRANSACTIONS, MESH_WELL_KNOWN_PATH, MESSAGE_LIMIT, transactionOfPath, type BodyLimits, type RequestOf,
  type ResponseOf, type TransactionName, type TransactionSpec,
} from './transactions.js';

/**
 * The service side of the HTTP binding (protocol.md §2): an {@link HttpService} that routes
 * `POST /.well-known/mmm/<Transaction>`, enforces body limits, authenticates the request
 * signature and credential before it reads the body, refuses replays, parses the tagged request,
 * calls the transaction's handler, and signs the response.
 *
 * Order of checks, and why:
 * 1. Route and body limit — nothing is parsed for an unknown path or an oversize body.
 * 2. Signature parameters and time window, then the credential and the key its keyid names,
 *    then the HMAC — all on the header fields; no body byte is parsed by then.
 * 3. The nonce is burnt in the replay cache — only for signatures that verified, so an
 *    unauthenticated party cannot fill the cache.
 * 4. Content-Digest against the body, then the body is parsed and the handler called.
 *
 * A response is signed exactly when steps 2 and 3 passed: only then may the service vouch for an
 * answer to that nonce, and the nonce can never be executed afterwards, so a signed refusal is
 * final. A refusal before that (bad or stale signature, unknown key, replay) is unsigned — a
 * signed "replay refused" could be shown to the client whose first copy did go through.
 *
 * **Deferred nonces** (`deferNonce`). For a transaction whose handler commits its changes in the
 * storage the replay cache reads (the Mesh service's Transact: the service store), step 3 would
 * be a commit of its own before the handler's. Instead the binding reserves the nonce in this
 * host's memory (a concurrent or later copy sent to this host is refused at once, as a replay)
 * and hands it to the handler ({@link RequestContext.nonce}), whose commit records it atomically
 * with the changes — a copy sent to another host then fails at that commit, and changes nothing.
 * Whenever the handler ends without its commit having recorded the nonce (a refusal, a conflict,
 * an exception, nothing to commit), the binding burns it in the replay cache before it answers;
 * so every response still leaves only after its nonce is burnt, and a copy whose nonce was burnt
 * by either path gets the same unsigned replay refusal as in step 3. (A copy sent to another host
 * may thus run its handler up to the commit — once per host, then that host's memory refuses it.)
 */

/** What the service established about a signed request. */
export interface Authentication {
  readonly mode: Exclude<CredentialMode, 'None'>;
  /** UDF of the client's Authentication key (the signature's keyid). */
  readonly keyid: string;
  readonly key: DarePublicKey;
  /** Connection mode: the account whose connection holds the key. Authoritative over the body's `Account`. */
  readonly account?: string;
  /** Device and Service modes: the profile that publishes the key (self-signature verified). */
  readonly profile?: VerifiedProfile;
  readonly credential: MeshCredential;
  readonly signature: RequestSignature;
  /**
   * Connection mode: what the {@link ConnectionResolver} learned while it found the key (a
   * {@link ResolvedConnection}'s `resolved`; opaque to the binding), so that the handler of the
   * same request need not look it up again.
   */
  readonly resolved?: unknown;
}

/** What a handler learns besides the request object. */
export interface RequestContext {
  readonly transaction: string;
  /** Undefined for an unauthenticated (None mode) transaction: Hello. */
  readonly auth: Authentication | undefined;
  /** The target URI the signature covers. */
  readonly targetUri: string;
  readonly headers: HeaderFieldsView;
  /**
   * Transactions the binding defers the nonce of (`deferNonce`): the request's nonce, for the
   * handler's commit to record with its changes. Undefined otherwise (the nonce is burnt already).
   */
  readonly nonce?: PendingNonce;
}

/** A transaction handler: the request object in, the response object out; throw {@link refuse}(…) to refuse. */
export type TransactionHandler<Req extends MeshObjectBase, Res extends MeshObjectBase> =
  (request: Req, context: RequestContext) => Promise<Res> | Res;

/** Handlers of the Mesh transactions (and of transactions added to the table, by name). */
export type MeshHandlers = { readonly [T in TransactionName]?: TransactionHandler<RequestOf<T>, ResponseOf<T>> } & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly [name: string]: TransactionHandler<any, any> | undefined;
};

/**
 * Finds the key a Connection credential's keyid names among the account's connections (the
 * AccessCapability / ConnectionService of an active device, mesh-model.md §5.2, §8.5). Returns
 * undefined when there is none (unknown account, revoked device); may throw a {@link refuse}(…).
 * `transaction` is the request's transaction name: a service may answer some from what it has
 * cached when their handler re-checks it at commit.
 */
export type ConnectionResolver = (account: string, keyid: string, transaction: string) => Promise<DarePublicKey | ResolvedConnection | undefined>;

/** A {@link ConnectionResolver}'s key with what it learned on the way, handed to the handler as `Authentication.resolved`. */
export interface ResolvedConnection {
  readonly key: DarePublicKey;
  readonly resolved: unknown;
}

/** Options of {@link MeshHttpService}. */
export interface MeshHttpServiceOptions {
  /** The service's Authentication private key (ProfileService.ServiceAuthentication, X448). Secret. */
  readonly serviceKey: DarePrivateKey;
  readonly handlers: MeshHandlers;
  /** Connection-mode key lookup; without it, Connection credentials are refused. */
  readonly resolveConnection?: ConnectionResolver;
  /** Default: a {@link MemoryReplayCache} (one host). Several hosts share one. */
  readonly replay?: ReplayCache;
  /**
   * Transactions whose handlers record the request's nonce themselves, atomically with their own
   * commit ({@link RequestContext.nonce}; see the module notes): one commit per request instead
   * of two. Sound only when that commit records the nonce where `replay` looks it up (the same
   * keys, the same store), so that a nonce burnt by either path stops the other. Default: none.
   */
  readonly deferNonce?: readonly string[];
  /** Body limits; default 32 KiB for messages, 16 MiB for uploads. */
  readonly limits?: Partial<BodyLimits>;
  /**
   * The origin clients address (`https://mesh.example.com`), when it differs from what the
   * adapter sees (behind a TLS-terminating proxy): the target URI is this origin + path.
   * Default: the URL the adapter reports (its scheme + Host).
   */
  readonly publicOrigin?: string;
  /** Path prefix; default `/.well-known/mmm/`. */
  readonly basePath?: string;
  /** The transaction table; default {@link MESH_TRANSACTIONS}. */
  readonly transactions?: Readonly<Record<string, TransactionSpec>>;
  /** Clock in milliseconds (tests); default `Date.now`. */
  readonly now?: () => number;
  /**
   * Origins whose pages may call the service from a browser (CORS): `'*'` (default) or a list,
   * `false` for none. Safe to open: a request is authorized by its signature, never by cookies
   * or other ambient credentials, so a foreign page gains nothing it could not do itself.
   * Preflights are answered, and the signature fields are exposed to the page's script.
   */
  readonly cors?: '*' | readonly string[] | false;
  /** Told of every internal error (a handler that threw something other than a refusal). */
  readonly onError?: (error: unknown, transaction: string | undefined) => void;
}

const JSON_TYPE = 'application/json';

/** The answer to a CORS preflight (the fields a signed request carries). */
const PREFLIGHT: Readonly<Record<string, string>> = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'content-type, content-digest, signature, signature-input, mesh-credential',
  'access-control-max-age': '600',
};

/** The refusal of a replayed request (unsigned). */
const replayRefusal = (): MeshProtocolError =>
  refuse('ClientUnauthorized', { extended: 'Refused', name: 'NotAuthenticated', detail: 'replayed request: this nonce was already used' });

/** A deferred nonce: what the handler reported of it. */
class DeferredNonce implements PendingNonce {
  state: 'open' | 'claimed' | 'replayed' = 'open';
  constructor(readonly keyid: string, readonly nonce: string, readonly expires: number) {}
  claimed(): void {
    this.state = 'claimed';
  }
  replayed(): void {
    this.state = 'replayed';
  }
}

/** A refusal for a failed authentication step (unsigned). */
function unauthenticated(e: unknown): MeshProtocolError {
  if (e instanceof MeshProtocolError) return e;
  if (e instanceof ProtocolError) {
    if (e.code === 'PROTOCOL_TOO_LARGE') return refuse('ServerOverload', { detail: e.message });
    return refuse('ClientUnauthorized', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: e.message });
  }
  throw e;
}

/** A response this service built: its fields still open to the signature and CORS fields. */
interface BuiltResponse extends HttpResponse {
  readonly headers: HeaderFields;
}

type Signer = (response: BuiltResponse) => BuiltResponse;

interface Route {
  readonly name: string;
  readonly spec: TransactionSpec;
  readonly targetUri: string;
}

interface Authenticated {
  readonly auth: Authentication;
  readonly hmacKey: Uint8Array;
  /** A deferred transaction's nonce (reserved on this host only). */
  readonly pending?: DeferredNonce;
}

/** The HTTP binding's service side (see the module comment). */
export class MeshHttpService implements HttpService {
  readonly #keys: SigningKeyCache;
  readonly #handlers: MeshHandlers;
  readonly #resolve: ConnectionResolver | undefined;
  readonly #replay: ReplayCache;
  readonly #defer: ReadonlySet<string>;
  /** Nonces of deferred transactions this host has seen (see the module notes). */
  readonly #reserved: MemoryReplayCache;
  readonly #limits: BodyLimits;
  readonly #origin: string | undefined;
  readonly #base: string;
  readonly #table: Readonly<Record<string, TransactionSpec>>;
  readonly #now: () => number;
  readonly #onError: ((error: unknown, transaction: string | undefined) => void) | undefined;
  readonly #cors: '*' | readonly string[] | false;
  readonly #routes = new Map<string, Route | undefined>();

  constructor(options: MeshHttpServiceOptions) {
    if (options.serviceKey.algorithm !== 'X448') throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', 'the service key is the X448 ServiceAuthentication key');
    this.#keys = new SigningKeyCache(options.serviceKey);
    this.#handlers = options.handlers;
    this.#resolve = options.resolveConnection;
    this.#replay = options.replay ?? new MemoryReplayCache(options.now ? { now: options.now } : {});
    this.#defer = new Set(options.deferNonce ?? []);
    this.#reserved = new MemoryReplayCache(options.now ? { now: options.now } : {});
    this.#limits = { message: options.limits?.message ?? MESSAGE_LIMIT, upload: options.limits?.upload ?? DEFAULT_UPLOAD_LIMIT };
    this.#origin = options.publicOrigin === undefined ? undefined : new URL(options.publicOrigin).origin;
    this.#base = options.basePath ?? MESH_WELL_KNOWN_PATH;
    this.#table = options.transactions ?? MESH_TRANSACTIONS;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError;
    this.#cors = options.cors ?? '*';
  }

  /** The body limits in force. */
  get limits(): BodyLimits {
    return this.#limits;
  }

  /** The transaction a head addresses, with its spec and the target URI, or undefined. */
  #route(head: HttpRequestHead): Route | undefined {
    // Asked twice per request (body limit, then handling), for a handful of distinct URLs: a pure
    // function of the URL text and of this service's fixed options, so remembered by that text.
    const known = this.#routes.get(head.url);
    if (known !== undefined || this.#routes.has(head.url)) return known;
    const route = this.#findRoute(head);
    if (this.#routes.size >= 1024) this.#routes.clear();
    this.#routes.set(head.url, route);
    return route;
  }

  #findRoute(head: HttpRequestHead): Route | undefined {
    let url: URL;
    try {
      url = new URL(head.url);
    } catch {
      return undefined;
    }
    const name = transactionOfPath(url.pathname, this.#table, this.#base);
    if (name === undefined || this.#handlers[name] === undefined) return undefined;
    const targetUri = this.#origin === undefined ? url.href : this.#origin + url.pathname + url.search;
    return { name, spec: this.#table[name]!, targetUri };
  }

  bodyLimit(head: HttpRequestHead): number {
    const route = this.#route(head);
    // Unknown paths get a 404 whatever they carry; read nothing of them.
    return route === undefined ? 0 : this.#limits[route.spec.body];
  }

  async tooLarge(head: HttpRequestHead): Promise<HttpResponse> {
    return this.#withCors(head, await this.#tooLarge(head));
  }

  async handle(request: HttpRequest): Promise<HttpResponse> {
    return this.#withCors(request, await this.#handle(request));
  }

  /** Adds the CORS fields for a browser caller (see `cors`). */
  #withCors(head: HttpRequestHead, response: BuiltResponse): BuiltResponse {
    const origin = head.headers.get('origin');
    if (this.#cors === false || origin === null) return response;
    if (this.#cors === '*') response.headers.set('access-control-allow-origin', '*');
    else if (this.#cors.includes(origin)) {
      response.headers.set('access-control-allow-origin', origin);
      response.headers.append('vary', 'origin');
    } else return response;
    response.headers.set('access-control-expose-headers', 'signature, signature-input, content-digest');
    return response;
  }

  async #tooLarge(head: HttpRequestHead): Promise<BuiltResponse> {
    try {
      const route = this.#route(head);
      if (route === undefined) return this.#respond(failureResponse(refuse('NotFound', { detail: 'no such transaction' })));
      const refusal = refuse('BadRequest', { extended: 'TooLarge', name: 'MeshRequestSize', detail: `the body exceeds ${this.#limits[route.spec.body]} bytes` });
      if (route.spec.modes.includes('None')) return this.#respond(failureResponse(refusal));
      let authenticated: Authenticated;
      try {
        authenticated = await this.#authenticate(head, route.spec, route.name, route.targetUri, false);
      } catch (e) {
        unauthenticated(e); // rethrows what is not an authentication failure
        // The size is what is wrong with it whatever its signature: say so, unsigned.
        return this.#respond(failureResponse(refusal));
      }
      return this.#respond(failureResponse(refusal), this.#signer(head, route.targetUri, authenticated));
    } catch (e) {
      return this.#internal(e, undefined);
    }
  }

  async #handle(request: HttpRequest): Promise<BuiltResponse> {
    let transaction: string | undefined;
    try {
      const route = this.#route(request);
      if (route === undefined) return this.#respond(failureResponse(refuse('NotFound', { detail: 'no such transaction' })));
      transaction = route.name;
      if (request.method === 'OPTIONS') return { status: 204, headers: new HeaderFields(PREFLIGHT), body: new Uint8Array(0) };
      if (request.method !== 'POST') return this.#respond(failureResponse(refuse('BadRequest', { detail: 'every transaction is a POST' })));
      if (request.body.length > this.#limits[route.spec.body]) return await this.#tooLarge(request);
      let auth: Authentication | undefined;
      let sign: Signer | undefined;
      let pending: DeferredNonce | undefined;
      if (!route.spec.modes.includes('None')) {
        let authenticated: Authenticated;
        try {
          authenticated = await this.#authenticate(request, route.spec, route.name, route.targetUri, this.#defer.has(route.name));
        } catch (e) {
          return this.#respond(failureResponse(unauthenticated(e)));
        }
        auth = authenticated.auth;
        sign = this.#signer(request, route.targetUri, authenticated);
        pending = authenticated.pending;
      }
      if (pending === undefined) return await this.#dispatch(request, route.name, route.spec, route.targetUri, auth, sign, undefined);
      let response: BuiltResponse;
      try {
        response = await this.#dispatch(request, route.name, route.spec, route.targetUri, auth, sign, pending);
      } catch (e) {
        response = this.#internal(e, transaction);
      }
      return await this.#settle(pending, response);
    } catch (e) {
      return this.#internal(e, transaction);
    }
  }

  /**
   * A deferred transaction's response leaves only once its nonce is burnt: by the handler's
   * commit, else here. A nonce that either finds burnt already makes the request a replay.
   */
  async #settle(pending: DeferredNonce, response: BuiltResponse): Promise<BuiltResponse> {
    if (pending.state === 'claimed') return response;
    if (pending.state === 'open' && !(await this.#replay.seen(pending.keyid, pending.nonce, pending.expires))) return response;
    return this.#respond(failureResponse(replayRefusal()));
  }

  async #dispatch(
    request: HttpRequest, name: string, spec: TransactionSpec, targetUri: string, auth: Authentication | undefined,
    sign: Signer | undefined, pending: PendingNonce | undefined,
  ): Promise<BuiltResponse> {
    const fail = (e: MeshProtocolError): BuiltResponse => this.#respond(failureResponse(e), sign);
    if (auth !== undefined) {
      try {
        checkContentDigest(request.headers.get('content-digest'), request.body);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        return fail(refuse('BadRequest', { name: 'MeshMessageInvalid', detail: e.message }));
      }
    }
    let body: MeshObjectBase;
    try {
      body = readMeshObject(request.body, spec.request);
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
      return fail(refuse('BadRequest', { name: 'MeshMessageInvalid', detail: `not a ${spec.request}: ${e.message}` }));
    }
    if (auth?.account !== undefined) {
      const named = (body as { Account?: unknown }).Account;
      if (typeof named === 'string' && named.toLowerCase() !== auth.account.toLowerCase()) {
        return fail(refuse('Forbidden', { extended: 'NotAuthorized', name: 'NotAuthorized', detail: 'the request names another account than its credential' }));
      }
    }
    let response: MeshObjectBase;
    try {
      const context: RequestContext = { transaction: name, auth, targetUri, headers: request.headers, ...(pending === undefined ? {} : { nonce: pending }) };
      response = await this.#handlers[name]!(body, context);
    } catch (e) {
      if (e instanceof MeshProtocolError) return fail(e);
      this.#onError?.(e, name);
      return fail(refuse('ServerInternal'));
    }
    const status = (response as { Status?: unknown }).Status;
    if (!isKindOf(response.$class, 'Response') || (status !== undefined && typeof status !== 'number')
      || ((status === undefined || isSuccessStatus(status as number)) && !isKindOf(response.$class, spec.response))) {
      this.#onError?.(new ProtocolError('PROTOCOL_BAD_RESPONSE', `the ${name} handler returned a ${response.$class}, not a ${spec.response}`), name);
      return fail(refuse('ServerInternal'));
    }
    const withStatus = status === undefined ? { ...response, Status: MESH_STATUS.SuccessOK } : response;
    let bytes: Uint8Array;
    try {
      bytes = writeMeshObject(withStatus);
    } catch (e) {
      this.#onError?.(e, name);
      return fail(refuse('ServerInternal'));
    }
    return this.#respondBytes(bytes, (withStatus as { Status: number }).Status, sign);
  }

  /** Steps 2 and 3; a `defer`red nonce is only reserved on this host (see the module notes). */
  async #authenticate(head: HttpRequestHead, spec: TransactionSpec, name: string, targetUri: string, defer: boolean): Promise<Authenticated> {
    const view: SignedRequestView = { method: head.method, targetUri, headers: head.headers };
    const signature = readMeshRequestSignature(view, this.#now());
    const header = head.headers.get(MESH_CREDENTIAL_HEADER);
    if (header === null) throw new ProtocolError('PROTOCOL_BAD_CREDENTIAL', 'the request carries no Mesh-Credential');
    const credential = decodeCredential(header);
    if (!spec.modes.includes(credential.mode)) {
      throw refuse('ClientUnauthorized', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: `${name} takes a ${spec.modes.join(' or ')} credential, not ${credential.mode}` });
    }
    let key: DarePublicKey;
    let profile: VerifiedProfile | undefined;
    let account: string | undefined;
    let resolved: unknown;
    if (credential.mode === 'Connection') {
      if (this.#resolve === undefined) throw new ProtocolError('PROTOCOL_BAD_CREDENTIAL', 'this service takes no Connection credentials');
      const answer = await this.#resolve(credential.account, signature.keyid, name);
      const found = answer !== undefined && 'resolved' in answer ? answer.key : answer;
      if (answer !== undefined && 'resolved' in answer) resolved = answer.resolved;
      if (found === undefined) throw new ProtocolError('PROTOCOL_BAD_CREDENTIAL', `no active connection of ${credential.account} holds key ${signature.keyid}`);
      if (found.algorithm !== 'X448' || found.kid !== signature.keyid) throw new ProtocolError('PROTOCOL_BAD_CREDENTIAL', `the connection key found is not ${signature.keyid}`);
      key = found;
      account = credential.account;
    } else {
      const checked = credentialKey(credential, signature.keyid);
      key = checked.key;
      profile = checked.profile;
    }
    const hmacKey = this.#keys.key(key, signature.keyid);
    verifyMeshRequest(view, signature, hmacKey);
    const until = acceptableUntil(signature);
    if (await (defer ? this.#reserved : this.#replay).seen(signature.keyid, signature.nonce, until)) throw replayRefusal();
    const auth: Authentication = {
      mode: credential.mode, keyid: signature.keyid, key, credential, signature: { keyid: signature.keyid, nonce: signature.nonce, created: signature.created, expires: signature.expires },
      ...(account === undefined ? {} : { account }), ...(profile === undefined ? {} : { profile }), ...(resolved === undefined ? {} : { resolved }),
    };
    return { auth, hmacKey, ...(defer ? { pending: new DeferredNonce(signature.keyid, signature.nonce, until) } : {}) };
  }

  /** Signs a response to the authenticated request `head`. */
  #signer(head: HttpRequestHead, targetUri: string, authenticated: Authenticated): Signer {
    const request: SignedRequestView = { method: head.method, targetUri, headers: head.headers };
    return (response) => {
      const fields = signMeshResponse(response, request, { key: authenticated.hmacKey, keyid: authenticated.auth.keyid, now: this.#now() });
      response.headers.set('signature-input', fields.signatureInput);
      response.headers.set('signature', fields.signature);
      return response;
    };
  }

  #respond(response: MeshObjectBase & { Status?: number }, sign?: Signer): BuiltResponse {
    return this.#respondBytes(writeMeshObject(response), response.Status ?? MESH_STATUS.SuccessOK, sign);
  }

  /**
   * HTTP status = the payload Status (protocol-09 §10.2: SHOULD report it; the payload is
   * authoritative), except that the redirect statuses travel as 200: an HTTP 3xx would be acted
   * on by `fetch` itself, and StatusDescription carries the new service (protocol.md §4).
   */
  #respondBytes(body: Uint8Array, status: number, sign?: Signer): BuiltResponse {
    const headers = new HeaderFields();
    headers.set('content-type', JSON_TYPE);
    headers.set('cache-control', 'no-store');
    headers.set('content-digest', contentDigest(body));
    const http = status >= 300 && status < 400 ? 200 : status >= 200 && status <= 599 ? status : 500;
    const response: BuiltResponse = { status: http, headers, body };
    return sign === undefined ? response : sign(response);
  }

  #internal(e: unknown, transaction: string | undefined): BuiltResponse {
    this.#onError?.(e, transaction);
    return this.#respond(failureResponse(refuse('ServerInternal')));
  }
}
