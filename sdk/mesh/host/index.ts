/**
 * The Mesh on one device (mesh-model.md §4, §6, §8, §12): a host over a home (the storage
 * contract), accounts with their catalogs and spools, escrow, purge, recovery, export.
 */
export { checkHomeName, homeError, type HomeStorage } from './storage.js';
export { DEFAULT_LOG_N, MIN_LOG_N, MAX_LOG_N, type KdfCost, type KdfRecord } from './kdf.js';
export { HOME_FORMAT, HOME_RECORD, type HomeProtection, type HomeRecord, type PassphraseSource } from './home.js';
export { SECRET_FORMAT, HomeVault, type SecretValue } from './vault.js';
export {
  ACCOUNT_FORMAT, accountFolder, accountRecordName, secretsRecordName, type AccountRecord, type AccountSecrets, type ServiceBinding,
} from './records.js';
export { storeSequenceName, openCatalogOn, openSpoolOn, type OpenStoreOptions } from './stores.js';
export { buildNewAccount, buildDeviceAccess, catalogedDeviceDigest, checkAccountAddress, CREATOR_ROLES, type NewAccount, type NewAccountOptions } from './create.js';
export { MeshAccount, type CatalogName, type SpoolName, type AccountKeyInfo } from './account.js';
export {
  MeshHost, storesOfRoles, type MeshHostOptions, type AccountSummary, type CreateAccountOptions, type RecoverOptions, type StoreSource,
} from './host.js';
export { EXPORT_FORMAT, exportAccount, importAccount, type ExportProtection, type ImportKey } from './export.js';
export { newSshKey, sshPublicKeyLine, sshPrivateKeyOpenSsh, sshPrivateKeyPkcs8 } from './ssh.js';
export { createSshApplication, listSshApplications, sshClientKey, mailApplication, type SshCreateOptions, type MailOptions } from './applications.js';
export {
  savePendingConnection, pendingConnections, openPendingConnection, dropPendingConnection, installAcceptedConnection,
  type PendingConnection, type PendingKind,
} from './pending.js';
