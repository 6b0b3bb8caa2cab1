import type { DareEnvelope } from '../dare/envelope.js';
import { dareKeyFromKeyPair, publicPart, type DarePublicKey } from '../dare/keys.js';
import { nonce } from '../udf/fixed.js';
import { envelopeId as envelopeIdOf } from '../udf/message-id.js';
import type { RandomSource } from '../udf/random.js';
import { openMeshEnvelope, sealMeshObject } from './envelopes.js';
import { MeshError } from './errors.js';
import { publicKeyOf, publicKeyDataOf } from './keydata.js';
import { deriveStoreKey, type AccountKeys } from './keys.js';
import type { CatalogedAccess, StoreKey, StoreKeyCapability } from './schema/types.js';
import { SPOOL } from './stores.js';

/**
 * Announcing a spool's new key to the service (mesh-model.md §7 re-keying, §9; ours — the
 * reference never re-keys). The service writes frames of its own into an account's spools
 * (deliveries to MMM_Inbound, AcknowledgeConnection, Local messages) and can encrypt them only
 * to a key it knows: frame 0's policy names the first one. After a revocation re-keyed a spool,
 * the administrator puts a {@link StoreKeyCapability} into MMM_Access — the one catalog the
 * service reads — in the same Transact: `Id` = the spool's label, and a {@link StoreKey} naming
 * the account, the spool, the generation and the new public key, signed by the account's
 * AdministratorSignature. The service takes the key only with that signature (a device without
 * the administrator key cannot announce one, whatever it writes) and only moving forward: a
 * generation never goes back and an announced key is never withdrawn (service/mesh/access.ts).
 *
 * The StoreKey is also a message (MessageId, EnvelopeId): when a Transact moves a spool's key, the
 * service spools the announcement into that spool, encrypted to the new key, in the same commit.
 * So the spool's head moves with its key: a delivery the service built on the spool as it was
 * before — hence possibly for the old key — conflicts at its commit and is built again, for the
 * new key (service/mesh/transact.ts).
 */

/** The spools the service writes to, hence the only stores whose key is announced. */
export const SERVICE_WRITTEN_SPOOLS: ReadonlySet<string> = new Set<string>([SPOOL.inbound, SPOOL.outbound, SPOOL.local]);

/** The MMM_Access entry announcing generation `generation` of `store`'s key (see the module notes). */
export function storeKeyEntry(
  account: AccountKeys, store: string, generation: number, options: { created?: Date; random?: RandomSource } = {},
): CatalogedAccess {
  if (!SERVICE_WRITTEN_SPOOLS.has(store)) throw new MeshError('MESH_BAD_ARGUMENT', `${store.slice(0, 40)} is not a spool the service writes to`);
  if (!Number.isSafeInteger(generation) || generation < 1) throw new MeshError('MESH_BAD_ARGUMENT', 'an announced key generation is 1 or more');
  const key = publicPart(dareKeyFromKeyPair(deriveStoreKey(account.seed, store, generation)));
  const announced: StoreKey = {
    $class: 'StoreKey', AccountUdf: account.profileSignature.udf, Store: store, Generation: generation, Key: publicKeyDataOf('X448', key.publicKey),
  };
  // A message too (MessageId, EnvelopeId): the service spools it into the re-keyed spool itself.
  const id = nonce(options.random ? { random: options.random } : {});
  const envelope = sealMeshObject(announced, {
    signers: [dareKeyFromKeyPair(account.administratorSignature)], uniqueId: id, envelopeId: envelopeIdOf(id),
    ...(options.created ? { created: options.created } : {}), ...(options.random ? { random: options.random } : {}),
  });
  const capability: StoreKeyCapability = { $class: 'StoreKeyCapability', Id: store, EnvelopedStoreKey: envelope };
  return { $class: 'CatalogedAccess', Capability: capability };
}

/** A spool key the administrator announced, checked. */
export interface AnnouncedStoreKey {
  readonly store: string;
  readonly generation: number;
  readonly key: DarePublicKey;
  /** The signed StoreKey as announced. */
  readonly envelope: DareEnvelope;
}

/**
 * The announced key of an MMM_Access entry, checked: signed by `administrator`, for the account
 * `accountUdf`, for the spool the entry's `Id` names, generation ≥ 1, an X448 public key.
 * Undefined for an entry that announces no key (a device's capability); `MESH_INVALID` /
 * `MESH_NOT_SIGNED` for one that announces a key badly.
 */
export function announcedStoreKey(entry: CatalogedAccess, trust: { administrator: DarePublicKey; accountUdf: string }): AnnouncedStoreKey | undefined {
  const capability = entry.Capability;
  if (capability?.$class !== 'StoreKeyCapability') return undefined;
  const store = capability.Id;
  if (store === undefined || !SERVICE_WRITTEN_SPOOLS.has(store)) throw new MeshError('MESH_INVALID', `a StoreKeyCapability names ${String(store).slice(0, 40)}, not a spool the service writes to`);
  if (capability.EnvelopedStoreKey === undefined) throw new MeshError('MESH_INVALID', `the StoreKeyCapability of ${store} carries no key`);
  const announced = openMeshEnvelope(capability.EnvelopedStoreKey, 'StoreKey', { signers: [trust.administrator], requireSignature: true }).object;
  if (announced.Store !== store || announced.AccountUdf !== trust.accountUdf) {
    throw new MeshError('MESH_INVALID', `the StoreKey under ${store} is for ${String(announced.Store).slice(0, 40)} of ${String(announced.AccountUdf).slice(0, 60)}`);
  }
  const generation = announced.Generation;
  if (generation === undefined || !Number.isSafeInteger(generation) || generation < 1) throw new MeshError('MESH_INVALID', `the StoreKey of ${store} has no generation ≥ 1`);
  if (announced.Key === undefined) throw new MeshError('MESH_INVALID', `the StoreKey of ${store} has no key`);
  const key = publicKeyOf(announced.Key, `StoreKey ${store}`);
  if (key.algorithm !== 'X448') throw new MeshError('MESH_INVALID', `the StoreKey of ${store} is not an X448 key`);
  return { store, generation, key, envelope: capability.EnvelopedStoreKey };
}
