import { bytesStore } from '../../dare/sequence/bytes-store.js';
import { base64urlEncode } from '../../encoding/base64url.js';
import { hexDecode, hexEncode } from '../../encoding/hex.js';
import { utf8Decode } from '../../encoding/utf8.js';
import { FRAME_TAG, RECORD_TAG, forwardTag, reverseTag } from '../../dare/sequence/tags.js';
import { previousFrame } from '../../dare/sequence/tree-position.js';
import { SequenceReader, storedDigest } from '../../dare/sequence/reader.js';
import { verifySequence } from '../../dare/sequence/verify.js';
import { payloadDigest } from '../../dare/sequence/digests.js';
import { arr, expectEqual, fail, num, obj, str } from '../check.js';
import type { Evaluator } from '../types.js';

/**
 * The sequence-level kinds of dare.json (dare.md §11): `frame_tags`, `previous_frame` and
 * `container`. A container vector is read through the public reader: every frame's position,
 * length, header and trailer text, payload length and digest, the published digests and tree
 * positions, and a full `verifySequence` that must find no error (reference files are legacy).
 */

const frameTagsKind: Evaluator = (v) => {
  for (const [i, e] of (arr(v, 'expected') as Record<string, unknown>[]).entries()) {
    const kind = str(e, 'kind');
    if (kind !== 'bframe' && kind !== 'uframe') fail(`expected[${i}]: unknown kind ${kind}`);
    const base = kind === 'bframe' ? FRAME_TAG : RECORD_TAG;
    const length = num(e, 'length');
    expectEqual(`expected[${i}].forward_hex`, hexEncode(forwardTag(base, length)), str(e, 'forward_hex'));
    if (e['reverse_hex'] !== null && e['reverse_hex'] !== undefined) {
      expectEqual(`expected[${i}].reverse_hex`, hexEncode(reverseTag(base, length)), str(e, 'reverse_hex'));
    }
  }
};

const previousFrameKind: Evaluator = (v) => {
  for (const [n, want] of Object.entries(obj(v, 'expected'))) expectEqual(`PreviousFrame(${n})`, previousFrame(Number(n)), want);
};

const containerKind: Evaluator = async (v) => {
  const hex = typeof v['file_hex'] === 'string' ? str(v, 'file_hex') : str(v, 'file_prefix_hex');
  const bytes = hexDecode(hex);
  if (v['file_length'] !== undefined) expectEqual('file_length', bytes.length, num(v, 'file_length'));
  const reader = await SequenceReader.open(bytesStore(bytes));
  expectEqual('container_type', reader.type, str(v, 'container_type'));
  const frames = arr(v, 'frames') as Record<string, unknown>[];
  expectEqual('frame count', reader.frameCount, frames.length);
  for (const e of frames) {
    const index = num(e, 'index');
    const f = await reader.frame(index);
    expectEqual(`frame ${index} position`, f.start, num(e, 'position'));
    expectEqual(`frame ${index} frame_length`, f.end - f.start, num(e, 'frame_length'));
    expectEqual(`frame ${index} header`, utf8Decode(f.records.header), str(e, 'header_utf8'));
    const trailer = e['trailer_utf8'];
    if (trailer === null) {
      if (f.records.trailer !== undefined && f.records.trailer.length > 0) fail(`frame ${index}: unexpected trailer`);
    } else expectEqual(`frame ${index} trailer`, utf8Decode(f.records.trailer ?? new Uint8Array(0)), trailer);
    const p = obj(e, 'payload');
    expectEqual(`frame ${index} payload length`, f.payload.length, num(p, 'length'));
    if (p['generator'] !== undefined) {
      expectEqual(`frame ${index} generator`, p['generator'], 'byte i = i mod 256');
      expectEqual(`frame ${index} payload`, f.payload, Uint8Array.from({ length: f.payload.length }, (_, i) => i & 0xff));
    }
    if (p['sha512_b64u'] !== undefined) expectEqual(`frame ${index} payload sha512`, base64urlEncode(payloadDigest(f.payload)), p['sha512_b64u']);
  }
  for (const d of (v['expected_digests'] ?? []) as Record<string, unknown>[]) {
    const f = await reader.frame(num(d, 'index'));
    expectEqual(`frame ${f.index} PayloadDigest`, base64urlEncode(storedDigest(f, 'PayloadDigest') ?? new Uint8Array(0)), str(d, 'payload_digest_b64u'));
    expectEqual(`frame ${f.index} ChainDigest`, base64urlEncode(storedDigest(f, 'ChainDigest') ?? new Uint8Array(0)), str(d, 'chain_digest_b64u'));
  }
  for (const t of (v['expected_tree'] ?? []) as Record<string, unknown>[]) {
    const f = await reader.frame(num(t, 'index'));
    expectEqual(`frame ${f.index} position`, f.start, num(t, 'position'));
    expectEqual(`frame ${f.index} TreePosition`, f.info.TreePosition, num(t, 'tree_position'));
    expectEqual(`frame ${f.index} located`, await reader.locate(f.index), f.start);
    expectEqual(`frame ${f.index} TreeDigest`, base64urlEncode(storedDigest(f, 'TreeDigest') ?? new Uint8Array(0)), str(t, 'tree_digest_b64u'));
  }
  // Every published digest must also be what the reference formulas give (dare.md §9.4): verify
  // recomputes them and must report no error, flagging the file as legacy when it has any.
  const report = await verifySequence(reader);
  if (report.errors.length > 0) fail(`verify: ${report.errors.map((x) => `frame ${x.frame} ${x.code}`).join('; ')}`);
  expectEqual('legacy', report.legacy, reader.type === 'Chain' || reader.type === 'Merkle');
};

/** Registers the sequence-level dare.json kinds. */
export function dareSequenceKinds(): Record<string, Evaluator> {
  return { frame_tags: frameTagsKind, previous_frame: previousFrameKind, container: containerKind };
}
