import { envelopeToString, parseEnvelope, type DareEnvelope } from '../../dare/envelope.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import type { AcceptedActivation } from '../activations.js';
import { MeshError } from '../errors.js';
import { deriveDeviceKeys, type DeviceKeys } from '../keys.js';
import { verifyProfile } from '../profiles.js';
import type { Enveloped } from '../schema/object.js';
import type { AnyProfileAccount, CatalogedDevice, ProfileDevice } from '../schema/types.js';
import type { MeshAccount } from './account.js';
import type { MeshHost } from './host.js';
import type { AccountRecord, ServiceBinding } from './records.js';

/**
 * Connection requests a device made and that are not answered yet (protocol.md F2 step 3, F3
 * step 2, F4 step 2): what `device request` / `device install` leave for `device complete`.
 *
 * ```
 * pending/<device UDF>/request.json   account, service, request id, witness, the profiles (public)
 * pending/<device UDF>/secrets.json   the device seed (a secret record, sealed when the home is)
 * ```
 * The device seed is drawn for the request (one ProfileDevice per account, as for an account made
 * here), and moves into `accounts/<account UDF>/` when the administrator accepts; a rejected or
 * abandoned request is removed with its seed.
 */

/** How a pending connection was asked for. */
export type PendingKind = 'direct' | 'pin' | 'preconfigured';

/** A request waiting for its answer (public). */
export interface PendingConnection {
  /** The device UDF (also the record's folder). */
  readonly deviceUdf: string;
  readonly kind: PendingKind;
  /** The account asked to join (lower case). */
  readonly address: string;
  /** The id the answer's ResponseId is made from: the witness (direct, PIN) or the claim's MessageId (preconfigured). */
  readonly requestId: string;
  /** The witness both screens show (direct, PIN). */
  readonly witness?: string;
  /** The service that acknowledged the request (its transaction endpoint) and its profile UDF. */
  readonly serviceUrl: string;
  readonly serviceUdf: string;
  /** The account profile as the service returned it (self-signed; pinned for the answer). */
  readonly accountProfile?: Enveloped<AnyProfileAccount>;
  readonly deviceProfile: Enveloped<ProfileDevice>;
  /** Preconfigured: the maker's service, the publication id and device authenticator (secret: the authenticator). */
  readonly publication?: { readonly publisher: string; readonly publicationId: string; readonly deviceAuthenticator: string; readonly serviceUrl: string };
  readonly created: string;
}

const FORMAT = 'mathmesh-pending/1';
const folder = (deviceUdf: string): string => `pending/${deviceUdf}`;
const requestName = (deviceUdf: string): string => `${folder(deviceUdf)}/request.json`;
const secretsName = (deviceUdf: string): string => `${folder(deviceUdf)}/secrets.json`;

function write(p: PendingConnection): Uint8Array {
  return utf8Encode(JSON.stringify({
    format: FORMAT, ...p,
    accountProfile: p.accountProfile ? JSON.parse(envelopeToString(p.accountProfile)) : undefined,
    deviceProfile: JSON.parse(envelopeToString(p.deviceProfile)),
  }, null, 2) + '\n');
}

function read(bytes: Uint8Array, where: string): PendingConnection {
  try {
    const o = JSON.parse(utf8Decode(bytes)) as Record<string, unknown>;
    if (o['format'] !== FORMAT) throw new Error(`not a ${FORMAT} record`);
    const { format: _f, accountProfile, deviceProfile, ...rest } = o;
    return {
      ...(rest as unknown as PendingConnection),
      ...(accountProfile ? { accountProfile: parseEnvelope(JSON.stringify(accountProfile)) as DareEnvelope as Enveloped<AnyProfileAccount> } : {}),
      deviceProfile: parseEnvelope(JSON.stringify(deviceProfile)) as DareEnvelope as Enveloped<ProfileDevice>,
    };
  } catch (e) {
    throw new MeshError('MESH_HOME', `${where} does not read: ${(e as Error).message}`, { cause: e });
  }
}

