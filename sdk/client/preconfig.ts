import { dareKeyFromKeyPair } from '../dare/keys.js';
import type { SyncedStore } from '../mesh/catalog/synced-store.js';
import { checkClaimForDevice } from '../mesh/connect/claim.js';
import { preconfigureDevice, publishedDeviceProfile, readInstallation, writeInstallation } from '../mesh/connect/preconfig.js';
import { openRespondConnection } from '../mesh/connect/respond.js';
import { parseConnectUri } from '../mesh/connect/uri.js';
import { openMeshEnvelope } from '../mesh/envelopes.js';
import { MeshError } from '../mesh/errors.js';
import type { MeshHost } from '../mesh/host/host.js';
import { installAcceptedConnection, openPendingConnection, savePendingConnection, type PendingConnection } from '../mesh/host/pending.js';
import { verifyProfile } from '../mesh/profiles.js';
import { grantsOf } from '../mesh/roles.js';
import type { Enveloped } from '../mesh/schema/object.js';
import type { AnyProfileAccount, CatalogedDevice, ProfileDevice, RespondConnection } from '../mesh/schema/types.js';
import { deviceCredential, keyCredential, MeshHttpClient, type FetchFunction } from '../protocol/client.js';
import { responseId } from '../udf/message-id.js';
import { bindingOfAssignment, type ConnectionCompletion } from './connect.js';
import { activateInCatalogs, uploadWith } from './devices.js';
import { claimPublication, publish } from './publications.js';
import { MeshClientError } from './errors.js';
import type { MeshClient } from './mesh-client.js';

/**
 * Preconfigured devices (protocol.md F4; mesh-model.md §11), over the service's Claim and
 * PollClaim (service/mesh/claims.ts):
 *
 * 1. the maker ({@link preconfigure}): a device seed, profile and connect URI; the
 *    CatalogedPublication into its MMM_Publication and, signed by its AdministratorSignature, to
 *    its service (Transact `Local[]`); the installation file (`.medk`, secret) for the device;
 * 2. the device ({@link installPreconfigured}): keeps the installation as a pending request;
 * 3. the account that scanned the label ({@link claimDevice}): a MessageClaim signed by its
 *    CommonSignature, Claim at the maker's service, the device profile opened under the URI's
 *    secret, then the activation as for a direct request, the RespondConnection under
 *    ResponseId(claim) to its own MMM_Local;
 * 4. the device ({@link completePreconfigured}): PollClaim at the maker's service; the claim's
 *    DeviceAuthenticate must verify under its device authenticator (only an account that held the
 *    URI made it); then Complete at the claimant's service, the answer signed by the
 *    AdministratorSignature of the account the claim names (its profile comes in the answer and
 *    must be that address's, bound to that service).
 */

/** A device made by a maker. Secret: `installation` (the device seed) and `connectUri`. */
export interface Preconfigured {
  readonly deviceUdf: string;
  readonly connectUri: string;
  readonly installation: Uint8Array;
}

/** Makes a preconfigured device on the maker's account (see the module notes). */
export async function preconfigure(client: MeshClient, options: { description?: string; notOnOrAfter?: Date } = {}): Promise<Preconfigured> {
  const account = client.account;
  const keys = account.accountKeys();
  const made = preconfigureDevice({
    maker: account.address, makerUdf: account.udf, administratorSignature: keys.administratorSignature,
    ...(options.description ? { description: options.description } : {}), ...(options.notOnOrAfter ? { notOnOrAfter: options.notOnOrAfter } : {}),
  });
  // Signed by the AdministratorSignature: a device label, claimed once (publications.ts).
  await publish(client, made.catalogedPublication, dareKeyFromKeyPair(keys.administratorSignature));
  return { deviceUdf: made.deviceUdf, connectUri: made.connectUri, installation: writeInstallation(made.installation) };
}

