import { publicPart, type DarePrivateKey, type DarePublicKey } from '../../dare/keys.js';
import { SequenceError } from '../../dare/sequence/errors.js';
import {
  resumeStateMatches, SequenceReplica, type CommittedFrames, type FrameContent, type PreparedFrames, type ReplicaFrame,
} from '../../dare/sequence/replica.js';
import { replicaStateFromJson, replicaStateToJson, type ReplicaState } from '../../dare/sequence/replica-state.js';
import type { SequenceStore } from '../../dare/sequence/store.js';
import { decodeContentMeta, encodeContentMeta } from '../../dare/content-meta.js';
import { bytesEqual } from '../../encoding/bytes.js';
import type { RandomSource } from '../../udf/random.js';
import { MeshError } from '../errors.js';
import { RecordReader, RecordWriter, seal, sealedBytes, unseal, type SealedSource } from './sealed.js';
import type { SideFile } from './side-file.js';
import { deriveStoreSecrets, type StoreSecrets } from './store-secrets.js';

/**
 * What catalogs and spools share (README "Catalogs and spools"): an account store kept as a
 * {@link SequenceReplica} of the service's copy — encrypted to the store key, Merkle, byte for
 * byte the same on every device — plus the local side files that make it fast and safe.
 *
 * **Acknowledged point.** Frames up to `acknowledged` are held by the authority: the service,
 * or — for an account with no service yet (`synced: false`) — this device itself, so every
 * durable frame is final. In a synced store, local edits are appended to the local file at once
 * (durable, readable, a torn last frame loses at most that edit) and stay *outgoing* until the
 * service takes them: {@link SyncedStore.outgoing} gives their exact bytes and the expected
 * index and head; {@link SyncedStore.acknowledge} records the service's acceptance;
 * {@link SyncedStore.receive} takes downloaded frames — recognising our own uploads, appending
 * foreign frames verbatim after checking them, and on a conflict (the service holds other frames
 * where our outgoing ones were) rebasing: our outgoing frames are taken back, the foreign ones
 * appended, and our edits rebuilt on top under the store's conflict rule (a catalog's is in
 * conflict.ts), to be uploaded again.
 *
 * **Crash safety of a rebase.** Before the local file is cut, the edits being rebuilt are
 * written, sealed, to the journal side file; an interrupted rebase is finished on the next open
 * (cut back to the journal's point, edits appended again; the service's frames are downloaded
 * again on the next sync). Without a journal side file a crash in that window loses those edits.
 *
 * **Snapshot.** The state at the acknowledged point — replica state (O(log n)) and the store's
 * records — sealed under a key only holders of the store key derive (store-secrets.ts,
 * sealed.ts), and tied to the sequence: it is used only when the file's frame at the recorded
 * offset is the recorded last frame with the recorded tree head; frames after it are replayed
 * and verified; anything else (missing, torn, other store, other file) means a full replay.
 *
 * Errors: frame-level problems are `SequenceError`s (`DARE_BAD_INDEX`, `DARE_BAD_POSITION`,
 * `DARE_BAD_TREE`, `DARE_DECRYPT`, `DARE_NOT_TRUSTED`, `DARE_POLICY`, …); store-level ones
 * `MeshError`s (`MESH_LIFECYCLE`, `MESH_WRONG_STORE`, `MESH_DIVERGED`, …). A refused download
 * changes nothing.
 */

