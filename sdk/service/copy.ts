import { serviceError } from './store-errors.js';
import { DEFAULT_LIMITS } from './store-rules.js';
import type { ServiceStore, StoreUpdate } from './store.js';

/** Options of {@link copyServiceStore}. */
export interface CopyOptions {
  /** Frames per read and per transaction (default 500). */
  readonly pageEntries?: number;
  /** Bytes per transaction at most (default 8 MiB; one frame always fits; keep it under the target's `maxTransactionBytes`). */
  readonly pageBytes?: number;
  /** Called after each account with the totals so far. */
  readonly onProgress?: (progress: CopyReport) => void;
}

/** What a copy moved. */
export interface CopyReport {
  readonly accounts: number;
  readonly stores: number;
  readonly frames: number;
  readonly bytes: number;
  readonly records: number;
}

/**
 * Copies everything a Mesh service keeps from one service store to another, byte for byte —
 * how `mesh service export` / `import` move a service between the embedded store and
 * PostgreSQL (protocol.md §5: the stores are the same DARE frames whichever store holds them).
 * Accounts keep their address, profile UDF, status, profile bytes and creation time; each store
 * gets exactly the source's frames at the same indexes (appended from index 0 in transactions of
 * at most `pageEntries` frames, the last one declaring the source head's apex digest); records
 * keep their values. After each store the target's head is compared with the source's.
 *
 * Request nonces are not copied: they live for one signature window (≤ 60 s), so start the
 * target service no sooner than that after the source stopped. The source must not change
 * meanwhile (stop its service first): a store that grows during the copy is copied up to the
 * head read when its copy began.
 *
 * Refuses (`SERVICE_ALREADY_EXISTS`) a target that has accounts or records already: a copy never
 * merges into a live service.
 */
export async function copyServiceStore(source: ServiceStore, target: ServiceStore, options: CopyOptions = {}): Promise<CopyReport> {
  const pageEntries = options.pageEntries ?? 500;
  const pageBytes = options.pageBytes ?? Math.min(8 << 20, DEFAULT_LIMITS.maxTransactionBytes);
  if ((await target.listAccounts({ limit: 1 })).length > 0 || (await target.listRecords({ limit: 1 })).length > 0) {
    throw serviceError('SERVICE_ALREADY_EXISTS', 'the target service store is not empty: a copy goes into an empty store');
  }
  const report = { accounts: 0, stores: 0, frames: 0, bytes: 0, records: 0 };
  for (let after: string | undefined; ;) {
    const page = await source.listAccounts({ after, limit: 100 });
    if (page.length === 0) break;
    for (const account of page) {
      await target.createAccount({ address: account.address, profileUdf: account.profileUdf, profile: account.profile, status: account.status, created: account.created });
      for (const head of await source.heads(account.address)) {
        let at = 0;
        while (at < head.nextIndex) {
          const r = await source.read(account.address, head.store, at, { maxEntries: pageEntries, maxBytes: pageBytes });
          const last = r.nextIndex >= head.nextIndex;
          const frames = last ? r.frames.slice(0, head.nextIndex - at) : r.frames;
          const update: StoreUpdate = { account: account.address, store: head.store, expectedNextIndex: at, frames, ...(last && head.digest ? { digest: head.digest } : {}) };
          await target.transact([update]);
          report.frames += frames.length;
          report.bytes += frames.reduce((n, f) => n + f.length, 0);
          at += frames.length;
        }
        const copied = await target.head(account.address, head.store);
        if (copied.nextIndex !== head.nextIndex || !sameBytes(copied.digest, head.digest)) {
          throw serviceError('SERVICE_CORRUPT', `${head.store} of ${account.address}: the copy's head (${copied.nextIndex} frames) differs from the source's (${head.nextIndex})`, { account: account.address, store: head.store });
        }
        report.stores++;
      }
      report.accounts++;
      options.onProgress?.({ ...report });
    }
    after = page[page.length - 1]!.address;
  }
  for (let after: string | undefined; ;) {
    const names = await source.listRecords({ after, limit: 100 });
    if (names.length === 0) break;
    for (const name of names) {
      const value = await source.getRecord(name);
      if (value !== undefined) {
        await target.putRecord(name, value);
        report.records++;
      }
    }
    after = names[names.length - 1];
  }
  return report;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
