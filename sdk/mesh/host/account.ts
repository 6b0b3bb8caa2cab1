import { darePublicKey, type DarePrivateKey, type DarePublicKey } from '../../dare/keys.js';
import { frameExtentAt } from '../../dare/sequence/frame.js';
import { policyRecipients } from '../../dare/sequence/replica.js';
import type { SequenceStore } from '../../dare/sequence/store.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import type { Enveloped } from '../schema/object.js';
import { UdfError } from '../../udf/errors.js';
import { escrowSeed } from '../../udf/escrow.js';
import type { RandomSource } from '../../udf/random.js';
import { acceptActivation, type AcceptedActivation } from '../activations.js';
import { MeshError } from '../errors.js';
import { deriveAccountKeys, deriveDeviceKeys, type AccountKeys } from '../keys.js';
import { verifyProfile } from '../profiles.js';
import { meshObjectToString } from '../schema/codec.js';
import type { AnyProfileAccount, CatalogedDevice, KeyData } from '../schema/types.js';
import { CATALOG, SPOOL } from '../stores.js';
import type { Catalog } from '../catalog/catalog.js';
import { CATALOG_KINDS, catalogKindOf, type CatalogKind } from '../catalog/kinds.js';
import { ACCOUNT_KEY_STORES } from '../roles.js';
import type { Spool } from '../spool/spool.js';
import { SPOOL_KINDS, type SpoolKind } from '../spool/states.js';
import { buildDeviceAccess } from './create.js';
import { deleteStoreOn, openCatalogOn, openSpoolOn, storeSequenceName, type OpenStoreOptions } from './stores.js';
import {
  accountRecordName, secretsRecordName, writeAccountRecord, type AccountRecord, type AccountSecrets, type ServiceBinding,
} from './records.js';
import type { HomeStorage } from './storage.js';
import type { HomeVault } from './vault.js';

/** Catalog names of {@link MeshAccount.catalog} (mesh-model.md §8.1): the catalog module's kinds. */
export type CatalogName = CatalogKind;
/** Spool names of {@link MeshAccount.spool} (mesh-model.md §9). */
export type SpoolName = Exclude<SpoolKind, 'archive'>;
const SPOOL_NAMES: ReadonlySet<string> = new Set(['inbound', 'outbound', 'local']);
/** Stores the service reads with its AccessEncrypt key (mesh-model.md §8: MMM_Access; README "Messaging": MMM_Ingress). */
const SERVICE_READABLE: ReadonlySet<string> = new Set<string>([CATALOG.access, CATALOG.ingress]);

/** The public keys of an account as `account info` shows them (mesh-model.md §5.1). */
export interface AccountKeyInfo {
  readonly name: string;
  readonly udf: string;
  readonly algorithm: string;
}

/** Maps the udf layer's share errors to the host's codes (what a user of `account escrow` / `recover` reads). */
export function escrowError(e: unknown): never {
  if (e instanceof UdfError) {
    if (e.code === 'UDF_QUORUM') throw new MeshError('MESH_QUORUM', e.message, { cause: e });
    if (e.code === 'UDF_BAD_ARGUMENT') throw new MeshError('MESH_BAD_ARGUMENT', e.message, { cause: e });
    if (e.code === 'UDF_SHARE_MISMATCH' || e.code === 'UDF_BAD_SEED' || e.code === 'UDF_DUPLICATE_SHARE') {
      throw new MeshError('MESH_WRONG_ACCOUNT', `the shares do not recover one account seed: ${e.message}`, { cause: e });
    }
    throw new MeshError('MESH_BAD_ARGUMENT', `not an escrow share: ${e.message}`, { cause: e });
  }
  throw e;
}

/**
 * One account as this device holds it: its public record, and — opened with the device's secrets
 * — the device's activation (co-generated keys, granted account keys, per-store keys; mesh-model.md
 * §6 step 7). Catalog use needs only the activation; escrow needs the account seed.
 */
export class MeshAccount {
  private constructor(
    private readonly storage: HomeStorage,
    private readonly vault: HomeVault,
    private record: AccountRecord,
    private secrets: AccountSecrets,
    /** What the device took up from its CatalogedDevice. Secret. */
    private taken: AcceptedActivation,
    private readonly random: RandomSource | undefined,
  ) {}

