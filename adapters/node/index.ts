/**
 * `mathmesh/adapters/node`: the Node file `SequenceStore` (fsync or group commit, writer lock, torn-tail repair),
 * the Mesh HTTP binding on node:http, the WebSocket push channel on the same server (`attachPush`,
 * with `ws`) and a WebSocket client for Node 20 (`NodeWebSocket`), SRV lookup on node:dns,
 * hashing on a `node:worker_threads` worker for the streaming envelope functions
 * (`nodeHashOffload`), and `NodeServiceFiles`, the directory the embedded service store runs on
 * (`EmbeddedServiceStore.open(new NodeServiceFiles(dir))` from `mathmesh/service`).
 *
 * @module mathmesh/adapters/node
 */
export { nodeHashOffload } from './hash-worker.js';
export type { HashOffload, HashOffloadOptions } from '../../sdk/crypto/hash-offload.js';
export { NodeFileStore } from '../store/node-fs.js';
export { NodeServiceFiles } from '../service-store/node-files.js';
export type { SequenceStore, Durability, StoreOpenOptions } from '../../sdk/dare/sequence/store.js';
export { listenHttp, nodeRequestListener, type NodeHttpServerOptions, type RunningHttpServer } from '../http/node-server.js';
export { nodeSrvLookup } from '../http/node-srv.js';
export { attachPush, NodeWebSocket, type NodePushOptions, type AttachedPush } from '../http/node-push.js';
export type { PushEndpoint, PushConnection, PushSocketEvents, PushGrant, PushAdmission } from '../../sdk/service/push/connection.js';
export type { WebSocketConstructor, WebSocketLike } from '../../sdk/client/push/websocket.js';
export type { HttpService, HttpRequest, HttpRequestHead, HttpResponse } from '../../sdk/protocol/http.js';
// SrvLookup / SrvRecord are mathmesh/protocol's. When this entry re-exported them, the type bundler made other
// entries (mathmesh/service) import them from this Node-only entry, which needs @types/node.
/** The home folder of a Node (or Bun) Mesh host (mathmesh/mesh `MeshHost.open`). */
export { NodeHome, defaultHomePath, HOME_DIR_MODE, HOME_FILE_MODE } from '../home/node.js';
