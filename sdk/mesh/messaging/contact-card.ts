import type { DareEnvelope } from '../../dare/envelope.js';
import type { RandomSource } from '../../udf/random.js';
import { MeshError } from '../errors.js';
import { newPublication, openPublicationData, publicationOf, type NewPublication } from '../publication.js';
import type { Enveloped } from '../schema/object.js';
import type { CatalogedPublication, ContactPerson } from '../schema/types.js';
import { peerOfSignedContact, type Peer } from './peer.js';

/**
 * Static contact URIs (protocol.md F6 "Static QR", features.md row 50; mesh-model.md §11): an
 * account publishes its signed self contact — the ContactPerson its CommonSignature signs, with
 * its self-signed profile inside — sealed under a fresh secret, and prints
 * `mcu://<address>/<E-secret>` (a business card's QR code). Whoever holds the URI claims the
 * publication at the account's service, opens it under the secret and checks it here.
 *
 * What is checked ({@link publishedContact}): the publication is the URI's (its Id is the
 * secret's key id), its data opens under the secret with its PayloadMac (a changed byte fails),
 * and it holds a self contact whose profile is self-signed, is the URI's account's, and whose
 * CommonSignature signed the contact. That the profile is *the* profile of that address — not a
 * self-signed profile someone else made for it — is the caller's check against the profile the
 * address's service gives (client/messages.ts `fetchContact`).
 */

/** A contact card to publish: the URI and the MMM_Publication entry. Secret: the URI. */
export function newContactCard(address: string, signedSelfContact: DareEnvelope, options: { notOnOrAfter?: Date; random?: RandomSource } = {}): NewPublication {
  return newPublication(address, signedSelfContact, options);
}

/** A contact card opened and checked (see the module notes). */
export interface PublishedContact {
  readonly peer: Peer;
  readonly contact: ContactPerson;
  readonly signed: Enveloped<ContactPerson>;
}

/**
 * Opens the contact card a Claim returned for `connectUri` (see the module notes):
 * `MESH_INVALID` for another publication, the envelope layer's errors for one that does not
 * open or verify, `MESH_INVALID` / `MESH_WRONG_CLASS` for a contact that is not the URI
 * account's signed self contact.
 */
export function publishedContact(publication: CatalogedPublication, connectUri: string): PublishedContact {
  const p = publicationOf(connectUri);
  if (publication.Id !== p.publicationId) throw new MeshError('MESH_INVALID', 'the publication is filed under another id than the URI\'s');
  if (publication.EnvelopedData === undefined) throw new MeshError('MESH_INVALID', 'the publication carries no data');
  const data = openPublicationData(publication.EnvelopedData, connectUri);
  const { peer, contact } = peerOfSignedContact(data, { address: p.publisher });
  return { peer, contact, signed: data as Enveloped<ContactPerson> };
}
