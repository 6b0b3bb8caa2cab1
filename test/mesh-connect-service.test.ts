import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryHome } from '../adapters/home/memory.js';
import { NodeWebSocket } from '../adapters/http/node-push.js';
import { completeConnection, requestConnection } from '../sdk/client/connect.js';
import { acceptByPin, answerRequest, issueDevicePin, listDevices, pendingRequests } from '../sdk/client/devices.js';
import { MeshClient } from '../sdk/client/index.js';
import { acceptClaimed, claimDevice, completePreconfigured, installPreconfigured, preconfigure } from '../sdk/client/preconfig.js';
import { dareKeyFromKeyPair } from '../sdk/dare/keys.js';
import {
  activateDevice, issuePin, buildAcknowledgeConnection, buildMessageClaim, buildProfileDevice, buildRespondConnection, openMeshEnvelope, readInstallation, buildRequestConnection, deriveDeviceKeys, MeshHost, newMeshSeed, pendingConnections, sealProfile,
  type CatalogedCredential,
} from '../sdk/mesh/index.js';
import { deviceCredential, keyCredential, MeshHttpClient } from '../sdk/protocol/client.js';
import { MeshHttpService } from '../sdk/protocol/service.js';
import { CONNECT_RATE, connectRateName } from '../sdk/service/mesh/connect.js';
import { checkMessages, spoolFrames } from '../sdk/service/mesh/messages.js';
import { StoreStates } from '../sdk/service/mesh/store-states.js';
import { SPOOL } from '../sdk/mesh/stores.js';
import { listenHttp } from '../adapters/node/index.js';
import { newEncryptionKey } from '../sdk/udf/fixed.js';
import { responseId } from '../sdk/udf/message-id.js';
import { boundAccount, testService, type TestDevice } from './support/mesh-service.js';

/**
 * Connecting a device through the service (protocol.md T4, T5, F2, F3) with the SDK: two homes,
 * one service. The CLI runs the same flows (cli-connect.test.ts).
 */

let service: Awaited<ReturnType<typeof testService>>;
beforeAll(async () => {
  service = await testService();
});
afterAll(async () => {
  await service?.stop();
});

async function newHome(): Promise<MeshHost> {
  return MeshHost.open(new MemoryHome());
}

async function putPassword(d: { account: TestDevice['account'] }, site: string, password: string): Promise<void> {
  const c = await d.account.catalog('credential');
  try {
    await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'alice', Password: password });
  } finally {
    await c.close();
  }
}

describe('direct connection with witness (F2)', () => {
  it('request → pending (same witness) → accept → complete → sync → the new device reads the password', async () => {
    const admin = await boundAccount(service.endpoint, 'alice@example.com');
    await putPassword(admin, 'ftp.example.com', 's3cret');
    await admin.client.sync();
    const home = await newHome();
    const req = await requestConnection(home, { address: 'alice@example.com', endpoint: service.endpoint });
    expect(req.accountUdf).toBe(admin.account.udf);
    // Before the answer: pending.
    expect((await completeConnection(home)).state).toBe('pending');
    await admin.client.sync();
    const { requests } = await pendingRequests(admin.client);
    expect(requests.map((r) => [r.witness, r.deviceUdf])).toEqual([[req.witness, req.deviceUdf]]);
    await answerRequest(admin.client, req.witness, { result: 'Accept', roles: ['web'] });
    const done = await completeConnection(home);
    expect(done.state).toBe('accepted');
    if (done.state !== 'accepted') return;
    expect(done.account.roles).toEqual(['web']);
    expect(await pendingConnections(home)).toEqual([]);
    const client = new MeshClient(done.account, { WebSocket: NodeWebSocket });
    expect((await client.sync()).downloaded).toBeGreaterThan(0);
    const c = await done.account.catalog('credential');
    try {
      expect((c.get(':ftp.example.com') as CatalogedCredential | undefined)?.Password).toBe('s3cret');
    } finally {
      await c.close();
    }
    // The request is closed on the admin: no longer pending.
    await admin.client.sync();
    expect((await pendingRequests(admin.client)).requests).toEqual([]);
    expect((await listDevices(admin.client)).map((d) => [d.deviceUdf, d.roles, d.active])).toContainEqual([req.deviceUdf, ['web'], true]);
  });

  it('reject: the device is told so and keeps nothing', async () => {
    const admin = await boundAccount(service.endpoint, 'carol@example.com');
    const home = await newHome();
    const req = await requestConnection(home, { address: 'carol@example.com', endpoint: service.endpoint });
    await admin.client.sync();
    await answerRequest(admin.client, req.witness, { result: 'Reject' });
    expect((await completeConnection(home)).state).toBe('rejected');
    expect(await pendingConnections(home)).toEqual([]);
    expect(await home.accounts()).toEqual([]);
  });
});

