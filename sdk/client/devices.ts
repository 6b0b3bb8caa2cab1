import type { DareEnvelope } from '../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePrivateKey } from '../dare/keys.js';
import { activateDevice } from '../mesh/activations.js';
import type { Catalog } from '../mesh/catalog/catalog.js';
import { verifyAcknowledgeConnection, type VerifiedAcknowledge } from '../mesh/connect/acknowledge.js';
import { closePinReference, issuePin, pinLookupOf, sealMessagePin, validatePin } from '../mesh/connect/pin.js';
import { buildRespondConnection, type ConnectionResult } from '../mesh/connect/respond.js';
import { connectUriOf } from '../mesh/connect/uri.js';
import { MeshError } from '../mesh/errors.js';
import { buildDeviceAccess } from '../mesh/host/create.js';
import type { AccountKeys } from '../mesh/keys.js';
import { publicKeyOf } from '../mesh/keydata.js';
import { verifyProfile } from '../mesh/profiles.js';
import { reissueDevice, reissuedAccess } from '../mesh/reissue.js';
import { grantsOf } from '../mesh/roles.js';
import { SERVICE_WRITTEN_SPOOLS, storeKeyEntry } from '../mesh/store-keys.js';
import type { AnyProfileAccount, CatalogedAccess, CatalogedDevice, ProfileDevice } from '../mesh/schema/types.js';
import type { Enveloped } from '../mesh/schema/object.js';
import type { Spool } from '../mesh/spool/spool.js';
import type { SyncedStore } from '../mesh/catalog/synced-store.js';
import { serviceSignatureOf } from './connect.js';
import type { MeshClient, TransactMessages } from './mesh-client.js';

/**
 * The administrator's side of connecting devices (protocol.md F2 steps 4–5, F3 steps 1, 3):
 *
 * - {@link pendingRequests}: the AcknowledgeConnections in the account's MMM_Inbound not yet
 *   Closed, each verified — signed by the account's service, the request inside signed by the
 *   device it names, and the witness recomputed from the account's own profile, the device
 *   profile and both nonces. A message that fails is listed as such, never offered for accept.
 * - {@link answerRequest}: accept (activation with the roles given, mesh-model.md §6: the
 *   CatalogedDevice into MMM_Device, its AccessCapability into MMM_Access) or reject; the
 *   RespondConnection — signed by the AdministratorSignature, encrypted to the device's base key
 *   — goes to MMM_Local in the same Transact as the catalog updates and the MessageComplete
 *   that closes the acknowledgement.
 * - {@link issueDevicePin} (`account pin`) and {@link acceptByPin} (`account sync --auto`):
 *   requests that carry a PIN proof are validated against the MessagePin in MMM_Local
 *   (connect/pin.ts) and accepted with the PIN's roles without asking; the PIN is closed in the
 *   same Transact. Requests whose PIN does not validate are rejected, with the reason reported
 *   here only (the device is told "rejected", never which part was wrong).
 *
 * Accepting needs the account seed on this device (the activation's per-store keys derive from
 * it; mesh-model.md §4, §7).
 */

/** A connection request as an administrator sees it. */
export interface ConnectionRequestInfo {
  /** The witness (the AcknowledgeConnection's MessageId): what `device accept` names. */
  readonly witness: string;
  readonly deviceUdf: string;
  readonly description: string | undefined;
  /** The PinId when the request carries a PIN proof. */
  readonly pinId: string | undefined;
  readonly created: string | undefined;
  /** Checked as the module notes say. */
  readonly verified: VerifiedAcknowledge;
}

/** A request that does not verify (listed, never acted on). */
export interface InvalidRequestInfo {
  readonly messageId: string;
  readonly reason: string;
}

async function withStore<S extends SyncedStore, T>(open: Promise<S>, f: (s: S) => Promise<T>): Promise<T> {
  const s = await open;
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}

