import type { Rng } from './rng.js';

/**
 * Mutations: each is drawn with all its random choices made, then applied deterministically, so
 * a failing input is rebuilt from its list of mutations and minimised by dropping some of them
 * (engine.ts). Positions are taken modulo the input length, so a mutation still applies after
 * earlier ones were dropped.
 */
export interface Mutation {
  /** What it does, for the failure report (`flip bit 3 @ 120`, `value: delete $[2].signatures[0]`). */
  readonly name: string;
  apply(input: Uint8Array): Uint8Array;
}

/** What a mutator draws from. */
export interface MutationContext {
  readonly rng: Rng;
  /** The other corpus inputs of the target (splicing material). */
  readonly others: readonly Uint8Array[];
}

/** Draws one mutation of `input`, or undefined when it has nothing to offer for this input. */
export type Mutator = (input: Uint8Array, ctx: MutationContext) => Mutation | undefined;

const enc = new TextEncoder();

/** Bytes that mean something to one of the formats: JSON punctuation, JSON-B tags, frame and record tags. */
export const INTERESTING_BYTES: readonly number[] = [
  0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x0a, 0x0d, 0x20, 0x2d, 0x30, 0x39, 0x65,
  0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x92,
  0xa0, 0xa1, 0xa2, 0xa3, 0xa8, 0xab, 0xb0, 0xb1, 0xb2, 0xb4, 0xb5, 0xb6, 0xb7, 0xc0, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
];

/** Byte strings worth inserting: hostile JSON, JSON-B edge tokens, huge lengths, deep nesting. */
export const INTERESTING_CHUNKS: readonly Uint8Array[] = [
  ...['{"toString":1}', '"__proto__"', '{"__proto__":{"x":1}}', '1e400', '-0', '9007199254740993', '18446744073709551616',
    '[[[[[[[[[[[[[[[[', '"\\u0000"', '"\\ud800"', '"\\u00"', 'null', 'true', ',', ':', '""', '"=="', '"AAAA"', '\r\n  ']
    .map((s) => enc.encode(s)),
  Uint8Array.of(0x8c, 0x00), Uint8Array.of(0x84, 0x00), Uint8Array.of(0x88, 0x00), Uint8Array.of(0x80, 0x00),
  Uint8Array.of(0xb4, 0x09, ...enc.encode('__proto__')), Uint8Array.of(0xa3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xab, 0x80, 0, 0, 0, 0, 0, 0, 0), Uint8Array.of(0x8b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0x8b, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0x8a, 0x7f, 0xff, 0xff, 0xff),
  Uint8Array.of(0x92, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1), Uint8Array.of(0x92, 0xff, 0xf0, 0, 0, 0, 0, 0, 0),
  Uint8Array.of(0xf7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0xf3, 0, 0, 0, 0, 0, 0, 0, 0),
  Uint8Array.of(0xf4, 0x00, 0x00, 0xf4), Uint8Array.of(0xf0, 0x00),
  new Uint8Array(40).fill(0x5b),
];

/** Integers worth writing into a length or integer field. */
const INTERESTING_INTS: readonly number[] = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 53 - 1, 2 ** 53,
];

const clampPos = (pos: number, length: number): number => (length === 0 ? 0 : pos % (length + 1));
const at = (pos: number, length: number): number => (length === 0 ? 0 : pos % length);

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `input` with [from, to) replaced by `by`. */
export function replaceRange(input: Uint8Array, from: number, to: number, by: Uint8Array): Uint8Array {
  return concat(input.subarray(0, from), by, input.subarray(to));
}

/** `value` big-endian in `width` bytes (width ≤ 8; values up to 2^53 exact). */
export function beBytes(value: number, width: number): Uint8Array {
  const out = new Uint8Array(width);
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

const bitFlip: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const pos = rng.u32();
  const bit = rng.int(8);
  return {
    name: `flip bit ${bit} @ ${at(pos, input.length)}`,
    apply: (b) => {
      if (b.length === 0) return b;
      const out = b.slice();
      out[at(pos, b.length)]! ^= 1 << bit;
      return out;
    },
  };
};

const setByte: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const pos = rng.u32();
  const value = rng.chance(0.6) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
  return {
    name: `set byte @ ${at(pos, input.length)} = 0x${value.toString(16)}`,
    apply: (b) => {
      if (b.length === 0) return b;
      const out = b.slice();
      out[at(pos, b.length)] = value;
      return out;
    },
  };
};

const addToByte: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const pos = rng.u32();
  const delta = rng.chance(0.5) ? rng.range(1, 4) : -rng.range(1, 4);
  return {
    name: `add ${delta} to byte @ ${at(pos, input.length)}`,
    apply: (b) => {
      if (b.length === 0) return b;
      const out = b.slice();
      const i = at(pos, b.length);
      out[i] = (out[i]! + delta) & 0xff;
      return out;
    },
  };
};

const insertBytes: Mutator = (input, { rng }) => {
  const pos = rng.u32();
  const chunk = rng.chance(0.5) ? rng.pick(INTERESTING_CHUNKS) : rng.chance(0.5) ? Uint8Array.of(rng.pick(INTERESTING_BYTES)) : rng.bytes(rng.smallLength(16));
  return {
    name: `insert ${chunk.length} bytes @ ${clampPos(pos, input.length)}`,
    apply: (b) => {
      const i = clampPos(pos, b.length);
      return replaceRange(b, i, i, chunk);
    },
  };
};

