import { base32DecodeBits, base32Encode } from '../encoding/base32.js';
import { EncodingError } from '../encoding/errors.js';
import { UdfError } from './errors.js';
import { udfTypeInfo, type UdfTypeInfo } from './types.js';

/**
 * Base32 presentation and parsing of UDFs (udf.md §2, §13.1–2).
 *
 * Precision `bits` counts *all* presented bits including the 8 type bits: the first
 * `ceil(bits/8)` bytes of `type ‖ value` are encoded as `ceil(bits/5)` characters, with a dash
 * after every 4 characters.
 */

/** Default precision of variable-length UDFs: 140 bits = 28 characters (reference `DefaultBits`, udf.md §2). */
export const DEFAULT_PRECISION = 140;
/**
 * Smallest precision accepted for variable-length UDFs when presenting, parsing and matching:
 * 100 bits, the reference's default for comparisons (udf.md §2). The draft's "96 significant
 * bits" is {@link DRAFT_MINIMUM_SIGNIFICANT_BITS}; the reference's own constant is 128
 * ({@link REFERENCE_MINIMUM_PRECISION}) but it compares with 100.
 */
export const MIN_PRECISION = 100;
/**
 * Smallest precision of a UDF used as a **key** (PINs, salted PINs, connect-URI secrets): a type
 * byte and one value byte. The 100-bit floor of {@link MIN_PRECISION} is a work factor against
 * second preimages when two fingerprints are compared; a key's strength is its entropy, chosen by
 * whoever issued it (the reference issued 90-bit PINs in 2021, mesh-kinds.md §18; `newPin` issues
 * 120 bits), so keys are read at any length that carries a value.
 */
export const MIN_KEY_PRECISION = 16;
/** draft-hallambaker-mesh-udf-13 §8.4: shortest legitimate work factor, in significant bits. */
export const DRAFT_MINIMUM_SIGNIFICANT_BITS = 96;
/** The reference's `MinimumBits` constant (udf.md §2); not used for matching by the reference itself. */
export const REFERENCE_MINIMUM_PRECISION = 128;
/** Largest digest presentation: type byte + the first 63 bytes of the TCDV (reference cap, udf.md §2). */
export const MAX_PRECISION = 512;

/** Inserts a dash after every 4 characters (`XXXX-XXXX-…`, udf.md §2). */
export function addDashes(chars: string): string {
  let out = '';
  for (let i = 0; i < chars.length; i += 4) {
    if (i > 0) out += '-';
    out += chars.slice(i, i + 4);
  }
  return out;
}

/** Upper case without dashes: the form in which two presentations are compared (udf.md §2 "Matching"). */
export function normalizeUdf(text: string): string {
  return text.replace(/-/g, '').toUpperCase();
}

/**
 * Presents `type ‖ value` at a precision. Variable-length types (digests, authenticators) default
 * to 140 bits and accept 100…min(512, 8·length); fixed-length types (nonce, key, share, seed, OID)
 * are always shown whole (`8 + 8·len(value)` bits, udf.md §2): any other `bits` throws
 * `UDF_BAD_PRECISION` — the reference's lossy 150-bit EARL key (udf.md §9) is deliberately not copied.
 */
export function presentUdf(binary: Uint8Array, bits?: number): string {
  if (!(binary instanceof Uint8Array) || binary.length < 2) {
    throw new UdfError('UDF_BAD_ARGUMENT', 'a UDF needs a type byte and at least one value byte');
  }
  const info = udfTypeInfo(binary[0]!);
  if (info === undefined) throw unknownType(binary[0]!);
  const full = binary.length * 8;
  let precision: number;
  if (info.variable) {
    precision = bits ?? Math.min(DEFAULT_PRECISION, full);
    const max = Math.min(MAX_PRECISION, full);
    if (!Number.isSafeInteger(precision) || precision < MIN_PRECISION || precision > max) {
      throw new UdfError('UDF_BAD_PRECISION',
        `${info.name}: precision must be an integer in ${MIN_PRECISION}..${max} bits, got ${String(bits)}`);
    }
  } else {
    precision = full;
    if (bits !== undefined && bits !== full) {
      throw new UdfError('UDF_BAD_PRECISION', `${info.name} UDFs are fixed length: precision is ${full} bits, got ${String(bits)}`);
    }
  }
  return addDashes(base32Encode(binary, precision));
}

