import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ed448 } from '@noble/curves/ed448.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  dareKeyFromKeyPair, decodeEnvelope, encodeEnvelope, envelopeToString, parseEnvelope, publicPart, signDigest, type DareEnvelope,
} from '../sdk/dare/index.js';
import { base64urlDecode, parseJson, writeJson } from '../sdk/encoding/index.js';
import {
  acceptActivation, activateDevice, buildActivationAccount, buildActivationCommon, buildConnectionDevice, buildConnectionService,
  buildProfileAccount, buildProfileDevice, buildSelfContact, checkDeviceChain, combineKeys, combinePublicKeys, dareKeyFromCombined,
  deriveAccountKeys, deriveActivationKeys, deriveDeviceKeys, deriveStoreKey, deviceAccountKeyData, grantsOf, headerOf, MeshError, meshObjectToString,
  openMeshEnvelope, openPublicationData, publicationOf, readMeshObject, sealConnection, sealMeshObject, sealProfile, verifyProfile, type CatalogedDevice, type ProfileDevice,
} from '../sdk/mesh/index.js';
import { recoverSeed, newSeed, deriveKeyPair } from '../sdk/udf/index.js';
import { keyUdf } from './mesh-keys-support.js';
import { seeded } from './support/random.js';
import { vectorsDir } from './support/paths.js';

/**
 * The building blocks of mesh-model.md §4–§6 against the reference: keys from Alice's recovered
 * seed equal the published ones; the profile, callsign binding, self contact and connections we
 * seal from them are REF's envelopes byte for byte; device 2's connections and activation equal
 * REF's objects; a whole activation round-trips between an administrator and a device; and
 * objects we write are checked by independent code (@noble directly).
 */

const mesh = JSON.parse(readFileSync(resolve(vectorsDir, 'mesh', 'mesh.json'), 'utf8')) as {
  keys: Record<string, { crv: string; public_b64u?: string; kid: string }>;
  vectors: Record<string, any>[];
};
const vec = (id: string): Record<string, any> => mesh.vectors.find((v) => v['id'] === id)!;
const input = (id: string, name: string): string => vec(id)['inputs'][name];
const SEED = recoverSeed(vec('escrow-recover-alice-01')['inputs']['shares']);
const alice = deriveAccountKeys(SEED);
const SERVICE_UDF = 'MD3P-ALTL-T6I4-U6ER-O4ZD-5AP5-J6SO';
const at = (s: string): Date => new Date(s);
const sameEnvelope = (ours: DareEnvelope, refJson: string): void => {
  expect(envelopeToString(ours)).toBe(writeJson(parseJson(refJson)));
};
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof MeshError) return e.code;
    throw e;
  }
  return undefined;
};

