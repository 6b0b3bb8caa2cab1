import { Worker } from 'node:worker_threads';
import {
  hashOffloadOverPort, type HashOffload, type HashOffloadOptions, type HashWorkerReply, type HashWorkerRequest,
} from '../../sdk/crypto/hash-offload.js';

/**
 * The worker's code: the protocol of `sdk/crypto/hash-offload.ts` on node:crypto, whose SHA-512
 * is OpenSSL's (the fastest this runtime has; the data hashed is public — ciphertext or
 * plaintext being signed — so no WASM constant-time concern). Evaluated as a script so that it
 * needs no file next to this module (bundlers, `npx`, TypeScript sources under a test runner).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const open = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'abort') { open.delete(m.id); return; }
    let h = open.get(m.id);
    if (!h) {
      if (m.algorithm !== 'sha512' && m.algorithm !== 'sha256') throw new Error('no hash ' + String(m.algorithm));
      open.set(m.id, (h = createHash(m.algorithm)));
    }
    if (m.op === 'update') {
      h.update(new Uint8Array(m.data, 0, m.length));
      parentPort.postMessage({ op: 'free', id: m.id, data: m.data }, [m.data]);
    } else {
      open.delete(m.id);
      parentPort.postMessage({ op: 'digest', id: m.id, digest: Uint8Array.from(h.digest()) });
    }
  } catch (e) {
    open.delete(m.id);
    parentPort.postMessage({ op: 'error', id: m.id, message: String((e && e.message) || e) });
  }
});
`;

/**
 * Hashes on a `node:worker_threads` worker (Node, and Bun and Deno through their Node
 * compatibility): pass it as `hashWorker` to the streaming envelope functions of
 * `mathmesh/dare`. The worker starts on first use and is `unref()`ed while idle, so it never
 * keeps a process alive; `close()` stops it.
 */
export function nodeHashOffload(options: HashOffloadOptions = {}): HashOffload {
  return hashOffloadOverPort(() => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    return {
      postMessage: (message: HashWorkerRequest, transfer: ArrayBuffer[]) => worker.postMessage(message, transfer),
      listen(onReply, onFailure) {
        worker.on('message', (m: HashWorkerReply) => onReply(m));
        worker.on('error', onFailure);
        worker.on('exit', (code) => onFailure(new Error(`the worker exited (${code})`)));
      },
      setBusy: (busy) => void (busy ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
  }, options);
}
