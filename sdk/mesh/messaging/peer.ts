import type { DareEnvelope } from '../../dare/envelope.js';
import type { DarePublicKey } from '../../dare/keys.js';
import { openMeshEnvelope } from '../envelopes.js';
import { MeshError } from '../errors.js';
import { publicKeyOf } from '../keydata.js';
import { verifyProfile } from '../profiles.js';
import type { Enveloped } from '../schema/object.js';
import type { AnyContact, AnyProfileAccount, CatalogedContact, ContactPerson, ProfileUser } from '../schema/types.js';

/**
 * The other party of a message (mesh-model.md §5.1, §8.2, §9.2): an account whose self-signed
 * ProfileUser we hold, with the two keys messaging uses — CommonSignature, which signs every
 * message it sends (and its self contact), and CommonEncryption, which every message to it is
 * encrypted to. A peer is only ever made from a profile whose self-signature verified, so the
 * keys are the account's own: whoever has a Peer can check a message's signature and seal one to
 * it without asking anyone else.
 *
 * Where a peer comes from: the recipient's profile looked up at its service (the first message
 * to someone), the self contact a MessageContact carries (signed by its CommonSignature, the
 * profile inside), or a contact in MMM_Contact that came the same way.
 */

/** An account we can exchange messages with (see the module notes). */
export interface Peer {
  /** Canonical (lower-case) account address, from the profile. */
  readonly address: string;
  /** The profile UDF (its ProfileSignature key UDF). */
  readonly udf: string;
  readonly profile: ProfileUser;
  readonly envelope: Enveloped<AnyProfileAccount>;
  /** ProfileUser.CommonSignature: signs the peer's messages and self contact. */
  readonly signature: DarePublicKey;
  /** ProfileUser.CommonEncryption: messages to the peer are encrypted to it. */
  readonly encryption: DarePublicKey;
}

/** Canonical form of an account address (lower case; protocol.md T2). */
export function canonicalAccount(address: string): string {
  if (typeof address !== 'string' || address.length === 0 || address.length > 320) throw new MeshError('MESH_BAD_ARGUMENT', 'an account address is a non-empty string');
  return address.trim().toLowerCase();
}

/**
 * The peer a self-signed account profile describes: the profile must verify (self-signature,
 * ids), be a ProfileUser with CommonSignature and CommonEncryption, name an `AccountAddress`, and
 * — when `address` is given — that very address (`MESH_INVALID` otherwise). `expectedUdf` pins
 * the profile (a contact we hold).
 */
export function peerOf(envelope: DareEnvelope | Enveloped<AnyProfileAccount>, options: { address?: string; expectedUdf?: string } = {}): Peer {
  const verified = verifyProfile(envelope, options.expectedUdf === undefined ? {} : { expectedUdf: options.expectedUdf });
  const profile = verified.profile;
  if (profile.$class !== 'ProfileUser') throw new MeshError('MESH_WRONG_CLASS', `a ${profile.$class} does not exchange messages (a ProfileUser does)`, { className: profile.$class });
  const user = profile as ProfileUser;
  if (user.CommonSignature === undefined || user.CommonEncryption === undefined) {
    throw new MeshError('MESH_INVALID', `the profile ${verified.udf} lacks CommonSignature or CommonEncryption`);
  }
  if (typeof user.AccountAddress !== 'string') throw new MeshError('MESH_INVALID', `the profile ${verified.udf} names no AccountAddress`);
  const address = canonicalAccount(user.AccountAddress);
  if (options.address !== undefined && canonicalAccount(options.address) !== address) {
    throw new MeshError('MESH_INVALID', `the profile is for ${address.slice(0, 100)}, not ${options.address.slice(0, 100)}`);
  }
  const signature = publicKeyOf(user.CommonSignature, 'ProfileUser.CommonSignature');
  const encryption = publicKeyOf(user.CommonEncryption, 'ProfileUser.CommonEncryption');
  if (signature.algorithm !== 'Ed448' || encryption.algorithm !== 'X448') throw new MeshError('MESH_BAD_KEY', 'CommonSignature is Ed448 and CommonEncryption X448');
  return { address, udf: verified.udf, profile: user, envelope: envelope as Enveloped<AnyProfileAccount>, signature, encryption };
}

