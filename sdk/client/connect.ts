import type { DareEnvelope } from '../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePublicKey } from '../dare/keys.js';
import { base64urlEncode } from '../encoding/base64url.js';
import { buildRequestConnection } from '../mesh/connect/request.js';
import { verifyAcknowledgeConnection } from '../mesh/connect/acknowledge.js';
import { openRespondConnection } from '../mesh/connect/respond.js';
import { openMeshEnvelope } from '../mesh/envelopes.js';
import { MeshError } from '../mesh/errors.js';
import { checkAccountAddress } from '../mesh/host/create.js';
import type { MeshAccount } from '../mesh/host/account.js';
import type { MeshHost } from '../mesh/host/host.js';
import {
  dropPendingConnection, installAcceptedConnection, openPendingConnection, savePendingConnection, type PendingConnection,
} from '../mesh/host/pending.js';
import type { ServiceBinding } from '../mesh/host/records.js';
import { deriveDeviceKeys, newMeshSeed } from '../mesh/keys.js';
import { publicKeyOf } from '../mesh/keydata.js';
import { buildProfileDevice, sealProfile, verifyProfile } from '../mesh/profiles.js';
import type { Enveloped } from '../mesh/schema/object.js';
import type { AnyProfileAccount, ProfileService } from '../mesh/schema/types.js';
import { deviceCredential, MeshHttpClient, type FetchFunction } from '../protocol/client.js';
import { MeshProtocolError } from '../protocol/status.js';
import { responseId } from '../udf/message-id.js';
import type { RandomSource } from '../udf/random.js';
import { MeshClientError } from './errors.js';

/**
 * The new device's side of connecting to an account (protocol.md F2 steps 1, 3, 6; F3 step 2):
 *
 * - {@link requestConnection}: a fresh device seed and ProfileDevice, a RequestConnection signed
 *   by the device (with a PIN proof when a PIN or `mcu://` URI was given), Connect in Device
 *   mode; the answer is checked — the account profile is self-signed, for the address asked and
 *   bound to the service that answered; the AcknowledgeConnection is signed by that service's
 *   ServiceSignature key, carries this device's own request, and its witness recomputes from the
 *   account's and this device's keys and both nonces (REF's device skips this). The request is
 *   kept (host/pending.ts) and the witness returned, for the user to compare with the
 *   administrator's screen.
 * - {@link completeConnection}: Complete at the same service (pinned) until the administrator
 *   answered; an Accept is opened with the device's base key, must be signed by the
 *   AdministratorSignature of the account pinned at request time and carry a CatalogedDevice
 *   for this device and that account (connect/respond.ts checks the whole chain and the
 *   co-generated keys); the account is then installed on this home, bound to the service (the
 *   AccountHostAssignment must be signed by the service), and a first `sync` downloads its stores.
 */

/** Options of {@link requestConnection}. */
export interface ConnectionRequestOptions {
  /** The account to join. */
  readonly address: string;
  /** The account's service (transaction endpoint). */
  readonly endpoint: string;
  /** A PIN the account issued (`account pin`): the administrator's `account sync --auto` then accepts without asking. */
  readonly pin?: string;
  /** Roles the device asks for (ConnectRequest.Rights; the administrator decides). */
  readonly rights?: readonly string[];
  /** The device's description (ProfileDevice.Description). */
  readonly description?: string;
  readonly fetch?: FetchFunction;
  readonly random?: RandomSource;
}

/** A request made: what both screens show. */
export interface ConnectionRequested {
  readonly pending: PendingConnection;
  readonly deviceUdf: string;
  readonly witness: string;
  readonly accountUdf: string;
}

/** The ServiceSignature key of a pinned service profile. */
export function serviceSignatureOf(profile: ProfileService): DarePublicKey {
  if (profile.ServiceSignature === undefined) throw new MeshClientError('CLIENT_BAD_RESPONSE', 'the service profile has no ServiceSignature key');
  return publicKeyOf(profile.ServiceSignature, 'ProfileService.ServiceSignature');
}

function badResponse(what: string, e: unknown): never {
  if (e instanceof MeshClientError) throw e;
  throw new MeshClientError('CLIENT_BAD_RESPONSE', `${what}: ${(e as Error).message}`, { cause: e });
}

