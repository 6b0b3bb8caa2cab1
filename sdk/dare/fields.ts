import { base64urlDecode } from '../encoding/base64url.js';
import { EncodingError } from '../encoding/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../encoding/json-value.js';
import { DareError } from './errors.js';

/**
 * Typed access to members of parsed envelope objects (internal). JSON text carries binary values
 * as base64url strings, JSON-B as data items: both are accepted wherever the schema says binary.
 * A member of the wrong type is `DARE_BAD_FORMAT` naming the member.
 */

export function bad(where: string, what: string): never {
  throw new DareError('DARE_BAD_FORMAT', `${where}: ${what}`);
}

export function asObject(v: JsonValue | undefined, where: string): JsonObject {
  if (!isJsonObject(v)) bad(where, 'not an object');
  return v;
}

export function optString(o: JsonObject, name: string, where: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') bad(`${where}.${name}`, 'not a string');
  return v;
}

export function toBinary(v: JsonValue | undefined, where: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    try {
      return base64urlDecode(v);
    } catch (e) {
      if (e instanceof EncodingError) throw new DareError('DARE_BAD_FORMAT', `${where}: not base64url (${e.code})`, { cause: e });
      throw e;
    }
  }
  return bad(where, 'not binary data');
}

export function optBinary(o: JsonObject, name: string, where: string): Uint8Array | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  return toBinary(v, `${where}.${name}`);
}

export function optArray(o: JsonObject, name: string, where: string): JsonValue[] | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) bad(`${where}.${name}`, 'not an array');
  return v;
}

export function optObject(o: JsonObject, name: string, where: string): JsonObject | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  return asObject(v, `${where}.${name}`);
}
