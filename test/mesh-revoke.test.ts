import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryHome } from '../adapters/home/memory.js';
import { NodeWebSocket } from '../adapters/http/node-push.js';
import { dareKeyFromKeyPair, publicPart, type DarePrivateKey } from '../sdk/dare/keys.js';
import { bytesStore } from '../sdk/dare/sequence/bytes-store.js';
import { SequenceReader } from '../sdk/dare/sequence/reader.js';
import { completeConnection, requestConnection } from '../sdk/client/connect.js';
import { answerRequest, authorizeDevice, listDevices, revokeDevice } from '../sdk/client/devices.js';
import { MeshClient } from '../sdk/client/index.js';
import { MeshMessages } from '../sdk/client/messages.js';
import {
  dareKeyFromCombined, deriveDeviceKeys, keyDataOf, MeshHost, newMeshSeed, openMeshEnvelope, sealMeshObject, storeKeyEntry, storeSequenceName,
  type Catalog, type CatalogedAccess, type ContainerUpdate, type KeyData, type MeshAccount, type StoreKeyCapability,
} from '../sdk/mesh/index.js';
import { frameEnvelope } from '../sdk/protocol/frames.js';
import { MeshProtocolError } from '../sdk/protocol/status.js';
import { checkMessages, spoolFrames } from '../sdk/service/mesh/messages.js';
import { StoreStates } from '../sdk/service/mesh/store-states.js';
import { ServiceConflictError } from '../sdk/service/store-errors.js';
import { nonce } from '../sdk/udf/fixed.js';
import { envelopeId } from '../sdk/udf/message-id.js';
import { boundAccount, testService, type TestDevice } from './support/mesh-service.js';

/**
 * Rights and revocation (mesh-model.md §7; protocol.md F10): a device gets exactly the store keys
 * its roles grant, and a revoked device is refused by the service at once. Each promise is
 * attacked with what the device really holds (its home's secrets and files).
 */

let service: Awaited<ReturnType<typeof testService>>;
beforeAll(async () => {
  service = await testService();
});
afterAll(async () => {
  await service?.stop();
});

/** Connects a new device to `admin`'s account with `roles` through the real flow (F2). */
async function connectDevice(admin: TestDevice, roles: readonly string[]): Promise<{ home: MemoryHome; host: MeshHost; account: MeshAccount; client: MeshClient }> {
  const home = new MemoryHome();
  const host = await MeshHost.open(home);
  const req = await requestConnection(host, { address: admin.account.address, endpoint: service.endpoint });
  await admin.client.sync();
  await answerRequest(admin.client, req.witness, { result: 'Accept', roles });
  const done = await completeConnection(host);
  if (done.state !== 'accepted') throw new Error(`not accepted: ${done.state}`);
  const client = new MeshClient(done.account, { WebSocket: NodeWebSocket });
  await client.sync();
  return { home, host, account: done.account, client };
}

/** Every private key a device's home holds for an account: base keys, co-generated keys, granted account keys, store keys. */
async function everyKeyOf(host: MeshHost, account: MeshAccount): Promise<DarePrivateKey[]> {
  const secrets = (await host.secretVault()).read(`accounts/${account.udf}/secrets.json`);
  const base = deriveDeviceKeys((await secrets)!['deviceSeed']!);
  const a = account.activation;
  return [
    ...[base.encryption, base.authentication].map((k) => dareKeyFromKeyPair(k)),
    ...[a.keys.encryption, a.keys.authentication].map(dareKeyFromCombined),
    ...Object.values(a.accountKeys).filter((k): k is DarePrivateKey => k !== undefined && k.algorithm === 'X448'),
    ...a.storeKeys.values(),
    ...[...a.rekeyed.values()].flat(),
  ];
}

/** How many frames after frame 0 of `bytes` open with `keys`. */
async function framesReadable(bytes: Uint8Array, keys: readonly DarePrivateKey[]): Promise<{ readable: number; total: number }> {
  const reader = await SequenceReader.open(bytesStore(bytes), { keys });
  let readable = 0;
  for (let i = 1; i < reader.frameCount; i++) {
    try {
      await reader.plaintext(i);
      readable++;
    } catch {
      // not with these keys
    }
  }
  return { readable, total: reader.frameCount - 1 };
}