/** How a catalog or spool is opened. */
export interface StoreOptions {
  /** The store's sequence: a writable handle from a store adapter. The store owns it (closes it). */
  readonly store: SequenceStore;
  /** The store's private key, `CompleteAccountEncrypt<Label>` (mesh-model.md §4). */
  readonly key: DarePrivateKey;
  /** Further recipients of every frame (MMM_Access: the host's `AccessEncrypt` key, mesh-model.md §8). */
  readonly extraRecipients?: readonly DarePublicKey[];
  /**
   * After the store was re-keyed (a device revoked, mesh-model.md §7): the later generations of
   * its key, oldest first. Frames are read with `key` and these; new frames are encrypted to the
   * last one (and `extraRecipients`), not to `key`, which frame 0 still names.
   */
  readonly rekeyed?: readonly DarePrivateKey[];
  /** Sealed snapshot of the acknowledged state: opens without replaying. Owned (closed) by the store. */
  readonly snapshot?: SideFile;
  /** Rebase journal: makes a rebase after a conflict crash-safe. Owned (closed) by the store. */
  readonly journal?: SideFile;
  /**
   * False (default): no service yet — this device is the authority and every durable frame is
   * final. True: a service is; frames written here are outgoing until it acknowledges them.
   */
  readonly synced?: boolean;
  /**
   * Write frame 0 when the store is empty (default true). A device joining an account passes
   * false and takes frame 0 from the service with {@link SyncedStore.receive}.
   */
  readonly create?: boolean;
  /** Write a snapshot on close once this many acknowledged frames are not in it (default 64). */
  readonly snapshotEvery?: number;
  /** Randomness for key exchanges, salts and snapshots (tests; default `crypto.getRandomValues`). */
  readonly random?: RandomSource;
}

/** What to upload: the TransactRequest `ContainerUpdate` of this store (protocol.md T8). */
export interface OutgoingFrames {
  /** Store label. */
  readonly container: string;
  /** Index of the last frame the service holds — the expected index; −1 when it holds none. */
  readonly index: number;
  /** Its TreeDigest: the expected apex digest (undefined when `index` is −1). */
  readonly digest: Uint8Array | undefined;
  /** The frames to append, for indexes `index + 1` …, exactly as stored here. */
  readonly frames: readonly Uint8Array[];
}

/**
 * A local edit the conflict rule changed or dropped while rebuilding it on others' frames.
 *
 * The catalog conflict rule (protocol.md F5; conflict.ts): after a `Conflict`, each of our edits is
 * compared with what happened to its key remotely —
 *
 * | our edit | key unchanged remotely | updated / added remotely | deleted remotely |
 * |---|---|---|---|
 * | add | New | Update over theirs (`add-became-update`) | New |
 * | update | Update | Update over theirs (`overwrote-remote-update`) | New (`restored-after-remote-delete`) |
 * | delete | Delete | dropped (`delete-dropped-remote-update`) | dropped (`already-deleted-remotely`) |
 *
 * Last writer wins — the device whose upload the service takes last, by commit order, no clocks —
 * and an update beats a delete, whichever came first. Spools have no conflicts: completions
 * commute, and a message the service already holds is not posted again.
 */
export interface ConflictWarning {
  /** Catalog: the entry's primary key; spool: the MessageId. */
  readonly uniqueId: string;
  readonly kind:
    | 'add-became-update' // both devices added the key: ours is written as an Update over theirs
    | 'overwrote-remote-update' // both updated: ours, written later, wins (last writer wins)
    | 'restored-after-remote-delete' // we updated what they deleted: the entry is added again with our value
    | 'delete-dropped-remote-update' // we deleted what they updated: their update is kept, our delete dropped
    | 'already-deleted-remotely'; // both deleted: ours is dropped
  readonly message: string;
}

/** What {@link SyncedStore.receive} did. */
export interface ReceiveReport {
  /** Our outgoing frames found among the downloaded ones (the service had taken them). */
  readonly acknowledged: number;
  /** Foreign frames checked and appended. */
  readonly accepted: number;
  /** Local edits rebuilt after a conflict (outgoing again). */
  readonly rebuilt: number;
  readonly warnings: readonly ConflictWarning[];
}

/** Undo information of one applied frame: each key it changed and what the key held before. */
export type UndoRecord = readonly [key: string, previous: unknown];

/** How a rebuild after a conflict ends: the frames to write and what the rule changed. */
export interface RebuildPlan {
  readonly contents: readonly FrameContent[];
  readonly warnings: readonly ConflictWarning[];
}

