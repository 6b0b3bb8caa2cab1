import { serveHashRequests, type HashWorkerScope } from './hash-offload.js';
import { sha256, sha512 } from './hashes.js';
import { init } from './index.js';

/**
 * The body of a hash worker (hash-offload.ts) on the SDK's own hashes: brings in the WASM core
 * (`init()`, the pure path where WebAssembly is refused) and serves the protocol with the routed
 * SHA-512 / SHA-256 streams. A runtime adapter's worker entry calls this with its global scope
 * (`self` in a Web Worker). Requests that arrive while `init()` runs are queued, in order.
 */
export async function serveHashWorker(scope: HashWorkerScope): Promise<void> {
  const early: { data: Parameters<NonNullable<HashWorkerScope['onmessage']>>[0]['data'] }[] = [];
  scope.onmessage = (event) => void early.push(event);
  await init();
  serveHashRequests(scope, (algorithm) => (algorithm === 'sha256' ? sha256 : sha512).create());
  for (const event of early) scope.onmessage!(event);
}
