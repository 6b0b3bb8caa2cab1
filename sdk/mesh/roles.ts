import { MeshError } from './errors.js';
import { CATALOG, SPOOL, type StoreLabel } from './stores.js';

/**
 * Device roles and the rights they grant (mesh-model.md §7, the reference's grant code): which
 * account keys an ActivationCommon hands the device (directly, as private keys) and which
 * per-store keys go in its `Entries`, in the reference's order (verified: a `message` + `web`
 * device gets Contact, Publication, Inbound, Outbound, Network, Application, Credential, Task,
 * Bookmark — SchemaAliceActivationDevice2.md).
 */

/** Account keys an activation may grant (ActivationCommon members). */
export type AccountKeyGrant = 'ProfileSignature' | 'AdministratorSignature' | 'Encryption' | 'Authentication' | 'Signature';

/** What one role grants. */
interface RoleDefinition {
  /** Roles whose grants come first. */
  readonly includes?: readonly Role[];
  readonly keys?: readonly AccountKeyGrant[];
  readonly stores?: readonly StoreLabel[];
  /** Stores granted after the included roles' (the reference's order). */
  readonly laterStores?: readonly StoreLabel[];
}

/** The roles a device may hold (CLI flags `/root`, `/admin`, `/message`, `/web`). */
export type Role = 'super' | 'admin' | 'device' | 'message' | 'web';

const USER_STORES: readonly StoreLabel[] = [
  CATALOG.contact, CATALOG.publication, SPOOL.inbound, SPOOL.outbound, CATALOG.network, CATALOG.application, CATALOG.credential,
  CATALOG.task, CATALOG.bookmark,
];

/** mesh-model.md §7. `threshold` (service-mediated shares) is not offered: no key shares yet. */
export const ROLES: Readonly<Record<Role, RoleDefinition>> = {
  device: { stores: [CATALOG.network, CATALOG.application] },
  message: { keys: ['Encryption', 'Signature', 'Authentication'], stores: [CATALOG.contact, CATALOG.publication, SPOOL.inbound, SPOOL.outbound], includes: ['device'] },
  web: { includes: ['message'], laterStores: [CATALOG.credential, CATALOG.task, CATALOG.bookmark] },
  admin: { keys: ['AdministratorSignature'], stores: [SPOOL.local, CATALOG.access, ...USER_STORES] },
  super: { keys: ['ProfileSignature', 'AdministratorSignature'], stores: [CATALOG.device, CATALOG.access], includes: ['admin'] },
};

/** The grants of a set of roles. */
export interface Grants {
  /** Account keys, in ActivationCommon member order. */
  readonly keys: readonly AccountKeyGrant[];
  /** Store keys, in the reference's Entries order. */
  readonly stores: readonly StoreLabel[];
}

const KEY_ORDER: readonly AccountKeyGrant[] = ['ProfileSignature', 'AdministratorSignature', 'Encryption', 'Authentication', 'Signature'];

/** What `roles` grant together (duplicates dropped, first occurrence kept). */
export function grantsOf(roles: readonly string[]): Grants {
  const keys = new Set<AccountKeyGrant>();
  const stores: StoreLabel[] = [];
  const add = (role: string, depth: number): void => {
    const def = (ROLES as Record<string, RoleDefinition | undefined>)[role];
    if (def === undefined) throw new MeshError('MESH_BAD_ARGUMENT', `unknown role ${role} (known: ${Object.keys(ROLES).join(', ')})`);
    if (depth > 4) throw new MeshError('MESH_BAD_ARGUMENT', `role ${role} includes itself`);
    for (const k of def.keys ?? []) keys.add(k);
    for (const s of def.stores ?? []) if (!stores.includes(s)) stores.push(s);
    for (const r of def.includes ?? []) add(r, depth + 1);
    for (const s of def.laterStores ?? []) if (!stores.includes(s)) stores.push(s);
  };
  for (const r of roles) add(r, 0);
  return { keys: KEY_ORDER.filter((k) => keys.has(k)), stores };
}

/**
 * Stores whose key is an account key rather than a per-store key, and the account key that opens
 * each (this project's extension, README "Messaging"): MMM_Ingress — the senders the account's
 * service admits — is kept under CommonEncryption, so exactly the devices that read the
 * account's messages (the `message` role and up) manage who may send them. Keeping it out of the
 * per-store keys leaves the ActivationCommon of every role byte for byte the reference's.
 */
export const ACCOUNT_KEY_STORES: Readonly<Record<string, AccountKeyGrant>> = Object.freeze({ [CATALOG.ingress]: 'Encryption' });

/**
 * Every store `roles` let a device read and write: the per-store keys of {@link grantsOf}, then
 * the stores of {@link ACCOUNT_KEY_STORES} whose account key the roles grant.
 */
export function storesOf(roles: readonly string[]): string[] {
  const g = grantsOf(roles);
  const out: string[] = [...g.stores];
  for (const [label, key] of Object.entries(ACCOUNT_KEY_STORES)) if (g.keys.includes(key) && !out.includes(label)) out.push(label);
  return out;
}