  /** Opens an account: reads its secrets and takes up this device's activation (checked). */
  static async open(storage: HomeStorage, vault: HomeVault, record: AccountRecord, random?: RandomSource): Promise<MeshAccount> {
    const secrets = await vault.read(secretsRecordName(record.accountUdf));
    if (secrets === undefined || typeof secrets['deviceSeed'] !== 'string') {
      throw new MeshError('MESH_HOME', `account ${record.accountUdf} has no device secrets on this device`);
    }
    const s: AccountSecrets = { deviceSeed: secrets['deviceSeed'], ...(secrets['accountSeed'] ? { accountSeed: secrets['accountSeed'] } : {}) };
    const deviceKeys = deriveDeviceKeys(s.deviceSeed);
    if (deviceKeys.profileSignature.udf !== record.deviceUdf) throw new MeshError('MESH_HOME', `the device secret of ${record.accountUdf} is for another device`);
    if (s.accountSeed !== undefined && deriveAccountKeys(s.accountSeed).profileSignature.udf !== record.accountUdf) {
      throw new MeshError('MESH_HOME', `the account secret of ${record.accountUdf} is for another account`);
    }
    const activation = acceptActivation(record.catalogedDevice, deviceKeys, { expectedAccountUdf: record.accountUdf });
    return new MeshAccount(storage, vault, record, s, activation, random);
  }

  /** What the device took up from its CatalogedDevice (co-generated keys, granted account and store keys). Secret. */
  get activation(): AcceptedActivation {
    return this.taken;
  }

  /** The current key generation of each re-keyed store this device holds (mesh-model.md §7 re-keying). */
  get storeGenerations(): ReadonlyMap<string, number> {
    return new Map([...this.taken.rekeyed].map(([label, keys]) => [label, keys.length]));
  }

  /** The account (profile) UDF. */
  get udf(): string {
    return this.record.accountUdf;
  }

  get address(): string {
    return this.record.address;
  }

  get kind(): 'user' | 'group' {
    return this.record.kind;
  }

  /** This device's UDF (its ProfileDevice). */
  get deviceUdf(): string {
    return this.record.deviceUdf;
  }

  /** This device's roles (mesh-model.md §7). */
  get roles(): readonly string[] {
    return this.record.roles;
  }

  /** The account's profile (self-signed; verified when the account was opened). */
  get profile(): AnyProfileAccount {
    return verifyProfile(this.record.profile, { expectedUdf: this.udf }).profile as AnyProfileAccount;
  }

  /** The account record as stored (public). */
  get state(): AccountRecord {
    return this.record;
  }

  /** True when this device holds the AdministratorSignature key (it may add devices and sign connections). */
  get isAdministrator(): boolean {
    return this.activation.accountKeys.AdministratorSignature !== undefined;
  }

  /** True while this device holds the account seed (until {@link purge}). */
  get holdsSeed(): boolean {
    return this.secrets.accountSeed !== undefined;
  }

  /** The service binding (protocol.md T2); `undefined` offline. */
  get service(): AccountRecord['service'] {
    return this.record.service;
  }

  /** The account's published keys, by profile member (mesh-model.md §5.1). */
  keys(): AccountKeyInfo[] {
    const out: AccountKeyInfo[] = [];
    for (const [name, value] of Object.entries(this.profile)) {
      if (typeof value === 'object' && value !== null && 'PublicParameters' in value) {
        const kd = value as KeyData;
        const pub = kd.PublicParameters as { crv?: string; $class: string } | undefined;
        out.push({ name, udf: String(kd.Udf), algorithm: pub?.crv ?? pub?.$class ?? 'unknown' });
      }
    }
    return out;
  }

  /** The account keys derived from the seed. `MESH_NO_SEED` once purged. Secret. */
  accountKeys(): AccountKeys {
    if (this.secrets.accountSeed === undefined) {
      throw new MeshError('MESH_NO_SEED', `this device does not hold the seed of ${this.address} (purged or never held): recover it from escrow shares`);
    }
    return deriveAccountKeys(this.secrets.accountSeed);
  }

