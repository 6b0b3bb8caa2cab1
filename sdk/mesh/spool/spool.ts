import { decodeContentMeta, encodeContentMeta, type ContentMeta } from '../../dare/content-meta.js';
import { parseEnvelope, serializeEnvelope, type DareEnvelope } from '../../dare/envelope.js';
import { DareError } from '../../dare/errors.js';
import type { FrameContent, ReplicaFrame } from '../../dare/sequence/replica.js';
import { envelopeId as envelopeIdOf } from '../../udf/message-id.js';
import { nonce } from '../../udf/fixed.js';
import { SyncedStore, type RebuildPlan, type StoreOptions, type UndoRecord } from '../catalog/synced-store.js';
import type { RecordReader, RecordWriter } from '../catalog/sealed.js';
import { MeshError } from '../errors.js';
import { MESH_OBJECT_CTY, openEnvelopePayload, sealMeshObject } from '../envelopes.js';
import { readMeshObject } from '../schema/codec.js';
import type { Reference } from '../schema/types.js';
import {
  applyRelationship, INITIAL_STATUS, SPOOL_KINDS, stateOf, type MessageProgress, type MessageState, type MessageStatus, type Relationship, type SpoolKind,
} from './states.js';

/**
 * A spool (mesh-model.md §9): a Merkle DARE sequence of enveloped messages — each frame's
 * payload is a message's DARE envelope exactly as its sender sealed it (signed, and encrypted to
 * the recipient where the envelope matrix says), its ContentMeta the message's
 * `{UniqueId: MessageId, MessageType, cty, Created}` — and the whole sequence is encrypted to the
 * spool's store key like a catalog (REF leaves spool metadata and completions in the clear; ours
 * are in `cloaked` and the payload ciphertext).
 *
 * Messages are found by MessageId and by EnvelopeId (`MakeID(MessageId, envelopeid)`, §9.1).
 * State follows states.ts: `mark()` appends a MessageComplete, nothing is edited, and replaying
 * the spool gives every message's state. Message bodies are not kept in memory: `read()` opens
 * the frame again (lazy decryption with an index).
 *
 * Anyone holding the spool's public key may append (the service delivers to Inbound): frames
 * need no AuthorMac, but completions without it change delivery states only (states.ts).
 */

/** Content type of a spool's frame 0. */
export const SPOOL_CTY = 'application/mmm-spool';

/** A message held by a spool: what its frame says, and its state. */
export interface SpooledMessage {
  readonly messageId: string;
  readonly envelopeId: string;
  /** The message class (`MessagePin`, `RequestConnection`, `MessageComplete`, …). */
  readonly messageType: string;
  /** ContentMeta `Created`, as written. */
  readonly created: string | undefined;
  /** Index of its frame. */
  readonly index: number;
  readonly state: MessageState;
  /** The last Relationship applied, and the ResponseId it named. */
  readonly relationship: string | undefined;
  readonly responseId: string | undefined;
  /** Written by a holder of the spool key (AuthorMac), not only by someone holding its public key. */
  readonly authored: boolean;
}

/** What {@link Spool.list} selects. */
export interface SpoolFilter {
  readonly state?: MessageState | readonly MessageState[];
  readonly messageType?: string;
  /** Include the MessageComplete frames themselves (default false). */
  readonly completions?: boolean;
}

interface MessageRecord {
  readonly messageId: string;
  readonly envelopeId: string;
  readonly messageType: string;
  readonly created: string | undefined;
  readonly index: number;
  readonly authored: boolean;
  readonly status: MessageStatus;
}

/**
 * The frame content for an enveloped message (what a service appending a delivery builds):
 * ContentMeta from the envelope's own (`UniqueId` = MessageId required), payload = the envelope's
 * JSON. `MESH_BAD_ARGUMENT` without a MessageId or MessageType; `MESH_INVALID` when the envelope's
 * EnvelopeId is not MakeID(MessageId).
 */
