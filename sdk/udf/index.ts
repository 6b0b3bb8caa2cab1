/**
 * `mathmesh/udf`: Uniform Data Fingerprints (udf.md; draft-hallambaker-mesh-udf-13) — content
 * digests, authenticators and UDF-keyed MACs, fixed-length UDFs (nonces, keys, seeds, shares,
 * OIDs), parsing/presentation/matching, key fingerprints, keys from seeds, Shamir shares, EARLs
 * and `udf:` URIs, Strong Internet Names, PIN functions and message ids.
 *
 * Pure re-exports: importing this module runs no code. Only `keys.ts` (deriveKeyPair,
 * keyPairFromPrivate) depends on curve code; a bundler drops it when those are unused.
 *
 * @module mathmesh/udf
 */
export { UdfError, type UdfErrorCode } from './errors.js';
export { UDF_TYPE, UDF_TYPE_OID_DRAFT, udfTypeInfo, digestTypeCode, type DigestAlgorithm, type UdfTypeInfo } from './types.js';
export {
  DEFAULT_PRECISION, MIN_PRECISION, MIN_KEY_PRECISION, MAX_PRECISION, DRAFT_MINIMUM_SIGNIFICANT_BITS, REFERENCE_MINIMUM_PRECISION,
  addDashes, normalizeUdf, presentUdf, presentSecret, parseSecret, parseUdf, type ParsedUdf, type ParseUdfOptions,
} from './presentation.js';
export { udfMatches, type MatchOptions } from './compare.js';
export { CONTENT_TYPE, DRAFT_CONTENT_TYPE, EARL_WELL_KNOWN_PATH, DRAFT_EARL_WELL_KNOWN_PATH } from './constants.js';
export {
  compressionLevel, contentDigest, contentDigestDetail, contentDigestFromCdv, typedContentDigest, verifyContentDigest,
  type ContentDigestDetail, type ContentDigestOptions,
} from './digest.js';
export { authenticator, authenticatorDetail, authenticatorFromCdv, authenticatorKey, type AuthenticatorDetail, type AuthenticatorOptions } from './authenticator.js';
export { udfMac, udfMacBytes } from './mac.js';
export { defaultRandom, type RandomSource } from './random.js';
export { KEY_ALGORITHM, KEY_USE, keyAlgorithmName, keySpecifier, type KeyAlgorithmName, type KeyUse } from './algorithms.js';
export {
  MIN_RANDOM_BITS, MAX_RANDOM_BITS, fixedUdf, nonce, encryptionKeyUdf, newEncryptionKey, authenticatorKeyUdf, newAuthenticatorKey,
  oidUdf, seedUdf, newSeed, parseSeed, randomValue,
  type ParsedSeed, type RandomUdfOptions,
} from './fixed.js';
export {
  PUBLIC_KEY_LENGTH, publicKeyDer, parsePublicKeyDer, keyFingerprint, keyFingerprintOfDer, publicKeyOidUdf, rsaPublicKeyDer, rsaKeyFingerprint,
  type PublicKeyAlgorithm,
} from './fingerprint.js';
export {
  SHAMIR_PRIME_OFFSETS, MAX_SHARES, shamirPrime, splitSecret, splitSecretWithCoefficients, parseShare, recoverSecret,
  type SecretShare, type SplitOptions, type ParsedShare,
} from './shamir.js';
export { escrowSeed, recoverSeed } from './escrow.js';
export {
  EARL_IDENTIFIER_PRECISION, EARL_MAX_IDENTIFIER_PRECISION, checkDomain, udfNameUri, udfLocatorUri, parseUdfUri, earlIdentifier,
  resolveEarl, earlFor, newEarl, connectionUri, parseConnectionUri, type Earl, type ParsedUdfUri,
} from './uri.js';
export { SIN_PREFIX, SIN_MAX_UDF_LENGTH, strongName, compatibleName, parseSin, type ParsedSin } from './sin.js';
export { PIN_ACTION, newPin, saltedPin, pinId, pinWitness } from './pin.js';
export { makeId, envelopeId, responseId } from './message-id.js';
export {
  DERIVED_KEY_LENGTH, meshKeyName, defaultKeyAlgorithm, checkSeedAlgorithm, deriveKeyMaterial, deriveKeyMaterialFrom,
  type DerivedKeyAlgorithm, type KeyOperation, type MeshActor, type MeshKeyType,
} from './derive.js';
export {
  DRAFT_EXAMPLE_OKM_BITS, NIST_FIELD_PRIME, draftExampleOkm, draftExampleNistScalar, draftExampleRsaPrimes,
} from './draft-derive.js';
export { deriveKeyPair, keyPairFromPrivate, type KeyPair, type DeriveKeyOptions } from './keys.js';