  /** A store's key: its per-store key from ActivationCommon, or the account key of an account-key store (roles.ts). */
  private storeKey(label: string): DarePrivateKey {
    const grant = ACCOUNT_KEY_STORES[label];
    const key = grant === undefined ? this.activation.storeKeys.get(label) : this.activation.accountKeys[grant];
    if (key === undefined) throw new MeshError('MESH_NOT_AUTHORIZED', `this device's roles (${this.roles.join(', ')}) do not grant ${label}`);
    return key;
  }

  /**
   * The labels of the stores this device holds keys for (its roles' grants, mesh-model.md §7), in
   * grant order, then the account-key stores whose account key it holds (MMM_Ingress, roles.ts).
   */
  get storeLabels(): readonly string[] {
    const labels = [...this.activation.storeKeys.keys()];
    for (const [label, grant] of Object.entries(ACCOUNT_KEY_STORES)) if (this.activation.accountKeys[grant] !== undefined) labels.push(label);
    return labels;
  }

  /**
   * The service's `AccessEncrypt` key (AccountHostAssignment, recorded at binding): the extra
   * recipient of MMM_Access frames. Undefined offline.
   */
  get accessEncryptKey(): DarePublicKey | undefined {
    const a = this.record.service?.accessEncrypt;
    if (a === undefined) return undefined;
    const key = darePublicKey('X448', base64urlDecode(a.publicKey));
    if (key.kid !== a.kid) throw new MeshError('MESH_HOME', `the recorded AccessEncrypt key of ${this.address} is not ${a.kid}`);
    return key;
  }

  /**
   * Store options: once bound, stores are synced (their new frames wait for the service), and
   * the stores the service reads — MMM_Access, MMM_Ingress (SERVICE_READABLE) — are also
   * encrypted to the service's AccessEncrypt key.
   */
  private storeOptions(label: string): Omit<OpenStoreOptions, 'key'> {
    const access = SERVICE_READABLE.has(label) ? this.accessEncryptKey : undefined;
    const rekeyed = this.taken.rekeyed.get(label);
    return {
      ...(this.random ? { random: this.random } : {}), ...(this.record.service ? { synced: true } : {}),
      ...(access ? { extraRecipients: [access] } : {}), ...(rekeyed?.length ? { rekeyed } : {}),
    };
  }

  /**
   * A catalog of the account (mesh-model.md §8): `credential`, `contact`, `bookmark`, `task`,
   * `network`, `application`, `device`, `access` (and `publication`, `member`, `callsign`), opened
   * with this device's store key from its ActivationCommon. The caller closes it.
   * `MESH_NOT_AUTHORIZED` when this device's roles do not grant the store.
   */
  async catalog<K extends CatalogName>(name: K): Promise<Catalog<K>> {
    const info = (CATALOG_KINDS as Record<string, { label: string } | undefined>)[name];
    if (info === undefined) throw new MeshError('MESH_BAD_ARGUMENT', `unknown catalog ${String(name)} (known: ${Object.keys(CATALOG_KINDS).join(', ')})`);
    const key = this.storeKey(info.label);
    // Its frame 0 fixes its recipients: made before binding, the service could never read it.
    const create = info.label !== CATALOG.ingress || this.accessEncryptKey !== undefined;
    return openCatalogOn(this.storage, this.udf, name, { key, ...this.storeOptions(info.label), ...(create ? {} : { create: false }) });
  }

  /** A spool of the account (mesh-model.md §9): `inbound`, `outbound`, `local`. The caller closes it. */
  async spool(name: SpoolName): Promise<Spool> {
    if (!SPOOL_NAMES.has(name)) throw new MeshError('MESH_BAD_ARGUMENT', `unknown spool ${String(name)} (known: inbound, outbound, local)`);
    const label = { inbound: SPOOL.inbound, outbound: SPOOL.outbound, local: SPOOL.local }[name];
    return openSpoolOn(this.storage, this.udf, name, { key: this.storeKey(label), ...this.storeOptions(label) });
  }

