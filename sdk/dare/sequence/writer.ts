import type { SequenceStore } from '../../../adapters/store/types.js';
import type { JsonObject } from '../../encoding/json-value.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { writeJson } from '../../encoding/json-writer.js';
import type { DarePrivateKey } from '../keys.js';
import { IntegrityState, legacyChainDigest, legacyTreeDigest, payloadDigest } from './digests.js';
import { FrameEncryptor, type EncryptOptions } from './encryption.js';
import { SequenceError } from './errors.js';
import { encodeFrame } from './frame.js';
import { buildHeader, buildTrailer, encodeRecordJson, type JsonLayout } from './header.js';
import { hasDigest, hasTreePosition, type ContainerType } from './info.js';
import { SequenceReader, storedDigest, decodeSequenceFrame } from './reader.js';
import { BlockReader, extentBefore } from './scan.js';
import { headSignature, type HeadSigner } from './signed-head.js';
import { lastReferrer, previousFrame } from './tree-position.js';
import { detectLegacy } from './legacy.js';
import { exchangeSeed, recipientsFromPolicy } from './policy-keys.js';

/**
 * Appending to a sequence (dare.md §9.3, §9.4). The writer keeps only O(log n) state — the Merkle
 * compact range, the chain value, and the offsets of the frames a later `TreePosition` can still
 * name — so memory stays flat however long the log grows (issue 6).
 *
 * Frame bytes are built synchronously inside `append()` and handed to the store at once, so
 * appends issued without awaiting each one keep their order and can share a group commit.
 */

/** Options of {@link SequenceWriter.create}. */
export interface CreateOptions {
  /** Container type (default `Merkle`). */
  type?: ContainerType;
  /** Encrypt every frame for these recipients (dare.md §9.5). */
  encrypt?: EncryptOptions;
  /** Sign heads (Chain/Merkle): on close, and every `signEvery` frames when set. */
  signer?: HeadSigner;
  signEvery?: number;
  /** Header layout: `compact` JSON (default) or the reference's text layout (§9.7). */
  layout?: JsonLayout;
  /**
   * Write the reference's degenerate Chain/Merkle values (dare.md §9.4) instead of the real chain
   * and RFC 9162 heads. Only for reproducing reference files; such files authenticate nothing.
   */
  legacyDigests?: boolean;
  /** ContentMetaData of frame 0 (bytes, or an object written as JSON). Default `{}`. */
  contentMeta?: Uint8Array | JsonObject;
}

/** Options of {@link SequenceWriter.open} (reopen for append). */
export interface OpenOptions {
  /** Keys to recover the base seed of a `Once`-encrypted sequence (needed to append to it). */
  keys?: readonly DarePrivateKey[];
  signer?: HeadSigner;
  signEvery?: number;
  layout?: JsonLayout;
}

/** Per-append options. */
export interface AppendOptions {
  /** ContentMetaData (bytes, or an object written as JSON). Default `{}`. */
  contentMeta?: Uint8Array | JsonObject;
}

/** What an append produced. */
export interface AppendResult {
  readonly index: number;
  readonly position: number;
  readonly length: number;
  /** PayloadDigest (digest types). */
  readonly payloadDigest?: Uint8Array;
  /** ChainDigest or TreeDigest written in the frame (Chain/Merkle). */
  readonly head?: Uint8Array;
  /** Resolves when the frame is durable per the store's setting. */
  readonly durable: Promise<void>;
}

const metaBytes = (m: Uint8Array | JsonObject | undefined): Uint8Array | undefined =>
  m === undefined ? undefined : m instanceof Uint8Array ? m : utf8Encode(writeJson(m));

export class SequenceWriter {
  private next: number;
  private end: number;
  private readonly integrity: IntegrityState;
  private readonly positions = new Map<number, number>();
  private closed = false;
  private lastSigned = -1;
  private lastHead: Uint8Array | undefined;
  private pending: Promise<void> | undefined;
  private failure: unknown;

  private constructor(
    readonly store: SequenceStore,
    readonly type: ContainerType,
    private readonly layout: JsonLayout,
    private readonly legacy: boolean,
    private readonly encryptor: FrameEncryptor | undefined,
    private readonly signer: HeadSigner | undefined,
    private readonly signEvery: number,
  ) {
    this.next = 0;
    this.end = 0;
    this.integrity = new IntegrityState(type === 'Chain');
  }

  /** Creates a new sequence in an empty store: writes frame 0 (policy, dare.md §9.1). */
  static async create(store: SequenceStore, options: CreateOptions = {}): Promise<SequenceWriter> {
    if (store.size !== 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'create needs an empty store; use SequenceWriter.open to append');
    const type = options.type ?? 'Merkle';
    const encryptor = options.encrypt ? new FrameEncryptor(options.encrypt) : undefined;
    const w = new SequenceWriter(store, type, options.layout ?? 'compact', options.legacyDigests === true, encryptor,
      options.signer, checkEvery(options.signEvery));
    const policy: JsonObject = { ...(encryptor?.policy() ?? {}) };
    if (options.signer) policy['SignKeys'] = [{ PublicKeyECDH: { crv: 'Ed448', Public: options.signer.publicKey } }];
    await w.appendFrame(new Uint8Array(0), { policy, contentMeta: metaBytes(options.contentMeta) }).durable;
    return w;
  }

