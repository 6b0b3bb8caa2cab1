import { connect, type Socket } from 'node:net';
import type { FetchFunction } from '../sdk/protocol/client.js';
import { ReceivedHeaderFields } from '../sdk/protocol/header-fields.js';

/**
 * A `fetch` for the devices of bench/service.ts: HTTP/1.1 over keep-alive loopback connections,
 * written and read by hand — the request line, its fields and the body in one write; the answer's
 * status line and fields parsed, its Content-Length body collected — and handed back as a
 * `Response`. The benchmark's devices all live in one process that shares the machine's two
 * cores with the service: the runtime's `fetch` (undici) cost that process about as much CPU per
 * request as the service spent serving it, and node:http's client (agent, ClientRequest,
 * IncomingMessage, their streams and events) still a third of what was left, so the devices would
 * measure themselves. Plain `http:` only, POST only, no redirects (the Mesh client asks for none),
 * answers framed by Content-Length (the Mesh service's always are) — what the bench needs; any
 * other answer is an error, never a guess.
 *
 * The answer is a {@link LoopbackResponse}: the status, the header fields as the SDK's
 * `ReceivedHeaderFields` (what a Fetch `Headers` would read), and a body stream holding the bytes
 * received — the members of `Response` the Mesh client reads (`status`, `headers`,
 * `body.getReader()`, `body.cancel()`). The client reads it exactly as it reads a fetch response:
 * capped, then signature and digest checked.
 */
export function loopbackFetch(options: { maxSockets?: number } = {}): FetchFunction {
  const max = options.maxSockets ?? 4;
  const pools = new Map<string, Pool>();
  // The devices ask a handful of URLs (one per transaction): each is parsed once.
  const targets = new Map<string, Target>();
  const target = (input: string): Target => {
    let t = targets.get(input);
    if (t === undefined) {
      const url = new URL(input);
      if (url.protocol !== 'http:') throw new TypeError(`loopbackFetch: ${url.protocol} is not served (plain http only)`);
      const port = Number(url.port || 80);
      const key = `${url.hostname}:${port}`;
      let pool = pools.get(key);
      if (pool === undefined) pools.set(key, (pool = new Pool(url.hostname.replace(/^\[|\]$/g, ''), port, max)));
      targets.set(input, (t = { pool, path: url.pathname + url.search, host: url.host }));
    }
    return t;
  };
  return async (input, init) => {
    const t = target(input);
    const body = init.body as Uint8Array;
    let head = `${init.method ?? 'POST'} ${t.path} HTTP/1.1\r\nhost: ${t.host}\r\n`;
    const given = init.headers;
    const add = (v: string, k: string): void => {
      // A field that could break the request apart is refused, as fetch refuses it.
      if (/[\r\n\0]/.test(v) || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) throw new TypeError(`loopbackFetch: header field ${k} is not valid`);
      const name = k.toLowerCase();
      if (name !== 'content-length' && name !== 'host' && name !== 'connection' && name !== 'transfer-encoding') head += `${k}: ${v}\r\n`;
    };
    if (given instanceof Headers) given.forEach(add);
    else if (given !== undefined && !Array.isArray(given)) for (const k of Object.keys(given)) add((given as Record<string, string>)[k]!, k); // the Mesh client's record of fields
    else new Headers(given).forEach(add);
    head += `content-length: ${body.byteLength}\r\n\r\n`;
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const socket = await t.pool.take();
    return new Exchange(t.pool, socket, signal).send(head, body);
  };
}

interface Target {
  readonly pool: Pool;
  readonly path: string;
  readonly host: string;
}

/** Keep-alive connections to one host:port, at most `max` open; requests beyond wait for one. */
class Pool {
  /** Idle connections, each with the instant (performance.now) after which it is not reused. */
  readonly #idle: { readonly socket: Socket; readonly until: number }[] = [];
  readonly #waiting: { resolve: (socket: Socket) => void; reject: (e: unknown) => void }[] = [];
  #open = 0;

  constructor(readonly host: string, readonly port: number, readonly max: number) {}

  take(): Promise<Socket> {
    const now = performance.now();
    for (let idle = this.#idle.pop(); idle !== undefined; idle = this.#idle.pop()) {
      if (!idle.socket.destroyed && idle.socket.writable && now < idle.until) return Promise.resolve(idle.socket);
      idle.socket.destroy(); // near the server's keep-alive timeout: it may be closing it right now
    }
    if (this.#open >= this.max) return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
    return this.#connect();
  }

  /**
   * A connection that finished an exchange and may carry another for `keepAliveMs` (what the
   * server announced). Like node:http's agent, it is not reused in the last second of that: a
   * request sent on a connection the server is closing at that moment fails ("socket hang up"),
   * and a busy bench process may not have seen the server's FIN yet.
   */
  give(socket: Socket, keepAliveMs: number): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next.resolve(socket);
    else this.#idle.push({ socket, until: performance.now() + keepAliveMs - 1000 });
  }