describe('PIN (F3)', () => {
  it('account pin → request with the PIN → sync --auto accepts with the PIN roles; the PIN is then used; a wrong PIN is rejected', async () => {
    const admin = await boundAccount(service.endpoint, 'dave@example.com');
    const pin = await issueDevicePin(admin.client, { roles: ['message'] });
    expect(pin.uri).toBe(`mcu://dave@example.com/${pin.pin}`);
    const home = await newHome();
    await requestConnection(home, { address: 'dave@example.com', endpoint: service.endpoint, pin: pin.pin });
    const reuse = await newHome();
    await requestConnection(reuse, { address: 'dave@example.com', endpoint: service.endpoint, pin: pin.pin });
    const wrong = await newHome();
    // A PIN of the right form that the account never issued.
    await requestConnection(wrong, { address: 'dave@example.com', endpoint: service.endpoint, pin: issuePin({ account: 'dave@example.com', action: 'Device' }).pin });
    await admin.client.sync();
    const outcomes = await acceptByPin(admin.client);
    expect(outcomes.map((o) => [o.result, o.reason ?? null])).toEqual(
      expect.arrayContaining([['Accept', null], ['Reject', 'MESH_PIN_USED'], ['Reject', 'MESH_PIN_INVALID']]),
    );
    const results = await Promise.all([home, reuse, wrong].map(async (h) => (await completeConnection(h)).state));
    expect(results.filter((s) => s === 'accepted')).toHaveLength(1);
    expect(results.filter((s) => s === 'rejected')).toHaveLength(2);
  });
});

describe('attacks on the connection messages', () => {
  it('an AcknowledgeConnection not signed by the service is refused by the service when another account mails it, and never offered for accept when a compromised service files it', async () => {
    const admin = await boundAccount(service.endpoint, 'gina@example.com');
    const mallory = await boundAccount(service.endpoint, 'mallory@example.com');
    // Mallory forges the service's acknowledgement of her own device's request, signed with her key, and mails it to Gina.
    const keys = deriveDeviceKeys(newMeshSeed('MeshProfileDevice'));
    const profile = sealProfile(buildProfileDevice(keys), keys.profileSignature);
    const request = buildRequestConnection({ deviceKeys: keys, deviceProfile: profile, accountAddress: 'gina@example.com' });
    const forged = buildAcknowledgeConnection({ request: request.envelope, accountProfile: admin.account.state.profile, serviceSignature: mallory.account.accountKeys().commonSignature });
    // First line: the sending service takes only sealed messages (signed by the sender, encrypted to the recipient).
    await expect(mallory.client.upload([], { outbound: [forged.envelope], accounts: ['gina@example.com'] })).rejects.toMatchObject({ errorName: 'MeshMessageInvalid' });
    await admin.client.sync();
    expect((await pendingRequests(admin.client)).invalid).toEqual([]);
    // Second line: a service whose store an attacker writes (it files the forgery in Gina's Inbound itself).
    const record = (await service.store.getAccount('gina@example.com'))!;
    const base = await new StoreStates(service.store).current(record, SPOOL.inbound);
    const built = spoolFrames(base, SPOOL.inbound, checkMessages([forged.envelope], 'AcknowledgeConnection'));
    await service.store.transact([{ account: 'gina@example.com', store: SPOOL.inbound, expectedNextIndex: base.state.frameCount, frames: built.frames, digest: built.after.state.head! }]);
    await admin.client.sync();
    const { requests, invalid } = await pendingRequests(admin.client);
    expect(requests).toEqual([]);
    expect(invalid).toEqual([expect.objectContaining({ messageId: forged.witness })]);
    await expect(answerRequest(admin.client, forged.witness, { result: 'Accept', roles: ['super'] })).rejects.toMatchObject({ code: 'MESH_NOT_FOUND' });
  });

  it('Complete hands the answer only to the device that asked: another device key gets "no answer"', async () => {
    const admin = await boundAccount(service.endpoint, 'hana@example.com');
    const home = await newHome();
    const req = await requestConnection(home, { address: 'hana@example.com', endpoint: service.endpoint });
    await admin.client.sync();
    await answerRequest(admin.client, req.witness, { result: 'Accept', roles: ['web'] });
    const keys = deriveDeviceKeys(newMeshSeed('MeshProfileDevice'));
    const profile = sealProfile(buildProfileDevice(keys), keys.profileSignature);
    const http = new MeshHttpClient({ endpoint: service.endpoint });
    await http.hello();
    await expect(http.request('Complete', { $class: 'CompleteRequest', AccountAddress: 'hana@example.com', ResponseID: responseId(req.witness) },
      deviceCredential(profile, dareKeyFromKeyPair(keys.authentication)))).rejects.toMatchObject({ errorName: 'MeshResponseNotFound' });
    expect((await completeConnection(home)).state).toBe('accepted');
  });
});

