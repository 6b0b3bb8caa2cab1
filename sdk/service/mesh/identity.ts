import { gcm } from '@noble/ciphers/aes.js';
import { hkdfSha512 } from '../../crypto/index.js';
import { envelopeToString, parseEnvelope } from '../../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePrivateKey } from '../../dare/keys.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { concatBytes } from '../../encoding/bytes.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { sealMeshObject } from '../../mesh/envelopes.js';
import { publicKeyDataOf } from '../../mesh/keydata.js';
import { deriveDeviceKeys, deriveServiceKeys, newMeshSeed, type ServiceKeys } from '../../mesh/keys.js';
import { buildProfileService, sealProfile, verifyProfile } from '../../mesh/profiles.js';
import type { Enveloped } from '../../mesh/schema/object.js';
import type { AccountHostAssignment, ProfileService } from '../../mesh/schema/types.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import type { ServiceStore } from '../store.js';
import { MeshServiceError } from './errors.js';

/**
 * Who the service is, kept in its store so that a restart — or another host on the same
 * database — is the same service (protocol.md T1; mesh-model.md §4 "Service seed", "Host"):
 *
 * - `mmm.service.identity`: the service seed (`MeshProfileService`: ProfileSignature,
 *   ServiceSignature, ServiceAuthentication, ServiceEncryption) and the host seed whose
 *   Encryption key is the `AccessEncrypt` key of every AccountHostAssignment — **sealed**:
 *   AES-256-GCM under HKDF-SHA-512(service secret, info = "mathmesh service record " ‖ name), a
 *   random 96-bit nonce, the record name as associated data. The service secret lives outside
 *   the store (a key file, an environment variable): a copy of the store alone — a backup, a
 *   database dump — does not hold the keys.
 * - `mmm.service.profile`: the self-signed ProfileService, public.
 *
 * Both are created with the store's `createRecord`, so two hosts starting at once agree on one
 * identity: the record that won is read back and used by both.
 */

/** Record of the sealed seeds. */
export const IDENTITY_RECORD = 'mmm.service.identity';
/** Record of the enveloped ProfileService. */
export const PROFILE_RECORD = 'mmm.service.profile';
const IDENTITY_FORMAT = 'mathmesh-service-identity/1';
const NONCE = 12;
/** Shortest service secret accepted (bytes). */
export const MIN_SECRET_BYTES = 32;

/** The service's keys and profile (see the module notes). Secret: the keys. */
export interface ServiceIdentity {
  readonly profile: Enveloped<ProfileService>;
  /** ProfileService UDF. */
  readonly udf: string;
  readonly keys: ServiceKeys;
  /** ServiceAuthentication as a DARE key (the binding's signing partner). Secret. */
  readonly authenticationKey: DarePrivateKey;
  /** The host's AccessEncrypt key: MMM_Access frames are encrypted to it too. Secret. */
  readonly accessKey: DarePrivateKey;
  /** The name given when the identity was made (ProfileService.Description). */
  readonly name: string | undefined;
}

/** Options of {@link loadServiceIdentity}. */
export interface IdentityOptions {
  /** The service secret (≥ 32 random bytes) that seals the seeds. Secret. */
  readonly secret: Uint8Array;
  /** The service's DNS name, written as ProfileService.Description when the identity is made. */
  readonly name?: string;
  readonly random?: RandomSource;
  /** The clock that dates a new ProfileService (tests pin it). */
  readonly now?: () => Date;
}

function recordKey(secret: Uint8Array, name: string): Uint8Array {
  return hkdfSha512(secret, new Uint8Array(0), utf8Encode(`mathmesh service record ${name}`), 32);
}

/** Seals `value` under the secret for record `name` (see the module notes). */
export function sealServiceRecord(secret: Uint8Array, name: string, value: Readonly<Record<string, string>>, random: RandomSource = defaultRandom): Uint8Array {
  const key = recordKey(secret, name);
  const plain = utf8Encode(JSON.stringify(value));
  try {
    const nonce = random(NONCE);
    const sealed = concatBytes(nonce, gcm(key, nonce, utf8Encode(name)).encrypt(plain));
    return utf8Encode(JSON.stringify({ format: IDENTITY_FORMAT, sealed: base64urlEncode(sealed) }));
  } finally {
    key.fill(0);
    plain.fill(0);
  }
}

