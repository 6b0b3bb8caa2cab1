import { setMember, type JsonObject, type JsonValue } from '../encoding/json-value.js';
import { DareError } from './errors.js';
import { asObject, bad, optArray, optBinary, optObject, optString, toBinary } from './fields.js';
import { recipientFromObject, recipientToObject, type DareRecipient } from './recipient.js';
import { signatureFromObject, signatureToObject, type DareSignature } from './signature.js';

/**
 * Envelope header and trailer fields (dare.md §2.1). A trailer is the same structure holding
 * only trailer fields (signatures, digests). Values are typed here (binary as bytes, whatever the
 * wire form); members this library does not know are kept in `extra` and written back after the
 * known ones, so a reader never drops what a newer writer put in (dare.md §2.1: "ignore unknown
 * fields").
 */
export interface DareHeader {
  /** Signatures (trailer) — also the reference's header "signers" list, which has the same JSON name. */
  signatures?: DareSignature[];
  signedData?: Uint8Array;
  /** H(payload bytes as stored). */
  payloadDigest?: Uint8Array;
  /**
   * Keyed integrity of an encrypted payload (our addition, payload-mac.ts): HMAC-SHA-512 under the
   * envelope's `mac` key over the digest id, PayloadDigest and header digest. The reference
   * writes none and ignores it when reading.
   */
  payloadMac?: Uint8Array;
  /** Sequence values (dare.md §9.4); carried, not interpreted, by envelopes. */
  chainDigest?: Uint8Array;
  treeDigest?: Uint8Array;
  envelopeId?: string;
  /** Payload cipher id; present ⇒ encrypted. */
  enc?: string;
  /** Digest id; present ⇒ the payload is digested. */
  dig?: string;
  /** Symmetric key id of the base seed (dare.md §6). Informational only: never trusted. */
  kid?: string;
  /** Master salt of the per-item key derivation. */
  salt?: Uint8Array;
  malt?: Uint8Array;
  /** EDS holding encrypted header fields (carried, not interpreted). */
  cloaked?: Uint8Array;
  /** EDS list (dare.md §4.3). */
  annotations?: Uint8Array[];
  recipients?: DareRecipient[];
  /** Sequence policy (frame 0), kept as the parsed object. */
  policy?: JsonObject;
  /** UTF-8 JSON text of a ContentMeta object. */
  contentMetaData?: Uint8Array;
  /** Sequence frame info / index, kept as parsed objects. */
  sequenceInfo?: JsonObject;
  sequenceIndex?: JsonObject;
  /** DateTime text, `yyyy-MM-ddTHH:mm:ssZ`. */
  received?: string;
  /** Unknown members, in document order. */
  extra?: JsonObject;
}

type Kind = 'bin' | 'str' | 'obj' | 'bins' | 'sigs' | 'recs';
/** Property, JSON name and value kind, in the reference's serialization order (dare.md §2.1). */
const FIELDS: readonly [keyof DareHeader, string, Kind][] = [
  ['signatures', 'signatures', 'sigs'],
  ['signedData', 'SignedData', 'bin'],
  ['payloadDigest', 'PayloadDigest', 'bin'],
  ['payloadMac', 'PayloadMac', 'bin'],
  ['chainDigest', 'ChainDigest', 'bin'],
  ['treeDigest', 'TreeDigest', 'bin'],
  ['envelopeId', 'EnvelopeId', 'str'],
  ['enc', 'enc', 'str'],
  ['dig', 'dig', 'str'],
  ['kid', 'kid', 'str'],
  ['salt', 'Salt', 'bin'],
  ['malt', 'Malt', 'bin'],
  ['cloaked', 'cloaked', 'bin'],
  ['annotations', 'annotations', 'bins'],
  ['recipients', 'recipients', 'recs'],
  ['policy', 'policy', 'obj'],
  ['contentMetaData', 'ContentMetaData', 'bin'],
  ['sequenceInfo', 'SequenceInfo', 'obj'],
  ['sequenceIndex', 'SequenceIndex', 'obj'],
  ['received', 'Received', 'str'],
];

