/**
 * Typed errors of `mathmesh/udf` (design.md, Errors). `code` is stable across releases; the
 * message names the problem and never contains secret material (no key, seed, share or PIN text).
 */
export type UdfErrorCode =
  | 'UDF_BAD_CHAR' // a character outside the Base32 alphabet (dashes and blanks excepted)
  | 'UDF_TOO_SHORT' // fewer bits than the type needs (or than the requested minimum precision)
  | 'UDF_UNKNOWN_TYPE' // a type byte that no UDF type uses
  | 'UDF_WRONG_TYPE' // a valid UDF of another type than the operation needs
  | 'UDF_BAD_PRECISION' // a precision outside what the type allows
  | 'UDF_BAD_ARGUMENT' // an argument of the wrong shape or range
  | 'UDF_BAD_SHARE' // a share whose header or length is malformed
  | 'UDF_SHARE_MISMATCH' // shares of different splits (length or threshold differ)
  | 'UDF_QUORUM' // fewer distinct shares than the threshold
  | 'UDF_DUPLICATE_SHARE' // the same share index given twice
  | 'UDF_BAD_SECRET' // a secret of a length the prime table does not cover
  | 'UDF_BAD_URI' // not a `udf:` name or locator URI / EARL
  | 'UDF_BAD_SIN' // not a Strong Internet Name
  | 'UDF_UNKNOWN_ALGORITHM' // a key algorithm or specifier the operation cannot use
  | 'UDF_BAD_SEED'; // a seed UDF of the wrong type or too short

/** Error thrown by every `mathmesh/udf` function. */
export class UdfError extends Error {
  readonly code: UdfErrorCode;
  constructor(code: UdfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UdfError';
    this.code = code;
  }
}
