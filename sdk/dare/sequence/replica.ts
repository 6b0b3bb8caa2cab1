import { bytesEqual, joinBytes } from '../../encoding/bytes.js';
import { describeJsonValue, isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { hmacSha512 } from '../../crypto/index.js';
import { utf8Encode } from '../../encoding/utf8.js';
import type { RandomSource } from '../../udf/random.js';
import type { DarePrivateKey, DarePublicKey } from '../keys.js';
import { computePayloadMac } from '../payload-mac.js';
import { headerDigest, payloadDigest } from './digests.js';
import { FrameDecryptor, FrameEncryptor, type EncryptedFrameParts } from './encryption.js';
import { SequenceError } from './errors.js';
import { encodeFrame } from './frame.js';
import { buildHeader, buildTrailer, encodeRecordJson } from './header.js';
import { binaryField } from './info.js';
import { encryptKeysOf, signKeysOf } from './policy-keys.js';
import { decodeSequenceFrame, type SequenceFrame } from './reader.js';
import {
  advanceState, EMPTY_REPLICA_STATE, nextTreePosition, positionOf, replicaLeafHash, type ReplicaState,
} from './replica-state.js';
import { BlockReader, extentBefore, scanFrames } from './scan.js';
import { bytesStore } from './bytes-store.js';
import type { SequenceStore } from './store.js';
import { previousFrame } from './tree-position.js';

/**
 * A replica of a Merkle sequence that several writers extend through one authority (a Mesh
 * service): every replica holds the same bytes, so frames are built complete by whoever writes
 * them and copied verbatim by everyone else (dare.md §9; the Mesh's catalogs and spools).
 *
 * - {@link SequenceReplica.prepare} builds the frames for indexes n, n + 1, … against the state
 *   the replica holds — index, TreePosition, digests, tree head, encryption, MACs — without
 *   writing them; {@link SequenceReplica.commit} writes them if the state has not moved.
 * - {@link SequenceReplica.accept} takes frames built elsewhere, checks each one as if it had
 *   built it (structure, index continuity, TreePosition, PayloadDigest, tree head, encryption
 *   policy, keyed integrity and decryption when it holds a key, authorship when asked), and
 *   appends them byte for byte — all of them or none.
 * - The *base* is the point the authority has acknowledged: frames after it may be taken back
 *   ({@link SequenceReplica.rewind}) when the authority took other frames at those indexes.
 *
 * Encryption is `Session` (encryption.ts): each writer's first frame after it opened, accepted
 * foreign frames or rewound carries a fresh key exchange to the policy's recipients, later frames
 * point to it with `ExchangePosition` (an index). Writing needs only the recipients' public keys.
 *
 * Authorship (`AuthorMac`, a trailer member): anyone holding a store's *public* key can build a
 * frame that decrypts and verifies. A replica given an `author` key writes
 * HMAC-SHA-512(author, "DareFrameAuthor" ‖ HD ‖ PD) over the frame's header and payload digests
 * (what its Merkle leaf covers), and checks it on every frame it takes; the Mesh derives that key
 * from the store's *private* key, so only holders of it can write frames others accept.
 */

/** Label of the AuthorMac input. */
export const AUTHOR_MAC_LABEL = 'DareFrameAuthor';

/** Options of {@link SequenceReplica.open}. */
export interface ReplicaOptions {
  /**
   * The keys every frame is encrypted to. Frame 0's `policy.EncryptKeys` must name exactly these
   * (`DARE_POLICY` otherwise): a replica never encrypts to keys a received frame 0 chose.
   * Empty or absent: a plaintext sequence (encrypted frames are refused).
   */
  readonly recipients?: readonly DarePublicKey[];
  /**
   * Take the keys frame 0's policy names instead of `recipients` (a service holding an account's
   * stores, which learns each store's key from the frame 0 the account uploads). Never for a
   * device: its keys come from the account, and a frame 0 naming other keys must be refused.
   */
  readonly adoptPolicy?: boolean;
  /**
   * The keys frames written after frame 0 are encrypted to, when they are no longer frame 0's (a
   * store whose key was rotated, mesh-model.md §7 re-keying: frame 0's policy keeps naming the
   * first key; every later session carries its own key exchange to these). Default `recipients`.
   */
  readonly writeRecipients?: readonly DarePublicKey[];
  /** Private keys that open the frames: then MACs are checked and payloads decrypted. Without: structure only. */
  readonly keys?: readonly DarePrivateKey[];
  /** Authorship key (secret): frames written carry AuthorMac, frames taken are checked. */
  readonly author?: Uint8Array;
  /** Refuse frames without AuthorMac (default true when `author` is given); a wrong AuthorMac is always refused. */
  readonly requireAuthor?: boolean;
  /** Create frame 0 in an empty store, with this ContentMeta; without it an empty store waits for frames. */
  readonly create?: { readonly contentMeta?: Uint8Array };
  /**
   * A state this replica held before (a verified snapshot): frames 0 … resume.frameCount − 1 are
   * not replayed. It is checked against the file (last frame's offset, index and TreeDigest);
   * use {@link resumeStateMatches} first to learn whether it will be taken.
   */
  readonly resume?: ReplicaState;
  /** The base (acknowledged point) on open; default: the resume state, else every frame. */
  readonly base?: 'resume' | 'end' | 'start';
  /** Called for each frame replayed on open, in order, after it verified. */
  readonly onFrame?: (frame: ReplicaFrame) => void;
  /** Randomness for key exchanges and salts (tests; default `crypto.getRandomValues`). */
  readonly random?: RandomSource;
}

/** A frame the replica holds or took, verified. */
export interface ReplicaFrame {
  readonly index: number;
  /** Offset and length of the frame in the file. */
  readonly start: number;
  readonly length: number;
  /** Plaintext payload; undefined for an encrypted frame the replica holds no key for. */
  readonly payload: Uint8Array | undefined;
  /** ContentMetaData (from `cloaked` when encrypted); undefined when absent or not decryptable. */
  readonly contentMeta: Uint8Array | undefined;
  /** AuthorMac present and valid under the replica's author key. */
  readonly authored: boolean;
  /** TreeDigest of this frame. */
  readonly head: Uint8Array;
}

/** One frame to build: its plaintext payload and ContentMeta bytes. */
export interface FrameContent {
  readonly payload: Uint8Array;
  readonly contentMeta?: Uint8Array;
}

/** Frames built by {@link SequenceReplica.prepare} and not written yet. */
export interface PreparedFrames {
  /** Index of the first frame. */
  readonly from: number;
  /** The frames' bytes, as they will be stored and uploaded. */
  readonly frames: readonly Uint8Array[];
  /** TreeDigest after each frame. */
  readonly heads: readonly Uint8Array[];
  /** The state the frames were built on, and the state they lead to. */
  readonly before: ReplicaState;
  readonly after: ReplicaState;
  /** @internal the encryption session the frames use. */
  readonly session: Session | undefined;
  /** @internal what the frames hold, for {@link ReplicaFrame}s, and their leaf hashes. */
  readonly contents: readonly { readonly header: JsonObject; readonly content: FrameContent; readonly leaf: Uint8Array }[];
}

/** Frames written: what they are, and when they are durable. */
export interface CommittedFrames {
  readonly frames: readonly ReplicaFrame[];
  /** Resolves when the store reports the bytes durable (per its durability setting). */
  readonly durable: Promise<void>;
}

/** @internal A writer session: one key exchange, reused until the replica takes others' frames. */
interface Session {
  readonly encryptor: FrameEncryptor;
  exchange: number | undefined;
}

/** Per tail frame: what rewinding needs. */
interface TailEntry {
  readonly start: number;
  readonly length: number;
  readonly leafHash: Uint8Array;
}

const LABEL = /* @__PURE__ */ utf8Encode(AUTHOR_MAC_LABEL);

/** AuthorMac of a frame: HMAC-SHA-512(author, "DareFrameAuthor" ‖ HD ‖ PD). */
export function authorMac(author: Uint8Array, hd: Uint8Array, pd: Uint8Array): Uint8Array {
  const m = new Uint8Array(LABEL.length + hd.length + pd.length);
  m.set(LABEL);
  m.set(hd, LABEL.length);
  m.set(pd, LABEL.length + hd.length);
  return hmacSha512(author, m);
}

/** Constant-time equality of two MACs. */
function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** The keys frame 0 (its bytes) encrypts to: what a service passes as `recipients` for a store. */
export function policyRecipients(frame0: Uint8Array): DarePublicKey[] {
  const f = decodeSequenceFrame(frame0, 0, 0);
  return encryptKeysOf(isJsonObject(f.header['policy']) ? f.header['policy'] : {});
}

/**
 * True when `state` describes the first `state.frameCount` frames of the sequence in `store`: the
 * file is at least that long and its frame at `state.lastStart` ends at `state.end`, has index
 * `frameCount − 1` and carries `state.head` as TreeDigest. (Frames before it are not re-read: the
 * state came from a snapshot the caller authenticated, written when those frames were verified.)
 */
export async function resumeStateMatches(store: SequenceStore, state: ReplicaState): Promise<boolean> {
  if (state.frameCount === 0) return store.size >= 0 && state.end === 0;
  if (store.size < state.end || state.lastStart < 0 || state.lastStart >= state.end || !state.head) return false;
  try {
    const bytes = await store.read(state.lastStart, state.end - state.lastStart);
    const f = decodeSequenceFrame(bytes, state.lastStart, state.frameCount - 1);
    const tree = binaryField(f.trailer, 'TreeDigest', f.index);
    return tree !== undefined && bytesEqual(tree, state.head);
  } catch {
    return false;
  }
}

/**
 * A Merkle sequence replicated through one authority: build frames without writing them
 * ({@link SequenceReplica.prepare}), write them ({@link SequenceReplica.commit}), take frames built
 * elsewhere verbatim after checking them ({@link SequenceReplica.accept}), take back frames after the
 * acknowledged point ({@link SequenceReplica.rewind}). See the module notes above.
 */
export class SequenceReplica {
  private current: ReplicaState = EMPTY_REPLICA_STATE;
  private baseState: ReplicaState = EMPTY_REPLICA_STATE;
  private tail: TailEntry[] = [];
  private session: Session | undefined;
  private decryptor: FrameDecryptor | undefined;
  /** Offsets of frames holding a key exchange (recipients), for ExchangePosition lookups. */
  private readonly exchanges = new Map<number, number>();
  private policyObject: JsonObject | undefined;
  private failure: unknown;
  private pending: Promise<void> = Promise.resolve();
  private closed = false;
  private recipients: readonly DarePublicKey[];
  private readonly requireAuthor: boolean;

  private constructor(readonly store: SequenceStore, private readonly options: ReplicaOptions) {
    this.recipients = options.recipients ?? [];
    this.requireAuthor = options.requireAuthor ?? options.author !== undefined;
    this.decryptor = this.newDecryptor();
  }

  /**
   * Opens a replica on a store: replays and verifies every frame after the resume point (each
   * checked as {@link accept} checks foreign frames; `onFrame` sees them in order), drops a torn
   * last frame, refuses damage. On an empty store, writes frame 0 when `create` is given.
   * The replica owns the store: a failed open closes it.
   */
  static async open(store: SequenceStore, options: ReplicaOptions = {}): Promise<SequenceReplica> {
    const r = new SequenceReplica(store, options);
    try {
      await r.replay();
      if (r.current.frameCount === 0 && options.create) {
        await r.commit(r.prepare([{ payload: new Uint8Array(0), ...(options.create.contentMeta ? { contentMeta: options.create.contentMeta } : {}) }])).durable;
      }
      if (options.base === 'end' || (options.base === undefined && !options.resume)) r.settle(r.current.frameCount);
      return r;
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * A replica with no file, only a state (O(log n): a service can keep one per store in its
   * database, replicaStateToJson): {@link verify} checks uploaded frames against it and
   * {@link prepare} builds frames (a delivery into a spool) — the caller stores the bytes and keeps
   * the returned `after` state. Frames before the state cannot be read, so checks that need them
   * (decrypting a frame whose key exchange is in an earlier upload) fail with `DARE_BAD_INDEX`;
   * a keyless service never needs them. `recipients` are the keys frame 0 named (encryptKeys of
   * the replica that took it, or `policyRecipients`).
   */
  static detached(state: ReplicaState, options: ReplicaOptions = {}): SequenceReplica {
    const r = new SequenceReplica(bytesStore(new Uint8Array(0)), options);
    r.current = state;
    r.baseState = state;
    return r;
  }

  /** The state after the last frame held. */
  get state(): ReplicaState {
    return this.current;
  }

  /** Frames held, frame 0 included. */
  get frameCount(): number {
    return this.current.frameCount;
  }

  /** TreeDigest of the last frame. */
  get head(): Uint8Array | undefined {
    return this.current.head;
  }

  /** The base: the state at the acknowledged point. */
  get base(): ReplicaState {
    return this.baseState;
  }

  /** Frame 0's policy (undefined before frame 0). */
  get policy(): JsonObject | undefined {
    return this.policyObject;
  }

  /** True when the replica decrypts (was given keys). */
  get canDecrypt(): boolean {
    return this.decryptor !== undefined;
  }

  private newDecryptor(): FrameDecryptor | undefined {
    return this.options.keys && this.options.keys.length > 0 ? new FrameDecryptor(this.options.keys) : undefined;
  }

  private check(): void {
    if (this.closed) throw new SequenceError('DARE_CLOSED', 'replica is closed');
    if (this.failure) throw new SequenceError('DARE_IO', 'an earlier write failed; reopen the sequence', { cause: this.failure });
  }

  // ---- building ---------------------------------------------------------------------------

  /**
   * Builds frames for indexes `state.frameCount` … without writing anything (a pending local
   * edit, or a batch to upload and write only once the authority took it). The frames carry a
   * key exchange in the first one unless this writer's session is already in the file.
   */
  prepare(contents: readonly FrameContent[], after?: PreparedFrames): PreparedFrames {
    this.check();
    if (contents.length === 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'nothing to prepare');
    const before = after ? after.after : this.current;
    let session = after ? after.session : this.session;
    if (this.recipients.length > 0 && session === undefined) {
      // Frame 0 names the policy's keys; later sessions go to the current keys.
      const to = before.frameCount > 0 && this.options.writeRecipients?.length ? this.options.writeRecipients : this.recipients;
      session = {
        encryptor: new FrameEncryptor({ recipients: to, mode: 'Session', ...(this.options.random ? { random: this.options.random } : {}) }),
        exchange: undefined,
      };
    }
    let s = before;
    const frames: Uint8Array[] = [];
    const heads: Uint8Array[] = [];
    const built: { header: JsonObject; content: FrameContent; leaf: Uint8Array }[] = [];
    for (const content of contents) {
      if (!(content.payload instanceof Uint8Array)) throw new SequenceError('DARE_BAD_ARGUMENT', 'payload must be a Uint8Array');
      const { bytes, header, next, head, leaf } = this.buildFrame(s, content, session);
      if (session && session.exchange === undefined) session.exchange = s.frameCount;
      frames.push(bytes);
      heads.push(head);
      built.push({ header, content, leaf });
      s = next;
    }
    return { from: before.frameCount, frames, heads, before, after: s, session, contents: built };
  }

  private buildFrame(s: ReplicaState, content: FrameContent, session: Session | undefined) {
    const index = s.frameCount;
    const treePosition = nextTreePosition(s);
    const enc = session?.encryptor.encrypt(index, content.payload, content.contentMeta);
    const payload = enc ? enc.payload : content.payload;
    const policy = index === 0 ? { ...(session ? session.encryptor.policy() : {}) } : undefined;
    const header = buildHeader({
      type: 'Merkle', index, encrypted: enc?.fields, policy, contentMeta: enc ? undefined : content.contentMeta, treePosition,
      exchangePosition: enc?.exchangePosition,
    });
    const headerBytes = encodeRecordJson(header, 'compact');
    const hd = headerDigest(headerBytes);
    const pd = payloadDigest(payload);
    let mac: Uint8Array | undefined;
    if (enc) {
      try {
        mac = computePayloadMac(enc.macKey, { dig: 'S512', payloadDigest: pd, headerDigest: hd });
      } finally {
        enc.macKey.fill(0);
      }
    }
    const leaf = replicaLeafHash(hd, pd);
    const provisional = advanceState(s, 0, leaf);
    const head = provisional.head!;
    const trailer = buildTrailer('Merkle', { payloadDigest: pd, tree: head, payloadMac: mac })!;
    if (this.options.author) trailer['AuthorMac'] = authorMac(this.options.author, hd, pd);
    const bytes = encodeFrame({ header: headerBytes, payload, trailer: encodeRecordJson(trailer, 'compact') });
    const next: ReplicaState = { ...provisional, end: s.end + bytes.length };
    return { bytes, header, next, head, leaf };
  }

  /**
   * Writes prepared frames. `MESH`-level callers see `DARE_BAD_INDEX` when the replica moved
   * since they were prepared (other frames were written or taken): prepare them again.
   * The state moves at once (later prepares build on it); `durable` says when the bytes are safe.
   */
  commit(prepared: PreparedFrames): CommittedFrames {
    this.check();
    if (prepared.before !== this.current) {
      throw new SequenceError('DARE_BAD_INDEX', `frames prepared for index ${prepared.from} no longer fit: the sequence holds ${this.current.frameCount} frames`, { frame: prepared.from });
    }
    const out: ReplicaFrame[] = [];
    let s = this.current;
    for (let i = 0; i < prepared.frames.length; i++) {
      const bytes = prepared.frames[i]!;
      const { header, content, leaf } = prepared.contents[i]!;
      if (s.frameCount === 0) this.takePolicy(decodeSequenceFrame(bytes, 0, 0).header);
      if (header['recipients'] !== undefined) this.exchanges.set(s.frameCount, s.end);
      out.push({
        index: s.frameCount, start: s.end, length: bytes.length, payload: content.payload, contentMeta: content.contentMeta,
        authored: this.options.author !== undefined, head: prepared.heads[i]!,
      });
      this.tail.push({ start: s.end, length: bytes.length, leafHash: leaf });
      s = advanceState(s, bytes.length, leaf, prepared.heads[i]);
    }
    this.current = s;
    if (prepared.session) this.session = prepared.session;
    return { frames: out, durable: this.write(joinBytes(prepared.frames)) };
  }

  /** `commit(prepare([content]))`: one frame. */
  append(content: FrameContent): CommittedFrames {
    return this.commit(this.prepare([content]));
  }

  private write(bytes: Uint8Array): Promise<void> {
    const go = (): Promise<void> => this.store.append(bytes).catch((e: unknown) => {
      this.failure = e;
      throw e;
    });
    const p = this.pending.then(go, go);
    this.pending = p.catch(() => undefined);
    p.catch(() => undefined); // callers may rely on flush() instead of each promise
    return p;
  }

  /** Resolves once every frame written so far is durable. */
  async flush(): Promise<void> {
    await this.pending;
    await this.store.flush();
    if (this.failure) throw new SequenceError('DARE_IO', 'a write failed', { cause: this.failure });
  }

  // ---- taking frames built elsewhere ---------------------------------------------------------

  /**
   * Checks frames built elsewhere for indexes `from` … (default: the next index) as
   * {@link accept} does, without writing them; returns what they hold and the state they lead to.
   * With `from` below the frame count (base ≤ from), they are checked as if the frames from
   * `from` on were taken back — how a conflicting download is checked before a rebase.
   */
  async verify(frames: readonly Uint8Array[], from?: number): Promise<{ frames: ReplicaFrame[]; after: ReplicaState }> {
    const { frames: out, after } = await this.verifyBatch(frames, from ?? this.current.frameCount);
    return { frames: out, after };
  }

  private async verifyBatch(
    frames: readonly Uint8Array[], from: number,
  ): Promise<{ frames: ReplicaFrame[]; leaves: Uint8Array[]; headers: JsonObject[]; after: ReplicaState }> {
    this.check();
    // A fresh decryptor per batch: a batch may be refused, and its key exchanges must not be
    // remembered for frames that later take the same indexes.
    const decryptor = this.newDecryptor();
    const batch = new Map<number, JsonObject>();
    // Exchanges at or after `from` can only be in the batch: frames we hold there are not its.
    const exchangeHeader = async (i: number): Promise<JsonObject> => {
      const h = batch.get(i);
      if (h) return h;
      if (i >= from) throw new SequenceError('DARE_NO_KEY', `ExchangePosition ${i} names a frame that holds no key exchange`);
      return this.headerAt(i);
    };
    let s = this.stateAt(from);
    let recipients = this.recipients;
    const out: ReplicaFrame[] = [];
    const leaves: Uint8Array[] = [];
    const headers: JsonObject[] = [];
    for (const bytes of frames) {
      if (!(bytes instanceof Uint8Array)) throw new SequenceError('DARE_BAD_ARGUMENT', 'a frame must be a Uint8Array');
      const f = decodeSequenceFrame(bytes, s.end, s.frameCount);
      const { frame, next, leaf } = await this.verifyFrame(f, s, decryptor, exchangeHeader, recipients);
      if (f.index === 0) recipients = encryptKeysOf(isJsonObject(f.header['policy']) ? f.header['policy'] : {});
      if (Array.isArray(f.header['recipients'])) batch.set(f.index, f.header);
      out.push(frame);
      leaves.push(leaf);
      headers.push(f.header);
      s = next;
    }
    return { frames: out, leaves, headers, after: s };
  }

  /**
   * Takes frames built elsewhere (downloaded from the authority) for indexes `state.frameCount`
   * …: each is checked — one whole frame, `SequenceInfo.Index` = the next index, `TreePosition` =
   * the offset of frame PreviousFrame(n) here, PayloadDigest and TreeDigest recomputed (so the
   * tree head after it is the one the writer had), frame 0's policy naming exactly this replica's
   * recipients, every frame encrypted and carrying PayloadMac, and with keys its MAC verified and
   * its payload and metadata decrypted, AuthorMac verified when an author key is set — and then
   * all are appended byte for byte. Any failure throws its typed error and writes nothing.
   * `check` sees the verified frames before anything is written and may refuse them by throwing
   * (a catalog checks the entry lifecycle there).
   */
  async accept(frames: readonly Uint8Array[], check?: (frames: readonly ReplicaFrame[]) => void): Promise<CommittedFrames> {
    const before = this.current;
    const { frames: checked, leaves, headers, after } = await this.verifyBatch(frames, before.frameCount);
    if (this.current !== before) throw new SequenceError('DARE_BAD_INDEX', 'the sequence changed while frames were checked; take them again');
    check?.(checked);
    checked.forEach((f, i) => {
      const h = headers[i]!;
      if (f.index === 0) this.takePolicy(h);
      if (Array.isArray(h['recipients'])) this.exchanges.set(f.index, f.start);
      this.tail.push({ start: f.start, length: f.length, leafHash: leaves[i]! });
    });
    this.current = after;
    this.session = undefined; // the next frame this writer builds carries its own exchange
    // Written in groups of at most 4 MiB (a device joining an account takes its whole history): a
    // crash between them leaves checked frames and at most a torn tail, which the next open drops.
    const writes: Promise<void>[] = [];
    for (let i = 0; i < frames.length;) {
      let size = 0;
      let j = i;
      while (j < frames.length && (j === i || size + frames[j]!.length <= WRITE_GROUP)) size += frames[j++]!.length;
      writes.push(this.write(joinBytes(frames.slice(i, j))));
      i = j;
    }
    return { frames: checked, durable: Promise.all(writes).then(() => undefined) };
  }

  /** Checks one decoded frame against state `s`; see {@link accept}. */
  private async verifyFrame(
    f: SequenceFrame, s: ReplicaState, decryptor: FrameDecryptor | undefined, exchangeHeader: (i: number) => Promise<JsonObject>,
    recipients: readonly DarePublicKey[] = this.recipients,
  ): Promise<{ frame: ReplicaFrame; next: ReplicaState; leaf: Uint8Array }> {
    const index = s.frameCount;
    const fail = (code: ConstructorParameters<typeof SequenceError>[0], message: string): never => {
      throw new SequenceError(code, message, { frame: index, offset: s.end });
    };
    const h = f.header;
    if (index === 0) recipients = this.checkFrameZero(f);
    else {
      if (h['policy'] !== undefined) fail('DARE_BAD_HEADER', 'a policy on a frame other than frame 0');
      const want = positionOf(s, previousFrame(index));
      if (f.info.TreePosition !== want) fail('DARE_BAD_POSITION', `TreePosition ${String(f.info.TreePosition)} should be ${String(want)}`);
    }
    if (h['dig'] !== 'S512') fail('DARE_BAD_HEADER', `dig must be S512, not ${describeJsonValue(h['dig'])}`);
    const hd = headerDigest(f.records.header);
    const pd = payloadDigest(f.payload);
    const stored = binaryField(f.trailer, 'PayloadDigest', index);
    if (!stored || !bytesEqual(stored, pd)) fail('DARE_BAD_DIGEST', stored ? 'PayloadDigest does not match the payload' : 'PayloadDigest missing from the trailer');
    const leaf = replicaLeafHash(hd, pd);
    const next = advanceState(s, f.end - f.start, leaf);
    const tree = binaryField(f.trailer, 'TreeDigest', index);
    if (!tree || !bytesEqual(tree, next.head!)) fail('DARE_BAD_TREE', tree ? 'TreeDigest is not the head of this sequence with the frame appended' : 'TreeDigest missing from the trailer');
    // Authorship before anything is decrypted.
    let authored = false;
    const am = binaryField(f.trailer, 'AuthorMac', index);
    if (this.options.author) {
      if (am !== undefined) {
        if (!macEqual(am, authorMac(this.options.author, hd, pd))) fail('DARE_NOT_TRUSTED', 'AuthorMac does not verify: the frame was not written by a holder of this store\'s key, or was changed');
        authored = true;
      } else if (this.requireAuthor) fail('DARE_NOT_TRUSTED', 'frame without AuthorMac: this store takes only frames written by holders of its key');
    }
    let payload: Uint8Array | undefined;
    let contentMeta: Uint8Array | undefined;
    if (recipients.length > 0) {
      if (!f.encrypted) fail('DARE_NOT_ENCRYPTED', 'a plaintext frame in an encrypted sequence');
      const mac = binaryField(f.trailer, 'PayloadMac', index);
      if (!mac || mac.length !== 64) fail('DARE_DECRYPT', 'encrypted frame without keyed integrity (no 64-byte PayloadMac)');
      const own = Array.isArray(h['recipients']);
      const ex = f.info.ExchangePosition;
      if (!own && (ex === undefined || ex >= index)) fail('DARE_BAD_HEADER', 'encrypted frame with neither recipients nor an earlier ExchangePosition');
      if (decryptor) {
        const parts: EncryptedFrameParts = { index, header: h, exchangePosition: ex, payload: f.payload, payloadDigest: pd, headerDigest: hd, mac };
        const opened = await decryptor.open(parts, exchangeHeader);
        payload = opened.payload;
        contentMeta = opened.contentMeta;
      }
    } else {
      if (f.encrypted) fail('DARE_POLICY', 'an encrypted frame in a plaintext sequence');
      payload = f.payload.slice();
      const cm = h['ContentMetaData'];
      contentMeta = typeof cm === 'string' ? binaryField(h, 'ContentMetaData', index) : undefined;
    }
    const frame: ReplicaFrame = { index, start: s.end, length: f.end - f.start, payload, contentMeta, authored, head: next.head! };
    return { frame, next, leaf };
  }

  /**
   * Frame 0: a Merkle sequence whose policy encrypts to exactly this replica's recipients (or,
   * with `adoptPolicy`, to the keys it names); returns those keys.
   */
  private checkFrameZero(f: SequenceFrame): readonly DarePublicKey[] {
    const fail = (code: ConstructorParameters<typeof SequenceError>[0], message: string): never => {
      throw new SequenceError(code, message, { frame: 0 });
    };
    if (f.info.ContainerType !== 'Merkle') fail('DARE_BAD_TYPE', `a replica is a Merkle sequence, not ${String(f.info.ContainerType)}`);
    if (f.info.DataEncoding !== undefined && f.info.DataEncoding !== 'JSON') fail('DARE_BAD_HEADER', `DataEncoding '${f.info.DataEncoding}' is not supported`);
    const policy = isJsonObject(f.header['policy']) ? f.header['policy'] : {};
    if (signKeysOf(policy).length > 0) fail('DARE_POLICY', 'signed-head policies are not replicated (SignKeys)');
    const named = encryptKeysOf(policy);
    const same = named.length === this.recipients.length
      && this.recipients.every((r) => named.some((n) => n.algorithm === r.algorithm && bytesEqual(n.publicKey, r.publicKey)));
    if (!same && !this.options.adoptPolicy) {
      fail('DARE_POLICY', `frame 0 encrypts to ${named.length ? named.map((k) => k.kid).join(', ') : 'no key'}, not to this store's key(s) ${this.recipients.map((k) => k.kid).join(', ') || '(none)'}`);
    }
    if (named.length > 0 && policy['Encryption'] !== 'Session' && policy['Encryption'] !== 'Isolated') {
      fail('DARE_POLICY', `policy Encryption ${describeJsonValue(policy['Encryption'])} is not Session or Isolated`);
    }
    return named;
  }

  /** Frame 0's policy is held: remember it (and, with `adoptPolicy`, the keys it names). */
  private takePolicy(header: JsonObject): void {
    this.policyObject = isJsonObject(header['policy']) ? header['policy'] : {};
    if (this.options.adoptPolicy) this.recipients = encryptKeysOf(this.policyObject);
  }

  /** The keys frame 0 encrypts to (what `recipients` must be, or what `adoptPolicy` took). */
  get encryptKeys(): readonly DarePublicKey[] {
    return this.recipients;
  }

  // ---- replay --------------------------------------------------------------------------------

  private async replay(): Promise<void> {
    const store = this.store;
    let from = 0;
    const resume = this.options.resume;
    if (resume && resume.frameCount > 0) {
      if (!(await resumeStateMatches(store, resume))) throw new SequenceError('DARE_BAD_ARGUMENT', 'the resume state does not describe this sequence');
      const f0 = await this.readFrameAt(0, undefined);
      this.checkFrameZero(f0);
      this.takePolicy(f0.header);
      this.current = resume;
      this.baseState = resume;
      from = resume.end;
    }
    const settleAsWeGo = this.options.base === 'end' || (this.options.base === undefined && !resume);
    const scan = await scanFrames(store, from);
    if (scan.damage) throw scan.damage;
    const blocks = new BlockReader(store);
    for (let k = 0; k < scan.starts.length; k++) {
      const start = scan.starts[k]!;
      const end = k + 1 < scan.starts.length ? scan.starts[k + 1]! : scan.end;
      const bytes = await blocks.bytes(start, end - start);
      const f = decodeSequenceFrame(bytes, start, this.current.frameCount);
      const { frame, next, leaf } = await this.verifyFrame(f, this.current, this.decryptor, (i) => this.headerAt(i));
      if (frame.index === 0) this.takePolicy(f.header);
      if (Array.isArray(f.header['recipients'])) this.exchanges.set(frame.index, start);
      this.current = next;
      // A replica whose base will be the end keeps no tail while replaying (memory stays flat).
      if (settleAsWeGo) this.baseState = next;
      else this.tail.push({ start, length: frame.length, leafHash: leaf });
      this.options.onFrame?.(frame);
    }
    if (scan.tornTail) await this.dropTornTail(scan.end);
    // The replay cached the base seed of every session it met: drop them (memory, and secrets
    // kept no longer than needed); later reads derive what they need again.
    this.decryptor = this.newDecryptor();
  }

  /** Truncates a torn tail after checking it is one (no valid frame ends the file past it). */
  private async dropTornTail(end: number): Promise<void> {
    const blocks = new BlockReader(this.store);
    let later = false;
    try {
      const ext = await extentBefore(blocks, this.store.size);
      if (ext.start >= end) {
        const f = decodeSequenceFrame(await this.store.read(ext.start, ext.end - ext.start), ext.start);
        later = f.index >= this.current.frameCount;
      }
    } catch {
      later = false; // no valid frame ends the file: a torn tail
    }
    if (later) throw new SequenceError('DARE_BAD_FRAME', 'damaged frame followed by later frames: not a torn tail, refusing to truncate', { offset: end });
    if (!this.store.writable) return;
    await this.store.truncate(end);
  }

  // ---- reading held frames -----------------------------------------------------------------

  /** Offset of frame `index`: from the tail, the exchange table, or the TreePosition skip list. */
  private async startOf(index: number): Promise<number> {
    const s = this.current;
    if (!Number.isSafeInteger(index) || index < 0 || index >= s.frameCount) throw new SequenceError('DARE_BAD_INDEX', `no frame ${index} (the sequence has ${s.frameCount})`);
    const b = this.baseState.frameCount;
    if (index >= b && index - b < this.tail.length) return this.tail[index - b]!.start;
    const known = this.exchanges.get(index) ?? positionOf(s, index);
    if (known !== undefined) return known;
    if (index === 0) return 0;
    // Walk back from the last frame: jump through TreePosition while it does not overshoot.
    let at = s.lastStart;
    let i = s.frameCount - 1;
    while (i > index) {
      const p = previousFrame(i);
      const f = await this.readFrameAt(at, i);
      if (p >= index && f.info.TreePosition !== undefined) {
        at = f.info.TreePosition;
        i = p;
      } else {
        const ext = await extentBefore(new BlockReader(this.store), at);
        at = ext.start;
        i -= 1;
      }
    }
    return at;
  }

  private async readFrameAt(start: number, index: number | undefined): Promise<SequenceFrame> {
    const head = await this.store.read(start, 9);
    const t = head[0];
    if (t === undefined || (t & 0xfc) !== 0xf4) throw new SequenceError('DARE_BAD_POSITION', 'offset does not hold a frame', { offset: start });
    const n = 1 << (t & 3);
    let len = 0;
    for (let k = 1; k <= n; k++) len = len * 256 + (head[k] ?? 0);
    const bytes = await this.store.read(start, 2 * (1 + n) + len);
    return decodeSequenceFrame(bytes, start, index);
  }

  private async headerAt(index: number): Promise<JsonObject> {
    return (await this.readFrameAt(await this.startOf(index), index)).header;
  }

  /** The stored bytes of frame `index` (what an upload carries). */
  async frameBytes(index: number): Promise<Uint8Array> {
    this.check();
    const start = await this.startOf(index);
    const end = index + 1 < this.current.frameCount ? await this.startOf(index + 1) : this.current.end;
    return this.store.read(start, end - start);
  }

  /** TreeDigest stored in frame `index` (the head over frames 0 … index). */
  async headAt(index: number): Promise<Uint8Array> {
    if (index === this.current.frameCount - 1) return this.current.head!;
    const f = await this.readFrameAt(await this.startOf(index), index);
    const tree = binaryField(f.trailer, 'TreeDigest', index);
    if (!tree) throw new SequenceError('DARE_BAD_TREE', 'TreeDigest missing', { frame: index });
    return tree;
  }

  /**
   * Reads and opens frame `index` again (a spool reads message bodies lazily): MAC and AuthorMac
   * checked, payload and metadata decrypted. Its place in the tree was verified when it came in.
   */
  async readFrame(index: number): Promise<ReplicaFrame> {
    this.check();
    const start = await this.startOf(index);
    const f = await this.readFrameAt(start, index);
    const hd = headerDigest(f.records.header);
    const pd = payloadDigest(f.payload);
    let authored = false;
    const am = binaryField(f.trailer, 'AuthorMac', index);
    if (this.options.author && am !== undefined) {
      if (!macEqual(am, authorMac(this.options.author, hd, pd))) throw new SequenceError('DARE_NOT_TRUSTED', 'AuthorMac does not verify', { frame: index });
      authored = true;
    }
    let payload: Uint8Array | undefined;
    let contentMeta: Uint8Array | undefined;
    if (f.encrypted) {
      if (this.decryptor) {
        const mac = binaryField(f.trailer, 'PayloadMac', index);
        const opened = await this.decryptor.open(
          { index, header: f.header, exchangePosition: f.info.ExchangePosition, payload: f.payload, payloadDigest: pd, headerDigest: hd, mac },
          (i) => this.headerAt(i),
        );
        payload = opened.payload;
        contentMeta = opened.contentMeta;
      }
    } else {
      payload = f.payload.slice();
      contentMeta = binaryField(f.header, 'ContentMetaData', index);
    }
    return { index, start, length: f.end - f.start, payload, contentMeta, authored, head: binaryField(f.trailer, 'TreeDigest', index)! };
  }

  // ---- base and rewind ------------------------------------------------------------------------

  /** The state after `frameCount` frames, for base ≤ frameCount ≤ state.frameCount. */
  stateAt(frameCount: number): ReplicaState {
    const b = this.baseState.frameCount;
    if (!Number.isSafeInteger(frameCount) || frameCount < b || frameCount > this.current.frameCount) {
      throw new SequenceError('DARE_BAD_INDEX', `no state at ${frameCount}: only ${b} … ${this.current.frameCount} are held`);
    }
    if (frameCount === this.current.frameCount) return this.current;
    let s = this.baseState;
    for (let i = 0; i < frameCount - b; i++) {
      const t = this.tail[i]!;
      s = advanceState(s, t.length, t.leafHash, i === frameCount - b - 1 ? undefined : EMPTY_HEAD);
    }
    return s;
  }

  /** Moves the base to `frameCount` (the authority now holds frames up to it). */
  settle(frameCount: number): void {
    const s = this.stateAt(frameCount);
    this.tail = this.tail.slice(frameCount - this.baseState.frameCount);
    this.baseState = s;
  }

  /**
   * Takes back the frames after `frameCount` (≥ the base): the file is cut there and the state
   * returns to what it was. The next frame this writer builds carries a new key exchange.
   */
  async rewind(frameCount: number): Promise<void> {
    this.check();
    const s = this.stateAt(frameCount);
    await this.flush();
    await this.store.truncate(s.end);
    this.tail = this.tail.slice(0, frameCount - this.baseState.frameCount);
    for (const i of [...this.exchanges.keys()]) if (i >= frameCount) this.exchanges.delete(i);
    this.current = s;
    this.session = undefined;
    this.decryptor = this.newDecryptor();
  }

  /** Flushes and closes the store; wipes the session key. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.session?.encryptor.wipe();
      this.session = undefined;
      await this.store.close();
    }
  }
}

/** Most bytes {@link SequenceReplica.accept} hands the store in one append. */
const WRITE_GROUP = 4 * 1024 * 1024;

/** A placeholder head for intermediate states of {@link SequenceReplica.stateAt} (only the last one's head is read). */
const EMPTY_HEAD = new Uint8Array(0);