/** Opens what {@link sealServiceRecord} wrote; `SERVICE_BAD_SECRET` when the secret does not open it. */
export function openServiceRecord(secret: Uint8Array, name: string, bytes: Uint8Array): Record<string, string> {
  let sealed: Uint8Array;
  try {
    const o = JSON.parse(utf8Decode(bytes)) as { format?: unknown; sealed?: unknown };
    if (o.format !== IDENTITY_FORMAT || typeof o.sealed !== 'string') throw new Error('format');
    sealed = base64urlDecode(o.sealed);
  } catch (e) {
    throw new MeshServiceError('SERVICE_IDENTITY', `record ${name} is not a ${IDENTITY_FORMAT} record`, { cause: e });
  }
  const key = recordKey(secret, name);
  let plain: Uint8Array;
  try {
    plain = gcm(key, sealed.subarray(0, NONCE), utf8Encode(name)).decrypt(sealed.subarray(NONCE));
  } catch {
    throw new MeshServiceError('SERVICE_BAD_SECRET', `the service secret does not open ${name}: this store belongs to a service with another secret`);
  } finally {
    key.fill(0);
  }
  try {
    return JSON.parse(utf8Decode(plain)) as Record<string, string>;
  } finally {
    plain.fill(0);
  }
}

/**
 * The service's identity from its store, made on first start (see the module notes).
 * `SERVICE_BAD_SECRET` when the secret is not the one the identity was sealed with;
 * `SERVICE_IDENTITY` when the records contradict each other (a profile of other keys).
 */
export async function loadServiceIdentity(store: ServiceStore, options: IdentityOptions): Promise<ServiceIdentity> {
  if (!(options.secret instanceof Uint8Array) || options.secret.length < MIN_SECRET_BYTES) {
    throw new MeshServiceError('SERVICE_BAD_CONFIG', `the service secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const random = options.random ?? defaultRandom;
  let sealed = await store.getRecord(IDENTITY_RECORD);
  if (sealed === undefined) {
    const fresh = {
      serviceSeed: newMeshSeed('MeshProfileService', random), hostSeed: newMeshSeed('MeshProfileDevice', random),
      ...(options.name ? { name: options.name } : {}),
    };
    sealed = await store.createRecord(IDENTITY_RECORD, sealServiceRecord(options.secret, IDENTITY_RECORD, fresh, random));
  }
  const seeds = openServiceRecord(options.secret, IDENTITY_RECORD, sealed);
  const serviceSeed = seeds['serviceSeed'];
  const hostSeed = seeds['hostSeed'];
  if (typeof serviceSeed !== 'string' || typeof hostSeed !== 'string') throw new MeshServiceError('SERVICE_IDENTITY', `${IDENTITY_RECORD} lacks its seeds`);
  const keys = deriveServiceKeys(serviceSeed);
  const name = seeds['name'];
  let profileBytes = await store.getRecord(PROFILE_RECORD);
  if (profileBytes === undefined) {
    const profile = sealProfile(buildProfileService(keys, name ? { description: name } : {}), keys.profileSignature, options.now ? { created: options.now() } : {});
    profileBytes = await store.createRecord(PROFILE_RECORD, utf8Encode(envelopeToString(profile)));
  }
  let profile: Enveloped<ProfileService>;
  let udf: string;
  try {
    profile = parseEnvelope(profileBytes) as Enveloped<ProfileService>;
    udf = verifyProfile(profile, { expectedUdf: keys.profileSignature.udf }).udf;
  } catch (e) {
    throw new MeshServiceError('SERVICE_IDENTITY', `${PROFILE_RECORD} is not the profile of the sealed service keys`, { cause: e });
  }
  return {
    profile, udf, keys, authenticationKey: dareKeyFromKeyPair(keys.authentication),
    accessKey: dareKeyFromKeyPair(deriveDeviceKeys(hostSeed).encryption), name,
  };
}

/**
 * The AccountHostAssignment of an account (protocol.md T2; mesh-model.md §5.2): its address and
 * the host's AccessEncrypt key. REF leaves it unsigned; ours is signed by ServiceSignature, so a
 * client checks it against the service profile it pinned.
 */
export function hostAssignment(identity: ServiceIdentity, address: string): Enveloped<AccountHostAssignment> {
  const access = identity.accessKey;
  const assignment: AccountHostAssignment = {
    $class: 'AccountHostAssignment', AccountAddess: address,
    AccessEncrypt: publicKeyDataOf('X448', access.publicKey),
  };
  return sealMeshObject(assignment, { signers: [dareKeyFromKeyPair(identity.keys.signature)] });
}