async function storeBytes(home: MemoryHome, accountUdf: string, label: string): Promise<Uint8Array> {
  const seq = await home.openSequence(storeSequenceName(accountUdf, label));
  try {
    return await seq.read(0, seq.size);
  } finally {
    await seq.close();
  }
}

async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof MeshProtocolError) return `${e.status} ${e.extendedName ?? ''}`.trim();
    throw e;
  }
}

describe('roles → rights (mesh-model.md §7)', () => {
  it('attack: a message-only device cannot decrypt the credential catalog, with any key its home holds, nor download it', async () => {
    const admin = await boundAccount(service.endpoint, 'erin@example.com');
    const c = await admin.account.catalog('credential');
    try {
      await c.put({ $class: 'CatalogedCredential', Service: 'bank.example.com', Username: 'erin', Password: 'top-secret' });
    } finally {
      await c.close();
    }
    await admin.client.sync();
    const phone = await connectDevice(admin, ['message']);
    expect(phone.account.storeLabels).not.toContain('MMM_Credential');
    expect(phone.account.storeLabels).toContain('MMM_Inbound');
    await expect(phone.account.catalog('credential')).rejects.toMatchObject({ code: 'MESH_NOT_AUTHORIZED' });
    // The service refuses the download.
    expect(await refusal(phone.client.http.request('Download', {
      $class: 'DownloadRequest', Account: 'erin@example.com', Select: [{ Container: 'MMM_Credential', IndexMin: 0 }],
    }, phone.client.deviceCredential()))).toBe('403 NotAuthorized');
    // With the credential store's bytes (taken from the admin's home), every key the phone holds opens nothing.
    const bytes = await storeBytes(admin.home, admin.account.udf, 'MMM_Credential');
    const keys = await everyKeyOf(phone.host, phone.account);
    const seen = await framesReadable(bytes, keys);
    expect(seen.total).toBeGreaterThan(0);
    expect(seen.readable).toBe(0);
    // Control: the admin's keys do open them (the test can fail).
    expect((await framesReadable(bytes, await everyKeyOf(admin.host, admin.account))).readable).toBe(seen.total);
  });
});

