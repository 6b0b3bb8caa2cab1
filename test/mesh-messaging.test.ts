import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshMessages, type SentMessage } from '../sdk/client/messages.js';
import { serializeEnvelope, type DareEnvelope } from '../sdk/dare/envelope.js';
import { newMessageId, sealedMessageInfo, sealMessage } from '../sdk/mesh/messaging/envelope.js';
import { peerOf } from '../sdk/mesh/messaging/peer.js';
import type { Enveloped } from '../sdk/mesh/schema/object.js';
import type { AnyProfileAccount, PostRequest, RequestConfirmation } from '../sdk/mesh/schema/types.js';
import { MeshHttpClient, serviceCredential, UnauthenticatedResponseError } from '../sdk/protocol/client.js';
import { MESH_TRANSACTIONS } from '../sdk/protocol/transactions.js';
import { newPin, pinId, pinWitness, saltedPin } from '../sdk/udf/pin.js';
import { sha512 } from '../sdk/crypto/hashes.js';
import { MeshHttpService } from '../sdk/protocol/service.js';
import { listenHttp } from '../adapters/http/node-server.js';
import { MeshProtocolError } from '../sdk/protocol/status.js';
import type { IngressLogEntry } from '../sdk/service/mesh/ingress.js';
import { pendingDeliveries } from '../sdk/service/mesh/outbox.js';
import { boundAccount, secondDevice, testService, type TestDevice } from './support/mesh-service.js';

/**
 * Messages between people on two services (features.md rows 44–53; protocol.md T9, F6, F7):
 * alice@a.test on one service, bob@b.test on another, both on loopback, the services finding
 * each other through MESH_RESOLVE. Every promise of post.ts and ingress.ts is attacked here:
 * a forged sender, a replay, a message for another account, a service speaking for an account
 * that is not its own, a blocked sender, a non-contact, an oversize message, a flood.
 */

type Service = Awaited<ReturnType<typeof testService>>;
let a: Service;
let b: Service;
let c: Service;
let resolve = '';
let resolveMore = '';
let bData = '';
let aData = '';
let aOptions: Parameters<typeof testService>[0];
let bOptions: Parameters<typeof testService>[0];
const logB: IngressLogEntry[] = [];
const RATE = 8;

beforeAll(async () => {
  const messaging = (log?: (e: IngressLogEntry) => void) => ({ resolve: () => resolve + resolveMore, rate: { messages: RATE, windowMs: 60_000 }, ...(log ? { log } : {}) });
  aData = mkdtempSync(join(tmpdir(), 'mathmesh-a-'));
  aOptions = { serviceName: 'a.test', data: aData, service: { messaging: { ...messaging(), retryDelaysMs: [200, 400, 800, 1600, 3200] } } };
  a = await testService(aOptions);
  bData = mkdtempSync(join(tmpdir(), 'mathmesh-b-'));
  bOptions = { serviceName: 'b.test', data: bData, service: { messaging: messaging((e) => logB.push(e)) } };
  b = await testService(bOptions);
  c = await testService({ serviceName: 'c.test', service: { messaging: messaging() } });
  resolve = `a.test=${a.endpoint},b.test=${b.endpoint},c.test=${c.endpoint}`;
  resolveMore = '';
  alice = await person(a, 'alice@a.test');
  bob = await person(b, 'bob@b.test');
});
afterAll(async () => {
  await a?.stop();
  if (aData) rmSync(aData, { recursive: true, force: true });
  await b?.stop();
  if (bData) rmSync(bData, { recursive: true, force: true });
  await c?.stop();
});

interface Person extends TestDevice {
  readonly messages: MeshMessages;
}

async function person(service: Service, address: string): Promise<Person> {
  const d = await boundAccount(service.endpoint, address);
  return { ...d, messages: new MeshMessages(d.client) };
}

async function selfContactOf(p: TestDevice): Promise<DareEnvelope> {
  const contacts = await p.account.catalog('contact');
  try {
    return contacts.list().find((e) => e.Self === true)!.Contact!.Sources![0]!.EnvelopedSource!;
  } finally {
    await contacts.close();
  }
}

async function contactAddresses(p: Person): Promise<string[]> {
  return [...(await p.messages.contacts()).keys()].sort();
}

/** Waits for a condition the other service brings about (delivery happens after the sender's commit). */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The delivery state of a message in the sender's MMM_Outbound (after a sync). */
async function outboundState(p: Person, messageId: string): Promise<string | undefined> {
  await p.client.sync();
  const spool = await p.account.spool('outbound');
  try {
    const state = spool.get(messageId)?.state;
    return state === 'Received' || state === 'Refused' ? state : undefined;
  } finally {
    await spool.close();
  }
}