  /**
   * Any store this device holds a key for, by label (`MMM_Credential`, `MMM_Inbound`, …): the
   * catalog or spool, for the service client (protocol.md F5). `create: false` leaves an empty
   * store empty, so that a device joining the account takes frame 0 from the service. The caller
   * closes it. `MESH_NOT_AUTHORIZED` when this device's roles do not grant the store.
   */
  async openStore(label: string, options: { create?: boolean } = {}): Promise<Catalog<CatalogKind> | Spool> {
    const key = this.storeKey(label);
    const o = { key, ...this.storeOptions(label), ...(options.create === false ? { create: false } : {}) };
    const kind = catalogKindOf(label);
    if (kind !== undefined) return openCatalogOn(this.storage, this.udf, kind, o) as Promise<Catalog<CatalogKind>>;
    for (const [k, v] of Object.entries(SPOOL_KINDS)) {
      if (v.label === label && SPOOL_NAMES.has(k)) return openSpoolOn(this.storage, this.udf, k as SpoolKind, o);
    }
    throw new MeshError('MESH_BAD_ARGUMENT', `unknown store ${label.slice(0, 64)}`);
  }

  /**
   * Splits the account seed into `shares` Shamir shares, `quorum` of which recover it
   * (mesh-model.md §12; udf.md §7): the share UDFs (`S…`). Secret: whoever holds a quorum holds
   * the account. `MESH_NO_SEED` once purged.
   */
  escrow(options: { shares: number; quorum: number }): string[] {
    const seed = this.accountKeys().seed;
    try {
      return escrowSeed(seed, { shares: options.shares, threshold: options.quorum, ...(this.random ? { random: this.random } : {}) }).map((s) => s.udf);
    } catch (e) {
      return escrowError(e);
    }
  }

  /**
   * Removes the account seed from this device (protocol.md F9 step 2). Catalogs stay usable through
   * the activation's keys; escrow then fails with `MESH_NO_SEED`. Idempotent.
   */
  async purge(): Promise<void> {
    const next: AccountSecrets = { deviceSeed: this.secrets.deviceSeed };
    await this.vault.write(secretsRecordName(this.udf), { deviceSeed: next.deviceSeed });
    this.secrets = next;
  }

  /**
   * The raw sequence of one of the account's stores, for the service client (protocol.md T7, T8):
   * it appends the frames it downloads and reads the frames it uploads. The caller closes it.
   * `MESH_NOT_AUTHORIZED` when this device's roles do not grant the store.
   */
  async storeSequence(label: string, options: { write?: boolean } = {}): Promise<SequenceStore> {
    this.storeKey(label);
    return this.storage.openSequence(storeSequenceName(this.udf, label), { write: options.write === true });
  }

  /**
   * Records that the account is bound to a service (protocol.md F1 steps 3, 5): the service UDF
   * and URL, the service's AccessEncrypt key (AccountHostAssignment) and the profile re-signed
   * with `ServiceUdf`, which must be this account's profile (same UDF, self-signed) naming that
   * service. From then on the stores open synced; call {@link prepareAccessForService} next.
   */
  async recordBinding(service: { serviceUdf: string; url?: string; accessEncrypt?: DarePublicKey }, profile: Enveloped<AnyProfileAccount>): Promise<void> {
    const p = verifyProfile(profile, { expectedUdf: this.udf }).profile as AnyProfileAccount;
    if (p.ServiceUdf !== service.serviceUdf) throw new MeshError('MESH_INVALID', `the profile names service ${String(p.ServiceUdf)}, not ${service.serviceUdf}`);
    const a = service.accessEncrypt;
    if (a !== undefined && a.algorithm !== 'X448') throw new MeshError('MESH_BAD_KEY', `AccessEncrypt is an X448 key, not ${a.algorithm}`);
    const binding: ServiceBinding = {
      serviceUdf: service.serviceUdf, ...(service.url ? { url: service.url } : {}),
      ...(a ? { accessEncrypt: { algorithm: 'X448', publicKey: base64urlEncode(a.publicKey), kid: a.kid } } : {}),
    };
    const next: AccountRecord = { ...this.record, profile, service: binding };
    await this.storage.writeRecord(accountRecordName(this.udf), writeAccountRecord(next));
    this.record = next;
  }

