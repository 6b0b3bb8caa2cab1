import type { FrameContent, PreparedFrames, ReplicaFrame } from '../../dare/sequence/replica.js';
import { MeshError } from '../errors.js';
import { readMeshObject, writeMeshObject } from '../schema/codec.js';
import { planCatalogRebuild } from './conflict.js';
import { CATALOG_CTY, decodeCatalogEvent, encodeCatalogEvent, type CatalogEvent, type CatalogEventType } from './events.js';
import { catalogKindInfo, primaryKeyOf, type CatalogEntryOf, type CatalogKind, type CatalogKindInfo } from './kinds.js';
import type { RecordReader, RecordWriter } from './sealed.js';
import { SyncedStore, type RebuildPlan, type StoreOptions, type UndoRecord } from './synced-store.js';

/**
 * A catalog (mesh-model.md §8): a Merkle DARE sequence of `Cataloged*` frames encrypted to the
 * store's key, one frame per event — `New` (a key appears), `Update` (the whole new entry),
 * `Delete` (no payload) — with the ContentMeta REF writes (events.ts). Replaying the frames gives
 * the state: for each key, its last frame unless that is a Delete. The lifecycle of every key
 * must be `(New Update* Delete)*`, and each Update/Delete must name the key's `First` and
 * `Previous` frames: a frame that does not is refused (`MESH_LIFECYCLE`), whoever wrote it.
 *
 * Reads are synchronous and come from memory (the entries' JSON, parsed on each read so callers
 * can change what they get without changing the catalog); edits build a frame, append it and
 * resolve once it is durable (a store opened with `durability: 'group'` shares one fsync among
 * concurrent edits). Sync, snapshots and the rebase journal are {@link SyncedStore}'s; the
 * conflict rule is conflict.ts's.
 *
 * @example
 * ```ts
 * const passwords = await Catalog.open('credential', { store, key: storeKey, snapshot });
 * await passwords.put({ $class: 'CatalogedCredential', Service: 'ftp.example.com', Username: 'alice', Password: 'pw' });
 * passwords.get(':ftp.example.com')?.Password; // 'pw'
 * ```
 */

/** One edit of a batch (see {@link Catalog.prepare}). `put` adds or updates. */
export type CatalogEditRequest<K extends CatalogKind> =
  | { readonly op: 'add' | 'update' | 'put'; readonly entry: CatalogEntryOf<K> }
  | { readonly op: 'delete'; readonly key: string };

/** An edit as written: the frame's index and event. */
export interface CatalogEdit extends CatalogEvent {
  /** Index of the frame that carries it. */
  readonly index: number;
}

/** Edits built into frames but not written (see {@link Catalog.prepare}). */
export interface PreparedCatalogEdits {
  /** Index of the first frame. */
  readonly from: number;
  /** The frames, exactly as they will be stored and uploaded. */
  readonly frames: readonly Uint8Array[];
  readonly edits: readonly CatalogEdit[];
  /** @internal */
  readonly prepared: PreparedFrames;
}

/** What the catalog holds for a key: its First and last frame and the entry's JSON. */
interface EntryRecord {
  readonly first: number;
  readonly last: number;
  readonly payload: Uint8Array;
}

/**
 * The catalog of one kind (mesh-model.md §8.1) of an account, on its store: typed reads from
 * memory, edits as REF's New / Update / Delete frames, sync through {@link SyncedStore}. See the
 * module notes above.
 */
export class Catalog<K extends CatalogKind> extends SyncedStore {
  readonly kind: K;
  private readonly info: CatalogKindInfo;
  private readonly entries = new Map<string, EntryRecord>();
  private readonly arena = new PayloadArena();
  /** @internal */
  protected readonly frameZeroType = CATALOG_CTY;
  /** @internal */
  protected readonly requireAuthor = true;

  private constructor(kind: K, options: StoreOptions) {
    const info = catalogKindInfo(kind);
    super(info.label, options);
    this.kind = kind;
    this.info = info;
  }

