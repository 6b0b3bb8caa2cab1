import { Pool, type Dispatcher } from 'undici';
import type { FetchFunction } from '../sdk/protocol/client.js';
import { ReceivedHeaderFields } from '../sdk/protocol/header-fields.js';

/**
 * A `fetch` for the devices of bench/service.ts on undici's connection pools: keep-alive, at most
 * `maxSockets` connections per origin, each request handed to `Pool.dispatch` with callbacks.
 * The benchmark's devices all live in one process that shares the machine's two cores with the
 * service: the runtime's `fetch` (undici behind the WHATWG Fetch layer, its streams and `Headers`)
 * cost that process about as much CPU per request as the service spent serving it, and
 * node:http's client (agent, ClientRequest, IncomingMessage, their streams and events) still a
 * third of what was left, so the devices would measure themselves. The dispatcher is the same
 * HTTP/1.1 client without those layers. An idle connection is not reused in the last second of
 * the server's announced keep-alive timeout (the server may be closing it: a request sent on it
 * would fail with "socket hang up").
 *
 * The answer is a {@link LoopbackResponse}: the status, the header fields as the SDK's
 * `ReceivedHeaderFields` (what a Fetch `Headers` would read), and a body stream holding the bytes
 * received — the members of `Response` the Mesh client reads (`status`, `headers`,
 * `body.getReader()`, `body.cancel()`). The client reads it exactly as it reads a fetch response:
 * capped, then signature and digest checked.
 */
export function loopbackFetch(options: { maxSockets?: number } = {}): FetchFunction {
  const connections = options.maxSockets ?? 4;
  const pools = new Map<string, Pool>();
  // The devices ask a handful of URLs (one per transaction): each is parsed once.
  const targets = new Map<string, { pool: Pool; path: string }>();
  return async (input, init) => {
    let t = targets.get(input);
    if (t === undefined) {
      const url = new URL(input);
      if (url.protocol !== 'http:') throw new TypeError(`loopbackFetch: ${url.protocol} is not served (plain http only)`);
      let pool = pools.get(url.origin);
      if (pool === undefined) pools.set(url.origin, (pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeoutThreshold: 1000 })));
      targets.set(input, (t = { pool, path: url.pathname + url.search }));
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const pool = t.pool;
    const path = t.path;
    return new Promise<Response>((resolve, reject) => {
      let status = 0;
      let fields: ReceivedHeaderFields | undefined;
      const chunks: Buffer[] = [];
      let controller: Dispatcher.DispatchController | undefined;
      const onAbort = (): void => controller?.abort(new DOMException('aborted', 'AbortError'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      pool.dispatch({ path, method: (init.method ?? 'POST') as 'POST', headers: init.headers as Record<string, string>, body: init.body as Uint8Array }, {
        onRequestStart: (c) => {
          controller = c;
          if (signal?.aborted) onAbort();
        },
        onResponseStart: (_c, statusCode, headers) => {
          status = statusCode;
          const raw: string[] = [];
          for (const name of Object.keys(headers)) {
            const value = headers[name];
            if (Array.isArray(value)) for (const v of value) raw.push(name, v);
            else if (value !== undefined) raw.push(name, value);
          }
          fields = new ReceivedHeaderFields(raw);
        },
        onResponseData: (_c, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          settle();
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve(new LoopbackResponse(status, fields!, new Uint8Array(all.buffer, all.byteOffset, all.length)) as unknown as Response);
        },
        onResponseError: (_c, error) => {
          settle();
          reject(error);
        },
      });
    });
  };
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
