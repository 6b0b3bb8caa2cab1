import type { DarePrivateKey, DarePublicKey } from '../../dare/keys.js';
import { Catalog } from '../catalog/catalog.js';
import { catalogKindInfo, catalogKindOf, type CatalogKind } from '../catalog/kinds.js';
import { sideFileOnStore, type SideFile } from '../catalog/side-file.js';
import type { StoreOptions } from '../catalog/synced-store.js';
import type { RandomSource } from '../../udf/random.js';
import { Spool } from '../spool/spool.js';
import { SPOOL_KINDS, type SpoolKind } from '../spool/states.js';
import { MeshError } from '../errors.js';
import type { HomeStorage } from './storage.js';

/**
 * The stores of an account in a home (mesh-model.md §8, §9): each catalog and spool is the
 * catalog module's {@link Catalog} / {@link Spool} on the home's sequence
 * `accounts/<UDF>/stores/<label>.dare`, with its sealed snapshot (`<label>.snapshot`, so a large
 * catalog opens without replaying every frame) and rebase journal (`<label>.journal`) beside it.
 * The store files (`.dare`) are the account's data; snapshots and journals are this device's
 * accelerators, sealed under keys only holders of the store key derive, and never exported.
 */

/** The sequence of a store (catalog or spool label) of an account. */
export function storeSequenceName(accountUdf: string, label: string): string {
  return `accounts/${accountUdf}/stores/${label}.dare`;
}
const sideName = (accountUdf: string, label: string, what: 'snapshot' | 'journal'): string => `accounts/${accountUdf}/stores/${label}.${what}`;

/** The spool kinds an account has (Archive is defined only). */
export const ACCOUNT_SPOOLS: ReadonlySet<string> = new Set<string>([SPOOL_KINDS.inbound.label, SPOOL_KINDS.outbound.label, SPOOL_KINDS.local.label]);

function spoolKindOf(label: string): SpoolKind | undefined {
  for (const [k, v] of Object.entries(SPOOL_KINDS)) if (v.label === label) return k as SpoolKind;
  return undefined;
}

/** Options of {@link openCatalogOn} and {@link openSpoolOn}. */
export interface OpenStoreOptions {
  /** The store's private key (`CompleteAccountEncrypt<Label>`: derived from the seed, or from ActivationCommon). */
  readonly key: DarePrivateKey;
  /** Create frame 0 when the store is empty (default true; a device joining an account passes false). */
  readonly create?: boolean;
  /** The account is bound to a service: frames written here are outgoing until it acknowledges them. */
  readonly synced?: boolean;
  /** Further recipients of every frame (MMM_Access: the service's `AccessEncrypt` key, mesh-model.md §8). */
  readonly extraRecipients?: readonly DarePublicKey[];
  /** Later generations of the store key after re-keying, oldest first (catalog/synced-store.ts). */
  readonly rekeyed?: readonly DarePrivateKey[];
  readonly random?: RandomSource;
}

async function storeOptions(storage: HomeStorage, accountUdf: string, label: string, o: OpenStoreOptions): Promise<StoreOptions> {
  const store = await storage.openSequence(storeSequenceName(accountUdf, label), { write: true });
  const sides: SideFile[] = [];
  try {
    for (const what of ['snapshot', 'journal'] as const) sides.push(sideFileOnStore(await storage.openSequence(sideName(accountUdf, label, what), { write: true })));
  } catch (e) {
    for (const s of sides) await s.close();
    await store.close();
    throw e;
  }
  return {
    store, key: o.key, snapshot: sides[0]!, journal: sides[1]!, ...(o.create === false ? { create: false } : {}), ...(o.synced ? { synced: true } : {}),
    ...(o.extraRecipients && o.extraRecipients.length > 0 ? { extraRecipients: o.extraRecipients } : {}), ...(o.random ? { random: o.random } : {}),
    ...(o.rekeyed && o.rekeyed.length > 0 ? { rekeyed: o.rekeyed } : {}),
  };
}

/** Opens a catalog of an account on its home sequence. The caller closes it. */
export async function openCatalogOn<K extends CatalogKind>(storage: HomeStorage, accountUdf: string, kind: K, o: OpenStoreOptions): Promise<Catalog<K>> {
  return Catalog.open(kind, await storeOptions(storage, accountUdf, labelOfCatalog(kind), o));
}

/** Opens a spool of an account on its home sequence. The caller closes it. */
export async function openSpoolOn(storage: HomeStorage, accountUdf: string, kind: SpoolKind, o: OpenStoreOptions): Promise<Spool> {
  return Spool.open(kind, await storeOptions(storage, accountUdf, SPOOL_KINDS[kind].label, o));
}

/** Opens (creating frame 0 when empty) and closes the store of `label`: catalog or spool. */
export async function initStoreOn(storage: HomeStorage, accountUdf: string, label: string, o: OpenStoreOptions): Promise<void> {
  const spool = spoolKindOf(label);
  if (spool !== undefined) return (await openSpoolOn(storage, accountUdf, spool, o)).close();
  const kind = catalogKindOf(label);
  if (kind === undefined) throw new MeshError('MESH_BAD_ARGUMENT', `unknown store ${label}`);
  return (await openCatalogOn(storage, accountUdf, kind, o)).close();
}

/** The label of a catalog kind (`MESH_BAD_ARGUMENT` for an unknown kind). */
export function labelOfCatalog(kind: CatalogKind): string {
  return catalogKindInfo(kind).label;
}

/** Removes a store's sequence and its snapshot and journal (undoing a refused recovery or import). */
export async function deleteStoreOn(storage: HomeStorage, accountUdf: string, label: string): Promise<void> {
  await storage.deleteSequence(storeSequenceName(accountUdf, label));
  for (const what of ['snapshot', 'journal'] as const) await storage.deleteSequence(sideName(accountUdf, label, what));
}
