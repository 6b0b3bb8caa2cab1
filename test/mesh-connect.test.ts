import { describe, expect, it } from 'vitest';
import { dareKeyFromKeyPair, publicPart } from '../sdk/dare/keys.js';
import {
  activateDevice, buildAcknowledgeConnection, buildMessageClaim, buildNewAccount, buildProfileDevice, buildRequestConnection, buildRespondConnection,
  checkClaimForDevice, checkClaimForService, deriveDeviceKeys, deriveServiceKeys, issuePin, newMeshSeed, openRespondConnection, parseConnectUri,
  connectUriOf, preconfigureDevice, publishedDeviceProfile, readInstallation, sealProfile, validatePin, verifyAcknowledgeConnection, verifyRequestConnection,
  writeInstallation, MeshError, type PinRecord,
} from '../sdk/mesh/index.js';

// The connection messages of mesh-model.md §9.2, §10, §11 (protocol.md T4, T5, T10, T11): each
// signed and checked; every check below is attacked.

function newDevice() {
  const keys = deriveDeviceKeys(newMeshSeed('MeshProfileDevice'));
  return { keys, profile: sealProfile(buildProfileDevice(keys), keys.profileSignature) };
}
const alice = buildNewAccount({ address: 'alice@example.com' });
const service = deriveServiceKeys(newMeshSeed('MeshProfileService'));
const serviceSignature = publicPart(dareKeyFromKeyPair(service.signature));

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof MeshError) return e.code;
    throw e;
  }
  return undefined;
}

