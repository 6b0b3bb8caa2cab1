import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NodeWebSocket } from '../adapters/node/index.js';
import { headsOfStatus, pushTicketSource, watchPush, type PushChange } from '../sdk/client/index.js';
import { connectionCredential, decodePushMessages, MeshHttpClient, PUSH_CLOSE, pushUrl, type PushMessage } from '../sdk/protocol/index.js';
import { PUSH_ALICE, PUSH_ALICE_ACCOUNT, PUSH_BOB, PUSH_BOB_ACCOUNT, PUSH_CAROL, PUSH_READABLE, PUSH_SERVICE } from './support/push-fixture.js';
import { startPushTestServer, type PushTestServer } from './support/push-server.js';

/**
 * The push channel over real sockets on loopback: the `ws` binding on the node:http server of the
 * HTTP binding, the push client on `ws`'s WebSocket (Node 20 has no global one), and raw TCP for
 * what no WebSocket library would do (a handshake with a bad ticket, a peer that never reads).
 */

let server: PushTestServer;
let endpoint: string;
beforeAll(async () => {
  server = await startPushTestServer({ keepaliveMs: 0, maxPending: 2, highWaterBytes: 4096 });
  endpoint = `${server.url}/.well-known/mmm/`;
});
afterAll(async () => {
  await server.close();
});

function client(account: string, device: typeof PUSH_ALICE) {
  const http = new MeshHttpClient({ endpoint, expectedServiceUdf: PUSH_SERVICE.udf });
  const credential = connectionCredential(account, device.connection);
  return {
    http,
    ticket: pushTicketSource(http, account, credential),
    poll: async () => headsOfStatus(await http.request('Status', { $class: 'StatusRequest', Account: account }, credential)),
    commit: (store: string) => http.request('Transact', { $class: 'TransactRequest', Account: account, Updates: [{ Container: store }] }, credential),
  };
}

/** The HTTP answer to an upgrade request (status and body), or the 101 of an accepted one. */
function upgrade(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a `ws` socket and collects its messages until it closes. */
function socket(url: string): { ws: WebSocket; messages: PushMessage[]; closed: Promise<{ code: number; opened: boolean }> } {
  const ws = new WebSocket(url);
  const messages: PushMessage[] = [];
  let opened = false;
  ws.on('open', () => (opened = true));
  ws.on('message', (d: Buffer) => messages.push(...decodePushMessages(d.toString())));
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; opened: boolean }>((resolve) => ws.on('close', (code) => resolve({ code, opened })));
  return { ws, messages, closed };
}

