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

/** A message in a spool with its current state (mesh-model.md §9.3). */
export interface SpooledMessage {
  readonly messageId: string;
  readonly messageType: string;
  /** Frame index of the message. */
  readonly index: number;
  /** The enveloped message as spooled. */
  readonly envelope: Uint8Array;
  /** `Initial` until a MessageComplete names it; then the last Relationship (`Read`, `Closed`…). */
  readonly state: string;
}

/** What the host needs of a spool (mesh-model.md §9: enveloped messages; state by MessageComplete). */
export interface HostSpool {
  readonly label: string;
  list(): SpooledMessage[];
  get(messageId: string): SpooledMessage | undefined;
  /** Appends an enveloped message under its MessageId. */
  post(envelope: Uint8Array, messageId: string, messageType: string): Promise<SpooledMessage>;
  /** Appends a MessageComplete giving `messageId` the state `relationship` (never edits in place). */
  mark(messageId: string, relationship: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a spool on a sequence store (same container and keys as a catalog). */
export async function openHostSpool(
  store: SequenceStore, label: string, keys: { decrypt: DarePrivateKey; encryptTo: DarePublicKey },
): Promise<HostSpool> {
  const messages = new Map<string, { messageId: string; messageType: string; index: number; envelope: Uint8Array; state: string }>();
  const apply = (complete: { References?: { MessageId?: string; Relationship?: string }[] }): void => {
    for (const r of complete.References ?? []) {
      const m = r.MessageId === undefined ? undefined : messages.get(r.MessageId);
      if (m && r.Relationship !== undefined) m.state = r.Relationship === 'Open' ? 'Initial' : r.Relationship;
    }
  };
  let writer: SequenceWriter;
  if (store.size === 0) {
    writer = await SequenceWriter.create(store, { type: 'Merkle', encrypt: { recipients: [keys.encryptTo] }, contentMeta: { cty: 'application/mmm-spool' } });
  } else {
    const reader = await SequenceReader.open(store, { keys: [keys.decrypt] });
    for await (const f of reader.frames(1)) {
      const opened = await reader.openFrame(f);
      const meta = opened.contentMeta === undefined ? {} : (JSON.parse(utf8Decode(opened.contentMeta)) as Record<string, unknown>);
      const type = String(meta['MessageType'] ?? '');
      if (type === 'MessageComplete') apply(readMeshObject(opened.payload, 'MessageComplete'));
      else messages.set(String(meta['UniqueId']), { messageId: String(meta['UniqueId']), messageType: type, index: f.index, envelope: opened.payload, state: 'Initial' });
    }
    writer = await SequenceWriter.open(store, {});
  }
  return {
    label,
    list: () => [...messages.values()].map((m) => ({ ...m })),
    get: (id) => {
      const m = messages.get(id);
      return m === undefined ? undefined : { ...m };
    },
    async post(envelope, messageId, messageType) {
      if (messages.has(messageId)) throw new MeshError('MESH_INVALID', `message ${messageId} is already in ${label}`);
      const r = writer.append(envelope, { contentMeta: { UniqueId: messageId, MessageType: messageType } });
      await r.durable;
      const m = { messageId, messageType, index: r.index, envelope, state: 'Initial' };
      messages.set(messageId, m);
      return { ...m };
    },
    async mark(messageId, relationship) {
      if (!messages.has(messageId)) throw new MeshError('MESH_NOT_FOUND', `no message ${messageId} in ${label}`);
      const complete = { $class: 'MessageComplete' as const, References: [{ MessageId: messageId, Relationship: relationship }] };
      const r = writer.append(writeMeshObject(complete, 'json'), { contentMeta: { MessageType: 'MessageComplete' } });
      await r.durable;
      apply(complete);
    },
    close: () => writer.close(),
  };
}