describe('Alice\'s account from her recovered seed (mesh-model.md §4)', () => {
  it('derives every published account and store key', () => {
    const published = (name: string): string => mesh.keys[name]!.kid;
    expect(alice.profileSignature.udf).toBe(published('alice.profile'));
    expect(alice.administratorSignature.udf).toBe(published('alice.admin-sign'));
    expect(alice.commonEncryption.udf).toBe(published('alice.common-encrypt'));
    expect(alice.commonAuthentication.udf).toBe(published('alice.common-authenticate'));
    expect(alice.commonSignature.udf).toBe(published('alice.common-sign'));
    expect(alice.escrowEncryption.udf).toBe(published('alice.escrow'));
    expect(deriveStoreKey(SEED, 'MMM_Credential').udf).toBe('MA67-4U5O-PTDZ-WX4D-PDFU-F7RD-3A5O');
    // independent fingerprints (@noble + the reference SPKI written out in the test)
    expect(keyUdf('Ed448', alice.profileSignature.publicKey)).toBe(alice.profileSignature.udf);
    expect(keyUdf('X448', alice.commonEncryption.publicKey)).toBe(alice.commonEncryption.udf);
    expect(codeOf(() => deriveAccountKeys(newSeed('MeshProfileDevice')))).toBe('MESH_BAD_KEY');
  });

  it('seals her ProfileUser to REF\'s envelope, byte for byte, and the signature verifies with @noble', () => {
    const profile = buildProfileAccount(alice, { accountAddress: 'alice@example.com', serviceUdf: SERVICE_UDF });
    const env = sealProfile(profile, alice.profileSignature, { created: at('2022-05-03T16:46:56Z'), referenceForm: true });
    sameEnvelope(env, input('profile-user-alice', 'envelope_json'));
    const digest = sha512(env.payload);
    const pub = base64urlDecode(mesh.keys['alice.profile']!.public_b64u!);
    expect(ed448.verify(env.trailer!.signatures![0]!.signature, digest, pub)).toBe(true);
    expect(verifyProfile(env, { expectedUdf: alice.profileSignature.udf }).udf).toBe('MARP-HH6B-D2JW-WLQ6-RWPQ-2SLS-AI2V');
  });

  it('seals her CallsignBinding and self contact to REF\'s envelopes', () => {
    const binding = { $class: 'CallsignBinding' as const, Canonical: 'alice@example.com', Display: 'alice@example.com', ProfileUdf: alice.profileSignature.udf, Services: [{ $class: 'NamedService' as const, Prefix: 'mmm' }] };
    sameEnvelope(sealMeshObject(binding, { signers: [dareKeyFromKeyPair(alice.administratorSignature)], created: at('2022-05-03T16:46:57Z'), referenceForm: true }), input('signed-callsign-alice', 'envelope_json'));
    const profile = parseEnvelope(input('profile-user-alice', 'envelope_json'));
    const self = buildSelfContact({ profile, address: 'alice@example.com', commonSignature: alice.commonSignature, created: at('2022-05-03T16:46:56Z'), referenceForm: true });
    sameEnvelope(self.signed, input('signed-contact-alice-self', 'envelope_json'));
    expect(meshObjectToString(self.entry)).toBe(writeJson(parseJson(input('schema-catalogedcontact', 'object_json'))));
    expect(codeOf(() => buildSelfContact({ profile, address: 'alice@example.com', commonSignature: alice.administratorSignature }))).toBe('MESH_BAD_KEY');
  });

  it('re-seals REF\'s ConnectionService / ConnectionDevice (JSON-B payloads) to REF\'s envelopes', () => {
    for (const id of ['signed-connectionservice-alice3', 'sign-repro-connectiondevice']) {
      const ref = parseEnvelope(input(id, 'envelope_json'));
      const opened = openMeshEnvelope(ref, 'ConnectionService', { signers: [publicPart(dareKeyFromKeyPair(alice.administratorSignature))], requireSignature: true });
      expect(opened.payloadEncoding).toBe('jsonb');
      const created = new Date(headerOf(opened).contentMeta!.created as string);
      sameEnvelope(sealConnection(opened.object, alice.administratorSignature, { created, referenceForm: true }), input(id, 'envelope_json'));
    }
  });
});

describe('Alice\'s device 2 (SchemaAliceDevice2 / ActivationDevice2 / ConnectionDevice2)', () => {
  const device = readMeshObject(input('keydata-alice-device2', 'object_json'), 'ProfileDevice') as ProfileDevice;
  const activationSeed = vec('activate-device2-encrypt')['activation_seed_udf'] as string;
  const keys = deviceAccountKeyData(device, deriveActivationKeys(activationSeed));

  it('builds REF\'s ConnectionDevice and ConnectionService from the device profile and the activation seed', () => {
    const conn = buildConnectionDevice({ profileUdf: alice.profileSignature.udf, keys, roles: ['message', 'web'] });
    expect(meshObjectToString(conn)).toBe(writeJson(parseJson(input('keydata-alice-connectiondevice2', 'object_json'))));
    const service = buildConnectionService({ profileUdf: alice.profileSignature.udf, authentication: keys.authentication });
    expect(meshObjectToString(service)).toBe(writeJson(parseJson(input('keydata-alice-connectionservice2', 'object_json'))));
  });

  it('builds REF\'s ActivationCommon (roles message, web) and ActivationAccount', () => {
    expect(grantsOf(['message', 'web']).keys).toEqual(['Encryption', 'Authentication', 'Signature']);
    expect(meshObjectToString(buildActivationCommon(alice, ['message', 'web']))).toBe(writeJson(parseJson(input('schema-activationcommon', 'object_json'))));
    expect(meshObjectToString(buildActivationAccount({ activationSeed, deviceUdf: 'MCI6-2IJ3-PFLT-GVUQ-5PN7-B337-VWWQ' })))
      .toBe('{"ActivationAccount":{"ActivationKey":"ZAAQ-H7CI-YZHV-CODZ-P3DR-5E6K-AF3P-TIDI-36IU-D67X-7X4T-76IH-QC6F-VKCY","AccountUdf":"MCI6-2IJ3-PFLT-GVUQ-5PN7-B337-VWWQ"}}');
  });
});

