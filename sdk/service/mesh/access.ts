import { decodeContentMeta } from '../../dare/content-meta.js';
import { parseEnvelope } from '../../dare/envelope.js';
import type { DarePrivateKey, DarePublicKey } from '../../dare/keys.js';
import { bytesStore } from '../../dare/sequence/bytes-store.js';
import { SequenceReplica } from '../../dare/sequence/replica.js';
import { bytesEqual, concatBytes } from '../../encoding/bytes.js';
import { CATALOG_CTY, decodeCatalogEvent } from '../../mesh/catalog/events.js';
import { verifyConnection } from '../../mesh/connections.js';
import { openMeshEnvelope } from '../../mesh/envelopes.js';
import { MeshError } from '../../mesh/errors.js';
import { publicKeyOf } from '../../mesh/keydata.js';
import { verifyProfile } from '../../mesh/profiles.js';
import { storesOf } from '../../mesh/roles.js';
import { readMeshObject } from '../../mesh/schema/codec.js';
import { announcedStoreKey, type AnnouncedStoreKey } from '../../mesh/store-keys.js';
import type { Enveloped } from '../../mesh/schema/object.js';
import type { AccessCapability, AnyProfileAccount, CatalogedAccess, CatalogedDevice } from '../../mesh/schema/types.js';
import { CATALOG, SPOOL } from '../../mesh/stores.js';
import { canonicalAddress } from '../store-rules.js';
import type { AccountRecord, ServiceStore } from '../store.js';

/**
 * Who may do what on an account (mesh-model.md §7, §8.5; protocol.md T6 "find AccessCapability
 * for the auth key in MMM_Access → must be Active"). The service reads the account's Access
 * catalog, which devices encrypt to the store key *and* to the host's AccessEncrypt key
 * (AccountHostAssignment), with that key; nothing else of the account is readable here.
 *
 * A device (its combined Authentication key `keyid`) is granted access only when all of these hold:
 * 1. the catalog's entry under `keyid` is an `AccessCapability` with `Active: true` — a revoked
 *    device (entry deleted, made inactive, or replaced by a NullCapability) gets nothing;
 * 2. its EnvelopedCatalogedDevice is signed by the account's AdministratorSignature, and the
 *    CatalogedDevice's ConnectionService — also signed by it, naming this account — carries the
 *    very key `keyid` names. So a writer of MMM_Access who does not hold the administrator key
 *    cannot mint a device: the key the service authenticates comes from an administrator's
 *    signature, not from the catalog entry;
 * 3. the capability's `Rights` (roles) decide the stores, as the roles decide the store keys an
 *    activation carries (`storesOf`): a device may read and write exactly the stores its roles
 *    grant. Unknown roles grant nothing.
 *
 * The catalog also carries the current key of each re-keyed spool (mesh/store-keys.ts), announced
 * by an administrator: {@link AccessControl.storeKey} is what the service encrypts its own spool
 * frames to.
 *
 * The account's CommonAuthentication key (Key mode: binding, the first upload, recovery) may do
 * everything. The catalog is read again whenever its head moved, through this host or another;
 * the result, and each device's checked grant, are cached per head.
 */

/** Every store label of mesh-model.md §8.1 and §9: what the account key may read and write. */
export const ALL_STORES: ReadonlySet<string> = new Set<string>([...Object.values(CATALOG), ...Object.values(SPOOL)]);

/** An account as the service sees it: its record and its verified profile's keys. */
export interface AccountView {
  readonly record: AccountRecord;
  /** Canonical address. */
  readonly address: string;
  /** The profile UDF. */
  readonly udf: string;
  readonly profile: AnyProfileAccount;
  readonly envelope: Enveloped<AnyProfileAccount>;
  /** ProfileAccount.CommonAuthentication (Key mode: the account itself). */
  readonly commonAuthentication: DarePublicKey;
  /** ProfileAccount.AdministratorSignature (signs connections and CatalogedDevices). */
  readonly administrator: DarePublicKey;
}

