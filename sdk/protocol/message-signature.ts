import { hmacSha256 } from '../crypto/hashes.js';
import { ownBytes } from './body.js';
import { constantTimeEqual } from '../encoding/bytes.js';
import { ProtocolError } from './errors.js';
import {
  readSignatureParams, serializeSignatureParams, signatureBaseBytes, type ComponentId, type ComponentIds, type HeaderSource,
  type SignatureTarget,
} from './signature-base.js';
import {
  byteSequence, isInnerList, parsedDictionaryField, rememberDictionaryField, rememberMemberText, serializeInnerList, serializeItem, type InnerList,
  type Item, type Parameters,
} from './structured.js';

/**
 * Signature-Input and Signature fields (RFC 9421 §4) with `hmac-sha256` (§3.3.3): creating one
 * labelled signature, and reading and checking one by its label. What a signature must cover and
 * when it is fresh is the application's policy (§3.2.1) — for the Mesh, mesh-signature.ts.
 */

/** The `alg` value of HMAC-SHA256 (RFC 9421 §3.3.3, §6.2.2). */
export const HMAC_SHA256 = 'hmac-sha256';

/** The two fields that carry one signature (RFC 9421 §4.1, §4.2). */
export interface SignatureFields {
  /** `label=(components…);params…` */
  readonly signatureInput: string;
  /** `label=:base64:` */
  readonly signature: string;
}

function bad(message: string): never {
  throw new ProtocolError('PROTOCOL_BAD_SIGNATURE', message);
}

/**
 * Signs `target` with HMAC-SHA256 under `key` (RFC 9421 §3.1): the base of `components` and
 * `parameters` (in the order given: it is part of what is signed), returned as the two fields.
 * `ids`: {@link componentIds} of `components`, for a list signed again and again.
 */
export function createHmacSignature(
  label: string, components: readonly ComponentId[], parameters: Parameters, target: SignatureTarget, key: Uint8Array, ids?: ComponentIds,
): SignatureFields & { readonly base: string } {
  const params = serializeSignatureParams(components, parameters, ids);
  const { base, bytes } = signatureBaseBytes(components, params, target, ids);
  const mac = hmacSha256(key, bytes);
  const fields = { signatureInput: `${label}=${params}`, signature: `${label}=${serializeItem(ownBytes(mac))}`, base };
  // What the signer adds to a request parses to these: the answer covers them again
  // (`;req;key=…`), and the requester then need not parse what it wrote. (A response's own
  // fields are covered by nothing: its reader parses them from the message it received.)
  if (target.kind === 'request') {
    const headers = target.request.headers;
    const inputMember: InnerList = [[...components], new Map(parameters)];
    const signatureMember: Item = [mac.slice().buffer, new Map()];
    rememberMemberText(inputMember, params);
    rememberMemberText(signatureMember, fields.signature.slice(label.length + 1));
    rememberDictionaryField(headers, 'signature-input', fields.signatureInput, new Map([[label, inputMember]]));
    rememberDictionaryField(headers, 'signature', fields.signature, new Map([[label, signatureMember]]));
  }
  return fields;
}

/** One signature read from a message by its label. */
export interface ReadSignature {
  readonly label: string;
  readonly components: readonly ComponentId[];
  readonly parameters: Parameters;
  /** The member re-serialized strictly: the `@signature-params` value (RFC 9421 §3.2 step 7). */
  readonly signatureParams: string;
  /** The signature bytes. */
  readonly value: Uint8Array;
}

/**
 * Reads the signature labelled `label` from the Signature-Input and Signature fields (RFC 9421
 * §3.2 steps 1–3). Both fields must hold the label; other labels are ignored.
 */
export function readSignature(headers: HeaderSource, label: string): ReadSignature {
  if (headers.get('signature-input') === null || headers.get('signature') === null) bad('the message is not signed (no Signature-Input or Signature field)');
  // Parsed once per message: a response signature covers these members of the request again.
  const input = parsedDictionaryField(headers, 'signature-input', 'Signature-Input', 'PROTOCOL_BAD_SIGNATURE')!.get(label);
  const signature = parsedDictionaryField(headers, 'signature', 'Signature', 'PROTOCOL_BAD_SIGNATURE')!.get(label);
  if (input === undefined || signature === undefined) bad(`no signature labelled ${label} in both Signature-Input and Signature`);
  const { components, parameters } = readSignatureParams(input, label);
  const value = isInnerList(signature) ? undefined : byteSequence(signature[0]);
  if (value === undefined) bad(`Signature ${label}: not a Byte Sequence`);
  const signatureParams = serializeInnerList([components as ComponentId[], parameters]);
  rememberMemberText(input, signatureParams); // the same text: a response signature covers this member
  return { label, components, parameters, signatureParams, value };
}

/**
 * Checks a read signature against `target` with HMAC-SHA256 under `key` (RFC 9421 §3.2 steps
 * 7–9; compared in constant time). Throws `PROTOCOL_BAD_SIGNATURE` when it does not verify.
 * Returns the signature base that verified. `ids`: {@link componentIds} of its components, when
 * the caller computed them for its coverage check.
 */
export function verifyHmacSignature(signature: ReadSignature, target: SignatureTarget, key: Uint8Array, ids?: ComponentIds): string {
  const { base, bytes } = signatureBaseBytes(signature.components, signature.signatureParams, target, ids);
  if (!constantTimeEqual(hmacSha256(key, bytes), signature.value)) bad(`signature ${signature.label} does not verify`);
  return base;
}
