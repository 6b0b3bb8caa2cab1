/**
 * `mathmesh/mesh`: the Mesh object model (mesh-model.md) — one declarative schema of every Mesh
 * class (profiles, connections, activations, catalog entries, contacts, messages, escrow and
 * protocol objects) that drives the TypeScript types and the tagged-JSON / JSON-B codec; Mesh
 * objects in DARE envelopes; keys from seeds and co-generated device keys; profiles,
 * connections, activations and the self contact, byte-compatible with the reference; catalogs
 * (`Catalog`) and spools (`Spool`) on DARE sequence replicas that sync frame for frame through a
 * service (`outgoing` / `receive` / `acknowledge`, README "Catalogs and spools").
 *
 * Pure re-exports: importing this module runs no code and loads no transport or service code.
 *
 * @example
 * ```ts
 * import { deriveAccountKeys, buildProfileAccount, sealProfile, verifyProfile } from 'mathmesh/mesh';
 * const keys = deriveAccountKeys(accountSeed);
 * const profile = buildProfileAccount(keys, { accountAddress: 'alice@example.com', serviceUdf });
 * const envelope = sealProfile(profile, keys.profileSignature);
 * const { udf } = verifyProfile(envelope);
 * ```
 *
 * @module mathmesh/mesh
 */
export { MeshError, type MeshErrorCode } from './errors.js';
export type { MeshObjectBase, WireRecord, Untagged, Enveloped } from './schema/object.js';
export type * from './schema/types.js';
export { MESH_CLASSES, type ClassDefinition } from './schema/classes.js';
export { classInfo, classNames, isKindOf, family, parseMemberType, type ClassInfo, type MemberInfo, type MemberType, type ScalarKind } from './schema/model.js';
export {
  detectEncoding, parseMeshValue, readMeshObject, readMeshMembers, meshObjectToValue, meshObjectToString, writeMeshObject, type MeshEncoding,
} from './schema/codec.js';
export {
  MESH_OBJECT_CTY, sealMeshObject, sealPayload, openEnvelopePayload, openMeshEnvelope, inspectMeshEnvelope, headerOf,
  type SealOptions, type OpenOptions, type OpenedPayload, type OpenedMeshObject, type EnvelopeInspection, type MeshHeaderData,
} from './envelopes.js';
export {
  deriveAccountKeys, deriveStoreKey, deriveDeviceKeys, deriveServiceKeys, deriveActivationKeys, combineKeys, combinePublicKeys, newMeshSeed,
  type AccountKeys, type DeviceKeys, type ServiceKeys, type ActivationKeys, type CombinedKey,
} from './keys.js';
export { keyDataOf, publicKeyDataOf, keyFingerprintOf, checkKeyData, publicKeyOf, privateKeyOf, type KeyDataCheck } from './keydata.js';
export {
  buildProfileAccount, buildProfileDevice, buildProfileService, profileUdf, sealProfile, verifyProfile,
  type ProfileOptions, type AccountProfileOptions, type VerifiedProfile,
} from './profiles.js';
export { checkDeviceChain, verifyDeviceChain, type DeviceChainReport } from './devices.js';
export { reissueDevice, reissuedAccess, type ReissueOptions, type ReissuedDevice } from './reissue.js';
export { keyFingerprint512, connectionWitness, type WitnessKey } from './witness.js';
export {
  PUBLICATION_AUTHENTICATOR_INFO, publicationOf, claimAuthenticate, openPublicationData, sealPublicationData, newPublication, announcePublication,
  type Publication, type NewPublication,
} from './publication.js';
export * from './connect/index.js';
export { CATALOG, SPOOL, isStoreLabel, type StoreLabel } from './stores.js';
export { SERVICE_WRITTEN_SPOOLS, storeKeyEntry, announcedStoreKey, type AnnouncedStoreKey } from './store-keys.js';
export * from './host/index.js';
export {
  deviceAccountKeyData, buildConnectionService, buildConnectionDevice, sealConnection, verifyConnection, type DeviceAccountKeyData,
} from './connections.js';
export {
  buildActivationAccount, buildActivationCommon, sealActivation, activateDevice, acceptActivation, dareKeyFromCombined,
  type DeviceActivation, type ActivateDeviceOptions, type DeviceAccountKeys, type AcceptedActivation,
} from './activations.js';
export { ROLES, grantsOf, storesOf, ACCOUNT_KEY_STORES, type Role, type Grants, type AccountKeyGrant } from './roles.js';
export { buildSelfContact, type SelfContact, type SelfContactOptions } from './contacts.js';
export {
  sealMessage, openMessage, checkSealedMessage, sealedMessageInfo, newMessageId, MESSAGE_MAX_AGE_MS, MESSAGE_MAX_SKEW_MS,
  type SealMessageOptions, type SealedMessageInfo, type CheckSealedOptions, type OpenMessageOptions, type OpenedMessage,
} from './messaging/envelope.js';
export { peerOf, peerOfSignedContact, peerOfContact, contactEntryOf, canonicalAccount, type Peer } from './messaging/peer.js';
export { newContactCard, publishedContact, type PublishedContact } from './messaging/contact-card.js';
export * from './catalog/index.js';
export * from './spool/index.js';
