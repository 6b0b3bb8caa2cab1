import { aes256CbcDecrypt, aes256CbcEncrypt, hmacSha512 } from '../../crypto/index.js';
import { deriveCbcKeys } from '../../dare/kdf.js';
import { derivePayloadMacKey } from '../../dare/payload-mac.js';
import { parseJson } from '../../encoding/json-reader.js';
import { isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { writeJson } from '../../encoding/json-writer.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';

/**
 * Local side files of a store — the state snapshot and the rebase journal — sealed under the
 * store's snapshot key (store-secrets.ts), encrypt-then-MAC with DARE's own per-item keys:
 *
 *   sealed = magic (8) ‖ salt (16) ‖ AES-256-CBC(ciphertext) ‖ HMAC-SHA-512 (64)
 *
 * AES key and IV = DARE's item keys of (snapshot key, salt) (kdf.ts), MAC key = DARE's payload
 * MAC key of the same (payload-mac.ts), MAC over magic ‖ salt ‖ ciphertext, checked before
 * anything is decrypted. The plaintext is `u32 length ‖ JSON head ‖ body`: the head names the
 * store (a file of another store never opens as this one), the body is binary records.
 *
 * Anything that fails — torn write, other key, other store, other kind — reads as absent:
 * these files are accelerators and journals, and the store itself is the truth.
 */

/** What a sealed file holds. */
export interface SealedContent {
  readonly head: JsonObject;
  readonly body: Uint8Array;
}

const MAGIC_LENGTH = 8;
const SALT_LENGTH = 16;
const MAC_LENGTH = 64;

/** Seals a head and body under `key` with the 8-character ASCII `magic` (e.g. `MMMSNAP1`). */
export function seal(key: Uint8Array, magic: string, content: SealedContent, random: RandomSource = defaultRandom): Uint8Array {
  const m = utf8Encode(magic);
  if (m.length !== MAGIC_LENGTH) throw new RangeError('magic must be 8 ASCII characters');
  const head = utf8Encode(writeJson(content.head));
  const plain = new Uint8Array(4 + head.length + content.body.length);
  new DataView(plain.buffer).setUint32(0, head.length);
  plain.set(head, 4);
  plain.set(content.body, 4 + head.length);
  const salt = random(SALT_LENGTH);
  const k = deriveCbcKeys(key, salt);
  let ct: Uint8Array;
  try {
    ct = aes256CbcEncrypt(k.key, k.iv, plain);
  } finally {
    k.key.fill(0);
    k.iv.fill(0);
    plain.fill(0);
  }
  const out = new Uint8Array(MAGIC_LENGTH + SALT_LENGTH + ct.length + MAC_LENGTH);
  out.set(m);
  out.set(salt, MAGIC_LENGTH);
  out.set(ct, MAGIC_LENGTH + SALT_LENGTH);
  const macKey = derivePayloadMacKey(key, salt);
  out.set(hmacSha512(macKey, out.subarray(0, MAGIC_LENGTH + SALT_LENGTH + ct.length)), MAGIC_LENGTH + SALT_LENGTH + ct.length);
  macKey.fill(0);
  return out;
}

/** Opens what {@link seal} wrote; undefined when it is not intact under `key` with `magic`. */
export function unseal(key: Uint8Array, magic: string, bytes: Uint8Array | undefined): SealedContent | undefined {
  if (!bytes || bytes.length < MAGIC_LENGTH + SALT_LENGTH + 16 + MAC_LENGTH) return undefined;
  const m = utf8Encode(magic);
  for (let i = 0; i < MAGIC_LENGTH; i++) if (bytes[i] !== m[i]) return undefined;
  const salt = bytes.subarray(MAGIC_LENGTH, MAGIC_LENGTH + SALT_LENGTH);
  const macAt = bytes.length - MAC_LENGTH;
  const macKey = derivePayloadMacKey(key, salt);
  const mac = hmacSha512(macKey, bytes.subarray(0, macAt));
  macKey.fill(0);
  let d = 0;
  for (let i = 0; i < MAC_LENGTH; i++) d |= mac[i]! ^ bytes[macAt + i]!;
  if (d !== 0) return undefined;
  const k = deriveCbcKeys(key, salt);
  let plain: Uint8Array;
  try {
    plain = aes256CbcDecrypt(k.key, k.iv, bytes.subarray(MAGIC_LENGTH + SALT_LENGTH, macAt));
  } catch {
    return undefined;
  } finally {
    k.key.fill(0);
    k.iv.fill(0);
  }
  if (plain.length < 4) return undefined;
  const headLength = new DataView(plain.buffer, plain.byteOffset).getUint32(0);
  if (4 + headLength > plain.length) return undefined;
  let head: unknown;
  try {
    head = parseJson(utf8Decode(plain.subarray(4, 4 + headLength)));
  } catch {
    return undefined;
  }
  if (!isJsonObject(head)) return undefined;
  return { head, body: plain.subarray(4 + headLength) };
}

/** Writes length-prefixed records (unsigned LEB128 lengths and integers). */
export class RecordWriter {
  private buf = new Uint8Array(1 << 16);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }

  /** A non-negative safe integer. */
  uint(n: number): this {
    this.room(10);
    let v = n;
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.at++] = v;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  string(s: string): this {
    return this.bytes(utf8Encode(s));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

/** Reads what {@link RecordWriter} wrote; throws RangeError past the end. */
export class RecordReader {
  private at = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  uint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.buf.length) throw new RangeError('record runs past the end');
      const b = this.buf[this.at++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError('integer too long');
    }
  }

  /** A view of the next byte string (shares the buffer). */
  bytes(): Uint8Array {
    const n = this.uint();
    if (this.at + n > this.buf.length) throw new RangeError('record runs past the end');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  string(): string {
    return this.decoder.decode(this.bytes());
  }
}
