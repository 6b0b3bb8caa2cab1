import { beBytes, type Mutation, type MutationContext, type Mutator } from './mutation.js';
import { valueMutator } from './value-mutation.js';

/**
 * Frame-level mutations of DARE sequences (dare.md §8, §9.1): a frame is `F4+k ‖ len ‖ records ‖
 * len reversed ‖ F4+k`, each record `F0+k ‖ len ‖ data` (header JSON, payload, trailer JSON).
 * Scanner and encoder are written here from that description, not taken from the SDK, and the
 * scanner stops at the first inconsistency so it also walks damaged files.
 */

export interface ScannedFrame {
  readonly start: number;
  readonly end: number;
  readonly records: { start: number; dataAt: number; length: number }[];
}

const readBE = (b: Uint8Array, at: number, width: number): number => {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + b[at + i]!;
  return v;
};

/** The complete frames at the start of `b`. */
export function scanFrames(b: Uint8Array): ScannedFrame[] {
  const out: ScannedFrame[] = [];
  let p = 0;
  while (p < b.length) {
    const t = b[p]!;
    if ((t & 0xfc) !== 0xf4) break;
    const width = 1 << (t & 3);
    if (p + 1 + width > b.length) break;
    const len = readBE(b, p + 1, width);
    const dataAt = p + 1 + width;
    const end = dataAt + len + 1 + width;
    if (end > b.length) break;
    const records: ScannedFrame['records'] = [];
    let r = dataAt;
    while (r < dataAt + len) {
      const rt = b[r]!;
      if ((rt & 0xfc) !== 0xf0) break;
      const rw = 1 << (rt & 3);
      if (r + 1 + rw > dataAt + len) break;
      const rl = readBE(b, r + 1, rw);
      if (r + 1 + rw + rl > dataAt + len) break;
      records.push({ start: r, dataAt: r + 1 + rw, length: rl });
      r += 1 + rw + rl;
    }
    out.push({ start: p, end, records });
    p = end;
  }
  return out;
}

/** The records of a scanned frame, as copies. */
export const recordsOf = (b: Uint8Array, f: ScannedFrame): Uint8Array[] => f.records.map((r) => b.slice(r.dataAt, r.dataAt + r.length));

/** Width code (0..3) of the smallest length field for `n`, or at least `min`. */
const widthCode = (n: number, min = 0): number => Math.max(min, n < 0x100 ? 0 : n < 0x10000 ? 1 : n < 0x100000000 ? 2 : 3);

/** Frames `records`; `minWidth` forces wider length fields (the same frame, another encoding). */
export function encodeFrame(records: readonly Uint8Array[], minWidth = 0, recordMinWidth = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const r of records) {
    const k = widthCode(r.length, recordMinWidth);
    parts.push(Uint8Array.of(0xf0 + k, ...beBytes(r.length, 1 << k)), r);
  }
  const inner = parts.reduce((a, p) => a + p.length, 0);
  const k = widthCode(inner, minWidth);
  const len = beBytes(inner, 1 << k);
  const out = new Uint8Array(2 * (1 + len.length) + inner);
  out[0] = 0xf4 + k;
  out.set(len, 1);
  let o = 1 + len.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  out.set(len.slice().reverse(), o);
  out[o + len.length] = 0xf4 + k;
  return out;
}

const concatAll = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** A mutation on the frame list: `edit` gets the frames (as byte ranges) and returns the new file. */
function frameMutation(name: string, edit: (b: Uint8Array, frames: ScannedFrame[]) => Uint8Array | undefined): Mutation {
  return {
    name,
    apply: (b) => {
      const frames = scanFrames(b);
      if (frames.length === 0) return b;
      return edit(b, frames) ?? b;
    },
  };
}

const frameBytes = (b: Uint8Array, f: ScannedFrame): Uint8Array => b.subarray(f.start, f.end);
const rest = (b: Uint8Array, frames: ScannedFrame[]): Uint8Array => b.subarray(frames[frames.length - 1]!.end);

function withFrames(b: Uint8Array, frames: ScannedFrame[], list: Uint8Array[]): Uint8Array {
  return concatAll([...list, rest(b, frames)]);
}

const dropFrame: Mutator = (input, { rng }) => {
  const k = rng.u32();
  return frameMutation(`drop frame ${k % Math.max(1, scanFrames(input).length)}`, (b, fs) => {
    const i = k % fs.length;
    return withFrames(b, fs, fs.filter((_, j) => j !== i).map((f) => frameBytes(b, f)));
  });
};

const duplicateFrame: Mutator = (input, { rng }) => {
  const k = rng.u32();
  const to = rng.u32();
  return frameMutation(`copy frame ${k % Math.max(1, scanFrames(input).length)} to another place`, (b, fs) => {
    const list = fs.map((f) => frameBytes(b, f));
    list.splice(to % (list.length + 1), 0, list[k % fs.length]!);
    return withFrames(b, fs, list);
  });
};

const swapFrames: Mutator = (input, { rng }) => {
  const i = rng.u32();
  const j = rng.u32();
  return frameMutation('swap two frames', (b, fs) => {
    const list = fs.map((f) => frameBytes(b, f));
    const x = i % list.length;
    const y = j % list.length;
    [list[x], list[y]] = [list[y]!, list[x]!];
    return withFrames(b, fs, list);
  });
};

