import { afterEach, describe, expect, it } from 'vitest';
import { publicPart } from '../sdk/dare/index.js';
import type { PushTicketRequest } from '../sdk/mesh/index.js';
import { base64urlDecode, base64urlEncode } from '../sdk/encoding/index.js';
import {
  connectionCredential, decodePushMessages, fetchHandler, keyCredential, MemoryReplayCache, MeshHttpClient, MeshHttpService, MeshProtocolError,
  PUSH_CLOSE, PushError, type PushMessage,
} from '../sdk/protocol/index.js';
import { MeshPushService, PushTickets, type MeshPushServiceOptions, type PushConnection, type PushSocketEvents } from '../sdk/service/push/index.js';
import { TestChangeSource } from './support/push-source.js';
import { seeded } from './support/random.js';
import { inProcessFetch, makeDevice, makeService } from './support/wire.js';

/**
 * The push service (protocol.md §2, WebSocket push) against sockets it cannot tell from real
 * ones: tickets that are forged, expired, replayed or another's; devices that lose access; a
 * consumer that never reads; dead peers. The `ws` binding over real sockets is push-node.test.ts.
 */

const service = makeService(61);
const other = makeService(62);
const alice = makeDevice(63);
const bob = makeDevice(64);
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const ALL = ['MMM_Access', 'MMM_Contact', 'MMM_Inbound'];

/** A socket as the service sees it: records what it is sent; `bufferedAmount` is set by the test. */
class FakeConnection implements PushConnection {
  readonly sent: string[] = [];
  bufferedAmount = 0;
  pings = 0;
  closedWith: { code: number; reason: string } | undefined;
  terminated = false;
  events: PushSocketEvents | undefined;
  send(text: string): void {
    if (this.closedWith || this.terminated) throw new Error('send after close');
    this.sent.push(text);
  }
  ping(): void {
    this.pings++;
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    queueMicrotask(() => this.events?.closed()); // the peer answers the closing handshake
  }
  terminate(): void {
    this.terminated = true;
    queueMicrotask(() => this.events?.closed());
  }
  /** Every line received, decoded. */
  messages(): PushMessage[] {
    return this.sent.flatMap((t) => decodePushMessages(t));
  }
}

interface Setup {
  push: MeshPushService;
  source: TestChangeSource;
  clock: { t: number };
  access: Map<string, string[] | undefined>;
  errors: unknown[];
  /** A ticket for `device` of `account`, via the signed PushTicket transaction. */
  ticket(account: string, device: typeof alice): Promise<string>;
  /** Admits and attaches a socket; resolves once the heads snapshot was sent. */
  open(ticket: string): Promise<FakeConnection>;
}

const running: MeshPushService[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.close();
});

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function setup(options: Partial<MeshPushServiceOptions> = {}): Setup {
  const clock = { t: 1_800_000_000_000 };
  const now = (): number => clock.t;
  const source = new TestChangeSource();
  source.set(ALICE, 'MMM_Access', 2);
  source.set(ALICE, 'MMM_Inbound', 5, Uint8Array.of(1, 2, 3));
  source.set(ALICE, 'MMM_Credential', 4);
  source.set(BOB, 'MMM_Inbound', 9);
  // Who may read what: key `account keyid`.
  const access = new Map<string, string[] | undefined>([
    [`${ALICE} ${alice.connection.kid}`, ALL],
    [`${BOB} ${bob.connection.kid}`, ALL],
  ]);
  const errors: unknown[] = [];
  const push = new MeshPushService({
    serviceKey: service.authentication, source, now, keepaliveMs: 0, random: seeded(7),
    readable: async (account, keyid) => access.get(`${account} ${keyid}`),
    onError: (e) => errors.push(e),
    ...options,
  });
  running.push(push);
  const connections: Record<string, ReturnType<typeof publicPart>[]> = { [ALICE]: [publicPart(alice.connection)], [BOB]: [publicPart(bob.connection)] };
  const http = new MeshHttpService({
    serviceKey: service.authentication, now,
    resolveConnection: async (account, keyid) => connections[account]?.find((k) => k.kid === keyid),
    handlers: { Hello: () => ({ $class: 'MeshHelloResponse', EnvelopedProfileService: service.profile }), ...push.handlers },
  });
  const client = new MeshHttpClient({ endpoint: 'https://mesh.example.com/', fetch: inProcessFetch(fetchHandler(http)), now, expectedServiceUdf: service.udf });
  return {
    push, source, clock, access, errors,
    async ticket(account, device) {
      const r = await client.request('PushTicket', { $class: 'PushTicketRequest', Account: account }, connectionCredential(account, device.connection));
      return r.Ticket!;
    },
    async open(ticket) {
      const admission = await push.admit(`/.well-known/mmm/push?ticket=${encodeURIComponent(ticket)}`);
      if (!admission.ok) throw new Error(`refused ${admission.status}: ${admission.reason}`);
      const c = new FakeConnection();
      c.events = push.attach(admission.grant, c);
      await tick();
      return c;
    },
  };
}

