import { bytesEqual } from '../../encoding/bytes.js';
import { CATALOG } from '../../mesh/stores.js';
import type { RequestContext } from '../../protocol/service.js';
import { refuse, type MeshProtocolError } from '../../protocol/status.js';
import type { ServiceStore, TransactGuard } from '../store.js';
import { ALL_STORES, ResolvedAccess, type AccessControl, type AccountView, type DeviceGrant } from './access.js';
import { forbidden, invalid, unknownAccount } from './errors.js';
import type { ServiceIdentity } from './identity.js';
import type { MessageRouting } from './messages.js';
import type { StoreStates } from './store-states.js';

/** What the transaction handlers of the Mesh service share (service.ts builds it). */
export interface ServiceContext {
  readonly store: ServiceStore;
  readonly identity: ServiceIdentity;
  readonly access: AccessControl;
  readonly states: StoreStates;
  readonly routing: MessageRouting;
  readonly limits: ServiceLimits;
  /** Domains whose accounts this service binds (lower case); undefined: any. */
  readonly domains: ReadonlySet<string> | undefined;
  /** Told, after a commit, of devices that lost access and of accounts that went (push sockets close). */
  readonly notify: {
    /** These devices (Authentication key UDFs) of the account lost access: close their sockets. */
    revoked(account: string, keyids: readonly string[]): void;
    /** The account was unbound: close every socket of it. */
    accountClosed(account: string): void;
  };
  /** Told of failures that are not the client's (a remote delivery that failed). */
  readonly onError: (error: unknown) => void;
}

/** Limits of the service (Hello advertises them). */
export interface ServiceLimits {
  /** Largest Transact body (bytes): ConstraintsUpdate.BytesMax. */
  readonly uploadBytes: number;
  /** Most frames per store in one Download answer (a client asks for fewer with MaxEntries). */
  readonly pageEntries: number;
  /** Most frame bytes in one Download answer, over all stores (one frame always fits). */
  readonly pageBytes: number;
  /** Shortest and longest local part of an address, and characters it may not hold (PolicyAccount). */
  readonly accountName: { readonly minimum: number; readonly maximum: number; readonly invalidCharacters: string };
}

/** The account a request acts on and what its key may do there. */
export interface Authorized {
  readonly view: AccountView;
  readonly mode: 'Key' | 'Connection';
  /** Stores the key may read and write. */
  readonly stores: ReadonlySet<string>;
  /** Connection mode: the device's grant. */
  readonly grant?: DeviceGrant;
  /** The MMM_Access frame count the decision was made at (a commit's guard names it). */
  readonly accessIndex: number;
  /**
   * Decided from this host's cache without a store read (`ResolvedAccess.cached`): possibly
   * stale, so only a commit guarded by `accessGuard` may act on it.
   */
  readonly cached: boolean;
}

/**
 * The guard of a commit that acts on `who` (`TransactOptions.guards`): the account is still the
 * record the decision read, and — unless the commit updates it, its expected index being the
 * check then — MMM_Access still holds the frames the grant was decided on.
 */
export function accessGuard(who: Authorized, updatesAccess: boolean): TransactGuard {
  const { created, status, profile } = who.view.record;
  return { account: who.view.address, record: { created, status, profile }, heads: updatesAccess ? [] : [{ store: CATALOG.access, nextIndex: who.accessIndex }] };
}

/**
 * Authorizes a request on an account (protocol.md §2 credential modes, T6–T8 "Connection (or
 * Key)"): a Connection credential's key must hold an active, administrator-signed grant in the
 * account's Access catalog (access.ts), else 403 DeviceRevoked. A Key credential's key must be
 * the account's CommonAuthentication, else 403 NotAuthorized — and is taken only while the
 * account's MMM_Access is not on the service yet (the first upload after BindAccount, protocol.md
 * F1 step 7). Afterwards every device speaks for itself: the `message` role hands
 * CommonAuthentication to every messaging device (mesh-model.md §7), so a request signed with it
 * cannot tell the account's owner from a revoked phone, and a revocation must not be undone by
 * it. `account` is the request's `Account` (Key mode names the account there; in Connection mode
 * the binding has checked it against the credential).
 */
export async function authorize(sc: ServiceContext, account: string | undefined, rc: RequestContext, options: { trustCache?: boolean } = {}): Promise<Authorized> {
  const auth = rc.auth;
  if (auth === undefined) throw refuse('ClientUnauthorized', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: 'this transaction is signed' });
  if (auth.mode === 'Connection') {
    // What authentication found for this request (service.ts resolveConnection), when it was this
    // service's — from the cache only for a handler whose commit re-checks it (`trustCache`).
    let found = auth.resolved instanceof ResolvedAccess && auth.resolved.key.kid === auth.keyid ? auth.resolved : undefined;
    if (found?.cached === true && options.trustCache !== true) found = undefined;
    if (found === undefined) {
      const view = await sc.access.account(auth.account!);
      if (view === undefined) throw unknownAccount(`no account ${auth.account!.slice(0, 100)}`);
      found = await sc.access.connection(view, auth.keyid);
      if (found === undefined) throw revoked();
    }
    const grant = found.grant;
    if (grant === undefined) throw revoked();
    return { view: found.view, mode: 'Connection', stores: grant.stores, grant, accessIndex: found.accessIndex, cached: found.cached };
  }
  if (auth.mode === 'Key') {
    if (typeof account !== 'string' || account === '') throw invalid('a Key-mode request names its Account');
    const view = await sc.access.account(account);
    if (view === undefined) throw unknownAccount(`no account ${account.slice(0, 100)}`);
    const ca = view.commonAuthentication;
    if (ca.kid !== auth.keyid || !bytesEqual(ca.publicKey, auth.key.publicKey)) throw forbidden('the key is not the account\'s CommonAuthentication');
    if ((await sc.store.head(view.address, CATALOG.access)).nextIndex > 0) {
      throw forbidden('the account key only binds and makes the first upload: the account has devices now, ask one of them (Connection credential)');
    }
    return { view, mode: 'Key', stores: ALL_STORES, accessIndex: 0, cached: false };
  }
  throw refuse('ClientUnauthorized', { extended: 'NotAuthorized', name: 'NotAuthenticated', detail: `${rc.transaction} takes no ${auth.mode} credential` });
}

function revoked(): MeshProtocolError {
  return refuse('Forbidden', { extended: 'DeviceRevoked', name: 'NotAuthorized', detail: 'this device has no active connection to the account' });
}
