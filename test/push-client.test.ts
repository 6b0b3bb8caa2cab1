import { describe, expect, it } from 'vitest';
import { Backoff, watchPush, type PushChange, type PushClock, type PushWatchOptions, type WebSocketLike } from '../sdk/client/index.js';
import { encodePushMessage, MeshProtocolError, ProtocolError, refuse, type PushHead } from '../sdk/protocol/index.js';

/**
 * The push client (protocol.md §2) on a fake clock and a fake WebSocket: reconnection delays,
 * a fresh ticket per attempt, the polling fallback, what is reported after a reconnect, final
 * and transient failures. The real socket path is push-node.test.ts and the portable suite.
 */

/** A clock whose time moves only when the test says. */
class FakeClock implements PushClock {
  t = 0;
  #timers: { at: number; f: () => void; id: number }[] = [];
  #id = 0;
  now(): number {
    return this.t;
  }
  setTimeout(f: () => void, ms: number): unknown {
    const id = ++this.#id;
    this.#timers.push({ at: this.t + ms, f, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.#timers = this.#timers.filter((x) => x.id !== h);
  }
  get pending(): number {
    return this.#timers.length;
  }
  /** Moves time forward by `ms`, running each timer due, in order, with its promises settled. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.#timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((x) => x !== next);
      this.t = next.at;
      next.f();
    }
    this.t = end;
    await settle();
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A WebSocket the test drives; every instance is kept, with the time it was made. */
class FakeSocket implements WebSocketLike {
  static made: FakeSocket[] = [];
  static clock: FakeClock;
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedBy: { code?: number; reason?: string } | undefined;
  readonly at: number;
  constructor(readonly url: string) {
    this.at = FakeSocket.clock.now();
    FakeSocket.made.push(this);
  }
  close(code?: number, reason?: string): void {
    this.closedBy = { ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) };
    this.readyState = 3;
  }
  // ---- the service's side ----
  open(heads: readonly PushHead[] = []): void {
    this.readyState = 1;
    this.onopen?.({});
    this.send(encodePushMessage({ type: 'heads', heads }));
  }
  send(text: string): void {
    this.onmessage?.({ data: text });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

function setup(options: Partial<PushWatchOptions> = {}) {
  const clock = new FakeClock();
  FakeSocket.made = [];
  FakeSocket.clock = clock;
  let tickets = 0;
  const polls: number[] = [];
  let heads: PushHead[] = [{ store: 'MMM_Inbound', index: 3 }];
  const watch = watchPush({
    endpoint: 'https://mesh.example.com/.well-known/mmm/',
    ticket: async () => `t${++tickets}`,
    poll: async () => {
      polls.push(clock.now());
      return heads;
    },
    WebSocket: FakeSocket,
    clock,
    random: () => 1, // the top of each jitter range: delays are the nominal ones
    ...options,
  });
  const seen: PushChange[] = [];
  let failure: unknown;
  const reading = (async () => {
    try {
      for await (const c of watch) seen.push(c);
    } catch (e) {
      failure = e;
    }
  })();
  return {
    clock, watch, seen, polls, reading,
    get failure() {
      return failure;
    },
    get tickets() {
      return tickets;
    },
    setHeads(h: PushHead[]) {
      heads = h;
    },
    last: () => FakeSocket.made[FakeSocket.made.length - 1]!,
  };
}

describe('Backoff', () => {
  it('doubles from 1 s to 60 s, each delay in the upper half of its nominal value', () => {
    const low = new Backoff({ random: () => 0 });
    const high = new Backoff({ random: () => 0.999999 });
    const lows = Array.from({ length: 9 }, () => low.next());
    const highs = Array.from({ length: 9 }, () => Math.round(high.next()));
    expect(lows).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(highs).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    low.reset();
    expect(low.next()).toBe(500);
    let x = 0;
    const spread = new Backoff({ random: () => (x = (x + 0.37) % 1) });
    for (let i = 0; i < 50; i++) {
      const nominal = spread.nominal;
      const d = spread.next();
      expect(d).toBeGreaterThanOrEqual(nominal / 2);
      expect(d).toBeLessThanOrEqual(nominal);
    }
  });
});

describe('watchPush', () => {
  it('reconnects with exponential backoff, a fresh ticket each attempt, capped at 60 s', async () => {
    class Refused extends FakeSocket {
      constructor(url: string) {
        super(url);
        queueMicrotask(() => this.drop()); // refused before it opened
      }
    }
    const s = setup({ fallbackAfter: 1000, WebSocket: Refused });
    await s.clock.advance(260_000);
    const times = FakeSocket.made.map((w) => w.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(FakeSocket.made.map((w) => new URL(w.url).searchParams.get('ticket'))).toEqual(FakeSocket.made.map((_, i) => `t${i + 1}`));
    expect(FakeSocket.made[0]!.url).toBe('wss://mesh.example.com/.well-known/mmm/push?ticket=t1');
    expect(s.polls).toEqual([]);
    s.watch.close();
    await s.reading;
  });

  it('reports the heads on connect, then changes; after a reconnect only what it missed', async () => {
    const s = setup();
    await s.clock.advance(0);
    s.last().open([{ store: 'MMM_Inbound', index: 3 }, { store: 'MMM_Access', index: 1 }]);
    s.last().send(encodePushMessage({ type: 'change', store: 'MMM_Inbound', index: 4 }));
    await settle();
    expect(s.seen).toEqual([{ store: 'MMM_Inbound', index: 3 }, { store: 'MMM_Access', index: 1 }, { store: 'MMM_Inbound', index: 4 }]);
    s.last().drop();
    await s.clock.advance(1000);
    expect(FakeSocket.made).toHaveLength(2);
    s.last().open([{ store: 'MMM_Inbound', index: 6 }, { store: 'MMM_Access', index: 1 }]); // Inbound moved while away
    await settle();
    expect(s.seen.slice(3)).toEqual([{ store: 'MMM_Inbound', index: 6 }]);
    s.watch.close();
    await s.reading;
  });

  it('reports only stores that differ from `since`', async () => {
    const s = setup({ since: [{ store: 'MMM_Inbound', index: 3 }, { store: 'MMM_Access', index: 1, digest: Uint8Array.of(1) }] });
    await s.clock.advance(0);
    s.last().open([{ store: 'MMM_Inbound', index: 3 }, { store: 'MMM_Access', index: 1, digest: Uint8Array.of(2) }]);
    await settle();
    expect(s.seen).toEqual([{ store: 'MMM_Access', index: 1, digest: Uint8Array.of(2) }]);
    s.watch.close();
    await s.reading;
  });

  it('merges changes per store while the consumer is busy: the newest of each, in first-change order', async () => {
    const clock = new FakeClock();
    FakeSocket.made = [];
    FakeSocket.clock = clock;
    const watch = watchPush({ endpoint: 'https://m.example/', ticket: async () => 't', poll: async () => [], WebSocket: FakeSocket, clock });
    await clock.advance(0);
    const ws = FakeSocket.made[0]!;
    ws.open();
    for (let i = 0; i < 10; i++) ws.send([encodePushMessage({ type: 'change', store: 'A', index: i }), encodePushMessage({ type: 'change', store: 'B', index: 100 + i })].join('\n'));
    const got = [await watch.next(), await watch.next()].map((r) => r.value);
    expect(got).toEqual([{ store: 'A', index: 9 }, { store: 'B', index: 109 }]);
    watch.close();
    expect(await watch.next()).toEqual({ value: undefined, done: true });
  });

  it('falls back to polling after repeated failures, keeps trying the socket, and stops polling once it holds', async () => {
    const s = setup({ fallbackAfter: 3, pollIntervalMs: 30_000, backoff: { initialMs: 1000, maxMs: 8000 } });
    for (let i = 0; i < 3; i++) {
      await s.clock.advance(0);
      s.last().drop();
      await s.clock.advance(i === 2 ? 0 : 10_000);
    }
    expect(s.watch.status.polling).toBe(true);
    expect(s.polls).toHaveLength(1); // at once
    expect(s.seen).toEqual([{ store: 'MMM_Inbound', index: 3 }]);
    s.setHeads([{ store: 'MMM_Inbound', index: 4 }]);
    await s.clock.advance(30_000);
    expect(s.polls.length).toBeGreaterThanOrEqual(2);
    expect(s.seen).toContainEqual({ store: 'MMM_Inbound', index: 4 });
    // Meanwhile the socket is tried again; when one opens, polling stops.
    const socket = s.last();
    expect(socket.closedBy).toBeUndefined();
    socket.open([{ store: 'MMM_Inbound', index: 4 }]);
    await settle();
    expect(s.watch.status).toMatchObject({ socket: 'open', polling: false, failures: 0 });
    const polled = s.polls.length;
    await s.clock.advance(120_000);
    expect(s.polls).toHaveLength(polled);
    s.watch.close();
    await s.reading;
  });

  it('polls only, where there is no WebSocket (or a CSP refuses it)', async () => {
    const s = setup({ WebSocket: null, pollIntervalMs: 5000 });
    await s.clock.advance(12_000);
    expect(s.polls).toEqual([0, 5000, 10000]);
    expect(FakeSocket.made).toEqual([]);
    s.watch.close();
    await s.reading;
    class Blocked extends FakeSocket {
      constructor(url: string) {
        super(url);
        throw new DOMException('refused by the content security policy', 'SecurityError');
      }
    }
    const b = setup({ WebSocket: Blocked, fallbackAfter: 2 });
    await b.clock.advance(1000);
    expect(b.watch.status.polling).toBe(true);
    b.watch.close();
    await b.reading;
  });

  it('answers a resync with one poll', async () => {
    const s = setup();
    await s.clock.advance(0);
    s.last().open([{ store: 'MMM_Inbound', index: 3 }]);
    s.setHeads([{ store: 'MMM_Inbound', index: 9 }, { store: 'MMM_Local', index: 0 }]);
    s.last().send(encodePushMessage({ type: 'resync' }));
    await settle();
    expect(s.polls).toHaveLength(1);
    expect(s.seen.slice(1)).toEqual([{ store: 'MMM_Inbound', index: 9 }, { store: 'MMM_Local', index: 0 }]);
    s.watch.close();
    await s.reading;
  });

  it('reopens a socket that stayed silent past the idle timeout; keepalives keep it', async () => {
    const s = setup({ idleTimeoutMs: 75_000 });
    await s.clock.advance(0);
    const first = s.last();
    first.open([]);
    for (let i = 0; i < 4; i++) {
      await s.clock.advance(30_000);
      first.send(encodePushMessage({ type: 'keepalive' }));
    }
    expect(FakeSocket.made).toHaveLength(1);
    await s.clock.advance(75_000);
    expect(first.closedBy?.code).toBe(4000);
    await s.clock.advance(1000);
    expect(FakeSocket.made).toHaveLength(2);
    s.watch.close();
    await s.reading;
  });

  it('resets the backoff only after a connection held for stableMs', async () => {
    const s = setup({ stableMs: 10_000, fallbackAfter: 100 });
    await s.clock.advance(0);
    s.last().drop();
    await s.clock.advance(1000); // attempt 2, after 1 s
    s.last().drop();
    await s.clock.advance(2000); // attempt 3, after 2 s
    s.last().open([]);
    await s.clock.advance(1000);
    s.last().drop(); // held 1 s: not stable
    await s.clock.advance(4000);
    expect(FakeSocket.made.at(-1)!.at - FakeSocket.made.at(-2)!.at).toBe(5000); // 1 s open + 4 s wait
    s.last().open([]);
    await s.clock.advance(20_000);
    s.last().drop(); // held 20 s: the backoff starts over
    await s.clock.advance(1000);
    expect(FakeSocket.made.at(-1)!.at - FakeSocket.made.at(-2)!.at).toBe(21_000);
    s.watch.close();
    await s.reading;
  });

  it('drops a socket that sends something not of this protocol, and reconnects', async () => {
    const s = setup();
    await s.clock.advance(0);
    s.last().open([]);
    s.last().send('{"type":"change","store":"../../etc","index":-1}');
    await s.clock.advance(1000);
    expect(FakeSocket.made[0]!.closedBy?.code).toBe(1002);
    expect(FakeSocket.made).toHaveLength(2);
    s.watch.close();
    await s.reading;
  });

  it("ends with the service's authentic refusal (a revoked device); retries network failures and overload", async () => {
    let calls = 0;
    const errors: unknown[] = [
      new ProtocolError('PROTOCOL_UNREACHABLE', 'connection refused'),
      refuse('ServerOverload'),
      refuse('Forbidden', { extended: 'DeviceRevoked', name: 'NotAuthorized' }),
    ];
    const s = setup({
      ticket: async () => {
        throw errors[calls++];
      },
      fallbackAfter: 100,
    });
    await s.clock.advance(10_000);
    await s.reading;
    expect(calls).toBe(3);
    expect(s.failure).toBeInstanceOf(MeshProtocolError);
    expect((s.failure as MeshProtocolError).status).toBe(403);
    expect(s.clock.pending).toBe(0); // nothing left running
  });

  it('ends when its signal aborts', async () => {
    const abort = new AbortController();
    const s = setup({ signal: abort.signal });
    await s.clock.advance(0);
    s.last().open([]);
    abort.abort();
    await s.reading;
    expect(s.last().closedBy?.code).toBe(1000);
    expect(s.clock.pending).toBe(0);
  });
});
