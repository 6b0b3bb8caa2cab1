import type { DarePublicKey } from '../../dare/keys.js';
import type { ReplayCache } from '../../protocol/replay.js';
import { MeshHttpService, type ConnectionResolver, type MeshHandlers, type ResolvedConnection, type MeshHttpServiceOptions, type RequestContext } from '../../protocol/service.js';
import { DEFAULT_UPLOAD_LIMIT } from '../../protocol/transactions.js';
import type {
  BindRequest, ClaimRequest, CompleteRequest, ConnectRequest, DownloadRequest, PollClaimRequest, StatusRequest, TransactRequest, UnbindRequest,
} from '../../mesh/schema/types.js';
import { MeshPushService, type MeshPushServiceOptions, type ReadableStores } from '../push/service.js';
import { storeReplayCache } from '../replay.js';
import { canonicalAddress } from '../store-rules.js';
import type { ServiceStore } from '../store.js';
import { AccessControl } from './access.js';
import { bindAccount, hello, unbindAccount } from './accounts.js';
import { claim, pollClaim } from './claims.js';
import { complete, connect } from './connect.js';
import type { ServiceContext, ServiceLimits } from './context.js';
import { MeshServiceError } from './errors.js';
import { loadServiceIdentity, type IdentityOptions, type ServiceIdentity } from './identity.js';
import type { MessageRouting } from './messages.js';
import { ServiceMessaging, type ServiceMessagingOptions } from './post.js';
import { StoreStates } from './store-states.js';
import { download, status } from './stores.js';
import { transact } from './transact.js';

/**
 * The Mesh service (protocol.md §5): the transactions of an account's life — T1 Hello, T2
 * BindAccount, T3 UnbindAccount, T6 Status, T7 Download, T8 Transact — and the push channel
 * (protocol.md §2), on a {@link ServiceStore} (memory, embedded on disk, PostgreSQL: the service
 * never touches files or tables), behind the RFC 9421 binding of `mathmesh/protocol`. Runtime
 * neutral: a runtime's adapter mounts {@link MeshService.http} (Node: `listenHttp`, and
 * `attachPush` for the socket; Deno, Bun, workers: `fetchHandler`).
 *
 * ```ts
 * const service = await MeshService.open(store, { secret, name: 'example.com' });
 * const server = await listenHttp(service.http, { port: 15099 });
 * attachPush(server.server, service.push!);
 * // … on shutdown: server.close(); await service.close(); await store.close();
 * ```
 *
 * What each part promises is in its module: who may do what (access.ts), how uploads are checked
 * (store-states.ts, transact.ts), messages and their extension point for other services
 * (messages.ts), the identity that survives restarts (identity.ts), the statuses (errors.ts).
 * Post and Lookup: post.ts. Connect and Complete are in connect.ts, Claim and PollClaim in claims.ts; Operate is not served yet (404).
 */

/** Options of {@link MeshService}. */
export interface MeshServiceOptions {
  readonly store: ServiceStore;
  readonly identity: ServiceIdentity;
  /** Domains whose accounts this service binds and holds (e.g. `['example.com']`); default: any domain. */
  readonly domains?: readonly string[];
  /** Messages to other services and ingress control (messages.ts); default: post.ts, ingress.ts. */
  readonly routing?: MessageRouting;
  /** Delivery between services, ingress control (post.ts, ingress.ts): resolution, rate limit, refusal log. */
  readonly messaging?: ServiceMessagingOptions;
  readonly limits?: Partial<ServiceLimits>;
  /** The push channel: on (default) with the push service's options, or `false`. */
  readonly push?: false | Omit<MeshPushServiceOptions, 'serviceKey' | 'source' | 'readable' | 'replay'>;
  /**
   * Binding options (origin behind a proxy, CORS, clock); the replay cache defaults to the store's
   * (durable, shared by hosts), and then Transact claims its nonce with its own commit
   * (`deferNonce`: ['Transact']; none with another replay cache).
   */
  readonly binding?: Omit<MeshHttpServiceOptions, 'serviceKey' | 'handlers' | 'resolveConnection' | 'limits'> & { readonly replay?: ReplayCache };
  /** Told of internal failures (a handler that threw, a remote delivery that failed). Never of a client's mistakes. */
  readonly onError?: (error: unknown) => void;
}

/** Default limits (Hello advertises them). */
export const DEFAULT_SERVICE_LIMITS: ServiceLimits = {
  uploadBytes: DEFAULT_UPLOAD_LIMIT,
  pageEntries: 1024,
  pageBytes: 8 << 20,
  accountName: { minimum: 1, maximum: 64, invalidCharacters: '@/\\:;,<>"\'`' },
};

/** Transactions whose handlers claim the request's nonce with their commit (service-store replay cache only). */
const DEFERRED_NONCE: readonly string[] = ['Transact'];

/** The Mesh service (see the module notes). */
export class MeshService {
  /** The binding: mount it on an HTTP server adapter. */
  readonly http: MeshHttpService;
  /** The push service (attach its socket with the runtime's binding), unless disabled. */
  readonly push: MeshPushService | undefined;
  readonly identity: ServiceIdentity;
  readonly #context: ServiceContext;
  /** Post, Lookup, ingress control, delivery to other services (post.ts). */
  readonly messaging: ServiceMessaging;

  /** Loads (or, on first start, makes) the identity from the store, then builds the service. */
  static async open(store: ServiceStore, options: IdentityOptions & Omit<MeshServiceOptions, 'store' | 'identity'>): Promise<MeshService> {
    const identity = await loadServiceIdentity(store, options);
    const service = new MeshService({ ...options, store, identity });
    // Deliveries to other services a previous run left under way (post.ts, outbox.ts).
    await service.messaging.resume().catch((e: unknown) => (options.onError ?? (() => undefined))(e));
    return service;
  }