/** What one connected device may do. */
export interface DeviceGrant {
  /** The device's combined Authentication key UDF (AccessCapability.Id). */
  readonly keyid: string;
  readonly key: DarePublicKey;
  readonly deviceUdf: string | undefined;
  readonly roles: readonly string[];
  /** Stores the device may read and write. */
  readonly stores: ReadonlySet<string>;
  /** The capability's CatalogedDevice (signed by the administrator), for Status. */
  readonly catalogedDevice: Enveloped<CatalogedDevice>;
  readonly digest: string | undefined;
}

/** The decoded Access catalog: the live entry of each key. */
export type AccessEntries = ReadonlyMap<string, CatalogedAccess>;

/** A device key the catalog names with an administrator-signed connection, and its grant while active. */
/**
 * What authenticating a Connection-mode request found — the account, the device's key and its
 * grant as of that moment — which authorizing the same request uses rather than reading the
 * store again (a class: only the service makes one). A revocation committed in between is
 * seen by the device's next request, as it would be had it come just after this one.
 *
 * `cached`: taken from this host's cache without asking the store ({@link AccessControl.cachedConnection}),
 * so possibly stale (another host may have revoked the device, deleted the account); only a
 * handler whose commit re-checks it — guards of the account record and of MMM_Access at
 * `accessIndex` (`TransactOptions.guards`) — may act on it.
 */
export class ResolvedAccess {
  constructor(
    readonly view: AccountView,
    readonly key: DarePublicKey,
    readonly grant: DeviceGrant | undefined,
    /** The MMM_Access frame count the grant was decided at. */
    readonly accessIndex: number,
    readonly cached: boolean,
  ) {}
}

interface Checked {
  readonly key: DarePublicKey;
  readonly grant: DeviceGrant | undefined;
}

interface Snapshot {
  readonly created: number;
  readonly frameCount: number;
  readonly entries: AccessEntries;
  /** The announced spool keys, or undefined when the catalog did not decode (fail closed). */
  readonly storeKeys: ReadonlyMap<string, AnnouncedStoreKey> | undefined;
  readonly checked: Map<string, Checked | null>;
}

interface ViewCache {
  readonly created: number;
  readonly profileUdf: string;
  view: AccountView;
}

/**
 * Decodes an Access catalog from its frames with the host's key (see the module notes):
 * frame 0 must be MMM_Access's header, every later frame a catalog event whose entry is a
 * CatalogedAccess keyed by its Capability.Id, following `(New Update* Delete)*` with the right
 * First and Previous. Throws the `SequenceError` or `MeshError` of the first frame that is not
 * (the host key not among its recipients: `DARE_NO_KEY` / `DARE_DECRYPT`).
 */
