import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dareKeyFromKeyPair } from '../sdk/dare/keys.js';
import { MeshClient, pushTicketSource } from '../sdk/client/index.js';
import {
  deriveAccountKeys, newMeshSeed, publicKeyOf, sealMeshObject, type AccessCapability, type MessageContact, type CatalogedCredential,
} from '../sdk/mesh/index.js';
import { nonce } from '../sdk/udf/fixed.js';
import { envelopeId } from '../sdk/udf/message-id.js';
import { frameEnvelope, keyCredential, MeshProtocolError, UnauthenticatedResponseError } from '../sdk/protocol/index.js';
import { boundAccount, editCapability, refusal, secondDevice, testService, type TestDevice } from './support/mesh-service.js';

/**
 * Access on the Mesh service (mesh-model.md §7, §8.5; protocol.md T3, T6–T8): what a device may
 * read and write is what its AccessCapability's roles grant, an inactive or missing capability
 * gets nothing (sync, download, transact, push tickets and open sockets), a capability whose
 * CatalogedDevice the administrator did not sign admits no one, the account key serves only the
 * first upload, and watch, unbind, restart and local message delivery work end to end.
 */

let service: Awaited<ReturnType<typeof testService>>;
beforeAll(async () => {
  service = await testService({ service: { push: { keepaliveMs: 0 } } });
});
afterAll(async () => {
  await service?.stop();
});

async function putPassword(d: TestDevice, site: string, password: string): Promise<void> {
  const c = await d.account.catalog('credential');
  try {
    await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'u', Password: password });
  } finally {
    await c.close();
  }
}