const deleteRange: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const pos = rng.u32();
  const len = rng.smallLength(input.length);
  return {
    name: `delete ${len} bytes @ ${at(pos, input.length)}`,
    apply: (b) => {
      if (b.length === 0) return b;
      const i = at(pos, b.length);
      return replaceRange(b, i, Math.min(b.length, i + len), new Uint8Array(0));
    },
  };
};

const duplicateRange: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const src = rng.u32();
  const len = rng.smallLength(input.length);
  const dst = rng.u32();
  return {
    name: `copy ${len} bytes from @ ${at(src, input.length)} to @ ${clampPos(dst, input.length)}`,
    apply: (b) => {
      if (b.length === 0) return b;
      const s = at(src, b.length);
      const piece = b.slice(s, Math.min(b.length, s + len));
      const d = clampPos(dst, b.length);
      return replaceRange(b, d, d, piece);
    },
  };
};

const truncate: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const keep = rng.int(input.length);
  return { name: `truncate to ${keep} bytes`, apply: (b) => b.subarray(0, Math.min(keep, b.length)).slice() };
};

const dropPrefix: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const drop = rng.smallLength(input.length);
  return { name: `drop the first ${drop} bytes`, apply: (b) => b.slice(Math.min(drop, b.length)) };
};

const writeInteger: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const pos = rng.u32();
  const width = rng.pick([1, 2, 4, 8]);
  const value = rng.chance(0.7) ? rng.pick(INTERESTING_INTS) : rng.u32();
  return {
    name: `write ${value} as ${width}-byte big-endian @ ${at(pos, input.length)}`,
    apply: (b) => {
      if (b.length === 0) return b;
      const i = at(pos, b.length);
      const bytes = beBytes(value, width).subarray(0, Math.max(0, b.length - i));
      const out = b.slice();
      out.set(bytes, i);
      return out;
    },
  };
};

/** Repeats a short range many times: empty chunks, open brackets, tags (amplification and depth). */
const repeatRange: Mutator = (input, { rng }) => {
  if (input.length === 0) return undefined;
  const pos = rng.u32();
  const len = rng.range(1, 4);
  const times = rng.pick([16, 256, 4096]);
  return {
    name: `repeat ${len} bytes @ ${at(pos, input.length)} ${times} times`,
    apply: (b) => {
      if (b.length === 0) return b;
      const i = at(pos, b.length);
      const piece = b.subarray(i, Math.min(b.length, i + len));
      const rep = new Uint8Array(piece.length * times);
      for (let k = 0; k < times; k++) rep.set(piece, k * piece.length);
      return replaceRange(b, i, i, rep);
    },
  };
};

/** Splicing: a range of another corpus input replaces a range of this one. */
const spliceOther: Mutator = (input, { rng, others }) => {
  if (others.length === 0) return undefined;
  const which = rng.int(others.length);
  const other = others[which]!;
  if (other.length === 0) return undefined;
  const pos = rng.u32();
  const len = rng.smallLength(64);
  const src = rng.int(other.length);
  const srcLen = rng.smallLength(Math.min(256, other.length - src));
  const piece = other.slice(src, src + srcLen);
  return {
    name: `splice ${piece.length} bytes of corpus input ${which} @ ${src} over ${len} bytes @ ${clampPos(pos, input.length)}`,
    apply: (b) => {
      const i = clampPos(pos, b.length);
      return replaceRange(b, i, Math.min(b.length, i + len), piece);
    },
  };
};

/** Crossover: this input's prefix, another's suffix. */
const crossover: Mutator = (input, { rng, others }) => {
  if (others.length === 0) return undefined;
  const which = rng.int(others.length);
  const other = others[which]!;
  const cut = rng.u32();
  const cut2 = rng.int(other.length + 1);
  return {
    name: `crossover: prefix to @ ${clampPos(cut, input.length)}, then corpus input ${which} from @ ${cut2}`,
    apply: (b) => concat(b.subarray(0, clampPos(cut, b.length)), other.subarray(cut2)),
  };
};

/** The format-blind mutators, with weights. */
export const BYTE_MUTATORS: readonly (readonly [Mutator, number])[] = [
  [bitFlip, 6], [setByte, 4], [addToByte, 2], [insertBytes, 3], [deleteRange, 3], [duplicateRange, 2], [truncate, 2],
  [dropPrefix, 1], [writeInteger, 2], [repeatRange, 1], [spliceOther, 2], [crossover, 1],
];

/** Picks a mutator by weight and draws a mutation; retries a few times when a mutator declines. */
export function drawMutation(input: Uint8Array, ctx: MutationContext, mutators: readonly (readonly [Mutator, number])[]): Mutation | undefined {
  let total = 0;
  for (const [, w] of mutators) total += w;
  for (let attempt = 0; attempt < 8; attempt++) {
    let r = ctx.rng.int(total);
    for (const [m, w] of mutators) {
      if (r < w) {
        const mutation = m(input, ctx);
        if (mutation) return mutation;
        break;
      }
      r -= w;
    }
  }
  return undefined;
}
