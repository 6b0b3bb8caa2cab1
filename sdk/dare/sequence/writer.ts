import type { JsonObject } from '../../encoding/json-value.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { writeJson } from '../../encoding/json-writer.js';
import { keyFingerprint } from '../../udf/fingerprint.js';
import type { RandomSource } from '../../udf/random.js';
import { headerDigest, IntegrityState, legacyChainDigest, legacyTreeDigest, payloadDigest } from './digests.js';
import { FrameEncryptor, type EncryptedFrame, type EncryptionMode, type EncryptOptions } from './encryption.js';
import { SequenceError } from './errors.js';
import { computePayloadMac } from '../payload-mac.js';
import { encodeFrame } from './frame.js';
import { buildHeader, buildTrailer, encodeRecordJson, type JsonLayout } from './header.js';
import { hasDigest, hasTreePosition, type ContainerType } from './info.js';
import { encryptKeysOf, signKeysOf } from './policy-keys.js';
import { SequenceReader, storedDigest, decodeSequenceFrame } from './reader.js';
import { BlockReader, extentBefore, type TornTail } from './scan.js';
import { headSignature, headSignaturesOf, headSignerOf, verifySignedHead, type HeadSigner, type HeadSignerInput } from './signed-head.js';
import type { SequenceStore } from './store.js';
import { lastReferrer, PositionTable, previousFrame } from './tree-position.js';
import { FRAME_SEALER_CONFIG, FrameSlab, SealedHeaderBuilder, sealedFrameSize, writeSealedFrame } from './sealed-frame.js';
import { frameSealer, type FrameSealer } from '../../crypto/index.js';
import { inspectSequence } from './verify.js';

/**
 * Appending to a sequence (dare.md §9.3, §9.4). The writer keeps only O(log n) state — the Merkle
 * compact range, the chain value, and the offsets of the frames a later `TreePosition` can still
 * name — so memory stays flat however long the log grows.
 *
 * Frame bytes are built synchronously inside `append()` and handed to the store at once, so
 * appends issued without awaiting each one keep their order and can share a group commit.
 *
 * **Policy is kept** (frame 0's `policy`, dare.md §2.1 DarePolicy): a sequence created with a
 * signer names it in `SignKeys`, and every later writer must sign heads with a key the policy
 * names — {@link SequenceWriter.open} refuses to open without one (`DARE_NO_KEY`) and refuses a
 * signer the policy does not name (`DARE_POLICY`). An encrypted sequence stays encrypted to its
 * `EncryptKeys`: a writer appends with those *public* keys (a new key exchange per session,
 * encryption.ts) and never needs a recipient's private key.
 */

/** Options of {@link SequenceWriter.create}. */
export interface CreateOptions {
  /** Container type (default `Merkle`). */
  type?: ContainerType;
  /** Encrypt every frame for these recipients (dare.md §9.5). */
  encrypt?: EncryptOptions;
  /**
   * Sign heads (Chain/Merkle): on close, and every `signEvery` frames when set. The signer's key
   * goes into the policy (`SignKeys`), so later writers must sign with it too. A `HeadSigner`
   * (e.g. `ed448HeadSigner(secret)`, or one whose key lives elsewhere) or an Ed448 private key
   * (`DarePrivateKey`, or a `mathmesh/udf` `KeyPair`).
   */
  signer?: HeadSignerInput;
  signEvery?: number;
  /** Header layout: `compact` JSON (default) or the reference's text layout (§9.7). */
  layout?: JsonLayout;
  /**
   * Write the reference's degenerate Chain/Merkle values (dare.md §9.4) instead of ours. Only for
   * reproducing reference files; such files authenticate nothing (no signer allowed).
   */
  legacyDigests?: boolean;
  /** ContentMetaData of frame 0 (bytes, or an object written as JSON). Default `{}`. */
  contentMeta?: Uint8Array | JsonObject;
}