async function refusal(p: Promise<unknown>): Promise<MeshProtocolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MeshProtocolError) return e;
    throw e;
  }
  throw new Error('not refused');
}

/** A client speaking for `from` (its ServiceAuthentication key) to the service `to`. */
async function asService(from: Service, to: Service): Promise<{ client: MeshHttpClient; credential: ReturnType<typeof serviceCredential> }> {
  const client = new MeshHttpClient({ endpoint: to.endpoint });
  await client.hello();
  return { client, credential: serviceCredential(from.service.identity.profile, from.service.identity.authenticationKey) };
}

/** Alice's copy of a message she sent (MMM_Outbound: encrypted to her too). */
async function sentEnvelope(p: Person, messageId: string): Promise<DareEnvelope> {
  await p.client.sync();
  const spool = await p.account.spool('outbound');
  try {
    return await spool.read(messageId);
  } finally {
    await spool.close();
  }
}

let alice: Person;
let bob: Person;

describe('contact exchange and confirmation across two services', () => {
  it('rows 44, 45, 46, 52: alice@a.test asks bob@b.test; bob sees it pending, accepts; alice\'s sync --auto files bob; each contact list shows the other', async () => {
    const sent = await alice.messages.contactRequest('bob@b.test', { subject: 'hello from a' });
    expect(sent.recipient).toBe('bob@b.test');
    expect(sent.envelopeId).toMatch(/^[A-Z0-9-]+$/);
    const pending = await eventually(async () => {
      const p = await bob.messages.pending();
      return p.length > 0 ? p : undefined;
    }, 'the contact request at bob');
    expect(pending).toEqual([expect.objectContaining({ messageId: sent.messageId, messageType: 'MessageContact', sender: 'alice@a.test', text: 'hello from a', fromContact: false })]);
    expect(await outboundState(alice, sent.messageId)).toBe('Received');

    const accepted = await bob.messages.accept(sent.messageId);
    expect(accepted).toMatchObject({ type: 'MessageContact', sender: 'alice@a.test', reply: { messageId: sent.responseId } });
    expect(await bob.messages.pending()).toEqual([]);
    expect(await contactAddresses(bob)).toEqual(['alice@a.test']);

    const added = await eventually(async () => {
      const got = await alice.messages.processAutomatic();
      return got.length > 0 ? got : undefined;
    }, 'bob\'s reply at alice');
    expect(added).toEqual(['bob@b.test']);
    expect(await contactAddresses(alice)).toEqual(['bob@b.test']);
    expect(await alice.messages.pending()).toEqual([]);
    // Handled once: a second --auto adds nothing, the reply is closed.
    expect(await alice.messages.processAutomatic()).toEqual([]);
  });

  it('row 46: reject closes a contact request without effect — no contact, no rule, no answer', async () => {
    const mia = await person(a, 'mia@a.test');
    const sent = await mia.messages.contactRequest('bob@b.test');
    await eventually(async () => ((await bob.messages.pending()).some((m) => m.messageId === sent.messageId) ? true : undefined), 'mia\'s request');
    const before = await contactAddresses(bob);
    expect(await bob.messages.reject(sent.messageId)).toEqual({ type: 'MessageContact', sender: 'mia@a.test' });
    expect((await bob.messages.pending()).map((m) => m.messageId)).not.toContain(sent.messageId);
    expect(await contactAddresses(bob)).toEqual(before);
    const rules = await bob.account.catalog('ingress');
    try {
      expect(rules.get('mia@a.test')).toBeUndefined();
    } finally {
      await rules.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await mia.messages.processAutomatic()).toEqual([]);
    expect(await contactAddresses(mia)).toEqual([]);
  });

  it('row 48: bob asks alice to confirm; she accepts — status Accept; a second request she rejects — status Reject; before an answer, Pending', async () => {
    const first = await bob.messages.confirm('alice@a.test', 'start the job?');
    expect(await bob.messages.status(first.responseId)).toBe('Pending');
    const pending = await eventually(async () => {
      const p = (await alice.messages.pending()).filter((m) => m.messageId === first.messageId);
      return p.length > 0 ? p : undefined;
    }, 'the confirmation at alice');
    expect(pending[0]).toMatchObject({ messageType: 'RequestConfirmation', sender: 'bob@b.test', text: 'start the job?', fromContact: true });
    await alice.messages.accept(first.messageId);
    expect(await eventually(async () => {
      const s = await bob.messages.status(first.responseId);
      return s === 'Pending' ? undefined : s;
    }, 'alice\'s answer')).toBe('Accept');

    const second = await bob.messages.confirm('alice@a.test', 'delete everything?');
    await eventually(async () => ((await alice.messages.pending()).some((m) => m.messageId === second.messageId) ? true : undefined), 'the second request');
    await alice.messages.reject(second.messageId);
    expect(await eventually(async () => {
      const s = await bob.messages.status(second.responseId);
      return s === 'Pending' ? undefined : s;
    }, 'the rejection')).toBe('Reject');
    expect((await alice.messages.pending()).map((m) => m.messageId)).not.toContain(second.messageId);
    // A Response ID no request of bob's has: not "Pending" forever, but unknown.
    await expect(bob.messages.status(first.messageId)).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND' });
  });
});

