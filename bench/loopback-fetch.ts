import { Agent, request } from 'node:http';
import type { FetchFunction } from '../sdk/protocol/client.js';

/**
 * A `fetch` for the devices of bench/service.ts: node:http over keep-alive connections, the
 * request body sent at once, the answer collected and handed back as a `Response`. The
 * benchmark's devices all live in one process that shares the machine's two cores with the
 * service; the runtime's `fetch` (undici) costs that process about as much CPU per request as the
 * service spends serving it, so the devices would measure themselves. Plain `http:` only, POST
 * only, no redirects (the Mesh client asks for none) — what the bench needs, nothing more.
 */
export function loopbackFetch(options: { maxSockets?: number } = {}): FetchFunction {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 4 });
  return (input, init) => new Promise<Response>((resolve, reject) => {
    const url = new URL(input);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const body = init.body as Uint8Array;
    headers['content-length'] = String(body.byteLength);
    const req = request({ agent, method: init.method ?? 'POST', hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: h }));
      });
    });
    req.on('error', reject);
    init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
    req.end(body);
  });
}