/** A side file's content as a sealed source (ranged when the file offers it); undefined when empty or unreadable. */
async function sourceOf(file: SideFile | undefined): Promise<SealedSource | undefined> {
  if (!file) return undefined;
  try {
    if (file.ranged) return await file.ranged();
    const bytes = await file.read();
    return bytes ? sealedBytes(bytes) : undefined;
  } catch {
    return undefined;
  }
}

const SNAPSHOT_MAGIC = 'MMMSNAP1';
const JOURNAL_MAGIC = 'MMMJRNL1';

/**
 * The base of `Catalog` and `Spool`: the store's replica, its snapshot and journal,
 * and the sync calls a service client uses (`outgoing`, `acknowledge`, `receive`, `headAt`,
 * `frameBytes`). See the module notes above.
 */
export abstract class SyncedStore {
  /** The store label (`MMM_Credential`, `MMM_Inbound`, …). */
  readonly label: string;
  /** @internal */
  protected replica!: SequenceReplica;
  /** @internal */
  protected readonly options: StoreOptions;
  private readonly secrets: StoreSecrets;
  /** Undo records of each frame after the acknowledged point (index base + i). */
  private undo: UndoRecord[][] = [];
  private syncedMode: boolean;
  private queue: Promise<unknown> = Promise.resolve();
  private snapshotAt = -1;
  private closed = false;
  private openedHow: { readonly fromSnapshot: boolean; readonly replayed: number; readonly recovered: number } = { fromSnapshot: false, replayed: 0, recovered: 0 };

  protected constructor(label: string, options: StoreOptions) {
    if (!options || !options.store || !options.key) throw new MeshError('MESH_BAD_ARGUMENT', 'a store needs its sequence store and its private key');
    this.label = label;
    this.options = options;
    this.syncedMode = options.synced === true;
    this.secrets = deriveStoreSecrets(options.key, label);
  }

  // ---- hooks -------------------------------------------------------------------------------------

  /** ContentMeta `cty` of frame 0 (`application/mmm-catalog`, `application/mmm-spool`). @internal */
  protected abstract readonly frameZeroType: string;
  /** Refuse frames without AuthorMac (catalogs); spools take the service's frames. @internal */
  protected abstract readonly requireAuthor: boolean;
  /**
   * Applies a verified frame (index ≥ 1) to the store's state; returns what it changed. Throws to
   * refuse it. `checked`: its content was checked already — a frame this store built from checked
   * edits, or one replayed from the local file that carries a valid AuthorMac (every frame entered
   * the file through those checks, and AuthorMac shows no one without the store key changed it) —
   * so only the lifecycle is checked, not the entry's class and key again.
   * @internal
   */
  protected abstract applyFrame(frame: ReplicaFrame, checked: boolean): UndoRecord[];
  /** Checks frames about to be taken against the state `view` gives; throws to refuse them. @internal */
  protected abstract checkFrames(frames: readonly ReplicaFrame[], view: (key: string) => unknown): void;
  /** Puts `previous` back under `key` (undoing a frame). @internal */
  protected abstract restore(key: string, previous: unknown): void;
  /** What `key` holds now. @internal */
  protected abstract currentOf(key: string): unknown;
  /** The store's records for a snapshot, as `view` gives them (`touched`: keys the view overrides). @internal */
  protected abstract encodeRecords(view: (key: string) => unknown, touched: ReadonlySet<string>, out: RecordWriter): void;
  /** Loads snapshot records (state is empty before). @internal */
  protected abstract decodeRecords(records: RecordReader): void;
  /** Drops all state (a snapshot that could not be used). @internal */
  protected abstract resetState(): void;
  /**
   * Plans a rebuild of local edits (`intents`, the contents of our taken-back frames, in order):
   * called with the state at the conflict point; the returned function is called once the foreign
   * frames are applied and returns the frames to write.
   * @internal
   */
  protected abstract planRebuild(intents: readonly FrameContent[]): () => RebuildPlan;

  // ---- opening ---------------------------------------------------------------------------------