  /**
   * Opens the catalog of `kind` on its store: from the snapshot when it fits the file, replaying
   * (and verifying) the frames after it, or every frame. An empty store gets frame 0 (unless
   * `create: false`: a device joining an account takes it from the service).
   */
  static async open<K extends CatalogKind>(kind: K, options: StoreOptions): Promise<Catalog<K>> {
    return SyncedStore.openWith(options, () => new Catalog(kind, options));
  }

  // ---- reading -----------------------------------------------------------------------------

  /** Live entries. */
  get size(): number {
    return this.entries.size;
  }

  /** The primary key of an entry of this catalog (mesh-model.md §8.1). */
  keyOf(entry: CatalogEntryOf<K>): string {
    return primaryKeyOf(this.kind, entry);
  }

  /** True when `key` is live. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The entry whose primary key is `key`, or undefined. */
  get(key: string): CatalogEntryOf<K> | undefined {
    const r = this.entries.get(key);
    return r === undefined ? undefined : this.parse(r.payload);
  }

  /** Every live entry (in no particular order). */
  list(): CatalogEntryOf<K>[] {
    const out: CatalogEntryOf<K>[] = [];
    for (const r of this.entries.values()) out.push(this.parse(r.payload));
    return out;
  }

  /** The primary keys of the live entries. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** First and last frame index of a live key (its lifecycle so far), or undefined. */
  framesOf(key: string): { readonly first: number; readonly last: number } | undefined {
    const r = this.entries.get(key);
    return r === undefined ? undefined : { first: r.first, last: r.last };
  }

  private parse(payload: Uint8Array): CatalogEntryOf<K> {
    return readMeshObject(payload, this.info.entryClass) as CatalogEntryOf<K>;
  }

  // ---- editing -------------------------------------------------------------------------------

  /** Adds a new entry (`New`); `MESH_ALREADY_EXISTS` when its key is live. Resolves when durable. */
  async add(entry: CatalogEntryOf<K>): Promise<CatalogEdit> {
    return (await this.edit([{ op: 'add', entry }]))[0]!;
  }

  /** Replaces a live entry (`Update`); `MESH_NOT_FOUND` when its key is not live. */
  async update(entry: CatalogEntryOf<K>): Promise<CatalogEdit> {
    return (await this.edit([{ op: 'update', entry }]))[0]!;
  }

  /** Adds or replaces (`New` or `Update`): what `mesh password add` does when the site exists. */
  async put(entry: CatalogEntryOf<K>): Promise<CatalogEdit> {
    return (await this.edit([{ op: 'put', entry }]))[0]!;
  }

  /** Deletes a live entry by primary key (`Delete`); `MESH_NOT_FOUND` when it is not live. */
  async delete(key: string): Promise<CatalogEdit> {
    return (await this.edit([{ op: 'delete', key }]))[0]!;
  }

  /** Several edits in order, written together; resolves when all are durable. */
  async edit(edits: readonly CatalogEditRequest<K>[]): Promise<CatalogEdit[]> {
    const { edits: done, durable } = await this.exclusive(() => {
      const p = this.buildEdits(edits);
      return { edits: p.edits, durable: this.commitPrepared(p.prepared).durable };
    });
    await durable;
    return [...done];
  }

  /**
   * Builds the frames of `edits` for the next indexes without writing them: the lifecycle is
   * checked against the catalog as it is (and the earlier edits of the batch). Write them with
   * {@link Catalog.commit} — or upload them first and commit once the service took them.
   */
  prepare(edits: readonly CatalogEditRequest<K>[]): PreparedCatalogEdits {
    this.check();
    return this.buildEdits(edits);
  }

  /** Writes prepared edits (`MESH_STALE` when the catalog moved since); resolves when durable. */
  async commit(prepared: PreparedCatalogEdits): Promise<CatalogEdit[]> {
    const durable = await this.exclusive(() => this.commitPrepared(prepared.prepared).durable);
    await durable;
    return [...prepared.edits];
  }