export function spoolFrameOf(envelope: DareEnvelope): FrameContent & { readonly messageId: string; readonly messageType: string } {
  let meta: ContentMeta = {};
  try {
    if (envelope.header.contentMetaData) meta = decodeContentMeta(envelope.header.contentMetaData);
  } catch (e) {
    throw new MeshError('MESH_BAD_ENVELOPE', `message ContentMeta does not parse: ${(e as Error).message}`, { cause: e });
  }
  const messageId = meta.uniqueId;
  const messageType = meta.messageType;
  if (typeof messageId !== 'string' || messageId.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'a spooled message needs ContentMeta UniqueId (its MessageId)');
  if (typeof messageType !== 'string' || messageType.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'a spooled message needs ContentMeta MessageType');
  if (envelope.header.envelopeId !== undefined && envelope.header.envelopeId !== envelopeIdOf(messageId)) {
    throw new MeshError('MESH_INVALID', `EnvelopeId ${envelope.header.envelopeId} is not MakeID(${messageId}, envelopeid) (mesh-model.md §9.1)`);
  }
  const frameMeta: ContentMeta = { uniqueId: messageId, messageType, cty: meta.cty ?? MESH_OBJECT_CTY, ...(meta.created !== undefined ? { created: meta.created } : {}) };
  return { payload: serializeEnvelope(envelope, 'json'), contentMeta: encodeContentMeta(frameMeta), messageId, messageType };
}

/**
 * A spool of an account (mesh-model.md §9) on its store: messages by MessageId and EnvelopeId, the
 * §9.3 state model, sync through {@link SyncedStore}. See the module notes above.
 */
export class Spool extends SyncedStore {
  readonly kind: SpoolKind;
  private readonly messages = new Map<string, MessageRecord>();
  private readonly byEnvelope = new Map<string, string>();
  /** @internal */
  protected readonly frameZeroType = SPOOL_CTY;
  /** @internal */
  protected readonly requireAuthor = false;

  private constructor(kind: SpoolKind, options: StoreOptions) {
    const info = SPOOL_KINDS[kind];
    if (!info) throw new MeshError('MESH_BAD_ARGUMENT', `unknown spool '${String(kind)}'`);
    super(info.label, options);
    this.kind = kind;
  }

  /** Opens the spool of `kind` on its store (see {@link Catalog.open} for snapshots and replay). */
  static async open(kind: SpoolKind, options: StoreOptions): Promise<Spool> {
    return SyncedStore.openWith(options, () => new Spool(kind, options));
  }

  // ---- reading -----------------------------------------------------------------------------

  /** Messages held (MessageComplete frames included). */
  get size(): number {
    return this.messages.size;
  }

  /** The message with this MessageId, or undefined. */
  get(messageId: string): SpooledMessage | undefined {
    const r = this.messages.get(messageId);
    return r === undefined ? undefined : view(r);
  }

  /** The message with this EnvelopeId (mesh-model.md §9.1), or undefined. */
  getByEnvelopeId(envelopeId: string): SpooledMessage | undefined {
    const id = this.byEnvelope.get(envelopeId);
    return id === undefined ? undefined : this.get(id);
  }

  /** Messages in spool order, filtered. */
  list(filter: SpoolFilter = {}): SpooledMessage[] {
    const states = filter.state === undefined ? undefined : new Set(typeof filter.state === 'string' ? [filter.state] : filter.state);
    const out: SpooledMessage[] = [];
    for (const r of this.messages.values()) {
      if (!filter.completions && r.messageType === 'MessageComplete') continue;
      if (filter.messageType !== undefined && r.messageType !== filter.messageType) continue;
      const v = view(r);
      if (states && !states.has(v.state)) continue;
      out.push(v);
    }
    return out.sort((a, b) => a.index - b.index);
  }

  /**
   * The stored envelope of a message (its frame decrypted again; `MESH_NOT_FOUND` when absent).
   * Open it with `openMeshEnvelope` and the keys and signers its class needs.
   */
  async read(messageId: string): Promise<DareEnvelope> {
    const r = this.messages.get(messageId);
    if (!r) throw new MeshError('MESH_NOT_FOUND', `${this.label} holds no message ${messageId}`);
    const f = await this.exclusive(() => this.replica.readFrame(r.index));
    const env = parseStored(f.payload, r.index, this.label);
    let inner: ContentMeta = {};
    try {
      if (env.header.contentMetaData) inner = decodeContentMeta(env.header.contentMetaData);
    } catch {
      inner = {};
    }
    if (inner.uniqueId !== undefined && inner.uniqueId !== messageId) {
      throw new MeshError('MESH_INVALID', `${this.label} frame ${r.index}: the envelope's UniqueId ${inner.uniqueId} is not the frame's ${messageId}`);
    }
    return env;
  }

  // ---- writing ---------------------------------------------------------------------------------

