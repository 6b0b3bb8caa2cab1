import {
  isInnerList, parseDictionary, serializeInnerList as libraryInnerList, serializeItem as libraryItem, serializeParameters as libraryParameters,
  type BareItem, type Dictionary, type InnerList, type Item, type Parameters,
} from 'structured-headers';
import { base64urlEncode } from '../encoding/base64url.js';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';
import { parseDictionaryShort } from './structured-dictionary.js';

/**
 * Structured Field Values (RFC 8941, RFC 9651) for the fields of RFC 9421 and RFC 9530, on the
 * `structured-headers` package (a strict parser and serializer that runs in every runtime). This
 * module keeps its types out of the rest of the layer and turns its parse errors into ours.
 *
 * Serialization takes a short path for the items every signed message is made of — Strings
 * without `"` or `\`, Integers, Booleans, Byte Sequences, with such parameters (RFC 8941 §4.1.3–
 * §4.1.9, §4.1.1.2) — because the package's general serializer cost a tenth of the service's CPU
 * per request; anything else (an escape, a Token, a Decimal, a value out of range, a bad key) goes
 * to the package, which serializes it or throws exactly as before. Both give the same text for
 * every item the short path takes (a differential test holds them to it).
 */

export type { BareItem, Dictionary, InnerList, Item, Parameters };
export { isInnerList };

/**
 * The longest field value we parse. Our own fields are a few hundred bytes (Mesh-Credential is
 * not structured); a longer Signature-Input or Content-Digest is refused before the parser runs.
 */
export const MAX_STRUCTURED_FIELD = 8192;

/** Parses a Dictionary field (`code` names the field's failure in the error). */
export function parseDictionaryField(value: string, field: string, code: ProtocolErrorCode): Dictionary {
  if (value.length > MAX_STRUCTURED_FIELD) throw new ProtocolError(code, `${field}: longer than ${MAX_STRUCTURED_FIELD} characters`);
  try {
    // The fields of a signed message take the short path; anything else, and every failure, the package.
    return parseDictionaryShort(value) ?? parseDictionary(value);
  } catch (e) {
    throw new ProtocolError(code, `${field}: not a structured Dictionary (RFC 8941 §3.2): ${(e as Error).message}`, { cause: e });
  }
}

/** What the fields of one message parsed to: field name → the value parsed and its Dictionary. */
const parsedFields = new WeakMap<object, Map<string, { readonly value: string; readonly dictionary: Dictionary }>>();

/**
 * The Dictionary field `name` of a message's `headers` (null when absent), parsed once per
 * message: a signed exchange reads the request's Signature-Input and Signature up to three times
 * (the service verifies them, then covers them in its response; the client covers them again
 * when it checks that response). The memo is keyed by the headers object and holds the exact
 * value it parsed, so a field changed since is parsed anew; the Dictionary handed out is shared
 * and must not be modified.
 */
export function parsedDictionaryField(headers: { get(name: string): string | null }, name: string, field: string, code: ProtocolErrorCode): Dictionary | null {
  const value = headers.get(name);
  if (value === null) return null;
  let memo = parsedFields.get(headers);
  const hit = memo?.get(name);
  if (hit !== undefined && hit.value === value) return hit.dictionary;
  const dictionary = parseDictionaryField(value, field, code);
  if (memo === undefined) parsedFields.set(headers, (memo = new Map()));
  memo.set(name, { value, dictionary });
  return dictionary;
}

/**
 * Tells the memo of {@link parsedDictionaryField} what field `name` of `headers` will parse to
 * once it holds `value`: a signer that serialized `dictionary` strictly to `value` knows it
 * (strict serialization and parsing round-trip, RFC 8941 §4), and its peer's response covers the
 * fields again. Used only while `headers` holds exactly `value`, like any memo entry.
 */
export function rememberDictionaryField(headers: { get(name: string): string | null }, name: string, value: string, dictionary: Dictionary): void {
  // Only what parsing gives back as it is: valid keys and Strings, Integers, Booleans, ArrayBuffers.
  for (const [key, member] of dictionary) {
    if (!KEY.test(key)) return;
    if (isInnerList(member) ? !member[0].every(plainItem) || !plainParameters(member[1]) : !plainItem(member)) return;
  }
  let memo = parsedFields.get(headers);
  if (memo === undefined) parsedFields.set(headers, (memo = new Map()));
  memo.set(name, { value, dictionary });
}

/** Serializations of members of the Dictionaries {@link parsedDictionaryField} hands out (shared, never modified). */
const memberTexts = new WeakMap<Item | InnerList, string>();