describe('push tickets', () => {
  const replay = (): MemoryReplayCache => new MemoryReplayCache({ now: () => 1_800_000_000_000 });

  it('a ticket redeems once, for the account and device it was issued to', async () => {
    const tickets = new PushTickets({ serviceKey: service.authentication, replay: replay(), now: () => 1_800_000_000_000 });
    const { ticket, expires } = tickets.issue(ALICE, alice.connection.kid);
    expect(expires).toBe(1_800_000_030_000);
    expect(await tickets.redeem(ticket)).toEqual({ account: ALICE, keyid: alice.connection.kid, expires });
    await expect(tickets.redeem(ticket)).rejects.toMatchObject({ code: 'PUSH_TICKET_REUSED' });
  });

  it('refuses forged, altered, expired and malformed tickets, each with its code', async () => {
    let t = 1_800_000_000_000;
    const tickets = new PushTickets({ serviceKey: service.authentication, replay: replay(), now: () => t });
    const { ticket } = tickets.issue(ALICE, alice.connection.kid);
    // Another service's ticket (another key): forged here.
    const foreign = new PushTickets({ serviceKey: other.authentication, replay: replay(), now: () => t }).issue(ALICE, alice.connection.kid).ticket;
    await expect(tickets.redeem(foreign)).rejects.toMatchObject({ code: 'PUSH_TICKET_FORGED' });
    // Alice's ticket rewritten to name Bob (same length, so only the tag can tell).
    const bytes = base64urlDecode(ticket);
    const at = bytes.indexOf('a'.charCodeAt(0), 27);
    const forged = bytes.slice();
    forged.set(new TextEncoder().encode('bob@example.co'), at);
    await expect(tickets.redeem(base64urlEncode(forged))).rejects.toMatchObject({ code: 'PUSH_TICKET_FORGED' });
    // Every single-bit flip is refused.
    for (let i = 0; i < bytes.length; i += 7) {
      const flipped = bytes.slice();
      flipped[i]! ^= 1;
      const code = await tickets.redeem(base64urlEncode(flipped)).then(() => 'accepted', (e: PushError) => e.code);
      expect(['PUSH_TICKET_FORGED', 'PUSH_TICKET_MALFORMED'], `bit flip at byte ${i}`).toContain(code);
    }
    for (const bad of ['', 'not base64!', 'AAAA', 'x'.repeat(5000)]) await expect(tickets.redeem(bad)).rejects.toMatchObject({ code: 'PUSH_TICKET_MALFORMED' });
    t += 30_000; // the instant it expires
    await expect(tickets.redeem(ticket)).rejects.toMatchObject({ code: 'PUSH_TICKET_EXPIRED' });
  });

  it('is redeemed by any host of the service that shares the replay cache, once', async () => {
    const shared = replay();
    const hostA = new PushTickets({ serviceKey: service.authentication, replay: shared, now: () => 1_800_000_000_000 });
    const hostB = new PushTickets({ serviceKey: service.authentication, replay: shared, now: () => 1_800_000_000_000 });
    const { ticket } = hostA.issue(ALICE, alice.connection.kid);
    const results = await Promise.allSettled([hostB.redeem(ticket), hostA.redeem(ticket), hostB.redeem(ticket)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('PushTicket transaction', () => {
  it('issues a ticket to a connected device that may read the account', async () => {
    const s = setup();
    const ticket = await s.ticket(ALICE, alice);
    const c = await s.open(ticket);
    expect(c.messages()[0]!.type).toBe('heads');
  });

  it('refuses a device that may read nothing (revoked), authentically', async () => {
    const s = setup();
    s.access.set(`${ALICE} ${alice.connection.kid}`, undefined);
    const e = await s.ticket(ALICE, alice).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MeshProtocolError);
    expect((e as MeshProtocolError).status).toBe(403);
  });

  it('takes only a Connection credential (a Key credential names no device of an account)', async () => {
    const s = setup();
    const http = new MeshHttpService({ serviceKey: service.authentication, handlers: { Hello: () => ({ $class: 'MeshHelloResponse', EnvelopedProfileService: service.profile }), ...s.push.handlers } });
    const client = new MeshHttpClient({ endpoint: 'https://mesh.example.com/', fetch: inProcessFetch(fetchHandler(http)) });
    await client.hello();
    await expect(client.send('PushTicket', { $class: 'PushTicketRequest', Account: ALICE } as PushTicketRequest, keyCredential(alice.base))).rejects.toThrow(/Connection credential/);
  });
});

describe('admission of a socket', () => {
  it('refuses a socket without a ticket, with two, or on another path', async () => {
    const s = setup();
    expect(await s.push.admit('/.well-known/mmm/push')).toMatchObject({ ok: false, status: 401 });
    const t = await s.ticket(ALICE, alice);
    expect(await s.push.admit(`/.well-known/mmm/push?ticket=${t}&ticket=${t}`)).toMatchObject({ ok: false, status: 401 });
    expect(await s.push.admit(`/.well-known/mmm/other?ticket=${t}`)).toMatchObject({ ok: false, status: 404 });
    // The ticket was not burnt by those refusals.
    expect(await s.push.admit(`/.well-known/mmm/push?ticket=${t}`)).toMatchObject({ ok: true });
  });

  it('refuses a reused, an expired and a forged ticket', async () => {
    const s = setup();
    const t = await s.ticket(ALICE, alice);
    await s.open(t);
    expect(await s.push.admit(`/.well-known/mmm/push?ticket=${t}`)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/already used/) });
    const late = await s.ticket(ALICE, alice);
    s.clock.t += 30_001;
    expect(await s.push.admit(`/.well-known/mmm/push?ticket=${late}`)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/expired/) });
    const foreign = new PushTickets({ serviceKey: other.authentication, replay: new MemoryReplayCache(), now: () => s.clock.t }).issue(ALICE, alice.connection.kid).ticket;
    expect(await s.push.admit(`/.well-known/mmm/push?ticket=${foreign}`)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/does not verify/) });
  });

  it('refuses a ticket whose device lost its access after it was issued', async () => {
    const s = setup();
    const t = await s.ticket(ALICE, alice);
    s.access.set(`${ALICE} ${alice.connection.kid}`, undefined);
    expect(await s.push.admit(`/.well-known/mmm/push?ticket=${t}`)).toMatchObject({ ok: false, status: 403 });
  });

  it('voids a grant admitted before closeDevice whose socket opens after it', async () => {
    const s = setup();
    const admission = await s.push.admit(`/.well-known/mmm/push?ticket=${await s.ticket(ALICE, alice)}`);
    expect(admission.ok).toBe(true);
    s.push.closeDevice(ALICE, alice.connection.kid);
    const c = new FakeConnection();
    s.push.attach((admission as { grant: Parameters<MeshPushService['attach']>[0] }).grant, c);
    expect(c.closedWith?.code).toBe(PUSH_CLOSE.revoked);
    expect(c.sent).toEqual([]);
  });
});

