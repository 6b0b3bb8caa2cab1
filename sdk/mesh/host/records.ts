import type { DareEnvelope } from '../../dare/envelope.js';
import { envelopeToString, parseEnvelope } from '../../dare/envelope.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { MeshError } from '../errors.js';
import { meshObjectToString, readMeshObject } from '../schema/codec.js';
import type { Enveloped } from '../schema/object.js';
import type { AnyProfileAccount, CatalogedDevice } from '../schema/types.js';

/**
 * The per-account records of a home (host.ts has the layout):
 *
 * - `accounts/<account UDF>/account.json` — public state: address, kind, this device's UDF and
 *   roles, the enveloped account profile and this device's CatalogedDevice (whose activations
 *   are encrypted to the device's keys), and the service binding (none while offline);
 * - `accounts/<account UDF>/secrets.json` — a secret record (vault.ts): the device seed, and the
 *   account seed while this device holds it (until `purge`).
 */
export const ACCOUNT_FORMAT = 'mathmesh-account/1';

/** Folder of an account in a home. */
export function accountFolder(accountUdf: string): string {
  return `accounts/${accountUdf}`;
}

/** The public record of an account in a home. */
export function accountRecordName(accountUdf: string): string {
  return `${accountFolder(accountUdf)}/account.json`;
}

/** The secret record (vault.ts) of an account in a home. */
export function secretsRecordName(accountUdf: string): string {
  return `${accountFolder(accountUdf)}/secrets.json`;
}

/** What `account.json` holds. */
export interface AccountRecord {
  readonly accountUdf: string;
  readonly address: string;
  readonly kind: 'user' | 'group';
  readonly deviceUdf: string;
  readonly roles: readonly string[];
  readonly created: string;
  readonly profile: Enveloped<AnyProfileAccount>;
  readonly catalogedDevice: CatalogedDevice;
  /** The service the account is bound to (protocol.md T2); absent offline. */
  readonly service?: ServiceBinding;
}

/**
 * An account's binding to a service (protocol.md F1 steps 3, 5): the service's profile UDF, the
 * URL it was reached at, and the host's `AccessEncrypt` key from its AccountHostAssignment — the
 * extra recipient of every MMM_Access frame, so that the service can read who may do what
 * (mesh-model.md §8, §8.5).
 */
export interface ServiceBinding {
  readonly serviceUdf: string;
  readonly url?: string;
  /** AccountHostAssignment.AccessEncrypt (X448), public key base64url and its UDF. */
  readonly accessEncrypt?: { readonly algorithm: 'X448'; readonly publicKey: string; readonly kid: string };
}

/** The secrets of one account on this device. */
export interface AccountSecrets {
  readonly deviceSeed: string;
  /** Absent once purged. */
  readonly accountSeed?: string;
}

/** The bytes of `account.json`. */
export function writeAccountRecord(r: AccountRecord): Uint8Array {
  return utf8Encode(JSON.stringify({
    format: ACCOUNT_FORMAT, accountUdf: r.accountUdf, address: r.address, kind: r.kind, deviceUdf: r.deviceUdf, roles: r.roles, created: r.created,
    profile: JSON.parse(envelopeToString(r.profile)), catalogedDevice: JSON.parse(meshObjectToString(r.catalogedDevice)),
    ...(r.service ? { service: r.service } : {}),
  }, null, 2) + '\n');
}

/** Reads `account.json` (`MESH_HOME` naming `where` when it does not read). */
export function readAccountRecord(bytes: Uint8Array, where: string): AccountRecord {
  try {
    const o = JSON.parse(utf8Decode(bytes)) as Record<string, unknown>;
    if (o['format'] !== ACCOUNT_FORMAT) throw new MeshError('MESH_HOME', `${where}: not a ${ACCOUNT_FORMAT} record`);
    const str = (k: string): string => {
      if (typeof o[k] !== 'string') throw new MeshError('MESH_HOME', `${where}: ${k} is missing`);
      return o[k] as string;
    };
    const kind = str('kind');
    if (kind !== 'user' && kind !== 'group') throw new MeshError('MESH_HOME', `${where}: unknown account kind ${kind}`);
    const roles = o['roles'];
    if (!Array.isArray(roles) || !roles.every((x) => typeof x === 'string')) throw new MeshError('MESH_HOME', `${where}: roles are not strings`);
    const service = o['service'] as AccountRecord['service'] | undefined;
    return {
      accountUdf: str('accountUdf'), address: str('address'), kind, deviceUdf: str('deviceUdf'), roles, created: str('created'),
      profile: parseEnvelope(JSON.stringify(o['profile'])) as DareEnvelope as Enveloped<AnyProfileAccount>,
      catalogedDevice: readMeshObject(JSON.stringify(o['catalogedDevice']), 'CatalogedDevice'),
      ...(service && typeof service.serviceUdf === 'string' ? { service } : {}),
    };
  } catch (e) {
    if (e instanceof MeshError && e.code === 'MESH_HOME') throw e;
    throw new MeshError('MESH_HOME', `${where} does not read: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