describe('co-generated keys (mesh-model.md §4, crypto.md §4)', () => {
  it('the device\'s combined private key matches the administrator\'s combined public key', () => {
    for (let i = 0; i < 4; i++) {
      const random = seeded(100 + i);
      const base = deriveDeviceKeys(newSeed('MeshProfileDevice', { random }));
      const act = deriveActivationKeys(newSeed('MeshActivationAccount', { random }));
      for (const [b, a] of [[base.encryption, act.encryption], [base.signature, act.signature], [base.authentication, act.authentication]] as const) {
        const combined = combineKeys(b, a);
        expect(combined.publicKey).toEqual(combinePublicKeys(combined.algorithm, b.publicKey, a.publicKey));
      }
      // The combined Ed448 key signs; @noble verifies under the combined public key alone.
      const signer = dareKeyFromCombined(combineKeys(base.signature, act.signature));
      const digest = sha512(Uint8Array.of(i));
      expect(ed448.verify(signDigest(signer, digest), digest, signer.publicKey)).toBe(true);
      // The combined X448 key decrypts what is encrypted to the combined public key.
      const enc = dareKeyFromCombined(combineKeys(base.encryption, act.encryption));
      const env = encodeEnvelope('to the device', { recipients: [publicPart(enc)], random });
      expect(new TextDecoder().decode(decodeEnvelope(env, { keys: [enc] }).payload)).toBe('to the device');
      expect(() => decodeEnvelope(env, { keys: [dareKeyFromKeyPair(base.encryption)] })).toThrow();
    }
  });
});

describe('activating a device end to end (mesh-model.md §6)', () => {
  const random = seeded(42);
  const account = deriveAccountKeys(newSeed('MeshProfileAccount', { random }));
  const accountProfile = sealProfile(buildProfileAccount(account, { accountAddress: 'carol@example.com' }), account.profileSignature);
  const deviceKeys = deriveDeviceKeys(newSeed('MeshProfileDevice', { random }));
  const deviceProfile = sealProfile(buildProfileDevice(deviceKeys), deviceKeys.profileSignature);
  const activation = activateDevice({ account, accountProfile, deviceProfile, roles: ['message', 'web'], random });

  it('the administrator\'s CatalogedDevice holds together and reads back through the schema', () => {
    expect(checkDeviceChain(activation.catalogedDevice, { expectedAccountUdf: account.profileSignature.udf }).valid).toBe(true);
    const again = readMeshObject(meshObjectToString(activation.catalogedDevice), 'CatalogedDevice');
    expect(checkDeviceChain(again).valid).toBe(true);
  });

  it('the device takes up its keys: combined keys, granted account keys, store keys that decrypt', () => {
    const accepted = acceptActivation(activation.catalogedDevice, deviceKeys, { expectedAccountUdf: account.profileSignature.udf });
    expect(accepted.accountUdf).toBe(account.profileSignature.udf);
    expect(accepted.roles).toEqual(['message', 'web']);
    expect(accepted.keys.encryption.udf).toBe(activation.keys.encryption.Udf);
    expect(accepted.accountKeys.Encryption?.kid).toBe(account.commonEncryption.udf);
    expect(accepted.accountKeys.AdministratorSignature).toBeUndefined();
    expect([...accepted.storeKeys.keys()]).toEqual(grantsOf(['message', 'web']).stores);
    const store = deriveStoreKey(account.seed, 'MMM_Credential');
    const frame = encodeEnvelope('secret', { recipients: [publicPart(dareKeyFromKeyPair(store))], random });
    expect(new TextDecoder().decode(decodeEnvelope(frame, { keys: [accepted.storeKeys.get('MMM_Credential')!] }).payload)).toBe('secret');
    // Independent check: ConnectionDevice.Signature is the device's combined key (@noble verifies).
    const digest = sha512(Uint8Array.of(1, 2, 3));
    const sig = signDigest(dareKeyFromCombined(accepted.keys.signature), digest);
    const published = activation.connectionDevice.Signature!.PublicParameters as { Public: Uint8Array };
    expect(ed448.verify(sig, digest, published.Public)).toBe(true);
  });

  it('refuses a CatalogedDevice for another device or account, and activations not signed by the administrator', () => {
    const other = deriveDeviceKeys(newSeed('MeshProfileDevice', { random }));
    expect(codeOf(() => acceptActivation(activation.catalogedDevice, other))).toBe('MESH_INVALID');
    expect(codeOf(() => acceptActivation(activation.catalogedDevice, deviceKeys, { expectedAccountUdf: alice.profileSignature.udf }))).toBe('MESH_INVALID');
    // An attacker who can write MMM_Device swaps in an ActivationCommon signed by their own key.
    const mallory = deriveAccountKeys(newSeed('MeshProfileAccount', { random }));
    const forged = activateDevice({
      account: mallory, accountProfile: sealProfile(buildProfileAccount(mallory), mallory.profileSignature), deviceProfile, roles: ['web'], random,
    });
    const mixed: CatalogedDevice = { ...activation.catalogedDevice, EnvelopedActivationCommon: forged.catalogedDevice.EnvelopedActivationCommon! };
    expect(checkDeviceChain(mixed).activationCommonSignedByAdmin).toBe(false);
    expect(codeOf(() => acceptActivation(mixed, deviceKeys))).toBe('MESH_INVALID');
    const swappedConnection: CatalogedDevice = { ...activation.catalogedDevice, EnvelopedConnectionDevice: forged.catalogedDevice.EnvelopedConnectionDevice! };
    expect(checkDeviceChain(swappedConnection).connectionDeviceSignedByAdmin).toBe(false);
  });
});

