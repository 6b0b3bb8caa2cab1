import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryHome } from '../adapters/home/memory.js';
import { MeshMessages } from '../sdk/client/messages.js';
import { MeshClientError } from '../sdk/client/errors.js';
import { envelopeToString, parseEnvelope, type DareEnvelope } from '../sdk/dare/envelope.js';
import { dareKeyFromKeyPair } from '../sdk/dare/keys.js';
import { utf8Decode, utf8Encode } from '../sdk/encoding/utf8.js';
import { buildMessageClaim } from '../sdk/mesh/connect/claim.js';
import { sealMeshObject } from '../sdk/mesh/envelopes.js';
import { MeshHost, type MeshAccount } from '../sdk/mesh/index.js';
import { newContactCard, publishedContact } from '../sdk/mesh/messaging/contact-card.js';
import { announcePublication, openPublicationData } from '../sdk/mesh/publication.js';
import { meshObjectToString, readMeshObject } from '../sdk/mesh/schema/codec.js';
import type { CatalogedPublication } from '../sdk/mesh/schema/types.js';
import { keyCredential, MeshHttpClient } from '../sdk/protocol/client.js';
import { MeshProtocolError } from '../sdk/protocol/status.js';
import { newEncryptionKey } from '../sdk/udf/fixed.js';
import { boundAccount, secondDevice, testService, type TestDevice } from './support/mesh-service.js';

/**
 * Static contact URIs (features.md row 50; protocol.md F6 "Static QR", T10 Claim; mesh-model.md
 * §11): alice@a.test publishes her contact and goes offline; bob@b.test fetches it from a.test's
 * service, verified against the profile a.test gives for alice. Attacked: a tampered card, a card
 * naming a profile of someone else's making, another account's contact under alice's URI, the
 * URI re-addressed to another account, a guessed secret, a captured claim replayed or
 * re-addressed, a card announced under another account's key; and an expired card.
 */

type Service = Awaited<ReturnType<typeof testService>>;
let a: Service;
let b: Service;
let resolve = '';

let aData = '';
let aOptions: Parameters<typeof testService>[0];

beforeAll(async () => {
  const messaging = { resolve: () => resolve };
  aData = mkdtempSync(join(tmpdir(), 'mathmesh-a-'));
  aOptions = { serviceName: 'a.test', data: aData, service: { messaging } };
  a = await testService(aOptions);
  b = await testService({ serviceName: 'b.test', service: { messaging } });
  resolve = `a.test=${a.endpoint},b.test=${b.endpoint}`;
});
afterAll(async () => {
  await a?.stop();
  if (aData) rmSync(aData, { recursive: true, force: true });
  await b?.stop();
});

interface Person extends TestDevice {
  readonly messages: MeshMessages;
}

async function person(service: Service, address: string): Promise<Person> {
  const d = await boundAccount(service.endpoint, address);
  return { ...d, messages: new MeshMessages(d.client) };
}

async function selfContactOf(account: MeshAccount): Promise<DareEnvelope> {
  const contacts = await account.catalog('contact');
  try {
    return contacts.list().find((e) => e.Self === true)!.Contact!.Sources![0]!.EnvelopedSource!;
  } finally {
    await contacts.close();
  }
}

async function contactAddresses(p: Person): Promise<string[]> {
  return [...(await p.messages.contacts()).keys()].sort();
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('not refused');
}

const secretOf = (uri: string): string => uri.slice(uri.lastIndexOf('/') + 1);

/** Files a publication directly in a.test's store, as a compromised service (or store) would. */
async function fileAsService(account: string, publication: CatalogedPublication): Promise<void> {
  await a.store.putRecord(`mmm.publication.${publication.Id!}`, utf8Encode(JSON.stringify({ account, publication: meshObjectToString(publication), kind: 'contact' })));
}

