import type { DarePrivateKey, DarePublicKey } from '../../dare/keys.js';
import { SequenceReader } from '../../dare/sequence/reader.js';
import type { SequenceStore } from '../../dare/sequence/store.js';
import { SequenceWriter } from '../../dare/sequence/writer.js';
import { utf8Decode } from '../../encoding/utf8.js';
import { MeshError } from '../errors.js';
import { readMeshObject, writeMeshObject } from '../schema/codec.js';
import type { AnyCatalogedEntry } from '../schema/types.js';

/**
 * The one place where the host meets the catalog module: what an account needs of a catalog
 * (mesh-model.md §8: a Merkle DARE sequence of CatalogedEntry frames, encrypted to its per-store
 * key, New / Update / Delete events with `UniqueId`, `First`, `Previous`; state = replay).
 */
export interface HostCatalog<T extends AnyCatalogedEntry = AnyCatalogedEntry> {
  readonly label: string;
  /** The current entry of a primary key. */
  get(key: string): T | undefined;
  /** Every current entry, in the order first added. */
  list(): T[];
  /** Adds (New) or replaces (Update) the entry under its primary key. */
  put(entry: T): Promise<'New' | 'Update'>;
  /** Deletes the entry of a key; false when there is none. */
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The primary key of a catalog entry (mesh-model.md §8.1). */
export function primaryKey(entry: AnyCatalogedEntry): string {
  const e = entry as unknown as Record<string, unknown>;
  switch (entry.$class) {
    case 'CatalogedCredential':
    case 'CatalogedNetwork':
      return `${String(e['Protocol'] ?? '')}:${String(e['Service'] ?? '')}`;
    case 'CatalogedDevice':
      return String(e['DeviceUdf']);
    case 'CatalogedAccess':
      return String((e['Capability'] as Record<string, unknown> | undefined)?.['Id']);
    case 'CatalogedBookmark':
      return String(e['Uid']);
    case 'CatalogedMember':
      return String(e['ContactAddress']);
    case 'CatalogedPublication':
      return String(e['Id']);
    case 'CatalogedCallsign':
      return String(e['Canonical']);
    default:
      if (typeof e['Key'] === 'string') return e['Key'];
      if (typeof e['Uid'] === 'string') return e['Uid'];
      throw new MeshError('MESH_INVALID', `${entry.$class} has no primary key`);
  }
}

interface Slot {
  first: number;
  last: number;
  entry: AnyCatalogedEntry | undefined;
}

/**
 * Opens a catalog on a sequence store for an account device: replays it with `decrypt` (the store
 * key from the device's ActivationCommon) and appends encrypted to `encryptTo`.
 */
export async function openHostCatalog(
  store: SequenceStore, label: string, keys: { decrypt: DarePrivateKey; encryptTo: DarePublicKey },
): Promise<HostCatalog> {
  const slots = new Map<string, Slot>();
  let writer: SequenceWriter;
  if (store.size === 0) {
    writer = await SequenceWriter.create(store, { type: 'Merkle', encrypt: { recipients: [keys.encryptTo] }, contentMeta: { cty: 'application/mmm-catalog' } });
  } else {
    const reader = await SequenceReader.open(store, { keys: [keys.decrypt] });
    for await (const f of reader.frames(1)) {
      const opened = await reader.openFrame(f);
      const meta = opened.contentMeta === undefined ? {} : (JSON.parse(utf8Decode(opened.contentMeta)) as Record<string, unknown>);
      const key = String(meta['UniqueId']);
      const event = meta['Event'];
      const slot = slots.get(key);
      if (event === 'Delete') {
        if (slot) slot.entry = undefined, slot.last = f.index;
        continue;
      }
      const entry = readMeshObject(opened.payload, 'CatalogedEntry');
      if (slot && slot.entry !== undefined) slot.entry = entry, slot.last = f.index;
      else slots.set(key, { first: f.index, last: f.index, entry });
    }
    writer = await SequenceWriter.open(store, {});
  }
  return {
    label,
    get: (key) => slots.get(key)?.entry,
    list: () => [...slots.values()].filter((s) => s.entry !== undefined).map((s) => s.entry!),
    async put(entry) {
      const key = primaryKey(entry);
      const slot = slots.get(key);
      const update = slot?.entry !== undefined;
      const meta = update
        ? { UniqueId: key, MessageType: entry.$class, Event: 'Update', First: slot!.first, Previous: slot!.last }
        : { UniqueId: key, MessageType: entry.$class, Event: 'New' };
      const r = writer.append(writeMeshObject(entry, 'json'), { contentMeta: meta });
      await r.durable;
      if (update) slot!.entry = entry, slot!.last = r.index;
      else slots.set(key, { first: r.index, last: r.index, entry });
      return update ? 'Update' : 'New';
    },
    async delete(key) {
      const slot = slots.get(key);
      if (slot?.entry === undefined) return false;
      const r = writer.append(new Uint8Array(0), { contentMeta: { UniqueId: key, Event: 'Delete', First: slot.first, Previous: slot.last } });
      await r.durable;
      slot.entry = undefined;
      slot.last = r.index;
      return true;
    },
    close: () => writer.close(),
  };
}
