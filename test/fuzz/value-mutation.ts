import { base64urlDecode, base64urlEncode, decodeJsonB, encodeJsonB, isJsonObject, parseJson, readJsonBItems, utf8Encode, writeJson, type JsonValue } from '../../sdk/encoding/index.js';
import type { Mutation, Mutator } from './mutation.js';
import { Rng } from './rng.js';

/**
 * Structure-aware mutations: parse the document (JSON text or JSON-B), change one member or item,
 * write it back in the same form. The framing stays valid, so these reach the checks behind the
 * parser — types of members, algorithm ids, signatures, MACs, the covered header — which byte
 * flips mostly cannot. Binary members that hold a document themselves (ContentMetaData is JSON
 * text, annotations are JSON-B item sequences) are mutated inside, one level down.
 */

export type DocFormat = 'json' | 'jsonb';

/** One place in a value: the container, the key, the value there. */
interface Slot {
  readonly path: string;
  readonly holder: JsonValue[] | { [k: string]: JsonValue | undefined } | undefined;
  readonly key: string | number;
  readonly value: JsonValue;
}

function slots(root: JsonValue): Slot[] {
  const out: Slot[] = [{ path: '$', holder: undefined, key: '', value: root }];
  const walk = (v: JsonValue, path: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ path: `${path}[${i}]`, holder: v, key: i, value: x });
        walk(x, `${path}[${i}]`);
      });
    } else if (isJsonObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        out.push({ path: `${path}.${k}`, holder: v, key: k, value: x });
        walk(x, `${path}.${k}`);
      }
    }
  };
  walk(root, '$');
  return out;
}

/** Parses a document in `format`; undefined when it does not parse. */
export function parseDoc(b: Uint8Array, format: DocFormat): JsonValue | undefined {
  try {
    return format === 'json' ? parseJson(b) : decodeJsonB(b);
  } catch {
    return undefined;
  }
}

/** Writes a document in `format`; undefined when the value has no such form (e.g. a hostile NaN). */
export function writeDoc(v: JsonValue, format: DocFormat): Uint8Array | undefined {
  try {
    return format === 'json' ? utf8Encode(writeJson(v)) : encodeJsonB(v);
  } catch {
    return undefined;
  }
}

function deepNest(n: number): JsonValue {
  let v: JsonValue = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

/** Values chosen to break naive code, and plausible ones (algorithm ids, key lengths) to reach deeper. */
function hostileValue(rng: Rng): JsonValue {
  const options: (() => JsonValue)[] = [
    () => ({ toString: 1 }), () => ({ valueOf: {} }), () => JSON.parse('{"__proto__":{"toString":1}}') as JsonValue,
    () => [], () => [[]], () => [{ toString: 1 }], () => ({}), () => null, () => true, () => false, () => 0, () => -1, () => 1.5,
    () => 1e308, () => 2 ** 53 + 2, () => 2n ** 63n, () => -(2n ** 63n), () => '', () => 'x', () => '\u0000\u001b[2J\u202e',
    () => 'A'.repeat(300), () => new Uint8Array(0), () => rng.bytes(rng.pick([1, 16, 32, 56, 57, 64, 114, 1000])), () => deepNest(40),
    () => rng.pick(['S512', 'S256', 'S3512', 'A256CBC', 'A256CBC-HS512', 'Ed448', 'Ed25519', 'X448', 'X25519', 'ECDH', 'Merkle', 'Tree', 'JSON']),
    () => rng.pick(['AAAA', 'AA', 'A', '====', 'e30', '_-_-', 'MBVS-ODR3-5EAW-BJHA-22VB-RP5P-6D6X']), () => 2 ** 31, () => 0.1,
  ];
  return rng.pick(options)();
}

/** A base64url string's bytes, when it is one (JSON carries binary members that way). */
function asBinary(v: JsonValue): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string' || v.length < 4 || !/^[A-Za-z0-9_-]+$/.test(v)) return undefined;
  try {
    return base64urlDecode(v);
  } catch {
    return undefined;
  }
}