describe('dynamic contact URI (row 51)', () => {
  it('contact dynamic + contact exchange: both sides hold each other\'s contact after the owner\'s sync --auto, no question asked; the PIN works once, a wrong or expired one not at all', async () => {
    const jay = await person(a, 'jay@a.test');
    const kim = await person(b, 'kim@b.test');
    const { uri } = await jay.messages.dynamicContact();
    expect(uri).toMatch(/^mcu:\/\/jay@a\.test\/A[A-Z0-9-]+$/);
    const sent = await kim.messages.exchangeContact(uri);
    expect(await eventually(async () => {
      const got = await jay.messages.processAutomatic();
      return got.length > 0 ? got : undefined;
    }, 'kim\'s request at jay')).toEqual(['kim@b.test']);
    expect(await eventually(async () => {
      const got = await kim.messages.processAutomatic();
      return got.length > 0 ? got : undefined;
    }, 'jay\'s answer at kim')).toEqual(['jay@a.test']);
    expect(await contactAddresses(jay)).toEqual(['kim@b.test']);
    expect(await contactAddresses(kim)).toEqual(['jay@a.test']);
    expect((await jay.messages.pending()).map((m) => m.messageId)).not.toContain(sent.messageId);

    // The same URI again (someone else who saw it): the PIN is spent — the request waits for jay.
    const lee = await person(b, 'lee@b.test');
    const reused = await lee.messages.exchangeContact(uri);
    // A PIN jay never issued, and one that expired.
    const wrong = await lee.messages.exchangeContact(`mcu://jay@a.test/${newPin()}`);
    const expired = await lee.messages.exchangeContact((await jay.messages.dynamicContact({ expiresMs: -1000 })).uri);
    const waiting = [reused.messageId, wrong.messageId, expired.messageId];
    await eventually(async () => {
      const ids = (await jay.messages.pending()).map((m) => m.messageId);
      return waiting.every((id) => ids.includes(id)) ? true : undefined;
    }, 'the three requests at jay');
    expect(await jay.messages.processAutomatic()).toEqual([]);
    expect(await contactAddresses(jay)).toEqual(['kim@b.test']);
    expect((await jay.messages.pending()).map((m) => m.messageId)).toEqual(expect.arrayContaining(waiting));

    // The witness binds the contact the request carries: the right PIN with a witness over another
    // contact (kim's, swapped for lee's) is not taken — and does not spend the PIN.
    const fresh = (await jay.messages.dynamicContact()).uri;
    const salted = saltedPin(fresh.slice(fresh.lastIndexOf('/') + 1), 'Contact');
    const clientNonce = new Uint8Array(16).fill(7);
    const swapped = sealMessage({
      $class: 'MessageContact', MessageId: newMessageId(), Sender: 'lee@b.test', Recipient: 'jay@a.test', Reply: true,
      AuthenticatedData: await selfContactOf(lee) as Enveloped<never>, ClientNonce: clientNonce, PinId: pinId(salted, 'jay@a.test'),
      PinWitness: pinWitness(salted, 'jay@a.test', clientNonce, sha512((await selfContactOf(kim)).payload)),
    }, { signer: lee.account.activation.accountKeys.Signature!, recipients: [jay.messages.self.encryption] });
    await lee.client.http.request('Transact', { $class: 'TransactRequest', Account: 'lee@b.test', Outbound: [swapped], Accounts: ['jay@a.test'] }, lee.client.deviceCredential());
    const swappedId = sealedMessageInfo(swapped).messageId;
    await eventually(async () => ((await jay.messages.pending()).some((m) => m.messageId === swappedId) ? true : undefined), 'the swapped request');
    expect(await jay.messages.processAutomatic()).toEqual([]);
    await lee.messages.exchangeContact(fresh);
    expect(await eventually(async () => {
      const got = await jay.messages.processAutomatic();
      return got.length > 0 ? got : undefined;
    }, 'lee\'s genuine request')).toEqual(['lee@b.test']);
  });
});