/** Options of {@link SequenceWriter.open} (reopen for append). */
export interface OpenOptions {
  /** The head signer (as in {@link CreateOptions.signer}): required when the policy names `SignKeys`, and must be one of them. */
  signer?: HeadSignerInput;
  signEvery?: number;
  layout?: JsonLayout;
  /** Randomness for this session's key exchange and salts (tests; default `crypto.getRandomValues`). */
  random?: RandomSource;
  /**
   * Accept existing encrypted frames without `PayloadMac` (reference-written files). Off by
   * default: such a file is refused, since its frames have no keyed integrity.
   */
  allowUnauthenticated?: boolean;
}

/** Per-append options. */
export interface AppendOptions {
  /** ContentMetaData (bytes, or an object written as JSON); encrypted in `cloaked` when the sequence is. */
  contentMeta?: Uint8Array | JsonObject;
}

/** What an append produced. */
export interface AppendResult {
  readonly index: number;
  readonly position: number;
  readonly length: number;
  /** HD: digest of the header bytes (digest types and encrypted frames). */
  readonly headerDigest?: Uint8Array;
  /** PD: digest of the payload bytes as stored (digest types and encrypted frames). */
  readonly payloadDigest?: Uint8Array;
  /** ChainDigest or TreeDigest written in the frame (Chain/Merkle). */
  readonly head?: Uint8Array;
  /** Resolves when the frame is durable per the store's setting. */
  readonly durable: Promise<void>;
}

/** The `durable` of every frame a synchronous store took (shared: it carries no per-frame state). */
const DONE: Promise<void> = Promise.resolve();

const metaBytes = (m: Uint8Array | JsonObject | undefined): Uint8Array | undefined =>
  m === undefined ? undefined : m instanceof Uint8Array ? m : utf8Encode(writeJson(m));

export class SequenceWriter {
  private next = 0;
  private end = 0;
  private readonly integrity: IntegrityState;
  private readonly positions = new PositionTable();
  /** Seals encrypted Merkle frames in one call and holds the Merkle range (Merkle, our digests). */
  private readonly sealer: FrameSealer | undefined;
  /** Scratch of the hot path (sealed-frame.ts): the header and the salt of the frame being built. */
  private readonly header = new SealedHeaderBuilder();
  private readonly salt = new Uint8Array(16);
  private readonly slab = new FrameSlab();
  /** Where hot-path frames are built for a store that copies them at once (`appendSync`). */
  private frameScratch = new Uint8Array(0);
  /** The last view of `frameScratch` handed to the store (frames of one log mostly share a size). */
  private frameView: Uint8Array = new Uint8Array(0);
  /** The last head, in a buffer of our own (the hot path copies into it; `head` hands out copies). */
  private readonly headBuffer = new Uint8Array(64);
  private closed = false;
  private lastSigned = -1;
  private lastHead: Uint8Array | undefined;
  private pending: Promise<void> | undefined;
  private failure: unknown;
  private tornTail: (TornTail & { frame: number }) | undefined;

  private constructor(
    readonly store: SequenceStore,
    readonly type: ContainerType,
    private readonly layout: JsonLayout,
    private readonly legacy: boolean,
    private readonly encryptor: FrameEncryptor | undefined,
    private readonly signer: HeadSigner | undefined,
    private readonly signEvery: number,
  ) {
    this.sealer = type === 'Merkle' && !legacy ? frameSealer(FRAME_SEALER_CONFIG) : undefined;
    this.integrity = new IntegrityState(type === 'Chain' && !legacy, type === 'Merkle' && !legacy, this.sealer);
  }

