import { hkdfSha512 } from '../crypto/hashes.js';
import { envelopeFromValue, envelopeToString, type DareEnvelope } from '../dare/envelope.js';
import { DareError } from '../dare/errors.js';
import { wrapBaseSeedSymmetric } from '../dare/recipient.js';
import { dareSymmetricKey, symmetricKeyId } from '../dare/symmetric-key-id.js';
import { isJsonObject } from '../encoding/json-value.js';
import { utf8Encode } from '../encoding/utf8.js';
import { fixedUdf, newEncryptionKey } from '../udf/fixed.js';
import { udfMac } from '../udf/mac.js';
import { envelopeId } from '../udf/message-id.js';
import { UDF_TYPE } from '../udf/types.js';
import { connectionUri, parseConnectionUri } from '../udf/uri.js';
import { defaultRandom, type RandomSource } from '../udf/random.js';
import type { DarePrivateKey } from '../dare/keys.js';
import { openEnvelopePayload, sealMeshObject, sealPayload } from './envelopes.js';
import { MeshError } from './errors.js';
import { parseMeshValue } from './schema/codec.js';
import type { Enveloped } from './schema/object.js';
import type { CatalogedPublication } from './schema/types.js';

/**
 * Publications and claims (mesh-model.md §11, protocol.md T10–T11): a publisher puts data
 * encrypted under a secret where anyone holding the connect URI `mcu://<publisher>/<E-key>` can
 * claim it. Verified against DevicePreconfiguration.md + ProtocolClaim.md / ProtocolPollClaim.md.
 */

/** HKDF info strings of the two authenticators (mesh-model.md §11). */
export const PUBLICATION_AUTHENTICATOR_INFO = {
  service: 'mmm/key/authenticate/service',
  device: 'mmm/key/authenticate/device',
} as const;

/** Everything that follows from a connect URI. The authenticators and the secret are secret. */
export interface Publication {
  /** The publishing account. */
  readonly publisher: string;
  /** The secret's value bytes (after the `E` type byte). */
  readonly secret: Uint8Array;
  /** The id the publication is filed under: the symmetric key id of the secret (dare.md §6). */
  readonly publicationId: string;
  /** `E…` key the service holds (CatalogedPublication.Authenticator), 264 bits. */
  readonly serviceAuthenticator: string;
  /** `E…` key the published device keeps. */
  readonly deviceAuthenticator: string;
  /** Where the service files claims in the publisher's Local spool: EnvelopeId(PublicationId). */
  readonly claimEnvelopeId: string;
}

function authenticator(secret: Uint8Array, info: string): string {
  return fixedUdf(UDF_TYPE.ENCRYPTION_KEY, hkdfSha512(secret, new Uint8Array(0), utf8Encode(info), 32));
}

/** Reads a connect URI whose secret is an `E…` key (static QR, preconfigured device). */
export function publicationOf(connectUri: string): Publication {
  const { account, udf } = parseConnectionUri(connectUri);
  if (udf.type !== UDF_TYPE.ENCRYPTION_KEY && udf.type !== UDF_TYPE.ENCRYPTION_SIGNATURE_KEY) {
    throw new MeshError('MESH_BAD_ARGUMENT', `a publication URI carries an E… key, not a ${udf.info.name}`);
  }
  const secret = udf.value.slice();
  const publicationId = symmetricKeyId(secret);
  return {
    publisher: account,
    secret,
    publicationId,
    serviceAuthenticator: authenticator(secret, PUBLICATION_AUTHENTICATOR_INFO.service),
    deviceAuthenticator: authenticator(secret, PUBLICATION_AUTHENTICATOR_INFO.device),
    claimEnvelopeId: envelopeId(publicationId),
  };
}

/**
 * A claim MAC (MessageClaim.ServiceAuthenticate / DeviceAuthenticate):
 * `present140(0x00 ‖ HMAC-SHA-512(authenticator key, UTF-8(claimant)))`.
 */
export function claimAuthenticate(authenticatorUdf: string, claimant: string): string {
  if (typeof claimant !== 'string' || claimant.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'claimant account must be a non-empty string');
  return udfMac(authenticatorUdf, utf8Encode(claimant));
}

/**
 * Opens a publication's `EnvelopedData` (mesh-model.md §11, §5.4: encrypted to the connect-URI
 * secret, a symmetric recipient whose `kid` is the PublicationId) and returns the envelope it
 * holds — for a preconfigured device, its signed ProfileDevice (verify it with `verifyProfile`).
 * The reference writes this envelope without PayloadMac: reading its data is `allowUnauthenticated`.
 */