export async function decodeAccessCatalog(frames: readonly Uint8Array[], key: DarePrivateKey): Promise<Map<string, CatalogedAccess>> {
  const entries = new Map<string, CatalogedAccess>();
  const span = new Map<string, { first: number; last: number }>();
  if (frames.length === 0) return entries;
  const replica = await SequenceReplica.open(bytesStore(concatBytes(...frames)), {
    keys: [key], adoptPolicy: true, requireAuthor: false,
    onFrame: (f) => {
      if (f.index === 0) {
        let ok = false;
        try {
          const meta = f.contentMeta ? decodeContentMeta(f.contentMeta) : undefined;
          ok = meta?.uniqueId === CATALOG.access && meta.cty === CATALOG_CTY && (f.payload?.length ?? 0) === 0;
        } catch {
          ok = false;
        }
        if (!ok) throw new MeshError('MESH_WRONG_STORE', `frame 0 is not the header of ${CATALOG.access}`);
        return;
      }
      const event = decodeCatalogEvent(f.contentMeta, f.index);
      const held = span.get(event.uniqueId);
      const live = entries.has(event.uniqueId);
      if (event.event === 'New') {
        if (live) throw new MeshError('MESH_LIFECYCLE', `frame ${f.index}: New for ${event.uniqueId}, which is live`);
      } else if (!live || held === undefined || event.first !== held.first || event.previous !== held.last) {
        throw new MeshError('MESH_LIFECYCLE', `frame ${f.index}: ${event.event} of ${event.uniqueId} does not follow its frames`);
      }
      if (event.event === 'Delete') {
        entries.delete(event.uniqueId);
        span.delete(event.uniqueId);
        return;
      }
      if (f.payload === undefined) throw new MeshError('MESH_INVALID', `frame ${f.index} could not be decrypted`);
      const entry = readMeshObject(f.payload, 'CatalogedAccess');
      if (entry.Capability?.Id !== event.uniqueId) throw new MeshError('MESH_INVALID', `frame ${f.index}: the entry's Capability.Id is not its UniqueId`);
      entries.set(event.uniqueId, entry);
      span.set(event.uniqueId, { first: event.event === 'New' ? f.index : held!.first, last: f.index });
    },
  });
  await replica.close();
  return entries;
}

/** The keys with an active AccessCapability (before the signature checks a grant adds). */
export function activeKeyids(entries: AccessEntries): Set<string> {
  const out = new Set<string>();
  for (const [id, e] of entries) {
    const c = e.Capability;
    if (c?.$class === 'AccessCapability' && c.Active === true) out.add(id);
  }
  return out;
}

/**
 * The spool keys the catalog announces (mesh/store-keys.ts), each checked against the account's
 * AdministratorSignature; throws the `MeshError` of the first entry that announces one badly.
 */
export function announcedStoreKeys(entries: AccessEntries, view: AccountView): Map<string, AnnouncedStoreKey> {
  const out = new Map<string, AnnouncedStoreKey>();
  for (const entry of entries.values()) {
    const announced = announcedStoreKey(entry, { administrator: view.administrator, accountUdf: view.udf });
    if (announced !== undefined) out.set(announced.store, announced);
  }
  return out;
}

/** Stores granted by roles, skipping roles that are not known (they grant nothing). */
export function storesOfRoles(roles: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const role of roles) {
    try {
      for (const s of storesOf([role])) out.add(s);
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
    }
  }
  return out;
}

/** Frames read per step when the Access catalog is read. */
const READ_PAGE = { maxEntries: 1024, maxBytes: 8 << 20 };

/** The accounts and Access catalogs of one service store (see the module notes). */
export class AccessControl {
  readonly #views = new Map<string, ViewCache>();
  readonly #snapshots = new Map<string, Snapshot>();

  constructor(private readonly store: ServiceStore, private readonly accessKey: DarePrivateKey, private readonly maxAccounts = 100_000) {}

  /** The account at `address` (any case) with its verified profile, or undefined. */
  async account(address: string): Promise<AccountView | undefined> {
    let canonical: string;
    try {
      canonical = canonicalAddress(address);
    } catch {
      return undefined;
    }
    const record = await this.store.getAccount(canonical);
    if (record === undefined) return undefined;
    const cached = this.#views.get(canonical);
    // By value: a store hands out fresh bytes on every read, and verifying the profile (an Ed448
    // signature) on every request would cost more than the rest of a Transact.
    if (cached !== undefined && cached.created === record.created && cached.profileUdf === record.profileUdf && bytesEqual(cached.view.record.profile, record.profile)) {
      if (cached.view.record.status !== record.status) cached.view = { ...cached.view, record };
      return cached.view;
    }
    const envelope = parseEnvelope(record.profile) as Enveloped<AnyProfileAccount>;
    const verified = verifyProfile(envelope, { expectedUdf: record.profileUdf });
    const profile = verified.profile as AnyProfileAccount;
    if (profile.CommonAuthentication === undefined || profile.AdministratorSignature === undefined) {
      throw new MeshError('MESH_INVALID', `the profile of ${canonical} lacks CommonAuthentication or AdministratorSignature`);
    }
    const view: AccountView = {
      record, address: canonical, udf: verified.udf, profile, envelope,
      commonAuthentication: publicKeyOf(profile.CommonAuthentication, 'CommonAuthentication'),
      administrator: publicKeyOf(profile.AdministratorSignature, 'AdministratorSignature'),
    };
    this.#bound(this.#views);
    this.#views.set(canonical, { created: record.created, profileUdf: record.profileUdf, view });
    return view;
  }