  /** Creates a new sequence in an empty store: writes frame 0 (policy, dare.md §9.1). */
  static async create(store: SequenceStore, options: CreateOptions = {}): Promise<SequenceWriter> {
    if (store.size !== 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'create needs an empty store; use SequenceWriter.open to append');
    const type = options.type ?? 'Merkle';
    const legacy = options.legacyDigests === true;
    if (options.signer && (legacy || (type !== 'Chain' && type !== 'Merkle'))) {
      throw new SequenceError('DARE_BAD_ARGUMENT', 'signed heads need a Chain or Merkle sequence with our digests (not List, Digest, Tree or legacy)');
    }
    const signer = options.signer === undefined ? undefined : headSignerOf(options.signer);
    const encryptor = options.encrypt ? new FrameEncryptor(options.encrypt) : undefined;
    const w = new SequenceWriter(store, type, options.layout ?? 'compact', legacy, encryptor, signer, checkEvery(options.signEvery));
    const policy: JsonObject = { ...(encryptor?.policy() ?? {}) };
    if (signer) policy['SignKeys'] = [{ PublicKeyECDH: { crv: 'Ed448', Public: signer.publicKey } }];
    await w.appendFrame(new Uint8Array(0), { policy, contentMeta: metaBytes(options.contentMeta) }).durable;
    return w;
  }

  /**
   * Reopens a sequence for appending. The existing frames are checked first — framing, indices,
   * TreePosition, digests, chain and heads recomputed from the bytes, encryption rules — and the
   * open fails with the first problem (a torn tail is not one: the next append truncates it). With
   * a signer, the last signed head must verify under a policy key: a writer never signs a head
   * over a prefix it cannot vouch for. Frames after that head (an unsigned tail, e.g. a writer
   * that crashed before signing) are covered by this session's signature; see the README.
   * Cost: one pass over the file (O(n) hashing), then O(log n) state.
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
    const reader = await SequenceReader.open(store, { allowUnauthenticated: options.allowUnauthenticated === true });
    if (reader.damage) throw reader.damage;
    const { report, leaves } = await inspectSequence(reader, { decrypt: false }, true, false);
    const problem = report.errors.find((e) => !(e.frame === reader.frameCount && e.code === 'DARE_TRUNCATED_FRAME'));
    if (problem) throw new SequenceError(problem.code, `cannot append: ${problem.message}`, { frame: problem.frame });
    const policy = reader.policy;
    const signer = checkSigner(options.signer === undefined ? undefined : headSignerOf(options.signer), signKeysOf(policy));
    let encryptor: FrameEncryptor | undefined;
    if (reader.encryptedSequence) {
      const recipients = encryptKeysOf(policy);
      if (recipients.length === 0) throw new SequenceError('DARE_POLICY', 'an encrypted sequence whose policy names no EncryptKeys cannot be appended to', { frame: 0 });
      const mode: EncryptionMode = policy['Encryption'] === 'Isolated' ? 'Isolated' : 'Session';
      encryptor = new FrameEncryptor({ recipients, mode, ...(options.random ? { random: options.random } : {}) });
    }
    const w = new SequenceWriter(store, reader.type, options.layout ?? 'compact', report.legacy, encryptor, signer, checkEvery(options.signEvery));
    let last: Awaited<ReturnType<SequenceReader['frame']>> | undefined;
    for (let i = 0; i < reader.frameCount; i++) {
      const f = await reader.frame(i);
      if (headSignaturesOf(f.trailer).length > 0) w.lastSigned = i;
      if (lastReferrer(i) >= reader.frameCount) w.positions.set(i, f.start);
      last = f;
    }
    if (hasDigest(reader.type) && !report.legacy) w.integrity.restore(leaves, reader.type === 'Chain' ? storedDigest(last!, 'ChainDigest') : undefined);
    if (reader.type === 'Chain' || reader.type === 'Merkle') w.lastHead = storedDigest(last!, reader.type === 'Chain' ? 'ChainDigest' : 'TreeDigest')?.slice();
    if (signer && w.lastSigned >= 0) await checkLastSignedHead(reader, w.lastSigned, signKeysOf(policy));
    w.next = reader.frameCount;
    w.end = reader.end;
    if (reader.tornTail) {
      w.tornTail = { ...reader.tornTail, frame: reader.frameCount };
      w.pending = w.dropTornTail(reader.end);
    }
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

  /**
   * The incomplete last frame an interrupted append left, found on opening: the frame number it
   * would have had, its offset and length. It is cut off before this writer's first frame (or on
   * `flush` / `close`), and the next frame takes its number.
   */
  get repairedTail(): (TornTail & { frame: number }) | undefined {
    return this.tornTail;
  }

