import { serializeEnvelope } from '../../dare/envelope.js';
import { publicKeyOf } from '../../mesh/keydata.js';
import { verifyProfile, type VerifiedProfile } from '../../mesh/profiles.js';
import { isKindOf } from '../../mesh/schema/model.js';
import type {
  AnyProfileAccount, BindRequest, BindResponse, MeshHelloResponse, UnbindRequest, UnbindResponse,
} from '../../mesh/schema/types.js';
import type { RequestContext } from '../../protocol/service.js';
import { refuse } from '../../protocol/status.js';
import { MESSAGE_LIMIT } from '../../protocol/transactions.js';
import { ServiceStoreError } from '../store-errors.js';
import { canonicalAddress } from '../store-rules.js';
import { authorize, type ServiceContext } from './context.js';
import { forbidden, invalid, refusalOf } from './errors.js';
import { hostAssignment } from './identity.js';
import { forgetAccountRecords } from './account-records.js';

/**
 * The account transactions of the Mesh service: T1 Hello, T2 BindAccount, T3 UnbindAccount
 * (protocol.md §5).
 */

/** The protocol version this service speaks (protocol.md T1). */
export const MESH_VERSION = { Major: 3, Minor: 0 } as const;

/** T1 Hello: the service profile, the version and encodings, the limits and the account-name policy. */
export function hello(sc: ServiceContext): MeshHelloResponse {
  const n = sc.limits.accountName;
  return {
    $class: 'MeshHelloResponse',
    Version: { ...MESH_VERSION, Encodings: [{ ID: ['application/json'] }] },
    EnvelopedProfileService: sc.identity.profile,
    ConstraintsUpdate: { MaxEntries: sc.limits.pageEntries, BytesMax: sc.limits.uploadBytes },
    ConstraintsPost: { BytesMax: MESSAGE_LIMIT },
    PolicyAccount: { Minimum: n.minimum, Maximum: n.maximum, InvalidCharacters: n.invalidCharacters },
  };
}

/** Checks an address against the service's policy: `local@domain`, a served domain, the name rules. */
function checkAddress(sc: ServiceContext, address: string): string {
  let canonical: string;
  try {
    canonical = canonicalAddress(address);
  } catch (e) {
    throw refusalOf(e);
  }
  const at = canonical.lastIndexOf('@');
  if (at <= 0 || at === canonical.length - 1) throw invalid(`${canonical.slice(0, 100)} is not local@domain`);
  const local = canonical.slice(0, at);
  const domain = canonical.slice(at + 1);
  const n = sc.limits.accountName;
  if (local.length < n.minimum || local.length > n.maximum) throw invalid(`the name before @ is ${n.minimum} to ${n.maximum} characters`);
  for (const c of n.invalidCharacters) if (local.includes(c)) throw invalid(`the name before @ may not hold ${JSON.stringify(c)}`);
  if (sc.domains !== undefined && !sc.domains.has(domain)) {
    throw refuse('Forbidden', { extended: 'Refused', name: 'NotAuthorized', detail: `this service binds accounts of ${[...sc.domains].join(', ')}, not ${domain.slice(0, 100)}` });
  }
  return canonical;
}

/**
 * T2 BindAccount (protocol.md F1 step 5): the request is signed (Key mode) by the profile's own
 * CommonAuthentication key; the profile is self-signed, names this service in `ServiceUdf` and
 * the address bound in `AccountAddress`. Creates the account (its spools and catalogs come with
 * the device's first Transact, whose frame 0 names each store's key) and returns the
 * AccountHostAssignment. Binding the same profile to the same address again (a retry after a
 * lost answer) succeeds; another profile at a taken address, or the profile at another address,
 * is 409 AccountRegistered.
 */
export async function bindAccount(sc: ServiceContext, request: BindRequest, rc: RequestContext): Promise<BindResponse> {
  const auth = rc.auth;
  if (auth === undefined || auth.mode !== 'Key') throw forbidden('BindAccount is signed with the account\'s CommonAuthentication key (Key mode)');
  const envelope = request.EnvelopedProfileAccount;
  if (envelope === undefined) throw invalid('BindRequest carries no EnvelopedProfileAccount');
  let verified: VerifiedProfile;
  try {
    verified = verifyProfile(envelope);
  } catch (e) {
    throw refusalOf(e);
  }
  const profile = verified.profile as AnyProfileAccount;
  if (!isKindOf(profile.$class, 'ProfileAccount')) throw invalid(`a ${profile.$class} is not an account profile`);
  if (profile.CommonAuthentication === undefined || profile.AdministratorSignature === undefined) throw invalid('the profile lacks CommonAuthentication or AdministratorSignature');
  let common;
  try {
    common = publicKeyOf(profile.CommonAuthentication, 'CommonAuthentication');
  } catch (e) {
    throw refusalOf(e);
  }
  if (common.kid !== auth.keyid) throw forbidden('BindAccount must be signed with the profile\'s CommonAuthentication key');
  if (profile.ServiceUdf !== sc.identity.udf) throw invalid(`the profile names service ${String(profile.ServiceUdf).slice(0, 100)}, not this one (${sc.identity.udf})`);
  if (typeof profile.AccountAddress !== 'string') throw invalid('the profile names no AccountAddress');
  const address = checkAddress(sc, request.AccountAddress ?? profile.AccountAddress);
  if (canonicalAddress(profile.AccountAddress) !== address) throw invalid(`the profile is for ${profile.AccountAddress.slice(0, 100)}, not ${address}`);
  const bytes = serializeEnvelope(envelope, 'json');
  try {
    await sc.store.createAccount({ address, profileUdf: verified.udf, profile: bytes });
  } catch (e) {
    if (!(e instanceof ServiceStoreError && e.code === 'SERVICE_ALREADY_EXISTS')) throw refusalOf(e);
    const existing = await sc.store.getAccount(address);
    if (existing === undefined || existing.profileUdf !== verified.udf) throw refusalOf(e);
    // The same account again: a retry. Keep the newest signed profile.
    await sc.store.updateAccount(address, { profile: bytes }).catch((u: unknown) => {
      throw refusalOf(u);
    });
  }
  sc.access.forget(address);
  sc.states.forget(address);
  return { $class: 'BindResponse', EnvelopedAccountHostAssignment: hostAssignment(sc.identity, address) };
}

/**
 * T3 UnbindAccount (protocol.md F11): by a connected administrator device (roles `super` or
 * `admin`), or by the account's CommonAuthentication key before the account's first upload
 * (context.ts says why not after). Deletes the account with every
 * store (the decision protocol.md leaves open: nothing is kept after an unbind) and the service's
 * records about it (account-records.ts), closes its push sockets, and forgets it; another profile
 * may then bind the address.
 */
export async function unbindAccount(sc: ServiceContext, request: UnbindRequest, rc: RequestContext): Promise<UnbindResponse> {
  const who = await authorize(sc, request.Account, rc);
  if (who.mode === 'Connection' && !who.grant!.roles.some((r) => r === 'super' || r === 'admin')) {
    throw refuse('Forbidden', { extended: 'NotAdministrator', name: 'NotAuthorized', detail: 'only an administrator device may unbind the account' });
  }
  const address = who.view.address;
  try {
    await sc.store.deleteAccount(address);
  } catch (e) {
    throw refusalOf(e);
  }
  sc.access.forget(address);
  sc.states.forget(address);
  sc.notify.accountClosed(address);
  // The account is gone with this commit; its records beside the stores follow (a failure here is the service's to report).
  await forgetAccountRecords(sc.store, address).catch((e: unknown) => sc.onError(e));
  return { $class: 'UnbindResponse' };
}