  private buildEdits(edits: readonly CatalogEditRequest<K>[]): PreparedCatalogEdits {
    if (!Array.isArray(edits) || edits.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'no edits');
    const overlay = new Map<string, EntryRecord | null>();
    const current = (k: string): EntryRecord | undefined => (overlay.has(k) ? overlay.get(k) ?? undefined : this.entries.get(k));
    const contents: FrameContent[] = [];
    const out: CatalogEdit[] = [];
    let index = this.frameCount;
    for (const e of edits) {
      let event: CatalogEvent;
      let payload: Uint8Array;
      if (e.op === 'delete') {
        if (typeof e.key !== 'string') throw new MeshError('MESH_BAD_ARGUMENT', 'delete needs a primary key');
        const r = current(e.key);
        if (!r) throw new MeshError('MESH_NOT_FOUND', `${this.label} has no entry '${e.key}'`);
        event = { uniqueId: e.key, event: 'Delete', first: r.first, previous: r.last };
        payload = new Uint8Array(0);
        overlay.set(e.key, null);
      } else {
        if (e.op !== 'add' && e.op !== 'update' && e.op !== 'put') throw new MeshError('MESH_BAD_ARGUMENT', `unknown edit '${String((e as { op: unknown }).op)}'`);
        const key = primaryKeyOf(this.kind, e.entry);
        payload = writeMeshObject(e.entry, 'json');
        const r = current(key);
        if (e.op === 'add' && r) throw new MeshError('MESH_ALREADY_EXISTS', `${this.label} already has '${key}' (use update or put)`);
        if (e.op === 'update' && !r) throw new MeshError('MESH_NOT_FOUND', `${this.label} has no entry '${key}' to update`);
        event = r ? { uniqueId: key, event: 'Update', first: r.first, previous: r.last } : { uniqueId: key, event: 'New' };
        overlay.set(key, { first: r ? r.first : index, last: index, payload });
      }
      contents.push({ payload, contentMeta: encodeCatalogEvent(event) });
      out.push({ ...event, index });
      index++;
    }
    const prepared = this.prepareContents(contents);
    return { from: prepared.from, frames: prepared.frames, edits: out, prepared };
  }

  // ---- applying frames -----------------------------------------------------------------------

  /** The lifecycle rule (mesh-model.md §8): what `event` may do to a key holding `r`. */
  private checkEvent(r: EntryRecord | undefined, ev: CatalogEvent, index: number): void {
    const bad = (what: string): never => {
      throw new MeshError('MESH_LIFECYCLE', `${this.label} frame ${index}: ${what}`);
    };
    if (ev.event === 'New') {
      if (r) bad(`New for '${ev.uniqueId}', which is live since frame ${r.first}`);
      return;
    }
    if (!r) bad(`${ev.event} of '${ev.uniqueId}', which is not live`);
    if (ev.first !== r!.first || ev.previous !== r!.last) {
      bad(`${ev.event} of '${ev.uniqueId}' names First ${String(ev.first)}, Previous ${String(ev.previous)}; the key's are ${r!.first}, ${r!.last}`);
    }
  }

  /** A frame's event, checked against `r`, and its entry checked against the event. */
  private eventOf(
    f: ReplicaFrame, r: EntryRecord | undefined, checked: boolean, decoded?: CatalogEvent,
  ): { ev: CatalogEvent; next: EntryRecord | undefined } {
    const ev = decoded ?? decodeCatalogEvent(f.contentMeta, f.index);
    this.checkEvent(r, ev, f.index);
    const payload = f.payload ?? new Uint8Array(0);
    if (ev.event === 'Delete') {
      if (payload.length !== 0) throw new MeshError('MESH_LIFECYCLE', `${this.label} frame ${f.index}: a Delete carries no entry`);
      return { ev, next: undefined };
    }
    if (!checked) this.checkEntry(payload, ev.uniqueId, f.index);
    return { ev, next: { first: ev.event === 'New' ? f.index : r!.first, last: f.index, payload: this.arena.keep(payload) } };
  }