const KNOWN = new Set(FIELDS.map((f) => f[1]));

/**
 * Where a header's own `signatures` go: the reference's DareHeader inherits DareTrailer (whose
 * `signatures` come first) but writes its own signer list (`Signers`, also tagged "signatures")
 * after `annotations` — the position REF uses in frames a service stored with the signatures
 * in the header (ProtocolPollClaim.md; mesh-kinds.md D1, vector frame-local-claim).
 */
const HEADER_SIGNERS_AFTER = 'annotations';

/**
 * A header or trailer as a JSON object value in reference member order (binary as `Uint8Array`),
 * for either writer. `role: 'header'` puts a header's own `signatures` where REF writes them;
 * the default keeps them first, the trailer order.
 */
export function headerToObject(h: DareHeader, role: 'header' | 'trailer' = 'trailer'): JsonObject {
  const o: JsonObject = {};
  const put = (prop: keyof DareHeader, name: string, kind: Kind): void => {
    const v = h[prop];
    if (v === undefined) return;
    switch (kind) {
      case 'sigs':
        o[name] = (v as DareSignature[]).map(signatureToObject);
        break;
      case 'recs':
        o[name] = (v as DareRecipient[]).map(recipientToObject);
        break;
      case 'bins':
        o[name] = [...(v as Uint8Array[])];
        break;
      default:
        o[name] = v as JsonValue;
    }
  };
  for (const [prop, name, kind] of FIELDS) {
    if (prop === 'signatures' && role === 'header') continue;
    put(prop, name, kind);
    if (name === HEADER_SIGNERS_AFTER && role === 'header') put('signatures', 'signatures', 'sigs');
  }
  if (h.extra) {
    for (const [name, v] of Object.entries(h.extra)) {
      if (KNOWN.has(name)) throw new DareError('DARE_BAD_ARGUMENT', `header extra member '${name}' is a known field`);
      if (v !== undefined) setMember(o, name, v);
    }
  }
  return o;
}

/** True when the header has no member (an empty trailer is omitted, dare.md §2). */
export function isEmptyHeader(h: DareHeader): boolean {
  return Object.keys(headerToObject(h)).length === 0;
}

/** Reads a header or trailer object (JSON or JSON-B parse); a member of the wrong type is `DARE_BAD_FORMAT`. */
export function headerFromObject(value: JsonValue | undefined, where = 'header'): DareHeader {
  const o = asObject(value, where);
  const h: DareHeader = {};
  const w = h as Record<string, unknown>;
  for (const [prop, name, kind] of FIELDS) {
    switch (kind) {
      case 'bin': {
        const v = optBinary(o, name, where);
        if (v !== undefined) w[prop] = v;
        break;
      }
      case 'str': {
        const v = optString(o, name, where);
        if (v !== undefined) w[prop] = v;
        break;
      }
      case 'obj': {
        const v = optObject(o, name, where);
        if (v !== undefined) w[prop] = v;
        break;
      }
      case 'bins': {
        const v = optArray(o, name, where);
        if (v !== undefined) w[prop] = v.map((x, i) => toBinary(x, `${where}.${name}[${i}]`));
        break;
      }
      case 'sigs': {
        const v = optArray(o, name, where);
        if (v !== undefined) w[prop] = v.map((x, i) => signatureFromObject(x, `${where}.${name}[${i}]`));
        break;
      }
      case 'recs': {
        const v = optArray(o, name, where);
        if (v !== undefined) w[prop] = v.map((x, i) => recipientFromObject(x, `${where}.${name}[${i}]`));
        break;
      }
      default:
        bad(where, 'internal field table');
    }
  }
  const extra: JsonObject = {};
  let any = false;
  for (const [name, v] of Object.entries(o)) {
    if (KNOWN.has(name) || v === undefined) continue;
    setMember(extra, name, v);
    any = true;
  }
  if (any) h.extra = extra;
  return h;
}