/**
 * {@link serializeMember} of a member of a Dictionary from {@link parsedDictionaryField},
 * written once per member: a response signature covers the request's Signature-Input and
 * Signature members (`;key=`), which the service has just read.
 */
export function memberText(member: Item | InnerList): string {
  let text = memberTexts.get(member);
  if (text === undefined) memberTexts.set(member, (text = serializeMember(member)));
  return text;
}

/** Tells {@link memberText} the serialization of `member`, computed by its reader or signer with {@link serializeMember}'s rules. */
export function rememberMemberText(member: Item | InnerList, text: string): void {
  memberTexts.set(member, text);
}

/** Strict serialization of a Dictionary member's value — an Item or Inner List with its parameters (RFC 8941 §4.1.2). */
export function serializeMember(member: Item | InnerList): string {
  return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
}

/** The bytes of a Byte Sequence item (the parser gives an ArrayBuffer), undefined for any other item. */
export function byteSequence(value: BareItem): Uint8Array | undefined {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
}

/** Printable ASCII other than `"` and `\`: a String serialized as is between quotes (RFC 8941 §4.1.6). */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** RFC 8941 §4.1.1.3 key. */
const KEY = /^[a-z*][a-z0-9_\-.*]*$/;
const MAX_INTEGER = 999_999_999_999_999;

/** The short path of one bare item, or undefined for the package to do. */
function bareItem(value: BareItem): string | undefined {
  switch (typeof value) {
    case 'string':
      return PLAIN_STRING.test(value) ? `"${value}"` : undefined;
    case 'number':
      return Number.isInteger(value) && value >= -MAX_INTEGER && value <= MAX_INTEGER ? String(value) : undefined;
    case 'boolean':
      return value ? '?1' : '?0';
    default: {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value instanceof Uint8Array ? value : undefined;
      if (bytes === undefined) return undefined;
      // RFC 8941 §4.1.8: base64 (RFC 4648 §4) with padding.
      const b64 = base64urlEncode(bytes).replaceAll('-', '+').replaceAll('_', '/');
      return `:${b64}${'='.repeat((4 - (b64.length % 4)) % 4)}:`;
    }
  }
}

function plainBare(value: BareItem): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || value instanceof ArrayBuffer || (typeof value === 'number' && Number.isInteger(value));
}

function plainParameters(params: Parameters): boolean {
  for (const [key, value] of params) if (!KEY.test(key) || !plainBare(value)) return false;
  return true;
}

function plainItem(item: Item): boolean {
  return plainBare(item[0]) && plainParameters(item[1]);
}

/** The short path of one parameter (`;key` or `;key=value`), or undefined. */
function parameter(key: string, value: BareItem): string | undefined {
  if (!KEY.test(key)) return undefined;
  if (value === true) return `;${key}`;
  const v = bareItem(value);
  return v === undefined ? undefined : `;${key}=${v}`;
}

/** The short path of a parameter list, or undefined. */
function parameters(params: Parameters): string | undefined {
  let out = '';
  for (const [key, value] of params) {
    const p = parameter(key, value);
    if (p === undefined) return undefined;
    out += p;
  }
  return out;
}

function shortItem(item: Item): string | undefined {
  const bare = bareItem(item[0]);
  if (bare === undefined) return undefined;
  const params = parameters(item[1]);
  return params === undefined ? undefined : bare + params;
}

/** An Item with its parameters, or a bare item (RFC 8941 §4.1.3). */
export function serializeItem(item: Item | BareItem): string {
  if (Array.isArray(item)) return shortItem(item) ?? libraryItem(item);
  return bareItem(item as BareItem) ?? libraryItem(item as BareItem);
}

/** An Inner List with its parameters (RFC 8941 §4.1.1.1). */
export function serializeInnerList(list: InnerList): string {
  let out = '(';
  for (const [i, item] of list[0].entries()) {
    const s = shortItem(item);
    if (s === undefined) return libraryInnerList(list);
    out += i === 0 ? s : ` ${s}`;
  }
  const params = parameters(list[1]);
  return params === undefined ? libraryInnerList(list) : `${out})${params}`;
}

/** Parameters as they follow an Item or Inner List (RFC 8941 §4.1.1.2). */
export function serializeParameters(params: Parameters): string {
  return parameters(params) ?? libraryParameters(params);
}

/** One parameter as it is serialized (`;key` or `;key=value`): what {@link serializeItem} appends for it. */
export function serializeParameter(key: string, value: BareItem): string {
  return parameter(key, value) ?? libraryItem([true, new Map([[key, value]])]).slice(2);
}
