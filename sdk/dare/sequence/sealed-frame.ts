import { base64urlEncodeInto } from '../../encoding/base64url.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { utf8Encode } from '../../encoding/utf8.js';
import type { FrameSealerConfig } from '../../crypto/index.js';
import { ITEM_KEY_LABELS } from '../kdf.js';
import { payloadMacMessage } from '../payload-mac.js';
import { FRAME_TAG, RECORD_TAG, tagSize, writeForwardTag, writeReverseTag } from './tags.js';

/**
 * The hot path of an encrypted Merkle log: a data frame of a writer session that already did its
 * key exchange, without content metadata — the frame a transaction log appends over and over.
 * Its bytes are exactly what the general path (buildHeader / buildTrailer / encodeRecordJson /
 * encodeFrame, header.ts and frame.ts) writes for the same values; here they are laid out from
 * fixed templates straight into reused buffers, and the cryptography is one `FrameSealer` call
 * (mathmesh/crypto frame-sealer.ts: one WASM call after `init()`). `test/dare-sequence-sealed.test.ts`
 * checks both paths byte for byte.
 *
 * Header (compact JSON, members in the order of header.ts):
 *   {"enc":"A256CBC","dig":"S512","Salt":"…","SequenceInfo":{"Index":i,"TreePosition":p,"ExchangePosition":e}}
 * Trailer (no signature):
 *   {"PayloadDigest":"…","TreeDigest":"…","PayloadMac":"…"}
 */

/** The sealer configuration of DARE frames: dare.md §4.2 labels, and the PayloadMac message (payload-mac.ts). */
export const FRAME_SEALER_CONFIG: FrameSealerConfig = /* @__PURE__ */ sealerConfig();

function sealerConfig(): FrameSealerConfig {
  const zeros = new Uint8Array(64);
  const template = payloadMacMessage({ dig: 'S512', payloadDigest: zeros, headerDigest: zeros });
  // JSON-B [ "DarePayloadMac", "S512", PD, HD ]: each digest is the last 64 bytes of its binary item,
  // HD just before the closing byte. Check the offsets against the real encoder, not just the layout.
  const headerDigestOffset = template.length - 1 - 64;
  const payloadDigestOffset = headerDigestOffset - 2 - 64;
  const pd = new Uint8Array(64).fill(0x5a);
  const hd = new Uint8Array(64).fill(0xa5);
  const probe = template.slice();
  probe.set(pd, payloadDigestOffset);
  probe.set(hd, headerDigestOffset);
  if (!bytesEqual(probe, payloadMacMessage({ dig: 'S512', payloadDigest: pd, headerDigest: hd }))) {
    throw new Error('PayloadMac message layout changed: update sealed-frame.ts');
  }
  return {
    keyInfo: utf8Encode(ITEM_KEY_LABELS.key), ivInfo: utf8Encode(ITEM_KEY_LABELS.iv), macInfo: utf8Encode(ITEM_KEY_LABELS.mac),
    macTemplate: template, payloadDigestOffset, headerDigestOffset,
  };
}

const ascii = (s: string): Uint8Array => utf8Encode(s);
const HEADER_SALT = ascii('{"enc":"A256CBC","dig":"S512","Salt":"');
const HEADER_INDEX = ascii('","SequenceInfo":{"Index":');
const HEADER_TREE = ascii(',"TreePosition":');
const HEADER_EXCHANGE = ascii(',"ExchangePosition":');
const HEADER_END = ascii('}}');
const TRAILER_PD = ascii('{"PayloadDigest":"');
const TRAILER_TREE = ascii('","TreeDigest":"');
const TRAILER_MAC = ascii('","PayloadMac":"');
const TRAILER_END = ascii('"}');
/** base64url of 64 bytes, unpadded. */
const B64_64 = 86;
/** Length of the trailer: three 64-byte values and the member names. */
export const SEALED_TRAILER_LENGTH = TRAILER_PD.length + TRAILER_TREE.length + TRAILER_MAC.length + TRAILER_END.length + 3 * B64_64;

function put(out: Uint8Array, at: number, b: Uint8Array): number {
  out.set(b, at);
  return at + b.length;
}

