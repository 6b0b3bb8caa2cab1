/**
 * The push service of the Mesh service (protocol.md §2, WebSocket push): tickets, sockets,
 * notifications. Runtime-neutral; the Node WebSocket binding is `attachPush` in
 * `mathmesh/adapters/node`.
 *
 * @module
 */
export {
  MeshPushService, type MeshPushServiceOptions, type ReadableStores, type PushTimers, type PushStats,
} from './service.js';
export { PushTickets, PUSH_TICKET_KEY_INFO, MAX_TICKET_LENGTH, type PushTicketsOptions, type IssuedTicket, type RedeemedTicket } from './ticket.js';
export type { PushChangeSource, PushSourceEvent, PushSourceHead, PushSourceWatch } from './source.js';
export type { PushConnection, PushSocketEvents, PushGrant, PushAdmission, PushEndpoint } from './connection.js';