describe('message states (mesh-model.md §9.3) on every device', () => {
  it('a request handled on one device leaves pending on the other; the closed state is in MMM_Inbound for both', async () => {
    const hal = await person(b, 'hal@b.test');
    const phone = await secondDevice(hal, ['message']);
    const phoneMessages = new MeshMessages(phone.client);
    const sent = await alice.messages.contactRequest('hal@b.test');
    await eventually(async () => ((await phoneMessages.pending()).some((m) => m.messageId === sent.messageId) ? true : undefined), 'the request on the phone');
    await hal.messages.accept(sent.messageId);
    expect(await phoneMessages.pending()).toEqual([]);
    expect([...(await phoneMessages.contacts()).keys()]).toEqual(['alice@a.test']);
    const spool = await phone.account.spool('inbound');
    try {
      expect(spool.get(sent.messageId)).toMatchObject({ state: 'Closed', responseId: sent.responseId });
    } finally {
      await spool.close();
    }
    // Handled once: accepting again on the phone is refused, and sends nothing.
    await expect(phoneMessages.accept(sent.messageId)).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND' });

    // The service restarts (same store, same port): the states stand, messages flow again.
    const port = b.port;
    await b.stop();
    b = await testService({ ...bOptions, port });
    expect(await phoneMessages.pending()).toEqual([]);
    const again = await alice.messages.confirm('hal@b.test', 'still there?');
    await eventually(async () => ((await hal.messages.pending()).some((m) => m.messageId === again.messageId) ? true : undefined), 'a message after the restart');
    // A replay of the first request after the restart is still refused (the claim is in the store).
    const { client, credential } = await asService(a, b);
    const replay = await refusal(client.request('Post', {
      $class: 'PostRequest', Accounts: ['hal@b.test'], Messages: [await sentEnvelope(alice, sent.messageId) as Enveloped<never>], Sender: 'alice@a.test',
      EnvelopedProfileSender: alice.account.state.profile as Enveloped<AnyProfileAccount>,
    }, credential));
    expect(replay.detail).toContain('replay');
  });

  it('row 45 flags: a listed request is Read on every device — unread lists only what came since, read what was seen; raw is what the sender signed', async () => {
    // A sender of its own: alice's messages count against the per-sender rate of later tests.
    const ora = await person(a, 'ora@a.test');
    const pat = await person(b, 'pat@b.test');
    const tablet = new MeshMessages((await secondDevice(pat, ['message'])).client);
    const first = await ora.messages.contactRequest('pat@b.test', { subject: 'first' });
    const seen = await eventually(async () => {
      const got = await pat.messages.pending({ only: 'unread', raw: true });
      return got.length > 0 ? got : undefined;
    }, 'the first request at pat');
    expect(seen).toEqual([expect.objectContaining({ messageId: first.messageId, read: false, text: 'first' })]);
    const raw = JSON.parse(seen[0]!.raw!) as { MessageContact: { Subject: string; Sender: string; MessageId: string } };
    expect(raw.MessageContact).toMatchObject({ Subject: 'first', Sender: 'ora@a.test', MessageId: first.messageId });
    // Listed once: no longer unread — here and on the other device.
    expect(await pat.messages.pending({ only: 'unread' })).toEqual([]);
    expect(await tablet.pending({ only: 'unread' })).toEqual([]);
    expect((await tablet.pending({ only: 'read' })).map((m) => [m.messageId, m.read])).toEqual([[first.messageId, true]]);
    expect((await pat.messages.pending()).every((m) => m.raw === undefined)).toBe(true);

    const second = await ora.messages.confirm('pat@b.test', 'second?');
    // Not a contact yet: the confirmation is refused at pat's service; a second contact request is admitted.
    await eventually(async () => ((await outboundState(ora, second.messageId)) === 'Refused' ? true : undefined), 'the refusal');
    const third = await ora.messages.contactRequest('pat@b.test', { subject: 'third' });
    const fresh = await eventually(async () => {
      const got = await tablet.pending({ only: 'unread' });
      return got.length > 0 ? got : undefined;
    }, 'the third request on the tablet');
    expect(fresh.map((m) => m.messageId)).toEqual([third.messageId]);
    expect((await pat.messages.pending({ only: 'read' })).map((m) => m.messageId).sort()).toEqual([first.messageId, third.messageId].sort());
    // Handled: listed under neither.
    await pat.messages.accept(first.messageId);
    expect((await tablet.pending({ only: 'read' })).map((m) => m.messageId)).toEqual([third.messageId]);
  });
});

