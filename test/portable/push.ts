/**
 * The push client (`mathmesh/client`) on whatever runtime runs this, over that runtime's own
 * WebSocket and fetch, against a real Mesh service on loopback (test/support/push-server.ts,
 * started by scripts/test-runtimes.mjs, or in-process under vitest): the signed PushTicket, the
 * socket, the heads snapshot, a change committed by another device, and refused tickets.
 */
import { headsOfStatus, pushTicketSource, watchPush, type PushChange, type WebSocketConstructor } from '../../sdk/client/index.js';
import { connectionCredential, decodePushMessages, MeshHttpClient, pushUrl, type PushMessage } from '../../sdk/protocol/index.js';
import { PUSH_ALICE, PUSH_ALICE_ACCOUNT, PUSH_BOB, PUSH_BOB_ACCOUNT, PUSH_CAROL, PUSH_SERVICE } from '../support/push-fixture.js';
import type { Suite } from './harness.js';

/** Where the push service of this run is, and the WebSocket to reach it with. */
export interface PushEnv {
  /** Base URL of the service (`http://127.0.0.1:PORT`). */
  readonly url: string;
  /** The runtime's WebSocket (Node 20: `ws`'s client). */
  readonly WebSocket: WebSocketConstructor;
}

/** Rejects when `promise` takes longer than `ms` (the portable runner has no timeout of its own). */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Opens a socket and reports whether it opened, what it received, and how it closed. */
function probe(ctor: WebSocketConstructor, url: string): { messages: PushMessage[]; ended: Promise<{ opened: boolean; code: number }>; close(): void } {
  const ws = new ctor(url);
  const messages: PushMessage[] = [];
  let opened = false;
  ws.onopen = () => (opened = true);
  ws.onmessage = (e) => void messages.push(...decodePushMessages(String(e.data)));
  ws.onerror = () => undefined;
  const ended = new Promise<{ opened: boolean; code: number }>((resolve) => {
    ws.onclose = (e) => resolve({ opened, code: e.code });
  });
  return { messages, ended, close: () => ws.close() };
}

const push: Suite = ({ describe, it, expect }, { push: env }) => {
  describe('push: the client on this runtime against a Node service', () => {
    const need = (): PushEnv => {
      if (env === undefined) throw new Error('no push service was given to this run (scripts/test-runtimes.mjs starts one)');
      return env;
    };
    const party = (account: string, device: typeof PUSH_ALICE) => {
      const http = new MeshHttpClient({ endpoint: need().url, expectedServiceUdf: PUSH_SERVICE.udf });
      const credential = connectionCredential(account, device.connection);
      return {
        http,
        ticket: pushTicketSource(http, account, credential),
        poll: async () => headsOfStatus(await http.request('Status', { $class: 'StatusRequest', Account: account }, credential)),
        commit: (store: string) => http.request('Transact', { $class: 'TransactRequest', Account: account, Updates: [{ Container: store }] }, credential),
      };
    };

    it('a device watching over the WebSocket gets the heads, then a change another device commits', async () => {
      const { WebSocket } = need();
      const alice = party(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
      const carol = party(PUSH_ALICE_ACCOUNT, PUSH_CAROL);
      const watch = watchPush({ endpoint: alice.http.endpoint, ticket: alice.ticket, poll: alice.poll, WebSocket, fallbackAfter: 100 });
      try {
        const heads = await alice.poll(); // what the snapshot must show (earlier runs may have added stores)
        const seen: PushChange[] = [];
        while (seen.length < heads.length) seen.push((await within(15_000, 'heads', watch.next())).value as PushChange);
        expect(watch.status.socket).toBe('open');
        expect(watch.status.polling, 'polling').toBe(false);
        expect(seen).toEqual(heads);
        expect(seen.map((c) => c.store)).toContain('MMM_Inbound');
        expect(seen.map((c) => c.store)).not.toContain('MMM_Credential'); // not readable by this device
        const contact = heads.find((h) => h.store === 'MMM_Contact');
        await carol.commit('MMM_Contact');
        const change = await within(15_000, 'change', watch.next());
        expect(change.value).toEqual({ store: 'MMM_Contact', index: contact === undefined ? 0 : contact.index + 1 });
      } finally {
        watch.close();
      }
    });

    it('no ticket, a forged ticket and a reused ticket open no socket', async () => {
      const { url, WebSocket } = need();
      const alice = party(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
      const endpoint = alice.http.endpoint;
      const bare = probe(WebSocket, pushUrl(endpoint, 'x').replace(/\?.*$/, ''));
      expect((await within(15_000, 'no ticket', bare.ended)).opened).toBe(false);
      const forged = probe(WebSocket, pushUrl(endpoint, 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8w'));
      expect((await within(15_000, 'forged', forged.ended)).opened).toBe(false);
      const ticket = await alice.ticket();
      const first = probe(WebSocket, pushUrl(endpoint, ticket));
      const reused = probe(WebSocket, pushUrl(endpoint, ticket));
      const [a, b] = await Promise.all([
        within(15_000, 'first', (async () => {
          for (let i = 0; i < 300 && first.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
          first.close();
          return first.ended;
        })()),
        within(15_000, 'reused', reused.ended),
      ]);
      // Exactly one of the two sockets opened, and it got the heads.
      expect([a.opened, b.opened].filter(Boolean)).toEqual([true]);
      expect(a.opened ? first.messages[0]?.type : reused.messages[0]?.type).toBe('heads');
      expect(url.startsWith('http://127.0.0.1:'), url).toBe(true);
    });

    it("bob's ticket shows bob's stores and changes, never alice's", async () => {
      const { WebSocket } = need();
      const bob = party(PUSH_BOB_ACCOUNT, PUSH_BOB);
      const alice = party(PUSH_ALICE_ACCOUNT, PUSH_ALICE);
      const s = probe(WebSocket, pushUrl(bob.http.endpoint, await bob.ticket()));
      for (let i = 0; i < 300 && s.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const first = s.messages[0];
      expect(first?.type).toBe('heads');
      expect(first?.type === 'heads' ? first.heads.map((h) => h.store) : []).toEqual((await bob.poll()).map((h) => h.store));
      await alice.commit('MMM_Inbound');
      await bob.commit('MMM_Local');
      for (let i = 0; i < 300 && s.messages.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 100));
      s.close();
      await within(15_000, 'close', s.ended);
      expect(s.messages.slice(1).map((m) => (m.type === 'change' ? m.store : m.type))).toEqual(['MMM_Local']);
    });
  });
};

export default push;
