import {
  hashOffloadOverPort, type HashOffload, type HashOffloadOptions, type HashWorkerReply, type HashWorkerRequest,
} from '../../sdk/crypto/hash-offload.js';

/**
 * Hashes on a Web Worker (browsers; Deno and Bun have Web Workers too): pass it as `hashWorker`
 * to the streaming envelope functions of `mathmesh/dare`, so a page's thread keeps only the
 * AES-CBC calls (which WebCrypto runs off-thread anyway) and stays responsive. `worker` is the
 * URL of the module worker `adapters/browser/hash-worker.js` (as the app serves it), or a
 * function that starts one (for bundlers that rewrite `new Worker(new URL(…))`).
 */
export function webWorkerHashOffload(worker: string | URL | (() => Worker), options: HashOffloadOptions = {}): HashOffload {
  return hashOffloadOverPort(() => {
    const w = typeof worker === 'function' ? worker() : new Worker(worker, { type: 'module' });
    return {
      postMessage: (message: HashWorkerRequest, transfer: ArrayBuffer[]) => w.postMessage(message, transfer),
      listen(onReply, onFailure) {
        w.onmessage = (e: MessageEvent<HashWorkerReply>) => onReply(e.data);
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          onFailure(new Error(e.message || 'the worker failed to load or threw'));
        };
        w.onmessageerror = () => onFailure(new Error('a message could not be read'));
      },
      terminate: () => w.terminate(),
    };
  }, options);
}
