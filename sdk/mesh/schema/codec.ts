import { writeReferenceJson } from '../../encoding/reference-json.js';
import { EncodingError } from '../../encoding/errors.js';
import { parseJson } from '../../encoding/json-reader.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../encoding/json-value.js';
import { writeJson } from '../../encoding/json-writer.js';
import { decodeJsonB } from '../../encoding/jsonb-reader.js';
import { encodeJsonB } from '../../encoding/jsonb-writer.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { MeshError } from '../errors.js';
import type { MeshObjectBase } from './object.js';
import { classInfo } from './model.js';
import { readMembers, readTagged } from './read.js';
import type { MeshClassMap, MeshClassName, MeshFamilyMap, MeshObject } from './types.js';
import { writeTagged } from './write.js';

/**
 * Mesh objects to and from bytes (mesh-model.md §0, §3): tagged JSON text — compact, or the
 * reference's pretty layout, whose bytes REF signs — and JSON-B (ConnectionService /
 * ConnectionDevice payloads). One value model serves all three (encoding/json-value.ts).
 */

/** How an object is written: compact JSON, the reference's pretty JSON layout (dare.md §9.7), or JSON-B. */
export type MeshEncoding = 'json' | 'reference' | 'jsonb';

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Which encoding bytes are in: JSON-B when the first token is binary or an object/array opener is
 * followed by a binary tag (the reference writes `{` `B4 len name` …; mesh-kinds.md D1), else JSON.
 */
export function detectEncoding(bytes: Uint8Array): 'json' | 'jsonb' {
  let i = 0;
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  if (i >= bytes.length) return 'json';
  if (bytes[i]! >= 0x80) return 'jsonb';
  if (bytes[i] !== 0x7b && bytes[i] !== 0x5b) return 'json';
  i++;
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  return i < bytes.length && bytes[i]! >= 0x80 ? 'jsonb' : 'json';
}

/** Parses JSON text or JSON-B into a value (`MESH_BAD_ENCODING` on malformed input). */
export function parseMeshValue(input: Uint8Array | string): JsonValue {
  try {
    if (typeof input === 'string') return parseJson(input);
    return detectEncoding(input) === 'jsonb' ? decodeJsonB(input) : parseJson(input);
  } catch (e) {
    if (e instanceof EncodingError) throw new MeshError('MESH_BAD_ENCODING', `not JSON or JSON-B: ${e.code}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Reads a tagged Mesh object (`{"ProfileUser": {...}}`) from JSON text, JSON-B bytes or a parsed
 * value. With `expected`, the class must be it or inherit from it (`MESH_WRONG_CLASS`). Members
 * are type-checked (`MESH_BAD_MEMBER` names class and member); unknown members are kept.
 */
export function readMeshObject(input: Uint8Array | string | JsonValue): MeshObject;
export function readMeshObject<C extends MeshClassName>(input: Uint8Array | string | JsonValue, expected: C): MeshFamilyMap[C];
export function readMeshObject(input: Uint8Array | string | JsonValue, expected?: MeshClassName): MeshObject {
  const value = typeof input === 'string' || input instanceof Uint8Array ? parseMeshValue(input) : input;
  return readTagged(value, expected) as MeshObject;
}

/**
 * Reads an *untagged* object of a known class (a member value such as a KeyData found inside a
 * larger document, or a class the context fixes).
 */
export function readMeshMembers<C extends MeshClassName>(value: JsonValue, className: C): MeshClassMap[C] {
  const info = classInfo(className);
  if (info === undefined) throw new MeshError('MESH_UNKNOWN_CLASS', `unknown Mesh class ${className}`, { className });
  if (!isJsonObject(value)) throw new MeshError('MESH_BAD_OBJECT', `expected a ${className} object`, { className });
  return readMembers(value, info) as MeshClassMap[C];
}

/** The tagged JSON value of an object (binary as `Uint8Array`, DateTime as `Date`): embed it in another value. */
export function meshObjectToValue(obj: MeshObjectBase): JsonObject {
  return writeTagged(obj);
}

/** Writes an object as tagged JSON text: compact (default) or the reference's pretty layout. */
export function meshObjectToString(obj: MeshObjectBase, encoding: 'json' | 'reference' = 'json'): string {
  const value = writeTagged(obj);
  return encoding === 'reference' ? writeReferenceJson(value) : writeJson(value);
}

/** Writes an object as bytes: UTF-8 JSON text (compact or reference layout) or JSON-B. */
export function writeMeshObject(obj: MeshObjectBase, encoding: MeshEncoding = 'json'): Uint8Array {
  if (encoding === 'jsonb') return encodeJsonB(writeTagged(obj));
  if (encoding !== 'json' && encoding !== 'reference') throw new MeshError('MESH_BAD_ARGUMENT', `unknown encoding ${String(encoding)}`);
  return utf8Encode(meshObjectToString(obj, encoding));
}
