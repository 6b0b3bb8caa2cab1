import { CryptoError } from './errors.js';
import type { HashStream } from './types.js';

/**
 * Hashing on another thread, for bulk streams whose other work keeps this thread busy. A
 * streamed DARE payload is encrypted with AES-256-CBC, which is serial, and digested with
 * SHA-512 (dare.md §5): on one thread the pair runs at 1 / (1/AES + 1/SHA-512); with the digest
 * on a second thread it approaches the slower of the two.
 *
 * The SDK uses only what every runtime has, so it cannot start a thread itself. This module is
 * the contract: a runtime adapter opens a {@link HashWorkerPort} (a `node:worker_threads` Worker,
 * a Web Worker) and {@link hashOffloadOverPort} runs the protocol over it; the worker's side is
 * {@link serveHashRequests} (or the adapter's own equivalent, e.g. on node:crypto).
 *
 * Protocol: the client copies data into buffers of `bufferSize` bytes and transfers each full
 * one to the worker (`update`), which hashes it and transfers it back (`free`) for reuse; at
 * most `maxInFlight` buffers are out at once, so memory stays bounded whatever the input, and a
 * caller whose `update` returns a Promise must await it (backpressure). `digest` flushes the
 * last partial buffer and resolves with the digest. Hashes are independent: several may be open
 * on one worker, each with its own id.
 */

/** Algorithms a hash worker serves. */
export type OffloadAlgorithm = 'sha512' | 'sha256';

/** A message to the worker. `data` is transferred; only its first `length` bytes are input. */
export type HashWorkerRequest =
  | { readonly op: 'update'; readonly id: number; readonly algorithm: OffloadAlgorithm; readonly data: ArrayBuffer; readonly length: number }
  | { readonly op: 'digest'; readonly id: number; readonly algorithm: OffloadAlgorithm }
  | { readonly op: 'abort'; readonly id: number };

/** A message from the worker: a buffer handed back, a digest, or a failure of one hash. */
export type HashWorkerReply =
  | { readonly op: 'free'; readonly id: number; readonly data: ArrayBuffer }
  | { readonly op: 'digest'; readonly id: number; readonly digest: Uint8Array }
  | { readonly op: 'error'; readonly id: number; readonly message: string };

/** The adapter's side of a worker: what {@link hashOffloadOverPort} needs of it. */
export interface HashWorkerPort {
  /** Sends a request to the worker, transferring (not copying) the buffers in `transfer`. */
  postMessage(message: HashWorkerRequest, transfer: ArrayBuffer[]): void;
  /** Installs the client's handlers: every reply, and a failure of the worker itself. Called once. */
  listen(onReply: (reply: HashWorkerReply) => void, onFailure: (error: unknown) => void): void;
  /**
   * Told `true` while a hash is open and `false` when none is: a runtime whose event loop a
   * worker keeps alive (Node: `ref()` / `unref()`) lets an idle worker not hold the process.
   */
  setBusy?(busy: boolean): void;
  /** Stops the worker. */
  terminate(): void;
}

/** A hash computed on another thread. */
export interface OffloadedHash {
  /**
   * Adds bytes, copied into the worker's buffers: the caller may reuse `data` once this returns
   * — or, when it returns a Promise (the worker is behind), once that resolves. Await it before
   * the next call.
   */
  update(data: Uint8Array): Promise<void> | undefined;
  /** The digest of everything added; the hash is closed. Rejects with CRYPTO_WORKER if the worker failed. */
  digest(): Promise<Uint8Array>;
  /** Abandons the hash (no digest); idempotent. */
  abort(): void;
}

/** What adapters provide: hashes on a worker thread. */
export interface HashOffload {
  /** Starts a hash (`sha512`, or `sha256` for S256 envelopes) on the worker, starting the worker if needed. */
  create(algorithm: OffloadAlgorithm): OffloadedHash;
  /** Stops the worker; open hashes reject. A later `create` starts a new one. */
  close(): void;
}

/** Options of {@link hashOffloadOverPort}. */
export interface HashOffloadOptions {
  /** Bytes per transferred buffer (default 1 MiB). */
  readonly bufferSize?: number;
  /** Buffers out at the worker at most, per hash (default 4). */
  readonly maxInFlight?: number;
}

const workerFailed = (why: string): CryptoError => new CryptoError('CRYPTO_WORKER', `hash worker: ${why}`);

/**
 * The client side of the protocol over a worker that `open` starts on first use (and again
 * after a failure or `close`). One worker serves every hash of this offload.
 */
