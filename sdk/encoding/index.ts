/**
 * `mathmesh/encoding`: UDF Base32, base64url, hex, UTF-8 and byte-array helpers; a JSON reader that
 * tolerates the reference's line-wrapped base64 strings, a strict JSON writer and the reference's
 * pretty layout (dare.md §9.7); a JSON-B reader and writer (jsonbcd.md). Pure functions, no side
 * effects on import, no dependency on any other layer.
 *
 * @module mathmesh/encoding
 */
export { EncodingError, type EncodingErrorCode } from './errors.js';
export { BASE32_ALPHABET, base32Encode, base32Decode, base32DecodeBits } from './base32.js';
export type { Base32Decoded, Base32DecodeOptions } from './base32.js';
export { base64urlEncode, base64urlDecode } from './base64url.js';
export { hexEncode, hexDecode } from './hex.js';
export { utf8Encode, utf8Decode } from './utf8.js';
export { bytesEqual, concatBytes, constantTimeEqual } from './bytes.js';
export { DEFAULT_MAX_DEPTH, formatDateTime, isJsonObject, type JsonObject, type JsonValue } from './json-value.js';
export { parseJson, type JsonReadOptions, type ReadOptions } from './json-reader.js';
export { writeJson, type JsonWriteOptions } from './json-writer.js';
export { writeReferenceJson } from './reference-json.js';
export { decodeJsonB, readJsonBValue, readJsonBItems } from './jsonb-reader.js';
export { encodeJsonB, JSONB_TAG, type JsonBWriteOptions } from './jsonb-writer.js';