  /** Appends an enveloped message (see {@link spoolFrameOf}); `MESH_ALREADY_EXISTS` for a MessageId held. Resolves when durable. */
  async post(envelope: DareEnvelope): Promise<SpooledMessage> {
    const content = spoolFrameOf(envelope);
    const { durable } = await this.exclusive(() => {
      if (this.messages.has(content.messageId)) throw new MeshError('MESH_ALREADY_EXISTS', `${this.label} already holds message ${content.messageId}`);
      return this.commitPrepared(this.prepareContents([content]));
    });
    await durable;
    return this.get(content.messageId)!;
  }

  /**
   * Changes a message's state (mesh-model.md §9.3) by appending a MessageComplete that references
   * it. `MESH_NOT_FOUND` for an unknown MessageId; `MESH_BAD_ARGUMENT` for a relationship this
   * spool does not use. Resolves with the new state once durable.
   */
  async mark(messageId: string, relationship: Relationship, options: { responseId?: string } = {}): Promise<SpooledMessage> {
    await this.complete([{ MessageId: messageId, Relationship: relationship, ...(options.responseId ? { ResponseId: options.responseId } : {}) }]);
    return this.get(messageId)!;
  }

  /** Appends one MessageComplete with several references (all checked first). */
  async complete(references: readonly Omit<Reference, '$class'>[]): Promise<void> {
    const allowed: readonly string[] = SPOOL_KINDS[this.kind].relationships;
    for (const ref of references) {
      if (typeof ref.MessageId !== 'string' || !this.messages.has(ref.MessageId)) throw new MeshError('MESH_NOT_FOUND', `${this.label} holds no message ${String(ref.MessageId)}`);
      if (typeof ref.Relationship !== 'string' || !allowed.includes(ref.Relationship)) {
        throw new MeshError('MESH_BAD_ARGUMENT', `${this.label} takes relationships ${allowed.join(', ')}, not '${String(ref.Relationship)}'`);
      }
    }
    if (references.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'no references');
    const id = nonce(this.options.random ? { random: this.options.random } : {});
    const env = sealMeshObject(
      { $class: 'MessageComplete', MessageId: id, References: references.map((r) => ({ $class: 'Reference' as const, ...r })) },
      { uniqueId: id, envelopeId: envelopeIdOf(id) },
    );
    const { durable } = await this.exclusive(() => this.commitPrepared(this.prepareContents([spoolFrameOf(env)])));
    await durable;
  }

  // ---- applying frames -----------------------------------------------------------------------

  /** The frame's ContentMeta as a message; `MESH_INVALID` when it has no MessageId / MessageType. */
  private metaOf(f: ReplicaFrame): { messageId: string; messageType: string; created: string | undefined } {
    let meta: ContentMeta | undefined;
    try {
      meta = f.contentMeta ? decodeContentMeta(f.contentMeta) : undefined;
    } catch (e) {
      if (!(e instanceof DareError)) throw e;
    }
    const messageId = meta?.uniqueId;
    const messageType = meta?.messageType;
    if (typeof messageId !== 'string' || messageId.length === 0 || typeof messageType !== 'string') {
      throw new MeshError('MESH_INVALID', `${this.label} frame ${f.index}: not a spooled message (ContentMeta without UniqueId or MessageType)`);
    }
    const created = meta?.created;
    return { messageId, messageType, created: typeof created === 'string' ? created : created instanceof Date ? created.toISOString() : undefined };
  }

  /** The references of a MessageComplete frame (none when its envelope cannot be read). */
  private referencesOf(f: ReplicaFrame): readonly Omit<Reference, '$class'>[] {
    try {
      const env = parseStored(f.payload, f.index, this.label);
      const opened = openEnvelopePayload(env);
      return readMeshObject(opened.payload, 'MessageComplete').References ?? [];
    } catch {
      return [];
    }
  }

  /** @internal */
  protected applyFrame(f: ReplicaFrame, checked: boolean): UndoRecord[] {
    const { messageId, messageType, created } = this.metaOf(f);
    if (!checked) parseStored(f.payload, f.index, this.label);
    const undo: UndoRecord[] = [];
    if (!this.messages.has(messageId)) {
      // A MessageId seen again (a redelivery) keeps its first frame.
      undo.push([messageId, undefined]);
      this.setRecord({ messageId, envelopeId: envelopeIdOf(messageId), messageType, created, index: f.index, authored: f.authored, status: INITIAL_STATUS });
    }
    if (messageType === 'MessageComplete') {
      for (const ref of this.referencesOf(f)) {
        const target = typeof ref.MessageId === 'string' ? this.messages.get(ref.MessageId) : undefined;
        if (!target || typeof ref.Relationship !== 'string') continue;
        const status = applyRelationship(target.status, ref.Relationship, ref.ResponseId, f.authored);
        if (status === target.status) continue;
        undo.push([target.messageId, target]);
        this.setRecord({ ...target, status });
      }
    }
    return undo;
  }

