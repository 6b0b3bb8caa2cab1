import { envelopeFromValue, envelopeToValue } from '../dare/envelope.js';
import type { DarePublicKey } from '../dare/keys.js';
import { base64urlDecode, base64urlEncode } from '../encoding/base64url.js';
import { parseJson } from '../encoding/json-reader.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../encoding/json-value.js';
import { writeJson } from '../encoding/json-writer.js';
import { utf8Decode, utf8Encode } from '../encoding/utf8.js';
import { publicKeyDataOf, publicKeyOf } from '../mesh/keydata.js';
import { verifyProfile, type VerifiedProfile } from '../mesh/profiles.js';
import { meshObjectToValue, readMeshMembers } from '../mesh/schema/codec.js';
import type { Enveloped } from '../mesh/schema/object.js';
import type { KeyData, ProfileDevice, ProfileService } from '../mesh/schema/types.js';
import { ProtocolError } from './errors.js';

/**
 * Client credentials (protocol.md §2, "Client credential modes"): what a request carries so that
 * the service can find the public key its signature's `keyid` names, before it reads the body.
 *
 * The `Mesh-Credential` header holds base64url (no padding) of the UTF-8 JSON of one tagged
 * object, the tag being the mode:
 *
 * | Mode       | JSON                                                         | keyid must be                       |
 * |------------|--------------------------------------------------------------|-------------------------------------|
 * | Key        | `{"Key": {"Authentication": <KeyData, public>}}`             | that key's UDF                      |
 * | Device     | `{"Device": {"EnvelopedProfileDevice": <envelope>}}`         | ProfileDevice.Authentication UDF    |
 * | Connection | `{"Connection": {"Account": "alice@example.com"}}`           | a ConnectionService.Authentication of that account (the service looks it up) |
 * | Service    | `{"Service": {"EnvelopedProfileService": <envelope>}}`       | ProfileService.ServiceAuthentication UDF |
 *
 * None (Hello) sends no header and no signature. The header is always covered by the request
 * signature (mesh-signature.ts), so it cannot be swapped for another profile holding the same key.
 */

/** The credential modes of protocol.md §2. */
export type CredentialMode = 'None' | 'Key' | 'Device' | 'Connection' | 'Service';

/** A credential as a request presents it (before the service checks it). */
export type MeshCredential =
  | { readonly mode: 'Key'; readonly key: DarePublicKey }
  | { readonly mode: 'Device'; readonly profile: Enveloped<ProfileDevice> }
  | { readonly mode: 'Connection'; readonly account: string }
  | { readonly mode: 'Service'; readonly profile: Enveloped<ProfileService> };

/** The header field name (case-insensitive on the wire). */
export const MESH_CREDENTIAL_HEADER = 'mesh-credential';

/** The longest Mesh-Credential value accepted: a profile envelope is a few KiB. */
export const MAX_CREDENTIAL_LENGTH = 16384;

/** The longest account address in a Connection credential. */
const MAX_ACCOUNT_LENGTH = 320;

function bad(message: string, cause?: unknown): never {
  throw new ProtocolError('PROTOCOL_BAD_CREDENTIAL', `Mesh-Credential: ${message}`, cause === undefined ? {} : { cause });
}

function checkAccount(account: unknown): string {
  if (typeof account !== 'string' || account.length === 0 || account.length > MAX_ACCOUNT_LENGTH || !/^[\x21-\x7e]+$/.test(account)) {
    bad('Account must be a non-empty printable address without spaces');
  }
  return account;
}

/** The JSON of a credential (for the header). */
function credentialValue(credential: MeshCredential): JsonObject {
  switch (credential.mode) {
    case 'Key':
      if (credential.key.algorithm !== 'X448') bad(`a Key credential names an X448 key, not ${credential.key.algorithm}`);
      // The schema codec writes KeyData as the Mesh does everywhere; the member is untagged.
      return { Key: { Authentication: meshObjectToValue(publicKeyDataOf('X448', credential.key.publicKey))['KeyData']! } };
    case 'Device':
      return { Device: { EnvelopedProfileDevice: envelopeToValue(credential.profile) } };
    case 'Connection':
      return { Connection: { Account: checkAccount(credential.account) } };
    case 'Service':
      return { Service: { EnvelopedProfileService: envelopeToValue(credential.profile) } };
    default:
      return bad(`unknown mode ${String((credential as { mode: unknown }).mode)}`);
  }
}

/** The Mesh-Credential header value of a credential. */
export function encodeCredential(credential: MeshCredential): string {
  if (credential.mode === 'Connection') {
    // Sent with every request of a connected device: encoded once per account address.
    const hit = connectionHeaders.get(credential.account);
    if (hit !== undefined) return hit;
    const header = base64urlEncode(utf8Encode(writeJson(credentialValue(credential))));
    remember(connectionHeaders, credential.account, header);
    return header;
  }
  return base64urlEncode(utf8Encode(writeJson(credentialValue(credential))));
}

