/**
 * `mathmesh/client`: the client side of the Mesh service (protocol.md §2, §5) above the wire
 * binding (`mathmesh/protocol`). So far: watching an account's stores over the WebSocket push
 * channel (`watchPush`), with reconnection and a polling fallback, on the runtime's own
 * WebSocket (Deno, Bun, browsers, Node ≥ 22) or an injected one (`NodeWebSocket` from
 * `mathmesh/adapters/node` on Node 20).
 *
 * @example
 * ```ts
 * import { watchPush, pushTicketSource, headsOfStatus } from 'mathmesh/client';
 * import { MeshHttpClient, connectionCredential } from 'mathmesh/protocol';
 *
 * const http = new MeshHttpClient({ endpoint, expectedServiceUdf });
 * const credential = connectionCredential('alice@example.com', deviceAuthenticationKey);
 * const watch = watchPush({
 *   endpoint: http.endpoint,
 *   ticket: pushTicketSource(http, 'alice@example.com', credential),
 *   poll: async () => headsOfStatus(await http.request('Status', { $class: 'StatusRequest', Account: 'alice@example.com' }, credential)),
 *   since: headsIHold,
 * });
 * for await (const { store, index } of watch) await download(store, index); // by cursor (T7)
 * ```
 *
 * @module mathmesh/client
 */
export * from './push/index.js';