  /**
   * Reopens a sequence for appending: drops nothing yet (a torn tail is truncated by the next
   * append), rebuilds the tree and chain from the stored payload digests (O(n) once), and the
   * TreePosition table.
   */
  static async open(store: SequenceStore, options: OpenOptions = {}): Promise<SequenceWriter> {
    try {
      return await SequenceWriter.reopen(store, options);
    } catch (e) {
      await store.close(); // the writer owns the store: a failed open releases its lock
      throw e;
    }
  }

  private static async reopen(store: SequenceStore, options: OpenOptions): Promise<SequenceWriter> {
    const reader = await SequenceReader.open(store, options.keys ? { keys: options.keys } : {});
    if (reader.damage) throw reader.damage;
    const legacy = hasDigest(reader.type) && reader.type !== 'Digest' ? detectLegacy(reader.type, reader.first) === true : false;
    let encryptor: FrameEncryptor | undefined;
    const policy = reader.policy;
    if (reader.first.encrypted || policy['Encryption'] !== undefined) {
      encryptor = await reopenEncryption(reader, options.keys);
    }
    const w = new SequenceWriter(store, reader.type, options.layout ?? 'compact', legacy, encryptor, options.signer, checkEvery(options.signEvery));
    for (let i = 0; i < reader.frameCount; i++) {
      const f = await reader.frame(i);
      if (hasDigest(reader.type)) {
        const pd = storedDigest(f, 'PayloadDigest') ?? payloadDigest(f.payload);
        const values = w.integrity.next(pd);
        w.lastHead = reader.type === 'Chain' ? values.chain : reader.type === 'Merkle' ? values.tree : undefined;
      }
      if (f.trailer && Array.isArray(f.trailer['signatures'])) w.lastSigned = i;
      w.positions.set(i, f.start);
    }
    w.next = reader.frameCount;
    w.end = reader.end;
    for (const m of [...w.positions.keys()]) if (lastReferrer(m) < w.next) w.positions.delete(m);
    if (reader.tornTail) w.pending = w.dropTornTail(reader.end);
    return w;
  }

  /** Truncates a torn tail, after checking it really is one (not damage before a valid last frame). */
  private async dropTornTail(end: number): Promise<void> {
    try {
      const blocks = new BlockReader(this.store);
      const ext = await extentBefore(blocks, this.store.size);
      if (ext.start >= end) {
        const f = decodeSequenceFrame(await this.store.read(ext.start, ext.end - ext.start), ext.start);
        if (f.index >= this.next) {
          throw new SequenceError('DARE_BAD_FRAME', 'damaged frame followed by later frames: not a torn tail, refusing to truncate', { offset: end });
        }
      }
    } catch (e) {
      if (e instanceof SequenceError && e.message.includes('refusing')) throw e;
      // No valid frame ends the file: it is a torn tail.
    }
    await this.store.truncate(end);
    this.pending = undefined;
  }

  /** Number of frames written (frame 0 included). */
  get frameCount(): number {
    return this.next;
  }

  /** The current head: TreeDigest (Merkle) or ChainDigest (Chain) of the last frame. */
  get head(): Uint8Array | undefined {
    return this.lastHead;
  }

  /** The Merkle compact range (size and subtree roots): the whole tree state, O(log n). */
  get treeState(): { size: number; subtreeRoots: Uint8Array[] } {
    return { size: this.integrity.range.size, subtreeRoots: this.integrity.range.subtreeRoots };
  }

  /**
   * Appends one data frame. Returns once the frame is built and handed to the store; await
   * `result.durable` (or `flush()`) for durability.
   */
  append(payload: Uint8Array, options: AppendOptions = {}): AppendResult {
    if (!(payload instanceof Uint8Array)) throw new SequenceError('DARE_BAD_ARGUMENT', 'payload must be a Uint8Array');
    return this.appendFrame(payload, { contentMeta: metaBytes(options.contentMeta) });
  }