/** `bytes` in the representation `like` had (bytes stay bytes, base64url strings stay strings). */
const sameForm = (like: JsonValue, bytes: Uint8Array): JsonValue => (like instanceof Uint8Array ? bytes : base64urlEncode(bytes));

function setSlot(root: JsonValue, s: Slot, v: JsonValue): JsonValue {
  if (s.holder === undefined) return v;
  if (Array.isArray(s.holder)) s.holder[s.key as number] = v;
  else Object.defineProperty(s.holder, s.key, { value: v, enumerable: true, writable: true, configurable: true });
  return root;
}

function deleteSlot(root: JsonValue, s: Slot): JsonValue | undefined {
  if (s.holder === undefined) return undefined;
  if (Array.isArray(s.holder)) s.holder.splice(s.key as number, 1);
  else delete s.holder[s.key as string];
  return root;
}

/** One edit of a parsed document: returns the new root, or undefined to leave the input alone. */
type Edit = (root: JsonValue, all: Slot[], pick: number, rng: Rng) => { root: JsonValue; what: string } | undefined;

/** A nested document inside a binary value: ContentMetaData (JSON text) or an EDS (JSON-B items). */
function mutateNested(bytes: Uint8Array, rng: Rng): Uint8Array | undefined {
  if (bytes.length > 0 && bytes[0] === 0x7b) {
    const inner = parseDoc(bytes, 'json');
    if (inner === undefined) return undefined;
    const all = slots(inner);
    const r = rng.pick(EDITS)(inner, all, rng.u32(), rng);
    return r ? writeDoc(r.root, 'json') : undefined;
  }
  let items: JsonValue[];
  try {
    items = readJsonBItems(bytes);
  } catch {
    return undefined;
  }
  if (items.length < 2) return undefined;
  const all = slots(items).filter((s) => s.path !== '$');
  const r = rng.pick(EDITS)(items, all, rng.u32(), rng);
  if (!r || !Array.isArray(r.root)) return undefined;
  const parts = r.root.map((x) => writeDoc(x, 'jsonb'));
  if (parts.some((p) => p === undefined)) return undefined;
  const n = parts.reduce((a, p) => a + p!.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p!, o);
    o += p!.length;
  }
  return out;
}

