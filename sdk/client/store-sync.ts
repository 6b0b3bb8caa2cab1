import { bytesEqual } from '../encoding/bytes.js';
import type { ConflictWarning, SyncedStore } from '../mesh/catalog/synced-store.js';
import type { ContainerUpdate } from '../mesh/schema/types.js';
import { frameEnvelope } from '../protocol/frames.js';
import { MeshClientError } from './errors.js';

/**
 * Bringing one store of this device and the service's copy together (protocol.md F5; README
 * "Catalogs and spools"), on a catalog's or spool's sync calls. With `S` frames at the service
 * (apex digest `D`), `L` frames here of which `A` are acknowledged:
 *
 * 1. **Reconcile.** If the service's copy is a prefix of ours (`headAt(S − 1) = D`), nothing is
 *    downloaded, and frames up to `S` count as acknowledged (an upload whose answer was lost).
 *    Otherwise the service holds frames we lack: download from `A` (frames before it are the
 *    service's by definition). `A > S` with another history is a service that lost what it had
 *    acknowledged: `CLIENT_DIVERGED`.
 * 2. **Download** by cursor (T7), in pages; each page goes to `receive(from, frames)`, which
 *    recognises our own uploads byte for byte, checks and appends foreign frames, and rebases
 *    our outgoing edits over them under the conflict rule (conflict warnings are reported).
 *    The cursor follows the `Index` each answer reports until it is reached.
 * 3. **Upload**: frames `S … L − 1`, expecting the service's last index `S − 1` and its apex
 *    digest (T8 ContainerUpdate). Usually these are exactly the outgoing frames; right after
 *    binding, or after a service restored from a backup, they may include frames once taken as
 *    acknowledged, which the service then gets again.
 */

/** What happened to one store in a sync. */
export interface StoreReport {
  readonly store: string;
  /** Frames downloaded and taken (foreign frames appended). */
  downloaded: number;
  /** Our outgoing frames found at the service (taken earlier, answer lost) or accepted now. */
  acknowledged: number;
  /** Frames uploaded and accepted. */
  uploaded: number;
  /** Local edits rebuilt over others' frames after a conflict. */
  rebuilt: number;
  /** What the conflict rule changed. */
  readonly warnings: ConflictWarning[];
}

/** A store's head at the service: its frame count and apex digest. */
export interface ServiceHead {
  readonly count: number;
  readonly digest: Uint8Array | undefined;
}

/** One page of a Download, per store: frames from the cursor, and the store's last index when read. */
export interface DownloadedPage {
  readonly store: string;
  readonly frames: readonly Uint8Array[];
  /** Index of the store's last frame at the service (−1: none). */
  readonly last: number;
  readonly digest: Uint8Array | undefined;
}

/** Fetches one page for each cursor (T7 Download). */
export type PageFetcher = (cursors: readonly { readonly store: string; readonly from: number }[]) => Promise<readonly DownloadedPage[]>;

/** A new report for a store. */
export function newReport(store: string): StoreReport {
  return { store, downloaded: 0, acknowledged: 0, uploaded: 0, rebuilt: 0, warnings: [] };
}

/**
 * Step 1: the index to download from, or undefined when the service's copy is a prefix of ours
 * (then acknowledged up to it).
 */
export async function reconcile(store: SyncedStore, head: ServiceHead): Promise<number | undefined> {
  const { count: s, digest } = head;
  if (s === 0) return undefined;
  if (s <= store.frameCount && digest !== undefined && bytesEqual(await store.headAt(s - 1), digest)) {
    if (s > store.acknowledged) await store.acknowledge(s);
    return undefined;
  }
  if (store.acknowledged > s) {
    throw new MeshClientError('CLIENT_DIVERGED', `${store.label}: the service holds ${s} frames of another history than the ${store.acknowledged} it acknowledged`, { store: store.label });
  }
  return store.acknowledged;
}

/**
 * Step 2 for several stores at once: pages until every cursor reached the last index the
 * service reported; returns each store's frame count at the service after it.
 */
export async function download(
  stores: ReadonlyMap<string, SyncedStore>, cursors: Map<string, number>, fetch: PageFetcher, reports: Map<string, StoreReport>,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  while (cursors.size > 0) {
    const pages = await fetch([...cursors].map(([store, from]) => ({ store, from })));
    let progress = false;
    for (const page of pages) {
      const from = cursors.get(page.store);
      const store = stores.get(page.store);
      if (from === undefined || store === undefined) continue;
      const report = reports.get(page.store) ?? newReport(page.store);
      reports.set(page.store, report);
      if (page.frames.length > 0) {
        progress = true;
        const r = await store.receive(from, page.frames);
        report.downloaded += r.accepted;
        report.acknowledged += r.acknowledged;
        report.rebuilt += r.rebuilt;
        report.warnings.push(...r.warnings);
      }
      const next = from + page.frames.length;
      counts.set(page.store, Math.max(counts.get(page.store) ?? 0, page.last + 1, next));
      if (next > page.last) cursors.delete(page.store);
      else cursors.set(page.store, next);
    }
    if (!progress && cursors.size > 0) {
      throw new MeshClientError('CLIENT_BAD_RESPONSE', `Download returned no frames for ${[...cursors.keys()].join(', ')} though the service reports more`);
    }
  }
  return counts;
}

/** Step 3: the ContainerUpdate of frames `serviceCount …` this device holds, or undefined when there are none. */
export async function updateOf(store: SyncedStore, serviceCount: number): Promise<{ update: ContainerUpdate; frames: number } | undefined> {
  if (store.frameCount <= serviceCount) return undefined;
  const frames: Uint8Array[] = [];
  for (let i = serviceCount; i < store.frameCount; i++) frames.push(await store.frameBytes(i));
  const digest = serviceCount > 0 ? await store.headAt(serviceCount - 1) : undefined;
  return {
    update: { $class: 'ContainerUpdate', Container: store.label, Index: serviceCount - 1, ...(digest ? { Digest: digest } : {}), Envelopes: frames.map(frameEnvelope) },
    frames: frames.length,
  };
}
