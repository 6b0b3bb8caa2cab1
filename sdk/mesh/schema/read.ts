import { envelopeFromValue, type DareEnvelope } from '../../dare/envelope.js';
import { DareError } from '../../dare/errors.js';
import { base64urlDecode } from '../../encoding/base64url.js';
import { EncodingError } from '../../encoding/errors.js';
import { isJsonObject, setMember, type JsonObject, type JsonValue } from '../../encoding/json-value.js';
import { MeshError } from '../errors.js';
import { classInfo, isKindOf, type ClassInfo, type MemberInfo, type MemberType, type ScalarKind } from './model.js';
import type { MeshObjectBase } from './object.js';

/**
 * Reads parsed JSON / JSON-B values into Mesh objects, driven by the class table (mesh-model.md
 * §0). Every member is type-checked: a wrong type is `MESH_BAD_MEMBER` naming the class and the
 * member path. Members the schema does not describe are kept raw in `$wire`, with the order the
 * members came in, so that writing the object back reproduces them (write.ts).
 */

/** A path for messages: `ProfileUser.ProfileSignature.PublicParameters`. */
type Path = string;

function badMember(path: Path, className: string, member: string, what: string, cause?: unknown): never {
  throw new MeshError('MESH_BAD_MEMBER', `${path}: ${what}`, { className, member, ...(cause === undefined ? {} : { cause }) });
}

function describe(v: JsonValue | undefined): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'binary data';
  if (v instanceof Date) return 'a date';
  if (isJsonObject(v)) return 'an object';
  return `a ${typeof v}`;
}

/** `yyyy-MM-ddTHH:mm:ss[.fff](Z|±hh:mm)` (RFC 3339, what mesh-model.md §0 allows on input). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses a DateTime; `undefined` when it is not RFC 3339. */
export function parseDateTime(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const d = new Date(text.toUpperCase());
  if (Number.isNaN(d.getTime())) return undefined;
  // Reject what Date.parse silently rolls over (2022-02-30, 24:00:00).
  if (m[8]!.toUpperCase() === 'Z' && (d.getUTCDate() !== Number(m[3]) || d.getUTCHours() !== Number(m[4]))) return undefined;
  return d;
}

function readScalar(v: JsonValue, kind: ScalarKind, path: Path, cls: string, member: string): unknown {
  switch (kind) {
    case 'String':
      if (typeof v === 'string') return v;
      break;
    case 'Boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'Integer':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      if (typeof v === 'bigint') {
        if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
        return badMember(path, cls, member, 'integer outside ±(2^53 − 1)');
      }
      break;
    case 'Float':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      break;
    case 'Binary':
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') {
        try {
          return base64urlDecode(v);
        } catch (e) {
          if (e instanceof EncodingError) return badMember(path, cls, member, `expected base64url binary data (${e.code})`, e);
          throw e;
        }
      }
      break;
    case 'DateTime':
      if (typeof v === 'string') {
        const d = parseDateTime(v);
        if (d !== undefined) return d;
        return badMember(path, cls, member, 'expected a DateTime (yyyy-MM-ddTHH:mm:ssZ)');
      }
      break;
  }
  return badMember(path, cls, member, `expected ${kind === 'Binary' ? 'binary data' : kind === 'DateTime' ? 'a DateTime' : `a ${kind.toLowerCase()}`}, got ${describe(v)}`);
}

function readEnvelope(v: JsonValue, path: Path, cls: string, member: string): DareEnvelope {
  try {
    return envelopeFromValue(v, path);
  } catch (e) {
    if (e instanceof DareError) return badMember(path, cls, member, `expected a DARE envelope (${e.code}: ${e.message})`, e);
    throw e;
  }
}

function readValue(v: JsonValue, type: MemberType, path: Path, cls: string, member: string): unknown {
  switch (type.kind) {
    case 'scalar':
      return readScalar(v, type.scalar, path, cls, member);
    case 'envelope':
      return readEnvelope(v, path, cls, member);
    case 'struct':
      if (!isJsonObject(v)) return badMember(path, cls, member, `expected a ${type.className} object, got ${describe(v)}`);
      return readMembers(v, classInfo(type.className)!, path);
    case 'tagged':
      return readTaggedAt(v, type.className, path, cls, member);
  }
}