/**
 * Presents bytes as plain Base32 with dashes and **no type byte**: how the reference prints a
 * shared secret (`RCZE-QEJR-…`, udf.md §6 "Shared-secret presentation").
 */
export function presentSecret(secret: Uint8Array): string {
  if (!(secret instanceof Uint8Array) || secret.length === 0) throw new UdfError('UDF_BAD_ARGUMENT', 'secret must be non-empty bytes');
  return addDashes(base32Encode(secret));
}

/** Inverse of {@link presentSecret}: the whole bytes of a plain Base32 string (dashes ignored). */
export function parseSecret(text: string): Uint8Array {
  const bytes = decodeChars(text).bytes;
  if (bytes.length === 0) throw new UdfError('UDF_TOO_SHORT', 'secret presentation carries no whole byte');
  return bytes;
}

/** A parsed UDF. */
export interface ParsedUdf {
  /** Type byte. */
  readonly type: number;
  /** Value bytes (the BDS): whole bytes after the type byte; a trailing partial byte is dropped. */
  readonly value: Uint8Array;
  /** `type ‖ value`. */
  readonly binary: Uint8Array;
  /** Presented precision: 5 × number of Base32 characters. */
  readonly bits: number;
  /** Bits of a final partial byte that parsing discarded (0–7), whatever their value (udf.md §2). */
  readonly discardedBits: number;
  readonly info: UdfTypeInfo;
  /** Canonical text: upper case, dashes every 4 characters. */
  readonly text: string;
}

/** Options of {@link parseUdf}. */
export interface ParseUdfOptions {
  /** Minimum precision of a variable-length UDF (default {@link MIN_PRECISION} = 100 bits). */
  minBits?: number;
}

/** Minimum value length in bytes of the fixed-length kinds: what their structure needs (§6, §7, §8). */
const FIXED_MIN_VALUE: Record<string, number> = { 'encryption-key': 1, nonce: 1, oid: 2, share: 2, seed: 3 };

/**
 * Parses a UDF presentation (udf.md §2): case-insensitive, dashes ignored, any other character
 * outside the alphabet rejected (`UDF_BAD_CHAR`; stricter than the reference, which skips them).
 * The trailing < 8 leftover bits are discarded even if non-zero. Errors: `UDF_BAD_CHAR`,
 * `UDF_TOO_SHORT` (no value byte, a variable-length UDF under `minBits`, a fixed-length UDF
 * shorter than its structure), `UDF_UNKNOWN_TYPE`.
 */
export function parseUdf(text: string, options: ParseUdfOptions = {}): ParsedUdf {
  if (typeof text !== 'string') throw new UdfError('UDF_BAD_ARGUMENT', 'a UDF must be given as a string');
  const { bytes, leftoverBits, characters } = decodeChars(text);
  if (bytes.length < 2) throw new UdfError('UDF_TOO_SHORT', `a UDF needs a type byte and a value; got ${characters * 5} bits`);
  const type = bytes[0]!;
  const info = udfTypeInfo(type);
  if (info === undefined) throw unknownType(type);
  const bits = characters * 5;
  const value = bytes.subarray(1);
  if (info.variable) {
    const minBits = options.minBits ?? MIN_PRECISION;
    if (bits < minBits) throw new UdfError('UDF_TOO_SHORT', `${info.name}: ${bits} bits presented, at least ${minBits} required`);
  } else if (value.length < FIXED_MIN_VALUE[info.kind]!) {
    throw new UdfError('UDF_TOO_SHORT', `${info.name}: ${value.length} value bytes, at least ${FIXED_MIN_VALUE[info.kind]} required`);
  }
  const canonical = addDashes(normalizeUdf(text));
  return { type, value, binary: bytes, bits, discardedBits: leftoverBits, info, text: canonical };
}

/** Base32 characters → bytes, mapping the encoding layer's error to `UDF_BAD_CHAR`. */
function decodeChars(text: string): { bytes: Uint8Array; leftoverBits: number; characters: number } {
  try {
    return base32DecodeBits(text, { ignore: '-' });
  } catch (e) {
    if (e instanceof EncodingError && e.code === 'BASE32_BAD_CHAR') {
      throw new UdfError('UDF_BAD_CHAR', `UDF: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

function unknownType(code: number): UdfError {
  return new UdfError('UDF_UNKNOWN_TYPE', `UDF type byte ${code} (0x${code.toString(16).padStart(2, '0')}) is not assigned`);
}