  /** Number of frames written (frame 0 included). */
  get frameCount(): number {
    return this.next;
  }

  /** The current head: TreeDigest (Merkle) or ChainDigest (Chain) of the last frame (a copy). */
  get head(): Uint8Array | undefined {
    return this.lastHead?.slice();
  }

  /** The Merkle compact range (size and subtree roots): the whole tree state, O(log n). */
  get treeState(): { size: number; subtreeRoots: Uint8Array[] } {
    return { size: this.integrity.size, subtreeRoots: this.integrity.range?.subtreeRoots ?? [] };
  }

  /**
   * Appends one data frame. Returns once the frame is built and handed to the store; await
   * `result.durable` (or `flush()`) for durability.
   */
  append(payload: Uint8Array, options: AppendOptions = {}): AppendResult {
    if (!(payload instanceof Uint8Array)) throw new SequenceError('DARE_BAD_ARGUMENT', 'payload must be a Uint8Array');
    if (options.contentMeta === undefined && this.sealer && this.encryptor?.continuing && this.layout === 'compact' && !this.closed && !this.failure) {
      return this.appendSealed(payload);
    }
    return this.appendFrame(payload, { contentMeta: metaBytes(options.contentMeta) });
  }

  /**
   * The hot path of an encrypted Merkle log (sealed-frame.ts): a data frame that continues this
   * session's key exchange and has no content metadata. Header from a template, all of its
   * cryptography in one FrameSealer call (one WASM call after `init()`), frame bytes from
   * templates; the same bytes the general path (`appendFrame`) writes for the same values.
   */
  private appendSealed(plaintext: Uint8Array): AppendResult {
    const index = this.next;
    const treePosition = this.positions.get(previousFrame(index));
    if (treePosition === undefined) throw new SequenceError('DARE_BAD_POSITION', `offset of frame ${previousFrame(index)} is not known`, { frame: index });
    const enc = this.encryptor!;
    const sealer = this.sealer!;
    const header = this.header;
    enc.drawSalt(this.salt);
    const headerLength = header.write(this.salt, index, treePosition, enc.exchangePosition);
    const ciphertextLength = enc.seal(sealer, this.salt, header.bytes, headerLength, plaintext);
    this.integrity.sealed();
    // The sealer's outputs are views it overwrites on its next call: the result gets copies
    // (64-byte arrays live on V8's heap, cheaper than views of a shared buffer).
    const out = sealer.out;
    const pd = out.payloadDigest.slice();
    const head = out.head.slice();
    const hd = out.headerDigest.slice();
    let ciphertext = out.ciphertext;
    let mac = out.mac;
    let trailer: Uint8Array | undefined;
    if (this.signer && this.signEvery > 0 && index % this.signEvery === 0) {
      // Copies first: a signer is caller code and might seal frames of another log on the same core.
      ciphertext = ciphertext.slice(0, ciphertextLength);
      mac = mac.slice();
      const signatures = [headSignature(this.signer, 'Tree', index + 1, head) as JsonObject];
      this.lastSigned = index;
      trailer = encodeRecordJson(buildTrailer(this.type, { payloadDigest: pd, tree: head, signatures, payloadMac: mac })!, this.layout);
    }
    const size = sealedFrameSize(headerLength, ciphertextLength, trailer);
    // A store that copies at once gets the frame from a reused buffer; any other keeps the bytes
    // it is handed until they are written, so they come from the slab (never reused).
    const direct = this.pending === undefined && this.store.appendSync !== undefined;
    let bytes: Uint8Array;
    if (direct) {
      if (this.frameScratch.length < size) this.frameScratch = new Uint8Array(Math.max(size, 4096));
      writeSealedFrame(this.frameScratch, header.bytes, headerLength, ciphertext, ciphertextLength, pd, head, mac, trailer);
      if (this.frameView.length !== size || this.frameView.buffer !== this.frameScratch.buffer) this.frameView = this.frameScratch.subarray(0, size);
      bytes = this.frameView;
    } else {
      bytes = this.slab.alloc(size);
      writeSealedFrame(bytes, header.bytes, headerLength, ciphertext, ciphertextLength, pd, head, mac, trailer);
    }
    this.headBuffer.set(head);
    this.lastHead = this.headBuffer;
    const position = this.end;
    this.positions.set(index, position);
    this.end += size;
    this.next = index + 1;
    this.positions.forget(this.next);
    return { index, position, length: size, headerDigest: hd, payloadDigest: pd, head, durable: this.write(bytes) };
  }