  /** The account's Access catalog as it stands now (read again when its head moved). */
  async entries(view: AccountView): Promise<AccessEntries> {
    return (await this.#snapshot(view)).entries;
  }

  /** What the device `keyid` may do on the account, or undefined: nothing (see the module notes). */
  async grant(view: AccountView, keyid: string): Promise<DeviceGrant | undefined> {
    return (await this.#checked(view, keyid))?.grant;
  }

  /**
   * The key the service encrypts its own frames of spool `label` to: the one an administrator
   * announced after re-keying it, or undefined — frame 0's key then. A catalog that does not
   * decode fails closed (`MESH_INVALID`): nothing is written to a key that may be withdrawn.
   */
  async storeKey(view: AccountView, label: string): Promise<DarePublicKey | undefined> {
    const keys = (await this.#snapshot(view)).storeKeys;
    if (keys === undefined) throw new MeshError('MESH_INVALID', `the ${CATALOG.access} of ${view.address.slice(0, 100)} does not decode: the service writes nothing to its spools`);
    return keys.get(label)?.key;
  }

  /** {@link storeKey} of the account at `address` (undefined when there is none). */
  async spoolKey(address: string, label: string): Promise<DarePublicKey | undefined> {
    const view = await this.account(address);
    return view === undefined ? undefined : this.storeKey(view, label);
  }

  /**
   * The key of a device the Access catalog names under an administrator-signed connection,
   * active or not (rules 1–2 without "active"): a revoked device's requests still verify, so the
   * service can sign its refusal (403 DeviceRevoked) and the device knows it is final. Grants
   * come only from {@link grant}.
   */
  async knownKey(view: AccountView, keyid: string): Promise<DarePublicKey | undefined> {
    return (await this.#checked(view, keyid))?.key;
  }

  /**
   * {@link knownKey} with its {@link grant} (undefined: inactive), found with one read of the
   * account's catalog head: authentication and authorization of one request share it
   * ({@link ResolvedAccess}).
   */
  async connection(view: AccountView, keyid: string): Promise<ResolvedAccess | undefined> {
    const snap = await this.#snapshot(view);
    const checked = this.#checkedIn(snap, view, keyid);
    return checked === undefined ? undefined : new ResolvedAccess(view, checked.key, checked.grant, snap.frameCount, false);
  }

  /**
   * {@link connection} from this host's cache alone, without a store read: undefined unless the
   * account's view and its Access catalog are cached and the catalog names `keyid`. Possibly
   * stale (`ResolvedAccess.cached`): for a commit that re-checks it with guards only.
   */
  cachedConnection(address: string, keyid: string): ResolvedAccess | undefined {
    let canonical: string;
    try {
      canonical = canonicalAddress(address);
    } catch {
      return undefined;
    }
    const view = this.#views.get(canonical)?.view;
    const snap = this.#snapshots.get(canonical);
    if (view === undefined || snap === undefined || snap.created !== view.record.created) return undefined;
    const checked = this.#checkedIn(snap, view, keyid);
    return checked === undefined ? undefined : new ResolvedAccess(view, checked.key, checked.grant, snap.frameCount, true);
  }

  async #checked(view: AccountView, keyid: string): Promise<Checked | undefined> {
    return this.#checkedIn(await this.#snapshot(view), view, keyid);
  }

  #checkedIn(snap: Snapshot, view: AccountView, keyid: string): Checked | undefined {
    const known = snap.checked.get(keyid);
    if (known !== undefined) return known ?? undefined;
    const checked = this.#check(view, keyid, snap.entries.get(keyid)?.Capability as AccessCapability | undefined);
    snap.checked.set(keyid, checked ?? null);
    return checked;
  }

  /** Forgets what is cached about an account (deleted, unbound, or found stale by a commit's guard). */
  forget(address: string): void {
    this.#views.delete(address);
    this.#snapshots.delete(address);
  }

  /** Forgets the account's cached Access catalog (this host changed it: read it again when next needed). */
  forgetCatalog(address: string): void {
    this.#snapshots.delete(address);
  }

  /** Reads every frame of the account's MMM_Access (for decoding with an upload appended). */
  async frames(view: AccountView): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (;;) {
      const page = await this.store.read(view.address, CATALOG.access, out.length, READ_PAGE);
      out.push(...page.frames);
      if (!page.partial || page.frames.length === 0) return out;
    }
  }

  /** Decodes frames of MMM_Access with the host key (an upload's check). */
  decode(frames: readonly Uint8Array[]): Promise<Map<string, CatalogedAccess>> {
    return decodeAccessCatalog(frames, this.accessKey);
  }

  async #snapshot(view: AccountView): Promise<Snapshot> {
    const head = await this.store.head(view.address, CATALOG.access);
    const cached = this.#snapshots.get(view.address);
    if (cached !== undefined && cached.created === view.record.created && cached.frameCount === head.nextIndex) return cached;
    const frames = await this.frames(view);
    let entries: AccessEntries;
    let storeKeys: ReadonlyMap<string, AnnouncedStoreKey> | undefined;
    try {
      entries = await this.decode(frames);
      storeKeys = announcedStoreKeys(entries, view);
    } catch {
      // Uploads are checked before they are taken, so this is a catalog damaged or written past
      // the checks: fail closed — no device of the account gets anything, no spool frame is written.
      entries = new Map();
      storeKeys = undefined;
    }
    const snap: Snapshot = { created: view.record.created, frameCount: frames.length, entries, storeKeys, checked: new Map() };
    this.#bound(this.#snapshots);
    this.#snapshots.set(view.address, snap);
    return snap;
  }