describe('ingress control at the recipient\'s service', () => {
  it('row 49: a non-contact\'s confirmation request is refused (MeshMessageInsufficientPrivilege) while its contact request is admitted', async () => {
    const dave = await person(a, 'dave@a.test');
    const confirm = await dave.messages.confirm('bob@b.test', 'pay me?');
    expect(await eventually(() => outboundState(dave, confirm.messageId), 'the refusal')).toBe('Refused');
    expect(logB).toContainEqual(expect.objectContaining({ sender: 'dave@a.test', recipient: 'bob@b.test', messageId: confirm.messageId, refused: 'MeshMessageInsufficientPrivilege' }));
    const request = await dave.messages.contactRequest('bob@b.test');
    expect(await eventually(() => outboundState(dave, request.messageId), 'the delivery')).toBe('Received');
    const pending = await bob.messages.pending();
    expect(pending.map((m) => m.messageId)).toContain(request.messageId);
    expect(pending.map((m) => m.messageId)).not.toContain(confirm.messageId);

    // The same rule between two accounts of one service, where the refusal reaches the sender at once.
    const erin = await person(b, 'erin@b.test');
    const local = await refusal(erin.messages.confirm('bob@b.test', 'local?'));
    expect(local.errorName).toBe('MeshMessageInsufficientPrivilege');
    // Her contact request is delivered in the same commit, and her MMM_Outbound says so at once.
    const localRequest = await erin.messages.contactRequest('bob@b.test');
    expect(await outboundState(erin, localRequest.messageId)).toBe('Received');

    // row 47: bob blocks dave — dave's next contact request is refused by bob's service.
    expect(await bob.messages.block(request.messageId)).toEqual({ sender: 'dave@a.test' });
    expect((await bob.messages.pending()).map((m) => m.messageId)).not.toContain(request.messageId);
    const again = await dave.messages.contactRequest('bob@b.test');
    expect(await eventually(() => outboundState(dave, again.messageId), 'the block')).toBe('Refused');
    expect(logB).toContainEqual(expect.objectContaining({ sender: 'dave@a.test', messageId: again.messageId, refused: 'MeshRecipientBlockedSender' }));
  });

  it('row 53: a 70 KB message is refused with MeshRequestSize — by the sender\'s service (Transact) and, unparsed, by the recipient\'s (Post)', async () => {
    const big = 'x'.repeat(70_000);
    const peer = await alice.messages.lookup('bob@b.test');
    const message: RequestConfirmation = { $class: 'RequestConfirmation', MessageId: newMessageId(), Sender: 'alice@a.test', Recipient: 'bob@b.test', Text: big };
    const sealed = sealMessage(message, { signer: alice.account.activation.accountKeys.Signature!, recipients: [peer.encryption] });
    const e = await refusal(alice.client.http.request('Transact', { $class: 'TransactRequest', Account: 'alice@a.test', Outbound: [sealed], Accounts: ['bob@b.test'] }, alice.client.deviceCredential()));
    expect(e.errorName).toBe('MeshRequestSize');
    // A message just under the limit, whose Post (with alice's profile) would not be: refused before the commit, not lost after it.
    let near: DareEnvelope | undefined;
    for (let n = 24_000; n > 0 && near === undefined; n -= 250) {
      const m: RequestConfirmation = { ...message, MessageId: newMessageId(), Text: 'y'.repeat(n) };
      const env = sealMessage(m, { signer: alice.account.activation.accountKeys.Signature!, recipients: [peer.encryption] });
      if (serializeEnvelope(env, 'json').length <= 32 * 1024 - 300) near = env;
    }
    const nearly = await refusal(alice.client.http.request('Transact', { $class: 'TransactRequest', Account: 'alice@a.test', Outbound: [near!], Accounts: ['bob@b.test'] }, alice.client.deviceCredential()));
    expect(nearly.errorName).toBe('MeshRequestSize');
    expect(nearly.detail).toContain('Post');
    // Straight at b's Post: 70 KB of anything, refused on its size before a byte is parsed.
    const response = await fetch(`${b.endpoint}Post`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"PostRequest":{"Messages":["${big}"]}}` });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('MeshRequestSize');
  });

  it('a sender over the rate limit is refused (TooManyRequests) and logged', async () => {
    const frank = await person(a, 'frank@a.test');
    const sent: SentMessage[] = [];
    for (let i = 0; i <= RATE; i++) sent.push(await frank.messages.contactRequest('bob@b.test', { subject: `#${i}` }));
    const last = sent[sent.length - 1]!;
    expect(await eventually(() => outboundState(frank, last.messageId), 'the last delivery')).toBe('Refused');
    expect(await outboundState(frank, sent[0]!.messageId)).toBe('Received');
    expect(logB.filter((l) => l.sender === 'frank@a.test').map((l) => l.refused)).toEqual(['MeshServiceBlockedSender']);
  });
});