/**
 * The peer of a signed self contact (mesh-model.md §8.2: a ContactPerson signed by the account's
 * CommonSignature, anchored `Self` to its profile UDF, whose network address carries the
 * enveloped profile): the profile is verified, the contact's signature is checked with the
 * profile's CommonSignature, and the anchor, the address and the profile must agree. What a
 * MessageContact carries as AuthenticatedData, and what a contact publication holds.
 */
export function peerOfSignedContact(envelope: DareEnvelope | Enveloped<ContactPerson>, options: { address?: string } = {}): { peer: Peer; contact: ContactPerson } {
  const unverified = openMeshEnvelope(envelope, 'Contact').object;
  const entry = selfAddress(unverified, options.address);
  const peer = peerOf(entry.profile, { address: entry.address });
  const opened = openMeshEnvelope(envelope, 'Contact', { signers: [peer.signature] });
  const contact = opened.object;
  if (contact.$class !== 'ContactPerson') throw new MeshError('MESH_WRONG_CLASS', `a self contact is a ContactPerson, not a ${contact.$class}`, { className: contact.$class });
  // What was signed must be what we read the profile from.
  const signed = selfAddress(contact, options.address);
  if (signed.address !== peer.address || !(contact.Anchors ?? []).some((a) => a.Udf === peer.udf && a.Validation === 'Self')) {
    throw new MeshError('MESH_INVALID', `the self contact of ${peer.address} is not anchored to its profile ${peer.udf}`);
  }
  return { peer, contact: contact as ContactPerson };
}

/** The Mesh network address of a contact (Protocol `mmm`, with a profile), optionally a given one. */
function selfAddress(contact: AnyContact, address: string | undefined): { address: string; profile: Enveloped<AnyProfileAccount> } {
  const wanted = address === undefined ? undefined : canonicalAccount(address);
  for (const na of contact.NetworkAddresses ?? []) {
    if (typeof na.Address !== 'string' || na.EnvelopedProfileAccount === undefined) continue;
    if (!(na.Protocols ?? []).some((p) => p.Protocol === 'mmm')) continue;
    const a = canonicalAccount(na.Address);
    if (wanted !== undefined && a !== wanted) continue;
    return { address: a, profile: na.EnvelopedProfileAccount as Enveloped<AnyProfileAccount> };
  }
  throw new MeshError('MESH_INVALID', `the contact has no Mesh address${wanted ? ` ${wanted.slice(0, 100)}` : ''} with its profile`);
}

/**
 * The peer a catalog contact stands for: its `Self`-validated source (the signed self contact it
 * was made from), checked again. Undefined for a contact without one (added by hand).
 */
export function peerOfContact(entry: CatalogedContact): Peer | undefined {
  const contact = entry.Contact;
  if (contact === undefined) return undefined;
  for (const source of contact.Sources ?? []) {
    if (source.Validation !== 'Self' || source.EnvelopedSource === undefined) continue;
    try {
      const { peer } = peerOfSignedContact(source.EnvelopedSource as Enveloped<ContactPerson>);
      if (entry.Key === undefined || entry.Key === peer.udf) return peer;
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
    }
  }
  return undefined;
}

/**
 * The MMM_Contact entry for a peer, made from its signed self contact (as REF files a contact
 * exchanged remotely: ArchitectureContactRemote.md): `Key` = the peer's profile UDF, the anchor
 * and network address from the signed contact, which is kept as the `Self` source so that every
 * device can check it again ({@link peerOfContact}).
 */
export function contactEntryOf(peer: Peer, signedContact: Enveloped<ContactPerson>, contact: ContactPerson, validation = 'Remote'): CatalogedContact {
  return {
    $class: 'CatalogedContact',
    Key: peer.udf,
    Contact: {
      $class: 'ContactPerson', Id: peer.udf,
      ...(contact.CommonNames ? { CommonNames: contact.CommonNames } : {}),
      Anchors: [{ $class: 'Anchor', Udf: peer.udf, Validation: validation }],
      NetworkAddresses: [{
        $class: 'NetworkAddress', Address: peer.address, EnvelopedProfileAccount: peer.envelope,
        Protocols: [{ $class: 'NetworkProtocol', Protocol: 'mmm' }],
      }],
      Sources: [{ $class: 'TaggedSource', Validation: 'Self', EnvelopedSource: signedContact }],
    },
  };
}
