import { UdfError } from './errors.js';
import { MIN_PRECISION, parseUdf } from './presentation.js';

/** Options of {@link udfMatches}. */
export interface MatchOptions {
  /** Precision the shorter presentation must have, in bits (default 100, the reference's default, udf.md §2). */
  minBits?: number;
}

/**
 * True when two presentations denote the same fingerprint (udf.md §2 "Matching"): after
 * normalising (upper case, no dashes) one is a prefix of the other, so both have the same type
 * byte and bit-prefix, and the shorter carries at least `minBits` bits. Both must parse as UDFs.
 * Precisions used in practice are multiples of 20 bits (whole characters), where the character
 * prefix and the bit prefix coincide.
 */
export function udfMatches(a: string, b: string, options: MatchOptions = {}): boolean {
  const minBits = options.minBits ?? MIN_PRECISION;
  if (!Number.isInteger(minBits) || minBits < 10) throw new UdfError('UDF_BAD_PRECISION', 'minBits must be an integer >= 10');
  const pa = parseUdf(a, { minBits });
  const pb = parseUdf(b, { minBits });
  const [short, long] = pa.bits <= pb.bits ? [pa, pb] : [pb, pa];
  if (short.bits < minBits) return false;
  const s = short.text.replace(/-/g, '');
  return long.text.replace(/-/g, '').startsWith(s);
}