  /**
   * Opens a store built by `make` (a subclass constructor): a failure closes the sequence store
   * and side files it was given, which it owns.
   * @internal
   */
  protected static async openWith<S extends SyncedStore>(options: StoreOptions, make: () => S): Promise<S> {
    try {
      const s = make();
      await s.init();
      return s;
    } catch (e) {
      await options?.store?.close().catch(() => undefined);
      await options?.snapshot?.close().catch(() => undefined);
      await options?.journal?.close().catch(() => undefined);
      throw e;
    }
  }

  /** Opens the replica: snapshot if it fits, replay and verification of the rest, journal recovery. */
  private async init(): Promise<void> {
    const o = this.options;
    let resume: ReplicaState | undefined;
    const sealed = await unseal(this.secrets.snapshot, SNAPSHOT_MAGIC, await sourceOf(o.snapshot));
    if (sealed && sealed.head['label'] === this.label) {
      try {
        const state = replicaStateFromJson(sealed.head['state'] ?? null);
        if (await resumeStateMatches(o.store, state)) {
          this.decodeRecords(new RecordReader(sealed.body));
          resume = state;
          this.snapshotAt = state.frameCount;
        }
      } catch {
        this.resetState();
        resume = undefined;
      }
    }
    const replayUndo: UndoRecord[][] = [];
    let replayed = 0;
    const first = resume?.frameCount ?? 0;
    const frame0 = this.frameZeroMeta();
    this.replica = await SequenceReplica.open(o.store, {
      recipients: [publicPart(o.key), ...(o.extraRecipients ?? [])],
      keys: [o.key, ...(o.rekeyed ?? [])],
      ...(o.rekeyed?.length ? { writeRecipients: [publicPart(o.rekeyed[o.rekeyed.length - 1]!), ...(o.extraRecipients ?? [])] } : {}),
      author: this.secrets.author,
      requireAuthor: this.requireAuthor,
      ...(o.create === false ? {} : { create: { contentMeta: frame0 } }),
      ...(resume ? { resume } : {}),
      base: this.syncedMode ? (resume ? 'resume' : 'start') : 'end',
      ...(o.random ? { random: o.random } : {}),
      onFrame: (f) => {
        replayed++;
        const u = f.index === 0 ? (this.checkFrameZero(f), []) : this.applyFrame(f, f.authored);
        if (this.syncedMode) replayUndo.push(u);
      },
    });
    // Undo is kept only for frames after the acknowledged point.
    const base = this.replica.base.frameCount;
    this.undo = this.syncedMode ? replayUndo.slice(base - first) : [];
    while (this.undo.length < this.replica.frameCount - base) this.undo.push([]); // frame 0 written by create
    const recovered = await this.recoverJournal();
    this.openedHow = { fromSnapshot: resume !== undefined, replayed, recovered };
  }

  /**
   * How the last open went: from a snapshot or not, how many frames were replayed (and verified),
   * and how many edits an interrupted rebase left in the journal and were written again.
   */
  get opened(): { readonly fromSnapshot: boolean; readonly replayed: number; readonly recovered: number } {
    return this.openedHow;
  }

  /** ContentMeta of this store's frame 0: `UniqueId` = label, `cty` = the store type. */
  private frameZeroMeta(): Uint8Array {
    return encodeContentMeta({ uniqueId: this.label, cty: this.frameZeroType });
  }

  /** Frame 0 must name this store (ContentMeta `UniqueId` = label, `cty` = the store type). */
  private checkFrameZero(f: ReplicaFrame): void {
    let ok = false;
    try {
      const meta = f.contentMeta ? decodeContentMeta(f.contentMeta) : undefined;
      ok = meta?.uniqueId === this.label && meta.cty === this.frameZeroType && (f.payload?.length ?? 0) === 0;
    } catch {
      ok = false;
    }
    if (!ok) throw new MeshError('MESH_WRONG_STORE', `frame 0 is not the header of ${this.label} (${this.frameZeroType})`);
  }

  // ---- state ------------------------------------------------------------------------------------

  /** Frames held, frame 0 included. */
  get frameCount(): number {
    return this.replica.frameCount;
  }

