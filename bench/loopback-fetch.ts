import { Agent, request } from 'node:http';
import type { FetchFunction } from '../sdk/protocol/client.js';
import { ReceivedHeaderFields } from '../sdk/protocol/header-fields.js';

/**
 * A `fetch` for the devices of bench/service.ts: node:http over keep-alive connections, the
 * request body sent at once, the answer collected and handed back as a `Response`. The
 * benchmark's devices all live in one process that shares the machine's two cores with the
 * service; the runtime's `fetch` (undici) costs that process about as much CPU per request as the
 * service spends serving it, so the devices would measure themselves. Plain `http:` only, POST
 * only, no redirects (the Mesh client asks for none) — what the bench needs, nothing more.
 *
 * The answer is a {@link LoopbackResponse}: the status, the header fields as the SDK's
 * `ReceivedHeaderFields` (what a Fetch `Headers` would read, without its cost),
 * and a body stream holding the bytes received — the members of `Response` the Mesh client reads
 * (`status`, `headers`, `body.getReader()`, `body.cancel()`), without the cost of undici's
 * `Response` and web stream machinery per request, which was a fifth of the devices' CPU. The
 * client reads it exactly as it reads a fetch response: capped, then signature and digest checked.
 */
export function loopbackFetch(options: { maxSockets?: number } = {}): FetchFunction {
  // `timeout`: node:http closes an idle kept-alive socket a second before the server's announced
  // `Keep-Alive: timeout=5` only when the agent has a timeout of its own to lower (an agent
  // without one keeps idle sockets until the server closes them). Without it, a request sent on
  // a socket the server was closing at that moment failed with "socket hang up" (ECONNRESET) —
  // a bench device whose event loop was busy (building frames, a burst of answers) had not yet
  // seen the server's FIN. Sockets in use are not affected (the agent ends only free ones).
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 4, timeout: 60_000 });
  // The devices ask a handful of URLs (one per transaction): each is parsed once.
  const targets = new Map<string, { hostname: string; port: string; path: string }>();
  const target = (input: string): { hostname: string; port: string; path: string } => {
    let t = targets.get(input);
    if (t === undefined) {
      const url = new URL(input);
      targets.set(input, (t = { hostname: url.hostname, port: url.port, path: url.pathname + url.search }));
    }
    return t;
  };
  return (input, init) => new Promise<Response>((resolve, reject) => {
    const url = target(input);
    const headers: Record<string, string> = {};
    const given = init.headers;
    if (given instanceof Headers) given.forEach((v, k) => (headers[k] = v));
    else if (given !== undefined && !Array.isArray(given)) Object.assign(headers, given); // the Mesh client's record of fields
    else new Headers(given).forEach((v, k) => (headers[k] = v));
    const body = init.body as Uint8Array;
    headers['content-length'] = String(body.byteLength);
    const req = request({ agent, method: init.method ?? 'POST', hostname: url.hostname, port: url.port, path: url.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        // Read as a Fetch `Headers` would read them, without building one.
        const h = new ReceivedHeaderFields(res.rawHeaders);
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve(new LoopbackResponse(res.statusCode ?? 500, h, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)) as unknown as Response);
      });
    });
    req.on('error', reject);
    init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
    req.end(body);
  });
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
