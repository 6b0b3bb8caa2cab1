/**
 * Typed errors of `mathmesh/dare` (design.md, Errors). The `code` is stable across releases; the
 * message says what failed and where, and never contains key material, base seeds or plaintext.
 */
export type DareErrorCode =
  | 'DARE_BAD_FORMAT' // not an envelope: wrong shape, wrong field type, bad base64, bad JSON / JSON-B
  | 'DARE_TRUNCATED' // the input ends inside the envelope (or a declared length exceeds the input)
  | 'DARE_TOO_DEEP' // JSON / JSON-B nesting deeper than the envelope reader allows
  | 'DARE_UNKNOWN_ALGORITHM' // an `enc`, `dig`, `alg` or curve identifier this library does not implement
  | 'DARE_NO_KEY' // no decryption key for any recipient (the error lists the recipient key ids)
  | 'DARE_BAD_KEY' // a key of the wrong algorithm or length, or a point that is not on the curve
  // Every way an opened envelope can fail to decrypt or authenticate — wrong base seed, bad
  // PayloadMac, bad or missing witness, bad EDS MAC, bad PKCS#7 padding — is this one code with one
  // message, and the MAC and witnesses are checked before anything is decrypted: an attacker
  // probing the decoder learns nothing about padding (no CBC padding oracle).
  | 'DARE_DECRYPT_FAILED'
  | 'DARE_UNAUTHENTICATED' // no keyed integrity: an encrypted envelope without PayloadMac, or an expected signer's signature not bound to the key exchange (reference form); refused unless `allowUnauthenticated`
  | 'DARE_BAD_DIGEST' // PayloadDigest differs from the digest of the payload bytes
  | 'DARE_BAD_SIGNATURE' // a signature (or its ManifestSignature) does not verify under the key its `kid` names
  | 'DARE_UNKNOWN_SIGNER' // signed by someone else: no valid signature by an expected signer, though the envelope carries signatures
  | 'DARE_NOT_SIGNED' // a signature was required and the envelope carries none
  | 'DARE_BAD_ANNOTATION' // an annotation (EDS, dare.md §4.3) is malformed (not 2 or 3 JSON-B data items)
  | 'DARE_BAD_ARGUMENT' // the caller passed something unusable (e.g. more than 255 annotations)
  | 'DARE_CANCELLED'; // a streamed decode whose payload stream was cancelled before the envelope was checked

import { EncodingError } from '../encoding/errors.js';

/** Error thrown by every `mathmesh/dare` function. */
export class DareError extends Error {
  readonly code: DareErrorCode;
  /** For `DARE_NO_KEY`: the `kid` of every recipient entry of the envelope. */
  readonly recipients: readonly string[] | undefined;
  constructor(code: DareErrorCode, message: string, options?: { cause?: unknown; recipients?: readonly string[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DareError';
    this.code = code;
    this.recipients = options?.recipients;
  }
}

/**
 * The one `DARE_DECRYPT_FAILED` error: the same message whatever failed (wrong base seed, MAC,
 * witness, EDS MAC, padding) and where, and no `cause` (a CryptoError code would name the padding).
 */
export function decryptFailed(): DareError {
  return new DareError('DARE_DECRYPT_FAILED', 'the envelope does not decrypt or is not authentic (wrong key, damaged or forged)');
}

/**
 * Runs an encoding step over header or payload values; an EncodingError (a value with no JSON /
 * JSON-B form, e.g. a string with an unpaired surrogate) becomes `code` naming `what`:
 * `DARE_BAD_ARGUMENT` when the caller gave the value, `DARE_BAD_FORMAT` when an envelope held it.
 */
export function writing<T>(what: string, f: () => T, code: 'DARE_BAD_ARGUMENT' | 'DARE_BAD_FORMAT' = 'DARE_BAD_ARGUMENT'): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EncodingError) throw new DareError(code, `${what}: ${e.message}`, { cause: e });
    throw e;
  }
}