/** Writes a non-negative safe integer in decimal (as JSON writes it). */
function putInt(out: Uint8Array, at: number, v: number): number {
  if (v < 10) {
    out[at] = 0x30 + v;
    return at + 1;
  }
  if (v <= 0x7fffffff) {
    // int32 arithmetic (exact here): no floating-point division per digit.
    let digits = 1;
    for (let p = 10; p <= v && digits < 10; p *= 10) digits++;
    for (let i = at + digits - 1; i >= at; i--) {
      const q = (v / 10) | 0;
      out[i] = 0x30 + (v - q * 10);
      v = q;
    }
    return at + digits;
  }
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  for (let i = at + digits - 1; i >= at; i--) {
    out[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  return at + digits;
}

/** Room for any header of this shape (indices up to 2^53). */
export const SEALED_HEADER_MAX = 256;

/**
 * Writes the header of a hot-path frame into `out` (at least {@link SEALED_HEADER_MAX} bytes);
 * returns its length.
 */
export function writeSealedHeader(out: Uint8Array, salt: Uint8Array, index: number, treePosition: number, exchangePosition: number): number {
  let at = put(out, 0, HEADER_SALT);
  at = base64urlEncodeInto(salt, out, at);
  at = put(out, at, HEADER_INDEX);
  at = putInt(out, at, index);
  at = put(out, at, HEADER_TREE);
  at = putInt(out, at, treePosition);
  at = put(out, at, HEADER_EXCHANGE);
  at = putInt(out, at, exchangePosition);
  return put(out, at, HEADER_END);
}

/** Characters of a 16-byte salt in base64url (unpadded). */
const SALT_CHARS = 22;
/** Where the salt's text starts and where the constant text after it ends in a header. */
const SALT_AT = HEADER_SALT.length;
const INDEX_AT = SALT_AT + SALT_CHARS + HEADER_INDEX.length;

/**
 * The header of a writer's hot-path frames, built in one reused buffer: the text before the index
 * (`{"enc":…,"Salt":"` + salt + `","SequenceInfo":{"Index":`) is laid out once, so a frame
 * writes its salt's 22 characters and three integers; the bytes are those of
 * {@link writeSealedHeader} (a 16-byte salt always takes 22 characters, so nothing moves).
 */
export class SealedHeaderBuilder {
  /** The header is `bytes[0..length)` after {@link write}. */
  readonly bytes = new Uint8Array(SEALED_HEADER_MAX);
  length = 0;
  /** `,"ExchangePosition":e}}` for the last exchange position seen (constant in a session). */
  private tail = new Uint8Array(0);
  private tailFor = -1;

  constructor() {
    put(this.bytes, 0, HEADER_SALT);
    put(this.bytes, SALT_AT + SALT_CHARS, HEADER_INDEX);
  }

  /** Writes the header of a frame with a 16-byte salt; returns its length. */
  write(salt: Uint8Array, index: number, treePosition: number, exchangePosition: number): number {
    const out = this.bytes;
    if (salt.length !== 16) return (this.length = writeSealedHeader(out, salt, index, treePosition, exchangePosition));
    if (exchangePosition !== this.tailFor) {
      const t = new Uint8Array(HEADER_EXCHANGE.length + 20 + HEADER_END.length);
      const n = put(t, putInt(t, put(t, 0, HEADER_EXCHANGE), exchangePosition), HEADER_END);
      this.tail = t.slice(0, n);
      this.tailFor = exchangePosition;
    }
    base64urlEncodeInto(salt, out, SALT_AT);
    let at = putInt(out, INDEX_AT, index);
    at = put(out, at, HEADER_TREE);
    at = putInt(out, at, treePosition);
    return (this.length = put(out, at, this.tail));
  }
}

/** Size of a record holding `n` bytes. */
const recordSize = (n: number): number => tagSize(n) + n;

/** Bytes per slab of {@link FrameSlab}. */
const SLAB = 1 << 16;

/**
 * Hands out the bytes of new frames as views of 64 KiB slabs. V8 gives every typed array over 64
 * bytes its own off-heap backing store, whose allocation and finalization cost more than
 * building a small frame; a view of a slab is an ordinary heap object. Regions are never reused:
 * a slab lives as long as the store keeps any frame in it.
 */
export class FrameSlab {
  private slab = new Uint8Array(0);
  private at = 0;

  alloc(n: number): Uint8Array {
    if (this.at + n > this.slab.length) {
      if (n > SLAB / 4) return new Uint8Array(n);
      this.slab = new Uint8Array(SLAB);
      this.at = 0;
    }
    const out = this.slab.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/**
 * The bytes of a hot-path frame: header record, ciphertext record and a trailer record built from
 * PD, the tree head and the MAC (or `trailer`, when the frame carries more, e.g. a signature).
 * Its bytes come from `slab` (no typed-array allocation per frame).
 */
export function assembleSealedFrame(
  slab: FrameSlab, header: Uint8Array, headerLength: number, ciphertext: Uint8Array, ciphertextLength: number,
  pd: Uint8Array, head: Uint8Array, mac: Uint8Array, trailer?: Uint8Array,
): Uint8Array {
  const out = slab.alloc(sealedFrameSize(headerLength, ciphertextLength, trailer));
  writeSealedFrame(out, header, headerLength, ciphertext, ciphertextLength, pd, head, mac, trailer);
  return out;
}

/**
 * The last view `prefix(source, n)` made: a writer's ciphertext is the same n bytes of the sealer's
 * region frame after frame, so one view serves them all (a view costs an allocation).
 */
let prefixSource: Uint8Array | undefined;
let prefixView: Uint8Array = new Uint8Array(0);

function prefix(source: Uint8Array, n: number): Uint8Array {
  if (n === source.length) return source;
  if (source !== prefixSource || prefixView.length !== n) {
    prefixSource = source;
    prefixView = source.subarray(0, n);
  }
  return prefixView;
}

/** Bytes of a hot-path frame (see {@link writeSealedFrame}). */
export function sealedFrameSize(headerLength: number, ciphertextLength: number, trailer?: Uint8Array): number {
  const inner = recordSize(headerLength) + recordSize(ciphertextLength) + recordSize(trailer ? trailer.length : SEALED_TRAILER_LENGTH);
  return 2 * tagSize(inner) + inner;
}

/**
 * Writes the bytes of {@link assembleSealedFrame} at the start of `out` (at least
 * {@link sealedFrameSize} bytes, e.g. a reused buffer when the store copies at once); returns
 * the frame's length.
 */
export function writeSealedFrame(
  out: Uint8Array, header: Uint8Array, headerLength: number, ciphertext: Uint8Array, ciphertextLength: number,
  pd: Uint8Array, head: Uint8Array, mac: Uint8Array, trailer?: Uint8Array,
): number {
  const trailerLength = trailer ? trailer.length : SEALED_TRAILER_LENGTH;
  const inner = recordSize(headerLength) + recordSize(ciphertextLength) + recordSize(trailerLength);
  const end = 2 * tagSize(inner) + inner;
  let at = writeForwardTag(out, 0, FRAME_TAG, inner);
  at = writeForwardTag(out, at, RECORD_TAG, headerLength);
  // A header buffer that ends inside the frame is copied whole (no view): the records written
  // next overwrite whatever it holds past the header.
  out.set(at + header.length <= end ? header : header.subarray(0, headerLength), at);
  at += headerLength;
  at = writeForwardTag(out, at, RECORD_TAG, ciphertextLength);
  out.set(prefix(ciphertext, ciphertextLength), at);
  at += ciphertextLength;
  at = writeForwardTag(out, at, RECORD_TAG, trailerLength);
  if (trailer) {
    out.set(trailer, at);
    at += trailer.length;
  } else {
    at = put(out, at, TRAILER_PD);
    at = base64urlEncodeInto(pd, out, at);
    at = put(out, at, TRAILER_TREE);
    at = base64urlEncodeInto(head, out, at);
    at = put(out, at, TRAILER_MAC);
    at = base64urlEncodeInto(mac, out, at);
    at = put(out, at, TRAILER_END);
  }
  return writeReverseTag(out, at, FRAME_TAG, inner);
}