/** Makes a connection request (see the module notes). */
export async function requestConnection(host: MeshHost, options: ConnectionRequestOptions): Promise<ConnectionRequested> {
  const address = checkAccountAddress(options.address);
  const random = options.random;
  const seed = newMeshSeed('MeshProfileDevice', random);
  const keys = deriveDeviceKeys(seed);
  const profile = sealProfile(buildProfileDevice(keys, options.description ? { description: options.description } : {}), keys.profileSignature);
  const built = buildRequestConnection({
    deviceKeys: keys, deviceProfile: profile, accountAddress: address, ...(options.pin !== undefined ? { pin: options.pin } : {}), ...(random ? { random } : {}),
  });
  const http = new MeshHttpClient({ endpoint: options.endpoint, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const hello = await http.hello();
  const response = await http.request('Connect', {
    $class: 'ConnectRequest', EnvelopedRequestConnection: built.envelope, ...(options.rights?.length ? { Rights: [...options.rights] } : {}),
  }, deviceCredential(profile, dareKeyFromKeyPair(keys.authentication)));
  let accountProfile: Enveloped<AnyProfileAccount>;
  let witness: string;
  let accountUdf: string;
  try {
    if (response.EnvelopedProfileAccount === undefined || response.EnvelopedAcknowledgeConnection === undefined) throw new Error('no account profile or acknowledgement');
    accountProfile = response.EnvelopedProfileAccount;
    const account = verifyProfile(accountProfile);
    const p = account.profile as AnyProfileAccount;
    if (typeof p.AccountAddress !== 'string' || p.AccountAddress.toLowerCase() !== address) throw new Error(`the account profile is for ${String(p.AccountAddress)}, not ${address}`);
    if (p.ServiceUdf !== hello.service.udf) throw new Error('the account profile names another service than the one that answered');
    const ack = verifyAcknowledgeConnection(response.EnvelopedAcknowledgeConnection, {
      serviceSignature: serviceSignatureOf(hello.profile.profile), accountProfile, ownRequest: built.envelope,
    });
    witness = ack.witness;
    accountUdf = account.udf;
  } catch (e) {
    if (e instanceof MeshError && e.code === 'MESH_WITNESS') throw e;
    badResponse('Connect', e);
  }
  const pending: PendingConnection = {
    deviceUdf: keys.profileSignature.udf, kind: options.pin !== undefined ? 'pin' : 'direct', address, requestId: witness, witness,
    serviceUrl: http.endpoint, serviceUdf: hello.service.udf, accountProfile, deviceProfile: profile, created: new Date().toISOString(),
  };
  await savePendingConnection(host, pending, seed);
  return { pending, deviceUdf: pending.deviceUdf, witness, accountUdf };
}

/** What {@link completeConnection} found. */
export type ConnectionCompletion =
  | { readonly state: 'pending'; readonly pending: PendingConnection }
  | { readonly state: 'rejected'; readonly pending: PendingConnection }
  | { readonly state: 'expired'; readonly pending: PendingConnection }
  | { readonly state: 'accepted'; readonly pending: PendingConnection; readonly account: MeshAccount };

/** The service binding an AccountHostAssignment signed by the service gives (`CLIENT_BAD_RESPONSE` otherwise). */
export function bindingOfAssignment(envelope: DareEnvelope | undefined, service: ProfileService, serviceUdf: string, url: string, address: string): ServiceBinding {
  try {
    if (envelope === undefined) throw new Error('no EnvelopedAccountHostAssignment');
    const a = openMeshEnvelope(envelope, 'AccountHostAssignment', { signers: [serviceSignatureOf(service)], requireSignature: true }).object;
    if (a.AccountAddess?.toLowerCase() !== address) throw new Error(`the assignment is for ${String(a.AccountAddess)}`);
    if (a.AccessEncrypt === undefined) throw new Error('the assignment has no AccessEncrypt key');
    const key = publicKeyOf(a.AccessEncrypt, 'AccessEncrypt');
    if (key.algorithm !== 'X448') throw new Error(`AccessEncrypt is ${key.algorithm}, not X448`);
    return { serviceUdf, url, accessEncrypt: { algorithm: 'X448', publicKey: base64urlEncode(key.publicKey), kid: key.kid } };
  } catch (e) {
    return badResponse('the AccountHostAssignment', e);
  }
}

/** Asks for the answer to a pending request and takes it (see the module notes). */
export async function completeConnection(
  host: MeshHost, options: { deviceUdf?: string; fetch?: FetchFunction } = {},
): Promise<ConnectionCompletion> {
  const { pending, deviceKeys } = await openPendingConnection(host, options.deviceUdf);
  if (pending.accountProfile === undefined) throw new MeshError('MESH_INVALID', 'the pending request does not know its account yet (a preconfigured device: complete through its claim)');
  const http = new MeshHttpClient({ endpoint: pending.serviceUrl, expectedServiceUdf: pending.serviceUdf, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const hello = await http.hello();
  let response;
  try {
    response = await http.request('Complete', {
      $class: 'CompleteRequest', AccountAddress: pending.address, ResponseID: responseId(pending.requestId),
    }, deviceCredential(pending.deviceProfile, dareKeyFromKeyPair(deviceKeys.authentication)));
  } catch (e) {
    if (e instanceof MeshProtocolError && e.errorName === 'MeshResponseNotFound') return { state: 'pending', pending };
    if (e instanceof MeshProtocolError && e.errorName === 'MeshResponseExpired') {
      await dropPendingConnection(host, pending.deviceUdf);
      return { state: 'expired', pending };
    }
    throw e;
  }
  if (response.EnvelopedRespondConnection === undefined) throw new MeshClientError('CLIENT_BAD_RESPONSE', 'Complete: no RespondConnection');
  const opened = openRespondConnection(response.EnvelopedRespondConnection, { deviceKeys, accountProfile: pending.accountProfile, requestId: pending.requestId });
  if (opened.result === 'Reject') {
    await dropPendingConnection(host, pending.deviceUdf);
    return { state: 'rejected', pending };
  }
  const service = bindingOfAssignment(response.EnvelopedAccountHostAssignment, hello.profile.profile, pending.serviceUdf, http.endpoint, pending.address);
  const account = await installAcceptedConnection(host, pending, deviceKeys, {
    catalogedDevice: opened.catalogedDevice, activation: opened.activation, accountProfile: pending.accountProfile, service,
  });
  return { state: 'accepted', pending, account };
}