  private setRecord(r: MessageRecord): void {
    this.messages.set(r.messageId, r);
    this.byEnvelope.set(r.envelopeId, r.messageId);
  }

  /** @internal */
  protected checkFrames(frames: readonly ReplicaFrame[]): void {
    for (const f of frames) {
      this.metaOf(f);
      parseStored(f.payload, f.index, this.label);
    }
  }

  /** @internal */
  protected restore(key: string, previous: unknown): void {
    const cur = this.messages.get(key);
    if (previous === undefined) {
      this.messages.delete(key);
      if (cur) this.byEnvelope.delete(cur.envelopeId);
    } else this.setRecord(previous as MessageRecord);
  }

  /** @internal */
  protected currentOf(key: string): unknown {
    return this.messages.get(key);
  }

  /** Spool edits commute: ours are appended again after theirs, except a message they hold already. @internal */
  protected planRebuild(intents: readonly FrameContent[]): () => RebuildPlan {
    return () => ({
      contents: intents.filter((c) => {
        try {
          const meta = c.contentMeta ? decodeContentMeta(c.contentMeta) : undefined;
          return !(meta?.messageType !== 'MessageComplete' && typeof meta?.uniqueId === 'string' && this.messages.has(meta.uniqueId));
        } catch {
          return false;
        }
      }),
      warnings: [],
    });
  }

  // ---- snapshot records ----------------------------------------------------------------------

  /** @internal */
  protected encodeRecords(view: (key: string) => unknown, touched: ReadonlySet<string>, w: RecordWriter): void {
    const put = (key: string): void => {
      const r = view(key) as MessageRecord | undefined;
      if (!r) return;
      const s = r.status;
      w.string(r.messageId).string(r.envelopeId).string(r.messageType).string(r.created ?? '').uint(r.index)
        .uint((r.authored ? 1 : 0) | (s.closed ? 2 : 0) | (s.deleted ? 4 : 0))
        .string(s.progress).string(s.relationship ?? '').string(s.responseId ?? '');
    };
    const keys = [...this.messages.keys(), ...[...touched].filter((k) => !this.messages.has(k))];
    const ordered = keys.map((k) => view(k) as MessageRecord | undefined).filter((r): r is MessageRecord => r !== undefined).sort((a, b) => a.index - b.index);
    for (const r of ordered) put(r.messageId);
  }

  /** @internal */
  protected decodeRecords(r: RecordReader): void {
    while (!r.done) {
      const messageId = r.string();
      const envelopeId = r.string();
      const messageType = r.string();
      const created = r.string();
      const index = r.uint();
      const flags = r.uint();
      const progress = r.string() as MessageProgress;
      const relationship = r.string();
      const responseId = r.string();
      this.setRecord({
        messageId, envelopeId, messageType, created: created || undefined, index, authored: (flags & 1) !== 0,
        status: {
          progress, closed: (flags & 2) !== 0, deleted: (flags & 4) !== 0,
          ...(relationship ? { relationship } : {}), ...(responseId ? { responseId } : {}),
        },
      });
    }
  }

  /** @internal */
  protected resetState(): void {
    this.messages.clear();
    this.byEnvelope.clear();
  }
}

function view(r: MessageRecord): SpooledMessage {
  return {
    messageId: r.messageId, envelopeId: r.envelopeId, messageType: r.messageType, created: r.created, index: r.index,
    state: stateOf(r.status), relationship: r.status.relationship, responseId: r.status.responseId, authored: r.authored,
  };
}

/** A frame's payload as the envelope it must be. */
function parseStored(payload: Uint8Array | undefined, index: number, label: string): DareEnvelope {
  try {
    if (!payload) throw new Error('no payload');
    return parseEnvelope(payload);
  } catch (e) {
    throw new MeshError('MESH_INVALID', `${label} frame ${index}: the payload is not a DARE envelope`, { cause: e });
  }
}
