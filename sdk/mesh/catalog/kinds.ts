import { MeshError } from '../errors.js';
import { isKindOf } from '../schema/model.js';
import type { MeshFamilyMap } from '../schema/types.js';
import { CATALOG } from '../stores.js';

/**
 * The catalogs of an account (mesh-model.md §8.1): for each, its wire label, the class of its
 * entries and the entry's primary key — the `ContentMeta.UniqueId` of every frame about it.
 *
 * Primary keys follow §8.1; where an entry lacks the member the key is made of, the key is the
 * empty string for that part, as REF writes it (the Download example's credential has no
 * `Protocol`, and its UniqueId is `:ftp.example.com`).
 */

/** One catalog kind. */
export interface CatalogKindInfo<C extends keyof MeshFamilyMap = keyof MeshFamilyMap> {
  /** Store label (wire name), e.g. `MMM_Credential`. */
  readonly label: (typeof CATALOG)[keyof typeof CATALOG];
  /** Entry class; entries may be of it or of a subclass (MMM_Application holds several). */
  readonly entryClass: C;
  /** The entry's primary key (mesh-model.md §8.1). */
  readonly primaryKey: (entry: MeshFamilyMap[C]) => string | undefined;
}

const protocolService = (e: { Protocol?: string | undefined; Service?: string | undefined }): string | undefined =>
  e.Service === undefined && e.Protocol === undefined ? undefined : `${e.Protocol ?? ''}:${e.Service ?? ''}`;

const kind = <C extends keyof MeshFamilyMap>(info: CatalogKindInfo<C>): CatalogKindInfo<C> => info;

/** The catalogs of mesh-model.md §8.1, by the name the API uses. */
export const CATALOG_KINDS = {
  access: kind({ label: CATALOG.access, entryClass: 'CatalogedAccess', primaryKey: (e) => e.Capability?.Id }),
  application: kind({ label: CATALOG.application, entryClass: 'CatalogedApplication', primaryKey: (e) => e.Key }),
  bookmark: kind({ label: CATALOG.bookmark, entryClass: 'CatalogedBookmark', primaryKey: (e) => e.Uid }),
  callsign: kind({ label: CATALOG.callsign, entryClass: 'CatalogedCallsign', primaryKey: (e) => e.Canonical }),
  contact: kind({ label: CATALOG.contact, entryClass: 'CatalogedContact', primaryKey: (e) => e.Key }),
  credential: kind({ label: CATALOG.credential, entryClass: 'CatalogedCredential', primaryKey: protocolService }),
  device: kind({ label: CATALOG.device, entryClass: 'CatalogedDevice', primaryKey: (e) => e.DeviceUdf }),
  ingress: kind({ label: CATALOG.ingress, entryClass: 'CatalogedIngress', primaryKey: (e) => e.Key }),
  member: kind({ label: CATALOG.member, entryClass: 'CatalogedMember', primaryKey: (e) => e.ContactAddress }),
  network: kind({ label: CATALOG.network, entryClass: 'CatalogedNetwork', primaryKey: protocolService }),
  publication: kind({ label: CATALOG.publication, entryClass: 'CatalogedPublication', primaryKey: (e) => e.Id }),
  task: kind({ label: CATALOG.task, entryClass: 'CatalogedTask', primaryKey: (e) => e.Key }),
} as const;

/** A catalog name: `credential`, `contact`, `bookmark`, `task`, `network`, `application`, `device`, `access`, `publication`, `member`, `callsign`, `ingress`. */
export type CatalogKind = keyof typeof CATALOG_KINDS;

/** The entry type of a catalog kind (the generated schema type, subclasses included). */
export type CatalogEntryOf<K extends CatalogKind> = MeshFamilyMap[(typeof CATALOG_KINDS)[K]['entryClass']];

/** The kind whose label is `label` (`MMM_Credential` → `credential`), or undefined. */
export function catalogKindOf(label: string): CatalogKind | undefined {
  for (const [k, info] of Object.entries(CATALOG_KINDS)) if (info.label === label) return k as CatalogKind;
  return undefined;
}

/** The kind table entry; `MESH_BAD_ARGUMENT` for an unknown kind. */
export function catalogKindInfo(kind: CatalogKind): CatalogKindInfo {
  const info = (CATALOG_KINDS as Record<string, CatalogKindInfo>)[kind];
  if (info === undefined) throw new MeshError('MESH_BAD_ARGUMENT', `unknown catalog kind '${String(kind)}'`);
  return info;
}

/**
 * The primary key of an entry of `kind` (mesh-model.md §8.1). `MESH_WRONG_CLASS` when the entry is
 * not of the catalog's class, `MESH_BAD_MEMBER` when it lacks its key member(s).
 */
export function primaryKeyOf<K extends CatalogKind>(kind: K, entry: CatalogEntryOf<K>): string {
  const info = catalogKindInfo(kind);
  const cls = (entry as { $class?: unknown } | undefined)?.$class;
  if (typeof cls !== 'string' || !isKindOf(cls, info.entryClass)) {
    throw new MeshError('MESH_WRONG_CLASS', `${info.label} holds ${info.entryClass} entries, not ${typeof cls === 'string' ? cls : 'an untagged value'}`, {
      className: typeof cls === 'string' ? cls : info.entryClass,
    });
  }
  const key = (info.primaryKey as (e: unknown) => string | undefined)(entry);
  if (typeof key !== 'string' || key.length === 0) {
    throw new MeshError('MESH_BAD_MEMBER', `${cls}: no primary key (mesh-model.md §8.1) — the entry lacks its key member`, { className: cls });
  }
  return key;
}