describe('contact static + contact fetch (row 50)', () => {
  let alice: Person;
  let uri: string;

  it('bob@b.test gets alice@a.test\'s contact from her URI while no device of hers runs; so does anyone else holding it, as often as asked', async () => {
    alice = await person(a, 'alice@a.test');
    const published = await alice.messages.staticContact();
    uri = published.uri;
    expect(uri).toMatch(/^mcu:\/\/alice@a\.test\/E[A-Z0-9-]+$/);
    const catalog = await alice.account.catalog('publication');
    expect(catalog.list().map((p) => p.Id)).toContain(published.publicationId);
    await catalog.close();
    // From here on no device of alice's does anything (her only device is never called again):
    // what bob gets, a.test's service gives him alone — after a restart, from its store.
    const port = a.port;
    await a.stop();
    a = await testService({ ...aOptions, port });

    const bob = await person(b, 'bob@b.test');
    const got = await bob.messages.fetchContact(uri, { endpoint: a.endpoint });
    expect(got).toEqual({ address: 'alice@a.test', udf: alice.account.udf });
    expect(await contactAddresses(bob)).toEqual(['alice@a.test']);
    // Filed on bob's account (another device of his sees it after a sync), with an Allow rule.
    const ingress = await bob.account.catalog('ingress');
    expect(ingress.get('alice@a.test')?.Action).toBe('Allow');
    await ingress.close();

    // A contact card is not claimed once, like a device label: a second fetch, another account on
    // b.test, and one on alice's own service all get it.
    await expect(bob.messages.fetchContact(uri, { endpoint: a.endpoint })).resolves.toMatchObject({ address: 'alice@a.test' });
    const carol = await person(b, 'carol@b.test');
    await expect(carol.messages.fetchContact(uri, { endpoint: a.endpoint })).resolves.toMatchObject({ address: 'alice@a.test' });
    const dan = await person(a, 'dan@a.test');
    await expect(dan.messages.fetchContact(uri, { endpoint: a.endpoint })).resolves.toMatchObject({ address: 'alice@a.test' });
    expect(await contactAddresses(dan)).toEqual(['alice@a.test']);
  });

  it('a card published again under a new URI works beside the first; the service holds no plaintext of either', async () => {
    const second = await (await person(a, 'erin@a.test')).messages.staticContact();
    const record = (JSON.parse(utf8Decode((await a.store.getRecord(`mmm.publication.${second.publicationId}`))!)) as { publication: string }).publication;
    // What the service keeps: ids, the authenticator, ciphertext — not the contact, not the secret.
    expect(record).not.toContain('erin@a.test');
    expect(record).not.toContain(secretOf(second.uri));
    const bob = await person(b, 'bob2@b.test');
    await expect(bob.messages.fetchContact(second.uri, { endpoint: a.endpoint })).resolves.toMatchObject({ address: 'erin@a.test' });
  });

  it('attack: a guessed secret, or alice\'s URI re-addressed to another account, finds nothing (CLIENT_NOT_FOUND)', async () => {
    const mallory = await person(b, 'mallory@b.test');
    const guessed = await rejection(mallory.messages.fetchContact(`mcu://alice@a.test/${newEncryptionKey({ bits: 128 })}`, { endpoint: a.endpoint }));
    expect(guessed).toBeInstanceOf(MeshClientError);
    expect((guessed as MeshClientError).code).toBe('CLIENT_NOT_FOUND');
    // dan@a.test exists, but the secret is alice's: the claim names dan, the publication is alice's.
    const readdressed = await rejection(mallory.messages.fetchContact(`mcu://dan@a.test/${secretOf(uri)}`, { endpoint: a.endpoint }));
    expect((readdressed as MeshClientError).code).toBe('CLIENT_NOT_FOUND');
    expect(await contactAddresses(mallory)).toEqual([]);
    // A URI that is not a contact URI at all.
    expect(await rejection(mallory.messages.fetchContact('mcu://alice@a.test/not-a-secret', { endpoint: a.endpoint }))).toMatchObject({ code: 'CLIENT_BAD_ARGUMENT' });
  });

  it('attack: a tampered card (one byte of its ciphertext changed at the service) is refused, nothing is filed', async () => {
    const fay = await person(a, 'fay@a.test');
    const card = await fay.messages.staticContact();
    const name = `mmm.publication.${card.publicationId}`;
    const held = JSON.parse(utf8Decode((await a.store.getRecord(name))!)) as { account: string; publication: string };
    const publication = readMeshObject(held.publication, 'CatalogedPublication') as CatalogedPublication;
    const data = JSON.parse(envelopeToString(publication.EnvelopedData!)) as unknown[];
    // [header, payload (base64url), trailer]: flip one payload character.
    const payload = data[1] as string;
    data[1] = payload.slice(0, 10) + (payload[10] === 'A' ? 'B' : 'A') + payload.slice(11);
    await fileAsService('fay@a.test', { ...publication, EnvelopedData: parseEnvelope(JSON.stringify(data)) });
    const bob = await person(b, 'bob3@b.test');
    const refused = await rejection(bob.messages.fetchContact(card.uri, { endpoint: a.endpoint }));
    expect(refused).toMatchObject({ code: 'CLIENT_BAD_RESPONSE' });
    expect(refused.message).toMatch(/does not verify/);
    expect(await contactAddresses(bob)).toEqual([]);
  });

  it('attack: under alice\'s address, a card holding another account\'s contact, or a profile someone else made for alice@a.test, is refused', async () => {
    const victim = await person(a, 'gus@a.test');
    const mallory = await person(a, 'mallory@a.test');
    // Mallory's genuine, signed contact — for mallory@a.test — sealed under a URI naming gus.
    const other = newContactCard('gus@a.test', await selfContactOf(mallory.account));
    await fileAsService('gus@a.test', other.catalogedPublication);
    const bob = await person(b, 'bob4@b.test');
    expect(await rejection(bob.messages.fetchContact(other.connectUri, { endpoint: a.endpoint }))).toMatchObject({ code: 'CLIENT_BAD_RESPONSE' });

    // A self-signed profile claiming gus@a.test (made on mallory's own machine) and its self
    // contact: it verifies by itself, but it is not the profile a.test holds for gus.
    const forged = await (await MeshHost.open(new MemoryHome())).createAccount('gus@a.test');
    const fake = newContactCard('gus@a.test', await selfContactOf(forged));
    expect(publishedContact(fake.catalogedPublication, fake.connectUri).peer.address).toBe('gus@a.test');
    await fileAsService('gus@a.test', fake.catalogedPublication);
    const refused = await rejection(bob.messages.fetchContact(fake.connectUri, { endpoint: a.endpoint }));
    expect(refused).toMatchObject({ code: 'CLIENT_BAD_RESPONSE' });
    expect(refused.message).toContain(victim.account.udf);
    expect(await contactAddresses(bob)).toEqual([]);
  });

  it('attack: a captured claim replayed by another gives only ciphertext; re-addressed to its sender, it is refused', async () => {
    const hal = await person(a, 'hal@a.test');
    const card = await hal.messages.staticContact();
    const bob = await person(b, 'bob5@b.test');
    const bobKeys = bob.account.accountKeys();
    const claim = buildMessageClaim({ connectUri: card.uri, claimant: 'bob5@b.test', commonSignature: bobKeys.commonSignature });
    // Eve (no secret) sends bob's claim with her own key.
    const eve = await person(b, 'eve@b.test');
    const http = new MeshHttpClient({ endpoint: a.endpoint });
    await http.hello();
    const eveKey = keyCredential(dareKeyFromKeyPair(eve.account.accountKeys().commonAuthentication));
    const replayed = await http.request('Claim', { $class: 'ClaimRequest', EnvelopedMessageClaim: claim.envelope }, eveKey);
    const got = { ...replayed.CatalogedPublication, $class: 'CatalogedPublication' } as CatalogedPublication;
    const text = meshObjectToString(got);
    expect(text).not.toContain('hal@a.test');
    expect(text).not.toContain(hal.account.udf);
    // It opens under the URI's secret only.
    const wrongUri = `mcu://hal@a.test/${newEncryptionKey({ bits: 128 })}`;
    expect(() => openPublicationData(got.EnvelopedData!, wrongUri)).toThrow();
    expect(publishedContact(got, card.uri).peer.address).toBe('hal@a.test');
    // Bob's claim with its Sender changed to eve (the authenticator binds bob): refused.
    const readdressed = buildMessageClaim({ connectUri: `mcu://hal@a.test/${newEncryptionKey({ bits: 128 })}`, claimant: 'eve@b.test', commonSignature: eve.account.accountKeys().commonSignature });
    const forged = { ...readdressed.claim, PublicationId: claim.claim.PublicationId, ServiceAuthenticate: claim.claim.ServiceAuthenticate };
    const envelope = sealMeshObject(forged, { signers: [dareKeyFromKeyPair(eve.account.accountKeys().commonSignature)] });
    const refused = await rejection(http.request('Claim', { $class: 'ClaimRequest', EnvelopedMessageClaim: envelope }, eveKey));
    expect(refused).toBeInstanceOf(MeshProtocolError);
    expect((refused as MeshProtocolError).status).toBe(403);
  });

  it('attack: a card announced under a key that is not the account\'s (another account\'s CommonSignature) is not filed', async () => {
    const lee = await person(a, 'lee@a.test');
    const stranger = await person(b, 'stranger@b.test');
    const card = newContactCard('lee@a.test', await selfContactOf(lee.account));
    const announced = announcePublication(card.catalogedPublication, dareKeyFromKeyPair(stranger.account.accountKeys().commonSignature));
    await lee.client.upload([], { local: [announced] });
    expect(await a.store.getRecord(`mmm.publication.${card.publication.publicationId}`)).toBeUndefined();
    expect(await rejection(stranger.messages.fetchContact(card.connectUri, { endpoint: a.endpoint }))).toMatchObject({ code: 'CLIENT_NOT_FOUND' });
    // The same card under lee's own CommonSignature is filed.
    await lee.client.upload([], { local: [announcePublication(card.catalogedPublication, lee.account.activation.accountKeys.Signature!)] });
    await expect(stranger.messages.fetchContact(card.connectUri, { endpoint: a.endpoint })).resolves.toMatchObject({ address: 'lee@a.test' });
  });

  it('roles: a device with the message role fetches a card; publishing one takes a device that writes MMM_Local (admin)', async () => {
    const max = await person(a, 'max@a.test');
    const card = await max.messages.staticContact();
    const nia = await person(b, 'nia@b.test');
    const phone = new MeshMessages((await secondDevice(nia, ['message'])).client);
    await expect(phone.staticContact()).rejects.toMatchObject({ code: 'CLIENT_NOT_AUTHORIZED' });
    await expect(phone.fetchContact(card.uri, { endpoint: a.endpoint })).resolves.toMatchObject({ address: 'max@a.test' });
    // Filed for the account: nia's first device has it after a sync.
    await nia.client.sync();
    expect(await contactAddresses(nia)).toEqual(['max@a.test']);
  });

  it('an expired card is refused by the service (NotOnOrAfter), and nothing is filed', async () => {
    const kay = await person(a, 'kay@a.test');
    const card = await kay.messages.staticContact({ expires: new Date(Date.now() - 1000) });
    const bob = await person(b, 'bob6@b.test');
    const refused = await rejection(bob.messages.fetchContact(card.uri, { endpoint: a.endpoint }));
    expect(refused).toBeInstanceOf(MeshProtocolError);
    expect((refused as MeshProtocolError).detail).toContain('expired');
    expect(await contactAddresses(bob)).toEqual([]);
  });

  it('the CommonSignature announces a contact card, the AdministratorSignature a device label: a device label is still claimed once', async () => {
    // (test/mesh-connect-service.test.ts attacks the device label; here: a card survives claims by many.)
    const ivy = await person(a, 'ivy@a.test');
    const card = await ivy.messages.staticContact();
    const held = JSON.parse(utf8Decode((await a.store.getRecord(`mmm.publication.${card.publicationId}`))!)) as { kind?: string };
    expect(held.kind).toBe('contact');
    for (const who of ['j1@b.test', 'j2@b.test']) {
      await expect((await person(b, who)).messages.fetchContact(card.uri, { endpoint: a.endpoint })).resolves.toMatchObject({ address: 'ivy@a.test' });
    }
    expect(await a.store.getRecord(`mmm.claim.${card.publicationId}`)).toBeUndefined();
  });
});