/** Keeps a request and its device seed until it is answered. */
export async function savePendingConnection(host: MeshHost, pending: PendingConnection, deviceSeed: string): Promise<void> {
  const vault = await host.secretVault();
  await vault.write(secretsName(pending.deviceUdf), { deviceSeed });
  await host.storage.writeRecord(requestName(pending.deviceUdf), write(pending));
}

/** The requests of this home that wait for an answer (reads no secret). */
export async function pendingConnections(host: MeshHost): Promise<PendingConnection[]> {
  const out: PendingConnection[] = [];
  for (const name of await host.storage.list('pending')) {
    const bytes = await host.storage.readRecord(requestName(name));
    if (bytes !== undefined) out.push(read(bytes, `${host.storage.location}: ${requestName(name)}`));
  }
  return out;
}

/** One pending request (by device UDF, or the only one) and its device keys. Secret: the keys. */
export async function openPendingConnection(host: MeshHost, deviceUdf?: string): Promise<{ pending: PendingConnection; deviceKeys: DeviceKeys }> {
  const all = await pendingConnections(host);
  const hit = deviceUdf === undefined ? (all.length === 1 ? all[0] : undefined) : all.find((p) => p.deviceUdf === deviceUdf.toUpperCase());
  if (hit === undefined) {
    throw new MeshError('MESH_NOT_FOUND', deviceUdf !== undefined ? `no pending connection request of device ${deviceUdf.slice(0, 80)} on this device`
      : all.length === 0 ? `no pending connection request on this device (${host.storage.location}): make one with device request` : `${all.length} pending requests: name one by device UDF`);
  }
  const secrets = await (await host.secretVault()).read(secretsName(hit.deviceUdf));
  const seed = secrets?.['deviceSeed'];
  if (typeof seed !== 'string') throw new MeshError('MESH_HOME', `the pending request of ${hit.deviceUdf} has no device secret`);
  const deviceKeys = deriveDeviceKeys(seed);
  if (deviceKeys.profileSignature.udf !== hit.deviceUdf) throw new MeshError('MESH_HOME', `the device secret of the pending request ${hit.deviceUdf} is for another device`);
  return { pending: hit, deviceKeys };
}

/** Forgets a pending request and its device seed (rejected, or abandoned). */
export async function dropPendingConnection(host: MeshHost, deviceUdf: string): Promise<void> {
  await host.storage.deleteRecord(requestName(deviceUdf));
  await host.storage.deleteRecord(secretsName(deviceUdf));
}

/**
 * Turns an accepted request into an account of this home (protocol.md F2 step 6): the account
 * record (profile, this device's CatalogedDevice and roles, the service binding) and the device
 * seed move to `accounts/<account UDF>/`; the stores stay empty until the first sync downloads
 * them. The activation was checked by the caller (connect/respond.ts) and is checked again when
 * the account opens.
 */
export async function installAcceptedConnection(
  host: MeshHost, pending: PendingConnection, deviceKeys: DeviceKeys,
  accepted: { catalogedDevice: CatalogedDevice; activation: AcceptedActivation; accountProfile: Enveloped<AnyProfileAccount>; service: ServiceBinding },
): Promise<MeshAccount> {
  const account = verifyProfile(accepted.accountProfile, { expectedUdf: accepted.activation.accountUdf });
  const p = account.profile as AnyProfileAccount;
  const address = (typeof p.AccountAddress === 'string' ? p.AccountAddress : pending.address).toLowerCase();
  await host.checkAbsent(account.udf, address);
  const record: AccountRecord = {
    accountUdf: account.udf, address, kind: p.$class === 'ProfileGroup' ? 'group' : 'user', deviceUdf: deviceKeys.profileSignature.udf,
    roles: [...accepted.activation.roles], created: new Date().toISOString(), profile: accepted.accountProfile,
    catalogedDevice: accepted.catalogedDevice, service: accepted.service,
  };
  const installed = await host.installAccount(record, { deviceSeed: deviceKeys.seed });
  await dropPendingConnection(host, pending.deviceUdf);
  return installed;
}
