/**
 * The push client (protocol.md §2, WebSocket push): `watchPush` — an async iterator of store
 * changes over the push socket, reconnecting with jittered exponential backoff and falling back
 * to polling — and the glue to the wire client (`pushTicketSource`, `headsOfStatus`).
 *
 * @module
 */
export { watchPush, isFinalPushFailure, type PushWatch, type PushWatchOptions, type PushWatchStatus, type PushChange, type PushClock } from './watch.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { WEBSOCKET_OPEN, globalWebSocket, type WebSocketLike, type WebSocketConstructor } from './websocket.js';
export { pushTicketSource, headsOfStatus } from './ticket.js';