export function openPublicationData(envelopedData: DareEnvelope | Uint8Array | string, connectUri: string, options: { allowUnauthenticated?: boolean } = {}): DareEnvelope {
  const publication = publicationOf(connectUri);
  const opened = openEnvelopePayload(envelopedData, {
    secrets: [dareSymmetricKey(publication.secret)], ...(options.allowUnauthenticated ? { allowUnauthenticated: true } : {}),
  });
  const value = parseMeshValue(opened.payload);
  if (!isJsonObject(value) || Object.keys(value).length !== 1 || Object.keys(value)[0] !== 'DareEnvelope') {
    throw new MeshError('MESH_BAD_OBJECT', 'the publication data is not a tagged DareEnvelope');
  }
  try {
    return envelopeFromValue(value, 'publication data');
  } catch (e) {
    if (e instanceof DareError) throw new MeshError('MESH_BAD_ENVELOPE', `publication data: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Seals data for a publication's `EnvelopedData` (mesh-model.md §11): the payload is the tagged
 * envelope `{"DareEnvelope": [...]}` (a preconfigured device's signed ProfileDevice, a contact),
 * encrypted to the connect-URI secret as a symmetric recipient whose `kid` is the PublicationId.
 * Unlike REF's, ours carries PayloadMac, so {@link openPublicationData} reads it without
 * `allowUnauthenticated`.
 */
export function sealPublicationData(data: DareEnvelope, connectUri: string, options: { random?: RandomSource } = {}): DareEnvelope {
  const publication = publicationOf(connectUri);
  const random = options.random ?? defaultRandom;
  const baseSeed = random(32);
  try {
    const entry = wrapBaseSeedSymmetric(dareSymmetricKey(publication.secret), baseSeed);
    return sealPayload(utf8Encode(envelopeToString(data, 'tagged')), { keyExchange: { baseSeed, recipients: [entry] }, random });
  } finally {
    baseSeed.fill(0);
  }
}

/** A new publication: its secret connect URI and the MMM_Publication entry that holds the data. */
export interface NewPublication {
  /** `mcu://<publisher>/<E-secret>` — secret: whoever holds it reads the data. */
  readonly connectUri: string;
  readonly publication: Publication;
  readonly catalogedPublication: CatalogedPublication;
}

/**
 * Publishes `data` (mesh-model.md §11) under a fresh 128-bit secret: the connect URI, and the
 * CatalogedPublication the publisher's service answers Claim with — Id = PublicationId,
 * Authenticator = the service authenticator, EnvelopedData = `data` sealed under the secret
 * ({@link sealPublicationData}). The service learns neither the secret nor the data.
 */
export function newPublication(publisher: string, data: DareEnvelope, options: { notOnOrAfter?: Date; random?: RandomSource } = {}): NewPublication {
  const random = options.random;
  const secret = newEncryptionKey(random ? { random, bits: 128 } : { bits: 128 });
  const connectUri = connectionUri(publisher.toLowerCase(), secret);
  const publication = publicationOf(connectUri);
  const catalogedPublication: CatalogedPublication = {
    $class: 'CatalogedPublication', Id: publication.publicationId, Authenticator: publication.serviceAuthenticator,
    EnvelopedData: sealPublicationData(data, connectUri, random ? { random } : {}),
    ...(options.notOnOrAfter ? { NotOnOrAfter: options.notOnOrAfter } : {}),
  };
  return { connectUri, publication, catalogedPublication };
}

/**
 * The signed copy of a CatalogedPublication its publisher sends its service in a Transact's
 * `Local[]` (the service cannot read MMM_Publication, service/mesh/claims.ts): EnvelopeId =
 * EnvelopeId(PublicationId). The signer says what the publication is, and so how the service
 * answers claims of it: the account's AdministratorSignature for a device label (the first
 * claimant keeps it), its CommonSignature — the key that signs its self contact — for a contact
 * card (anyone holding the URI may fetch it, any number of times).
 */
export function announcePublication(publication: CatalogedPublication, signer: DarePrivateKey): Enveloped<CatalogedPublication> {
  const id = publication.Id;
  if (typeof id !== 'string') throw new MeshError('MESH_INVALID', 'a publication has an Id');
  return sealMeshObject(publication, { uniqueId: id, envelopeId: envelopeId(id), signers: [signer] });
}
