/**
 * Store labels (mesh-model.md §8.1, §9; Generated-MeshConstantsCatalogLabels.md and
 * ...SpoolLabels.md): the wire names of an account's catalogs and spools — also the suffix of each
 * store's encryption key name (`CompleteAccountEncrypt` + label, keys.ts).
 */

/** Catalogs: one Merkle DARE sequence of CatalogedEntry frames each. */
export const CATALOG = {
  access: 'MMM_Access',
  application: 'MMM_Application',
  bookmark: 'MMM_Bookmark',
  callsign: 'MMM_Callsign',
  contact: 'MMM_Contact',
  credential: 'MMM_Credential',
  device: 'MMM_Device',
  /** This project's: the account's ingress rules, read by its service (README "Messaging"). */
  ingress: 'MMM_Ingress',
  member: 'MMM_Member',
  network: 'MMM_Network',
  publication: 'MMM_Publication',
  task: 'MMM_Task',
} as const;

/** Spools: DARE sequences of enveloped messages. */
export const SPOOL = {
  inbound: 'MMM_Inbound',
  outbound: 'MMM_Outbound',
  local: 'MMM_Local',
  archive: 'MMM_Archive',
} as const;

/** A catalog or spool label. */
export type StoreLabel = (typeof CATALOG)[keyof typeof CATALOG] | (typeof SPOOL)[keyof typeof SPOOL];

const LABELS: ReadonlySet<string> = new Set<string>([...Object.values(CATALOG), ...Object.values(SPOOL)]);

/** True for a label of mesh-model.md §8.1 / §9. */
export function isStoreLabel(label: string): label is StoreLabel {
  return LABELS.has(label);
}