describe('push (protocol.md §2)', () => {
  it('a pending connection request reaches an administrator device that watches', async () => {
    const admin = await boundAccount(service.endpoint, 'ivan@example.com');
    const watch = admin.client.watch();
    try {
      const first = watch.next();
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      const home = await newHome();
      const req = await requestConnection(home, { address: 'ivan@example.com', endpoint: service.endpoint });
      const change = await first;
      expect(change.value).toMatchObject({ store: 'MMM_Inbound' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await pendingRequests(admin.client)).requests.map((r) => r.witness)).toEqual([req.witness]);
    } finally {
      watch.close();
    }
  });
});

describe('preconfigured device (F4; T10 Claim, T11 PollClaim)', () => {
  it('maker preconfigures → device installs → account claims the URI → device completes and reads the account', async () => {
    const maker = await boundAccount(service.endpoint, 'maker@example.com');
    const made = await preconfigure(maker.client, { description: 'thermostat' });
    expect(made.connectUri).toMatch(/^mcu:\/\/maker@example\.com\/E/);
    const home = await newHome();
    await installPreconfigured(home, made.installation, { makerEndpoint: service.endpoint });
    const endpointOf = async () => service.endpoint;
    expect((await completePreconfigured(home, { endpointOf })).state).toBe('pending');

    const alice = await boundAccount(service.endpoint, 'kim@example.com');
    await putPassword(alice, 'iot.example.com', 'p1');
    await alice.client.sync();
    // Without the secret there is nothing to claim (a URI of the right form with a guessed secret).
    const guessed = `mcu://maker@example.com/${newEncryptionKey({ bits: 128 })}`;
    await expect(claimDevice(alice.client, guessed, { makerEndpoint: service.endpoint, roles: ['web'] })).rejects.toMatchObject({ errorName: 'MeshResponseNotFound' });
    const claimed = await claimDevice(alice.client, made.connectUri, { makerEndpoint: service.endpoint, roles: ['web'] });
    expect(claimed.deviceUdf).toBe(readInstallation(made.installation).deviceUdf);
    // A second account cannot take it over.
    const mallory = await boundAccount(service.endpoint, 'mal@example.com');
    await expect(claimDevice(mallory.client, made.connectUri, { makerEndpoint: service.endpoint })).rejects.toMatchObject({ errorName: 'MeshResponseRefused' });

    const done = await completePreconfigured(home, { endpointOf });
    expect(done.state).toBe('accepted');
    if (done.state !== 'accepted') return;
    expect(done.account.udf).toBe(alice.account.udf);
    const client = new MeshClient(done.account, { WebSocket: NodeWebSocket });
    await client.sync();
    const c = await done.account.catalog('credential');
    try {
      expect((c.get(':iot.example.com') as CatalogedCredential | undefined)?.Password).toBe('p1');
    } finally {
      await c.close();
    }
  });
});

