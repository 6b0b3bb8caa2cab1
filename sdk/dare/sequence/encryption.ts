import { aes256CbcDecrypt, aes256CbcEncrypt, type FrameSealer } from '../../crypto/index.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { parseJson } from '../../encoding/json-reader.js';
import { describeJsonValue, isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { decodeEds, encodeEds } from '../eds.js';
import { DareError } from '../errors.js';
import { deriveCbcKeys, edsPrefix } from '../kdf.js';
import type { DarePrivateKey, DarePublicKey } from '../keys.js';
import { openRecipients, recipientFromObject, recipientToObject, wrapBaseSeed } from '../recipient.js';
import { SequenceError } from './errors.js';
import { derivePayloadMacKey, verifyPayloadMac } from '../payload-mac.js';
import { binaryField } from './info.js';

/**
 * Encryption of sequence frames (dare.md §9.5), on the envelope layer's key exchange
 * (`recipient.ts`: X448/… agreement, HKDF-SHA-512 KEK with info "", AES key wrap) and per-item
 * keys (`kdf.ts`: HKDF-SHA-256 of the base seed with the frame's own `Salt`).
 *
 * Modes (policy `Encryption`):
 * - `Session` (our default): the first frame a writer writes after opening the sequence carries a
 *   fresh key exchange to every recipient named in the policy's `EncryptKeys`; the later frames of
 *   that session have `enc`, their own 16-byte `Salt` and `SequenceInfo.ExchangePosition` = the
 *   index of that frame (a frame *index*, as REF reads it; dare.md §10). So a writer appends with
 *   the recipients' public keys alone — it never needs a private key to continue a log — and costs
 *   one public-key operation per session, a fresh AES key, IV and MAC key per frame.
 * - `Isolated` (what REF's example shows): every frame does its own key exchange.
 * Readers also accept REF's `Once` (frame 0's exchange for every frame).
 *
 * Every encrypted frame we write carries keyed integrity, `PayloadMac` (the envelope layer's
 * construction, payload-mac.ts: HMAC-SHA-512 under the frame's `mac` key over its payload digest
 * and its header digest HD, digests.ts), in its trailer. Readers check it before decrypting anything of the frame and refuse a frame without
 * one unless the caller opts in (`allowUnauthenticated`, for reference-written files). The MAC
 * failing and the padding failing give the same error, DARE_DECRYPT, with the same message.
 *
 * Content metadata of an encrypted frame (archive file names, paths, times) never appears in the
 * clear: it travels in `cloaked` (dare.md §2.1), an EDS (§4.3, prefix 0, `A256CBC`) whose body is
 * the JSON object `{"ContentMetaData": b64u}` of the header fields it hides. The frame MAC covers
 * it through the header digest.
 */
export type EncryptionMode = 'Session' | 'Isolated';

/** Writer options for an encrypted sequence. */
export interface EncryptOptions {
  /** Recipient public keys (X448 for the Mesh; any curve the envelope layer supports). */
  recipients: readonly DarePublicKey[];
  mode?: EncryptionMode;
  /** Randomness for base seeds, salts and ephemeral keys (default `crypto.getRandomValues`). */
  random?: RandomSource;
}

/** The header fields of an encrypted frame, in the reference order (dare.md §2.1). */
export interface EncryptedFields {
  readonly enc: 'A256CBC';
  readonly Salt: Uint8Array;
  readonly cloaked?: Uint8Array;
  readonly recipients?: JsonObject[];
}

/** One encrypted frame, before its header is encoded. `macKey` is secret: MAC, then wipe it. */
export interface EncryptedFrame {
  readonly fields: EncryptedFields;
  /** Index of the frame holding the key exchange, when it is not this frame. */
  readonly exchangePosition?: number;
  readonly payload: Uint8Array;
  readonly macKey: Uint8Array;
}

/** The EDS prefix of `cloaked` (dare.md §4.3: the cloaked header takes counter 0). */
const CLOAKED_PREFIX = /* @__PURE__ */ edsPrefix(0);

/** Encrypts frames for a writer; holds the base seed of the current exchange (secret). */
export class FrameEncryptor {
  readonly mode: EncryptionMode;
  private readonly random: RandomSource;
  private baseSeed: Uint8Array | undefined;
  private exchangeIndex = -1;

  /**
   * Salts are public (written in every header), so with the default source they are cut from a
   * pool filled 4 KiB at a time: one `getRandomValues` per 256 frames instead of per frame.
   * Secrets (base seeds, ephemeral keys) are always drawn directly, and an injected `random` is
   * called for salts too, so deterministic tests see every draw.
   */
  private readonly salts: (length: number) => Uint8Array;
  /** The pool behind `salts` with the default source (undefined with an injected `random`). */
  private readonly pool: SaltPool | undefined;

  constructor(readonly options: EncryptOptions) {
    if (options.recipients.length === 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'encryption needs at least one recipient key');
    this.mode = options.mode ?? 'Session';
    this.random = options.random ?? defaultRandom;
    const pool = options.random ? undefined : new SaltPool();
    this.pool = pool;
    this.salts = pool ? (n) => pool.take(n) : options.random!;
  }

  /** Policy members for frame 0. */
  policy(): JsonObject {
    return {
      Encryption: this.mode,
      EncryptKeys: this.options.recipients.map((k) => ({ PublicKeyECDH: { crv: k.algorithm, Public: k.publicKey } })),
    };
  }

  /**
   * Encrypts frame `index`: a new key exchange when it is the session's first frame (every frame
   * in `Isolated`), otherwise the session's base seed with a new salt. `contentMeta` goes into
   * `cloaked`.
   */
  encrypt(index: number, plaintext: Uint8Array, contentMeta?: Uint8Array): EncryptedFrame {
    const exchange = this.mode === 'Isolated' || this.baseSeed === undefined;
    let recipients: JsonObject[] | undefined;
    if (exchange) {
      this.baseSeed?.fill(0);
      this.baseSeed = this.random(32);
      this.exchangeIndex = index;
      recipients = this.options.recipients.map((k) => recipientToObject(wrapBaseSeed(k, this.baseSeed!, this.random)));
    }
    const salt = this.salts(16);
    const keys = deriveCbcKeys(this.baseSeed!, salt);
    try {
      const payload = aes256CbcEncrypt(keys.key, keys.iv, plaintext);
      const cloaked = contentMeta === undefined ? undefined : encodeEds(CLOAKED_PREFIX, cloakedBody(contentMeta), { enc: 'A256CBC', baseSeed: this.baseSeed!, salt });
      const fields: EncryptedFields = { enc: 'A256CBC', Salt: salt, ...(cloaked ? { cloaked } : {}), ...(recipients ? { recipients } : {}) };
      const macKey = derivePayloadMacKey(this.baseSeed!, salt);
      return exchange ? { fields, payload, macKey } : { fields, exchangePosition: this.exchangeIndex, payload, macKey };
    } finally {
      keys.key.fill(0);
      keys.iv.fill(0);
    }
  }

  /**
   * True when the next frame continues this writer's session (no key exchange): the frames the
   * hot path (sealed-frame.ts) writes.
   */
  get continuing(): boolean {
    return this.mode === 'Session' && this.baseSeed !== undefined;
  }

  /** Index of the frame holding this session's key exchange (−1 before the first frame). */
  get exchangePosition(): number {
    return this.exchangeIndex;
  }

  /** Draws a continuing frame's salt into `out` (16 bytes): the same draw `encrypt` makes. */
  drawSalt(out: Uint8Array): void {
    if (this.pool) this.pool.into(out);
    else out.set(this.salts(16));
  }

  /**
   * Seals a continuing frame (see {@link continuing}) with this session's base seed: keys, CBC,
   * digests, MAC and the tree append in one `FrameSealer` call. Returns the ciphertext length.
   */
  seal(sealer: FrameSealer, salt: Uint8Array, header: Uint8Array, headerLength: number, plaintext: Uint8Array): number {
    if (!this.continuing) throw new SequenceError('DARE_BAD_ARGUMENT', 'seal needs a session that has done its key exchange');
    return sealer.seal(this.baseSeed!, salt, header, headerLength, plaintext);
  }

  /** Forgets the base seed (on close). */
  wipe(): void {
    this.baseSeed?.fill(0);
    this.baseSeed = undefined;
  }
}

/** The body of `cloaked`: the hidden header fields as JSON. */
function cloakedBody(contentMeta: Uint8Array): Uint8Array {
  return utf8Encode(`{"ContentMetaData":"${base64urlEncode(contentMeta)}"}`);
}

/** A pool of public random bytes for salts (see {@link FrameEncryptor}). */
/** Public random bytes cut from a 4 KiB pool (see `FrameEncryptor.salts`). */
class SaltPool {
  private pool: Uint8Array = new Uint8Array(0);
  private at = 0;

  /** `length` fresh bytes (a view of the pool; larger draws come straight from the source). */
  take(length: number): Uint8Array {
    if (length > 1024) return defaultRandom(length);
    this.refill(length);
    const out = this.pool.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  /** Fills `out` (at most 1 KiB) with fresh bytes: the same draw as `take`, without a view. */
  into(out: Uint8Array): void {
    const n = out.length;
    if (n > 1024) {
      out.set(defaultRandom(n));
      return;
    }
    this.refill(n);
    const p = this.pool;
    for (let i = 0, a = this.at; i < n; i++) out[i] = p[a + i]!;
    this.at += n;
  }

  private refill(length: number): void {
    if (this.at + length > this.pool.length) {
      this.pool = defaultRandom(4096);
      this.at = 0;
    }
  }
}

/** The parts of a frame the decryptor needs. */
export interface EncryptedFrameParts {
  readonly index: number;
  readonly header: JsonObject;
  /** SequenceInfo.ExchangePosition. */
  readonly exchangePosition: number | undefined;
  readonly payload: Uint8Array;
  readonly payloadDigest: Uint8Array;
  readonly headerDigest: Uint8Array;
  /** The trailer's `PayloadMac`, if any. */
  readonly mac: Uint8Array | undefined;
}

/** What an encrypted frame holds. */
export interface OpenedFrame {
  readonly payload: Uint8Array;
  /** ContentMetaData from `cloaked`, when present. */
  readonly contentMeta: Uint8Array | undefined;
}

/** One frame's payload key and IV (secret; disclosed only in inclusion proofs, prove.ts). */
export interface FrameKey {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

/** The one message of every failure after the key is found (no oracle: MAC and padding alike). */
const DECRYPT_FAILED = 'frame does not decrypt (wrong key, or the frame was changed)';

/** Finds and caches base seeds for a reader (secret material stays in this object). */
export class FrameDecryptor {
  private readonly seeds = new Map<number, Uint8Array>();
  constructor(private readonly keys: readonly DarePrivateKey[], private readonly allowUnauthenticated = false) {}

  /**
   * Checks the frame's MAC, then decrypts its payload and cloaked metadata. `exchangeHeader(i)`
   * returns the header of frame i, for frames whose recipients live at their ExchangePosition.
   */
  async open(f: EncryptedFrameParts, exchangeHeader: (i: number) => Promise<JsonObject>): Promise<OpenedFrame> {
    return (await this.openWithKey(f, exchangeHeader, false)).opened;
  }

  /** The frame's payload key and IV, once its MAC verifies and it decrypts. */
  async frameKey(f: EncryptedFrameParts, exchangeHeader: (i: number) => Promise<JsonObject>): Promise<FrameKey> {
    return (await this.openWithKey(f, exchangeHeader, true)).key!;
  }

  private async openWithKey(
    f: EncryptedFrameParts, exchangeHeader: (i: number) => Promise<JsonObject>, disclose: boolean,
  ): Promise<{ opened: OpenedFrame; key?: FrameKey }> {
    const { index, header } = f;
    if (header['enc'] !== 'A256CBC') throw new SequenceError('DARE_DECRYPT', `unsupported enc ${describeJsonValue(header['enc'])}`, { frame: index });
    const salt = binaryField(header, 'Salt', index);
    if (!salt) throw new SequenceError('DARE_DECRYPT', 'encrypted frame without Salt', { frame: index });
    if (f.mac === undefined && !this.allowUnauthenticated) {
      throw new SequenceError('DARE_DECRYPT', 'encrypted frame without keyed integrity (no PayloadMac); refusing to decrypt it', { frame: index });
    }
    const seed = await this.seedFor(f, exchangeHeader);
    if (f.mac !== undefined) {
      const macKey = derivePayloadMacKey(seed, salt);
      const good = verifyPayloadMac(macKey, { dig: 'S512', payloadDigest: f.payloadDigest, headerDigest: f.headerDigest }, f.mac);
      macKey.fill(0);
      if (!good) throw new SequenceError('DARE_DECRYPT', DECRYPT_FAILED, { frame: index });
    }
    const keys = deriveCbcKeys(seed, salt);
    try {
      let payload: Uint8Array;
      let contentMeta: Uint8Array | undefined;
      try {
        payload = aes256CbcDecrypt(keys.key, keys.iv, f.payload);
        const cloaked = binaryField(header, 'cloaked', index);
        if (cloaked) contentMeta = uncloak(decodeEds(cloaked, { enc: 'A256CBC', baseSeed: seed, salt }, undefined, `frame ${index} cloaked`).body);
      } catch (e) {
        throw new SequenceError('DARE_DECRYPT', DECRYPT_FAILED, { frame: index, cause: e });
      }
      return { opened: { payload, contentMeta }, ...(disclose ? { key: { key: keys.key.slice(), iv: keys.iv.slice() } } : {}) };
    } finally {
      keys.key.fill(0);
      keys.iv.fill(0);
    }
  }

  private async seedFor(f: EncryptedFrameParts, exchangeHeader: (i: number) => Promise<JsonObject>): Promise<Uint8Array> {
    const own = Array.isArray(f.header['recipients']);
    const at = own ? f.index : f.exchangePosition;
    if (at === undefined) throw new SequenceError('DARE_NO_KEY', 'encrypted frame with neither recipients nor ExchangePosition', { frame: f.index });
    if (at > f.index) throw new SequenceError('DARE_BAD_HEADER', 'ExchangePosition names a later frame', { frame: f.index });
    const cached = this.seeds.get(at);
    if (cached) return cached;
    const h = own ? f.header : await exchangeHeader(at);
    const list = h['recipients'];
    if (!Array.isArray(list)) throw new SequenceError('DARE_NO_KEY', `frame ${at} holds no recipients`, { frame: f.index });
    let seed: Uint8Array;
    try {
      seed = openRecipients(list.map((r, i) => recipientFromObject(r, `frame ${at} recipients[${i}]`)), this.keys).baseSeed;
    } catch (e) {
      if (e instanceof DareError) throw new SequenceError(e.code === 'DARE_NO_KEY' ? 'DARE_NO_KEY' : 'DARE_DECRYPT', e.message, { frame: f.index, cause: e });
      throw e;
    }
    this.seeds.set(at, seed);
    return seed;
  }
}

/** The ContentMetaData bytes of a decrypted `cloaked` body. */
function uncloak(body: Uint8Array): Uint8Array | undefined {
  const o = parseJson(body);
  if (!isJsonObject(o)) throw new SequenceError('DARE_BAD_HEADER', 'cloaked header fields are not a JSON object');
  const cm = o['ContentMetaData'];
  return typeof cm === 'string' ? base64urlDecode(cm) : undefined;
}
