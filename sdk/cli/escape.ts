/**
 * Terminal-safe text: the one escaping helper every `mesh` printer uses for text that came from
 * outside — kids, recipient ids, file names, content types, annotations, error messages quoting
 * any of these. An envelope or sequence is attacker-controlled input; printed raw, a kid holding
 * `\n` forges a "signer: … valid" line, and `ESC [` sequences rewrite what the terminal shows.
 *
 * Escaped (as `\n`, `\r`, `\t`, `\\`, or `\u{…}` with the code point in hex):
 * - C0 controls U+0000–U+001F and DEL U+007F (line breaks, ESC, BEL, backspace …);
 * - C1 controls U+0080–U+009F (U+009B is a one-character CSI on some terminals);
 * - line and paragraph separators U+2028/U+2029, bidirectional controls U+061C, U+200E/U+200F,
 *   U+202A–U+202E, U+2066–U+2069 ("Trojan Source" reordering), invisible format characters
 *   U+00AD, U+200B–U+200D, U+2060–U+2064, U+FEFF, U+FFF9–U+FFFB;
 * - lone surrogates (not text);
 * - the backslash itself, so the escaping cannot be forged and reads back unambiguously.
 * Everything else, including non-ASCII letters, is printed as is.
 */

const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOne = (ch: string): string => NAMED[ch] ?? `\\u{${ch.charCodeAt(0).toString(16).toUpperCase()}}`;

/** `text` with every character listed above escaped: safe to write to a terminal on one line. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

// JSON.stringify already escapes C0 controls, `"`, `\` and lone surrogates; these are the rest.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

/**
 * `JSON.stringify(value)` with the same characters as {@link escapeText} written as `\uXXXX`
 * escapes: still the same JSON value for a program, nothing a terminal acts on for a person.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
