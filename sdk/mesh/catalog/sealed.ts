import { joinBytes } from '../../encoding/bytes.js';
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
 * store's snapshot key (store-secrets.ts), encrypt-then-MAC with DARE's own per-item keys, in
 * chunks of at most 1 MiB so that opening a large snapshot never holds more than one chunk's
 * transient copies beside the plaintext (native AES and HMAC copy their whole input):
 *
 *   sealed = magic (8) ‖ salt (16) ‖ n (u32) ‖ n × [ length (u32) ‖ ciphertext ‖ MAC (64) ]
 *
 * Chunk i uses the item keys of (snapshot key, salt ‖ i) (kdf.ts: AES-256-CBC key and IV) and the
 * payload-MAC key of the same (payload-mac.ts); its MAC is HMAC-SHA-512 over
 * magic ‖ salt ‖ n ‖ i ‖ ciphertext, checked before the chunk is decrypted — so chunks cannot be
 * reordered, dropped, repeated or taken from another file. The plaintext is
 * `u32 length ‖ JSON head ‖ body`: the head names the store (a file of another store never opens
 * as this one), the body is binary records.
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
const CHUNK = 1 << 20;

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

function chunkSalt(salt: Uint8Array, i: number): Uint8Array {
  const out = new Uint8Array(SALT_LENGTH + 4);
  out.set(salt);
  new DataView(out.buffer).setUint32(SALT_LENGTH, i);
  return out;
}

function chunkMac(key: Uint8Array, prefix: Uint8Array, salt: Uint8Array, i: number, ct: Uint8Array): Uint8Array {
  const cs = chunkSalt(salt, i);
  const macKey = derivePayloadMacKey(key, cs);
  const m = new Uint8Array(prefix.length + 4 + ct.length);
  m.set(prefix);
  m.set(u32(i), prefix.length);
  m.set(ct, prefix.length + 4);
  try {
    return hmacSha512(macKey, m);
  } finally {
    macKey.fill(0);
  }
}

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
  const n = Math.max(1, Math.ceil(plain.length / CHUNK));
  const prefix = new Uint8Array(MAGIC_LENGTH + SALT_LENGTH + 4);
  prefix.set(m);
  prefix.set(salt, MAGIC_LENGTH);
  prefix.set(u32(n), MAGIC_LENGTH + SALT_LENGTH);
  const parts: Uint8Array[] = [prefix];
  try {
    for (let i = 0; i < n; i++) {
      const k = deriveCbcKeys(key, chunkSalt(salt, i));
      let ct: Uint8Array;
      try {
        ct = aes256CbcEncrypt(k.key, k.iv, plain.subarray(i * CHUNK, Math.min(plain.length, (i + 1) * CHUNK)));
      } finally {
        k.key.fill(0);
        k.iv.fill(0);
      }
      parts.push(u32(ct.length), ct, chunkMac(key, prefix, salt, i, ct));
    }
  } finally {
    plain.fill(0);
  }
  return joinBytes(parts);
}

/** Where sealed bytes are read from: its size and ranged reads (a side file, or bytes in memory). */
export interface SealedSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A {@link SealedSource} over bytes in memory. */
export function sealedBytes(bytes: Uint8Array): SealedSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/**
 * Opens what {@link seal} wrote, reading it chunk by chunk; undefined when it is not intact under
 * `key` with `magic`. Holds the plaintext and one chunk at a time, never the whole sealed file.
 */
export async function unseal(key: Uint8Array, magic: string, src: SealedSource | undefined): Promise<SealedContent | undefined> {
  const fixed = MAGIC_LENGTH + SALT_LENGTH + 4;
  if (!src || src.size < fixed) return undefined;
  const prefix = (await src.read(0, fixed)).slice();
  if (prefix.length !== fixed) return undefined;
  const m = utf8Encode(magic);
  for (let i = 0; i < MAGIC_LENGTH; i++) if (prefix[i] !== m[i]) return undefined;
  const salt = prefix.subarray(MAGIC_LENGTH, MAGIC_LENGTH + SALT_LENGTH);
  const n = new DataView(prefix.buffer).getUint32(MAGIC_LENGTH + SALT_LENGTH);
  if (n === 0 || n > src.size) return undefined;
  // Plaintext is at most the ciphertext: one buffer for all chunks, cut to size at the end.
  const out = new Uint8Array(src.size);
  let at = fixed;
  let got = 0;
  for (let i = 0; i < n; i++) {
    if (at + 4 > src.size) return undefined;
    const lb = await src.read(at, 4);
    if (lb.length !== 4) return undefined;
    const len = new DataView(lb.buffer, lb.byteOffset, 4).getUint32(0);
    if (len === 0 || len % 16 !== 0 || at + 4 + len + MAC_LENGTH > src.size) return undefined;
    const chunk = await src.read(at + 4, len + MAC_LENGTH);
    if (chunk.length !== len + MAC_LENGTH) return undefined;
    const ct = chunk.subarray(0, len);
    const mac = chunk.subarray(len);
    const want = chunkMac(key, prefix, salt, i, ct);
    let d = 0;
    for (let k = 0; k < MAC_LENGTH; k++) d |= want[k]! ^ mac[k]!;
    if (d !== 0) return undefined;
    const k = deriveCbcKeys(key, chunkSalt(salt, i));
    try {
      const pt = aes256CbcDecrypt(k.key, k.iv, ct);
      out.set(pt, got);
      got += pt.length;
      pt.fill(0);
    } catch {
      return undefined;
    } finally {
      k.key.fill(0);
      k.iv.fill(0);
    }
    at += 4 + len + MAC_LENGTH;
  }
  if (at !== src.size) return undefined;
  const plain = out.subarray(0, got);
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
