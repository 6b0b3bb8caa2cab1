/**
 * The WebSocket the push client needs: the WHATWG subset every runtime's `WebSocket` has
 * (Deno, Bun, browsers, Node ≥ 22), and `ws`'s client too (`NodeWebSocket` in
 * `mathmesh/adapters/node`, for Node 20). A contract of the client: an adapter implements it.
 */

/** `WebSocket.OPEN` (WHATWG): the value of `readyState` while open. */
export const WEBSOCKET_OPEN = 1;

/** One socket, as the push client uses it. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  /** `data` is a string for a text message. */
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor (`new WebSocket(url)`). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The runtime's own `WebSocket`, if it has one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const ctor = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof ctor === 'function' ? (ctor as WebSocketConstructor) : undefined;
}
