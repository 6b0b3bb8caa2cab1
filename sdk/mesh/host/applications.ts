import { dareKeyFromCombined } from '../activations.js';
import { verifyConnection } from '../connections.js';
import { openMeshEnvelope, sealMeshObject } from '../envelopes.js';
import { MeshError } from '../errors.js';
import { publicKeyOf } from '../keydata.js';
import type { RandomSource } from '../../udf/random.js';
import type {
  ActivationApplicationSsh, AnyProfileAccount, ApplicationEntrySsh, CatalogedApplicationMail, CatalogedApplicationSsh, CatalogedDevice, KeyData,
} from '../schema/types.js';
import type { MeshAccount } from './account.js';
import { newSshKey } from './ssh.js';

/**
 * Applications of an account (mesh-model.md §5.3, §8.4): an entry in MMM_Application, its
 * private keys escrowed to the account's EscrowEncryption key (`EnvelopedEscrow`), and an
 * application activation for each device whose roles the entry grants — in that device's
 * CatalogedDevice (`ApplicationEntries`), signed by the AdministratorSignature and encrypted to the
 * device's combined Encryption key, so devices read the private key without the account seed.
 */

/** Options of {@link createSshApplication}. */
export interface SshCreateOptions {
  /** Local name (`ssh get ID`); default `ssh`. */
  readonly id?: string;
  /** Roles whose devices receive the private key (default `['web']`, as REF's example). */
  readonly grant?: readonly string[];
  readonly random?: RandomSource;
}