  private appendFrame(plaintext: Uint8Array, o: { policy?: JsonObject; contentMeta?: Uint8Array | undefined; isMeta?: boolean }): AppendResult {
    if (this.closed) throw new SequenceError('DARE_CLOSED', 'writer is closed');
    if (this.failure) throw new SequenceError('DARE_IO', 'an earlier append failed; reopen the sequence', { cause: this.failure });
    const index = this.next;
    const treePosition = hasTreePosition(this.type) && index > 0 ? this.positions.get(previousFrame(index)) : undefined;
    if (hasTreePosition(this.type) && index > 0 && treePosition === undefined) {
      throw new SequenceError('DARE_BAD_POSITION', `offset of frame ${previousFrame(index)} is not known`, { frame: index });
    }
    // Every frame of an encrypted sequence is encrypted, meta frames included (dare.md §9.5).
    const enc: EncryptedFrame | undefined = this.encryptor?.encrypt(index, plaintext, o.contentMeta);
    const payload = enc ? enc.payload : plaintext;
    const header = buildHeader({
      type: this.type, index, encrypted: enc?.fields, policy: o.policy, contentMeta: enc ? undefined : o.contentMeta, treePosition,
      exchangePosition: enc?.exchangePosition, isMeta: o.isMeta,
    });
    const headerBytes = encodeRecordJson(header, this.layout);
    const digest = hasDigest(this.type);
    let hd: Uint8Array | undefined;
    let pd: Uint8Array | undefined;
    let mac: Uint8Array | undefined;
    if (digest || enc) {
      hd = headerDigest(headerBytes);
      pd = payloadDigest(payload);
    }
    if (enc) {
      try {
        mac = computePayloadMac(enc.macKey, { dig: 'S512', payloadDigest: pd!, headerDigest: hd! });
      } finally {
        enc.macKey.fill(0);
      }
    }
    let chain: Uint8Array | undefined;
    let tree: Uint8Array | undefined;
    if (digest) {
      if (this.legacy) {
        chain = legacyChainDigest(pd!);
        tree = legacyTreeDigest(index, pd!);
      } else {
        ({ chain, tree } = this.integrity.next(hd!, pd!));
      }
    }
    const head = this.type === 'Chain' ? chain : this.type === 'Merkle' ? tree : undefined;
    let signatures: JsonObject[] | undefined;
    const signNow = this.signer && head && (o.isMeta || (this.signEvery > 0 && index > 0 && index % this.signEvery === 0));
    if (signNow) {
      signatures = [headSignature(this.signer!, this.type === 'Chain' ? 'Chain' : 'Tree', index + 1, head!) as JsonObject];
      this.lastSigned = index;
    }
    const trailerObj = buildTrailer(this.type, { payloadDigest: pd, chain, tree, signatures, payloadMac: mac });
    // Frame 0 always has three records (an empty trailer is `f0 00`, dare.md §9.1).
    const trailer = trailerObj ? encodeRecordJson(trailerObj, this.layout) : index === 0 ? new Uint8Array(0) : undefined;
    const bytes = encodeFrame({ header: headerBytes, payload, trailer });
    const position = this.end;
    this.positions.set(index, position);
    this.end += bytes.length;
    this.next = index + 1;
    if (head) {
      this.headBuffer.set(head);
      this.lastHead = this.headBuffer;
    }
    this.positions.forget(this.next);
    const durable = this.write(bytes);
    return {
      index, position, length: bytes.length, ...(hd ? { headerDigest: hd } : {}), ...(pd ? { payloadDigest: pd } : {}),
      ...(head ? { head } : {}), durable,
    };
  }

