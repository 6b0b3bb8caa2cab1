import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { WebSocketConstructor } from '../../sdk/client/push/websocket.js';
import type { PushConnection, PushEndpoint, PushSocketEvents } from '../../sdk/service/push/connection.js';

/**
 * The push channel's WebSocket binding on node:http with `ws` (protocol.md §2: WebSocket push on
 * the same port as the transactions), following the binding duties of
 * sdk/service/push/connection.ts: the ticket is checked before the handshake completes (a
 * refused upgrade gets an HTTP status and no socket), compression is off, a client message is
 * capped at the endpoint's limit, and no timer or queue is kept per socket. This module and the
 * Node adapter's WebSocket client are the only code of the package that imports `ws`.
 */

/** Options of {@link attachPush}. */
export interface NodePushOptions {
  /** Told of errors of a socket or of the upgrade (never of a refused ticket). */
  readonly onError?: (error: unknown) => void;
}

/** A push endpoint attached to a server. */
export interface AttachedPush {
  /** Stops taking upgrades (open sockets are the endpoint's to close). */
  detach(): void;
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

/** Answers an upgrade with an HTTP status and closes the connection (no WebSocket is opened). */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\ncache-control: no-store\r\n\r\n${body}`);
}

/**
 * The UTF-8 bytes of the last line sent: the service offers one change's line to every socket
 * of the account in turn, and `ws` would encode a string again for each. Sent as a text frame
 * from the same bytes (never modified: an unmasked server frame writes them as they are).
 */
function lineBytes(): (text: string) => Buffer {
  let last: string | undefined;
  let bytes = Buffer.alloc(0);
  return (text) => {
    if (text !== last) {
      bytes = Buffer.from(text, 'utf8');
      last = text;
    }
    return bytes;
  };
}

/** The service's view of one `ws` socket. */
function connectionOf(ws: WebSocket, written: () => void, onError: (e: unknown) => void, encode: (text: string) => Buffer): PushConnection {
  // One callback per socket, not per message: reports that a write left the process.
  // Node calls a write callback with null (not undefined) on success.
  const done = (e?: Error | null): void => {
    if (!e) written();
  };
  return {
    send(text) {
      if (ws.readyState === WebSocket.OPEN) ws.send(encode(text), { binary: false }, done);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    ping() {
      if (ws.readyState !== WebSocket.OPEN) return;
      try {
        ws.ping();
      } catch (e) {
        onError(e);
      }
    },
    close(code, reason) {
      ws.close(code, reason);
    },
    terminate() {
      ws.terminate();
    },
  };
}

/**
 * Serves `endpoint` (a `MeshPushService`) on `server` — the node:http server of `listenHttp`
 * (its `server`), or one of your own — at the endpoint's path; other upgrade paths get 404.
 */
export function attachPush(server: Server, endpoint: PushEndpoint, options: NodePushOptions = {}): AttachedPush {
  const onError = options.onError ?? (() => undefined);
  const encode = lineBytes();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false, // the endpoint tracks its sockets; ws's own Set would be a second index
    perMessageDeflate: false,
    maxPayload: endpoint.maxClientMessageBytes,
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A client that resets the connection while its ticket is checked is not an error of ours.
    const ignore = (): void => undefined;
    socket.on('error', ignore);
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (path !== endpoint.path) return refuseUpgrade(socket, 404, 'not found');
    endpoint.admit(url).then((admission) => {
      if (!admission.ok) return refuseUpgrade(socket, admission.status, admission.reason);
      if (socket.destroyed) return; // the client left while its ticket was checked
      wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('error', ignore); // ws handles the socket's errors from here on
        let events: PushSocketEvents | undefined;
        const connection = connectionOf(ws, () => events?.written(), onError, encode);
        // A peer's protocol error (an oversize or malformed frame): ws closes the socket, and
        // the close is reported below; it is the client's mistake, not the service's.
        ws.on('error', ignore);
        ws.on('close', () => events?.closed());
        ws.on('pong', () => events?.pong());
        ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
          const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
          events?.message(bytes);
        });
        events = endpoint.attach(admission.grant, connection);
      });
    }, (e: unknown) => {
      onError(e);
      refuseUpgrade(socket, 503, 'the push service failed');
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    detach() {
      server.off('upgrade', onUpgrade);
    },
  };
}

/**
 * A WebSocket client constructor for runtimes without a global one (Node 20; Node ≥ 22, Deno,
 * Bun and browsers have `globalThis.WebSocket`): `ws`'s client, which follows the WHATWG
 * interface the push client uses (`onopen`, `onmessage` with text as strings, `onclose` with
 * `code`, `close()`). Pass it as the push client's `WebSocket` option.
 */
// Cast: ws types its handlers with its own event classes, narrower than the WHATWG subset above.
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;