  /** The payload is an entry of this catalog's class whose primary key is the frame's UniqueId. */
  private checkEntry(payload: Uint8Array, uniqueId: string, index: number): void {
    let key: string;
    try {
      key = primaryKeyOf(this.kind, this.parse(payload));
    } catch (e) {
      if (e instanceof MeshError && (e.code === 'MESH_WRONG_CLASS' || e.code === 'MESH_UNKNOWN_CLASS')) {
        throw new MeshError('MESH_WRONG_STORE', `${this.label} frame ${index}: ${e.message}`, { cause: e });
      }
      if (e instanceof MeshError) throw new MeshError(e.code, `${this.label} frame ${index}: ${e.message}`, { cause: e });
      throw e;
    }
    if (key !== uniqueId) throw new MeshError('MESH_LIFECYCLE', `${this.label} frame ${index}: the entry's primary key '${key}' is not the frame's UniqueId '${uniqueId}'`);
  }

  /** @internal */
  protected applyFrame(f: ReplicaFrame, checked: boolean): UndoRecord[] {
    const ev0 = decodeCatalogEvent(f.contentMeta, f.index);
    const before = this.entries.get(ev0.uniqueId);
    const { ev, next } = this.eventOf(f, before, checked, ev0);
    if (next) this.entries.set(ev.uniqueId, next);
    else this.entries.delete(ev.uniqueId);
    return [[ev.uniqueId, before]];
  }

  /** @internal */
  protected checkFrames(frames: readonly ReplicaFrame[], view: (key: string) => unknown): void {
    const overlay = new Map<string, EntryRecord | undefined>();
    for (const f of frames) {
      const ev = decodeCatalogEvent(f.contentMeta, f.index);
      const r = overlay.has(ev.uniqueId) ? overlay.get(ev.uniqueId) : (view(ev.uniqueId) as EntryRecord | undefined);
      overlay.set(ev.uniqueId, this.eventOf(f, r, false, ev).next);
    }
  }

  /** @internal */
  protected restore(key: string, previous: unknown): void {
    if (previous === undefined) this.entries.delete(key);
    else this.entries.set(key, previous as EntryRecord);
  }

  /** @internal */
  protected currentOf(key: string): unknown {
    return this.entries.get(key);
  }

  /** @internal */
  protected planRebuild(intents: readonly FrameContent[]): () => RebuildPlan {
    return planCatalogRebuild(intents, this.entries, () => this.frameCount);
  }

  // ---- snapshot records ----------------------------------------------------------------------

  /** @internal */
  protected encodeRecords(view: (key: string) => unknown, touched: ReadonlySet<string>, w: RecordWriter): void {
    const put = (key: string): void => {
      const r = view(key) as EntryRecord | undefined;
      if (r) w.string(key).uint(r.first).uint(r.last).bytes(r.payload);
    };
    for (const key of this.entries.keys()) if (!touched.has(key)) put(key);
    for (const key of touched) put(key);
  }

  /** @internal */
  protected decodeRecords(r: RecordReader): void {
    while (!r.done) {
      const key = r.string();
      const first = r.uint();
      const last = r.uint();
      this.entries.set(key, { first, last, payload: r.bytes() });
    }
  }

  /** @internal */
  protected resetState(): void {
    this.entries.clear();
  }
}

/**
 * Entry JSON kept in shared 1 MiB blocks: one small ArrayBuffer per entry costs several times the
 * entry itself in V8, which a replay of 100,000 frames would feel. Views into a block keep it
 * alive; a block holding only replaced entries is freed with them.
 */
class PayloadArena {
  private block = new Uint8Array(0);
  private at = 0;

  keep(payload: Uint8Array): Uint8Array {
    const n = payload.length;
    if (n > 1 << 16) return payload.slice();
    if (this.at + n > this.block.length) {
      this.block = new Uint8Array(1 << 20);
      this.at = 0;
    }
    this.block.set(payload, this.at);
    const view = this.block.subarray(this.at, this.at + n);
    this.at += n;
    return view;
  }
}