describe('publications (mesh-model.md §11)', () => {
  it('REF\'s publication opens with its connect URI to the preconfigured device\'s signed profile', () => {
    const uri = 'mcu://maker@example.com/EDRL-4MZP-3OUD-OZBS-SPZN-7OSO-OM';
    const pub = readMeshObject(input('schema-catalogedpublication', 'object_json'), 'CatalogedPublication');
    const p = publicationOf(uri);
    expect([p.publicationId, p.serviceAuthenticator]).toEqual([pub.Id, pub.Authenticator]);
    expect(codeOf(() => openPublicationData(pub.EnvelopedData!, uri))).toBe('MESH_UNAUTHENTICATED'); // REF writes no PayloadMac
    const inner = openPublicationData(pub.EnvelopedData!, uri, { allowUnauthenticated: true });
    expect(verifyProfile(inner).udf).toBe('MBYN-VC7T-AIEX-KCK2-WQLP-4B52-3GWY');
    expect(() => openPublicationData(pub.EnvelopedData!, 'mcu://maker@example.com/EDRL-4MZQ-3OUD-OZBS-SPZN-7OSO-OM', { allowUnauthenticated: true })).toThrow(MeshError);
  });
});

describe('what a verdict means', () => {
  const profile = parseEnvelope(input('profile-user-alice', 'envelope_json'));

  it('a profile is refused when another key signed it or its ids disagree', () => {
    const mallory = deriveKeyPair(newSeed('MeshProfileAccount'), { algorithm: 'Ed448', keyName: 'CompleteAccountProfile' });
    const body = readMeshObject(openMeshEnvelope(profile, 'ProfileUser').payload, 'ProfileUser');
    // Same payload, signed by mallory, claiming Alice's id.
    const forged = sealMeshObject(body, { signers: [dareKeyFromKeyPair(mallory)], envelopeId: alice.profileSignature.udf, uniqueId: alice.profileSignature.udf });
    expect(codeOf(() => verifyProfile(forged))).toBe('MESH_NOT_SIGNED');
    expect(codeOf(() => sealProfile(body, mallory))).toBe('MESH_BAD_KEY');
    // Genuine signature, but the header names another profile.
    const relabelled = { ...profile, header: { ...profile.header, envelopeId: 'MDDO-B6Z7-4YXY-BJLQ-WFQZ-BOMG-QB6Y' } };
    expect(codeOf(() => verifyProfile(relabelled))).toBe('MESH_INVALID');
    expect(codeOf(() => verifyProfile(profile, { expectedUdf: 'MDDO-B6Z7-4YXY-BJLQ-WFQZ-BOMG-QB6Y' }))).toBe('MESH_INVALID');
    // A flipped payload byte breaks the signature.
    const payload = profile.payload.slice();
    payload[40] ^= 1;
    expect(codeOf(() => verifyProfile({ ...profile, payload }))).toBe('MESH_BAD_ENVELOPE');
  });

  it('a reference-form encrypted object (no PayloadMac) is refused before decryption unless the caller opts in', () => {
    const env = parseEnvelope(input('decrypt-download-credential', 'envelope_json'));
    const key = dareKeyFromKeyPair(deriveStoreKey(SEED, 'MMM_Credential'));
    expect(codeOf(() => openMeshEnvelope(env, 'CatalogedCredential', { keys: [key] }))).toBe('MESH_UNAUTHENTICATED');
    const opened = openMeshEnvelope(env, 'CatalogedCredential', { keys: [key], allowUnauthenticated: true });
    expect(opened.object.Password).toBe('newpassword');
    expect(opened.signedBy).toEqual([]);
  });
});
