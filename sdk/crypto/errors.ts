/**
 * Typed errors of `mathmesh/crypto`. The `code` is stable across releases so callers can branch
 * on it; the message says what was wrong and never contains key material (design.md, Errors).
 */
export type CryptoErrorCode =
  | 'CRYPTO_INVALID_ARGUMENT' // not a Uint8Array, or not an array of them
  | 'CRYPTO_INVALID_LENGTH' // key, IV, nonce or output length outside what the algorithm allows
  | 'CRYPTO_INVALID_CIPHERTEXT' // ciphertext length not a positive multiple of the block size
  | 'CRYPTO_BAD_PADDING' // PKCS#7 padding check failed after decryption
  | 'CRYPTO_INVALID_POINT' // point encoding not canonical, off the curve, or of small order
  | 'CRYPTO_INVALID_SCALAR' // scalar encoding not canonical (e.g. S >= L)
  | 'CRYPTO_INVALID_SIGNATURE' // signature malformed (length, encoding)
  | 'CRYPTO_UNAVAILABLE' // the requested provider does not exist on this runtime
  | 'CRYPTO_WASM_FAILED' // the WASM core could not be instantiated
  | 'CRYPTO_STATE' // misuse of a streaming object (update after digest)
  | 'CRYPTO_WORKER' // a hash worker (hash-offload.ts) failed or stopped before answering
  | 'CRYPTO_INTEGRITY'; // an integrity check (e.g. AES key unwrap) failed

/** Error thrown by every `mathmesh/crypto` primitive and provider. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CryptoError';
    this.code = code;
  }
}