describe('a service over its rate', () => {
  it('Posts past the per-service limit are refused before they are read (TooManyRequests, MeshServiceBlockedService) and logged', async () => {
    const log: IngressLogEntry[] = [];
    const e = await testService({ serviceName: 'e.test', service: { messaging: { serviceRate: { messages: 3, windowMs: 60_000 }, log: (l) => log.push(l) } } });
    try {
      const { client, credential } = await asService(c, e);
      const junk: PostRequest = { $class: 'PostRequest', Accounts: ['nobody@e.test'], Messages: [] };
      const statuses: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await refusal(client.request('Post', junk, credential))).errorName);
      expect(statuses).toEqual(['MeshMessageInvalid', 'MeshMessageInvalid', 'MeshMessageInvalid', 'MeshServiceBlockedService']);
      expect(log).toEqual([expect.objectContaining({ sender: `service ${c.udf}`, refused: 'MeshServiceBlockedService' })]);
    } finally {
      await e.stop();
    }
  });
});

describe('an inbox flooded by strangers', () => {
  it('contact requests from non-contacts past the per-recipient limit are refused; a contact still gets through', async () => {
    const log: IngressLogEntry[] = [];
    const g = await testService({ serviceName: 'g.test', service: { messaging: { strangerRate: { messages: 2, windowMs: 60_000 }, log: (l) => log.push(l), resolve: () => resolve + resolveMore } } });
    try {
      resolveMore = `,g.test=${g.endpoint}`;
      const ivy = await person(g, 'ivy@g.test');
      const sent: SentMessage[] = [];
      for (const p of [alice, bob, alice]) sent.push(await p.messages.contactRequest('ivy@g.test'));
      expect(await eventually(() => outboundState(alice, sent[2]!.messageId), 'the third request')).toBe('Refused');
      expect(log.map((l) => l.refused)).toEqual(['MeshServiceBlockedSender']);
      // ivy accepts bob: bob is a contact now, and his confirmation request is admitted over the strangers' limit.
      await eventually(async () => ((await ivy.messages.pending()).length === 2 ? true : undefined), 'the two requests');
      await ivy.messages.accept(sent[1]!.messageId);
      const asked = await bob.messages.confirm('ivy@g.test', 'lunch?');
      expect(await eventually(() => outboundState(bob, asked.messageId), 'bob\'s confirmation')).toBe('Received');
    } finally {
      resolveMore = '';
      await g.stop();
    }
  });
});