  /** Frames the authority holds (the service; this device when not synced). */
  get acknowledged(): number {
    return this.replica.base.frameCount;
  }

  /** True when a service is the authority (frames are outgoing until acknowledged). */
  get synced(): boolean {
    return this.syncedMode;
  }

  /** TreeDigest of the last frame held (the Merkle apex over the whole store). */
  get head(): Uint8Array | undefined {
    return this.replica.head;
  }

  /** TreeDigest stored in frame `index`: compare with the service's Status digest for that index. */
  headAt(index: number): Promise<Uint8Array> {
    return this.replica.headAt(index);
  }

  /** Frame `index` exactly as stored (and as the service stores it). */
  frameBytes(index: number): Promise<Uint8Array> {
    return this.replica.frameBytes(index);
  }

  /** @internal */
  protected check(): void {
    if (this.closed) throw new MeshError('MESH_BAD_ARGUMENT', `${this.label} is closed`);
  }

  /** Runs `fn` after every earlier operation of this store (one at a time). @internal */
  protected exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.check();
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The value of each key at frame count `at` (≥ acknowledged): the current state with later frames undone. @internal */
  protected viewAt(at: number): { view: (key: string) => unknown; touched: Set<string> } {
    const overlay = new Map<string, unknown>();
    const base = this.acknowledged;
    for (let i = this.undo.length - 1; i >= at - base; i--) {
      for (let k = this.undo[i]!.length - 1; k >= 0; k--) {
        const [key, prev] = this.undo[i]![k]!;
        overlay.set(key, prev);
      }
    }
    return { view: (key) => (overlay.has(key) ? overlay.get(key) : this.currentOf(key)), touched: new Set(overlay.keys()) };
  }

  // ---- writing ----------------------------------------------------------------------------------

  /** Builds frames for the given contents against the current state (nothing is written). @internal */
  protected prepareContents(contents: readonly FrameContent[]): PreparedFrames {
    return this.replica.prepare(contents);
  }

  /** Writes prepared frames and applies them; returns when they are durable. @internal */
  protected commitPrepared(prepared: PreparedFrames): CommittedFrames {
    let committed: CommittedFrames;
    try {
      committed = this.replica.commit(prepared);
    } catch (e) {
      if (e instanceof SequenceError && e.code === 'DARE_BAD_INDEX') throw new MeshError('MESH_STALE', `${this.label}: ${e.message}`, { cause: e });
      throw e;
    }
    for (const f of committed.frames) this.undo.push(f.index === 0 ? [] : this.applyFrame(f, true));
    if (!this.syncedMode) this.settleTo(this.replica.frameCount);
    return committed;
  }

  private settleTo(frameCount: number): void {
    const base = this.acknowledged;
    if (frameCount <= base) return;
    this.replica.settle(frameCount);
    this.undo = this.undo.slice(frameCount - base);
  }

  // ---- sync -------------------------------------------------------------------------------------

  /**
   * The frames to upload (protocol.md T8): every frame after the acknowledged point, exactly as
   * stored, with the expected last index and apex digest of the service's copy.
   */
  outgoing(): Promise<OutgoingFrames> {
    return this.exclusive(async () => {
      const from = this.acknowledged;
      const frames: Uint8Array[] = [];
      for (let i = from; i < this.frameCount; i++) frames.push(await this.replica.frameBytes(i));
      return { container: this.label, index: from - 1, digest: this.replica.base.head, frames };
    });
  }

  /** The service took our outgoing frames up to `frameCount` (its index + 1 after the Transact). */
  acknowledge(frameCount: number): Promise<void> {
    return this.exclusive(() => {
      if (!Number.isSafeInteger(frameCount) || frameCount < this.acknowledged || frameCount > this.frameCount) {
        throw new MeshError('MESH_BAD_ARGUMENT', `${this.label}: cannot acknowledge ${frameCount} frames (acknowledged ${this.acknowledged}, held ${this.frameCount})`);
      }
      this.settleTo(frameCount);
    });
  }

