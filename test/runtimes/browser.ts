/**
 * Entry of the portable suites in a browser page (served by scripts/test-runtimes.mjs on
 * 127.0.0.1): vectors over HTTP, and the page's CSP decides whether WASM may compile — the
 * page sets `data-backend` to what the server's CSP allows, and the suite checks init() agrees.
 * Sequence stores: memory, OPFS on the main thread (the `createWritable` path), OPFS in a
 * dedicated worker (the `FileSystemSyncAccessHandle` path, browser-worker.ts) and IndexedDB.
 */
import { IdbStore } from '../../adapters/store/browser-idb.js';
import { OpfsStore, opfsRoot } from '../../adapters/store/browser-opfs.js';
import type { SequenceStore } from '../../sdk/dare/sequence/store.js';
import { SequenceError, type SequenceErrorCode } from '../../sdk/dare/sequence/errors.js';
import type { RunSummary } from '../portable/harness.js';
import type { StoreFactory } from '../portable/index.js';
import type { WebSocketConstructor } from '../../sdk/client/index.js';
import { runPortable } from './run.js';
import { IdbHome, OpfsHome } from '../../adapters/home/browser.js';
import type { HomeFactory } from '../portable/host.js';

declare global {
  // eslint-disable-next-line no-var
  var __meshResult: RunSummary | { error: string } | undefined;
}

const expected = document.documentElement.dataset['backend'] === 'pure' ? 'pure' : 'wasm';
const out = document.getElementById('log')!;
// The push service (another origin: the page's CSP lets it connect there, the service answers CORS).
const pushUrl = document.documentElement.dataset['push'];
// The connect suite's PIN helper (test/support/connect-server.ts; another origin, as is its Mesh service).
const connectUrl = document.documentElement.dataset['connect'];
// Both pages share one origin (one OPFS, one IndexedDB): a directory / database per page load.
const scratch = `mathmesh-test-${expected}-${Date.now().toString(36)}`;

const opfs: StoreFactory = {
  label: 'opfs',
  open: (name, o) => (o.writable ? OpfsStore.openWrite(`${scratch}/${name}`, { durability: o.durability ?? 'fsync', groupBytes: o.groupBytes }) : OpfsStore.openRead(`${scratch}/${name}`)),
  // The raw cut: an OPFS writable stream on the file, not the adapter.
  async cut(name, size) {
    const dir = await (await opfsRoot()).getDirectoryHandle(scratch);
    const w = await (await dir.getFileHandle(name)).createWritable({ keepExistingData: true });
    await w.truncate(size);
    await w.close();
  },
};
// IndexedDB has no bytes outside the adapter's chunks, so the torn-tail test cuts through the
// adapter's own truncate (a writable handle), which the suite does when `cut` is absent.
const idb: StoreFactory = {
  label: 'indexeddb',
  open: (name, o) => (o.writable
    ? IdbStore.openWrite(name, { database: scratch, durability: o.durability ?? 'fsync', groupBytes: o.groupBytes })
    : IdbStore.openRead(name, { database: scratch })),
};

/** Calls into browser-worker.ts, one promise per request. */
function workerClient(): { worker: Worker; call: (req: Record<string, unknown>) => Promise<Record<string, unknown>> } {
  const worker = new Worker('/build/browser-worker.js', { type: 'module' });
  const waiting = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: unknown) => void }>();
  const ready = new Promise<void>((resolve, reject) => {
    worker.onerror = (e) => reject(new Error(`worker failed: ${e.message}`));
    worker.onmessage = (e: MessageEvent<Record<string, unknown>>) => {
      if (e.data['ready']) return resolve();
      const w = waiting.get(e.data['id'] as number)!;
      waiting.delete(e.data['id'] as number);
      if (e.data['ok']) w.resolve(e.data);
      else {
        const code = e.data['code'] as SequenceErrorCode | undefined;
        w.reject(code ? new SequenceError(code, `(worker) ${String(e.data['message'])}`) : new Error(`(worker) ${String(e.data['message'])}`));
      }
    };
  });
  let id = 0;
  return {
    worker,
    async call(req) {
      await ready;
      return new Promise((resolve, reject) => {
        waiting.set(++id, { resolve, reject });
        worker.postMessage({ ...req, id });
      });
    },
  };
}

/**
 * The page's handle on a store that lives in the worker: every call is forwarded, in call order,
 * to the real `OpfsStore` there; only `size` is tracked here (it must be synchronous).
 */
class WorkerStore implements SequenceStore {
  constructor(private readonly call: ReturnType<typeof workerClient>['call'], private readonly h: number, private length: number, readonly writable: boolean) {}
  get size(): number {
    return this.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    return (await this.call({ op: 'read', h: this.h, offset, length }))['bytes'] as Uint8Array;
  }
  append(bytes: Uint8Array): Promise<void> {
    const done = this.call({ op: 'append', h: this.h, bytes: bytes.slice() });
    if (this.writable) this.length += bytes.length;
    return done.then(() => undefined);
  }
  async truncate(size: number): Promise<void> {
    this.length = (await this.call({ op: 'truncate', h: this.h, size }))['size'] as number;
  }
  async flush(): Promise<void> {
    await this.call({ op: 'flush', h: this.h });
  }
  async close(): Promise<void> {
    await this.call({ op: 'close', h: this.h });
  }
}

const { call } = workerClient();
const opfsWorker: StoreFactory = {
  label: 'opfs sync handle in a worker',
  async open(name, o) {
    const r = await call({ op: 'open', path: `${scratch}-w/${name}`, writable: o.writable, durability: o.durability ?? 'fsync', groupBytes: o.groupBytes });
    return new WorkerStore(call, r['h'] as number, r['size'] as number, r['writable'] as boolean);
  },
  cut: async (name, size) => void (await call({ op: 'cut', path: `${scratch}-w/${name}`, size })),
  // A second worker opens a writer (Web Lock + sync access handle) and is killed holding them.
  async abandonWriter(name) {
    const doomed = workerClient();
    await doomed.call({ op: 'open', path: `${scratch}-w/${name}`, writable: true });
    doomed.worker.terminate();
  },
};

let homes = 0;
const opfsHome: HomeFactory = { label: 'opfs', make: () => OpfsHome.open(`${scratch}-home-${homes++}`) };
const idbHome: HomeFactory = { label: 'indexeddb', make: () => IdbHome.open(`${scratch}-home-${homes++}`) };

try {
  globalThis.__meshResult = await runPortable(
    {
      runtime: 'browser', backend: expected, native: false, nativeCurves: false, nativeContexts: false,
      ...(pushUrl ? { push: { url: pushUrl, WebSocket: globalThis.WebSocket as unknown as WebSocketConstructor } } : {}),
      ...(connectUrl ? { connect: connectUrl } : {}),
    },
    async (f) => {
      const r = await fetch(`/vectors/${f}`);
      if (!r.ok) throw new Error(`GET /vectors/${f}: ${r.status}`);
      return r.text();
    },
    (line) => void (out.textContent += line + '\n'),
    [opfs, opfsWorker, idb],
    [opfsHome, idbHome],
  );
} catch (e) {
  globalThis.__meshResult = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
}
