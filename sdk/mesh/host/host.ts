import { dareKeyFromKeyPair, publicPart } from '../../dare/keys.js';
import { parseSeed } from '../../udf/fixed.js';
import { recoverSeed } from '../../udf/escrow.js';
import type { RandomSource } from '../../udf/random.js';
import { activateDevice } from '../activations.js';
import { buildSelfContact } from '../contacts.js';
import { MeshError } from '../errors.js';
import { deriveAccountKeys, deriveDeviceKeys, deriveStoreKey, newMeshSeed, type AccountKeys } from '../keys.js';
import { buildProfileAccount, buildProfileDevice, sealProfile, verifyProfile } from '../profiles.js';
import { storesOf } from '../roles.js';
import type { Enveloped } from '../schema/object.js';
import type { AnyProfileAccount, CatalogedDevice, ProfileDevice } from '../schema/types.js';
import { CATALOG, SPOOL } from '../stores.js';
import { escrowError, MeshAccount } from './account.js';
import type { Catalog } from '../catalog/catalog.js';
import { catalogKindOf, type CatalogKind } from '../catalog/kinds.js';
import { ACCOUNT_SPOOLS, deleteStoreOn, initStoreOn, openCatalogOn, storeSequenceName } from './stores.js';
import { buildDeviceAccess, buildNewAccount, checkAccountAddress, CREATOR_ROLES } from './create.js';
import { openHomeRecord, unlockHome, type HomeRecord, type PassphraseSource } from './home.js';
import type { KdfCost } from './kdf.js';
import {
  accountRecordName, readAccountRecord, secretsRecordName, writeAccountRecord, type AccountRecord, type AccountSecrets,
} from './records.js';
import type { HomeStorage } from './storage.js';
import { HomeVault } from './vault.js';

/** Options of {@link MeshHost.open}. */
export interface MeshHostOptions {
  /**
   * The passphrase of the home: a string, or a function asked only when a secret is first needed
   * (a prompt). A new home given one is sealed under it; an unprotected home ignores it.
   */
  readonly passphrase?: PassphraseSource;
  /** scrypt cost for a new home or export (tests lower it; kdf.ts). */
  readonly kdf?: KdfCost;
  readonly random?: RandomSource;
  /** Clock (tests). */
  readonly now?: () => Date;
}

/** One account of the home, as `account list` shows it (no secret needed). */
export interface AccountSummary {
  readonly udf: string;
  readonly address: string;
  readonly kind: 'user' | 'group';
  readonly deviceUdf: string;
  readonly roles: readonly string[];
  readonly created: string;
  readonly bound: boolean;
}

/** Options of {@link MeshHost.createAccount}. */
export interface CreateAccountOptions {
  /** `user` (ProfileUser, default) or `group` (ProfileGroup). */
  readonly kind?: 'user' | 'group';
  readonly description?: string;
  readonly deviceDescription?: string;
}

/**
 * Where a recovering device finds the account's store files (mesh-model.md §12, protocol.md F9):
 * a backup, another home's copies, or — with the service — a download. Returns a store's bytes
 * by label, `undefined` when it has none.
 */
export type StoreSource = (label: string) => Promise<Uint8Array | undefined>;

/** Options of {@link MeshHost.recoverAccount}. */
export interface RecoverOptions {
  /** The account address, needed when no store holds the account profile. */
  readonly address?: string;
  /** The account UDF the shares must recover (`MESH_WRONG_ACCOUNT` otherwise). */
  readonly expectedUdf?: string;
  /** Store files to take over (read with keys re-derived from the recovered seed). */
  readonly stores?: StoreSource;
}

/** The stores a new user account starts with (protocol.md F1 steps 2, 6; mesh-model.md §8.1, §9). */
const USER_STORES: readonly string[] = [
  CATALOG.contact, CATALOG.credential, CATALOG.bookmark, CATALOG.task, CATALOG.network, CATALOG.application, CATALOG.device, CATALOG.publication,
  CATALOG.access, SPOOL.inbound, SPOOL.outbound, SPOOL.local,
];
const GROUP_STORES: readonly string[] = [CATALOG.device, CATALOG.access, CATALOG.member, CATALOG.publication, SPOOL.inbound, SPOOL.outbound, SPOOL.local];

