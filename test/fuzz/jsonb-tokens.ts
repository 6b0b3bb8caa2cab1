import { beBytes, replaceRange, type Mutation, type Mutator } from './mutation.js';

/**
 * Token-level JSON-B mutations (jsonbcd.md §2–§4): tags, length fields and chunking. The token
 * scanner here is written from the format description, independently of the SDK's reader, and is
 * lenient: it stops at the first inconsistency, so it also works on damaged inputs.
 */

/** A length-carrying token: string / data item (`80`–`8F`), or the reference's tag-string name (`B4`–`B7`). */
export interface LengthToken {
  readonly kind: 'string' | 'data' | 'name';
  readonly start: number;
  readonly tag: number;
  /** Width of the length field: 1, 2, 4 or 8. */
  readonly width: number;
  readonly dataAt: number;
  readonly length: number;
  /** A chunk (`84`–`87`, `8C`–`8F`) rather than the terminal item. */
  readonly chunk: boolean;
}

/** A fixed-size token: integer (`A0`–`A3`, `A8`–`AB`), binary64 (`92`), literal (`B0`–`B2`). */
export interface FixedToken {
  readonly kind: 'integer' | 'binary64' | 'literal';
  readonly start: number;
  readonly tag: number;
  readonly end: number;
}

export type Token = LengthToken | FixedToken;

const readBE = (b: Uint8Array, at: number, width: number): number => {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + b[at + i]!;
  return v;
};

/** Every binary token up to the first inconsistency (JSON text tokens are stepped over). */
export function scanJsonBTokens(b: Uint8Array): Token[] {
  const out: Token[] = [];
  let p = 0;
  while (p < b.length) {
    const t = b[p]!;
    if ((t >= 0x80 && t <= 0x8f) || (t >= 0xb4 && t <= 0xb7)) {
      const width = 1 << (t & 3);
      if (p + 1 + width > b.length) break;
      const length = readBE(b, p + 1, width);
      const dataAt = p + 1 + width;
      if (dataAt + length > b.length) break;
      const kind = t >= 0xb4 ? 'name' : t < 0x88 ? 'string' : 'data';
      out.push({ kind, start: p, tag: t, width, dataAt, length, chunk: kind !== 'name' && (t & 4) !== 0 });
      p = dataAt + length;
    } else if ((t >= 0xa0 && t <= 0xa3) || (t >= 0xa8 && t <= 0xab)) {
      const end = p + 1 + (1 << (t & 3));
      if (end > b.length) break;
      out.push({ kind: 'integer', start: p, tag: t, end });
      p = end;
    } else if (t === 0x92) {
      if (p + 9 > b.length) break;
      out.push({ kind: 'binary64', start: p, tag: t, end: p + 9 });
      p += 9;
    } else if (t >= 0xb0 && t <= 0xb2) {
      out.push({ kind: 'literal', start: p, tag: t, end: p + 1 });
      p++;
    } else if (t === 0x22) {
      p++;
      while (p < b.length && b[p] !== 0x22) p += b[p] === 0x5c ? 2 : 1;
      p++;
    } else if (t >= 0x80) {
      break; // a tag this scanner does not step over
    } else {
      p++;
    }
  }
  return out;
}

export const tokenEnd = (t: Token): number => ('dataAt' in t ? t.dataAt + t.length : t.end);

/** The `ordinal`-th token (mod count) among those `filter` keeps, in a fresh scan of `b`. */
function nth<T extends Token>(b: Uint8Array, ordinal: number, filter: (t: Token) => t is T): T | undefined {
  const ts = scanJsonBTokens(b).filter(filter);
  return ts.length === 0 ? undefined : ts[ordinal % ts.length];
}

const isLength = (t: Token): t is LengthToken => 'dataAt' in t;
const isItem = (t: Token): t is LengthToken => isLength(t) && t.kind !== 'name';
const isTerminalItem = (t: Token): t is LengthToken => isItem(t) && !t.chunk;
const isAny = (t: Token): t is Token => true;

function tokenMutation(name: string, input: Uint8Array, ordinal: number, filter: (t: Token) => boolean,
  rewrite: (b: Uint8Array, t: Token) => Uint8Array): Mutation | undefined {
  const f = filter as (t: Token) => t is Token;
  const first = nth(input, ordinal, f);
  if (!first) return undefined;
  return {
    name: `${name} (token @ ${first.start}, tag 0x${first.tag.toString(16)})`,
    apply: (b) => {
      const t = nth(b, ordinal, f);
      return t ? rewrite(b, t) : b;
    },
  };
}

/** Writes the same length with another field width: the same value in another encoding. */
const rewidth: Mutator = (input, { rng }) => {
  const ordinal = rng.u32();
  const width = rng.pick([1, 2, 4, 8]);
  return tokenMutation(`length field as ${width} bytes`, input, ordinal, isLength, (b, t) => {
    const lt = t as LengthToken;
    if (lt.length >= 2 ** (8 * Math.min(width, 6))) return b;
    const code = Math.log2(width);
    return replaceRange(b, lt.start, lt.dataAt, Uint8Array.of((lt.tag & ~3) | code, ...beBytes(lt.length, width)));
  });
};

