import { utf8Encode } from '../encoding/utf8.js';
import { ProtocolError } from './errors.js';
import {
  isInnerList, memberText, parsedDictionaryField, serializeInnerList, serializeItem, serializeParameter, serializeParameters, type InnerList, type Item, type Parameters,
} from './structured.js';

/**
 * The signature base of HTTP Message Signatures (RFC 9421 §2.5), written by the RFC for the
 * components this binding can meet: the derived components of §2.2 (`@method`, `@target-uri`,
 * `@authority`, `@scheme`, `@request-target`, `@path`, `@query`, `@status`) and HTTP fields
 * (§2.1) with the `req` (§2.4) and `key` (§2.1.2) parameters. Everything else — `@query-param`,
 * `sf`, `bs`, `tr`, unknown parameters — is refused, as §2.5 requires of a parameter or
 * component an implementation does not understand. Failures are `PROTOCOL_BAD_SIGNATURE`.
 *
 * Field values come from a Fetch `Headers`-like source, whose `get` already combines repeated
 * fields with ", " and trims surrounding whitespace (RFC 9421 §2.1 steps 2–4).
 */

/** Where field values come from: `Headers` satisfies it (names are case-insensitive). */
export interface HeaderSource {
  /** The field's value (repeated fields combined with ", "), or null when absent. */
  get(name: string): string | null;
}

/** A request as a signature sees it (its signature context, RFC 9421 §2). */
export interface SignedRequestView {
  readonly method: string;
  /** The absolute target URI (RFC 9421 §2.2.2), e.g. `https://example.com/.well-known/mmm/Status`. */
  readonly targetUri: string;
  readonly headers: HeaderSource;
}

/** A response as a signature sees it, with the request it answers (for `req` components, §2.4). */
export interface SignedResponseView {
  readonly status: number;
  readonly headers: HeaderSource;
  readonly request?: SignedRequestView;
}

/** The message a signature covers. */
export type SignatureTarget =
  | { readonly kind: 'request'; readonly request: SignedRequestView }
  | { readonly kind: 'response'; readonly response: SignedResponseView };

/** A covered component: its name (a String) and parameters, as in a Signature-Input inner list. */
export type ComponentId = Item;

function bad(message: string): never {
  throw new ProtocolError('PROTOCOL_BAD_SIGNATURE', message);
}

/** A component identifier from a name and its parameters (`component('signature', { req: true, key: 'mmm' })`). */
export function component(name: string, parameters: Readonly<Record<string, string | boolean>> = {}): ComponentId {
  return [name, new Map(Object.entries(parameters))];
}

/** `"name";param…` as in the signature base and Signature-Input (RFC 9421 §2.5 `component-identifier`). */
export function serializeComponentId(id: ComponentId): string {
  return serializeItem(id);
}

/** The name of a component identifier; a non-String name is refused (RFC 9421 §2.5: component-name = sf-string). */
export function componentName(id: ComponentId): string {
  const name = id[0];
  if (typeof name !== 'string') bad('a covered component must be a String naming a field or derived component');
  return name;
}

const DERIVED = new Set(['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', '@status']);
const FIELD_PARAMS = new Set(['req', 'key']);
const DERIVED_PARAMS = new Set(['req']);

function targetUrl(request: SignedRequestView): URL {
  try {
    return new URL(request.targetUri);
  } catch {
    return bad(`the target URI is not an absolute URI`);
  }
}

/** The value of a derived component (RFC 9421 §2.2). */
function derivedValue(name: string, target: SignatureTarget, fromRequest: boolean): string {
  if (name === '@status') {
    if (target.kind !== 'response' || fromRequest) bad('"@status" applies to a response only (RFC 9421 §2.2.9)');
    const s = target.response.status;
    if (!Number.isInteger(s) || s < 100 || s > 999) bad(`"@status": ${s} is not a three-digit status code`);
    return String(s);
  }
  const request = fromRequest ? (target.kind === 'response' ? target.response.request : undefined) : target.kind === 'request' ? target.request : undefined;
  if (request === undefined) bad(`"${name}" applies to a request only (a response covers it with ;req, RFC 9421 §2.4)`);
  switch (name) {
    case '@method':
      return request.method;
    case '@target-uri':
      return request.targetUri;
    case '@authority':
      return targetUrl(request).host;
    case '@scheme':
      return targetUrl(request).protocol.slice(0, -1).toLowerCase();
    case '@request-target': {
      const url = targetUrl(request);
      return url.pathname + url.search;
    }
    case '@path':
      return targetUrl(request).pathname || '/';
    case '@query':
      return targetUrl(request).search || '?';
    default:
      return bad(`unknown derived component "${name}"`);
  }
}

