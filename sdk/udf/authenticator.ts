import { utf8Encode } from '../encoding/utf8.js';
import { UdfError } from './errors.js';
import { hkdfSha512, hmacSha512, sha512 } from './hashes.js';
import { DEFAULT_PRECISION, presentUdf } from './presentation.js';
import { UDF_TYPE } from './types.js';

/**
 * Authenticator UDFs, type A (code 0): keyed fingerprints (udf.md §4, draft §5.2).
 * ```
 * PRK = HMAC-SHA-512(key = "KeyedUDFMaster", msg = u8(keyString))      // HKDF-Extract
 * OKM = HKDF-Expand-SHA-512(PRK, info = "KeyedUDFExpand", 64)
 * AV  = HMAC-SHA-512(OKM, u8(contentType) ‖ ':' ‖ SHA-512(data))
 * UDF = present(0x00 ‖ AV, bits)                                       // never compressed
 * ```
 * The key is a **string** used exactly as written (typically a nonce UDF with its dashes): the
 * draft says the key "is always a UNICODE string", and no canonicalisation happens. Only the
 * SHA-2-512 suite is specified well enough to implement (the reference implements no other).
 */

const MASTER = /* @__PURE__ */ utf8Encode('KeyedUDFMaster');
const EXPAND = /* @__PURE__ */ utf8Encode('KeyedUDFExpand');

/** Options of {@link authenticator}. */
export interface AuthenticatorOptions {
  contentType: string;
  /** Precision in bits (default 140). */
  bits?: number;
}

/** Intermediate values of an authenticator (vector `authenticator-sha2-konrad-140`). */
export interface AuthenticatorDetail {
  readonly prk: Uint8Array;
  readonly okm: Uint8Array;
  readonly cdv: Uint8Array;
  readonly mac: Uint8Array;
  readonly udf: string;
}

/** The MAC key derived from a key string (HKDF-SHA-512, salt "KeyedUDFMaster", info "KeyedUDFExpand"). */
export function authenticatorKey(keyString: string): Uint8Array {
  return hkdfSha512(utf8Encode(checkKey(keyString)), MASTER, EXPAND, 64);
}

/** Authenticator with its intermediate values. */
export function authenticatorDetail(data: Uint8Array, keyString: string, options: AuthenticatorOptions): AuthenticatorDetail {
  if (!(data instanceof Uint8Array)) throw new UdfError('UDF_BAD_ARGUMENT', 'data must be a Uint8Array');
  return authenticatorFromCdv(sha512(data), keyString, options);
}

/** Authenticator from SHA-512(data) computed elsewhere (e.g. streamed over a large file). */
export function authenticatorFromCdv(cdv: Uint8Array, keyString: string, options: AuthenticatorOptions): AuthenticatorDetail {
  if (!(cdv instanceof Uint8Array) || cdv.length !== 64) throw new UdfError('UDF_BAD_ARGUMENT', 'cdv must be the 64-byte SHA-512 of the data');
  if (typeof options?.contentType !== 'string') throw new UdfError('UDF_BAD_ARGUMENT', 'contentType must be a string');
  const prk = hmacSha512(MASTER, utf8Encode(checkKey(keyString)));
  const okm = authenticatorKey(keyString);
  const ct = utf8Encode(options.contentType);
  const msg = new Uint8Array(ct.length + 1 + cdv.length);
  msg.set(ct);
  msg[ct.length] = 0x3a;
  msg.set(cdv, ct.length + 1);
  const mac = hmacSha512(okm, msg);
  const binary = new Uint8Array(65);
  binary[0] = UDF_TYPE.AUTHENTICATOR_SHA2;
  binary.set(mac, 1);
  return { prk, okm, cdv, mac, udf: presentUdf(binary, options.bits ?? DEFAULT_PRECISION) };
}

/** The authenticator UDF of `data` under the key string (udf.md §4). */
export function authenticator(data: Uint8Array, keyString: string, options: AuthenticatorOptions): string {
  return authenticatorDetail(data, keyString, options).udf;
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new UdfError('UDF_BAD_ARGUMENT', 'the authenticator key must be a non-empty string');
  return key;
}
