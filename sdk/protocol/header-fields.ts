import { ProtocolError } from './errors.js';

/**
 * Header fields without the Fetch `Headers` class, for the messages the binding builds and reads
 * on its hot path (a service answers each request with one response, a client signs each request):
 * `Headers` validates, normalizes and sorts on every call, and cost the service and a client
 * about as much CPU as the RFC 8941 parsing of the signature fields. Both classes here keep the
 * semantics the binding relies on from `Headers` (Fetch §5.2, RFC 9110 §5.2–§5.3): names are
 * case-insensitive, a value loses surrounding whitespace, a field name that is not a token or a
 * value with NUL, CR or LF is not a field at all, and `get` combines repeated fields with ", ".
 * A `Headers` still satisfies every interface that takes these ({@link HeaderFieldsView}).
 */

/** What the binding reads of a message's header fields (a Fetch `Headers` satisfies it). */
export interface HeaderFieldsView {
  /** The field's value (repeated fields combined with ", "), or null when absent. Case-insensitive. */
  get(name: string): string | null;
  /** Each field once, with its combined value; names in lowercase. */
  forEach(callback: (value: string, name: string) => void): void;
}

/** RFC 9110 §5.1 field-name (token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Fetch refuses in a (normalized) value: NUL, CR, LF. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_VALUE = /[\0\r\n]/;
/** HTTP whitespace (Fetch §2.2: tab, LF, CR, space), removed from either end of a value. */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** A value as Fetch normalizes it (surrounding whitespace removed), or undefined for one it refuses. */
function normalized(value: string): string | undefined {
  let from = 0;
  let to = value.length;
  while (from < to && isSpace(value.charCodeAt(from))) from++;
  while (to > from && isSpace(value.charCodeAt(to - 1))) to--;
  const v = from === 0 && to === value.length ? value : value.slice(from, to);
  return FORBIDDEN_VALUE.test(v) ? undefined : v;
}

/**
 * The header fields of a message being built (a response the service signs, a request a client
 * signs): an insertion-ordered map of lowercase names. `set` and `append` refuse what `Headers`
 * refuses (a name that is not a token, a value with NUL, CR or LF) with a `PROTOCOL_BAD_ARGUMENT`,
 * so nothing written here can split a header on the wire. {@link record} is a plain object a
 * `fetch` takes as its `headers` and node:http as its header fields.
 */
export class HeaderFields implements HeaderFieldsView {
  // Null prototype: a field named `__proto__` or `constructor` is just a field.
  readonly #fields: Record<string, string> = Object.create(null) as Record<string, string>;

  constructor(init?: Readonly<Record<string, string>>) {
    if (init !== undefined) for (const name of Object.keys(init)) this.set(name, init[name]!);
  }

  /** The field's value, or null when absent (names are case-insensitive). */
  get(name: string): string | null {
    return this.#fields[name.toLowerCase()] ?? null;
  }

  /** Whether the field is present. */
  has(name: string): boolean {
    return this.#fields[name.toLowerCase()] !== undefined;
  }

  /** Sets the field, replacing any value it had. */
  set(name: string, value: string): void {
    this.#fields[checkedName(name)] = checkedValue(name, value);
  }

  /** Adds a value to the field (combined with ", ", as a repeated field reads). */
  append(name: string, value: string): void {
    const key = checkedName(name);
    const v = checkedValue(name, value);
    const held = this.#fields[key];
    this.#fields[key] = held === undefined ? v : `${held}, ${v}`;
  }

  /** Removes the field. */
  delete(name: string): void {
    delete this.#fields[name.toLowerCase()];
  }

  /** Each field once, in the order first set, name in lowercase. */
  forEach(callback: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.#fields)) callback(this.#fields[name]!, name);
  }

  /** The fields as a plain object (lowercase names; shared, not a copy: do not modify it). */
  get record(): Readonly<Record<string, string>> {
    return this.#fields;
  }
}

function checkedName(name: string): string {
  if (!TOKEN.test(name)) throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `"${name.slice(0, 100)}" is not a header field name (RFC 9110 §5.1)`);
  return name.toLowerCase();
}

function checkedValue(name: string, value: string): string {
  const v = normalized(value);
  if (v === undefined) throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `header field ${name.slice(0, 100)}: the value holds NUL, CR or LF`);
  return v;
}

/**
 * The header fields of a received message as `Headers` would hold them, from its raw name/value
 * list (`[name, value, name, value, …]`, e.g. node:http's `rawHeaders`): the same lookups,
 * without building a `Headers`. Fields `Headers` would refuse are left out, as a server adapter
 * that appended them to a `Headers` skipped them.
 */
export class ReceivedHeaderFields implements HeaderFieldsView {
  readonly #fields = new Map<string, string>();

  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      if (!TOKEN.test(name)) continue;
      const value = normalized(raw[i + 1]!);
      if (value === undefined) continue;
      const key = name.toLowerCase();
      const held = this.#fields.get(key);
      this.#fields.set(key, held === undefined ? value : `${held}, ${value}`);
    }
  }

  get(name: string): string | null {
    return this.#fields.get(name.toLowerCase()) ?? null;
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.#fields) callback(value, name);
  }
}