/** The open connection requests of the account (run `sync` first to see new ones). */
export async function pendingRequests(client: MeshClient): Promise<{ requests: ConnectionRequestInfo[]; invalid: InvalidRequestInfo[] }> {
  const hello = await client.hello();
  const serviceSignature = serviceSignatureOf(hello.profile.profile);
  const accountProfile = client.account.state.profile;
  return withStore(client.account.spool('inbound'), async (inbound) => {
    const requests: ConnectionRequestInfo[] = [];
    const invalid: InvalidRequestInfo[] = [];
    for (const m of inbound.list({ messageType: 'AcknowledgeConnection' })) {
      if (m.state === 'Closed' || m.state === 'Deleted') continue;
      try {
        const verified = verifyAcknowledgeConnection(await inbound.read(m.messageId), { serviceSignature, accountProfile, accountUdf: client.account.udf });
        requests.push({
          witness: verified.witness, deviceUdf: verified.device.udf, description: verified.device.profile.Description, pinId: verified.request.request.PinId,
          created: m.created, verified,
        });
      } catch (e) {
        if (!(e instanceof MeshError)) throw e;
        invalid.push({ messageId: m.messageId, reason: `${e.code}: ${e.message}` });
      }
    }
    return { requests, invalid };
  });
}

export function adminKey(client: MeshClient): DarePrivateKey {
  return client.account.activation.accountKeys.AdministratorSignature ?? dareKeyFromKeyPair(client.account.accountKeys().administratorSignature);
}

/** What {@link answerRequest} did. */
export interface RequestAnswer {
  readonly witness: string;
  readonly deviceUdf: string;
  readonly result: ConnectionResult;
  readonly roles: readonly string[];
}

/**
 * Accepts (with `roles`) or rejects a pending request by witness (see the module notes).
 * `closePin`: the PinId to close in the same Transact (a PIN-validated accept). `MESH_NOT_FOUND`
 * when no open, valid request has that witness.
 */
export async function answerRequest(
  client: MeshClient, witness: string, answer: { result: ConnectionResult; roles?: readonly string[]; closePin?: string },
): Promise<RequestAnswer> {
  const { requests } = await pendingRequests(client);
  const request = requests.find((r) => r.witness === witness || r.witness === witness.toUpperCase());
  if (request === undefined) throw new MeshError('MESH_NOT_FOUND', `no open connection request with witness ${witness.slice(0, 80)} (run account sync, then device pending)`);
  const roles = answer.result === 'Accept' ? [...(answer.roles ?? ['web'])] : [];
  grantsOf(roles);
  const account = client.account;
  const deviceProfile = request.verified.request.request.AuthenticatedData!;
  const stores: SyncedStore[] = [];
  const messages: DareEnvelope[] = [];
  try {
    if (answer.result === 'Accept') {
      messages.push(await activateInCatalogs(client, deviceProfile as never, roles, request.witness, stores));
    } else {
      messages.push(buildRespondConnection({ requestId: request.witness, result: 'Reject', deviceProfile, administratorSignature: adminKey(client), sender: account.address }));
    }
    const inbound = await account.spool('inbound');
    stores.push(inbound);
    await inbound.mark(request.witness, 'Closed');
    if (answer.closePin !== undefined) {
      const local = await account.spool('local');
      stores.push(local);
      await local.complete([closePinReference(answer.closePin, request.witness)]);
    }
    await uploadWith(client, stores, { local: messages });
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
  }
  return { witness: request.witness, deviceUdf: request.deviceUdf, result: answer.result, roles };
}

/**
 * Activates `deviceProfile` with `roles` — its CatalogedDevice in MMM_Device, its grant in
 * MMM_Access (the stores opened are pushed on `stores`: the caller uploads and closes them) — and
 * returns the administrator's RespondConnection accepting it under `requestId`.
 */
export async function activateInCatalogs(
  client: MeshClient, deviceProfile: Enveloped<ProfileDevice>, roles: readonly string[], requestId: string, stores: SyncedStore[],
): Promise<DareEnvelope> {
  const account = client.account;
  const keys = account.accountKeys();
  const activation = activateDevice({ account: keys, accountProfile: account.state.profile, deviceProfile, roles, generations: account.storeGenerations });
  const devices = await account.catalog('device');
  stores.push(devices);
  await devices.put(activation.catalogedDevice);
  const access = await account.catalog('access');
  stores.push(access);
  await access.put(buildDeviceAccess(keys, activation, roles));
  return buildRespondConnection({
    requestId, result: 'Accept', catalogedDevice: activation.catalogedDevice, deviceProfile, administratorSignature: adminKey(client), sender: account.address,
  });
}

