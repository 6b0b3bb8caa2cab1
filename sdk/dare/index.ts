/**
 * `mathmesh/dare`: DARE envelopes (dare.md §1–8) — encryption to any number of recipients,
 * signatures, annotations (EDS), JSON / JSON-B forms, byte-exact with the reference's examples
 * under injected randomness — and the building blocks sequences reuse (per-item keys, recipient
 * wrap/unwrap, digests, signatures, witnesses).
 *
 * @example
 * ```ts
 * import { encodeEnvelope, decodeEnvelope, serializeEnvelope, darePrivateKey } from 'mathmesh/dare';
 * const env = encodeEnvelope('hello', { recipients: [bob], signers: [alice] });
 * const bytes = serializeEnvelope(env, 'json');
 * // Either authenticated by Alice (every expected signer verified, bound to the key exchange) or a typed error:
 * const { payload, signed, unsigned } = decodeEnvelope(bytes, { keys: [bobPrivate], signers: [alicePublic] });
 * ```
 *
 * @module mathmesh/dare
 */
export { DareError, type DareErrorCode } from './errors.js';
export {
  BASE_SEED_LENGTH, SALT_LENGTH, ENCRYPTION_ALGORITHMS, DIGEST_ALGORITHMS, KEY_ALGORITHMS,
  type DareDigestAlgorithm, type DareEncryptionAlgorithm, type DareKeyAlgorithm,
} from './algorithms.js';
export { routedCrypto, type DareCrypto } from './provider.js';
export { darePublicKey, darePrivateKey, dareKeyFromKeyPair, dareKeyFromScalar, publicPart, type DarePrivateKey, type DarePublicKey } from './keys.js';
export { agree, ephemeralKey, EPHEMERAL_LENGTH, EPK_LENGTHS, type EphemeralKey } from './agreement.js';
export { ITEM_KEY_LABELS, KEK_INFOS, deriveItemKeys, deriveKek, edsPrefix, edsSalt, witness, type ItemKeys } from './kdf.js';
export { symmetricKeyId, dareSymmetricKey } from './symmetric-key-id.js';
export {
  wrapBaseSeed, unwrapBaseSeed, unwrapBaseSeedDetail, wrapBaseSeedSymmetric, unwrapBaseSeedSymmetric, openRecipients,
  recipientToObject, recipientFromObject, type DareRecipient, type DareAgreementRecipient, type DareSymmetricKey, type UnwrapDetail,
} from './recipient.js';
export {
  payloadDigest, signDigest, verifyDigestSignature, signatureToObject, signatureFromObject, type DareSignature,
} from './signature.js';
export { encodeEds, decodeEds, parseEds, type EdsContext, type EdsParts } from './eds.js';
export { headerToObject, headerFromObject, isEmptyHeader, type DareHeader } from './header.js';
export { encodeContentMeta, decodeContentMeta, type ContentMeta } from './content-meta.js';
export {
  DARE_MAX_DEPTH, envelopeToValue, envelopeFromValue, serializeEnvelope, envelopeToString, parseEnvelope,
  type DareEnvelope, type DareEnvelopeFormat, type ParseEnvelopeOptions,
} from './envelope.js';
export { createKeyExchange, encodeEnvelope, type DareKeyExchange, type EncodeOptions } from './envelope-encode.js';
export {
  verifyEnvelope,
  type EnvelopeVerdict, type EnvelopeVerifyReport, type KeyResolver, type PayloadIntegrity, type SignatureStatus, type VerifyEnvelopeOptions, type VerifyResult,
} from './envelope-verify.js';
export {
  decodeEnvelope,
  type DecodeOptions, type DecodedEnvelope, type EnvelopeMetadata, type SignedContent, type UnsignedContent,
} from './envelope-decode.js';
export {
  PAYLOAD_MAC_LABEL, PAYLOAD_MAC_LENGTH, computePayloadMac, derivePayloadMacKey, payloadMacMessage, verifyPayloadMac, type PayloadMacInput,
} from './payload-mac.js';
export { HEADER_DIGEST_LABEL, HEADER_DIGEST_MEMBERS, coveredHeader, headerDigest } from './header-digest.js';
export { MANIFEST_LABEL, manifestBytes, type EnvelopeManifest } from './manifest.js';
export { encodeEnvelopeStream, type EncodeStreamOptions } from './stream/encode-stream.js';
export {
  decodeEnvelopeStream, decodeEnvelopeTo, verifyEnvelopeStream, DEFAULT_MAX_HEADER_BYTES,
  type DecodeStreamOptions, type DecodedEnvelopeStream, type EnvelopeDecoding, type StreamSignedContent, type StreamVerifyResult,
  type VerifyStreamOptions,
} from './stream/decode-stream.js';
export { DEFAULT_CHUNK_SIZE } from './stream/readable.js';
export type { EnvelopeSource } from './stream/source.js';
export type { HashOffload } from '../crypto/hash-offload.js';
export * from './sequence/index.js';