  /**
   * Makes MMM_Access readable by the service (protocol.md F1 step 6; mesh-model.md §8): a store's
   * recipients are fixed by its frame 0, so an Access catalog made offline (encrypted to its store
   * key only) is rebuilt with the recorded AccessEncrypt key as a second recipient, its entries
   * carried over — and, if a crash lost them between the two steps, this device's own
   * AccessCapability made again from the account seed. Does nothing when frame 0 already names
   * the key. Call it after {@link recordBinding} and before the first upload: the rebuilt frames
   * replace the old ones, which the service must never have taken. Returns true when it rebuilt.
   */
  async prepareAccessForService(): Promise<boolean> {
    const access = this.accessEncryptKey;
    if (access === undefined) throw new MeshError('MESH_BAD_ARGUMENT', `${this.address} is not bound to a service with an AccessEncrypt key`);
    if (!this.activation.storeKeys.has(CATALOG.access)) return false;
    const frame0 = await this.firstFrame(CATALOG.access);
    if (frame0 !== undefined && policyRecipients(frame0).some((k) => k.kid === access.kid)) return false;
    const key = this.storeKey(CATALOG.access);
    const entries: unknown[] = [];
    if (frame0 !== undefined) {
      const old = await openCatalogOn(this.storage, this.udf, 'access', { key, ...(this.random ? { random: this.random } : {}) });
      try {
        entries.push(...old.list());
      } finally {
        await old.close();
      }
    }
    const mine = this.activation.keys.authentication.udf;
    if (!entries.some((e) => (e as { Capability?: { Id?: string } }).Capability?.Id === mine) && this.holdsSeed) {
      entries.push(buildDeviceAccess(this.accountKeys(), {
        keys: { authentication: { Udf: mine } }, catalogedDevice: this.record.catalogedDevice,
      } as unknown as Parameters<typeof buildDeviceAccess>[1], this.roles, this.random ? { random: this.random } : {}));
    }
    await deleteStoreOn(this.storage, this.udf, CATALOG.access);
    const fresh = await this.catalog('access');
    try {
      for (const e of entries) await fresh.put(e as never);
    } finally {
      await fresh.close();
    }
    return true;
  }

  /** Frame 0 of a store as held here, or undefined when the store is empty. */
  private async firstFrame(label: string): Promise<Uint8Array | undefined> {
    const seq = await this.storage.openSequence(storeSequenceName(this.udf, label));
    try {
      if (seq.size === 0) return undefined;
      const head = await seq.read(0, Math.min(seq.size, 9));
      const extent = frameExtentAt(head, 0);
      return await seq.read(0, extent.end);
    } finally {
      await seq.close();
    }
  }

  /**
   * Takes up a new CatalogedDevice of this device, as an administrator re-issued it (roles
   * changed, stores re-keyed after a revocation; protocol.md T6 hands it over when its digest
   * changed): checked as at open (the whole chain, for this account and this device, the
   * co-generated keys), then recorded with its roles, and used from the next store opened.
   * Returns false when it is the one held already, or older than it (fewer key generations).
   */
  async adoptCatalogedDevice(device: CatalogedDevice): Promise<boolean> {
    if (meshObjectToString(device) === meshObjectToString(this.record.catalogedDevice)) return false;
    const activation = acceptActivation(device, deriveDeviceKeys(this.secrets.deviceSeed), { expectedAccountUdf: this.udf });
    if (activation.keys.authentication.udf !== this.taken.keys.authentication.udf) {
      throw new MeshError('MESH_INVALID', 'the re-issued CatalogedDevice carries another activation (other co-generated keys) than this device holds');
    }
    // An older issue (a stale Status, a re-key that did not reach the service) never takes keys away.
    for (const [label, keys] of this.taken.rekeyed) {
      if (activation.storeKeys.has(label) && (activation.rekeyed.get(label)?.length ?? 0) < keys.length) return false;
    }
    const next: AccountRecord = { ...this.record, catalogedDevice: device, roles: [...activation.roles] };
    await this.storage.writeRecord(accountRecordName(this.udf), writeAccountRecord(next));
    this.record = next;
    this.taken = activation;
    return true;
  }

  /** Replaces this device's CatalogedDevice in the account record (after an application was activated for it). */
  async updateCatalogedDevice(device: CatalogedDevice): Promise<void> {
    if (device.DeviceUdf !== this.deviceUdf) throw new MeshError('MESH_BAD_ARGUMENT', 'not this device\'s CatalogedDevice');
    const next: AccountRecord = { ...this.record, catalogedDevice: device };
    await this.storage.writeRecord(accountRecordName(this.udf), writeAccountRecord(next));
    this.record = next;
  }

  /** The secrets (device seed, account seed while held), for export. Secret. */
  secretsForExport(): AccountSecrets {
    return this.secrets;
  }
}
