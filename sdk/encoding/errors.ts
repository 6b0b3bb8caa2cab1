/**
 * Typed errors of `mathmesh/encoding`. The `code` is stable across releases so callers can branch
 * on it; the message names the problem and its offset, never the content (which may be secret).
 */
export type EncodingErrorCode =
  | 'BASE32_BAD_CHAR' // a character outside the RFC 4648 Base32 alphabet (dashes excepted where allowed)
  | 'BASE64_BAD_CHAR' // a character outside the base64url alphabet
  | 'BASE64_BAD_LENGTH' // a length that cannot come from base64 (4k + 1 characters)
  | 'BASE64_NONCANONICAL' // non-zero bits in the unused low bits of the last character
  | 'HEX_BAD_CHAR' // not an even-length string of hexadecimal digits
  | 'UTF8_INVALID' // bytes that are not well-formed UTF-8
  | 'JSON_SYNTAX' // malformed JSON text (offset in the message)
  | 'JSON_TOO_DEEP' // arrays/objects nested deeper than the configured limit
  | 'JSON_UNSUPPORTED_VALUE' // the writer was given something JSON cannot carry (NaN, function, symbol, ...)
  | 'JSONB_TRUNCATED' // input ends inside a tag, length field or value (or a length exceeds the input)
  | 'JSONB_BAD_TAG' // a byte that is not a JSON-B tag or JSON token where a value or name is expected
  | 'JSONB_UNSUPPORTED_TAG' // a JSON-C / JSON-D / bignum tag (the Mesh uses none of them; REF rejects them too)
  | 'JSONB_INTEGER_RANGE' // an integer the writer cannot represent in 64 bits
  | 'JSONB_TRAILING_DATA'; // bytes left after the single value of a document

/** Error thrown by every reader and writer of `mathmesh/encoding`. */
export class EncodingError extends Error {
  readonly code: EncodingErrorCode;
  /** Byte or character offset of the problem in the input, when there is one. */
  readonly offset: number | undefined;
  constructor(code: EncodingErrorCode, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at offset ${offset})`);
    this.name = 'EncodingError';
    this.code = code;
    this.offset = offset;
  }
}