const EDITS: readonly Edit[] = [
  // delete a member or item
  (root, all, pick) => {
    const s = all[pick % all.length]!;
    const r = deleteSlot(root, s);
    return r === undefined ? undefined : { root: r, what: `delete ${s.path}` };
  },
  // replace with a hostile or plausible value
  (root, all, pick, rng) => {
    const s = all[pick % all.length]!;
    const v = hostileValue(rng);
    return { root: setSlot(root, s, v), what: `replace ${s.path} with ${describe(v)}` };
  },
  // flip a bit of a binary value, in its own representation
  (root, all, pick, rng) => {
    const bins = all.filter((s) => asBinary(s.value) !== undefined && asBinary(s.value)!.length > 0);
    if (bins.length === 0) return undefined;
    const s = bins[pick % bins.length]!;
    const bytes = asBinary(s.value)!.slice();
    const i = rng.int(bytes.length);
    const bit = rng.int(8);
    bytes[i]! ^= 1 << bit;
    return { root: setSlot(root, s, sameForm(s.value, bytes)), what: `flip bit ${bit} of byte ${i} of ${s.path}` };
  },
  // truncate or extend a binary value
  (root, all, pick, rng) => {
    const bins = all.filter((s) => asBinary(s.value) !== undefined);
    if (bins.length === 0) return undefined;
    const s = bins[pick % bins.length]!;
    const bytes = asBinary(s.value)!;
    const grow = rng.chance(0.3);
    const next = grow ? Uint8Array.of(...bytes, ...rng.bytes(rng.range(1, 16))) : bytes.slice(0, rng.int(bytes.length + 1));
    return { root: setSlot(root, s, sameForm(s.value, next)), what: `${grow ? 'extend' : 'truncate'} ${s.path} to ${next.length} bytes` };
  },
  // mutate a document nested in a binary value (ContentMetaData, EDS)
  (root, all, pick, rng) => {
    const bins = all.filter((s) => asBinary(s.value) !== undefined && asBinary(s.value)!.length > 1);
    if (bins.length === 0) return undefined;
    const s = bins[pick % bins.length]!;
    const next = mutateNested(asBinary(s.value)!, rng);
    return next ? { root: setSlot(root, s, sameForm(s.value, next)), what: `edit the document inside ${s.path}` } : undefined;
  },
  // change a string
  (root, all, pick, rng) => {
    const strs = all.filter((s) => typeof s.value === 'string');
    if (strs.length === 0) return undefined;
    const s = strs[pick % strs.length]!;
    const v = s.value as string;
    const i = rng.int(v.length + 1);
    const next = rng.chance(0.5) ? v.slice(0, i) + String.fromCharCode(rng.pick([0x41, 0x0a, 0x1b, 0x22, 0x5c, 0x7f, 0xd800, 0x202e])) + v.slice(i)
      : v.slice(0, i) + v.slice(i + 1);
    return { root: setSlot(root, s, next), what: `edit string ${s.path}` };
  },
  // change a number
  (root, all, pick, rng) => {
    const nums = all.filter((s) => typeof s.value === 'number' || typeof s.value === 'bigint');
    if (nums.length === 0) return undefined;
    const s = nums[pick % nums.length]!;
    const n = Number(s.value);
    const next = rng.pick([n + 1, n - 1, -n, 0, 2 ** 32, 2 ** 53, -(2 ** 31), n * 1000]);
    return { root: setSlot(root, s, next), what: `set ${s.path} to ${next}` };
  },
  // move a member to another object (trailer ↔ header, signature entry ↔ recipient entry)
  (root, all, pick, rng) => {
    const members = all.filter((s) => s.holder !== undefined && !Array.isArray(s.holder));
    const objects = all.filter((s) => isJsonObject(s.value));
    if (members.length === 0 || objects.length === 0) return undefined;
    const s = members[pick % members.length]!;
    const to = objects[rng.int(objects.length)]!;
    // Not into the object it is in, nor into itself (a cycle).
    if (to.value === s.holder || to.path === s.path || to.path.startsWith(`${s.path}.`) || to.path.startsWith(`${s.path}[`)) return undefined;
    deleteSlot(root, s);
    Object.defineProperty(to.value as object, s.key, { value: s.value, enumerable: true, writable: true, configurable: true });
    return { root, what: `move ${s.path} into ${to.path}` };
  },
  // copy a value over another one of the same document (swap a salt for a signature, ...)
  (root, all, pick, rng) => {
    if (all.length < 2) return undefined;
    const s = all[pick % all.length]!;
    const from = all[rng.int(all.length)]!;
    if (from.path.startsWith(s.path)) return undefined;
    return { root: setSlot(root, s, structuredClone(from.value)), what: `copy ${from.path} over ${s.path}` };
  },
  // duplicate or swap array items (signatures, recipients, annotations)
  (root, all, pick, rng) => {
    const items = all.filter((s) => Array.isArray(s.holder));
    if (items.length === 0) return undefined;
    const s = items[pick % items.length]!;
    const arr = s.holder as JsonValue[];
    if (rng.chance(0.5) || arr.length < 2) {
      arr.splice(s.key as number, 0, structuredClone(s.value));
      return { root, what: `duplicate ${s.path}` };
    }
    const j = rng.int(arr.length);
    [arr[s.key as number], arr[j]] = [arr[j]!, arr[s.key as number]!];
    return { root, what: `swap ${s.path} with item ${j}` };
  },
  // add an unknown or known-name member with a hostile value
  (root, all, pick, rng) => {
    const objects = all.filter((s) => isJsonObject(s.value));
    if (objects.length === 0) return undefined;
    const s = objects[pick % objects.length]!;
    const name = rng.pick(['__proto__', 'toString', 'constructor', 'X-Unknown', 'PayloadMac', 'ManifestSignature', 'witness', 'enc', 'dig',
      'Salt', 'recipients', 'signatures', 'ContentMetaData', 'EnvelopeId', 'annotations', 'cloaked', 'policy', 'SequenceInfo', 'ExchangePosition']);
    const v = hostileValue(rng);
    Object.defineProperty(s.value as object, name, { value: v, enumerable: true, writable: true, configurable: true });
    return { root, what: `set ${s.path}.${name} = ${describe(v)}` };
  },
];

