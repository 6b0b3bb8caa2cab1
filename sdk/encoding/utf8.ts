import { EncodingError } from './errors.js';

/**
 * UTF-8 conversions (every text → bytes step in the Mesh is UTF-8: udf.md notation `u8(s)`).
 * Decoding is fatal: ill-formed input throws `UTF8_INVALID` instead of turning into U+FFFD,
 * because a silently altered name or key string would hash differently.
 */
const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes well-formed UTF-8 (a BOM is kept as U+FEFF, not stripped). */
export function utf8Decode(data: Uint8Array, offset?: number): string {
  try {
    return decoder.decode(data);
  } catch {
    throw new EncodingError('UTF8_INVALID', 'string bytes are not well-formed UTF-8', offset);
  }
}

/** An unpaired UTF-16 surrogate (a high one not followed by a low one, or a low one alone). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * True when `text` is well-formed UTF-16 (no unpaired surrogate), i.e. has a UTF-8 form.
 * `TextEncoder` turns every unpaired surrogate into U+FFFD, so two different strings would give
 * the same bytes — and the same digest, signature or MAC over a JSON-B encoding: the JSON and
 * JSON-B writers refuse such strings and the JSON reader never produces them (jsonbcd.md §3).
 */
export function isWellFormedText(text: string): boolean {
  // ES2024 String.prototype.isWellFormed where the runtime has it: writers call this per string.
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return native !== undefined ? native.call(text) : !LONE_SURROGATE.test(text);
}