function deviceRoles(account: MeshAccount, d: CatalogedDevice): { roles: readonly string[]; encryption: KeyData } | undefined {
  const admin = publicKeyOf((account.profile as AnyProfileAccount).AdministratorSignature!, 'AdministratorSignature');
  try {
    const c = verifyConnection(d.EnvelopedConnectionDevice!, 'ConnectionDevice', { udf: account.udf, administratorSignature: admin });
    return c.Encryption ? { roles: c.Roles ?? [], encryption: c.Encryption as KeyData } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates an SSH client key (Ed25519, ssh.ts) as a CatalogedApplicationSsh and activates it on
 * every device of the account whose roles meet `grant` (administrators always). Needs the
 * AdministratorSignature (an admin device); not the account seed.
 */
export async function createSshApplication(account: MeshAccount, options: SshCreateOptions = {}): Promise<CatalogedApplicationSsh> {
  const admin = account.activation.accountKeys.AdministratorSignature;
  if (admin === undefined) throw new MeshError('MESH_NOT_AUTHORIZED', 'creating an application needs an administrator device');
  const id = options.id ?? 'ssh';
  const grant = options.grant ?? ['web'];
  const apps = await account.catalog('application');
  try {
    if (apps.list().some((a) => a.$class === 'CatalogedApplicationSsh' && (a.LocalName === id || a.Key === id))) {
      throw new MeshError('MESH_ALREADY_EXISTS', `an SSH application ${id} exists`);
    }
    const key = newSshKey(options.random);
    const profile = account.profile as AnyProfileAccount;
    const escrow = sealMeshObject(key, { recipients: [publicKeyOf(profile.EscrowEncryption!, 'EscrowEncryption')], ...(options.random ? { random: options.random } : {}) });
    const entry: CatalogedApplicationSsh = {
      $class: 'CatalogedApplicationSsh', LocalName: id, Key: key.Udf!, Grant: [...grant], EnvelopedEscrow: [escrow],
      ClientKey: { Udf: key.Udf!, PublicParameters: key.PublicParameters! },
    };
    const devices = await account.catalog('device');
    try {
      for (const d of devices.list()) {
        const info = deviceRoles(account, d);
        if (info === undefined || !info.roles.some((r) => grant.includes(r) || r === 'super' || r === 'admin')) continue;
        const activation: ActivationApplicationSsh = { $class: 'ActivationApplicationSsh', ClientKey: key };
        const appEntry: ApplicationEntrySsh = {
          $class: 'ApplicationEntrySsh', Identifier: key.Udf!,
          EnvelopedActivation: sealMeshObject(activation, {
            signers: [admin], recipients: [publicKeyOf(info.encryption, 'ConnectionDevice.Encryption')], ...(options.random ? { random: options.random } : {}),
          }),
        };
        const updated: CatalogedDevice = { ...d, ApplicationEntries: [...(d.ApplicationEntries ?? []), appEntry] };
        await devices.put(updated);
        if (d.DeviceUdf === account.deviceUdf) await account.updateCatalogedDevice(updated);
      }
    } finally {
      await devices.close();
    }
    await apps.put(entry);
    return entry;
  } finally {
    await apps.close();
  }
}

/** The SSH applications of the account. */
export async function listSshApplications(account: MeshAccount): Promise<CatalogedApplicationSsh[]> {
  const apps = await account.catalog('application');
  try {
    return apps.list().filter((a): a is CatalogedApplicationSsh => a.$class === 'CatalogedApplicationSsh');
  } finally {
    await apps.close();
  }
}

/**
 * An SSH application's client key by local name or key UDF: public only, or with the private key
 * this device was given (its activation, decrypted with the device's combined key and checked to
 * be signed by the AdministratorSignature). `MESH_NOT_FOUND` / `MESH_NOT_AUTHORIZED`.
 */
export async function sshClientKey(account: MeshAccount, id: string, options: { private?: boolean } = {}): Promise<{ app: CatalogedApplicationSsh; key: KeyData }> {
  const app = (await listSshApplications(account)).find((a) => a.LocalName === id || a.Key === id);
  if (app === undefined || app.ClientKey === undefined) throw new MeshError('MESH_NOT_FOUND', `no SSH application ${id.slice(0, 80)}`);
  if (!options.private) return { app, key: { $class: 'KeyData', ...app.ClientKey } };
  const entry = (account.state.catalogedDevice.ApplicationEntries ?? []).find((e) => e.Identifier === app.Key && e.$class === 'ApplicationEntrySsh') as
    ApplicationEntrySsh | undefined;
  if (entry?.EnvelopedActivation === undefined) throw new MeshError('MESH_NOT_AUTHORIZED', `this device was not given the private key of ${id.slice(0, 80)}`);
  const admin = publicKeyOf((account.profile as AnyProfileAccount).AdministratorSignature!, 'AdministratorSignature');
  const opened = openMeshEnvelope(entry.EnvelopedActivation, 'ActivationApplicationSsh', {
    keys: [dareKeyFromCombined(account.activation.keys.encryption)], signers: [admin],
  }).object as ActivationApplicationSsh;
  const key = opened.ClientKey;
  if (key?.Udf !== app.Key) throw new MeshError('MESH_INVALID', 'the SSH activation holds another key than the application');
  return { app, key: { $class: 'KeyData', ...key } };
}

/** Options of {@link mailApplication}. */
export interface MailOptions {
  readonly inbound?: string;
  readonly outbound?: string;
  readonly grant?: readonly string[];
}

/** A mail application entry (`Key` = `mailto:ADDRESS`, mesh-model.md §8.4). Keys (S/MIME, OpenPGP) are not made here. */
export function mailApplication(address: string, options: MailOptions = {}): CatalogedApplicationMail {
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new MeshError('MESH_BAD_ARGUMENT', `not a mail address: '${address.slice(0, 80)}'`);
  for (const [what, uri] of [['inbound', options.inbound], ['outbound', options.outbound]] as const) {
    if (uri !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(uri)) throw new MeshError('MESH_BAD_ARGUMENT', `the ${what} connection is not a URI (e.g. imap://host)`);
  }
  return {
    $class: 'CatalogedApplicationMail', Key: `mailto:${address}`, AccountAddress: address, Grant: [...(options.grant ?? ['web'])],
    ...(options.inbound ? { InboundConnect: options.inbound } : {}), ...(options.outbound ? { OutboundConnect: options.outbound } : {}),
  };
}
