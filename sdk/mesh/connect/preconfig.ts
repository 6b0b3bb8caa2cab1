import { type DareEnvelope } from '../../dare/envelope.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import type { KeyPair } from '../../udf/keys.js';
import type { RandomSource } from '../../udf/random.js';
import { sealConnection } from '../connections.js';
import { MeshError } from '../errors.js';
import { deriveDeviceKeys, newMeshSeed, type DeviceKeys } from '../keys.js';
import { keyDataOf } from '../keydata.js';
import { buildProfileDevice, sealProfile, verifyProfile } from '../profiles.js';
import { newPublication, openPublicationData, publicationOf, type Publication } from '../publication.js';
import { meshObjectToString, readMeshObject } from '../schema/codec.js';
import type { Enveloped } from '../schema/object.js';
import type {
  CatalogedPublication, ConnectionDevice, ConnectionService, DevicePreconfigurationPrivate, PrivateKeyUDF, ProfileDevice,
} from '../schema/types.js';

/**
 * Preconfigured devices (mesh-model.md §11; protocol.md F4 step 1; DevicePreconfiguration.md):
 * a maker account makes a device's seed and profile at the factory, publishes the profile
 * encrypted under a fresh secret, and ships the device with its installation file — the
 * `DevicePreconfigurationPrivate` (`<secret>.medk`: device seed, profile, the maker's connections
 * for the device, and the connect URI `mcu://maker@…/<secret>` printed on its label).
 *
 * The maker's connections are signed by the maker's AdministratorSignature and name the device's
 * own base keys (REF fills their Authentication with the device's *Encryption* key, mesh-model.md
 * §11 [conflict]: ours is the Authentication key, the one the device authenticates with).
 *
 * The file holds the device seed: it is the device's secret, written owner-only, and the label's
 * URI lets whoever scans it claim the device (the maker's service releases the profile to any
 * holder of the secret; the device accepts the first account that claims it).
 */

/** What a maker makes for one device. Secret: `installation` (the seed), `connectUri` (the secret). */
export interface PreconfiguredDevice {
  readonly deviceUdf: string;
  readonly connectUri: string;
  readonly publication: Publication;
  /** The `.medk` content (the device's firmware secret). */
  readonly installation: DevicePreconfigurationPrivate;
  /** The MMM_Publication entry the maker adds (its service answers Claim from it). */
  readonly catalogedPublication: CatalogedPublication;
}

/** Options of {@link preconfigureDevice}. */
export interface PreconfigureOptions {
  /** The maker account's address (the publisher). */
  readonly maker: string;
  /** The maker account's UDF (its connections name it). */
  readonly makerUdf: string;
  /** The maker's AdministratorSignature key. */
  readonly administratorSignature: KeyPair;
  readonly description?: string;
  /** Publication expiry (CatalogedPublication.NotOnOrAfter). */
  readonly notOnOrAfter?: Date;
  readonly created?: Date;
  readonly random?: RandomSource;
}

/** Makes a preconfigured device (see the module notes). */
export function preconfigureDevice(options: PreconfigureOptions): PreconfiguredDevice {
  const random = options.random;
  const seed = newMeshSeed('MeshProfileDevice', random);
  const keys = deriveDeviceKeys(seed);
  const created = options.created ? { created: options.created } : {};
  const profile = sealProfile(buildProfileDevice(keys, options.description ? { description: options.description } : {}), keys.profileSignature, created);
  const published = newPublication(options.maker, profile, { ...(random ? { random } : {}), ...(options.notOnOrAfter ? { notOnOrAfter: options.notOnOrAfter } : {}) });
  const { connectUri: uri, publication, catalogedPublication } = published;
  const authentication = keyDataOf(keys.authentication);
  const service: ConnectionService = { $class: 'ConnectionService', Authentication: authentication, ProfileUdf: options.makerUdf };
  const device: ConnectionDevice = {
    $class: 'ConnectionDevice', Authentication: authentication, ProfileUdf: options.makerUdf, Signature: keyDataOf(keys.signature), Encryption: keyDataOf(keys.encryption),
  };
  const privateKey: PrivateKeyUDF = { $class: 'PrivateKeyUDF', PrivateValue: seed, KeyType: 'MeshProfileDevice' };
  const installation: DevicePreconfigurationPrivate = {
    $class: 'DevicePreconfigurationPrivate', EnvelopedProfileDevice: profile,
    EnvelopedConnectionDevice: sealConnection(device, options.administratorSignature, created),
    EnvelopedConnectionService: sealConnection(service, options.administratorSignature, created),
    PrivateKey: privateKey, ConnectUri: uri,
  };
  return { deviceUdf: keys.profileSignature.udf, connectUri: uri, publication, installation, catalogedPublication };
}