describe('direct connection (F2): request, acknowledgement, response', () => {
  it('a request is signed by the device; the acknowledgement\'s witness binds account, device profile and both nonces', () => {
    const d = newDevice();
    const req = buildRequestConnection({ deviceKeys: d.keys, deviceProfile: d.profile, accountAddress: 'Alice@Example.com' });
    const v = verifyRequestConnection(req.envelope);
    expect(v.signed).toBe(true);
    expect(v.accountAddress).toBe('alice@example.com');
    expect(v.device.udf).toBe(d.keys.profileSignature.udf);
    const ack = buildAcknowledgeConnection({ request: req.envelope, accountProfile: alice.profile, serviceSignature: service.signature });
    const seen = verifyAcknowledgeConnection(ack.envelope, { serviceSignature, accountProfile: alice.profile, ownRequest: req.envelope, accountUdf: alice.accountUdf });
    expect(seen.witness).toBe(ack.witness);
    // The administrator's check (no own request) computes the same witness.
    expect(verifyAcknowledgeConnection(ack.envelope, { serviceSignature, accountProfile: alice.profile }).witness).toBe(ack.witness);
  });

  it('attack: a request not signed by the device profile it carries is refused', () => {
    const d = newDevice();
    const other = newDevice();
    // Mallory wraps Alice's device profile in a request signed with her own key.
    const forged = buildRequestConnection({ deviceKeys: other.keys, deviceProfile: other.profile, accountAddress: 'alice@example.com' });
    const swapped = buildRequestConnection({ deviceKeys: d.keys, deviceProfile: d.profile, accountAddress: 'alice@example.com' });
    expect(code(() => buildRequestConnection({ deviceKeys: other.keys, deviceProfile: d.profile, accountAddress: 'alice@example.com' }))).toBe('MESH_BAD_KEY');
    // Re-sign the swapped request's payload under another key: the verifier requires the profile's key.
    const payloadOwner = verifyRequestConnection(swapped.envelope).device.udf;
    expect(payloadOwner).toBe(d.keys.profileSignature.udf);
    const tampered = { ...forged.envelope, trailer: swapped.envelope.trailer };
    expect(code(() => verifyRequestConnection(tampered as never))).toMatch(/MESH_(NOT_SIGNED|BAD_ENVELOPE|INVALID)/);
  });

  it('attack: a man in the middle that swaps the device profile is caught by the witness (both sides)', () => {
    const d = newDevice();
    const mallory = newDevice();
    const req = buildRequestConnection({ deviceKeys: d.keys, deviceProfile: d.profile, accountAddress: 'alice@example.com' });
    // Mallory forwards her own request in place of the device's: the service acknowledges hers.
    const hers = buildRequestConnection({ deviceKeys: mallory.keys, deviceProfile: mallory.profile, accountAddress: 'alice@example.com' });
    const ack = buildAcknowledgeConnection({ request: hers.envelope, accountProfile: alice.profile, serviceSignature: service.signature });
    // The device sees it is not its own request.
    expect(code(() => verifyAcknowledgeConnection(ack.envelope, { serviceSignature, accountProfile: alice.profile, ownRequest: req.envelope }))).toBe('MESH_WITNESS');
    // The witness the administrator sees differs from the one the device would compute for its own request.
    const serverNonce = verifyAcknowledgeConnection(ack.envelope, { serviceSignature, accountProfile: alice.profile }).serverNonce;
    const honest = buildAcknowledgeConnection({ request: req.envelope, accountProfile: alice.profile, serviceSignature: service.signature, serverNonce });
    expect(honest.witness).not.toBe(ack.witness);
  });

  it('attack: an acknowledgement whose witness was rewritten, or not signed by the service, is refused', () => {
    const d = newDevice();
    const req = buildRequestConnection({ deviceKeys: d.keys, deviceProfile: d.profile, accountAddress: 'alice@example.com' });
    const rogue = deriveServiceKeys(newMeshSeed('MeshProfileService'));
    const forged = buildAcknowledgeConnection({ request: req.envelope, accountProfile: alice.profile, serviceSignature: rogue.signature });
    expect(code(() => verifyAcknowledgeConnection(forged.envelope, { serviceSignature, accountProfile: alice.profile, ownRequest: req.envelope }))).toMatch(/MESH_NOT_SIGNED|MESH_BAD_ENVELOPE/);
    // Another account's profile (the device asked for alice@, the ack is for bob's profile) is refused.
    const bob = buildNewAccount({ address: 'bob@example.com' });
    expect(code(() => buildAcknowledgeConnection({ request: req.envelope, accountProfile: bob.profile, serviceSignature: service.signature }))).toBe('MESH_INVALID');
  });

  it('an Accept carries the activation the device takes up; a Reject says so; another device cannot read it', () => {
    const d = newDevice();
    const req = buildRequestConnection({ deviceKeys: d.keys, deviceProfile: d.profile, accountAddress: 'alice@example.com' });
    const ack = buildAcknowledgeConnection({ request: req.envelope, accountProfile: alice.profile, serviceSignature: service.signature });
    const activation = activateDevice({ account: alice.accountKeys, accountProfile: alice.profile, deviceProfile: d.profile, roles: ['message'] });
    const accept = buildRespondConnection({
      requestId: ack.witness, result: 'Accept', catalogedDevice: activation.catalogedDevice, deviceProfile: d.profile, administratorSignature: alice.accountKeys.administratorSignature,
    });
    const opened = openRespondConnection(accept, { deviceKeys: d.keys, accountProfile: alice.profile, requestId: ack.witness });
    expect(opened.result).toBe('Accept');
    if (opened.result !== 'Accept') throw new Error('unreachable');
    expect(opened.activation.roles).toEqual(['message']);
    expect(opened.accountUdf).toBe(alice.accountUdf);
    const reject = buildRespondConnection({ requestId: ack.witness, result: 'Reject', deviceProfile: d.profile, administratorSignature: alice.accountKeys.administratorSignature });
    expect(openRespondConnection(reject, { deviceKeys: d.keys, accountProfile: alice.profile, requestId: ack.witness }).result).toBe('Reject');
    // Another device cannot decrypt it; an answer to another request is refused; a non-admin signer is refused.
    expect(code(() => openRespondConnection(accept, { deviceKeys: newDevice().keys, accountProfile: alice.profile, requestId: ack.witness }))).toMatch(/MESH_/);
    expect(code(() => openRespondConnection(accept, { deviceKeys: d.keys, accountProfile: alice.profile, requestId: 'NAAA-AAAA' }))).toBe('MESH_INVALID');
    const notAdmin = buildRespondConnection({ requestId: ack.witness, result: 'Reject', deviceProfile: d.profile, administratorSignature: alice.accountKeys.commonSignature });
    expect(code(() => openRespondConnection(notAdmin, { deviceKeys: d.keys, accountProfile: alice.profile, requestId: ack.witness }))).toMatch(/MESH_NOT_SIGNED|MESH_BAD_ENVELOPE/);
  });
});