export function hashOffloadOverPort(open: () => HashWorkerPort, options: HashOffloadOptions = {}): HashOffload {
  const bufferSize = options.bufferSize ?? 1 << 20;
  const maxInFlight = options.maxInFlight ?? 4;
  if (!Number.isInteger(bufferSize) || bufferSize < 64) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'bufferSize must be an integer >= 64');
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'maxInFlight must be a positive integer');

  interface Open {
    readonly algorithm: OffloadAlgorithm;
    readonly pool: ArrayBuffer[];
    inFlight: number;
    wake: (() => void) | undefined;
    settle: { resolve: (d: Uint8Array) => void; reject: (e: unknown) => void } | undefined;
    failure: unknown;
  }
  let port: HashWorkerPort | undefined;
  let nextId = 1;
  const hashes = new Map<number, Open>();

  /** Runs the waiting update, if any (cleared first: it may wait again and set a new one). */
  const wakeUp = (h: Open): void => {
    const wake = h.wake;
    h.wake = undefined;
    wake?.();
  };
  const fail = (h: Open, error: unknown): void => {
    h.failure ??= error;
    h.settle?.reject(h.failure);
    h.settle = undefined;
    wakeUp(h);
  };
  const forget = (id: number): void => {
    hashes.delete(id);
    if (hashes.size === 0) port?.setBusy?.(false);
  };
  const failAll = (error: unknown): void => {
    const p = port;
    port = undefined;
    for (const [id, h] of hashes) {
      fail(h, error);
      forget(id);
    }
    try {
      p?.terminate();
    } catch {
      // already gone
    }
  };
  const connect = (): HashWorkerPort => {
    if (port) return port;
    const p = open();
    port = p;
    p.listen(
      (reply) => {
        if (reply.op === 'free') {
          const h = hashes.get(reply.id);
          if (!h) return;
          h.inFlight--;
          if (h.pool.length < maxInFlight) h.pool.push(reply.data);
          wakeUp(h);
          return;
        }
        const h = hashes.get(reply.id);
        if (!h) return;
        if (reply.op === 'digest') {
          h.settle?.resolve(reply.digest);
          h.settle = undefined;
        } else {
          fail(h, workerFailed(reply.message));
        }
        forget(reply.id);
      },
      (error) => {
        if (port === p) failAll(workerFailed(error instanceof Error ? error.message : String(error)));
      },
    );
    return p;
  };

  return {
    create(algorithm) {
      if (algorithm !== 'sha512' && algorithm !== 'sha256') throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `no hash worker for ${String(algorithm)}`);
      const p = connect();
      const id = nextId++;
      const h: Open = { algorithm, pool: [], inFlight: 0, wake: undefined, settle: undefined, failure: undefined };
      hashes.set(id, h);
      if (hashes.size === 1) p.setBusy?.(true);
      let current: Uint8Array | undefined;
      let filled = 0;
      let done = false;

      const send = (): void => {
        const buf = current!;
        current = undefined;
        h.inFlight++;
        port?.postMessage({ op: 'update', id, algorithm, data: buf.buffer as ArrayBuffer, length: filled }, [buf.buffer as ArrayBuffer]);
        filled = 0;
      };
      /** A buffer to fill, or undefined when `maxInFlight` are out and none came back yet. */
      const take = (): Uint8Array | undefined => {
        const b = h.pool.pop();
        if (b) return new Uint8Array(b);
        return h.inFlight + 1 <= maxInFlight ? new Uint8Array(bufferSize) : undefined;
      };
      const check = (): void => {
        if (h.failure !== undefined) throw h.failure;
        if (done) throw new CryptoError('CRYPTO_STATE', 'offloaded hash: used after digest() or abort()');
      };

      const update = (data: Uint8Array): Promise<void> | undefined => {
        check();
        let at = 0;
        while (at < data.length) {
          if (current === undefined) {
            current = take();
            if (current === undefined) {
              // Every buffer is out: wait for one, then go on with the rest (which the caller
              // keeps unchanged until this Promise resolves).
              const rest = data.subarray(at);
              return new Promise<void>((resolve, reject) => {
                h.wake = () => {
                  try {
                    check();
                    const more = update(rest);
                    if (more) more.then(resolve, reject);
                    else resolve();
                  } catch (e) {
                    reject(e);
                  }
                };
              });
            }
          }
          const n = Math.min(data.length - at, bufferSize - filled);
          current.set(data.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === bufferSize) send();
        }
        return undefined;
      };

      return {
        update,
        digest() {
          try {
            check();
          } catch (e) {
            return Promise.reject(e);
          }
          done = true;
          return new Promise<Uint8Array>((resolve, reject) => {
            h.settle = { resolve, reject };
            if (current !== undefined && filled > 0) send();
            port?.postMessage({ op: 'digest', id, algorithm }, []);
          });
        },
        abort() {
          if (done) return;
          done = true;
          if (hashes.has(id)) {
            port?.postMessage({ op: 'abort', id }, []);
            fail(h, new CryptoError('CRYPTO_STATE', 'offloaded hash: aborted'));
            forget(id);
          }
        },
      };
    },
    close() {
      failAll(new CryptoError('CRYPTO_STATE', 'hash worker closed'));
    },
  };
}

/** The worker's global scope, as much of it as {@link serveHashRequests} uses. */
export interface HashWorkerScope {
  /** Sends a reply to the client, transferring the buffers in `transfer`. */
  postMessage(message: HashWorkerReply, transfer?: ArrayBuffer[]): void;
  /** Set by {@link serveHashRequests}: receives every request. */
  onmessage: ((event: { data: HashWorkerRequest }) => void) | null;
}

/**
 * The worker's side of the protocol: hashes with `create(algorithm)` (e.g. the routed
 * `sha512.create()` of `mathmesh/crypto`, after `init()`), hands every buffer back.
 */
export function serveHashRequests(scope: HashWorkerScope, create: (algorithm: OffloadAlgorithm) => HashStream): void {
  const open = new Map<number, HashStream>();
  scope.onmessage = (event) => {
    const m = event.data;
    try {
      if (m.op === 'abort') {
        open.delete(m.id);
        return;
      }
      let h = open.get(m.id);
      if (!h) open.set(m.id, (h = create(m.algorithm)));
      if (m.op === 'update') {
        h.update(new Uint8Array(m.data, 0, m.length));
        scope.postMessage({ op: 'free', id: m.id, data: m.data }, [m.data]);
      } else {
        open.delete(m.id);
        scope.postMessage({ op: 'digest', id: m.id, digest: h.digest() });
      }
    } catch (e) {
      open.delete(m.id);
      scope.postMessage({ op: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
  };
}