describe('notifications', () => {
  it('opens with the heads of the stores the device may read, then sends each change', async () => {
    const s = setup();
    const c = await s.open(await s.ticket(ALICE, alice));
    expect(c.messages()).toEqual([{
      type: 'heads',
      heads: [{ store: 'MMM_Access', index: 1 }, { store: 'MMM_Inbound', index: 4, digest: Uint8Array.of(1, 2, 3) }], // not MMM_Credential
    }]);
    s.source.commit(ALICE, 'MMM_Contact', 1, Uint8Array.of(9));
    s.source.commit(ALICE, 'MMM_Credential'); // not readable by this device
    await tick();
    expect(c.messages().slice(1)).toEqual([{ type: 'change', store: 'MMM_Contact', index: 0, digest: Uint8Array.of(9) }]);
  });

  it("a device's socket never sees another account's stores, even of the same names", async () => {
    const s = setup();
    const a = await s.open(await s.ticket(ALICE, alice));
    const b = await s.open(await s.ticket(BOB, bob));
    s.source.commit(BOB, 'MMM_Inbound');
    s.source.commit(BOB, 'MMM_Access');
    await tick();
    expect(a.messages()).toHaveLength(1); // its heads only
    expect(b.messages().slice(1).map((m) => m.type === 'change' && m.store)).toEqual(['MMM_Inbound', 'MMM_Access']);
    expect((b.messages()[0] as { heads: readonly unknown[] } & PushMessage).heads).toEqual([{ store: 'MMM_Inbound', index: 8 }]);
  });

  it('a change committed while the socket opens is not sent twice nor older than the heads', async () => {
    const s = setup();
    const admission = await s.push.admit(`/.well-known/mmm/push?ticket=${await s.ticket(ALICE, alice)}`);
    const c = new FakeConnection();
    c.events = s.push.attach((admission as { grant: Parameters<MeshPushService['attach']>[0] }).grant, c);
    s.source.commit(ALICE, 'MMM_Inbound'); // before the heads are read: covered by them
    await tick();
    s.source.commit(ALICE, 'MMM_Inbound');
    await tick();
    const inbound = c.messages().flatMap((m) => (m.type === 'heads' ? m.heads : m.type === 'change' ? [m] : [])).filter((h) => h.store === 'MMM_Inbound');
    expect(inbound.map((h) => h.index)).toEqual([5, 6]);
  });

  it('merges the notifications of a slow socket per store: only the newest of each waits', async () => {
    const s = setup();
    const c = await s.open(await s.ticket(ALICE, alice));
    c.bufferedAmount = 1 << 20; // the peer stopped reading
    for (let i = 0; i < 100; i++) s.source.commit(ALICE, 'MMM_Inbound');
    for (let i = 0; i < 50; i++) s.source.commit(ALICE, 'MMM_Contact');
    await tick();
    expect(c.sent).toHaveLength(1); // the heads
    expect(s.push.stats().pending).toBe(2);
    c.bufferedAmount = 0;
    c.events!.written();
    expect(c.sent).toHaveLength(2); // one message with both lines
    expect(c.messages().slice(1)).toEqual([{ type: 'change', store: 'MMM_Inbound', index: 104 }, { type: 'change', store: 'MMM_Contact', index: 49 }]);
  });

  it("replaces a slow socket's queue by one resync past maxPending stores; memory stays bounded", async () => {
    const many = Array.from({ length: 40 }, (_, i) => `S${i}`);
    const s = setup({ maxPending: 4, highWaterBytes: 1000 });
    s.access.set(`${ALICE} ${alice.connection.kid}`, many);
    const c = await s.open(await s.ticket(ALICE, alice));
    c.bufferedAmount = 5000;
    for (let round = 0; round < 50; round++) for (const store of many) s.source.commit(ALICE, store);
    await tick();
    const stats = s.push.stats();
    expect(stats.pending).toBe(0);
    expect(stats.resyncPending).toBe(1);
    expect(c.sent).toHaveLength(1); // nothing written while congested
    c.bufferedAmount = 0;
    c.events!.written();
    expect(c.messages().slice(1)).toEqual([{ type: 'resync' }]);
    s.source.commit(ALICE, 'S3');
    await tick();
    expect(c.messages().slice(2)).toEqual([{ type: 'change', store: 'S3', index: 50 }]);
  });

  it('the sweep writes what waits once the socket drained, and tells idle sockets it is alive', async () => {
    const s = setup();
    const c = await s.open(await s.ticket(ALICE, alice));
    c.bufferedAmount = 1 << 20;
    s.source.commit(ALICE, 'MMM_Inbound');
    await tick();
    c.bufferedAmount = 0; // drained without a write callback (the binding missed none, but the sweep does not rely on it)
    s.push.sweep();
    expect(c.messages().slice(1)).toEqual([{ type: 'change', store: 'MMM_Inbound', index: 5 }]);
    c.events!.pong();
    s.push.sweep();
    expect(c.messages().slice(2)).toEqual([{ type: 'keepalive' }]);
  });

  it('re-reads the heads of each account once when the source lost events, and tells the sockets', async () => {
    const s = setup();
    const a1 = await s.open(await s.ticket(ALICE, alice));
    const a2 = await s.open(await s.ticket(ALICE, alice));
    const b = await s.open(await s.ticket(BOB, bob));
    s.source.set(ALICE, 'MMM_Inbound', 8); // committed while the notification channel was down
    const reads = s.source.headsReads;
    s.source.publish({ type: 'resync' });
    await tick();
    await tick();
    expect(s.source.headsReads - reads).toBe(2); // alice and bob, not one per socket
    for (const c of [a1, a2]) expect(c.messages().slice(1)).toContainEqual({ type: 'change', store: 'MMM_Inbound', index: 7 });
    expect(b.messages().slice(1)).toEqual([{ type: 'change', store: 'MMM_Inbound', index: 8 }]);
  });
});

