import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryHome } from '../adapters/home/memory.js';
import { encodeEnvelope } from '../sdk/dare/envelope-encode.js';
import { dareKeyFromKeyPair, publicPart, type DarePrivateKey } from '../sdk/dare/keys.js';
import { MemoryStore } from '../adapters/store/memory.js';
import { Catalog, deriveStoreKey, newMeshSeed } from '../sdk/mesh/index.js';
import { decodeIngressCatalog } from '../sdk/service/mesh/ingress.js';
import { MESH_OBJECT_CTY, sealMeshObject, writeMeshObject } from '../sdk/mesh/index.js';
import type { MeshAccount } from '../sdk/mesh/index.js';
import { MeshHost } from '../sdk/mesh/index.js';
import { checkSealedMessage, MESSAGE_MAX_AGE_MS, newMessageId, openMessage, sealMessage } from '../sdk/mesh/messaging/envelope.js';
import { peerOf, peerOfSignedContact, type Peer } from '../sdk/mesh/messaging/peer.js';
import type { Enveloped } from '../sdk/mesh/schema/object.js';
import type { ContactPerson, MessageContact, RequestConfirmation } from '../sdk/mesh/schema/types.js';
import { envelopeId } from '../sdk/udf/message-id.js';

/**
 * The message envelope of messaging/envelope.ts and the peers of messaging/peer.ts, attacked
 * one promise at a time: what a delivering service checks without decrypting
 * (`checkSealedMessage`) and what the recipient's device checks (`openMessage`).
 */

interface Party {
  readonly account: MeshAccount;
  readonly peer: Peer;
  readonly signer: DarePrivateKey;
  readonly key: DarePrivateKey;
  readonly selfContact: Enveloped<ContactPerson>;
}

async function party(address: string): Promise<Party> {
  const host = await MeshHost.open(new MemoryHome());
  const account = await host.createAccount(address);
  const keys = account.accountKeys();
  const contacts = await account.catalog('contact');
  const selfContact = contacts.list().find((e) => e.Self === true)!.Contact!.Sources![0]!.EnvelopedSource as Enveloped<ContactPerson>;
  await contacts.close();
  return {
    account, peer: peerOf(account.state.profile, { address }), signer: dareKeyFromKeyPair(keys.commonSignature), key: dareKeyFromKeyPair(keys.commonEncryption), selfContact,
  };
}

let alice: Party;
let bob: Party;
let mallory: Party;
beforeAll(async () => {
  [alice, bob, mallory] = await Promise.all([party('alice@example.com'), party('bob@example.net'), party('mallory@example.org')]);
});

const confirmation = (from: Party, to: Party, extra: Partial<RequestConfirmation> = {}): RequestConfirmation => ({
  $class: 'RequestConfirmation', MessageId: newMessageId(), Sender: from.account.address, Recipient: to.account.address, Text: 'ok?', ...extra,
});

const contacts = (...ps: Party[]) => (a: string): Peer | undefined => ps.find((p) => p.peer.address === a)?.peer;