  constructor(options: MeshServiceOptions) {
    const limits: ServiceLimits = { ...DEFAULT_SERVICE_LIMITS, ...options.limits };
    let domains: Set<string> | undefined;
    if (options.domains !== undefined && options.domains.length > 0) {
      domains = new Set(options.domains.map((d) => {
        const v = d.trim().toLowerCase().replace(/\.$/, '');
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v)) throw new MeshServiceError('SERVICE_BAD_CONFIG', `not a domain name: ${JSON.stringify(d).slice(0, 80)}`);
        return v;
      }));
    }
    const onError = options.onError ?? (() => undefined);
    this.identity = options.identity;
    const store = options.store;
    const routing: MessageRouting = {
      admit: (d) => this.messaging.admitLocal(d),
      checkOutbound: (sender, envelope) => this.messaging.checkOutbound(sender, envelope),
      // Without domains every address is local: nothing is delivered elsewhere.
      ...(domains === undefined ? {} : { deliverRemote: (s, r, m) => this.messaging.deliverRemote(s, r, m) }),
      ...options.routing,
      isLocal: options.routing?.isLocal ?? ((address) => domains === undefined || domains.has(address.slice(address.lastIndexOf('@') + 1))),
    };
    const replay = options.binding?.replay ?? storeReplayCache(store);
    // Transact claims its request's nonce with its own commit (transact.ts) — sound only while the
    // binding's replay cache is this store's nonce table.
    const deferNonce = options.binding?.deferNonce ?? (options.binding?.replay === undefined ? DEFERRED_NONCE : []);
    this.push = options.push === false ? undefined : new MeshPushService({
      ...options.push, serviceKey: this.identity.authenticationKey, source: store, readable: this.readable, replay,
      onError: options.push?.onError ?? onError,
    });
    const push = this.push;
    this.#context = {
      store, identity: this.identity, access: new AccessControl(store, this.identity.accessKey), states: new StoreStates(store),
      routing, limits, domains, onError,
      notify: {
        revoked: (account, keyids) => {
          for (const k of keyids) push?.closeDevice(account, k);
        },
        accountClosed: (account) => void push?.closeAccount(account),
      },
    };
    this.messaging = new ServiceMessaging(() => this.#context, { ...options.messaging, log: options.messaging?.log ?? (() => undefined) });
    this.http = new MeshHttpService({
      ...options.binding, replay, deferNonce, serviceKey: this.identity.authenticationKey, handlers: this.handlers, resolveConnection: this.resolveConnection,
      limits: { upload: limits.uploadBytes }, onError: options.binding?.onError ?? ((e) => onError(e)),
    });
  }

  /** The ProfileService UDF. */
  get udf(): string {
    return this.identity.udf;
  }

  /** The transaction handlers (the push ticket's included), for a binding of one's own. */
  get handlers(): MeshHandlers {
    const sc = (): ServiceContext => this.#context;
    return {
      Hello: () => hello(sc()),
      BindAccount: (r: BindRequest, c: RequestContext) => bindAccount(sc(), r, c),
      UnbindAccount: (r: UnbindRequest, c: RequestContext) => unbindAccount(sc(), r, c),
      Status: (r: StatusRequest, c: RequestContext) => status(sc(), r, c),
      Download: (r: DownloadRequest, c: RequestContext) => download(sc(), r, c),
      Transact: (r: TransactRequest, c: RequestContext) => transact(sc(), r, c),
      Post: this.messaging.post,
      Lookup: this.messaging.lookup,
      Connect: (r: ConnectRequest, c: RequestContext) => connect(sc(), r, c),
      Complete: (r: CompleteRequest, c: RequestContext) => complete(sc(), r, c),
      Claim: (r: ClaimRequest, c: RequestContext) => claim(sc(), r, c),
      PollClaim: (r: PollClaimRequest, c: RequestContext) => pollClaim(sc(), r, c),
      ...(this.push ? this.push.handlers : {}),
    };
  }

  /**
   * The binding's Connection-mode key lookup: the key of an administrator-signed AccessCapability
   * of the account (access.ts) — an inactive one too, so that a revoked device gets a signed,
   * final 403 DeviceRevoked from the handler rather than an unsigned 401; undefined for an
   * unknown account or key. What a key may do is decided by its grant, in every handler.
   *
   * A Transact is answered from this host's cache when it holds the account and its Access
   * catalog (no store read): its commit re-checks both (transact.ts guards), and a stale cache
   * is read again. Every other transaction reads the store.
   */
  readonly resolveConnection: ConnectionResolver = async (account: string, keyid: string, transaction: string): Promise<ResolvedConnection | undefined> => {
    if (transaction === 'Transact') {
      const cached = this.#context.access.cachedConnection(account, keyid);
      if (cached !== undefined) return { key: cached.key, resolved: cached };
    }
    const view = await this.#context.access.account(account);
    if (view === undefined) return undefined;
    const found = await this.#context.access.connection(view, keyid);
    return found === undefined ? undefined : { key: found.key, resolved: found };
  };

  /** The push service's question: which stores the device may read (undefined: none). */
  readonly readable: ReadableStores = async (account: string, keyid: string): Promise<readonly string[] | undefined> => {
    const view = await this.#context.access.account(canonicalAddress(account));
    if (view === undefined) return undefined;
    const grant = await this.#context.access.grant(view, keyid);
    return grant === undefined ? undefined : [...grant.stores];
  };

  /** Stops the push service (sockets closed); the caller then closes the HTTP server and the store. */
  async close(): Promise<void> {
    this.messaging.close();
    await this.push?.close();
  }
}
