/**
 * UDF type codes (udf.md §1; Generated-UDFConstantsTypeIdentifier.md). A UDF is
 * `type (1 byte) ‖ value`; the first Base32 character (top 5 bits of the type byte) is a mnemonic.
 */
export const UDF_TYPE = {
  /** HMAC-SHA-2-512 authenticator (also authenticator *keys*, e.g. PINs): 'A'. */
  AUTHENTICATOR_SHA2: 0,
  /** HMAC-SHA3-512 authenticator (not produced by the reference): 'A'. */
  AUTHENTICATOR_SHA3: 1,
  /** Encryption/authentication symmetric key ("HKDF_AES_512"): 'E'. */
  ENCRYPTION_KEY: 32,
  /** Encryption+signature key (same use as 32): 'E'. */
  ENCRYPTION_SIGNATURE_KEY: 33,
  /** SHA3-512 content digest, compression level 0 (levels 1–4 are 81–84): 'K'. */
  DIGEST_SHA3: 80,
  /** SHA-2-512 content digest, compression level 0 (levels 1–4 are 97–100): 'M'. */
  DIGEST_SHA2: 96,
  /** Random nonce: 'N'. */
  NONCE: 104,
  /**
   * OID-identified DER sequence: 'O'. Follows the table and examples (112), not draft §4.2,
   * which says 108 (udf.md §1 [DISAGREE]); the draft's value is kept as {@link UDF_TYPE_OID_DRAFT}.
   */
  OID: 112,
  /** Shamir secret share: 'S'. */
  SHARE: 144,
  /** Key-derivation seed ("secret seed"): 'Z'. */
  SEED: 200,
} as const;

/** The OID type code draft-hallambaker-mesh-udf-13 §4.2 states (108); never produced (udf.md §1). */
export const UDF_TYPE_OID_DRAFT = 108;

/** Content-digest algorithms (udf.md §3). */
export type DigestAlgorithm = 'sha2' | 'sha3';

/** What a type code denotes. */
export interface UdfTypeInfo {
  readonly code: number;
  /** Family: content digest, authenticator/MAC (variable length) or one of the fixed-length kinds. */
  readonly kind: 'digest' | 'authenticator' | 'encryption-key' | 'nonce' | 'oid' | 'share' | 'seed';
  /** Variable-length types are truncated to a precision; fixed-length ones are always shown whole (udf.md §2). */
  readonly variable: boolean;
  readonly algorithm?: DigestAlgorithm;
  /** Compression level 0–4 of a digest type (udf.md §3.2). */
  readonly compression?: number;
  readonly name: string;
}

/** Information about a type code, or `undefined` for a code no UDF uses. */
export function udfTypeInfo(code: number): UdfTypeInfo | undefined {
  if (code >= 80 && code <= 84) {
    return { code, kind: 'digest', variable: true, algorithm: 'sha3', compression: code - 80, name: `SHA-3-512${level(code - 80)}` };
  }
  if (code >= 96 && code <= 100) {
    return { code, kind: 'digest', variable: true, algorithm: 'sha2', compression: code - 96, name: `SHA-2-512${level(code - 96)}` };
  }
  switch (code) {
    case 0: return { code, kind: 'authenticator', variable: true, algorithm: 'sha2', name: 'HMAC-SHA-2-512 authenticator' };
    case 1: return { code, kind: 'authenticator', variable: true, algorithm: 'sha3', name: 'HMAC-SHA-3-512 authenticator' };
    case 32: return { code, kind: 'encryption-key', variable: false, name: 'encryption/authentication key' };
    case 33: return { code, kind: 'encryption-key', variable: false, name: 'encryption/signature key' };
    case 104: return { code, kind: 'nonce', variable: false, name: 'nonce' };
    case 112: return { code, kind: 'oid', variable: false, name: 'OID-identified DER sequence' };
    case 144: return { code, kind: 'share', variable: false, name: 'Shamir secret share' };
    case 200: return { code, kind: 'seed', variable: false, name: 'key-derivation seed' };
    default: return undefined;
  }
}

function level(n: number): string {
  return n === 0 ? '' : ` (compressed, level ${n})`;
}

/** Type code of a content digest: base (96 SHA-2, 80 SHA-3) + compression level (udf.md §1). */
export function digestTypeCode(algorithm: DigestAlgorithm, compression: number): number {
  return (algorithm === 'sha3' ? UDF_TYPE.DIGEST_SHA3 : UDF_TYPE.DIGEST_SHA2) + compression;
}