describe('attack: a service that swaps the device profile (a man in the middle at the service)', () => {
  it('the device refuses the acknowledgement of the swapped request (MESH_WITNESS) and keeps no pending request', async () => {
    const admin = await boundAccount(service.endpoint, 'jan@example.com');
    const identity = service.service.identity;
    const mallory = deriveDeviceKeys(newMeshSeed('MeshProfileDevice'));
    const malloryProfile = sealProfile(buildProfileDevice(mallory), mallory.profileSignature);
    let swappedWitness = '';
    // The same service identity (its keys stolen), answering Connect with Mallory's request in place of the device's.
    const evil = new MeshHttpService({
      serviceKey: identity.authenticationKey, resolveConnection: service.service.resolveConnection,
      handlers: {
        ...service.service.handlers,
        Connect: async () => {
          const hers = buildRequestConnection({ deviceKeys: mallory, deviceProfile: malloryProfile, accountAddress: 'jan@example.com' });
          const ack = buildAcknowledgeConnection({ request: hers.envelope, accountProfile: admin.account.state.profile, serviceSignature: identity.keys.signature });
          swappedWitness = ack.witness;
          return { $class: 'ConnectResponse', EnvelopedAcknowledgeConnection: ack.envelope, EnvelopedProfileAccount: admin.account.state.profile };
        },
      },
    });
    const server = await listenHttp(evil, { port: 0 });
    try {
      const home = await newHome();
      await expect(requestConnection(home, { address: 'jan@example.com', endpoint: `http://127.0.0.1:${server.port}/.well-known/mmm/` }))
        .rejects.toMatchObject({ code: 'MESH_WITNESS' });
      expect(swappedWitness).not.toBe('');
      expect(await pendingConnections(home)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('attack: another account answers a claim first', () => {
  it('an administrator of another account who learnt the claim id files an answer first: the device still gets its claimant\'s answer', async () => {
    const maker = await boundAccount(service.endpoint, 'maker2@example.com');
    const made = await preconfigure(maker.client);
    const inst = readInstallation(made.installation);
    const home = await newHome();
    await installPreconfigured(home, made.installation, { makerEndpoint: service.endpoint });
    const alice = await boundAccount(service.endpoint, 'lia@example.com');
    const keys = alice.account.accountKeys();
    const built = buildMessageClaim({ connectUri: made.connectUri, claimant: 'lia@example.com', commonSignature: keys.commonSignature });
    const http = new MeshHttpClient({ endpoint: service.endpoint });
    await http.hello();
    await http.request('Claim', { $class: 'ClaimRequest', EnvelopedMessageClaim: built.envelope }, keyCredential(dareKeyFromKeyPair(keys.commonAuthentication)));
    // Mallory polls the claim (PollClaim answers any key) and answers it first, for her own account.
    const mallory = await boundAccount(service.endpoint, 'mallory2@example.com');
    const polled = await http.request('PollClaim', { $class: 'PollClaimRequest', PublicationId: inst.publication.publicationId },
      keyCredential(dareKeyFromKeyPair(deriveDeviceKeys(newMeshSeed('MeshProfileDevice')).authentication)));
    const claimId = (openMeshEnvelope(polled.EnvelopedMessage!, 'MessageClaim').object as { MessageId: string }).MessageId;
    expect(claimId).toBe(built.claim.MessageId);
    const mk = mallory.account.accountKeys();
    const hers = activateDevice({ account: mk, accountProfile: mallory.account.state.profile, deviceProfile: inst.deviceProfile, roles: ['super'] });
    const squat = buildRespondConnection({ requestId: claimId, result: 'Accept', catalogedDevice: hers.catalogedDevice, deviceProfile: inst.deviceProfile, administratorSignature: mk.administratorSignature });
    expect((await mallory.client.upload([], { local: [squat] })).accepted).toBe(true);
    // Then Lia accepts.
    await acceptClaimed(alice.client, { claimId, deviceProfile: inst.deviceProfile, roles: ['web'] });
    const done = await completePreconfigured(home, { endpointOf: async () => service.endpoint });
    expect(done.state).toBe('accepted');
    if (done.state === 'accepted') expect(done.account.udf).toBe(alice.account.udf);
  });
});

describe('attack: flooding an account with connection requests', () => {
  it(`a stranger gets ${CONNECT_RATE} requests into the account's Inbound, then 429`, async () => {
    await boundAccount(service.endpoint, 'flood@example.com');
    const http = new MeshHttpClient({ endpoint: service.endpoint });
    await http.hello();
    const connect = async (): Promise<void> => {
      const keys = deriveDeviceKeys(newMeshSeed('MeshProfileDevice'));
      const profile = sealProfile(buildProfileDevice(keys), keys.profileSignature);
      const request = buildRequestConnection({ deviceKeys: keys, deviceProfile: profile, accountAddress: 'flood@example.com' });
      await http.request('Connect', { $class: 'ConnectRequest', EnvelopedRequestConnection: request.envelope }, deviceCredential(profile, dareKeyFromKeyPair(keys.authentication)));
    };
    for (let i = 0; i < CONNECT_RATE; i++) await connect();
    await expect(connect()).rejects.toMatchObject({ status: 429 });
  });
});

describe('unbind forgets the service\'s records about the account (protocol.md F11)', () => {
  /** The names of the service's records that name `address` (as account, publisher or claimant), and its connection allowance. */
  async function recordsOf(address: string): Promise<string[]> {
    const out: string[] = [];
    let after: string | undefined;
    for (;;) {
      const names = await service.store.listRecords({ ...(after ? { after } : {}), limit: 1000 });
      for (const name of names) {
        if (name === connectRateName(address)) {
          out.push(name);
          continue;
        }
        try {
          const o = JSON.parse(new TextDecoder().decode((await service.store.getRecord(name))!)) as Record<string, unknown>;
          if ([o['account'], o['publisher'], o['claimant']].includes(address)) out.push(name);
        } catch {
          // not a JSON record (service identity, …)
        }
      }
      if (names.length < 1000) return out;
      after = names[names.length - 1];
    }
  }

  it('connection requests, the allowance, publications, claims, answers and last-sync notes of an unbound account go; another account\'s stay', async () => {
    const maker = await boundAccount(service.endpoint, 'olga@example.com');
    const buyer = await boundAccount(service.endpoint, 'pete@example.com');
    const other = await boundAccount(service.endpoint, 'quin@example.com');
    await requestConnection(await newHome(), { address: 'olga@example.com', endpoint: service.endpoint });
    await requestConnection(await newHome(), { address: 'quin@example.com', endpoint: service.endpoint });
    const made = await preconfigure(maker.client);
    await claimDevice(buyer.client, made.connectUri, { makerEndpoint: service.endpoint, roles: ['web'] });
    await maker.client.sync(); // its last sync is noted (device-seen.ts)
    const makers = await recordsOf('olga@example.com');
    const names = (prefix: string) => makers.filter((n) => n.startsWith(prefix)).length;
    // The test can fail: each kind is there before.
    expect([names('mmm.connect.'), names('mmm.connect-rate.'), names('mmm.publication.'), names('mmm.claim.'), names('mmm.seen.')]).toEqual([1, 1, 1, 1, 1]);
    const buyers = await recordsOf('pete@example.com');
    expect(buyers.some((n) => n.startsWith('mmm.answer.'))).toBe(true);
    const others = await recordsOf('quin@example.com');
    expect(others.length).toBe(2);

    await maker.client.unbind();
    expect(await recordsOf('olga@example.com')).toEqual([]);
    // The claim (publisher olga, claimant pete) went with olga; pete's own answer stays until pete goes.
    expect(await recordsOf('pete@example.com')).toEqual(buyers.filter((n) => !makers.includes(n)));
    await buyer.client.unbind();
    expect(await recordsOf('pete@example.com')).toEqual([]);
    expect(await recordsOf('quin@example.com')).toEqual(others);
    await other.client.unbind();
    expect(await recordsOf('quin@example.com')).toEqual([]);
  });
});