describe('Mesh service: who may do what', () => {
  it('a message-only device sees and writes only what its roles grant (403 for the credential catalog)', async () => {
    const admin = await boundAccount(service.endpoint, 'ann@example.com');
    await putPassword(admin, 'bank.example.com', 'secret');
    await admin.client.sync();
    const phone = await secondDevice(admin, ['message']);
    await phone.client.sync();
    const heads = await service.store.heads('ann@example.com');
    const status = await phone.client.http.request('Status', { $class: 'StatusRequest', Account: 'ann@example.com' }, phone.client.deviceCredential());
    const seen = (status.ContainerStatus ?? []).map((c) => c.Container).sort();
    expect(seen).toEqual(['MMM_Application', 'MMM_Contact', 'MMM_Inbound', 'MMM_Network', 'MMM_Outbound', 'MMM_Publication']);
    const e1 = await refusal(phone.client.http.request('Download', {
      $class: 'DownloadRequest', Account: 'ann@example.com', Select: [{ Container: 'MMM_Credential', IndexMin: 0 }],
    }, phone.client.deviceCredential()));
    expect([e1.status, e1.errorName]).toEqual([403, 'NotAuthorized']);
    // Frames the admin built for the credential catalog, replayed by the phone: refused, nothing written.
    const c = await admin.account.catalog('credential');
    await c.put({ $class: 'CatalogedCredential', Service: 'x.example.com', Username: 'u', Password: 'p' });
    const out = await c.outgoing();
    await c.close();
    const e2 = await refusal(phone.client.http.request('Transact', {
      $class: 'TransactRequest', Account: 'ann@example.com',
      Updates: [{ Container: 'MMM_Credential', Index: out.index, Digest: out.digest, Envelopes: out.frames.map(frameEnvelope) }],
    }, phone.client.deviceCredential()));
    expect(e2.status).toBe(403);
    expect(await service.store.heads('ann@example.com')).toEqual(heads);
    // And the phone has no key for it anyway.
    await expect(phone.account.catalog('credential')).rejects.toMatchObject({ code: 'MESH_NOT_AUTHORIZED' });
  });

  it('the account key (held by every message device) is refused once the account has devices', async () => {
    const admin = await boundAccount(service.endpoint, 'bea@example.com');
    const phone = await secondDevice(admin, ['message']);
    // The phone holds CommonAuthentication (the message role grants it) — a revoked phone would too.
    const key = phone.account.activation.accountKeys.Authentication!;
    const e = await refusal(phone.client.http.request('Status', { $class: 'StatusRequest', Account: 'bea@example.com' }, keyCredential(key)));
    expect([e.status, e.errorName]).toEqual([403, 'NotAuthorized']);
    const u = await refusal(phone.client.http.request('UnbindAccount', { $class: 'UnbindRequest', Account: 'bea@example.com' }, keyCredential(key)));
    expect(u.status).toBe(403);
    const other = dareKeyFromKeyPair(deriveAccountKeys(newMeshSeed('MeshProfileAccount')).commonAuthentication);
    const w = await refusal(phone.client.http.request('Status', { $class: 'StatusRequest', Account: 'bea@example.com' }, keyCredential(other)));
    expect(w.status).toBe(403);
    expect(await service.store.getAccount('bea@example.com')).toBeDefined();
  });

  it('a revoked device gets a signed 403 DeviceRevoked everywhere, its socket closes, its push tickets are refused', async () => {
    const admin = await boundAccount(service.endpoint, 'cid@example.com');
    const laptop = await secondDevice(admin, ['web']);
    await laptop.client.sync();
    const keyid = laptop.account.activation.keys.authentication.udf;
    const watch = laptop.client.watch();
    const first = watch.next();
    await putPassword(admin, 'a.example.com', '1');
    await admin.client.sync();
    expect((await first).value).toMatchObject({ store: 'MMM_Credential', downloaded: 1 });
    const ended = watch.next().then(() => undefined, (e: unknown) => e);
    await editCapability(admin, keyid, (c) => ({ ...c, Active: false }));
    const sync = await refusal(laptop.client.sync());
    expect([sync.status, sync.extendedName]).toEqual([403, 'DeviceRevoked']);
    const ticket = await refusal(pushTicketSource(laptop.client.http, 'cid@example.com', laptop.client.deviceCredential())());
    expect(ticket.status).toBe(403);
    // The open socket was closed at once (4403): the watch asks for a ticket again, gets the final refusal.
    expect(await ended).toBeInstanceOf(MeshProtocolError);
    // The entry gone altogether: the key is unknown, the refusal cannot even be signed.
    await editCapability(admin, keyid, () => undefined);
    await expect(laptop.client.sync()).rejects.toBeInstanceOf(UnauthenticatedResponseError);
  });

  it('a capability whose CatalogedDevice the administrator did not sign admits no one', async () => {
    const admin = await boundAccount(service.endpoint, 'dot@example.com');
    const laptop = await secondDevice(admin, ['web']);
    await laptop.client.sync();
    const keyid = laptop.account.activation.keys.authentication.udf;
    // Someone with the MMM_Access store key but not the administrator key re-signs the entry.
    const forger = dareKeyFromKeyPair(deriveAccountKeys(newMeshSeed('MeshProfileAccount')).administratorSignature);
    await editCapability(admin, keyid, (c) => ({
      ...c, EnvelopedCatalogedDevice: sealMeshObject(laptop.account.state.catalogedDevice, { signers: [forger] }),
    }));
    await expect(laptop.client.sync()).rejects.toBeInstanceOf(UnauthenticatedResponseError);
  });

  it('watch: a change on one device reaches the other as a downloaded frame', async () => {
    const admin = await boundAccount(service.endpoint, 'eve@example.com');
    const laptop = await secondDevice(admin, ['web']);
    await laptop.client.sync();
    const watch = laptop.client.watch();
    const next = watch.next();
    await putPassword(admin, 'shop.example.com', 'pw');
    await admin.client.sync();
    const change = (await next).value!;
    watch.close();
    expect(change).toMatchObject({ store: 'MMM_Credential', downloaded: 1 });
    const c = await laptop.account.catalog('credential');
    expect((c.get(':shop.example.com') as CatalogedCredential).Password).toBe('pw');
    await c.close();
  });

  it('unbind: only an administrator device; the account and its stores are gone, the address is free again', async () => {
    const admin = await boundAccount(service.endpoint, 'fay@example.com');
    const phone = await secondDevice(admin, ['web']);
    const e = await refusal(phone.client.unbind());
    expect([e.status, e.extendedName]).toEqual([403, 'NotAdministrator']);
    await admin.client.unbind();
    expect(await service.store.getAccount('fay@example.com')).toBeUndefined();
    expect(await service.store.heads('fay@example.com').catch(() => [])).toEqual([]);
    const again = await boundAccount(service.endpoint, 'fay@example.com');
    expect(again.account.service?.serviceUdf).toBe(service.udf);
  });

  it('a bound account of another profile cannot be taken over: 409 AccountRegistered', async () => {
    await boundAccount(service.endpoint, 'gus@example.com');
    const e = await boundAccount(service.endpoint, 'gus@example.com').then(() => undefined, (x: unknown) => x);
    expect(e).toMatchObject({ status: 409, extendedName: 'AccountRegistered', errorName: 'MeshAccountAlreadyRegistered' });
  });

  it('messages to a local account land in its inbound (and in the sender\'s outbound) in the same commit', async () => {
    const alice = await boundAccount(service.endpoint, 'hal@example.com');
    const bob = await boundAccount(service.endpoint, 'ivy@example.com');
    const bobKeys = bob.account.profile.CommonEncryption!;
    const messageId = nonce();
    // A contact request: ingress control admits it from anyone (a confirmation only from a contact, mesh-messaging.test.ts).
    const message = sealMeshObject<MessageContact>({ $class: 'MessageContact', MessageId: messageId, Sender: 'hal@example.com', Recipient: 'ivy@example.com', Subject: 'start?' }, {
      recipients: [publicKeyOf(bobKeys)], envelopeId: envelopeId(messageId), uniqueId: messageId,
      signers: [alice.account.activation.accountKeys.Signature!],
    });
    await alice.client.sync();
    await alice.client.http.request('Transact', {
      $class: 'TransactRequest', Account: 'hal@example.com', Outbound: [message], Accounts: ['ivy@example.com'],
    }, alice.client.deviceCredential());
    await bob.client.sync();
    await alice.client.sync();
    const inbound = await bob.account.spool('inbound');
    expect(inbound.get(messageId)?.messageType).toBe('MessageContact');
    await inbound.close();
    const outbound = await alice.account.spool('outbound');
    expect(outbound.get(messageId)?.messageType).toBe('MessageContact');
    await outbound.close();
    const unknown = await refusal(alice.client.http.request('Transact', {
      $class: 'TransactRequest', Account: 'hal@example.com', Outbound: [message], Accounts: ['nobody@example.com'],
    }, alice.client.deviceCredential()));
    expect(unknown.errorName).toBe('MeshUnknownAccount');
  });

  it('a restart keeps the service UDF and every account: clients sync on as before', async () => {
    const own = await testService();
    const alice = await boundAccount(own.endpoint, 'joe@example.com');
    await putPassword(alice, 'a.example.com', '1');
    await alice.client.sync();
    const udf = own.udf;
    await own.close();
    const again = await testService({ data: own.data, port: own.port });
    try {
      expect(again.udf).toBe(udf);
      await putPassword(alice, 'b.example.com', '2');
      expect((await alice.client.sync()).uploaded).toBe(1);
      expect((await again.store.head('joe@example.com', 'MMM_Credential')).nextIndex).toBe(3);
    } finally {
      await again.stop();
      const { rmSync } = await import('node:fs');
      rmSync(own.data, { recursive: true, force: true });
    }
  });

  it('an account bound here talks to no other service: Hello elsewhere is PROTOCOL_SERVICE_MISMATCH, nothing is signed for it', async () => {
    const alice = await boundAccount(service.endpoint, 'kim@example.com');
    const other = await testService();
    try {
      const c = new MeshClient(alice.account, { endpoint: other.endpoint });
      await expect(c.sync()).rejects.toMatchObject({ code: 'PROTOCOL_SERVICE_MISMATCH' });
      await expect(c.bind()).rejects.toMatchObject({ code: 'PROTOCOL_SERVICE_MISMATCH' });
      expect(await other.store.getAccount('kim@example.com')).toBeUndefined();
    } finally {
      await other.stop();
    }
  });
});
