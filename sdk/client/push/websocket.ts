/**
 * The WebSocket the push client needs: the WHATWG subset every runtime's `WebSocket` has
 * (Deno, Bun, browsers, Node ≥ 22), and `ws`'s client too (`NodeWebSocket` in
 * `mathmesh/adapters/node`, for Node 20). A contract of the client: an adapter implements it.
 */

/** `WebSocket.OPEN` (WHATWG): the value of `readyState` while open. */
export const WEBSOCKET_OPEN = 1;

/** One socket, as the push client uses it. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed (WHATWG). */
  readonly readyState: number;
  /** The handshake completed. */
  onopen: ((event: unknown) => void) | null;
  /** A message arrived; `data` is a string for a text message. */
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  /** The socket closed (or never opened), with the close code. */
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  /** Something failed; a close follows. */
  onerror: ((event: unknown) => void) | null;
  /** Closes (or abandons an opening socket). */
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor (`new WebSocket(url)`). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The runtime's own `WebSocket`, if it has one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const ctor = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof ctor === 'function' ? (ctor as WebSocketConstructor) : undefined;
}