/**
 * Uploads the stores' new frames with `messages` in one Transact; when another device wrote
 * first, syncs (the conflict rule keeps both devices' entries) and sends the messages after.
 */
export async function uploadWith(client: MeshClient, stores: readonly SyncedStore[], messages: TransactMessages): Promise<void> {
  const first = await client.upload(stores, messages);
  if (first.accepted) return;
  for (const s of stores) await s.close();
  await client.sync();
  const again = await client.upload([], messages);
  if (!again.accepted) throw new MeshError('MESH_STALE', 'the account kept changing while the answer was sent: run account sync and answer again');
}

/** A PIN issued for connecting a device (`account pin`). Secret: `pin` and `uri`. */
export interface IssuedDevicePin {
  readonly pin: string;
  readonly pinId: string;
  readonly uri: string;
  readonly expires: Date;
  readonly roles: readonly string[];
}

/** Issues a device PIN (protocol.md F3 step 1): a MessagePin in MMM_Local, uploaded. */
export async function issueDevicePin(client: MeshClient, options: { roles?: readonly string[]; expires?: Date; bits?: number } = {}): Promise<IssuedDevicePin> {
  const account = client.account;
  const roles = [...(options.roles ?? ['web'])];
  grantsOf(roles);
  const profile = account.profile as AnyProfileAccount;
  if (profile.CommonEncryption === undefined) throw new MeshError('MESH_INVALID', 'the account profile has no CommonEncryption key');
  const issued = issuePin({
    account: account.address, action: 'Device', roles, ...(options.expires ? { expires: options.expires } : {}), ...(options.bits ? { bits: options.bits } : {}),
  });
  const sealed = sealMessagePin(issued.message, { recipients: [publicKeyOf(profile.CommonEncryption, 'CommonEncryption')], signer: adminKey(client) });
  await withStore(account.spool('local'), async (local) => {
    await local.post(sealed);
    await uploadWith(client, [local], {});
  });
  return { pin: issued.pin, pinId: issued.pinId, uri: connectUriOf(account.address, issued.pin), expires: issued.expires, roles };
}

/** The outcome of one PIN-carrying request under {@link acceptByPin}. */
export interface PinOutcome {
  readonly witness: string;
  readonly deviceUdf: string;
  readonly result: ConnectionResult;
  readonly roles: readonly string[];
  /** Why it was rejected: `MESH_PIN_INVALID`, `MESH_PIN_USED`, `MESH_PIN_EXPIRED`. */
  readonly reason?: string;
}

/**
 * `account sync --auto` (protocol.md F3 step 3): every open request carrying a PIN proof is
 * validated against the account's MessagePins and accepted with the PIN's roles (the PIN is
 * closed in the same Transact), or rejected. Requests without a PIN are left for the user.
 */
export async function acceptByPin(client: MeshClient, options: { now?: Date } = {}): Promise<PinOutcome[]> {
  const account = client.account;
  const { requests } = await pendingRequests(client);
  const withPin = requests.filter((r) => r.pinId !== undefined);
  if (withPin.length === 0) return [];
  const encryption = account.activation.accountKeys.Encryption ?? dareKeyFromKeyPair(account.accountKeys().commonEncryption);
  const admin = publicKeyOf((account.profile as AnyProfileAccount).AdministratorSignature!, 'AdministratorSignature');
  const out: PinOutcome[] = [];
  for (const r of withPin) {
    let roles: readonly string[] = [];
    let reason: string | undefined;
    try {
      const validated = await withStore(account.spool('local'), (local: Spool) => validatePin(r.verified.request.request, pinLookupOf(local, [encryption], [admin]), {
        account: account.address, action: 'Device', ...(options.now ? { now: options.now } : {}),
      }));
      roles = validated.roles.length > 0 ? validated.roles : ['web'];
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
      reason = e.code;
    }
    if (reason === undefined) {
      await answerRequest(client, r.witness, { result: 'Accept', roles, closePin: r.pinId! });
      out.push({ witness: r.witness, deviceUdf: r.deviceUdf, result: 'Accept', roles });
    } else {
      await answerRequest(client, r.witness, { result: 'Reject' });
      out.push({ witness: r.witness, deviceUdf: r.deviceUdf, result: 'Reject', roles: [], reason });
    }
  }
  return out;
}