const until = async (f: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('push over ws on loopback', () => {
  it('a watching device receives the heads, then a change committed by another device of the account', async () => {
    const alice = client(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
    const carol = client(PUSH_ALICE_ACCOUNT, PUSH_CAROL);
    const watch = watchPush({ endpoint, ticket: alice.ticket, poll: alice.poll, WebSocket: NodeWebSocket });
    const seen: PushChange[] = [];
    const reading = (async () => {
      for await (const c of watch) seen.push(c);
    })();
    await until(() => watch.status.socket === 'open');
    const inbound = seen.find((c) => c.store === 'MMM_Inbound')!;
    expect(seen.map((c) => c.store).sort()).toEqual(['MMM_Access', 'MMM_Inbound']); // not MMM_Credential: not readable
    await carol.commit('MMM_Inbound');
    await until(() => seen.some((c) => c.store === 'MMM_Inbound' && c.index === inbound.index + 1));
    watch.close();
    await reading;
  });

  it('refuses the upgrade (no socket) without a ticket, with a forged, an expired or a reused one, and on other paths', async () => {
    expect(await upgrade('/.well-known/mmm/push')).toMatchObject({ status: 401 });
    expect(await upgrade('/.well-known/mmm/push?ticket=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8w')).toMatchObject({ status: 401 });
    expect(await upgrade('/.well-known/mmm/other')).toMatchObject({ status: 404 });
    const alice = client(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
    const ticket = await alice.ticket();
    const first = socket(pushUrl(endpoint, ticket));
    await until(() => first.messages.length > 0);
    expect(first.messages[0]!.type).toBe('heads');
    const again = await upgrade(`/.well-known/mmm/push?ticket=${ticket}`);
    expect(again).toMatchObject({ status: 401, body: expect.stringMatching(/already used/) });
    first.ws.close();
    await first.closed;
  });

  it("a ticket of bob's device sees bob's stores only", async () => {
    const bob = client(PUSH_BOB_ACCOUNT, PUSH_BOB);
    const alice = client(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
    const s = socket(pushUrl(endpoint, await bob.ticket()));
    await until(() => s.messages.length > 0);
    expect(s.messages[0]).toMatchObject({ type: 'heads', heads: [{ store: 'MMM_Inbound', index: 6 }] });
    await alice.commit('MMM_Inbound');
    await alice.commit('MMM_Contact');
    await bob.commit('MMM_Local');
    await until(() => s.messages.length > 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.messages.slice(1)).toEqual([{ type: 'change', store: 'MMM_Local', index: 0 }]);
    s.ws.close();
    await s.closed;
  });

  it("closes a revoked device's socket at once (4403), and it gets no new ticket", async () => {
    const carol = client(PUSH_ALICE_ACCOUNT, PUSH_CAROL);
    const s = socket(pushUrl(endpoint, await carol.ticket()));
    await until(() => s.messages.length > 0);
    server.access.set(`${PUSH_ALICE_ACCOUNT} ${PUSH_CAROL.connection.kid}`, undefined); // the Access catalog says so now
    expect(server.push.closeDevice(PUSH_ALICE_ACCOUNT, PUSH_CAROL.connection.kid)).toBe(1);
    expect(await s.closed).toEqual({ code: PUSH_CLOSE.revoked, opened: true });
    await expect(carol.ticket()).rejects.toMatchObject({ status: 403 });
    server.access.set(`${PUSH_ALICE_ACCOUNT} ${PUSH_CAROL.connection.kid}`, PUSH_READABLE);
  });

  it('a socket that never reads gets no more than the high-water mark, then one resync when it reads again', async () => {
    const alice = client(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
    const ticket = await alice.ticket();
    // A raw client: handshake, then stop reading (its receive window fills, then the service's send buffers).
    const raw: Socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await new Promise((r) => raw.once('connect', r));
    raw.write(`GET /.well-known/mmm/push?ticket=${ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
      + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    await new Promise((r) => raw.once('data', r));
    raw.pause();
    // Flood: big enough to fill loopback's socket buffers (megabytes), on more stores than maxPending.
    for (let round = 0; round < 50_000; round++) {
      for (const store of PUSH_READABLE) await server.commit(PUSH_ALICE_ACCOUNT, store, new Uint8Array(64).fill(round & 0xff));
      if (server.push.stats().resyncPending > 0) break;
    }
    const stats = server.push.stats();
    expect(stats.resyncPending).toBe(1);
    expect(stats.pending).toBe(0);
    expect(stats.maxBuffered).toBeLessThan(4096 + 1024); // the high-water mark plus one message
    // Reading again: the backlog drains, and a resync follows it.
    let text = '';
    raw.on('data', (d: Buffer) => (text += d.toString('latin1')));
    raw.resume();
    await until(() => text.includes('{"type":"resync"}'), 10_000);
    raw.destroy();
  });

  it('the watcher polls where the socket is refused, and the heads it polls are reported', async () => {
    const alice = client(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
    const watch = watchPush({
      endpoint, WebSocket: NodeWebSocket, poll: alice.poll, fallbackAfter: 1, backoff: { initialMs: 50, maxMs: 100 },
      ticket: async () => 'not-a-ticket', // every socket is refused
    });
    const first = await watch.next();
    expect(first.done).toBe(false);
    expect(watch.status.polling).toBe(true);
    expect(watch.status.failures).toBeGreaterThan(0);
    watch.close();
  });
});