  #connect(): Promise<Socket> {
    this.#open++;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      // Errors end in 'close', which the exchange on the socket (if any) is told of.
      socket.on('error', () => undefined);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('close', () => {
        this.#open--;
        const at = this.#idle.findIndex((e) => e.socket === socket); // closed by the server while idle
        if (at >= 0) this.#idle.splice(at, 1);
        const next = this.#waiting.shift();
        if (next !== undefined) this.#connect().then(next.resolve, next.reject);
      });
    });
  }
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** One request and its answer on one connection. */
class Exchange {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #status = 0;
  #fields: ReceivedHeaderFields | undefined;
  #close = false;
  /** How long the server keeps the connection open idle (`Keep-Alive: timeout=S`; node:http's default 5 s without one). */
  #keepAliveMs = 5000;
  #bodyStart = -1;
  #length = -1;
  #resolve!: (r: Response) => void;
  #reject!: (e: unknown) => void;
  #done = false;

  constructor(readonly pool: Pool, readonly socket: Socket, readonly signal: AbortSignal | undefined) {}

  send(head: string, body: Uint8Array): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.socket.on('data', this.#onData);
      this.socket.once('close', this.#onClose);
      this.socket.on('error', this.#onError);
      this.signal?.addEventListener('abort', this.#onAbort, { once: true });
      // Head and body in one writev, without copying the body into a joined buffer.
      this.socket.cork();
      this.socket.write(head, 'latin1');
      if (body.byteLength > 0) this.socket.write(body);
      this.socket.uncork();
    });
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#fields === undefined) {
      const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
      this.#chunks = [all];
      const end = all.indexOf(HEAD_END);
      if (end < 0) {
        if (all.length > 64 * 1024) this.#fail(new Error('loopbackFetch: the answer\'s head exceeds 64 KiB'));
        return;
      }
      if (!this.#parseHead(all.toString('latin1', 0, end))) return;
      this.#bodyStart = end + 4;
    }
    const total = this.#bodyStart + this.#length;
    if (this.#buffered < total) return;
    if (this.#buffered > total) return this.#fail(new Error('loopbackFetch: bytes after the answer (the service does not pipeline)'));
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const bytes = all.subarray(this.#bodyStart, total);
    this.#finish();
    if (this.#close) this.socket.destroy();
    else this.pool.give(this.socket, this.#keepAliveMs);
    this.#resolve(new LoopbackResponse(this.#status, this.#fields!, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)) as unknown as Response);
  };

  /** The status line and fields; false (and the exchange failed) when they are not an answer this client reads. */
  #parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.1 ([1-9]\d\d)(?: .*)?$/.exec(lines[0]!);
    if (status === null) {
      this.#fail(new Error(`loopbackFetch: not an HTTP/1.1 status line: ${JSON.stringify(lines[0]!.slice(0, 100))}`));
      return false;
    }
    const raw: string[] = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.#fail(new Error(`loopbackFetch: a malformed header line: ${JSON.stringify(line.slice(0, 100))}`));
        return false;
      }
      raw.push(line.slice(0, colon), line.slice(colon + 1));
    }
    const fields = new ReceivedHeaderFields(raw);
    const length = fields.get('content-length');
    if (fields.get('transfer-encoding') !== null || length === null || !/^\d+$/.test(length)) {
      this.#fail(new Error('loopbackFetch: the answer is not framed by a Content-Length'));
      return false;
    }
    this.#status = Number(status[1]);
    this.#fields = fields;
    this.#length = Number(length);
    this.#close = /(?:^|,)\s*close\s*(?:,|$)/i.test(fields.get('connection') ?? '');
    const keepAlive = /(?:^|[,;\s])timeout=(\d+)/i.exec(fields.get('keep-alive') ?? '');
    if (keepAlive !== null) this.#keepAliveMs = Number(keepAlive[1]) * 1000;
    return true;
  }

  readonly #onClose = (): void => this.#fail(new Error('loopbackFetch: the connection closed before the answer was complete'));
  readonly #onError = (e: Error): void => this.#fail(e);
  readonly #onAbort = (): void => this.#fail(new DOMException('aborted', 'AbortError'));

  #finish(): void {
    this.#done = true;
    this.socket.off('data', this.#onData);
    this.socket.off('close', this.#onClose);
    this.socket.off('error', this.#onError);
    this.signal?.removeEventListener('abort', this.#onAbort);
  }

  #fail(e: unknown): void {
    if (this.#done) return;
    this.#finish();
    this.socket.destroy();
    this.#reject(e);
  }
}

/** The members of `Response` the Mesh client reads (see {@link loopbackFetch}). */
class LoopbackResponse {
  readonly body: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> }; cancel(): Promise<void> };
  constructor(readonly status: number, readonly headers: ReceivedHeaderFields, bytes: Uint8Array) {
    let left: Uint8Array | undefined = bytes.length === 0 ? undefined : bytes;
    const take = (): Uint8Array | undefined => {
      const out = left;
      left = undefined;
      return out;
    };
    this.body = {
      getReader: () => ({
        read: async () => {
          const value = take();
          return value === undefined ? { done: true } : { done: false, value };
        },
        cancel: async () => void take(),
      }),
      cancel: async () => void take(),
    };
  }
}