/** The value of one covered component in its context (RFC 9421 §2.5 step 2.4). */
export function componentValue(id: ComponentId, target: SignatureTarget): string {
  const name = componentName(id);
  const params = id[1];
  const fromRequest = params.has('req');
  if (fromRequest && params.get('req') !== true) bad(`"${name}": the req parameter is a flag`);
  if (fromRequest && target.kind === 'request') bad(`"${name}";req: req applies to a response only (RFC 9421 §2.4)`);
  if (name === '@signature-params') bad('"@signature-params" must not be listed among the covered components (RFC 9421 §2.3)');
  if (name.startsWith('@')) {
    if (!DERIVED.has(name)) bad(`unsupported derived component "${name}"`);
    for (const p of params.keys()) if (!DERIVED_PARAMS.has(p)) bad(`"${name}": unsupported parameter ${p}`);
    return derivedValue(name, target, fromRequest);
  }
  if (name !== name.toLowerCase() || !/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) bad(`"${name}" is not a lowercase field name`);
  for (const p of params.keys()) if (!FIELD_PARAMS.has(p)) bad(`"${name}": unsupported parameter ${p}`);
  const headers = fromRequest ? (target.kind === 'response' ? target.response.request?.headers : undefined) : target.kind === 'request' ? target.request.headers : target.response.headers;
  if (headers === undefined) bad(`"${name}";req: no request to take it from`);
  const where = (): string => (fromRequest || target.kind === 'request' ? 'request' : 'response');
  if (!params.has('key')) {
    const value = headers.get(name);
    if (value === null) bad(`covered field ${name} is not in the ${where()}`);
    return value.trim();
  }
  const key = params.get('key');
  if (typeof key !== 'string') bad(`"${name}": the key parameter must be a String`);
  const dictionary = parsedDictionaryField(headers, name, name, 'PROTOCOL_BAD_SIGNATURE');
  if (dictionary === null) bad(`covered field ${name} is not in the ${where()}`);
  const member = dictionary.get(key);
  if (member === undefined) bad(`"${name}";key="${key}": no such member`);
  return memberText(member);
}

/** Identity of a component: name and parameters, parameter order ignored (RFC 9421 §2: equality of identifiers). */
export function componentKey(id: ComponentId): string {
  const name = serializeItem(componentName(id));
  if (id[1].size === 0) return name;
  const params: string[] = [];
  for (const [k, v] of id[1]) params.push(serializeParameter(k, v));
  return name + params.sort().join('');
}

/** The `@signature-params` value: the covered components as an Inner List with the signature parameters (RFC 9421 §2.3). */
export function serializeSignatureParams(components: readonly ComponentId[], parameters: Parameters, ids?: ComponentIds): string {
  // With the components' serializations at hand, only the parameters are left to write.
  if (ids !== undefined) return `(${ids.ids.join(' ')})${serializeParameters(parameters)}`;
  return serializeInnerList([components as Item[], parameters]);
}

/**
 * The signature base (RFC 9421 §2.5) of `components` in `target`, ending with the
 * `"@signature-params"` line whose value is `signatureParams` (the serialized inner list —
 * exactly what the Signature-Input member holds). Errors: a duplicate, unknown or unresolvable
 * component, a newline or non-ASCII character in a value. `ids`: {@link componentIds} of
 * `components`, when the caller has them already.
 */
export function signatureBase(components: readonly ComponentId[], signatureParams: string, target: SignatureTarget, ids?: ComponentIds): string {
  const base = baseText(components, signatureParams, target, ids ?? componentIds(components));
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(base)) nonAscii();
  return base;
}

/**
 * {@link signatureBase} and its bytes, the input of the signature algorithm (RFC 9421 §3.1 step
 * 3: the base as ASCII), checked and encoded in one pass.
 */
export function signatureBaseBytes(components: readonly ComponentId[], signatureParams: string, target: SignatureTarget, ids?: ComponentIds): { base: string; bytes: Uint8Array } {
  const base = baseText(components, signatureParams, target, ids ?? componentIds(components));
  // UTF-8 is as long as the text exactly when every character is ASCII (any other takes 2–4
  // bytes; a lone surrogate becomes U+FFFD, 3): one pass of the runtime's encoder checks it.
  const bytes = utf8Encode(base);
  if (bytes.length !== base.length) nonAscii();
  return { base, bytes };
}

function nonAscii(): never {
  return bad('the signature base has a non-ASCII character (RFC 9421 §2.5 step 4)');
}

/**
 * What a list of covered components needs besides their values: each one's identity (for
 * duplicates and coverage checks) and serialization (its line's name), and where the first
 * duplicate is. Computed once per list: a signer's lists are constants, a verifier's list is
 * used for the coverage check and the base.
 */
export interface ComponentIds {
  /** Each component's {@link componentKey} (parameter order ignored). */
  readonly keys: readonly string[];
  /** Each component's {@link serializeComponentId}: the name of its line in the base. */
  readonly ids: readonly string[];
  /** Index of the first component whose identity came before it, or -1. */
  readonly firstDuplicate: number;
}

/** The {@link ComponentIds} of `components` (errors as {@link componentKey}). */
export function componentIds(components: readonly ComponentId[]): ComponentIds {
  const ids = components.map(serializeComponentId);
  // With at most one parameter there is no order to ignore: the identity is the serialization.
  const keys = components.map((c, i) => (c[1].size <= 1 && typeof c[0] === 'string' ? ids[i]! : componentKey(c)));
  const seen = new Set<string>();
  let firstDuplicate = -1;
  for (const [i, key] of keys.entries()) {
    if (seen.has(key) && firstDuplicate < 0) firstDuplicate = i;
    seen.add(key);
  }
  return { keys, ids, firstDuplicate };
}

function baseText(components: readonly ComponentId[], signatureParams: string, target: SignatureTarget, ids: ComponentIds): string {
  let base = '';
  for (let i = 0; i < components.length; i++) {
    const serialized = ids.ids[i]!;
    if (i === ids.firstDuplicate) bad(`component ${serialized} is covered twice`);
    const value = componentValue(components[i]!, target);
    if (/[\r\n]/.test(value)) bad(`component ${serialized} has a newline in its value`);
    base += `${serialized}: ${value}\n`;
  }
  return `${base}"@signature-params": ${signatureParams}`;
}

/** The components and parameters of a Signature-Input member (an Inner List of Strings with parameters). */
export function readSignatureParams(member: Item | InnerList, label: string): { components: ComponentId[]; parameters: Parameters } {
  if (!isInnerList(member)) bad(`Signature-Input ${label}: not an inner list of covered components`);
  for (const id of member[0]) componentName(id);
  return { components: member[0], parameters: member[1] };
}
