/**
 * What an attacker with write access to a sequence file can do without any key: decode every
 * frame, change headers, payloads and trailers, reorder, duplicate or drop frames, and rebuild the
 * file with every unkeyed value recomputed — TreePosition offsets, PayloadDigest, ChainDigest and
 * TreeDigest — so that only keyed values (signatures, MACs) can still tell. Used by the sequence
 * attack tests; `rebuild(decode(bytes))` reproduces a file byte for byte (checked there).
 */
import { base64urlEncode } from '../../sdk/encoding/base64url.js';
import { writeJson } from '../../sdk/encoding/json-writer.js';
import { parseJson } from '../../sdk/encoding/json-reader.js';
import type { JsonObject } from '../../sdk/encoding/json-value.js';
import { utf8Encode } from '../../sdk/encoding/utf8.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import {
  encodeFrame, headerDigest, IntegrityState, payloadDigest, previousFrame, SequenceReader, type ContainerType,
} from '../../sdk/dare/sequence/index.js';

/** One frame as the attacker sees it. */
export interface EditableFrame {
  header: JsonObject;
  payload: Uint8Array;
  /** undefined: no trailer record; null: an empty trailer record. */
  trailer: JsonObject | null | undefined;
}

/** Every frame of a sequence file, decoded into plain objects. */
export async function decodeFrames(bytes: Uint8Array): Promise<{ type: ContainerType; frames: EditableFrame[] }> {
  const r = await SequenceReader.open(MemoryStore.fromBytes(bytes));
  const frames: EditableFrame[] = [];
  for (let i = 0; i < r.frameCount; i++) {
    const f = await r.frame(i);
    const t = f.records.trailer;
    frames.push({
      header: structuredClone(parseJson(f.records.header) as JsonObject),
      payload: f.payload.slice(),
      trailer: t === undefined ? undefined : t.length === 0 ? null : (structuredClone(parseJson(t)) as JsonObject),
    });
  }
  return { type: r.type, frames };
}

/** The SequenceInfo object of a header (to edit in place). */
export const infoOf = (f: EditableFrame): JsonObject => f.header['SequenceInfo'] as JsonObject;

/**
 * Re-encodes `frames` as a file. With `recompute` (default), TreePosition offsets and every
 * PayloadDigest / ChainDigest / TreeDigest are recomputed from the frames as they now are, as our
 * writer computes them; signatures and PayloadMac are copied as they are.
 */
export function rebuildFrames(type: ContainerType, frames: readonly EditableFrame[], recompute = true): Uint8Array {
  const out: Uint8Array[] = [];
  const starts: number[] = [];
  let at = 0;
  const state = new IntegrityState(type === 'Chain', type === 'Merkle');
  frames.forEach((f, i) => {
    starts.push(at);
    const header = f.header;
    if (recompute && (type === 'Merkle' || type === 'Tree') && i > 0) infoOf(f)['TreePosition'] = starts[previousFrame(i)]!;
    const headerBytes = utf8Encode(writeJson(header));
    let trailer = f.trailer;
    if (recompute && trailer && (type === 'Digest' || type === 'Chain' || type === 'Merkle')) {
      const pd = payloadDigest(f.payload);
      const v = state.next(headerDigest(headerBytes), pd);
      trailer = { ...trailer, PayloadDigest: base64urlEncode(pd) };
      if (type === 'Chain') trailer['ChainDigest'] = base64urlEncode(v.chain!);
      if (type === 'Merkle') trailer['TreeDigest'] = base64urlEncode(v.tree!);
    }
    const trailerBytes = trailer === undefined ? undefined : trailer === null ? new Uint8Array(0) : utf8Encode(writeJson(trailer));
    const bytes = encodeFrame({ header: headerBytes, payload: f.payload, trailer: trailerBytes });
    out.push(bytes);
    at += bytes.length;
  });
  const file = new Uint8Array(at);
  let o = 0;
  for (const b of out) {
    file.set(b, o);
    o += b.length;
  }
  return file;
}

/** Sets SequenceInfo.Index of every frame to its position (what an attacker does after moving frames). */
export function renumber(frames: EditableFrame[]): EditableFrame[] {
  frames.forEach((f, i) => (infoOf(f)['Index'] = i));
  return frames;
}
