/**
 * Entry of the Web Worker behind `webWorkerHashOffload` (hash-offload.ts): load it as a module
 * worker, e.g. `new URL('mathmesh/adapters/browser/hash-worker.js', import.meta.url)` with a
 * bundler that understands worker URLs. It hashes with the SDK's WASM core.
 */
import type { HashWorkerScope } from '../../sdk/crypto/hash-offload.js';
import { serveHashWorker } from '../../sdk/crypto/hash-worker-service.js';

void serveHashWorker(globalThis as unknown as HashWorkerScope);
