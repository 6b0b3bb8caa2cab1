import type { FrameContent } from '../../dare/sequence/replica.js';
import { decodeCatalogEvent, encodeCatalogEvent, type CatalogEvent } from './events.js';
import type { ConflictWarning, RebuildPlan } from './synced-store.js';

/**
 * The catalog conflict rule (protocol.md F5 step 3; features.md row 43). A service takes one
 * upload per store at a time and only when it names the store's current last index and apex
 * (optimistic concurrency): a device that edited while another device's upload was taken gets
 * `Conflict`, downloads the other frames, and rebuilds its own edits on top of them
 * ({@link SyncedStore.receive}). Each of our edits is compared with what happened to its key
 * remotely — between the point our edits were built on and the service's frames:
 *
 * | our edit | key unchanged remotely | key updated / added remotely | key deleted remotely |
 * |---|---|---|---|
 * | add (New) | New | Update over theirs (`add-became-update`) | New |
 * | update | Update | Update over theirs (`overwrote-remote-update`) | New with our value (`restored-after-remote-delete`) |
 * | delete | Delete | dropped, their update kept (`delete-dropped-remote-update`) | dropped (`already-deleted-remotely`) |
 *
 * So: **last writer wins** for two values of one key — the writer whose upload the service takes
 * last, not the one with the later clock (no clock is trusted or compared) — and **an update
 * beats a delete** whichever came first, so no value a user wrote on one device disappears
 * because another device deleted an older one. Every case that overrides or drops something is
 * reported as a {@link ConflictWarning}. Keys nobody else touched keep our edits as made;
 * First/Previous are recomputed for the frames' new indexes.
 */

/** What a key held: its first and last frame (the payload is not compared). */
interface KeyState {
  readonly first: number;
  readonly last: number;
}

/**
 * Plans the rebuild of `intents` (our taken-back frames' contents, in order) given `entries`, the
 * live map the catalog mutates: called at the conflict point, the returned function runs once the
 * foreign frames are applied. `nextIndex()` gives the index the first rebuilt frame will take.
 */
export function planCatalogRebuild(
  intents: readonly FrameContent[], entries: ReadonlyMap<string, KeyState>, nextIndex: () => number,
): () => RebuildPlan {
  const events = intents.map((c) => ({ ev: decodeCatalogEvent(c.contentMeta, Number.MAX_SAFE_INTEGER), payload: c.payload }));
  const before = new Map<string, KeyState | undefined>();
  for (const { ev } of events) if (!before.has(ev.uniqueId)) before.set(ev.uniqueId, entries.get(ev.uniqueId));
  return () => {
    const warnings: ConflictWarning[] = [];
    const contents: FrameContent[] = [];
    const overlay = new Map<string, KeyState | null>();
    const warned = new Set<string>();
    let index = nextIndex();
    const remote = (k: string): KeyState | undefined => entries.get(k);
    const changed = (k: string): boolean => remote(k)?.last !== before.get(k)?.last;
    const warn = (k: string, kind: ConflictWarning['kind'], message: string): void => {
      if (warned.has(`${kind} ${k}`)) return;
      warned.add(`${kind} ${k}`);
      warnings.push({ uniqueId: k, kind, message });
    };
    for (const { ev, payload } of events) {
      const k = ev.uniqueId;
      const cur = overlay.has(k) ? overlay.get(k) ?? undefined : remote(k);
      if (ev.event === 'Delete') {
        if (!cur) {
          if (changed(k)) warn(k, 'already-deleted-remotely', `'${k}' was deleted on another device too`);
          continue;
        }
        if (changed(k) && remote(k) !== undefined) {
          warn(k, 'delete-dropped-remote-update', `'${k}' was changed on another device: its update is kept and this delete dropped`);
          continue;
        }
        contents.push(frame({ uniqueId: k, event: 'Delete', first: cur.first, previous: cur.last }, new Uint8Array(0)));
        overlay.set(k, null);
      } else {
        if (cur && changed(k)) {
          if (ev.event === 'New') warn(k, 'add-became-update', `'${k}' was added on another device too: this value replaces it`);
          else warn(k, 'overwrote-remote-update', `'${k}' was changed on another device too: this later value wins`);
        } else if (!cur && ev.event === 'Update' && changed(k)) {
          warn(k, 'restored-after-remote-delete', `'${k}' was deleted on another device: it is added again with this value`);
        }
        const e: CatalogEvent = cur ? { uniqueId: k, event: 'Update', first: cur.first, previous: cur.last } : { uniqueId: k, event: 'New' };
        contents.push(frame(e, payload));
        overlay.set(k, { first: cur ? cur.first : index, last: index });
      }
      index++;
    }
    return { contents, warnings };
  };
}

function frame(e: CatalogEvent, payload: Uint8Array): FrameContent {
  return { payload, contentMeta: encodeCatalogEvent(e) };
}