describe('checkSealedMessage (what a delivering service checks)', () => {
  it('takes a message signed by its sender, header included, encrypted to its recipient', () => {
    const m = confirmation(alice, bob);
    const info = checkSealedMessage(sealMessage(m, { signer: alice.signer, recipients: [bob.peer.encryption] }), { sender: alice.peer.signature, recipient: bob.peer.encryption });
    expect(info).toMatchObject({ messageId: m.MessageId, messageType: 'RequestConfirmation', envelopeId: envelopeId(m.MessageId!) });
  });

  it('refuses another signer (a forged sender), no signature, and a signature that leaves the header out', () => {
    const m = confirmation(alice, bob);
    const opts = { sender: alice.peer.signature, recipient: bob.peer.encryption };
    expect(() => checkSealedMessage(sealMessage(m, { signer: mallory.signer, recipients: [bob.peer.encryption] }), opts)).toThrow(expect.objectContaining({ code: 'MESH_NOT_SIGNED' }));
    const unsigned = sealMeshObject(m, { recipients: [bob.peer.encryption], uniqueId: m.MessageId!, envelopeId: envelopeId(m.MessageId!) });
    expect(() => checkSealedMessage(unsigned, opts)).toThrow(expect.objectContaining({ code: 'MESH_NOT_SIGNED' }));
    // The reference's form signs the payload only: the MessageId and type in the header would be anyone's.
    const payloadOnly = sealMeshObject(m, { signers: [alice.signer], uniqueId: m.MessageId!, envelopeId: envelopeId(m.MessageId!), referenceForm: true });
    expect(() => checkSealedMessage(payloadOnly, { sender: alice.peer.signature })).toThrow(expect.objectContaining({ code: 'MESH_NOT_SIGNED' }));
  });

  it('refuses a message for another account (not encrypted to the recipient\'s key)', () => {
    const sealed = sealMessage(confirmation(alice, bob), { signer: alice.signer, recipients: [bob.peer.encryption] });
    expect(() => checkSealedMessage(sealed, { sender: alice.peer.signature, recipient: mallory.peer.encryption })).toThrow(expect.objectContaining({ code: 'MESH_WRONG_ACCOUNT' }));
  });

  it('refuses a message older than the window or from too far ahead, and ids that disagree', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    const sealed = sealMessage(confirmation(alice, bob), { signer: alice.signer, recipients: [bob.peer.encryption], created });
    const opts = { sender: alice.peer.signature, recipient: bob.peer.encryption };
    expect(checkSealedMessage(sealed, { ...opts, now: created.getTime() + MESSAGE_MAX_AGE_MS - 1000 }).created).toEqual(created);
    expect(() => checkSealedMessage(sealed, { ...opts, now: created.getTime() + MESSAGE_MAX_AGE_MS + 1000 })).toThrow(expect.objectContaining({ code: 'MESH_INVALID' }));
    expect(() => checkSealedMessage(sealed, { ...opts, now: created.getTime() - 3600_000 })).toThrow(expect.objectContaining({ code: 'MESH_INVALID' }));
    const m = confirmation(alice, bob);
    const wrongId = sealMeshObject(m, { signers: [alice.signer], recipients: [bob.peer.encryption], uniqueId: m.MessageId!, envelopeId: envelopeId(newMessageId()) });
    expect(() => checkSealedMessage(wrongId, opts)).toThrow(expect.objectContaining({ code: 'MESH_INVALID' }));
  });
});

describe('openMessage (what the recipient\'s device checks)', () => {
  const open = (env: Enveloped<never> | ReturnType<typeof sealMessage>, known: (a: string) => Peer | undefined = contacts(alice)) =>
    openMessage(env, { key: bob.key, me: 'bob@example.net', contact: known });

  it('opens a contact\'s message and a stranger\'s contact request (its sender from the self contact it carries)', () => {
    const m = confirmation(alice, bob);
    expect(open(sealMessage(m, { signer: alice.signer, recipients: [bob.peer.encryption] })).message).toEqual(m);
    const request: MessageContact = {
      $class: 'MessageContact', MessageId: newMessageId(), Sender: 'mallory@example.org', Recipient: 'bob@example.net', Reply: true, AuthenticatedData: mallory.selfContact as Enveloped<never>,
    };
    const opened = open(sealMessage(request, { signer: mallory.signer, recipients: [bob.peer.encryption] }), () => undefined);
    expect(opened).toMatchObject({ fromContact: false, sender: { address: 'mallory@example.org', udf: mallory.peer.udf } });
  });

  it('refuses a stranger\'s message that is no contact request, and a contact\'s message signed by someone else', () => {
    expect(() => open(sealMessage(confirmation(mallory, bob), { signer: mallory.signer, recipients: [bob.peer.encryption] }))).toThrow(expect.objectContaining({ code: 'MESH_NOT_SIGNED' }));
    const forged = confirmation(alice, bob);
    expect(() => open(sealMessage(forged, { signer: mallory.signer, recipients: [bob.peer.encryption] }))).toThrow(expect.objectContaining({ code: 'MESH_NOT_SIGNED' }));
  });

  it('refuses a contact request under someone else\'s name: another\'s self contact signed by the sender, or a known address with another profile', () => {
    // Mallory signs, claims to be alice, carries alice's genuine self contact: the signature is not alice's.
    const asAlice: MessageContact = { $class: 'MessageContact', MessageId: newMessageId(), Sender: 'alice@example.com', Recipient: 'bob@example.net', AuthenticatedData: alice.selfContact as Enveloped<never> };
    expect(() => open(sealMessage(asAlice, { signer: mallory.signer, recipients: [bob.peer.encryption] }), () => undefined)).toThrow(expect.objectContaining({ code: 'MESH_NOT_SIGNED' }));
    // Mallory claims alice's address with her own self contact: the contact is not for that address.
    const ownContact: MessageContact = { ...asAlice, MessageId: newMessageId(), AuthenticatedData: mallory.selfContact as Enveloped<never> };
    expect(() => open(sealMessage(ownContact, { signer: mallory.signer, recipients: [bob.peer.encryption] }), () => undefined)).toThrow(expect.objectContaining({ code: 'MESH_INVALID' }));
    // A request from an address we hold a contact for, with another profile: not silently replaced.
    const mallorysAsKnown = (a: string): Peer | undefined => (a === 'mallory@example.org' ? { ...alice.peer, address: a } : undefined);
    const request: MessageContact = { $class: 'MessageContact', MessageId: newMessageId(), Sender: 'mallory@example.org', Recipient: 'bob@example.net', AuthenticatedData: mallory.selfContact as Enveloped<never> };
    expect(() => open(sealMessage(request, { signer: mallory.signer, recipients: [bob.peer.encryption] }), mallorysAsKnown)).toThrow(expect.objectContaining({ code: 'MESH_WRONG_ACCOUNT' }));
  });

  it('refuses a message for another recipient, and a payload whose class is not the header\'s (a confirmation dressed as a contact request to pass ingress)', () => {
    expect(() => open(sealMessage(confirmation(alice, mallory), { signer: alice.signer, recipients: [bob.peer.encryption] }))).toThrow(expect.objectContaining({ code: 'MESH_INVALID' }));
    const m = confirmation(alice, bob);
    const dressed = encodeEnvelope(writeMeshObject(m, 'reference'), {
      signers: [alice.signer], recipients: [bob.peer.encryption], envelopeId: envelopeId(m.MessageId!),
      contentMeta: { uniqueId: m.MessageId!, messageType: 'MessageContact', cty: MESH_OBJECT_CTY, created: new Date() },
    });
    // The service would admit it by its header…
    expect(checkSealedMessage(dressed, { sender: alice.peer.signature, recipient: bob.peer.encryption }).messageType).toBe('MessageContact');
    // …the device does not.
    expect(() => open(dressed as Enveloped<never>)).toThrow(expect.objectContaining({ code: 'MESH_INVALID' }));
  });
});