/** Declares another length for the same bytes. */
const setLength: Mutator = (input, { rng }) => {
  const ordinal = rng.u32();
  const choice = rng.int(6);
  return tokenMutation(`declared length ${['+1', '-1', '0', 'max of width', '2^31', '+2^32'][choice]}`, input, ordinal, isLength, (b, t) => {
    const lt = t as LengthToken;
    const max = lt.width === 8 ? 2 ** 53 : 2 ** (8 * lt.width) - 1;
    const len = [lt.length + 1, lt.length - 1, 0, max, 2 ** 31, lt.length + 2 ** 32][choice]!;
    if (len < 0 || len > max) return b;
    return replaceRange(b, lt.start + 1, lt.dataAt, beBytes(len, lt.width));
  });
};

/** Changes the kind of a token, keeping its bytes: string ↔ data, terminal ↔ chunk, name ↔ string, integer sign, literals. */
const retag: Mutator = (input, { rng }) => {
  const ordinal = rng.u32();
  const flip = rng.int(3);
  return tokenMutation('retag', input, ordinal, isAny, (b, t) => {
    const out = b.slice();
    let tag = t.tag;
    if (t.kind === 'string' || t.kind === 'data') tag = flip === 0 ? tag ^ 0x08 : flip === 1 ? tag ^ 0x04 : (tag & 3) | 0xb4;
    else if (t.kind === 'name') tag = (tag & 3) | (flip === 0 ? 0x80 : 0x88);
    else if (t.kind === 'integer') tag = flip === 0 ? tag ^ 0x08 : tag === 0xa0 ? 0x92 : (tag & ~3) | ((tag + 1) & 3);
    else if (t.kind === 'literal') tag = 0xb0 + ((tag - 0xb0 + 1 + flip) % 3);
    else tag = 0xa3;
    out[t.start] = tag;
    return out;
  });
};

/** Splits a terminal string or data item into a chunk and a terminal item (the same value), or prepends empty chunks. */
const chunkSplit: Mutator = (input, { rng }) => {
  const ordinal = rng.u32();
  const cut = rng.u32();
  const empties = rng.chance(0.3) ? rng.pick([1, 3, 1000]) : 0;
  return tokenMutation(empties ? `prepend ${empties} empty chunks` : 'split into two chunks', input, ordinal, isTerminalItem, (b, t) => {
    const lt = t as LengthToken;
    const base = lt.tag & 0xf8; // 80 or 88
    const data = b.subarray(lt.dataAt, lt.dataAt + lt.length);
    if (empties) {
      const pre = new Uint8Array(2 * empties);
      for (let i = 0; i < empties; i++) pre[2 * i] = base | 4;
      return replaceRange(b, lt.start, lt.start, pre);
    }
    const k = lt.length === 0 ? 0 : cut % (lt.length + 1);
    const head = Uint8Array.of(base | 4 | 2, ...beBytes(k, 4), ...data.subarray(0, k));
    const tail = Uint8Array.of(base | 2, ...beBytes(lt.length - k, 4), ...data.subarray(k));
    const both = new Uint8Array(head.length + tail.length);
    both.set(head);
    both.set(tail, head.length);
    return replaceRange(b, lt.start, lt.dataAt + lt.length, both);
  });
};

const deleteToken: Mutator = (input, { rng }) => {
  const ordinal = rng.u32();
  return tokenMutation('delete token', input, ordinal, isAny, (b, t) => replaceRange(b, t.start, tokenEnd(t), new Uint8Array(0)));
};

const duplicateToken: Mutator = (input, { rng }) => {
  const ordinal = rng.u32();
  return tokenMutation('duplicate token', input, ordinal, isAny, (b, t) => replaceRange(b, tokenEnd(t), tokenEnd(t), b.slice(t.start, tokenEnd(t))));
};

/** Flips a bit inside an item's data, framing intact. */
const flipInData: Mutator = (input, { rng }) => {
  const ordinal = rng.u32();
  const pos = rng.u32();
  const bit = rng.int(8);
  return tokenMutation(`flip bit ${bit} inside the data`, input, ordinal, (t) => isLength(t) && t.length > 0, (b, t) => {
    const lt = t as LengthToken;
    const out = b.slice();
    out[lt.dataAt + (pos % lt.length)]! ^= 1 << bit;
    return out;
  });
};

/** JSON-B token mutators, with weights. */
export const JSONB_TOKEN_MUTATORS: readonly (readonly [Mutator, number])[] = [
  [rewidth, 2], [setLength, 3], [retag, 3], [chunkSplit, 2], [deleteToken, 2], [duplicateToken, 1], [flipInData, 4],
];
