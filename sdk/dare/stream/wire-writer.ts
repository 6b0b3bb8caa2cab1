import { Base64urlStreamEncoder } from '../../encoding/base64url-stream.js';
import { writeJson } from '../../encoding/json-writer.js';
import { encodeJsonB, JSONB_TAG } from '../../encoding/jsonb-writer.js';
import { utf8Encode } from '../../encoding/utf8.js';
import type { DareEnvelopeFormat } from '../envelope.js';
import { headerToObject, isEmptyHeader, type DareHeader } from '../header.js';

/**
 * Writes an envelope's wire form piece by piece (private to the streaming encoder), in the same
 * bytes `serializeEnvelope` writes for the whole envelope, except how the payload is split:
 * - `jsonb`: `5B header`, the payload as JSON-B data chunks (`8C`–`8F` + length, jsonbcd.md §2)
 *   ending with one data item (`88`–`8B`), then `trailer? 5D` (dare.md §2 "Streamed file", in
 *   binary throughout). A payload written as one piece is one data item, as `serializeEnvelope`
 *   writes it.
 * - `json` / `tagged`: compact JSON text, the payload one base64url string written as it comes.
 */
export interface EnvelopeFraming {
  /** Everything before the payload. */
  open(header: DareHeader): Uint8Array;
  /** A piece of payload bytes as stored; `last` for the final one (possibly empty). */
  piece(data: Uint8Array, last: boolean): Uint8Array[];
  /** Everything after the payload. */
  close(trailer: DareHeader): Uint8Array;
}

/** JSON-B length field: the smallest of 1, 2, 4, 8 bytes (jsonbcd.md §3 width rule). */
function itemHead(base: number, length: number): Uint8Array {
  const width = length < 0x100 ? 0 : length < 0x10000 ? 1 : length < 2 ** 32 ? 2 : 3;
  const n = 1 << width;
  const out = new Uint8Array(1 + n);
  out[0] = base + width;
  let v = length;
  for (let i = n; i >= 1; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

function jsonbFraming(): EnvelopeFraming {
  return {
    open(header) {
      const h = encodeJsonB(headerToObject(header, 'header'));
      const out = new Uint8Array(1 + h.length);
      out[0] = 0x5b;
      out.set(h, 1);
      return out;
    },
    piece(data, last) {
      return [itemHead(last ? JSONB_TAG.DATA_TERM : JSONB_TAG.DATA_CHUNK, data.length), data];
    },
    close(trailer) {
      const t = isEmptyHeader(trailer) ? new Uint8Array(0) : encodeJsonB(headerToObject(trailer));
      const out = new Uint8Array(t.length + 1);
      out.set(t);
      out[t.length] = 0x5d;
      return out;
    },
  };
}

function jsonFraming(tagged: boolean): EnvelopeFraming {
  const b64 = new Base64urlStreamEncoder();
  const quote = Uint8Array.of(0x22);
  return {
    open(header) {
      return utf8Encode(`${tagged ? '{"DareEnvelope":' : ''}[${writeJson(headerToObject(header, 'header'))},"`);
    },
    piece(data, last) {
      const text = b64.push(data);
      return last ? [text, b64.end(), quote] : [text];
    },
    close(trailer) {
      const t = isEmptyHeader(trailer) ? '' : `,${writeJson(headerToObject(trailer))}`;
      return utf8Encode(`${t}]${tagged ? '}' : ''}`);
    },
  };
}

/** The framing of a wire form. */
export function envelopeFraming(format: DareEnvelopeFormat): EnvelopeFraming {
  return format === 'jsonb' ? jsonbFraming() : jsonFraming(format === 'tagged');
}