describe('peers', () => {
  it('a self contact\'s peer is its profile\'s; a contact altered after signing is refused', () => {
    expect(peerOfSignedContact(alice.selfContact).peer.udf).toBe(alice.peer.udf);
    // Swap the address in the signed payload for mallory's (same length is not needed: the signature covers the bytes).
    const text = new TextDecoder().decode(alice.selfContact.payload).replace('alice@example.com', 'alice@example.org');
    const altered = { ...alice.selfContact, payload: new TextEncoder().encode(text) } as Enveloped<ContactPerson>;
    expect(() => peerOfSignedContact(altered)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^MESH_(NOT_SIGNED|BAD_SIGNATURE|INVALID|BAD_ENVELOPE)/) }));
    expect(peerOf(alice.account.state.profile).address).toBe('alice@example.com');
    expect(() => peerOf(alice.account.state.profile, { address: 'bob@example.net' })).toThrow(expect.objectContaining({ code: 'MESH_INVALID' }));
  });
});

describe('ingress rules as the service reads them', () => {
  it('decodes MMM_Ingress encrypted also to the service\'s key; refuses one the service cannot read (Transact refuses such an upload)', async () => {
    const storeKey = dareKeyFromKeyPair(deriveStoreKey(newMeshSeed('MeshProfileAccount'), 'MMM_Ingress'));
    const serviceKey = dareKeyFromKeyPair(deriveStoreKey(newMeshSeed('MeshProfileAccount'), 'service'));
    const rule = { $class: 'CatalogedIngress' as const, Key: 'mallory@example.org', ProfileUdf: mallory.peer.udf, Action: 'Block' };
    const framesOf = async (extra: boolean): Promise<Uint8Array[]> => {
      const c = await Catalog.open('ingress', { store: new MemoryStore(), key: storeKey, synced: true, ...(extra ? { extraRecipients: [publicPart(serviceKey)] } : {}) });
      try {
        await c.put(rule);
        return [...(await c.outgoing()).frames];
      } finally {
        await c.close();
      }
    };
    expect([...(await decodeIngressCatalog(await framesOf(true), serviceKey)).values()]).toEqual([expect.objectContaining(rule)]);
    await expect(decodeIngressCatalog(await framesOf(false), serviceKey)).rejects.toMatchObject({ code: expect.stringMatching(/NO_KEY|DECRYPT/) });
  });
});