/** Installs a `.medk` on this device: a pending request, completed once an account claims it. */
export async function installPreconfigured(host: MeshHost, bytes: Uint8Array, options: { makerEndpoint: string; fetch?: FetchFunction }): Promise<PendingConnection> {
  const inst = readInstallation(bytes);
  const http = new MeshHttpClient({ endpoint: options.makerEndpoint, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const hello = await http.hello();
  const pending: PendingConnection = {
    deviceUdf: inst.deviceUdf, kind: 'preconfigured', address: '', requestId: '', serviceUrl: http.endpoint, serviceUdf: hello.service.udf,
    deviceProfile: inst.deviceProfile, created: new Date().toISOString(),
    publication: {
      publisher: inst.publication.publisher.toLowerCase(), publicationId: inst.publication.publicationId,
      deviceAuthenticator: inst.publication.deviceAuthenticator, serviceUrl: http.endpoint,
    },
  };
  await savePendingConnection(host, pending, inst.deviceKeys.seed);
  return pending;
}

/** Claims a preconfigured device by its connect URI and accepts it with `roles` (see the module notes). */
export async function claimDevice(
  client: MeshClient, uri: string, options: { roles?: readonly string[]; makerEndpoint: string; fetch?: FetchFunction },
): Promise<{ deviceUdf: string; roles: readonly string[]; claimId: string }> {
  const parsed = parseConnectUri(uri);
  if (parsed.kind !== 'publication') throw new MeshError('MESH_BAD_ARGUMENT', 'this connect URI carries a PIN: the device makes the request (device request mcu://…)');
  const roles = [...(options.roles ?? ['web'])];
  grantsOf(roles);
  const claimed = await claimPublication(client, parsed.uri, { endpoint: options.makerEndpoint, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const deviceProfile = publishedDeviceProfile(claimed.publication, parsed.uri);
  const device = verifyProfile(deviceProfile);
  await acceptClaimed(client, { claimId: claimed.claimId, deviceProfile, roles });
  return { deviceUdf: device.udf, roles, claimId: claimed.claimId };
}

/**
 * Step 3's second half: activates the claimed device with `roles` (MMM_Device, MMM_Access) and
 * sends the RespondConnection under ResponseId(claim) to this account's MMM_Local, in one Transact.
 */
export async function acceptClaimed(
  client: MeshClient, claimed: { claimId: string; deviceProfile: Enveloped<ProfileDevice>; roles: readonly string[] },
): Promise<void> {
  const { deviceProfile, roles } = claimed;
  grantsOf(roles);
  client.account.accountKeys(); // without the account seed this device cannot activate: say so before syncing
  await client.sync();
  const stores: SyncedStore[] = [];
  try {
    const respond = await activateInCatalogs(client, deviceProfile, roles, claimed.claimId, stores);
    await uploadWith(client, stores, { local: [respond] });
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
  }
}

/**
 * The device's side of step 4 (see the module notes). `endpointOf`: the service of the claimant's
 * address (discovery).
 */
export async function completePreconfigured(
  host: MeshHost, options: { deviceUdf?: string; endpointOf: (address: string) => Promise<string>; fetch?: FetchFunction },
): Promise<ConnectionCompletion> {
  const { pending, deviceKeys } = await openPendingConnection(host, options.deviceUdf);
  const pub = pending.publication;
  if (pending.kind !== 'preconfigured' || pub === undefined) throw new MeshError('MESH_BAD_ARGUMENT', 'not a preconfigured device\'s request');
  const fetch = options.fetch ? { fetch: options.fetch } : {};
  const maker = new MeshHttpClient({ endpoint: pub.serviceUrl, expectedServiceUdf: pending.serviceUdf, ...fetch });
  await maker.hello();
  const polled = await maker.request('PollClaim', { $class: 'PollClaimRequest', PublicationId: pub.publicationId, TargetAccountAddress: pub.publisher },
    keyCredential(dareKeyFromKeyPair(deviceKeys.authentication)));
  if (polled.EnvelopedMessage === undefined) return { state: 'pending', pending };
  const claim = checkClaimForDevice(polled.EnvelopedMessage, { publicationId: pub.publicationId, deviceAuthenticator: pub.deviceAuthenticator });
  const address = claim.Sender!.toLowerCase();
  const http = new MeshHttpClient({ endpoint: await options.endpointOf(address), ...fetch });
  const hello = await http.hello();
  let response;
  try {
    response = await http.request('Complete', { $class: 'CompleteRequest', AccountAddress: address, ResponseID: responseId(claim.MessageId!) },
      deviceCredential(pending.deviceProfile, dareKeyFromKeyPair(deviceKeys.authentication)));
  } catch (e) {
    if ((e as { errorName?: string }).errorName === 'MeshResponseNotFound') return { state: 'pending', pending };
    throw e;
  }
  if (response.EnvelopedRespondConnection === undefined) throw new MeshClientError('CLIENT_BAD_RESPONSE', 'Complete: no RespondConnection');
  // The account comes with the answer: read it first, then check the answer against it.
  const peek = openMeshEnvelope(response.EnvelopedRespondConnection, 'RespondConnection', { keys: [dareKeyFromKeyPair(deviceKeys.encryption)] }).object as RespondConnection;
  const profile = (peek.CatalogedDevice as CatalogedDevice | undefined)?.EnvelopedProfileUser as Enveloped<AnyProfileAccount> | undefined;
  if (profile === undefined) throw new MeshError('MESH_REFUSED', `the claim of ${address} was not accepted`);
  const account = verifyProfile(profile);
  const p = account.profile as AnyProfileAccount;
  if (p.AccountAddress?.toLowerCase() !== address || p.ServiceUdf !== hello.service.udf) {
    throw new MeshClientError('CLIENT_BAD_RESPONSE', `the answer is for ${String(p.AccountAddress)} at another service, not for the claimant ${address}`);
  }
  const opened = openRespondConnection(response.EnvelopedRespondConnection, { deviceKeys, accountProfile: profile, requestId: claim.MessageId! });
  if (opened.result === 'Reject') return { state: 'rejected', pending };
  const service = bindingOfAssignment(response.EnvelopedAccountHostAssignment, hello.profile.profile, hello.service.udf, http.endpoint, address);
  const installed = await installAcceptedConnection(host, { ...pending, address }, deviceKeys, {
    catalogedDevice: opened.catalogedDevice, activation: opened.activation, accountProfile: profile, service,
  });
  return { state: 'accepted', pending, account: installed };
}
