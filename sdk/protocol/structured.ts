import {
  isInnerList, parseDictionary, serializeInnerList, serializeItem, type BareItem, type Dictionary, type InnerList, type Item, type Parameters,
} from 'structured-headers';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';

/**
 * Structured Field Values (RFC 8941, RFC 9651) for the fields of RFC 9421 and RFC 9530, on the
 * `structured-headers` package (a strict parser and serializer that runs in every runtime). This
 * module keeps its types out of the rest of the layer and turns its parse errors into ours.
 */

export type { BareItem, Dictionary, InnerList, Item, Parameters };
export { isInnerList, serializeInnerList, serializeItem };

/**
 * The longest field value we parse. Our own fields are a few hundred bytes (Mesh-Credential is
 * not structured); a longer Signature-Input or Content-Digest is refused before the parser runs.
 */
export const MAX_STRUCTURED_FIELD = 8192;

/** Parses a Dictionary field (`code` names the field's failure in the error). */
export function parseDictionaryField(value: string, field: string, code: ProtocolErrorCode): Dictionary {
  if (value.length > MAX_STRUCTURED_FIELD) throw new ProtocolError(code, `${field}: longer than ${MAX_STRUCTURED_FIELD} characters`);
  try {
    return parseDictionary(value);
  } catch (e) {
    throw new ProtocolError(code, `${field}: not a structured Dictionary (RFC 8941 §3.2): ${(e as Error).message}`, { cause: e });
  }
}

/** Strict serialization of a Dictionary member's value — an Item or Inner List with its parameters (RFC 8941 §4.1.2). */
export function serializeMember(member: Item | InnerList): string {
  return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
}

/** The bytes of a Byte Sequence item (the parser gives an ArrayBuffer), undefined for any other item. */
export function byteSequence(value: BareItem): Uint8Array | undefined {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
}