function readTaggedAt(v: JsonValue, base: string, path: Path, cls: string, member: string): MeshObjectBase {
  if (!isJsonObject(v)) return badMember(path, cls, member, `expected a tagged ${base} object, got ${describe(v)}`);
  const tags = Object.keys(v);
  if (tags.length !== 1) return badMember(path, cls, member, `expected a tagged ${base} object (one member naming the class), got ${tags.length} members`);
  const tag = tags[0]!;
  const body = v[tag];
  if (!isJsonObject(body)) return badMember(`${path}.${tag}`, cls, member, `expected an object, got ${describe(body)}`);
  const info = classInfo(tag);
  if (info === undefined) {
    // A class this version does not know (a newer writer's subclass): kept whole, written back as read.
    return opaque(tag, body);
  }
  if (!isKindOf(tag, base)) return badMember(path, cls, member, `${tag} is not a ${base}`);
  return readMembers(body, info, `${path}.${tag}`);
}

/** A class the schema does not know: every member kept raw. */
function opaque(tag: string, body: JsonObject): MeshObjectBase {
  const extra: JsonObject = {};
  for (const [k, x] of Object.entries(body)) if (x !== undefined) setMember(extra, k, x);
  return { $class: tag, $wire: { order: Object.keys(extra), extra } };
}

/**
 * Reads the members of an untagged object of class `info` (the body of a tagged object, or a
 * struct member). `null` members are absent (mesh-model.md §0: absent optionals are omitted).
 */
export function readMembers(body: JsonObject, info: ClassInfo, path: Path = info.name): MeshObjectBase {
  const out: Record<string, unknown> = { $class: info.name };
  const order: string[] = [];
  const extra: JsonObject = {};
  let keepOrder = false;
  let lastIndex = -1;
  for (const [name, v] of Object.entries(body)) {
    if (v === undefined || v === null) continue;
    order.push(name);
    const alias = info.aliases.get(name);
    const m: MemberInfo | undefined = info.byName.get(name) ?? alias;
    if (m === undefined) {
      setMember(extra, name, v);
      keepOrder = true;
      continue;
    }
    if (alias !== undefined) keepOrder = true;
    if (out[m.name] !== undefined) badMember(`${path}.${name}`, info.name, name, `member ${m.name} given twice (as ${name})`);
    const index = info.members.indexOf(m);
    if (index < lastIndex) keepOrder = true;
    lastIndex = index;
    const where = `${path}.${name}`;
    if (m.list) {
      if (!Array.isArray(v)) badMember(where, info.name, name, `expected a list, got ${describe(v)}`);
      out[m.name] = v.map((item, i) => readValue(item, m.type, `${where}[${i}]`, info.name, name));
    } else {
      out[m.name] = readValue(v, m.type, where, info.name, name);
    }
  }
  if (keepOrder) out['$wire'] = { order, extra };
  return out as unknown as MeshObjectBase;
}

/**
 * Reads a tagged object `{"Class": {...}}`. With `expected`, the class must be it or inherit from
 * it (`MESH_WRONG_CLASS`); without, any class of the schema (`MESH_UNKNOWN_CLASS` otherwise).
 */
export function readTagged(value: JsonValue, expected?: string): MeshObjectBase {
  if (!isJsonObject(value)) throw new MeshError('MESH_BAD_OBJECT', `expected a tagged Mesh object, got ${describe(value)}`);
  const tags = Object.keys(value);
  if (tags.length !== 1) throw new MeshError('MESH_BAD_OBJECT', `expected a tagged Mesh object (one member naming the class), got ${tags.length} members`);
  const tag = tags[0]!;
  const info = classInfo(tag);
  if (info === undefined) throw new MeshError('MESH_UNKNOWN_CLASS', `unknown Mesh class ${tag}`, { className: tag });
  if (expected !== undefined && !isKindOf(tag, expected)) {
    throw new MeshError('MESH_WRONG_CLASS', `expected a ${expected}, got a ${tag}`, { className: tag });
  }
  const body = value[tag];
  if (!isJsonObject(body)) throw new MeshError('MESH_BAD_OBJECT', `${tag}: expected an object, got ${describe(body)}`, { className: tag });
  return readMembers(body, info);
}