describe('attacks on Post (service to service)', () => {
  let carol: Person;
  let captured: DareEnvelope;
  let mallory: Person;
  beforeAll(async () => {
    carol = await person(b, 'carol@b.test');
    mallory = await person(a, 'mallory@a.test');
    const sent = await alice.messages.contactRequest('carol@b.test');
    captured = await sentEnvelope(alice, sent.messageId);
    await eventually(() => outboundState(alice, sent.messageId), 'alice → carol');
  });

  const post = async (from: Service, sender: Person, recipient: string, envelope: DareEnvelope): Promise<MeshProtocolError> => {
    const { client, credential } = await asService(from, b);
    return refusal(client.request('Post', {
      $class: 'PostRequest', Accounts: [recipient], Messages: [envelope as Enveloped<never>], Sender: sender.account.address,
      EnvelopedProfileSender: sender.account.state.profile as Enveloped<AnyProfileAccount>,
    }, credential));
  };

  it('a forged sender: mallory\'s message posted as alice\'s is refused (not signed by alice)', async () => {
    const peer = peerOf(carol.account.state.profile);
    const forged = sealMessage({ $class: 'RequestConfirmation', MessageId: newMessageId(), Sender: 'alice@a.test', Recipient: 'carol@b.test', Text: 'it is me, alice' }, {
      signer: mallory.account.activation.accountKeys.Signature!, recipients: [peer.encryption],
    });
    const e = await post(a, alice, 'carol@b.test', forged);
    expect(e.errorName).toBe('NotAuthenticated');
    // Through alice's own service, a device of mallory cannot send it either (the sending service checks the signature).
    const viaA = await refusal(mallory.client.http.request('Transact', {
      $class: 'TransactRequest', Account: 'mallory@a.test', Outbound: [sealMessage({ $class: 'RequestConfirmation', MessageId: newMessageId(), Sender: 'mallory@a.test', Recipient: 'carol@b.test', Text: 'x' }, {
        signer: alice.account.activation.accountKeys.Signature!, recipients: [peer.encryption],
      })], Accounts: ['carol@b.test'],
    }, mallory.client.deviceCredential()));
    expect(viaA.errorName).toBe('NotAuthenticated');
  });

  it('a forged sender inside a message: mallory signs a contact request claiming to be alice (with alice\'s genuine self contact) — admitted as mallory\'s, never shown as alice\'s', async () => {
    const contacts = await alice.account.catalog('contact');
    const selfContact = contacts.list().find((e) => e.Self === true)!.Contact!.Sources![0]!.EnvelopedSource!;
    await contacts.close();
    const peer = peerOf(carol.account.state.profile);
    const forged = sealMessage({
      $class: 'MessageContact', MessageId: newMessageId(), Sender: 'alice@a.test', Recipient: 'carol@b.test', Reply: true, AuthenticatedData: selfContact as Enveloped<never>,
    }, { signer: mallory.account.activation.accountKeys.Signature!, recipients: [peer.encryption] });
    // Mallory's own service forwards it (she signed it), carol's admits a contact request from her…
    await mallory.client.http.request('Transact', { $class: 'TransactRequest', Account: 'mallory@a.test', Outbound: [forged], Accounts: ['carol@b.test'] }, mallory.client.deviceCredential());
    const id = (await import('../sdk/mesh/messaging/envelope.js')).sealedMessageInfo(forged).messageId;
    const carolMessages = new MeshMessages(carol.client);
    await eventually(async () => {
      await carol.client.sync();
      const spool = await carol.account.spool('inbound');
      try {
        return spool.get(id) ? true : undefined;
      } finally {
        await spool.close();
      }
    }, 'the forged request in carol\'s inbound');
    // …but carol's device checks the signature against the claimed sender's key: not listed, not acceptable.
    expect((await carolMessages.pending()).map((m) => m.messageId)).not.toContain(id);
    await expect(carolMessages.accept(id)).rejects.toMatchObject({ code: 'MESH_NOT_SIGNED' });
    expect(await contactAddresses({ ...carol, messages: carolMessages })).toEqual([]);
  });

  it('a lookup answered by a service that is not the account\'s (a hijacked resolution) is refused: the profile names another service', async () => {
    // An impostor for b.test: c's own keys, answering Lookup with carol's genuine (b-bound) profile.
    const impostor = new MeshHttpService({
      serviceKey: c.service.identity.authenticationKey,
      handlers: { Hello: c.service.handlers.Hello!, Lookup: () => ({ $class: 'LookupResponse', EnvelopedProfileAccount: carol.account.state.profile }) },
    });
    const server = await listenHttp(impostor, { port: 0 });
    const saved = resolve;
    try {
      resolve = saved.replace(`b.test=${b.endpoint}`, `b.test=${server.url}/.well-known/mmm/`);
      const e = await refusal(alice.messages.lookup('carol@b.test'));
      expect(e.errorName).toBe('MeshUnknownAccount');
      expect(e.detail).toContain('not the one that answered');
    } finally {
      resolve = saved;
      await server.close();
    }
    expect((await alice.messages.lookup('carol@b.test')).udf).toBe(carol.account.udf);
    const unknown = await refusal(alice.messages.lookup('nobody@b.test'));
    expect([unknown.status, unknown.errorName]).toEqual([404, 'MeshUnknownAccount']);
  });

  it('a replayed message is refused', async () => {
    const e = await post(a, alice, 'carol@b.test', captured);
    expect(e.errorName).toBe('MeshMessageInvalid');
    expect(e.detail).toContain('replay');
  });

  it('a message for another account is refused (not encrypted to its key)', async () => {
    const e = await post(a, alice, 'bob@b.test', captured);
    expect(e.errorName).toBe('MeshMessageInvalid');
    expect(e.detail).toContain('not encrypted to the recipient');
  });

  it('a service speaking for an account that is not its own is refused, even with a genuine message', async () => {
    const e = await post(c, alice, 'carol@b.test', captured);
    expect(e.errorName).toBe('MeshServiceBlockedService');
    // Nor may another service speak for b's own accounts.
    const local = await post(a, bob, 'carol@b.test', captured);
    expect(local.status).toBe(403);
  });

  it('a device cannot post: Post takes a service credential only', async () => {
    // The client refuses to sign it in the wrong mode, so sign a Transact-shaped request by hand:
    // a device's Connection credential on the Post path.
    const body: PostRequest = { $class: 'PostRequest', Accounts: ['carol@b.test'], Messages: [captured as Enveloped<never>] };
    await expect(alice.client.http.request('Post', body, alice.client.deviceCredential())).rejects.toThrow(/takes a Service credential/);
    const lax = new MeshHttpClient({ endpoint: b.endpoint, transactions: { ...MESH_TRANSACTIONS, Post: { ...MESH_TRANSACTIONS.Post, modes: ['Connection', 'Service'] } } });
    await lax.hello();
    const e = await lax.request('Post', body, alice.client.deviceCredential()).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(UnauthenticatedResponseError);
    expect((e as UnauthenticatedResponseError).claimed?.status).toBe(401);
    expect((e as UnauthenticatedResponseError).claimed?.detail).toContain('Post takes a Service credential, not Connection');
  });
});