describe('revocation (protocol.md F10)', () => {
  it('device delete: the service refuses the device at once (Status, Download, Transact), its push watch ends; the others go on', async () => {
    const admin = await boundAccount(service.endpoint, 'frank@example.com');
    const phone = await connectDevice(admin, ['web']);
    const laptop = await connectDevice(admin, ['web']);
    expect((await phone.client.status()).stores.length).toBeGreaterThan(0);
    const watch = phone.client.watch();
    const ended = (async () => {
      try {
        for await (const _ of watch) { /* changes before the revocation */ }
        return 'ended';
      } catch (e) {
        return e instanceof MeshProtocolError ? `${e.status} ${e.extendedName ?? ''}`.trim() : String(e);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const revoked = await revokeDevice(admin.client, phone.account.deviceUdf);
    expect(revoked.keyids).toEqual([phone.account.activation.keys.authentication.udf]);
    expect(await refusal(phone.client.status())).toBe('403 DeviceRevoked');
    expect(await refusal(phone.client.sync())).toBe('403 DeviceRevoked');
    expect(await refusal(phone.client.http.request('Download', {
      $class: 'DownloadRequest', Account: 'frank@example.com', Select: [{ Container: 'MMM_Credential', IndexMin: 0 }],
    }, phone.client.deviceCredential()))).toBe('403 DeviceRevoked');
    const c = await phone.account.catalog('credential');
    try {
      await c.put({ $class: 'CatalogedCredential', Service: 'evil.example.com', Username: 'x', Password: 'y' });
    } finally {
      await c.close();
    }
    expect(await refusal(phone.client.upload(['MMM_Credential']))).toBe('403 DeviceRevoked');
    // The push socket is closed and no new ticket is given: the watch ends with the service's signed refusal.
    expect(await Promise.race([ended, new Promise((r) => setTimeout(() => r('still watching'), 5000))])).toMatch(/^403 (DeviceRevoked|NotAuthorized)$/);
    watch.close();
    // The laptop is unaffected; the admin no longer lists the phone as active.
    expect((await laptop.client.sync()).downloaded).toBeGreaterThanOrEqual(0);
    expect(await refusal(laptop.client.status())).toBeUndefined();
  });

  it('re-keying: frames written after the revocation open with nothing the revoked home holds; the remaining devices read them', async () => {
    const admin = await boundAccount(service.endpoint, 'gail@example.com');
    const put = async (d: { account: MeshAccount }, site: string, password: string): Promise<void> => {
      const c = await d.account.catalog('credential');
      try {
        await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'gail', Password: password });
      } finally {
        await c.close();
      }
    };
    const get = async (d: { account: MeshAccount }, site: string): Promise<string | undefined> => {
      const c = await d.account.catalog('credential');
      try {
        return (c.get(`:${site}`) as { Password?: string } | undefined)?.Password;
      } finally {
        await c.close();
      }
    };
    await put(admin, 'old.example.com', 'before');
    await admin.client.sync();
    const phone = await connectDevice(admin, ['web']);
    const laptop = await connectDevice(admin, ['web']);
    expect(await get(phone, 'old.example.com')).toBe('before');
    const before = (await storeBytes(admin.home, admin.account.udf, 'MMM_Credential')).length;

    const r = await revokeDevice(admin.client, phone.account.deviceUdf);
    expect(r.rekeyed.get('MMM_Credential')).toBe(1);
    expect(r.reissued).toEqual(expect.arrayContaining([admin.account.deviceUdf, laptop.account.deviceUdf]));
    expect(admin.account.storeGenerations.get('MMM_Credential')).toBe(1);
    // Written after the revocation, by the admin and by the laptop (which takes up its new keys at its sync).
    await put(admin, 'new.example.com', 'after');
    await admin.client.sync();
    await laptop.client.sync();
    expect(laptop.account.storeGenerations.get('MMM_Credential')).toBe(1);
    expect(await get(laptop, 'new.example.com')).toBe('after');
    await put(laptop, 'laptop.example.com', 'after-2');
    await laptop.client.sync();
    await admin.client.sync();
    expect(await get(admin, 'laptop.example.com')).toBe('after-2');

    // The revoked phone, with every key its home holds, against the admin's store file.
    const bytes = await storeBytes(admin.home, admin.account.udf, 'MMM_Credential');
    const phoneKeys = await everyKeyOf(phone.host, phone.account);
    const reader = await SequenceReader.open(bytesStore(bytes), { keys: phoneKeys });
    const newFrames: number[] = [];
    for (let i = 1; i < reader.frameCount; i++) if ((await reader.frame(i)).start >= before) newFrames.push(i);
    expect(newFrames.length).toBeGreaterThanOrEqual(2);
    for (const i of newFrames) await expect(reader.plaintext(i)).rejects.toThrow();
    // Documented limit: what the phone could read before, it still can (its copy, its old key).
    await expect(reader.plaintext(1)).resolves.toBeInstanceOf(Uint8Array);
    // Control: the laptop's keys open the new frames.
    const laptopReader = await SequenceReader.open(bytesStore(bytes), { keys: await everyKeyOf(laptop.host, laptop.account) });
    for (const i of newFrames) await expect(laptopReader.plaintext(i)).resolves.toBeInstanceOf(Uint8Array);
  });

  it('device auth: a message-only device gets web, and reads the credential catalog after its next sync', async () => {
    const admin = await boundAccount(service.endpoint, 'hugo@example.com');
    const c = await admin.account.catalog('credential');
    try {
      await c.put({ $class: 'CatalogedCredential', Service: 'x.example.com', Username: 'h', Password: 'granted' });
    } finally {
      await c.close();
    }
    await admin.client.sync();
    const phone = await connectDevice(admin, ['message']);
    await expect(phone.account.catalog('credential')).rejects.toMatchObject({ code: 'MESH_NOT_AUTHORIZED' });
    await authorizeDevice(admin.client, phone.account.deviceUdf, ['web']);
    await phone.client.sync();
    expect(phone.account.roles).toEqual(['web']);
    const cc = await phone.account.catalog('credential');
    try {
      expect((cc.get(':x.example.com') as { Password?: string } | undefined)?.Password).toBe('granted');
    } finally {
      await cc.close();
    }
  });

  it('attack: device auth taking rights away re-keys them: a web device made message-only opens no credential frame written afterwards, with any key its home held; the others do', async () => {
    const admin = await boundAccount(service.endpoint, 'owen@example.com');
    const put = async (d: { account: MeshAccount }, site: string): Promise<void> => {
      const c = await d.account.catalog('credential');
      try {
        await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'owen', Password: `pw-${site}` });
      } finally {
        await c.close();
      }
    };
    await put(admin, 'before.example.com');
    await admin.client.sync();
    const phone = await connectDevice(admin, ['web']);
    const laptop = await connectDevice(admin, ['web']);
    const heldBefore = await everyKeyOf(phone.host, phone.account);
    const before = (await storeBytes(admin.home, admin.account.udf, 'MMM_Credential')).length;

    const r = await authorizeDevice(admin.client, phone.account.deviceUdf, ['message']);
    expect(r.rekeyed.get('MMM_Credential')).toBe(1);
    expect(r.rekeyed.has('MMM_Inbound')).toBe(false); // still granted: not re-keyed
    await put(admin, 'after.example.com');
    await admin.client.sync();
    await phone.client.sync();
    expect(phone.account.roles).toEqual(['message']);
    await laptop.client.sync();
    await put(laptop, 'laptop.example.com');
    await laptop.client.sync();
    await admin.client.sync();

    const bytes = await storeBytes(admin.home, admin.account.udf, 'MMM_Credential');
    const phoneKeys = [...heldBefore, ...await everyKeyOf(phone.host, phone.account)];
    const reader = await SequenceReader.open(bytesStore(bytes), { keys: phoneKeys });
    const newFrames: number[] = [];
    for (let i = 1; i < reader.frameCount; i++) if ((await reader.frame(i)).start >= before) newFrames.push(i);
    expect(newFrames.length).toBeGreaterThanOrEqual(2);
    for (const i of newFrames) await expect(reader.plaintext(i)).rejects.toThrow();
    const laptopReader = await SequenceReader.open(bytesStore(bytes), { keys: await everyKeyOf(laptop.host, laptop.account) });
    for (const i of newFrames) await expect(laptopReader.plaintext(i)).resolves.toBeInstanceOf(Uint8Array);
    // A device does not give up its own rights (it could not re-key itself out of them).
    await expect(authorizeDevice(admin.client, admin.account.deviceUdf, ['web'])).rejects.toMatchObject({ code: 'MESH_BAD_ARGUMENT' });
  });

  it('revoking an administrator device re-keys MMM_Access and MMM_Local too; a device connected afterwards reads frames of both key generations; a super device can still join', async () => {
    const admin = await boundAccount(service.endpoint, 'iris@example.com');
    const put = async (site: string, password: string): Promise<void> => {
      const c = await admin.account.catalog('credential');
      try {
        await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'iris', Password: password });
      } finally {
        await c.close();
      }
    };
    await put('before.example.com', 'gen0');
    await admin.client.sync();
    const second = await connectDevice(admin, ['admin']);
    const r = await revokeDevice(admin.client, second.account.deviceUdf);
    expect(r.rekeyed.get('MMM_Access')).toBe(1);
    expect(r.rekeyed.get('MMM_Local')).toBe(1);
    expect(r.rekeyed.get('MMM_Device')).toBeUndefined(); // admin grants Local, Access and the user stores, not MMM_Device
    await put('after.example.com', 'gen1');
    await admin.client.sync();
    // The service still reads MMM_Access (its frames now go to the new key and its AccessEncrypt key): devices keep working.
    const late = await connectDevice(admin, ['web']);
    expect(late.account.storeGenerations.get('MMM_Credential')).toBe(1);
    const c = await late.account.catalog('credential');
    try {
      expect((c.get(':before.example.com') as { Password?: string } | undefined)?.Password).toBe('gen0');
      expect((c.get(':after.example.com') as { Password?: string } | undefined)?.Password).toBe('gen1');
    } finally {
      await c.close();
    }
    expect(await refusal(second.client.status())).toBe('403 DeviceRevoked');
    // The largest activation (super: every key, every store, two generations) still travels in one RespondConnection.
    const root = await connectDevice(admin, ['super']);
    expect(root.account.isAdministrator).toBe(true);
  });
});