/** One device of the account (`device list`). */
export interface DeviceInfo {
  readonly deviceUdf: string;
  readonly description: string | undefined;
  readonly roles: readonly string[];
  /** Its AccessCapability is active (the service admits it). */
  readonly active: boolean;
  /** This device. */
  readonly self: boolean;
  /** When it last synchronised (its last Status or Download, to within a minute), as the service told an administrator device. */
  readonly lastSync?: Date;
}

/**
 * The devices of the account, from MMM_Device and MMM_Access (run `sync` first). `lastSync`: ask
 * the service when each last synchronised (an administrator device; one Status with `Seen`).
 */
export async function listDevices(client: MeshClient, options: { lastSync?: boolean } = {}): Promise<DeviceInfo[]> {
  const account = client.account;
  const devices = await withStore(account.catalog('device'), async (c: Catalog<'device'>) => c.list() as CatalogedDevice[]);
  const access = await withStore(account.catalog('access'), async (c: Catalog<'access'>) => c.list() as CatalogedAccess[]);
  const seen = new Map<string, Date>();
  if (options.lastSync === true) {
    const status = await client.http.request('Status', { $class: 'StatusRequest', Account: account.address, Seen: true }, client.deviceCredential());
    for (const d of status.DevicesSeen ?? []) if (d.Id !== undefined && d.Seen instanceof Date) seen.set(d.Id, d.Seen);
  }
  return devices.map((d) => {
    const cap = access.find((a) => a.Capability?.$class === 'AccessCapability' && (a.Capability as { Udf?: string }).Udf === d.DeviceUdf)?.Capability as
      { Active?: boolean; Rights?: string[]; Id?: string } | undefined;
    const lastSync = cap?.Id === undefined ? undefined : seen.get(cap.Id);
    let description: string | undefined;
    try {
      description = d.EnvelopedProfileDevice ? (verifyProfile(d.EnvelopedProfileDevice).profile as ProfileDevice).Description : undefined;
    } catch {
      description = undefined;
    }
    return {
      deviceUdf: d.DeviceUdf!, description, roles: [...(cap?.Rights ?? [])], active: cap?.Active === true, self: d.DeviceUdf === account.deviceUdf,
      ...(lastSync ? { lastSync } : {}),
    };
  });
}

/** What {@link revokeDevice} did. */
export interface RevokedDevice {
  readonly deviceUdf: string;
  /** The AccessCapability ids (combined Authentication keys) made inactive. */
  readonly keyids: readonly string[];
  /** The stores re-keyed, with their new key generation. */
  readonly rekeyed: ReadonlyMap<string, number>;
  /** The remaining devices re-issued with the new keys. */
  readonly reissued: readonly string[];
}

/** Stores granted by roles, skipping unknown roles (they grant nothing). */
function storesOf(roles: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of roles) {
    try {
      for (const s of grantsOf([r]).stores) out.add(s);
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
    }
  }
  return [...out];
}

function capabilityOf(entry: CatalogedAccess): { $class?: string; Udf?: string; Active?: boolean; Id?: string; Rights?: string[] } | undefined {
  return entry.Capability as never;
}