/** Cuts the file at a frame boundary (a valid shorter log) or inside the last frame (a torn append). */
const cutFrames: Mutator = (input, { rng }) => {
  const k = rng.u32();
  const torn = rng.chance(0.4);
  const inside = rng.u32();
  return frameMutation(torn ? 'cut inside a frame (torn append)' : 'cut at a frame boundary', (b, fs) => {
    const f = fs[k % fs.length]!;
    return b.slice(0, torn ? f.start + 1 + (inside % (f.end - f.start - 1)) : f.end);
  });
};

/** Another corpus file's frame in place of one of this file's. */
const foreignFrame: Mutator = (input, { rng, others }) => {
  if (others.length === 0) return undefined;
  const which = rng.int(others.length);
  const theirs = scanFrames(others[which]!);
  if (theirs.length === 0) return undefined;
  const src = rng.int(theirs.length);
  const dst = rng.u32();
  const piece = frameBytes(others[which]!, theirs[src]!).slice();
  return frameMutation(`frame ${src} of corpus input ${which} in place of a frame`, (b, fs) => {
    const list = fs.map((f) => frameBytes(b, f));
    list[dst % list.length] = piece;
    return withFrames(b, fs, list);
  });
};

/** Re-encodes a frame with wider length fields: the same records, another valid encoding. */
const widenFrame: Mutator = (input, { rng }) => {
  const k = rng.u32();
  const w = rng.range(1, 3);
  const rw = rng.int(4);
  return frameMutation(`re-encode a frame with width codes ${w}/${rw}`, (b, fs) => {
    const list = fs.map((f) => frameBytes(b, f));
    const i = k % fs.length;
    list[i] = encodeFrame(recordsOf(b, fs[i]!), w, rw);
    return withFrames(b, fs, list);
  });
};

/** Damages the reverse tag of a frame (the mirror readers walking backwards use). */
const breakReverseTag: Mutator = (input, { rng }) => {
  const k = rng.u32();
  const delta = rng.pick([1, -1, 0x10]);
  return frameMutation('change the reverse length of a frame', (b, fs) => {
    const f = fs[k % fs.length]!;
    const out = b.slice();
    out[f.end - 2] = (out[f.end - 2]! + delta) & 0xff;
    return out;
  });
};

/** Record-level edits: drop the trailer, add a fourth record, swap header and trailer, empty the payload. */
const editRecords: Mutator = (input, { rng }) => {
  const k = rng.u32();
  const op = rng.int(5);
  const names = ['drop the last record', 'add a fourth record', 'swap header and trailer records', 'empty the payload record', 'swap header and payload'];
  return frameMutation(`${names[op]} of a frame`, (b, fs) => {
    const i = k % fs.length;
    const rs = recordsOf(b, fs[i]!);
    if (rs.length < 2) return undefined;
    if (op === 0) rs.pop();
    else if (op === 1) rs.push(Uint8Array.of(0x7b, 0x7d));
    else if (op === 2 && rs.length === 3) [rs[0], rs[2]] = [rs[2]!, rs[0]!];
    else if (op === 3) rs[1] = new Uint8Array(0);
    else [rs[0], rs[1]] = [rs[1]!, rs[0]!];
    const list = fs.map((f) => frameBytes(b, f));
    list[i] = encodeFrame(rs);
    return withFrames(b, fs, list);
  });
};

const jsonEdit = valueMutator('json');

/** A structure-aware edit of a header or trailer record (JSON text), then the frame re-encoded around it. */
const editRecordJson: Mutator = (input, ctx: MutationContext) => {
  const fs = scanFrames(input);
  if (fs.length === 0) return undefined;
  const i = ctx.rng.int(fs.length);
  const rs = recordsOf(input, fs[i]!);
  const which = rs.length === 3 && ctx.rng.chance(0.4) ? 2 : 0;
  const inner = rs[which] && rs[which]!.length > 0 ? jsonEdit(rs[which]!, ctx) : undefined;
  if (!inner) return undefined;
  return frameMutation(`frame ${i} ${which === 0 ? 'header' : 'trailer'}: ${inner.name}`, (b, fsNow) => {
    const f = fsNow[i % fsNow.length]!;
    const records = recordsOf(b, f);
    if (records[which] === undefined) return undefined;
    records[which] = inner.apply(records[which]!);
    const list = fsNow.map((x) => frameBytes(b, x));
    list[i % fsNow.length] = encodeFrame(records);
    return withFrames(b, fsNow, list);
  });
};

/** Flips a bit of a frame's payload (framing intact). */
const flipPayload: Mutator = (input, { rng }) => {
  const k = rng.u32();
  const pos = rng.u32();
  const bit = rng.int(8);
  return frameMutation(`flip bit ${bit} of a frame's payload`, (b, fs) => {
    const f = fs[k % fs.length]!;
    const r = f.records[1];
    if (!r || r.length === 0) return undefined;
    const out = b.slice();
    out[r.dataAt + (pos % r.length)]! ^= 1 << bit;
    return out;
  });
};

/** Appends garbage after the last frame (not a torn frame: damage). */
const appendGarbage: Mutator = (_input, { rng }) => {
  const junk = rng.chance(0.5) ? rng.bytes(rng.range(1, 40)) : Uint8Array.of(0xf4, rng.int(256), ...rng.bytes(4));
  return { name: `append ${junk.length} bytes`, apply: (b) => concatAll([b, junk]) };
};

/** Frame mutators, with weights. */
export const FRAME_MUTATORS: readonly (readonly [Mutator, number])[] = [
  [dropFrame, 2], [duplicateFrame, 2], [swapFrames, 2], [cutFrames, 2], [foreignFrame, 2], [widenFrame, 1], [breakReverseTag, 1],
  [editRecords, 2], [editRecordJson, 8], [flipPayload, 3], [appendGarbage, 1],
];

