import { aes256CbcDecrypt, aes256CbcEncrypt } from '../../crypto/index.js';
import type { JsonObject } from '../../encoding/json-value.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { DareError } from '../errors.js';
import { deriveCbcKeys, deriveItemKeys } from '../kdf.js';
import type { DarePrivateKey, DarePublicKey } from '../keys.js';
import { openRecipients, recipientFromObject, recipientToObject, wrapBaseSeed } from '../recipient.js';
import { SequenceError } from './errors.js';
import { binaryField } from './info.js';

/**
 * Encryption of sequence frames (dare.md §9.5), on the envelope layer's key exchange
 * (`recipient.ts`: X448/… agreement, HKDF-SHA-512 KEK with info "", AES key wrap) and per-item
 * keys (`kdf.ts`: HKDF-SHA-256 of the base seed with the frame's own `Salt`).
 *
 * Modes (policy `Encryption`):
 * - `Once` (our default): frame 0 carries the only key exchange; every later frame has `enc`, its
 *   own 16-byte `Salt` and `SequenceInfo.ExchangePosition: 0` — one public-key operation per log,
 *   a fresh AES key and IV per frame. ExchangePosition is a frame *index* (REF; dare.md §10 — the
 *   draft's "location" reading is not what REF writes).
 * - `Isolated` (what REF's example shows): every frame does its own key exchange.
 * Readers also accept `Session` (exchange in the first encrypted frame, later frames point to it).
 */
export type EncryptionMode = 'Once' | 'Isolated';

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
  readonly recipients?: JsonObject[];
}

/** Encrypts frames for a writer; holds the base seed of the current exchange (secret). */
export class FrameEncryptor {
  readonly mode: EncryptionMode;
  private readonly random: RandomSource;
  private baseSeed: Uint8Array | undefined;

  /**
   * Salts are public (written in every header), so with the default source they are cut from a
   * pool filled 4 KiB at a time: one `getRandomValues` per 256 frames instead of per frame (it
   * was 6% of an append). Secrets (base seeds, ephemeral keys) are always drawn directly, and an
   * injected `random` is called for salts too, so deterministic tests see every draw.
   */
  private readonly salts: ((length: number) => Uint8Array);

  constructor(readonly options: EncryptOptions, existingSeed?: Uint8Array) {
    if (options.recipients.length === 0) throw new SequenceError('DARE_BAD_ARGUMENT', 'encryption needs at least one recipient key');
    this.mode = options.mode ?? 'Once';
    this.random = options.random ?? defaultRandom;
    this.salts = options.random ? options.random : saltPool();
    this.baseSeed = existingSeed;
  }

  /** Policy members for frame 0. */
  policy(): JsonObject {
    return {
      Encryption: this.mode,
      EncryptKeys: this.options.recipients.map((k) => ({ PublicKeyECDH: { crv: k.algorithm, Public: k.publicKey } })),
    };
  }

  /**
   * Encrypts the next frame's payload: a key exchange when the frame is the exchange frame (frame 0
   * in `Once` mode, every frame in `Isolated`), otherwise the current base seed with a new salt.
   */
  encrypt(plaintext: Uint8Array): { fields: EncryptedFields; exchangePosition?: number; payload: Uint8Array } {
    const exchange = this.mode === 'Isolated' || this.baseSeed === undefined;
    let recipients: JsonObject[] | undefined;
    if (exchange) {
      this.baseSeed = this.random(32);
      recipients = this.options.recipients.map((k) => recipientToObject(wrapBaseSeed(k, this.baseSeed!, this.random)));
    }
    const salt = this.salts(16);
    // A256CBC has no MAC key: derive key and IV only (one HKDF call; one WASM call on WASM).
    // Then AES in the `aes` family. Two calls per frame is the floor while AES (SIMD) and the
    // hashes are separate WASM modules, which lets a runtime without SIMD still hash in WASM.
    const keys = deriveCbcKeys(this.baseSeed!, salt);
    try {
      const payload = aes256CbcEncrypt(keys.key, keys.iv, plaintext);
      const fields: EncryptedFields = recipients ? { enc: 'A256CBC', Salt: salt, recipients } : { enc: 'A256CBC', Salt: salt };
      return exchange ? { fields, payload } : { fields, exchangePosition: 0, payload };
    } finally {
      keys.key.fill(0);
      keys.iv.fill(0);
    }
  }
}

/** Public random bytes cut from a 4 KiB pool of `defaultRandom` output (copies, never shared). */
function saltPool(): (length: number) => Uint8Array {
  let pool: Uint8Array = new Uint8Array(0);
  let at = 0;
  return (length) => {
    if (length > 1024) return defaultRandom(length);
    if (at + length > pool.length) {
      pool = defaultRandom(4096);
      at = 0;
    }
    const out = pool.slice(at, at + length);
    at += length;
    return out;
  };
}

/** Finds and caches base seeds for a reader (secret material stays in this object). */
export class FrameDecryptor {
  private readonly seeds = new Map<number, Uint8Array>();
  constructor(private readonly keys: readonly DarePrivateKey[]) {}

  /**
   * The plaintext of an encrypted frame. `exchangeHeader(i)` returns the header of frame i, for
   * frames whose recipients live at their ExchangePosition.
   */
  async decrypt(
    index: number, header: JsonObject, exchangePosition: number | undefined, payload: Uint8Array,
    exchangeHeader: (i: number) => Promise<JsonObject>,
  ): Promise<Uint8Array> {
    if (header['enc'] !== 'A256CBC') throw new SequenceError('DARE_DECRYPT', `unsupported enc '${String(header['enc'])}'`, { frame: index });
    const salt = binaryField(header, 'Salt', index);
    if (!salt) throw new SequenceError('DARE_DECRYPT', 'encrypted frame without Salt', { frame: index });
    const own = Array.isArray(header['recipients']);
    const at = own ? index : exchangePosition;
    if (at === undefined) throw new SequenceError('DARE_NO_KEY', 'encrypted frame with neither recipients nor ExchangePosition', { frame: index });
    if (at > index) throw new SequenceError('DARE_BAD_HEADER', 'ExchangePosition names a later frame', { frame: index });
    let seed = this.seeds.get(at);
    if (!seed) {
      const h = own ? header : await exchangeHeader(at);
      const list = h['recipients'];
      if (!Array.isArray(list)) throw new SequenceError('DARE_NO_KEY', `frame ${at} holds no recipients`, { frame: index });
      try {
        seed = openRecipients(list.map((r, i) => recipientFromObject(r, `frame ${at} recipients[${i}]`)), this.keys).baseSeed;
      } catch (e) {
        if (e instanceof DareError) throw new SequenceError(e.code === 'DARE_NO_KEY' ? 'DARE_NO_KEY' : 'DARE_DECRYPT', e.message, { frame: index, cause: e });
        throw e;
      }
      if (!own) this.seeds.set(at, seed);
    }
    const keys = deriveItemKeys(seed, salt);
    try {
      return aes256CbcDecrypt(keys.key, keys.iv, payload);
    } catch (e) {
      throw new SequenceError('DARE_DECRYPT', 'payload does not decrypt (wrong key or damaged frame)', { frame: index, cause: e });
    } finally {
      keys.key.fill(0);
      keys.iv.fill(0);
      keys.mac.fill(0);
    }
  }
}