/**
 * A Mesh host: the device state under one home (mesh-model.md §4, §6, §8, §12; protocol.md F1, F9).
 *
 * Home layout (names of the {@link HomeStorage} contract; files 0600 and folders 0700 on disk):
 * ```
 * home.json                                    format, passphrase protection (scrypt parameters + check)
 * accounts/<account UDF>/account.json          address, kind, device UDF, roles, profile, CatalogedDevice, service
 * accounts/<account UDF>/secrets.json          secret record: device seed, account seed (until purge)
 * accounts/<account UDF>/stores/<label>.dare   one DARE sequence per catalog and spool (MMM_Contact, MMM_Inbound…)
 * ```
 * A device seed is drawn per account (as the reference does: one ProfileDevice per account), so
 * an account moves between homes with everything it needs and two accounts never share keys.
 * An account exists on a device once its `account.json` is written: creation writes secrets and
 * stores first, the record last, so an interrupted creation leaves no half account.
 */
export class MeshHost {
  private vaultPromise: Promise<HomeVault> | undefined;

  private constructor(
    readonly storage: HomeStorage,
    private readonly home: HomeRecord,
    private readonly options: MeshHostOptions,
    private homeKey: Uint8Array | undefined,
  ) {}

  /** Opens the host of a home (writing `home.json` when the home is new). */
  static async open(storage: HomeStorage, options: MeshHostOptions = {}): Promise<MeshHost> {
    const { record, key } = await openHomeRecord(storage, {
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}), ...(options.kdf ? { kdf: options.kdf } : {}),
      ...(options.random ? { random: options.random } : {}), ...(options.now ? { now: options.now() } : {}),
    });
    return new MeshHost(storage, record, options, key);
  }

  /** True when the home's secrets are sealed under a passphrase. */
  get passphraseProtected(): boolean {
    return this.home.protection !== null;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The vault of the home's secrets, unlocked on first use (asking for the passphrase then). */
  private vault(): Promise<HomeVault> {
    this.vaultPromise ??= (async () => {
      const protection = this.home.protection;
      if (protection === null) return new HomeVault(this.storage, undefined, this.options.random);
      if (this.homeKey === undefined) {
        const source = this.options.passphrase;
        const passphrase = typeof source === 'function' ? await source() : source;
        if (passphrase === undefined || passphrase === '') {
          throw new MeshError('MESH_PASSPHRASE_REQUIRED', `the home ${this.storage.location} is protected by a passphrase (set MESH_PASSPHRASE)`);
        }
        this.homeKey = await unlockHome(protection, passphrase);
      }
      return new HomeVault(this.storage, this.homeKey, this.options.random);
    })();
    // A failed unlock (wrong passphrase) may be retried with another attempt.
    this.vaultPromise.catch(() => (this.vaultPromise = undefined));
    return this.vaultPromise;
  }

  private async records(): Promise<AccountRecord[]> {
    const out: AccountRecord[] = [];
    for (const name of await this.storage.list('accounts')) {
      const bytes = await this.storage.readRecord(accountRecordName(name));
      if (bytes !== undefined) out.push(readAccountRecord(bytes, `${this.storage.location}: ${accountRecordName(name)}`));
    }
    return out;
  }

  /** The accounts this device holds (reads no secret). */
  async accounts(): Promise<AccountSummary[]> {
    return (await this.records()).map((r) => ({
      udf: r.accountUdf, address: r.address, kind: r.kind, deviceUdf: r.deviceUdf, roles: r.roles, created: r.created, bound: r.service !== undefined,
    }));
  }

  private async findRecord(selector: string | undefined): Promise<AccountRecord> {
    const all = await this.records();
    if (selector === undefined || selector === '') {
      if (all.length === 1) return all[0]!;
      throw new MeshError('MESH_NO_ACCOUNT', all.length === 0
        ? `no account on this device (${this.storage.location}): create or recover one`
        : `${all.length} accounts on this device: name one (address or UDF)`);
    }
    const wanted = selector.toLowerCase();
    const hit = all.find((r) => r.address === wanted || r.accountUdf === selector.toUpperCase());
    if (hit === undefined) throw new MeshError('MESH_NO_ACCOUNT', `no account ${selector.slice(0, 100)} on this device`);
    return hit;
  }

  /** Opens an account by address or UDF (the only one when `selector` is omitted). Needs the home's secrets. */
  async account(selector?: string): Promise<MeshAccount> {
    const record = await this.findRecord(selector);
    return MeshAccount.open(this.storage, await this.vault(), record, this.options.random);
  }

  private async refuseExisting(udf: string, address: string | undefined): Promise<void> {
    for (const r of await this.records()) {
      if (r.accountUdf === udf) throw new MeshError('MESH_ACCOUNT_EXISTS', `account ${r.address} (${udf}) is already on this device`);
      if (address !== undefined && r.address === address) throw new MeshError('MESH_ACCOUNT_EXISTS', `an account ${address} is already on this device`);
    }
  }

  private storeKey(label: string, keys: AccountKeys) {
    return dareKeyFromKeyPair(deriveStoreKey(keys.seed, label));
  }

  /** Opens a catalog with the key derived from the seed (creation, recovery). */
  private async openCatalog<K extends CatalogKind>(accountUdf: string, kind: K, label: string, keys: AccountKeys): Promise<Catalog<K>> {
    return openCatalogOn(this.storage, accountUdf, kind, { key: this.storeKey(label, keys), ...(this.options.random ? { random: this.options.random } : {}) });
  }

  /** Writes frame 0 of every store that is still empty and puts the entries given for it. */
  private async fillStores(udf: string, labels: Iterable<string>, keys: AccountKeys, put: (c: Catalog<CatalogKind>, label: string) => Promise<void>): Promise<void> {
    for (const label of labels) {
      const kind = catalogKindOf(label);
      if (ACCOUNT_SPOOLS.has(label) || kind === undefined) {
        await initStoreOn(this.storage, udf, label, { key: this.storeKey(label, keys), ...(this.options.random ? { random: this.options.random } : {}) });
        continue;
      }
      const c = await this.openCatalog(udf, kind, label, keys);
      try {
        await put(c as Catalog<CatalogKind>, label);
      } finally {
        await c.close();
      }
    }
  }

  /**
   * Creates an account and makes this device its first administrator device, offline
   * (mesh-model.md §4, §6; protocol.md F1 steps 1, 2, 4, 6, 7): seeds, profiles, activation,
   * connections, CatalogedDevice, AccessCapability and self contact in their stores. The profile's
   * `ServiceUdf` stays empty until the account is bound to a service.
   */
  async createAccount(address: string, options: CreateAccountOptions = {}): Promise<MeshAccount> {
    const canonical = checkAccountAddress(address);
    await this.refuseExisting('', canonical);
    const vault = await this.vault();
    const built = buildNewAccount({
      address: canonical, created: this.now(), ...(options.kind ? { kind: options.kind } : {}),
      ...(options.description ? { description: options.description } : {}), ...(options.deviceDescription ? { deviceDescription: options.deviceDescription } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    const udf = built.accountUdf;
    await vault.write(secretsRecordName(udf), { deviceSeed: built.deviceKeys.seed, accountSeed: built.accountKeys.seed });
    const initial = new Map<string, readonly unknown[]>([
      [CATALOG.device, [built.activation.catalogedDevice]],
      [CATALOG.access, [built.access]],
      ...(built.selfContact ? [[CATALOG.contact, [built.selfContact.entry]] as [string, unknown[]]] : []),
    ]);
    await this.fillStores(udf, options.kind === 'group' ? GROUP_STORES : USER_STORES, built.accountKeys, async (c, label) => {
      for (const entry of initial.get(label) ?? []) await c.add(entry as never);
    });
    const record: AccountRecord = {
      accountUdf: udf, address: canonical, kind: options.kind ?? 'user', deviceUdf: built.deviceUdf, roles: built.roles, created: this.now().toISOString(),
      profile: built.profile, catalogedDevice: built.activation.catalogedDevice,
    };
    await this.storage.writeRecord(accountRecordName(udf), writeAccountRecord(record));
    return MeshAccount.open(this.storage, vault, record, this.options.random);
  }

  /**
   * Rebuilds an account on this device from a quorum of escrow shares (mesh-model.md §12,
   * protocol.md F9): the seed, hence every account key and every per-store key, is recovered; the
   * account's store files, when given, are taken over and read with the re-derived keys; this
   * device becomes an administrator device (a new device seed, a new activation with the creator's
   * roles, its CatalogedDevice and AccessCapability added to the stores).
   *
   * Errors: `MESH_QUORUM` (fewer shares than the quorum), `MESH_WRONG_ACCOUNT` (shares of
   * different splits, a seed of another kind, the UDF is not `expectedUdf`, or store files that
   * the recovered keys do not open), `MESH_ACCOUNT_EXISTS`, `MESH_BAD_ARGUMENT` (no address known).
   */
  async recoverAccount(shares: readonly string[], options: RecoverOptions = {}): Promise<MeshAccount> {
    let seed: string;
    try {
      seed = recoverSeed(shares);
    } catch (e) {
      return escrowError(e);
    }
    let kind: string | undefined;
    try {
      kind = parseSeed(seed).algorithm;
    } catch {
      kind = undefined;
    }
    if (kind !== 'MeshProfileAccount') throw new MeshError('MESH_WRONG_ACCOUNT', 'the shares do not recover an account seed');
    const keys = deriveAccountKeys(seed);
    const udf = keys.profileSignature.udf;
    if (options.expectedUdf !== undefined && options.expectedUdf.toUpperCase() !== udf) {
      throw new MeshError('MESH_WRONG_ACCOUNT', `the shares recover account ${udf}, not ${options.expectedUdf}`);
    }
    await this.refuseExisting(udf, undefined);
    const vault = await this.vault();

    // Take over the store files first: the account profile is in MMM_Device. A failure removes
    // what was copied, so a refused recovery leaves the home as it was.
    const labels = new Set<string>([...USER_STORES]);
    const copied: string[] = [];
    let profile: Enveloped<AnyProfileAccount> | undefined;
    try {
      if (options.stores) {
        for (const label of [...USER_STORES, CATALOG.member]) {
          const bytes = await options.stores(label);
          if (bytes === undefined || bytes.length === 0) continue;
          const seq = await this.storage.openSequence(storeSequenceName(udf, label), { write: true });
          copied.push(label);
          try {
            if (seq.size !== 0) throw new MeshError('MESH_HOME', `${label} of ${udf} already has frames on this device`);
            await seq.append(bytes);
          } finally {
            await seq.close();
          }
          labels.add(label);
        }
        profile = await this.profileFromStores(udf, keys);
      }
    } catch (e) {
      for (const label of copied) await deleteStoreOn(this.storage, udf, label);
      throw e;
    }
    let recordKind: 'user' | 'group' = 'user';
    let address: string;
    if (profile !== undefined) {
      const p = verifyProfile(profile, { expectedUdf: udf }).profile as AnyProfileAccount;
      recordKind = p.$class === 'ProfileGroup' ? 'group' : 'user';
      address = checkAccountAddress(options.address ?? String(p.AccountAddress ?? ''));
    } else {
      if (options.address === undefined) throw new MeshError('MESH_BAD_ARGUMENT', 'no store holds the account profile: give the account address');
      address = checkAccountAddress(options.address);
      profile = sealProfile(buildProfileAccount(keys, { accountAddress: address }), keys.profileSignature, { created: this.now() });
    }
    await this.refuseExisting(udf, address);

    // This device becomes an administrator device of the account.
    const deviceSeed = newMeshSeed('MeshProfileDevice', this.options.random);
    const deviceKeys = deriveDeviceKeys(deviceSeed);
    const deviceProfile: Enveloped<ProfileDevice> = sealProfile(buildProfileDevice(deviceKeys), deviceKeys.profileSignature, { created: this.now() });
    const roles = CREATOR_ROLES;
    const activation = activateDevice({
      account: keys, accountProfile: profile, deviceProfile, roles, created: this.now(), ...(this.options.random ? { random: this.options.random } : {}),
    });
    const access = buildDeviceAccess(keys, activation, roles, { created: this.now(), ...(this.options.random ? { random: this.options.random } : {}) });
    await vault.write(secretsRecordName(udf), { deviceSeed, accountSeed: seed });
    await this.fillStores(udf, recordKind === 'group' ? GROUP_STORES : labels, keys, async (c, label) => {
      if (label === CATALOG.device) await c.put(activation.catalogedDevice as never);
      if (label === CATALOG.access) await c.put(access as never);
      if (label === CATALOG.contact && recordKind === 'user' && !c.list().some((e) => (e as { Self?: boolean }).Self === true)) {
        await c.put(buildSelfContact({ profile: profile!, address, commonSignature: keys.commonSignature, created: this.now() }).entry as never);
      }
    });
    const record: AccountRecord = {
      accountUdf: udf, address, kind: recordKind, deviceUdf: deviceKeys.profileSignature.udf, roles, created: this.now().toISOString(),
      profile, catalogedDevice: activation.catalogedDevice,
    };
    await this.storage.writeRecord(accountRecordName(udf), writeAccountRecord(record));
    return MeshAccount.open(this.storage, vault, record, this.options.random);
  }

  /** The account profile held in a recovered MMM_Device (checked to be the account's). */
  private async profileFromStores(udf: string, keys: AccountKeys): Promise<Enveloped<AnyProfileAccount> | undefined> {
    let devices: Catalog<'device'>;
    try {
      devices = await this.openCatalog(udf, 'device', CATALOG.device, keys);
    } catch (e) {
      if (e instanceof MeshError && e.code === 'MESH_HOME') throw e;
      throw new MeshError('MESH_WRONG_ACCOUNT', `the store files do not open with the keys of account ${udf} (another account's, or damaged)`, { cause: e });
    }
    try {
      for (const d of devices.list()) {
        if (d.EnvelopedProfileUser === undefined) continue;
        try {
          verifyProfile(d.EnvelopedProfileUser, { expectedUdf: udf });
          return d.EnvelopedProfileUser as Enveloped<AnyProfileAccount>;
        } catch {
          // a device entry whose profile does not verify is not evidence of the account
        }
      }
      return undefined;
    } finally {
      await devices.close();
    }
  }

  /**
   * Removes an account from this device (protocol.md F11: the client removes its local stores
   * once the service unbound the account): its record first — from then on the account is not on
   * this device, and an interrupted removal leaves no half account — then its secrets and every
   * store file, snapshot and journal. The account itself is gone for good when no other device
   * and no escrow holds it. `MESH_NO_ACCOUNT` when it is not here.
   */
  async removeAccount(selector?: string): Promise<AccountSummary> {
    const r = await this.findRecord(selector);
    const summary: AccountSummary = {
      udf: r.accountUdf, address: r.address, kind: r.kind, deviceUdf: r.deviceUdf, roles: r.roles, created: r.created, bound: r.service !== undefined,
    };
    await this.storage.deleteRecord(accountRecordName(r.accountUdf));
    await this.storage.deleteRecord(secretsRecordName(r.accountUdf));
    const folder = `accounts/${r.accountUdf}/stores`;
    for (const name of await this.storage.list(folder)) await this.storage.deleteSequence(`${folder}/${name}`);
    return summary;
  }

  /** Writes an account's public record (the service issue's binding updates it). */
  async saveAccountRecord(record: AccountRecord): Promise<void> {
    await this.storage.writeRecord(accountRecordName(record.accountUdf), writeAccountRecord(record));
  }

  /** @internal The vault, for export/import (export.ts). */
  async secretVault(): Promise<HomeVault> {
    return this.vault();
  }

  /** @internal The raw record of an account. */
  async accountRecord(selector?: string): Promise<AccountRecord> {
    return this.findRecord(selector);
  }

  /** @internal Installs an account's records and secrets (import). */
  async installAccount(record: AccountRecord, secrets: AccountSecrets): Promise<MeshAccount> {
    const vault = await this.vault();
    await vault.write(secretsRecordName(record.accountUdf), { ...secrets });
    await this.storage.writeRecord(accountRecordName(record.accountUdf), writeAccountRecord(record));
    return MeshAccount.open(this.storage, vault, record, this.options.random);
  }

  /** @internal Refuses an account that is already here. */
  async checkAbsent(udf: string, address: string): Promise<void> {
    await this.refuseExisting(udf, address);
  }

  /** @internal Options (export's KDF cost and randomness). */
  get hostOptions(): MeshHostOptions {
    return this.options;
  }
}

/** The stores a device with `roles` can read (mesh-model.md §7; account-key stores included, roles.ts). */
export function storesOfRoles(roles: readonly string[]): readonly string[] {
  return storesOf(roles);
}