  /**
   * From now on a service is the authority (after binding: the service holds every frame this
   * device had, so they count as acknowledged).
   */
  enableSync(): Promise<void> {
    return this.exclusive(() => {
      this.syncedMode = true;
    });
  }

  /**
   * Takes frames downloaded from the service, starting at index `from` (protocol.md T7, F5):
   * frames we hold already must be ours byte for byte (`MESH_DIVERGED` otherwise, when the service
   * had acknowledged them); those equal to our outgoing frames acknowledge them; the rest are
   * foreign — checked as {@link SequenceReplica.accept} does and by the store's own rules
   * (catalog lifecycle), then appended verbatim. Foreign frames where our outgoing frames were
   * start a rebase (see the class notes). All checks come before any change: a refused download
   * changes nothing. Take a long history in pages (the service's `MaxEntries`): each call checks
   * its frames and holds their plaintext until they are applied.
   */
  receive(from: number, frames: readonly Uint8Array[]): Promise<ReceiveReport> {
    return this.exclusive(async () => {
      if (!Number.isSafeInteger(from) || from < 0 || from > this.frameCount) {
        throw new SequenceError('DARE_BAD_INDEX', `${this.label}: frames from index ${from} leave a gap (this store holds ${this.frameCount})`, { frame: from });
      }
      let i = 0;
      let mine = 0;
      for (; i < frames.length && from + i < this.frameCount; i++) {
        const ours = await this.replica.frameBytes(from + i);
        if (!bytesEqual(ours, frames[i]!)) break;
        if (from + i >= this.acknowledged) mine++;
      }
      const at = from + i;
      if (at < this.acknowledged) {
        throw new MeshError('MESH_DIVERGED', `${this.label}: the service's frame ${at} differs from the one it acknowledged before`);
      }
      this.settleTo(at);
      const foreign = frames.slice(i);
      if (foreign.length === 0) return { acknowledged: mine, accepted: 0, rebuilt: 0, warnings: [] };
      if (at === this.frameCount) {
        await this.take(foreign);
        this.settleTo(this.frameCount);
        return { acknowledged: mine, accepted: foreign.length, rebuilt: 0, warnings: [] };
      }
      const r = await this.rebase(at, foreign);
      return { acknowledged: mine, ...r };
    });
  }

  /** Checks and appends foreign frames at the end; applies them. */
  private async take(frames: readonly Uint8Array[]): Promise<void> {
    const committed = await this.replica.accept(frames, (checked) => {
      for (const f of checked) if (f.index === 0) this.checkFrameZero(f);
      this.checkFrames(checked.filter((f) => f.index > 0), (key) => this.currentOf(key));
    });
    for (const f of committed.frames) this.undo.push(f.index === 0 ? [] : this.applyFrame(f, false));
    await committed.durable;
  }

  /** Our outgoing frames from `at` on lost the race: take them back, take the foreign ones, rebuild ours. */
  private async rebase(at: number, foreign: readonly Uint8Array[]): Promise<Omit<ReceiveReport, 'acknowledged'>> {
    // 1. Check the foreign frames against the state at `at` before changing anything.
    const { frames: checked } = await this.replica.verify(foreign, at);
    for (const f of checked) if (f.index === 0) this.checkFrameZero(f);
    this.checkFrames(checked.filter((f) => f.index > 0), this.viewAt(at).view);
    // 2. Our edits, from our frames (a frame 0 of ours is no edit: theirs replaces it).
    const intents: FrameContent[] = [];
    for (let i = Math.max(at, 1); i < this.frameCount; i++) {
      const f = await this.replica.readFrame(i);
      intents.push({ payload: f.payload ?? new Uint8Array(0), ...(f.contentMeta ? { contentMeta: f.contentMeta } : {}) });
    }
    // 3. Journal them before the file is cut.
    await this.writeJournal(at, intents);
    // 4. Take ours back, take theirs, rebuild ours.
    await this.rewindTo(at);
    const finish = this.planRebuild(intents);
    await this.take(foreign);
    this.settleTo(this.frameCount);
    const plan = finish();
    if (plan.contents.length > 0) await this.commitPrepared(this.replica.prepare(plan.contents)).durable;
    await this.replica.flush();
    await this.options.journal?.clear();
    return { accepted: foreign.length, rebuilt: plan.contents.length, warnings: plan.warnings };
  }

