import { UdfError } from './errors.js';
import { hmacSha3_512, hmacSha512 } from './hashes.js';
import { DEFAULT_PRECISION, MIN_KEY_PRECISION, parseUdf, presentUdf } from './presentation.js';
import { UDF_TYPE } from './types.js';

/**
 * MAC keyed by a UDF (the reference's `SymmetricKeyMac`, udf.md §5), used by the PIN functions.
 * The key is the **value bytes of the parsed key UDF** (type byte removed; a 140-bit presented
 * MAC used as a key yields 16 bytes, udf.md §13.6). Key types 0, 32, 33 → HMAC-SHA-2-512 with
 * output type 0; type 1 → HMAC-SHA3-512 with output type 1. The key is read at any precision
 * from {@link MIN_KEY_PRECISION} up (a key, not a fingerprint to compare: 90-bit PINs work).
 */
export function udfMacBytes(keyUdf: string, data: Uint8Array): { type: number; mac: Uint8Array } {
  if (!(data instanceof Uint8Array)) throw new UdfError('UDF_BAD_ARGUMENT', 'data must be a Uint8Array');
  const key = parseUdf(keyUdf, { minBits: MIN_KEY_PRECISION });
  switch (key.type) {
    case UDF_TYPE.AUTHENTICATOR_SHA2:
    case UDF_TYPE.ENCRYPTION_KEY:
    case UDF_TYPE.ENCRYPTION_SIGNATURE_KEY:
      return { type: UDF_TYPE.AUTHENTICATOR_SHA2, mac: hmacSha512(key.value, data) };
    case UDF_TYPE.AUTHENTICATOR_SHA3:
      return { type: UDF_TYPE.AUTHENTICATOR_SHA3, mac: hmacSha3_512(key.value, data) };
    default:
      throw new UdfError('UDF_WRONG_TYPE', `a ${key.info.name} UDF cannot key a MAC (types 0, 1, 32, 33 can)`);
  }
}

/** `present(outType ‖ HMAC(BDS(keyUdf), data), bits)` (udf.md §5); default 140 bits. */
export function udfMac(keyUdf: string, data: Uint8Array, bits: number = DEFAULT_PRECISION): string {
  const { type, mac } = udfMacBytes(keyUdf, data);
  const binary = new Uint8Array(1 + mac.length);
  binary[0] = type;
  binary.set(mac, 1);
  return presentUdf(binary, bits);
}