describe('PINs (F3; mesh-model.md §10)', () => {
  const issued = issuePin({ account: 'alice@example.com', action: 'Device', roles: ['web'] });
  const lookupOf = (closed = false) => (id: string): PinRecord | undefined => (id === issued.pinId ? { message: issued.message, closed } : undefined);

  function requestWith(pin: string) {
    const d = newDevice();
    return buildRequestConnection({ deviceKeys: d.keys, deviceProfile: d.profile, accountAddress: 'alice@example.com', pin }).request;
  }

  it('a request with the PIN validates with its roles; used → PinUsed; expired → PinExpired', async () => {
    const r = requestWith(issued.pin);
    const v = await validatePin(r, lookupOf(), { account: 'alice@example.com', action: 'Device' });
    expect(v.roles).toEqual(['web']);
    expect(v.automatic).toBe(true);
    await expect(validatePin(r, lookupOf(true), { account: 'alice@example.com', action: 'Device' })).rejects.toMatchObject({ code: 'MESH_PIN_USED' });
    await expect(validatePin(r, lookupOf(), { account: 'alice@example.com', action: 'Device', now: new Date(issued.expires.getTime() + 1000) }))
      .rejects.toMatchObject({ code: 'MESH_PIN_EXPIRED' });
  });

  it('attack: a wrong PIN, an unknown PIN, a swapped device profile all fail alike (no hint which part)', async () => {
    const wrong = requestWith(issuePin({ account: 'alice@example.com', action: 'Device' }).pin);
    const e1 = await validatePin(wrong, lookupOf(true), { account: 'alice@example.com', action: 'Device' }).catch((e: MeshError) => e);
    const good = requestWith(issued.pin);
    const swapped = { ...good, AuthenticatedData: newDevice().profile };
    const e2 = await validatePin(swapped, lookupOf(true), { account: 'alice@example.com', action: 'Device' }).catch((e: MeshError) => e);
    // A used PIN with a wrong witness is not told "used": the same refusal as an unknown PIN.
    expect(e1).toMatchObject({ code: 'MESH_PIN_INVALID' });
    expect(e2).toMatchObject({ code: 'MESH_PIN_INVALID' });
    expect((e1 as Error).message).toBe((e2 as Error).message);
    // A contact PIN does not validate a device request.
    await expect(validatePin(good, lookupOf(), { account: 'alice@example.com', action: 'Contact' })).rejects.toMatchObject({ code: 'MESH_PIN_INVALID' });
  });

  it('connect URIs: mcu://account/PIN is a PIN, mcu://account/E… a publication', () => {
    const uri = connectUriOf('Alice@example.com', issued.pin);
    expect(parseConnectUri(uri)).toMatchObject({ kind: 'pin', account: 'alice@example.com', pin: issued.pin });
    expect(code(() => parseConnectUri('https://example.com/'))).toBe('MESH_BAD_ARGUMENT');
  });
});

describe('preconfigured devices and claims (F4; mesh-model.md §11)', () => {
  const maker = buildNewAccount({ address: 'maker@example.com' });
  const made = preconfigureDevice({ maker: 'maker@example.com', makerUdf: maker.accountUdf, administratorSignature: maker.accountKeys.administratorSignature });

  it('the installation file reads back; the publication opens under the URI to the device profile', () => {
    const inst = readInstallation(writeInstallation(made.installation));
    expect(inst.deviceUdf).toBe(made.deviceUdf);
    expect(parseConnectUri(made.connectUri)).toMatchObject({ kind: 'publication', account: 'maker@example.com' });
    expect(publishedDeviceProfile(made.catalogedPublication, made.connectUri)).toBeDefined();
    expect(code(() => publishedDeviceProfile(made.catalogedPublication, preconfigureDevice({
      maker: 'maker@example.com', makerUdf: maker.accountUdf, administratorSignature: maker.accountKeys.administratorSignature,
    }).connectUri))).toBe('MESH_INVALID');
  });

  it('a claim verifies at the service and on the device; a re-addressed claim fails both', () => {
    const claim = buildMessageClaim({ connectUri: made.connectUri, claimant: 'alice@example.com', commonSignature: alice.accountKeys.commonSignature });
    const signer = publicPart(dareKeyFromKeyPair(alice.accountKeys.commonSignature));
    expect(checkClaimForService(claim.envelope, made.catalogedPublication, signer).Sender).toBe('alice@example.com');
    expect(checkClaimForDevice(claim.envelope, { publicationId: made.publication.publicationId, deviceAuthenticator: made.publication.deviceAuthenticator }).Sender)
      .toBe('alice@example.com');
    // Mallory without the secret copies the MACs under her own address.
    const mallory = buildNewAccount({ address: 'mallory@example.com' });
    const copy = buildMessageClaim({ connectUri: made.connectUri, claimant: 'mallory@example.com', commonSignature: mallory.accountKeys.commonSignature });
    const forged = buildMessageClaim({
      connectUri: preconfigureDevice({ maker: 'maker@example.com', makerUdf: maker.accountUdf, administratorSignature: maker.accountKeys.administratorSignature }).connectUri,
      claimant: 'mallory@example.com', commonSignature: mallory.accountKeys.commonSignature,
    });
    expect(copy.claim.ServiceAuthenticate).not.toBe(claim.claim.ServiceAuthenticate);
    const relabelled = { ...forged.claim, PublicationId: made.publication.publicationId };
    expect(relabelled.ServiceAuthenticate).not.toBe(copy.claim.ServiceAuthenticate);
    expect(code(() => checkClaimForService(forged.envelope, made.catalogedPublication))).toBe('MESH_NOT_AUTHORIZED');
    expect(code(() => checkClaimForDevice(forged.envelope, { publicationId: made.publication.publicationId, deviceAuthenticator: made.publication.deviceAuthenticator })))
      .toBe('MESH_NOT_AUTHORIZED');
  });
});