describe('a service that is down', () => {
  it('a message to it waits in the sender\'s service\'s outbox — through a restart of that service — and is delivered when it is back', async () => {
    const fData = mkdtempSync(join(tmpdir(), 'mathmesh-f-'));
    let f = await testService({ serviceName: 'f.test', data: fData });
    try {
      resolveMore = `,f.test=${f.endpoint}`;
      const zed = await person(f, 'zed@f.test');
      const peer = await alice.messages.lookup('zed@f.test');
      const port = f.port;
      await f.stop();
      // A lookup now: the service of f.test does not answer (503), which is not "no such account".
      const down = await refusal(alice.messages.lookup('zed@f.test'));
      expect([down.status, down.errorName]).toEqual([503, 'MeshOperationFailed']);
      const contacts = await alice.account.catalog('contact');
      const selfContact = contacts.list().find((e) => e.Self === true)!.Contact!.Sources![0]!.EnvelopedSource!;
      await contacts.close();
      const request = sealMessage({
        $class: 'MessageContact', MessageId: newMessageId(), Sender: 'alice@a.test', Recipient: 'zed@f.test', Reply: true, AuthenticatedData: selfContact as Enveloped<never>,
      }, { signer: alice.account.activation.accountKeys.Signature!, recipients: [peer.encryption] });
      await alice.client.http.request('Transact', { $class: 'TransactRequest', Account: 'alice@a.test', Outbound: [request], Accounts: ['zed@f.test'] }, alice.client.deviceCredential());
      const id = (await import('../sdk/mesh/messaging/envelope.js')).sealedMessageInfo(request).messageId;
      await new Promise((r) => setTimeout(r, 300));
      expect(await outboundState(alice, id)).toBeUndefined(); // neither Received nor Refused: waiting
      // The sending service restarts meanwhile: the delivery is in its store's outbox, not in its memory.
      const aPort = a.port;
      await a.stop();
      a = await testService({ ...aOptions, port: aPort });
      f = await testService({ serviceName: 'f.test', data: fData, port });
      expect(await eventually(() => outboundState(alice, id), 'the delivery after the restart', 15_000)).toBe('Received');
      expect(await pendingDeliveries(a.store)).toEqual([]); // answered: out of the outbox
      expect((await zed.messages.pending()).map((m) => m.messageId)).toEqual([id]);
    } finally {
      resolveMore = '';
      await f.stop();
      rmSync(fData, { recursive: true, force: true });
    }
  });
});

describe('push across services', () => {
  it('a message from another service reaches the recipient\'s watching device', async () => {
    const gina = await person(b, 'gina@b.test');
    const watch = gina.client.watch();
    try {
      const seen = (async () => {
        for await (const change of watch) if (change.store === 'MMM_Inbound' && change.downloaded > 0) return change;
        return undefined;
      })();
      await new Promise((r) => setTimeout(r, 300));
      const sent = await alice.messages.contactRequest('gina@b.test');
      const change = await Promise.race([seen, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
      expect(change?.store).toBe('MMM_Inbound');
      const spool = await gina.account.spool('inbound');
      try {
        expect(spool.get(sent.messageId)?.messageType).toBe('MessageContact');
      } finally {
        await spool.close();
      }
    } finally {
      watch.close();
    }
  });
});