  private appendFrame(plaintext: Uint8Array, o: { policy?: JsonObject; contentMeta?: Uint8Array | undefined; isMeta?: boolean }): AppendResult {
    if (this.closed) throw new SequenceError('DARE_CLOSED', 'writer is closed');
    if (this.failure) throw new SequenceError('DARE_IO', 'an earlier append failed; reopen the sequence', { cause: this.failure });
    const index = this.next;
    let payload = plaintext;
    let encrypted;
    let exchangePosition: number | undefined;
    if (this.encryptor && !o.isMeta) {
      const e = this.encryptor.encrypt(plaintext);
      payload = e.payload;
      encrypted = e.fields;
      exchangePosition = e.exchangePosition;
    }
    const treePosition = hasTreePosition(this.type) && index > 0 ? this.positions.get(previousFrame(index)) : undefined;
    if (hasTreePosition(this.type) && index > 0 && treePosition === undefined) {
      throw new SequenceError('DARE_BAD_POSITION', `offset of frame ${previousFrame(index)} is not known`, { frame: index });
    }
    const header = buildHeader({
      type: this.type, index, encrypted, policy: o.policy, contentMeta: o.contentMeta, treePosition, exchangePosition, isMeta: o.isMeta,
    });
    let pd: Uint8Array | undefined;
    let head: Uint8Array | undefined;
    let chain: Uint8Array | undefined;
    let tree: Uint8Array | undefined;
    if (hasDigest(this.type)) {
      const v = this.integrity.nextPayload(payload);
      pd = v.pd;
      chain = this.legacy ? legacyChainDigest(pd) : v.chain;
      tree = this.legacy ? legacyTreeDigest(index, pd) : v.tree;
      head = this.type === 'Chain' ? chain : this.type === 'Merkle' ? tree : undefined;
    }
    let signatures: JsonObject[] | undefined;
    const signNow = this.signer && head && (o.isMeta || (this.signEvery > 0 && index > 0 && index % this.signEvery === 0));
    if (signNow) {
      signatures = [headSignature(this.signer!, this.type === 'Chain' ? 'Chain' : 'Tree', head!) as JsonObject];
      this.lastSigned = index;
    }
    const trailerObj = buildTrailer(this.type, pd, chain, tree, signatures);
    // Frame 0 always has three records (an empty trailer is `f0 00`, dare.md §9.1).
    const trailer = trailerObj ? encodeRecordJson(trailerObj, this.layout) : index === 0 ? new Uint8Array(0) : undefined;
    const bytes = encodeFrame({ header: encodeRecordJson(header, this.layout), payload, trailer });
    const position = this.end;
    this.positions.set(index, position);
    this.end += bytes.length;
    this.next = index + 1;
    this.lastHead = head ?? this.lastHead;
    // Forget every offset no later frame can name. Scan the whole table: it holds O(log n)
    // entries, but not in lastReferrer order (frames 2^j − 1 stay until 2^(j+1) − 1), so stopping
    // at the first live entry would keep everything after it — O(n) memory over a long log.
    for (const m of this.positions.keys()) {
      if (lastReferrer(m) < this.next) this.positions.delete(m);
    }
    const durable = this.write(bytes);
    return { index, position, length: bytes.length, ...(pd ? { payloadDigest: pd } : {}), ...(head ? { head } : {}), durable };
  }

  private write(bytes: Uint8Array): Promise<void> {
    const go = (): Promise<void> => this.store.append(bytes).catch((e: unknown) => {
      this.failure = e;
      throw e;
    });
    const p = this.pending ? this.pending.then(go) : go();
    // Callers may ignore `durable` and rely on flush(): never leave a rejection unhandled here.
    p.catch(() => undefined);
    return p;
  }

  /** Resolves when every frame appended so far is durable. */
  async flush(): Promise<void> {
    if (this.pending) await this.pending;
    await this.store.flush();
    if (this.failure) throw new SequenceError('DARE_IO', 'an append failed', { cause: this.failure });
  }

  /**
   * Signs the head of the last frame if a signer is set and it is not signed yet (a meta frame
   * carrying the signature, dare.md §9.2 `IsMeta`), flushes and closes the store.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.signer && (this.type === 'Merkle' || this.type === 'Chain') && this.next > 1 && this.lastSigned < this.next - 1) {
        this.appendFrame(new Uint8Array(0), { isMeta: true });
      }
      await this.flush();
    } finally {
      this.closed = true;
      await this.store.close();
    }
  }
}

function checkEvery(n: number | undefined): number {
  if (n === undefined) return 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'signEvery must be a non-negative integer');
  return n;
}

async function reopenEncryption(reader: SequenceReader, keys: readonly DarePrivateKey[] | undefined): Promise<FrameEncryptor> {
  const policy = reader.policy;
  const mode = policy['Encryption'] === 'Isolated' ? 'Isolated' : 'Once';
  const encryptKeys = Array.isArray(policy['EncryptKeys']) ? policy['EncryptKeys'] : [];
  const recipients = recipientsFromPolicy(encryptKeys);
  if (mode === 'Isolated') return new FrameEncryptor({ recipients, mode });
  if (!keys || keys.length === 0) throw new SequenceError('DARE_NO_KEY', 'appending to a Once-encrypted sequence needs a key that opens frame 0', { frame: 0 });
  return new FrameEncryptor({ recipients, mode }, exchangeSeed(reader.first.header, keys));
}