  /**
   * `write` on a store that appends synchronously (`appendSync`, nothing pending): no promise
   * per frame. A failure is recorded at once, so the next append already refuses.
   */
  private writeSync(bytes: Uint8Array): Promise<void> {
    try {
      this.store.appendSync!(bytes);
      return DONE;
    } catch (e) {
      this.failure ??= e;
      const p = Promise.reject(e);
      p.then(undefined, () => undefined); // reported through `durable` and flush(), never as unhandled
      return p;
    }
  }

  private write(bytes: Uint8Array): Promise<void> {
    if (this.pending === undefined && this.store.appendSync !== undefined) return this.writeSync(bytes);
    const p = this.pending ? this.pending.then(() => this.store.append(bytes)) : this.store.append(bytes);
    // Records the failure, and handles the rejection: callers may ignore `durable` and rely on
    // flush(), so it must never be reported as unhandled; whoever awaits `durable` still sees it.
    p.then(undefined, (e: unknown) => {
      this.failure ??= e;
    });
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
      this.encryptor?.wipe();
      await this.store.close();
    }
  }
}

function checkEvery(n: number | undefined): number {
  if (n === undefined) return 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'signEvery must be a non-negative integer');
  return n;
}

/** The signer a reopened sequence's policy allows: the one given, if the policy names it. */
function checkSigner(signer: HeadSigner | undefined, policyKeys: Uint8Array[]): HeadSigner | undefined {
  const kids = (): string => policyKeys.map((k) => keyFingerprint('Ed448', k)).join(', ');
  if (signer) {
    if (!policyKeys.some((k) => bytesEqual(k, signer.publicKey))) {
      throw new SequenceError('DARE_POLICY', policyKeys.length === 0
        ? `this sequence's policy signs no heads; refusing to sign with ${signer.kid}`
        : `${signer.kid} is not a signer this sequence's policy names (SignKeys: ${kids()})`, { frame: 0 });
    }
    return signer;
  }
  if (policyKeys.length > 0) {
    throw new SequenceError('DARE_NO_KEY', `this sequence's policy signs its heads (SignKeys: ${kids()}); open it with one of those signers`, { frame: 0 });
  }
  return undefined;
}

/** The last signed head of a file the writer is about to sign over must verify under a policy key. */
async function checkLastSignedHead(reader: SequenceReader, frame: number, policyKeys: Uint8Array[]): Promise<void> {
  const f = await reader.frame(frame);
  const typ = reader.type === 'Chain' ? 'Chain' : 'Tree';
  const head = storedDigest(f, typ === 'Chain' ? 'ChainDigest' : 'TreeDigest'); // checked equal to the recomputed head
  for (const s of headSignaturesOf(f.trailer)) {
    const signed = { treeSize: frame + 1, typ: s.typ, head: head!, kid: s.kid, signature: s.signature };
    if (head && s.typ === typ && policyKeys.some((k) => verifySignedHead(signed, k))) return;
  }
  throw new SequenceError('DARE_BAD_SIGNATURE', `the signed head at frame ${frame} does not verify under a key the policy names; refusing to sign over it`, { frame });
}
