import { base64urlEncodeInto, base64urlLength } from '../../encoding/base64url.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { writeJson } from '../../encoding/json-writer.js';
import type { JsonObject } from '../../encoding/json-value.js';
import { writeReferenceJson } from '../../encoding/reference-json.js';
import type { ContainerType } from './info.js';
import type { EncryptedFields } from './encryption.js';

/**
 * Building frame headers and trailers in the reference member order (dare.md §2.1, §9.1):
 * `enc`, `dig`, `Salt`, `recipients`, `policy`, `ContentMetaData`, `SequenceInfo`; trailers
 * `signatures`, `PayloadDigest`, `ChainDigest` / `TreeDigest`.
 */

/** How header/trailer JSON text is laid out: strict compact JSON, or the reference's layout (§9.7). */
export type JsonLayout = 'compact' | 'reference';

/** Encodes a header or trailer object. */
export function encodeRecordJson(value: JsonObject, layout: JsonLayout): Uint8Array {
  if (layout === 'reference') return utf8Encode(writeReferenceJson(value));
  return compactRecordBytes(value) ?? utf8Encode(writeJson(value));
}

/** Scratch for {@link compactRecordBytes}; grows to the largest record seen (headers are small). */
let scratch = new Uint8Array(1024);
let at = 0;

function room(n: number): void {
  if (at + n <= scratch.length) return;
  const next = new Uint8Array(Math.max(2 * scratch.length, at + n));
  next.set(scratch.subarray(0, at));
  scratch = next;
}

/** Writes `s` as a JSON string body if it is printable ASCII needing no escape; false otherwise. */
function putPlain(s: string): boolean {
  room(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
    scratch[at++] = c;
  }
  return true;
}

/** base64url without padding (RFC 4648 §5), straight into the scratch buffer. */
function putBase64url(d: Uint8Array): void {
  room(base64urlLength(d.length));
  at = base64urlEncodeInto(d, scratch, at);
}

function putObject(value: JsonObject, nested: boolean): boolean {
  room(1);
  scratch[at++] = 0x7b; // {
  let first = true;
  for (const key of Object.keys(value)) {
    const m = value[key];
    if (m === undefined) continue;
    room(2);
    if (!first) scratch[at++] = 0x2c; // ,
    first = false;
    scratch[at++] = 0x22;
    if (!putPlain(key)) return false;
    room(2);
    scratch[at++] = 0x22;
    scratch[at++] = 0x3a; // :
    if (typeof m === 'string') {
      room(1);
      scratch[at++] = 0x22;
      if (!putPlain(m)) return false;
      room(1);
      scratch[at++] = 0x22;
    } else if (typeof m === 'number') {
      if (!Number.isSafeInteger(m)) return false;
      if (!putPlain(String(m))) return false;
    } else if (m instanceof Uint8Array) {
      room(1);
      scratch[at++] = 0x22;
      putBase64url(m);
      room(1);
      scratch[at++] = 0x22;
    } else if (!nested && typeof m === 'object' && m !== null && Object.getPrototypeOf(m) === Object.prototype) {
      if (!putObject(m as JsonObject, true)) return false;
    } else {
      return false;
    }
  }
  room(1);
  scratch[at++] = 0x7d; // }
  return true;
}

/**
 * `utf8Encode(writeJson(value))` for the shapes a data frame's header and trailer have — members
 * that are plain ASCII strings, safe integers, byte strings (base64url) or one level of such
 * objects — written as bytes in one pass, without the general writer's strings, path bookkeeping
 * and UTF-8 re-encoding (a fifth of a transaction-log append when profiled). Returns
 * undefined for anything else; the caller then uses writeJson, so the bytes are the same either way.
 */
export function compactRecordBytes(value: JsonObject): Uint8Array | undefined {
  at = 0;
  return putObject(value, false) ? scratch.slice(0, at) : undefined;
}

/** `{}` as the reference writes an empty ContentMetaData (base64url "e30"). */
export const EMPTY_CONTENT_META = utf8Encode('{}');

/** Parts of a frame header. */
export interface HeaderParts {
  readonly type: ContainerType;
  readonly index: number;
  readonly encrypted?: EncryptedFields | undefined;
  readonly policy?: JsonObject | undefined;
  /** ContentMetaData of a plaintext frame (an encrypted frame's travels in `cloaked`). */
  readonly contentMeta?: Uint8Array | undefined;
  readonly treePosition?: number | undefined;
  readonly exchangePosition?: number | undefined;
  readonly isMeta?: boolean | undefined;
}

/**
 * The header object of a frame. Plaintext frames always carry ContentMetaData (`{}` by default,
 * as the reference writes it); encrypted frames never do — their metadata is in `cloaked`.
 */
export function buildHeader(p: HeaderParts): JsonObject {
  const digest = p.type === 'Digest' || p.type === 'Chain' || p.type === 'Merkle';
  const info: JsonObject = p.index === 0
    ? { DataEncoding: 'JSON', ContainerType: p.type, Index: 0 }
    : { Index: p.index, TreePosition: p.treePosition, ExchangePosition: p.exchangePosition, IsMeta: p.isMeta || undefined };
  return {
    enc: p.encrypted?.enc,
    dig: digest ? 'S512' : undefined,
    Salt: p.encrypted?.Salt,
    cloaked: p.encrypted?.cloaked,
    recipients: p.encrypted?.recipients,
    policy: p.index === 0 ? (p.policy ?? {}) : undefined,
    ContentMetaData: p.encrypted ? undefined : (p.contentMeta ?? EMPTY_CONTENT_META),
    SequenceInfo: info,
  } as JsonObject;
}

/** Values of a frame's trailer. */
export interface TrailerParts {
  readonly payloadDigest?: Uint8Array | undefined;
  readonly chain?: Uint8Array | undefined;
  readonly tree?: Uint8Array | undefined;
  readonly signatures?: JsonObject[] | undefined;
  /** Keyed integrity of an encrypted frame (payload-mac.ts). */
  readonly payloadMac?: Uint8Array | undefined;
}

/**
 * The trailer object of a frame, or undefined when it has nothing to say (List and Tree frames
 * that are not encrypted). `PayloadMac` follows the reference's members (readers ignore it).
 */
export function buildTrailer(type: ContainerType, t: TrailerParts): JsonObject | undefined {
  const digest = type !== 'List' && type !== 'Tree';
  if (!digest && t.payloadMac === undefined) return undefined;
  return {
    signatures: t.signatures,
    PayloadDigest: digest ? t.payloadDigest : undefined,
    ChainDigest: type === 'Chain' ? t.chain : undefined,
    TreeDigest: type === 'Merkle' ? t.tree : undefined,
    PayloadMac: t.payloadMac,
  } as JsonObject;
}
