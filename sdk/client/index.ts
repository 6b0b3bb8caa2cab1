/**
 * `mathmesh/client`: the client side of the Mesh service (protocol.md §2, §5) above the wire
 * binding (`mathmesh/protocol`) and the Mesh host (`mathmesh/mesh`): `MeshClient` — bind an
 * account, `sync` its catalogs and spools, `status`, `watch` its changes as they come, `unbind`
 * — and, below it, watching an account's stores over the WebSocket push channel (`watchPush`),
 * with reconnection and a polling fallback, on the runtime's own WebSocket (Deno, Bun, browsers,
 * Node ≥ 22) or an injected one (`NodeWebSocket` from `mathmesh/adapters/node` on Node 20).
 *
 * @example
 * ```ts
 * import { MeshHost } from 'mathmesh/mesh';
 * import { MeshClient } from 'mathmesh/client';
 *
 * const alice = await host.createAccount('alice@example.com');
 * const client = new MeshClient(alice, { endpoint: 'https://example.com/.well-known/mmm/' });
 * await client.bind();                       // Hello, BindAccount, first upload
 * await client.sync();                       // later: download, conflict rule, upload
 * for await (const change of client.watch()) console.log(change.store, change.downloaded);
 * ```
 *
 * The push channel alone:
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
export {
  MeshClient, type MeshClientOptions, type BindReport, type SyncReport, type AccountStatus, type WatchEvent, type ClientWatch, type UploadReport, type ConflictWarning, type TransactMessages,
} from './mesh-client.js';
export { MeshClientError, type MeshClientErrorCode } from './errors.js';
export { MeshMessages, type SentMessage, type PendingMessage, type PendingOptions, type ConfirmationStatus } from './messages.js';
export {
  reconcile, download, updateOf, newReport, type StoreReport, type ServiceHead, type DownloadedPage, type PageFetcher,
} from './store-sync.js';
export {
  requestConnection, completeConnection, serviceSignatureOf, bindingOfAssignment,
  type ConnectionRequestOptions, type ConnectionRequested, type ConnectionCompletion,
} from './connect.js';
export {
  pendingRequests, answerRequest, issueDevicePin, acceptByPin, listDevices, revokeDevice, authorizeDevice,
  type ConnectionRequestInfo, type InvalidRequestInfo, type RequestAnswer, type IssuedDevicePin, type PinOutcome, type DeviceInfo, type RevokedDevice,
} from './devices.js';
export { preconfigure, installPreconfigured, claimDevice, acceptClaimed, completePreconfigured, type Preconfigured } from './preconfig.js';
export { publish, claimPublication, type ClaimedPublication } from './publications.js';
export { adoptIssued } from './reissued.js';

