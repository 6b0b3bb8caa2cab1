import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceivedHeaderFields } from '../../sdk/protocol/header-fields.js';
import type { HttpRequestHead, HttpResponse, HttpService } from '../../sdk/protocol/http.js';

/**
 * The Mesh HTTP binding on node:http: an {@link HttpService} (the SDK's `MeshHttpService`) behind
 * a Node server, following the adapter duties of sdk/protocol/http.ts — the body limit is asked
 * for before a body byte is read, a declared Content-Length over it is answered unread (also for
 * `Expect: 100-continue`, which then never gets its 100), a longer stream is cut off at the
 * limit, and such a connection is closed after the answer.
 *
 * Plain HTTP: TLS belongs in front (a terminating proxy; the service's `publicOrigin` then
 * names the https origin clients sign for) or in an https server mounting {@link nodeRequestListener}.
 */

/** Options of {@link listenHttp}. */
export interface NodeHttpServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Address to bind; default `127.0.0.1` (loopback). */
  readonly host?: string;
  /** The scheme this server is reached by, for the request URL; default `http`. */
  readonly scheme?: 'http' | 'https';
  /** Told of errors of the connection or the adapter (never of a request's content). */
  readonly onError?: (error: unknown) => void;
}

/** A listening server. */
export interface RunningHttpServer {
  /** Base URL, e.g. `http://127.0.0.1:43117` (append `/.well-known/mmm/`). */
  readonly url: string;
  readonly port: number;
  /** The node:http server (to attach an `upgrade` handler for WebSockets on the same port). */
  readonly server: Server;
  /** Stops accepting, ends idle connections, resolves when closed. */
  close(): Promise<void>;
}

function headOf(req: IncomingMessage, scheme: string): HttpRequestHead {
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  // The fields as a Fetch `Headers` would read them (repeated ones combined, ones it refuses left
  // out), without building one per request: the binding reads a handful of them.
  return { method: req.method ?? 'GET', url: `${scheme}://${host}${req.url ?? '/'}`, headers: new ReceivedHeaderFields(req.rawHeaders) };
}

function declared(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

function send(res: ServerResponse, out: HttpResponse, close: boolean): void {
  if (res.headersSent || res.destroyed) return;
  // A flat name/value list: node:http writes it as it is (no object of fields to build and walk).
  // The head and the body leave in one writev (node:http corks them together).
  const fields: string[] = [];
  out.headers.forEach((value, name) => {
    if (name !== 'content-length' && !(close && name === 'connection')) fields.push(name, value);
  });
  fields.push('content-length', String(out.body.length));
  if (close) fields.push('connection', 'close');
  res.writeHead(out.status, fields);
  res.end(out.body);
}

/** Answers without reading the body, then closes the connection (its unread body is not wanted). */
async function refuseUnread(service: HttpService, head: HttpRequestHead, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const out = await service.tooLarge(head);
  res.on('finish', () => {
    req.socket.end();
    setTimeout(() => req.socket.destroy(), 2000).unref();
  });
  send(res, out, true);
}

async function serve(service: HttpService, req: IncomingMessage, res: ServerResponse, scheme: string): Promise<void> {
  const head = headOf(req, scheme);
  const limit = service.bodyLimit(head);
  const length = declared(req);
  if (length !== undefined && length > limit) return refuseUnread(service, head, req, res);
  const chunks: Buffer[] = [];
  let total = 0;
  let over = false;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        over = true;
        req.off('data', onData);
        req.pause();
        resolve();
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve());
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('request aborted')));
  });
  if (over) return refuseUnread(service, head, req, res);
  const body = chunks.length === 1 ? new Uint8Array(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.length) : new Uint8Array(Buffer.concat(chunks));
  send(res, await service.handle({ ...head, body }), false);
}

/** A node:http request listener serving `service` (mount it on an http or https server of your own). */
export function nodeRequestListener(service: HttpService, options: Pick<NodeHttpServerOptions, 'scheme' | 'onError'> = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const scheme = options.scheme ?? 'http';
  return (req, res) => {
    serve(service, req, res, scheme).catch((e: unknown) => {
      options.onError?.(e);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' });
        res.end('internal error');
      } else {
        res.destroy();
      }
    });
  };
}

/** A `checkContinue` listener: a declared body over the limit is refused before the client sends it. */
function continueListener(service: HttpService, listener: (req: IncomingMessage, res: ServerResponse) => void, scheme: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const head = headOf(req, scheme);
    const length = declared(req);
    if (length !== undefined && length > service.bodyLimit(head)) {
      refuseUnread(service, head, req, res).catch(() => res.destroy());
      return;
    }
    res.writeContinue();
    listener(req, res);
  };
}

/** Serves `service` on node:http; resolves once listening. */
export async function listenHttp(service: HttpService, options: NodeHttpServerOptions = {}): Promise<RunningHttpServer> {
  const scheme = options.scheme ?? 'http';
  const listener = nodeRequestListener(service, options);
  const server = createServer(listener);
  server.on('checkContinue', continueListener(service, listener, scheme));
  server.on('clientError', (e, socket) => {
    options.onError?.(e);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${scheme}://${shown}:${port}`,
    port,
    server,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeIdleConnections();
    }),
  };
}