describe('device list: last sync (as the service tells an administrator device)', () => {
  it('the service notes each device\'s last Status or Download and tells an administrator device, not another one', async () => {
    const admin = await boundAccount(service.endpoint, 'mona@example.com');
    const phone = await connectDevice(admin, ['web']);
    const before = Date.now() - 1000;
    await phone.client.sync();
    const listed = await listDevices(admin.client, { lastSync: true });
    const seen = listed.find((d) => d.deviceUdf === phone.account.deviceUdf)?.lastSync;
    expect(seen).toBeInstanceOf(Date);
    expect(seen!.getTime()).toBeGreaterThanOrEqual(before - 60_000);
    expect(seen!.getTime()).toBeLessThanOrEqual(Date.now());
    // A web device asking gets no times.
    const asked = await phone.client.http.request('Status', { $class: 'StatusRequest', Account: 'mona@example.com', Seen: true }, phone.client.deviceCredential());
    expect(asked.DevicesSeen).toBeUndefined();
  });
});

describe('after re-keying, what the service writes into the spools (mesh-model.md §7 re-keying, §9)', () => {
  /** The frames of `label` in `home` that start at or after byte `from`, and how many of them `keys` open. */
  async function newFrames(home: MemoryHome, accountUdf: string, label: string, from: number, keys: readonly DarePrivateKey[]): Promise<{ total: number; readable: number }> {
    const reader = await SequenceReader.open(bytesStore(await storeBytes(home, accountUdf, label)), { keys });
    let total = 0;
    let readable = 0;
    for (let i = 1; i < reader.frameCount; i++) {
      if ((await reader.frame(i)).start < from) continue;
      total++;
      try {
        await reader.plaintext(i);
        readable++;
      } catch {
        // not with these keys
      }
    }
    return { total, readable };
  }

  it('attack: a delivery from another account, a Connect acknowledgement, a Local answer and an Outbound message written after the revocation open with nothing the revoked home holds; the remaining devices read them', async () => {
    const admin = await boundAccount(service.endpoint, 'jack@example.com');
    const mallory = await boundAccount(service.endpoint, 'kate@example.com');
    const revoked = await connectDevice(admin, ['admin']);
    const laptop = await connectDevice(admin, ['web']);
    await admin.client.sync();
    const size = async (label: string): Promise<number> => (await storeBytes(admin.home, admin.account.udf, label)).length;
    const before = { inbound: await size('MMM_Inbound'), local: await size('MMM_Local'), outbound: await size('MMM_Outbound') };

    const r = await revokeDevice(admin.client, revoked.account.deviceUdf);
    expect(r.rekeyed.get('MMM_Inbound')).toBe(1);
    expect(r.rekeyed.get('MMM_Local')).toBe(1);
    // The revocation's commit moved each re-keyed spool with its key (a delivery built on the spool as
    // it was, for the old key, conflicts and is built again): the service spooled the announcement there.
    await admin.client.sync();
    for (const kind of ['inbound', 'outbound', 'local'] as const) {
      const spool = await admin.account.spool(kind);
      try {
        const [announced, ...more] = spool.list({ messageType: 'StoreKey' });
        expect(more).toEqual([]);
        const key = openMeshEnvelope(await spool.read(announced!.messageId), 'StoreKey', { signers: [publicPart(dareKeyFromKeyPair(admin.account.accountKeys().administratorSignature))] });
        expect([key.object.Store, key.object.Generation]).toEqual([spool.label, 1]);
      } finally {
        await spool.close();
      }
    }
    // Written by the service after the revocation: another account's contact request (a delivery),
    // a new device's Connect (AcknowledgeConnection), the admin's answer to it (Local[] message).
    await new MeshMessages(mallory.client).contactRequest('jack@example.com', { subject: 'hello' });
    const home = new MemoryHome();
    const host = await MeshHost.open(home);
    const req = await requestConnection(host, { address: 'jack@example.com', endpoint: service.endpoint });
    await admin.client.sync();
    await answerRequest(admin.client, req.witness, { result: 'Accept', roles: ['web'] });
    await admin.client.sync();
    expect((await completeConnection(host)).state).toBe('accepted');
    // And one the account sends: the service spools it into the sender's MMM_Outbound with its delivery state.
    await new MeshMessages(admin.client).contactRequest('kate@example.com', { subject: 'hello back' });
    await admin.client.sync();

    const revokedKeys = await everyKeyOf(revoked.host, revoked.account);
    const inbound = await newFrames(admin.home, admin.account.udf, 'MMM_Inbound', before.inbound, revokedKeys);
    const local = await newFrames(admin.home, admin.account.udf, 'MMM_Local', before.local, revokedKeys);
    expect(inbound.total).toBeGreaterThanOrEqual(2); // the contact request, the acknowledgement (and the admin's completion)
    expect(local.total).toBeGreaterThanOrEqual(1); // the RespondConnection
    expect(inbound.readable).toBe(0);
    expect(local.readable).toBe(0);
    const outbound = await newFrames(admin.home, admin.account.udf, 'MMM_Outbound', before.outbound, revokedKeys);
    expect(outbound.total).toBeGreaterThanOrEqual(2); // the request, its Received completion (and the key announcement)
    expect(outbound.readable).toBe(0);
    // Control: the administrator's keys (the remaining device, new generation) open every one of them …
    const adminKeys = await everyKeyOf(admin.host, admin.account);
    expect((await newFrames(admin.home, admin.account.udf, 'MMM_Inbound', before.inbound, adminKeys)).readable).toBe(inbound.total);
    expect((await newFrames(admin.home, admin.account.udf, 'MMM_Local', before.local, adminKeys)).readable).toBe(local.total);
    expect((await newFrames(admin.home, admin.account.udf, 'MMM_Outbound', before.outbound, adminKeys)).readable).toBe(outbound.total);
    // … and the web laptop reads the delivered request after its sync (it takes up its new keys there).
    await laptop.client.sync();
    const spool = await laptop.account.spool('inbound');
    try {
      expect(spool.list({ messageType: 'MessageContact' })).toHaveLength(1);
    } finally {
      await spool.close();
    }
    expect((await newFrames(laptop.home, laptop.account.udf, 'MMM_Inbound', before.inbound, await everyKeyOf(laptop.host, laptop.account))).readable).toBe(inbound.total);
  });

  it('a delivery the service built on a spool before the revocation (for the old key) cannot commit after it: the spool moved with its key', async () => {
    const admin = await boundAccount(service.endpoint, 'nora@example.com');
    const phone = await connectDevice(admin, ['web']);
    const record = (await service.store.getAccount('nora@example.com'))!;
    const base = await new StoreStates(service.store).current(record, 'MMM_Inbound');
    const id = nonce();
    const message = sealMeshObject({ $class: 'MessageComplete', MessageId: id, References: [] }, { uniqueId: id, envelopeId: envelopeId(id) });
    const late = spoolFrames(base, 'MMM_Inbound', checkMessages([message], 'Inbound'));
    await revokeDevice(admin.client, phone.account.deviceUdf);
    await expect(service.store.transact([{
      account: 'nora@example.com', store: 'MMM_Inbound', expectedNextIndex: base.state.frameCount, frames: late.frames, digest: late.after.state.head!,
    }])).rejects.toBeInstanceOf(ServiceConflictError);
  });

  it('attack: only the administrator key announces a spool key, and only forward; a refused announcement changes nothing', async () => {
    const admin = await boundAccount(service.endpoint, 'liam@example.com');
    const phone = await connectDevice(admin, ['web']);
    const other = await connectDevice(admin, ['web']);
    await revokeDevice(admin.client, other.account.deviceUdf);
    await admin.client.sync();
    const accessIndex = async (): Promise<number | undefined> => (await admin.client.status()).stores.find((s) => s.store === 'MMM_Access')?.index;
    /** An announcement of MMM_Inbound's key `generation`, signed by `signer`, naming `key` (default: the true one). */
    const forged = (signer: DarePrivateKey, generation: number, key?: KeyData): CatalogedAccess => {
      const good = storeKeyEntry(admin.account.accountKeys(), 'MMM_Inbound', generation);
      const announced = openMeshEnvelope((good.Capability as StoreKeyCapability).EnvelopedStoreKey!, 'StoreKey').object;
      const changed = key === undefined ? announced : { ...announced, Key: key };
      return { $class: 'CatalogedAccess', Capability: { $class: 'StoreKeyCapability', Id: 'MMM_Inbound', EnvelopedStoreKey: sealMeshObject(changed, { signers: [signer] }) } };
    };
    const administrator = dareKeyFromKeyPair(admin.account.accountKeys().administratorSignature);
    /**
     * Sends, with `sender`'s credential, the MMM_Access frames an administrator device's home
     * (connected for the purpose, current) builds for `edit`; returns the refusal, and checks
     * that a refusal left MMM_Access as it was.
     */
    const attempt = async (sender: 'self' | { client: MeshClient }, edit: (c: Catalog<'access'>) => Promise<unknown>): Promise<string | undefined> => {
      const builder = await connectDevice(admin, ['admin']);
      const c = await builder.account.catalog('access');
      let update: ContainerUpdate;
      try {
        await edit(c);
        const out = await c.outgoing();
        update = { $class: 'ContainerUpdate', Container: out.container, Index: out.index, ...(out.digest ? { Digest: out.digest } : {}), Envelopes: out.frames.map(frameEnvelope) };
      } finally {
        await c.close();
      }
      const at = await accessIndex();
      const client = sender === 'self' ? builder.client : sender.client;
      const refused = await refusal(client.http.request('Transact', { $class: 'TransactRequest', Account: 'liam@example.com', Updates: [update] }, client.deviceCredential()));
      if (refused !== undefined) expect(await accessIndex()).toBe(at);
      else expect(await accessIndex()).toBeGreaterThan(at!);
      return refused;
    };

    // A non-administrator device (web) announcing a key — even with well-formed frames signed by the administrator: 403.
    expect(await attempt(phone, (c) => c.put(storeKeyEntry(admin.account.accountKeys(), 'MMM_Inbound', 2)))).toBe('403 NotAuthorized');
    // An administrator device announcing a key signed by another key (a device's): 400.
    const stranger = deriveDeviceKeys(newMeshSeed('MeshProfileDevice'));
    expect(await attempt('self', (c) => c.put(forged(dareKeyFromKeyPair(stranger.profileSignature), 2)))).toMatch(/^400/);
    // Withdrawing the announced key (the service would fall back to frame 0's, which the revoked device holds): 400.
    expect(await attempt('self', (c) => c.delete('MMM_Inbound'))).toMatch(/^400/);
    // Another key under the current generation, even signed by the administrator: 400 (only forward).
    expect(await attempt('self', (c) => c.put(forged(administrator, 1, keyDataOf(stranger.encryption))))).toMatch(/^400/);
    // Control: the administrator's announcement of the next generation is taken (last: no device holds that key yet).
    expect(await attempt('self', (c) => c.put(storeKeyEntry(admin.account.accountKeys(), 'MMM_Inbound', 2)))).toBeUndefined();
  });
});