  #check(view: AccountView, keyid: string, capability: AccessCapability | undefined): Checked | undefined {
    if (capability === undefined || capability.$class !== 'AccessCapability' || capability.Id !== keyid) return undefined;
    const envelope = capability.EnvelopedCatalogedDevice;
    if (envelope === undefined) return undefined;
    try {
      const device = openMeshEnvelope(envelope, 'CatalogedDevice', { signers: [view.administrator], requireSignature: true }).object;
      if (device.EnvelopedConnectionService === undefined) return undefined;
      const connection = verifyConnection(device.EnvelopedConnectionService, 'ConnectionService', { udf: view.udf, administratorSignature: view.administrator });
      if (connection.Authentication === undefined) return undefined;
      const key = publicKeyOf(connection.Authentication, 'ConnectionService.Authentication');
      if (key.algorithm !== 'X448' || key.kid !== keyid) return undefined;
      if (capability.Active !== true) return { key, grant: undefined };
      const roles = [...(capability.Rights ?? [])];
      return {
        key,
        grant: {
          keyid, key, deviceUdf: device.DeviceUdf, roles, stores: storesOfRoles(roles),
          catalogedDevice: envelope as Enveloped<CatalogedDevice>, digest: capability.CatalogedDeviceDigest,
        },
      };
    } catch (e) {
      if (e instanceof MeshError) return undefined;
      throw e;
    }
  }

  #bound(map: Map<string, unknown>): void {
    if (map.size < this.maxAccounts) return;
    const first = map.keys().next();
    if (!first.done) map.delete(first.value);
  }
}