function describe(v: JsonValue): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'bigint') return `${v}n`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
  } catch {
    return String(v);
  }
}

/** The structure-aware mutator for documents in `format`. */
export function valueMutator(format: DocFormat): Mutator {
  return (input, { rng }) => {
    const root = parseDoc(input, format);
    if (root === undefined) return undefined;
    const editIndex = rng.int(EDITS.length);
    const pick = rng.u32();
    const seed = rng.u32();
    const first = runEdit(input, format, editIndex, pick, seed);
    if (!first) return undefined;
    return {
      name: `value: ${first.what}`,
      apply: (b) => runEdit(b, format, editIndex, pick, seed)?.bytes ?? b,
    };
  };
}

function runEdit(b: Uint8Array, format: DocFormat, editIndex: number, pick: number, seed: number): { bytes: Uint8Array; what: string } | undefined {
  const root = parseDoc(b, format);
  if (root === undefined) return undefined;
  // The edit's own randomness is fixed by `seed`, so applying the mutation again gives the same bytes.
  const rng = new Rng(seed);
  const r = EDITS[editIndex]!(root, slots(root), pick, rng);
  if (!r) return undefined;
  const bytes = writeDoc(r.root, format);
  return bytes ? { bytes, what: r.what } : undefined;
}

/** Wraps a document in another, or unwraps it: `{"DareEnvelope": [...]}` ↔ `[...]` and the like. */
export function wrapMutator(format: DocFormat): Mutator {
  return (input, { rng }) => {
    const name = rng.pick(['DareEnvelope', 'DareEnvelope', 'X', '__proto__']);
    const unwrap = rng.chance(0.5);
    const apply = (b: Uint8Array): Uint8Array => {
      const root = parseDoc(b, format);
      if (root === undefined) return b;
      let next: JsonValue;
      if (unwrap && isJsonObject(root)) {
        const vals = Object.values(root);
        if (vals.length === 0 || vals[0] === undefined) return b;
        next = vals[0];
      } else if (unwrap && Array.isArray(root) && root.length > 0) {
        next = root[0]!;
      } else {
        next = {};
        Object.defineProperty(next, name, { value: root, enumerable: true, writable: true, configurable: true });
      }
      return writeDoc(next, format) ?? b;
    };
    return { name: unwrap ? 'unwrap the document' : `wrap the document as {${JSON.stringify(name)}: ...}`, apply };
  };
}

/**
 * JSON text escapes: a character of a string token rewritten as its `\uXXXX` escape (the same
 * value, another spelling), or replaced by an escaped lone surrogate or U+FFFD (values a UTF-8
 * digest of the string cannot tell apart unless the reader refuses the surrogates). Characters
 * outside ASCII are picked half the time: they are where spellings and UTF-8 forms diverge.
 */
export const jsonEscapeMutator: Mutator = (input, { rng }) => {
  if (!input.includes(0x22)) return undefined;
  const pick = rng.u32();
  const preferWide = rng.chance(0.5);
  const form = rng.pick(['same', 'same', '\\ud800', '\\udfff', '\\ufffd', '\\ud83d\\ude00']);
  const apply = (b: Uint8Array): Uint8Array => {
    const text = new TextDecoder().decode(b);
    const all: number[] = [];
    for (let p = 0; p < text.length; p++) {
      if (text[p] !== '"') continue;
      for (p++; p < text.length && text[p] !== '"'; p++) {
        if (text[p] === '\\') p++;
        else all.push(p);
      }
    }
    const wide = all.filter((i) => text.charCodeAt(i) > 0x7f);
    const from = preferWide && wide.length > 0 ? wide : all;
    if (from.length === 0) return b;
    const i = from[pick % from.length]!;
    const escaped = form === 'same' ? `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}` : form;
    return utf8Encode(text.slice(0, i) + escaped + text.slice(i + 1));
  };
  return { name: `JSON string character → ${form === 'same' ? 'its \\u escape' : form}`, apply };
};
