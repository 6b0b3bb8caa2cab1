import type { DareEnvelope } from '../../dare/envelope.js';
import { headerToObject } from '../../dare/header.js';
import { DareError } from '../../dare/errors.js';
import { isJsonObject, setMember, type JsonObject, type JsonValue } from '../../encoding/json-value.js';
import { MeshError } from '../errors.js';
import { classInfo, family, isKindOf, type ClassInfo, type MemberInfo, type MemberType, type ScalarKind } from './model.js';
import type { MeshObjectBase, WireRecord } from './object.js';

/**
 * Writes Mesh objects as JSON values (binary as `Uint8Array`, DateTime as `Date`), ready for any
 * of the serializers: compact JSON, the reference's pretty layout, or JSON-B (codec.ts). Members
 * come in the order they were read (`$wire.order`, aliases under the name read), then the schema's
 * order (= the reference's), then unknown members kept by the reader. Every value is checked
 * against the schema first: a wrong type, or a property that is not a member of the class, is
 * `MESH_BAD_MEMBER` naming class and member.
 */

type Path = string;

function badMember(path: Path, className: string, member: string, what: string, cause?: unknown): never {
  throw new MeshError('MESH_BAD_MEMBER', `${path}: ${what}`, { className, member, ...(cause === undefined ? {} : { cause }) });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'binary data';
  if (v instanceof Date) return 'a Date';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function writeScalar(v: unknown, kind: ScalarKind, path: Path, cls: string, member: string): JsonValue {
  switch (kind) {
    case 'String':
      if (typeof v === 'string') return v;
      break;
    case 'Boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'Integer':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      break;
    case 'Float':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      break;
    case 'Binary':
      if (v instanceof Uint8Array) return v;
      break;
    case 'DateTime':
      if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
      break;
  }
  const want = { String: 'a string', Boolean: 'a boolean', Integer: 'a safe integer', Float: 'a finite number', Binary: 'a Uint8Array', DateTime: 'a valid Date' }[kind];
  return badMember(path, cls, member, `expected ${want}, got ${describe(v)}`);
}

function writeEnvelope(v: unknown, path: Path, cls: string, member: string): JsonValue {
  const env = v as DareEnvelope;
  if (typeof v !== 'object' || v === null || !(env.payload instanceof Uint8Array) || typeof env.header !== 'object' || env.header === null) {
    return badMember(path, cls, member, `expected a DARE envelope ({ header, payload, trailer? }), got ${describe(v)}`);
  }
  try {
    // A trailer read as `{}` is written back (frames a service stored carry one, mesh-kinds.md D1).
    const value: JsonValue[] = [headerToObject(env.header, 'header'), env.payload];
    if (env.trailer !== undefined) value.push(headerToObject(env.trailer));
    return value;
  } catch (e) {
    if (e instanceof DareError) return badMember(path, cls, member, `envelope: ${e.message}`, e);
    throw e;
  }
}

function asMeshObject(v: unknown, path: Path, cls: string, member: string): MeshObjectBase & Record<string, unknown> {
  if (!isJsonObject(v)) return badMember(path, cls, member, `expected a Mesh object, got ${describe(v)}`);
  return v as unknown as MeshObjectBase & Record<string, unknown>;
}

function writeValue(v: unknown, type: MemberType, path: Path, cls: string, member: string): JsonValue {
  switch (type.kind) {
    case 'scalar':
      return writeScalar(v, type.scalar, path, cls, member);
    case 'envelope':
      return writeEnvelope(v, path, cls, member);
    case 'struct': {
      const o = asMeshObject(v, path, cls, member);
      if (o.$class !== undefined && o.$class !== type.className) {
        // The wire does not name the class of an untagged member: a subclass would be read back as the base.
        return badMember(path, cls, member, `an untagged ${type.className} member cannot hold a ${String(o.$class)}`);
      }
      return writeMembers(o, classInfo(type.className)!, path);
    }
    case 'tagged': {
      const o = asMeshObject(v, path, cls, member);
      const name = o.$class ?? (family(type.className).length === 1 ? type.className : undefined);
      if (typeof name !== 'string') return badMember(path, cls, member, `a tagged ${type.className} member needs $class (which subclass)`);
      const info = classInfo(name);
      if (info === undefined) {
        if (o.$wire === undefined) return badMember(path, cls, member, `unknown class ${name}`);
        return { [name]: writeOpaque(o.$wire) };
      }
      if (!isKindOf(name, type.className)) return badMember(path, cls, member, `${name} is not a ${type.className}`);
      return { [name]: writeMembers(o, info, `${path}.${name}`) };
    }
  }
}

function writeOpaque(wire: WireRecord): JsonObject {
  const out: JsonObject = {};
  for (const name of wire.order) if (wire.extra[name] !== undefined) setMember(out, name, wire.extra[name]!);
  for (const [name, v] of Object.entries(wire.extra)) if (!(name in out) && v !== undefined) setMember(out, name, v);
  return out;
}

function writeMember(o: Record<string, unknown>, m: MemberInfo, path: Path, cls: string, wireName: string): JsonValue | undefined {
  const v = o[m.name];
  if (v === undefined) return undefined;
  const where = `${path}.${wireName}`;
  if (!m.list) return writeValue(v, m.type, where, cls, wireName);
  if (!Array.isArray(v)) return badMember(where, cls, wireName, `expected an array, got ${describe(v)}`);
  return v.map((item: unknown, i) => writeValue(item, m.type, `${where}[${i}]`, cls, wireName));
}

/** The members of `obj` as an untagged JSON object of class `info` (the body of a tagged object). */
export function writeMembers(obj: MeshObjectBase & Record<string, unknown>, info: ClassInfo, path: Path = info.name): JsonObject {
  for (const key of Object.keys(obj)) {
    if (key.startsWith('$') || obj[key] === undefined) continue;
    if (!info.byName.has(key)) badMember(`${path}.${key}`, info.name, key, `${key} is not a member of ${info.name}`);
  }
  const wire = obj.$wire;
  const out: JsonObject = {};
  const written = new Set<string>();
  const emit = (wireName: string, value: JsonValue | undefined, memberName: string): void => {
    written.add(memberName);
    if (value !== undefined) setMember(out, wireName, value);
  };
  if (wire !== undefined) {
    for (const name of wire.order) {
      const m = info.byName.get(name) ?? info.aliases.get(name);
      if (m !== undefined) {
        if (!written.has(m.name)) emit(name, writeMember(obj, m, path, info.name, name), m.name);
      } else if (wire.extra[name] !== undefined && !written.has(`$extra:${name}`)) {
        emit(name, wire.extra[name], `$extra:${name}`);
      }
    }
  }
  for (const m of info.members) if (!written.has(m.name)) emit(m.name, writeMember(obj, m, path, info.name, m.name), m.name);
  if (wire !== undefined) {
    for (const [name, v] of Object.entries(wire.extra)) {
      if (!written.has(`$extra:${name}`) && v !== undefined && !(name in out)) setMember(out, name, v);
    }
  }
  return out;
}

/** `{"Class": {...}}` for a Mesh object (`MESH_UNKNOWN_CLASS` for a class the schema does not define). */
export function writeTagged(obj: MeshObjectBase): JsonObject {
  if (!isJsonObject(obj) || typeof obj.$class !== 'string') {
    throw new MeshError('MESH_BAD_OBJECT', `expected a Mesh object with $class, got ${describe(obj)}`);
  }
  const info = classInfo(obj.$class);
  if (info === undefined) throw new MeshError('MESH_UNKNOWN_CLASS', `unknown Mesh class ${obj.$class}`, { className: obj.$class });
  return { [info.name]: writeMembers(obj as MeshObjectBase & Record<string, unknown>, info) };
}