/** The bytes of a `.medk` file (the tagged DevicePreconfigurationPrivate, JSON). Secret. */
export function writeInstallation(installation: DevicePreconfigurationPrivate): Uint8Array {
  return utf8Encode(meshObjectToString(installation) + '\n');
}

/** An installation file read and checked. Secret: the keys and the connect URI. */
export interface Installation {
  readonly deviceKeys: DeviceKeys;
  readonly deviceProfile: Enveloped<ProfileDevice>;
  readonly deviceUdf: string;
  readonly connectUri: string;
  readonly publication: Publication;
  readonly installation: DevicePreconfigurationPrivate;
}

/**
 * Reads a `.medk` file: a DevicePreconfigurationPrivate whose seed derives the profile it carries
 * (self-signed) and whose connect URI carries an `E…` secret. `MESH_INVALID` / `MESH_BAD_OBJECT`
 * otherwise.
 */
export function readInstallation(bytes: Uint8Array | string): Installation {
  const text = typeof bytes === 'string' ? bytes : utf8Decode(bytes);
  const installation = readMeshObject(text, 'DevicePreconfigurationPrivate') as DevicePreconfigurationPrivate;
  const key = installation.PrivateKey;
  if (key?.$class !== 'PrivateKeyUDF' || typeof (key as PrivateKeyUDF).PrivateValue !== 'string') {
    throw new MeshError('MESH_INVALID', 'the installation carries no device seed (PrivateKeyUDF)');
  }
  const deviceKeys = deriveDeviceKeys((key as PrivateKeyUDF).PrivateValue!);
  if (installation.EnvelopedProfileDevice === undefined) throw new MeshError('MESH_INVALID', 'the installation carries no device profile');
  const profile = verifyProfile(installation.EnvelopedProfileDevice, { expectedUdf: deviceKeys.profileSignature.udf });
  if (profile.profile.$class !== 'ProfileDevice') throw new MeshError('MESH_WRONG_CLASS', `the installation carries a ${profile.profile.$class}`);
  if (typeof installation.ConnectUri !== 'string') throw new MeshError('MESH_INVALID', 'the installation has no ConnectUri');
  const publication = publicationOf(installation.ConnectUri);
  return {
    deviceKeys, deviceProfile: installation.EnvelopedProfileDevice as Enveloped<ProfileDevice>, deviceUdf: profile.udf,
    connectUri: installation.ConnectUri, publication, installation,
  };
}

/**
 * The device profile of a claimed publication (the administrator, after Claim): the data opens
 * under the connect-URI secret, holds a self-signed ProfileDevice. REF's publications (no
 * PayloadMac) are read only with `allowUnauthenticated`.
 */
export function publishedDeviceProfile(publication: CatalogedPublication, connectUri: string, options: { allowUnauthenticated?: boolean } = {}): Enveloped<ProfileDevice> {
  const p = publicationOf(connectUri);
  if (publication.Id !== p.publicationId) throw new MeshError('MESH_INVALID', 'the publication is filed under another id than the URI\'s');
  if (publication.EnvelopedData === undefined) throw new MeshError('MESH_INVALID', 'the publication carries no data');
  const data: DareEnvelope = openPublicationData(publication.EnvelopedData, connectUri, options);
  const profile = verifyProfile(data);
  if (profile.profile.$class !== 'ProfileDevice') throw new MeshError('MESH_WRONG_CLASS', `the publication holds a ${profile.profile.$class}, not a ProfileDevice`);
  return data as Enveloped<ProfileDevice>;
}