/**
 * Revokes a device (protocol.md F10, with its [decide] taken: the stores are re-keyed;
 * `device delete UDF`). In one Transact: its AccessCapability is made inactive, its
 * CatalogedDevice deleted from MMM_Device, and every other device re-issued (mesh/reissue.ts)
 * with a new key generation for each store the revoked device could read. The service refuses
 * the device from that commit on — Status, Download, Transact, PushTicket — and closes its push
 * sockets; the frames written after it are encrypted to the new keys only, which the revoked
 * device never had — also the frames the *service* writes into the spools (deliveries to
 * MMM_Inbound, AcknowledgeConnections, Local messages): the same Transact announces each re-keyed
 * spool's new public key in MMM_Access, signed by the AdministratorSignature
 * (mesh/store-keys.ts). Limits: what it copied before (keys, frames) cannot be recalled — old
 * frames stay readable to it. Needs the account seed here. `MESH_NOT_FOUND` for a device the
 * account does not have; `MESH_BAD_ARGUMENT` for this device.
 */
export async function revokeDevice(client: MeshClient, deviceUdf: string): Promise<RevokedDevice> {
  const account = client.account;
  const udf = deviceUdf.toUpperCase();
  if (udf === account.deviceUdf) throw new MeshError('MESH_BAD_ARGUMENT', 'a device cannot revoke itself: revoke it from another administrator device');
  const keys = account.accountKeys();
  await client.sync();
  const { devices, accessEntries } = await devicesAndAccess(client);
  const revokedEntries = accessEntries.filter((e) => capabilityOf(e)?.$class === 'AccessCapability' && capabilityOf(e)!.Udf === udf && capabilityOf(e)!.Active === true);
  const known = devices.some((d) => d.DeviceUdf === udf);
  if (!known && revokedEntries.length === 0) throw new MeshError('MESH_NOT_FOUND', `the account has no device ${deviceUdf.slice(0, 80)}`);
  const rekeyed = nextGenerations(account.storeGenerations, storesOf(revokedEntries.flatMap((e) => capabilityOf(e)!.Rights ?? [])));
  const done = await reissueDevices(client, keys, { devices, accessEntries, rekeyed, revoke: { udf, entries: revokedEntries, known } });
  return { deviceUdf: udf, keyids: done.keyids, rekeyed, reissued: done.reissued };
}

/** The devices and access entries of the account (after a sync). */
async function devicesAndAccess(client: MeshClient): Promise<{ devices: CatalogedDevice[]; accessEntries: CatalogedAccess[] }> {
  const account = client.account;
  const devices = await withStore(account.catalog('device'), async (c: Catalog<'device'>) => c.list() as CatalogedDevice[]);
  const accessEntries = await withStore(account.catalog('access'), async (c: Catalog<'access'>) => c.list() as CatalogedAccess[]);
  return { devices, accessEntries };
}

/** The next key generation of each of `stores`. */
function nextGenerations(current: ReadonlyMap<string, number>, stores: readonly string[]): Map<string, number> {
  return new Map(stores.map((s) => [s, (current.get(s) ?? 0) + 1]));
}

/**
 * One Transact that re-issues devices (mesh/reissue.ts): with `rekeyed` stores, every device but
 * the revoked one gets the new key generations (this device takes them up first, so that the
 * frames written here already go to them) and each re-keyed spool's new key is announced to the
 * service (mesh/store-keys.ts); without, only the device whose `roles` change is re-issued.
 * `revoke`: that device's capabilities are made inactive and its CatalogedDevice deleted.
 */
