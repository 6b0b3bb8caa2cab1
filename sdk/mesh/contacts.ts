import { dareKeyFromKeyPair } from '../dare/keys.js';
import type { KeyPair } from '../udf/keys.js';
import { sealMeshObject } from './envelopes.js';
import { MeshError } from './errors.js';
import { verifyProfile } from './profiles.js';
import type { Enveloped } from './schema/object.js';
import type { AnyProfileAccount, CatalogedContact, ContactPerson } from './schema/types.js';

/**
 * The self contact (mesh-model.md §8.2): what an account says about itself, signed by its
 * CommonSignature key, and the MMM_Contact entry that holds it (`Key` = profile UDF,
 * `Self: true`). Built as REF builds it (ProtocolAccountCreate.md / the CatalogedContact of
 * SchemaEntryContact): the signed ContactPerson carries the self anchor and the network address
 * with the enveloped account profile; the catalog entry repeats them with `Id` and the signed
 * contact as its `Self` source.
 */

/** What {@link buildSelfContact} returns. */
export interface SelfContact {
  /** The signed ContactPerson (by CommonSignature). */
  readonly signed: Enveloped<ContactPerson>;
  /** The MMM_Contact entry. */
  readonly entry: CatalogedContact;
}

/** Options of {@link buildSelfContact}. */
export interface SelfContactOptions {
  /** The account's self-signed profile (checked). */
  readonly profile: Enveloped<AnyProfileAccount>;
  /** The account address the contact lists, e.g. `alice@example.com`. */
  readonly address: string;
  /** The CommonSignature key pair (must be the profile's). */
  readonly commonSignature: KeyPair;
  readonly created?: Date;
  /** Write the reference's envelope exactly (no ManifestSignature). */
  readonly referenceForm?: boolean;
}

/** Builds and signs the self contact of an account. */
export function buildSelfContact(options: SelfContactOptions): SelfContact {
  const verified = verifyProfile(options.profile);
  const profile = verified.profile as AnyProfileAccount;
  const published = 'CommonSignature' in profile ? profile.CommonSignature?.Udf : undefined;
  if (published !== options.commonSignature.udf) throw new MeshError('MESH_BAD_KEY', 'the self contact is signed by the profile\'s CommonSignature key');
  const anchors = [{ $class: 'Anchor' as const, Udf: verified.udf, Validation: 'Self' }];
  const networkAddresses = [{
    $class: 'NetworkAddress' as const, Address: options.address, EnvelopedProfileAccount: options.profile,
    Protocols: [{ $class: 'NetworkProtocol' as const, Protocol: 'mmm' }],
  }];
  const contact: ContactPerson = { $class: 'ContactPerson', Anchors: anchors, NetworkAddresses: networkAddresses };
  const signed = sealMeshObject(contact, {
    signers: [dareKeyFromKeyPair(options.commonSignature)], ...(options.created ? { created: options.created } : {}),
    ...(options.referenceForm ? { referenceForm: true } : {}),
  });
  const entry: CatalogedContact = {
    $class: 'CatalogedContact',
    Key: verified.udf,
    Self: true,
    Contact: {
      $class: 'ContactPerson', Id: verified.udf, Anchors: anchors, NetworkAddresses: networkAddresses,
      Sources: [{ $class: 'TaggedSource', Validation: 'Self', EnvelopedSource: signed }],
    },
  };
  return { signed, entry };
}