  private async rewindTo(at: number): Promise<void> {
    const base = this.acknowledged;
    await this.replica.rewind(at);
    for (let i = this.undo.length - 1; i >= at - base; i--) {
      const u = this.undo[i]!;
      for (let k = u.length - 1; k >= 0; k--) this.restore(u[k]![0], u[k]![1]);
    }
    this.undo = this.undo.slice(0, at - base);
  }

  private async writeJournal(at: number, intents: readonly FrameContent[]): Promise<void> {
    const j = this.options.journal;
    if (!j) return;
    const w = new RecordWriter();
    for (const c of intents) w.bytes(c.contentMeta ?? new Uint8Array(0)).bytes(c.payload);
    await j.write(seal(this.secrets.snapshot, JOURNAL_MAGIC, { head: { label: this.label, from: at, count: intents.length }, body: w.finish() }, this.options.random));
  }

  /** Finishes a rebase a crash interrupted: cut back to its point, append the journaled edits again. */
  private async recoverJournal(): Promise<number> {
    const j = this.options.journal;
    if (!j) return 0;
    const sealed = await unseal(this.secrets.snapshot, JOURNAL_MAGIC, await sourceOf(j));
    if (!sealed || sealed.head['label'] !== this.label) {
      await j.clear();
      return 0;
    }
    const from = sealed.head['from'];
    if (typeof from !== 'number' || from < this.acknowledged || from > this.frameCount) {
      await j.clear(); // a finished rebase the service has acknowledged since
      return 0;
    }
    const intents: FrameContent[] = [];
    const r = new RecordReader(sealed.body);
    while (!r.done) {
      const meta = r.bytes().slice();
      intents.push({ payload: r.bytes().slice(), ...(meta.length ? { contentMeta: meta } : {}) });
    }
    await this.rewindTo(from);
    if (this.frameCount === 0) {
      // The rebase was replacing our frame 0: until the service's comes again, the store needs one.
      const zero = this.replica.commit(this.replica.prepare([{ payload: new Uint8Array(0), contentMeta: this.frameZeroMeta() }]));
      this.undo.push([]);
      await zero.durable;
    }
    const plan = this.planRebuild(intents)();
    if (plan.contents.length > 0) await this.commitPrepared(this.replica.prepare(plan.contents)).durable;
    await this.replica.flush();
    await j.clear();
    return intents.length;
  }

  // ---- snapshot and close -------------------------------------------------------------------

  /** Writes the snapshot of the acknowledged state now (when a snapshot side file is set). */
  checkpoint(): Promise<void> {
    return this.exclusive(() => this.writeSnapshot());
  }

  private async writeSnapshot(): Promise<void> {
    const file = this.options.snapshot;
    if (!file) return;
    const base = this.replica.base;
    const { view, touched } = this.viewAt(base.frameCount);
    const w = new RecordWriter();
    this.encodeRecords(view, touched, w);
    await file.write(seal(this.secrets.snapshot, SNAPSHOT_MAGIC, { head: { label: this.label, state: replicaStateToJson(base) }, body: w.finish() }, this.options.random));
    this.snapshotAt = base.frameCount;
  }

  /** Flushes, writes a snapshot when due, and closes the store and its side files. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.exclusive(async () => {
      try {
        await this.replica.flush();
        const every = this.options.snapshotEvery ?? 64;
        if (this.options.snapshot && this.acknowledged - Math.max(this.snapshotAt, 0) >= every) await this.writeSnapshot();
      } finally {
        this.closed = true;
        await this.replica.close();
        await this.options.snapshot?.close();
        await this.options.journal?.close();
        this.secrets.author.fill(0);
        this.secrets.snapshot.fill(0);
      }
    });
  }
}