async function reissueDevices(client: MeshClient, keys: AccountKeys, o: {
  devices: readonly CatalogedDevice[];
  accessEntries: readonly CatalogedAccess[];
  rekeyed: ReadonlyMap<string, number>;
  revoke?: { udf: string; entries: readonly CatalogedAccess[]; known: boolean };
  roles?: { udf: string; roles: readonly string[] };
}): Promise<{ reissued: string[]; keyids: string[]; roles: readonly string[] | undefined }> {
  const account = client.account;
  const generations = new Map([...account.storeGenerations, ...o.rekeyed]);
  const chosen = o.rekeyed.size > 0 ? o.devices.filter((d) => d.DeviceUdf !== o.revoke?.udf) : o.devices.filter((d) => d.DeviceUdf === o.roles?.udf);
  const reissued = chosen.map((d) => ({
    udf: d.DeviceUdf!, issued: reissueDevice({ account: keys, device: d, generations, ...(o.roles !== undefined && d.DeviceUdf === o.roles.udf ? { roles: o.roles.roles } : {}) }),
  }));
  const mine = reissued.find((r) => r.udf === account.deviceUdf);
  if (mine !== undefined && o.rekeyed.size > 0) await account.adoptCatalogedDevice(mine.issued.catalogedDevice);
  const stores: SyncedStore[] = [];
  const keyids: string[] = [];
  try {
    const deviceCatalog = await account.catalog('device');
    stores.push(deviceCatalog);
    const access = await account.catalog('access');
    stores.push(access);
    for (const entry of o.revoke?.entries ?? []) {
      await access.put({ ...entry, Capability: { ...entry.Capability!, Active: false } } as CatalogedAccess);
      keyids.push(capabilityOf(entry)!.Id!);
    }
    if (o.revoke?.known === true) await deviceCatalog.delete(o.revoke.udf);
    // The service writes into the spools too: it learns their new keys from MMM_Access, signed by the administrator key.
    for (const [store, g] of o.rekeyed) if (SERVICE_WRITTEN_SPOOLS.has(store)) await access.put(storeKeyEntry(keys, store, g));
    for (const r of reissued) {
      await deviceCatalog.put(r.issued.catalogedDevice);
      for (const entry of o.accessEntries) {
        const cap = capabilityOf(entry);
        if (cap?.$class === 'AccessCapability' && cap.Udf === r.udf && cap.Active === true) await access.put(reissuedAccess(keys, entry, r.issued));
      }
    }
    await uploadWith(client, stores, {});
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
  }
  if (mine !== undefined && o.rekeyed.size === 0) await account.adoptCatalogedDevice(mine.issued.catalogedDevice);
  return { reissued: reissued.map((r) => r.udf), keyids, roles: reissued.find((r) => r.udf === o.roles?.udf)?.issued.roles };
}

/**
 * Changes a device's roles (`device auth UDF --roles …`; mesh-model.md §7): its CatalogedDevice
 * is re-issued with the new roles (mesh/reissue.ts) and its AccessCapability carries them as
 * `Rights`. The service applies them from this Transact on; the device takes up its new keys at
 * its next sync (Status hands it the new CatalogedDevice). A store the device no longer may read
 * is re-keyed as on a revocation (every other device gets the new generation; spool keys are
 * announced): it keeps what it had, but opens nothing written afterwards — so this device cannot
 * give up rights itself (`MESH_BAD_ARGUMENT`): another administrator device does it. Needs the
 * account seed here. `rekeyed`: those stores, with their new generation.
 */
export async function authorizeDevice(
  client: MeshClient, deviceUdf: string, roles: readonly string[],
): Promise<{ deviceUdf: string; roles: readonly string[]; rekeyed: ReadonlyMap<string, number> }> {
  const account = client.account;
  const udf = deviceUdf.toUpperCase();
  const keys = account.accountKeys();
  grantsOf(roles);
  await client.sync();
  const { devices, accessEntries } = await devicesAndAccess(client);
  if (!devices.some((d) => d.DeviceUdf === udf)) throw new MeshError('MESH_NOT_FOUND', `the account has no device ${deviceUdf.slice(0, 80)}`);
  const held = storesOf(accessEntries.filter((e) => capabilityOf(e)?.$class === 'AccessCapability' && capabilityOf(e)!.Udf === udf && capabilityOf(e)!.Active === true)
    .flatMap((e) => capabilityOf(e)!.Rights ?? []));
  const kept = new Set(storesOf(roles));
  const rekeyed = nextGenerations(account.storeGenerations, held.filter((s) => !kept.has(s)));
  if (rekeyed.size > 0 && udf === account.deviceUdf) {
    throw new MeshError('MESH_BAD_ARGUMENT', 'a device that gives up rights is re-keyed out of them by another administrator device: run device auth there');
  }
  const done = await reissueDevices(client, keys, { devices, accessEntries, rekeyed, roles: { udf, roles } });
  return { deviceUdf: udf, roles: done.roles ?? roles, rekeyed };
}
