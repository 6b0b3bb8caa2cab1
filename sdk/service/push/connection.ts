/**
 * The contract between the runtime-neutral push service (`MeshPushService`) and a runtime's
 * WebSocket server (the `ws` binding in `mathmesh/adapters/node`; Deno's `upgradeWebSocket` or
 * `Bun.serve` would be others). Types only: an adapter imports nothing else from the SDK.
 *
 * The binding's duties, in order (protocol.md §2, WebSocket push on the same port):
 * 1. For an HTTP upgrade whose path is {@link PushEndpoint.path}: `await endpoint.admit(url)`
 *    with the request's path and query, before completing the WebSocket handshake. A refusal is
 *    answered with its HTTP status and the connection closed — no socket is opened.
 * 2. Otherwise complete the handshake without compression (per-socket zlib state would cost
 *    more memory than the notifications it saves), refusing client messages over
 *    {@link PushEndpoint.maxClientMessageBytes}, and call `endpoint.attach(grant, connection)`.
 * 3. Report to the returned {@link PushSocketEvents}: every pong, every client message, each
 *    completed write, and the close (exactly once).
 * A binding keeps no timer and no queue per socket: the service sweeps all sockets with one timer
 * and never hands a socket more than a bounded amount of data (see `MeshPushService`).
 */

/** One accepted socket, as the service drives it. */
export interface PushConnection {
  /** Queues a text message. The binding reports {@link PushSocketEvents.written} when it left its buffers. */
  send(text: string): void;
  /** Bytes queued by `send` and not yet handed to the network (WebSocket `bufferedAmount`). */
  readonly bufferedAmount: number;
  /** Sends a ping frame (RFC 6455 §5.5.2); the peer's WebSocket answers it without its application. */
  ping(): void;
  /** Starts the closing handshake with a code and a short reason; sends nothing after it. */
  close(code: number, reason: string): void;
  /** Drops the connection at once (a dead peer: no closing handshake). */
  terminate(): void;
}

/** What the binding reports about one socket. */
export interface PushSocketEvents {
  /** A pong arrived (the peer is alive). */
  pong(): void;
  /** The client sent a message of `bytes` bytes (the channel is one-way: the service closes it). */
  message(bytes: number): void;
  /** A `send` completed: the socket may take more. */
  written(): void;
  /** The socket closed, for whatever reason (once). */
  closed(): void;
}

/** What `admit` grants: opaque to the binding, passed back to `attach`. */
export interface PushGrant {
  /** Canonical account address. */
  readonly account: string;
  /** The device's Authentication key UDF. */
  readonly keyid: string;
  /** Stores the device may read, when admitted. */
  readonly stores: readonly string[];
  /** Admission order: a revocation after it voids the grant. */
  readonly serial: number;
}

/** The answer to an upgrade request. */
export type PushAdmission =
  | { readonly ok: true; readonly grant: PushGrant }
  /** Refused: answer `status` (400, 401, 403, 404, 503) with `reason` as a short plain-text body, then close. */
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** The push service as a binding sees it. */
export interface PushEndpoint {
  /** Path of the socket (`/.well-known/mmm/push`). */
  readonly path: string;
  /** Largest client message the binding accepts (the service closes on any). */
  readonly maxClientMessageBytes: number;
  /** Checks the upgrade request's ticket (`url`: path and query as received); burns it. Never rejects. */
  admit(url: string): Promise<PushAdmission>;
  /** Takes over an opened socket. */
  attach(grant: PushGrant, connection: PushConnection): PushSocketEvents;
}
