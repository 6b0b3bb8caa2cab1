/**
 * A dedicated worker of the browser run: holds real `OpfsStore`s opened with `access: 'sync'`
 * (`FileSystemSyncAccessHandle`, which exists only in workers) and performs the page's calls on
 * them. The page (browser.ts) drives the portable sequence suite through a thin message proxy,
 * so the OPFS adapter's worker path runs the same tests as every other store.
 */
import { OpfsStore, opfsRoot } from '../../adapters/store/browser-opfs.js';
import type { SequenceStore } from '../../sdk/dare/sequence/store.js';
import { SequenceError } from '../../sdk/dare/sequence/errors.js';

export type WorkerRequest =
  | { id: number; op: 'open'; path: string; writable: boolean; durability?: 'fsync' | 'group' | 'none'; groupBytes?: number }
  | { id: number; op: 'read'; h: number; offset: number; length: number }
  | { id: number; op: 'append'; h: number; bytes: Uint8Array }
  | { id: number; op: 'truncate'; h: number; size: number }
  | { id: number; op: 'flush' | 'close'; h: number }
  | { id: number; op: 'cut'; path: string; size: number };

const stores = new Map<number, SequenceStore>();
let next = 1;
const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: unknown): void };

async function handle(m: WorkerRequest): Promise<Record<string, unknown>> {
  switch (m.op) {
    case 'open': {
      const s = m.writable
        ? await OpfsStore.openWrite(m.path, { access: 'sync', durability: m.durability ?? 'fsync', groupBytes: m.groupBytes })
        : await OpfsStore.openRead(m.path);
      stores.set(next, s);
      return { h: next++, size: s.size, writable: s.writable };
    }
    case 'cut': {
      // The raw cut: a sync access handle of our own (the writer must be closed), not the adapter.
      const parts = m.path.split('/');
      let dir = await opfsRoot();
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p);
      const fh = (await dir.getFileHandle(parts[parts.length - 1]!)) as unknown as { createSyncAccessHandle(): Promise<{ truncate(n: number): void; flush(): void; close(): void }> };
      const h = await fh.createSyncAccessHandle();
      try {
        h.truncate(m.size);
        h.flush();
      } finally {
        h.close();
      }
      return {};
    }
    default: {
      const s = stores.get(m.h);
      if (!s) throw new Error(`no store ${m.h}`);
      if (m.op === 'read') return { bytes: await s.read(m.offset, m.length) };
      if (m.op === 'append') await s.append(m.bytes);
      else if (m.op === 'truncate') await s.truncate(m.size);
      else if (m.op === 'flush') await s.flush();
      else await s.close(); // kept: later calls must get the adapter's own DARE_CLOSED
      return { size: s.size };
    }
  }
}

scope.onmessage = (e) => {
  // Started at once, in message order: appends reach the store in the order the page made them.
  handle(e.data).then(
    (r) => scope.postMessage({ id: e.data.id, ok: true, ...r }),
    (err: unknown) => scope.postMessage({
      id: e.data.id, ok: false, code: err instanceof SequenceError ? err.code : undefined,
      message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    }),
  );
};
scope.postMessage({ ready: true });