/**
 * Connection credentials by header value and header values by account: a connected device sends
 * the same few bytes with every request, and both directions are pure functions of the text
 * (no key or profile is in them, nothing to go stale: the service checks the key each time).
 */
const connectionCredentials = new Map<string, MeshCredential>();
const connectionHeaders = new Map<string, string>();
const REMEMBERED = 4096;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= REMEMBERED) map.delete(map.keys().next().value!);
  map.set(key, value);
}

function only(value: JsonValue | undefined, member: string, where: string): JsonValue {
  if (!isJsonObject(value)) bad(`${where} must be an object`);
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== member) bad(`${where} must hold exactly ${member}`);
  return value[member]!;
}

/** Parses a Mesh-Credential header value (shape only: keys and profiles are checked by {@link credentialKey}). */
export function decodeCredential(header: string): MeshCredential {
  const known = connectionCredentials.get(header);
  if (known !== undefined) return known;
  const credential = decodeAny(header);
  // Frozen: the same object answers every later request with this header.
  if (credential.mode === 'Connection') remember(connectionCredentials, header, Object.freeze(credential));
  return credential;
}

function decodeAny(header: string): MeshCredential {
  if (header.length > MAX_CREDENTIAL_LENGTH) bad(`longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  let value: JsonValue;
  try {
    value = parseJson(utf8Decode(base64urlDecode(header.trim())), { maxDepth: 32 });
  } catch (e) {
    return bad('not base64url of JSON', e);
  }
  if (!isJsonObject(value) || Object.keys(value).length !== 1) bad('must be one tagged object {"Mode": {...}}');
  const [mode] = Object.keys(value) as [string];
  const body = value[mode];
  try {
    switch (mode) {
      case 'Key': {
        const kd = readMeshMembers(only(body, 'Authentication', 'Key') as JsonValue, 'KeyData') as KeyData;
        if (kd.PrivateParameters !== undefined) bad('a Key credential must not carry a private key');
        return { mode, key: publicKeyOf(kd, 'Mesh-Credential Key.Authentication') };
      }
      case 'Device':
        return { mode, profile: envelopeFromValue(only(body, 'EnvelopedProfileDevice', 'Device'), 'EnvelopedProfileDevice') as Enveloped<ProfileDevice> };
      case 'Connection':
        return { mode, account: checkAccount(only(body, 'Account', 'Connection')) };
      case 'Service':
        return { mode, profile: envelopeFromValue(only(body, 'EnvelopedProfileService', 'Service'), 'EnvelopedProfileService') as Enveloped<ProfileService> };
      default:
        return bad(`unknown mode ${JSON.stringify(mode).slice(0, 40)}`);
    }
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    return bad(`${mode}: ${(e as Error).message}`, e);
  }
}

/** What a checked credential establishes. */
export interface CredentialKey {
  readonly mode: Exclude<CredentialMode, 'None' | 'Connection'>;
  /** The public key the signature's keyid names (X448). */
  readonly key: DarePublicKey;
  /** Device and Service modes: the self-signed profile that publishes the key. */
  readonly profile?: VerifiedProfile;
}

/**
 * The public key a Key, Device or Service credential gives for `keyid`: the KeyData, or the
 * Authentication key of the profile after its self-signature is verified (mesh-model.md §5.1).
 * The key must be X448 and be the one `keyid` names (`PROTOCOL_BAD_CREDENTIAL` otherwise). A
 * Connection credential names an account only: the service resolves the key (service.ts).
 */
export function credentialKey(credential: Exclude<MeshCredential, { mode: 'Connection' }>, keyid: string): CredentialKey {
  let key: DarePublicKey;
  let profile: VerifiedProfile | undefined;
  try {
    if (credential.mode === 'Key') {
      key = credential.key;
    } else {
      profile = verifyProfile(credential.profile);
      const expected = credential.mode === 'Device' ? 'ProfileDevice' : 'ProfileService';
      if (profile.profile.$class !== expected) bad(`a ${credential.mode} credential carries a ${expected}, not a ${profile.profile.$class}`);
      const kd = credential.mode === 'Device' ? (profile.profile as ProfileDevice).Authentication : (profile.profile as ProfileService).ServiceAuthentication;
      if (kd === undefined) bad(`the ${expected} has no Authentication key`);
      key = publicKeyOf(kd, `${expected}.Authentication`);
    }
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    return bad(`${credential.mode}: ${(e as Error).message}`, e);
  }
  if (key.algorithm !== 'X448') bad(`the ${credential.mode} credential's key is ${key.algorithm}, not X448`);
  if (key.kid !== keyid) bad(`the signature's keyid ${keyid} is not the ${credential.mode} credential's key ${key.kid}`);
  return { mode: credential.mode, key, ...(profile === undefined ? {} : { profile }) };
}