describe('disconnection', () => {
  it("closeDevice closes the device's sockets at once, and only its", async () => {
    const s = setup();
    const a = await s.open(await s.ticket(ALICE, alice));
    const b = await s.open(await s.ticket(BOB, bob));
    expect(s.push.closeDevice(ALICE.toUpperCase(), alice.connection.kid)).toBe(1);
    expect(a.closedWith).toEqual({ code: PUSH_CLOSE.revoked, reason: 'access revoked' });
    s.source.commit(ALICE, 'MMM_Inbound');
    await tick();
    expect(a.sent).toHaveLength(1); // nothing after the close
    expect(b.closedWith).toBeUndefined();
    expect(s.push.connections).toBe(1);
  });

  it('a revocation committed to the Access catalog (through any host) closes the sockets it revokes', async () => {
    const s = setup();
    const a = await s.open(await s.ticket(ALICE, alice));
    s.access.set(`${ALICE} ${alice.connection.kid}`, undefined);
    s.source.commit(ALICE, 'MMM_Access');
    await tick();
    await tick();
    expect(a.closedWith?.code).toBe(PUSH_CLOSE.revoked);
  });

  it('a narrowed access stops the notifications of the stores taken away; a widened one sends the new heads', async () => {
    const s = setup();
    const a = await s.open(await s.ticket(ALICE, alice));
    s.access.set(`${ALICE} ${alice.connection.kid}`, ['MMM_Access', 'MMM_Credential']);
    s.source.commit(ALICE, 'MMM_Access');
    await tick();
    await tick();
    s.source.commit(ALICE, 'MMM_Inbound');
    await tick();
    const changes = a.messages().slice(1);
    expect(changes).toContainEqual({ type: 'change', store: 'MMM_Credential', index: 3 });
    expect(changes.some((m) => m.type === 'change' && m.store === 'MMM_Inbound')).toBe(false);
  });

  it('drops a socket that does not answer a ping by the next sweep; keeps one that does', async () => {
    const s = setup();
    const dead = await s.open(await s.ticket(ALICE, alice));
    const live = await s.open(await s.ticket(ALICE, alice));
    s.push.sweep();
    expect([dead.pings, live.pings]).toEqual([1, 1]);
    live.events!.pong();
    s.push.sweep();
    expect(dead.terminated).toBe(true);
    expect(live.terminated).toBe(false);
    expect(s.push.connections).toBe(1);
  });

  it('closes a socket that sends anything (the channel is one-way), and those of a deleted account', async () => {
    const s = setup();
    const a = await s.open(await s.ticket(ALICE, alice));
    a.events!.message(10);
    expect(a.closedWith?.code).toBe(PUSH_CLOSE.policy);
    const b = await s.open(await s.ticket(BOB, bob));
    s.source.deleteAccount(BOB);
    await tick();
    expect(b.closedWith?.code).toBe(PUSH_CLOSE.revoked);
  });

  it('holds a bounded number of sockets per device: a newer one replaces the oldest', async () => {
    const s = setup({ maxSocketsPerDevice: 2 });
    const first = await s.open(await s.ticket(ALICE, alice));
    const second = await s.open(await s.ticket(ALICE, alice));
    await s.open(await s.ticket(ALICE, alice));
    expect(first.closedWith?.code).toBe(PUSH_CLOSE.superseded);
    expect(second.closedWith).toBeUndefined();
    expect(s.push.connections).toBe(2);
  });

  it('closes every socket when the service closes or its change source ends', async () => {
    const s = setup();
    const a = await s.open(await s.ticket(ALICE, alice));
    s.source.end();
    await tick();
    expect(a.closedWith?.code).toBe(PUSH_CLOSE.goingAway);
    expect(s.errors.some((e) => e instanceof PushError && e.code === 'PUSH_CLOSED')).toBe(true);
    expect(await s.push.admit('/.well-known/mmm/push?ticket=x')).toMatchObject({ ok: false, status: 503 });
  });

  it('a socket whose heads cannot be read is closed (internal), not left without its snapshot', async () => {
    const s = setup();
    s.source.failHeads = true;
    const admission = await s.push.admit(`/.well-known/mmm/push?ticket=${await s.ticket(ALICE, alice)}`);
    const c = new FakeConnection();
    s.push.attach((admission as { grant: Parameters<MeshPushService['attach']>[0] }).grant, c);
    await tick();
    expect(c.closedWith?.code).toBe(PUSH_CLOSE.internal);
  });
});
