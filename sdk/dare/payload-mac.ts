import { encodeJsonB } from '../encoding/jsonb-writer.js';
import { utf8Encode } from '../encoding/utf8.js';
import type { DareDigestAlgorithm } from './algorithms.js';
import { constantTimeEqual } from '../encoding/bytes.js';
import { ITEM_KEY_LABELS } from './kdf.js';
import { routedCrypto, type DareCrypto } from './provider.js';

/**
 * Keyed integrity of an encrypted DARE payload: `PayloadMac`. Our addition to the format, the
 * one primitive envelopes and sequence frames share.
 *
 * Why: AES-256-CBC alone gives no integrity, and an unkeyed `PayloadDigest` is no integrity
 * against an attacker (they recompute it); decrypting such a payload and reporting padding
 * failures is a CBC padding oracle. DARE-12 (§3.3, §3.4.4) derives a MAC key for every item
 * (HKDF-Expand(PRK, "mac"); the reference's bare label, dare.md §4.2) and `A256CBC-HS512` puts
 * HMAC-SHA-512 tags in EDS (dare.md §3, §4.3), but neither the draft nor the reference (REF
 * `CryptoStack.DecodeBody`: "Check MAC if specified" is a comment, no code) carries a MAC for the
 * payload. We follow the draft's construction (HMAC-SHA-512 under the item's `mac` key) and put
 * the tag in a new trailer member, `PayloadMac`: reference readers ignore unknown members, so they
 * still decode our envelopes, and signatures stay checkable without the decryption key (they
 * cover PayloadDigest, not the MAC).
 *
 * What is MACed: not the ciphertext itself but the JSON-B array
 * `["DarePayloadMac", dig, PayloadDigest, headerDigest]` — H(ciphertext) is computed anyway for
 * PayloadDigest and signatures, so the MAC adds no second pass over the payload, and the header
 * digest (header-digest.ts for envelopes; the sequence layer's frame header digest for frames)
 * binds the cipher, Salt, annotations and content metadata an outsider could otherwise change.
 * SHA-512/256 collision resistance makes MAC(H(ct)) as strong as MAC(ct) here.
 *
 * The MAC key is the item key of dare.md §4.2: HKDF-SHA-256(IKM = base seed, salt = the item's
 * salt, info = "mac", 32 bytes) — for an envelope payload the salt is the header `Salt`.
 */

/** HMAC-SHA-512 output length: the length of every `PayloadMac`. */
export const PAYLOAD_MAC_LENGTH = 64;

/** Domain label, the first item of the MACed array (keeps these MACs apart from any other use of the key). */
export const PAYLOAD_MAC_LABEL = 'DarePayloadMac';

/** What a payload MAC binds. */
export interface PayloadMacInput {
  /** Digest id both digests were computed with. */
  readonly dig: DareDigestAlgorithm;
  /** H(payload bytes as stored), i.e. of the ciphertext (dare.md §5). */
  readonly payloadDigest: Uint8Array;
  /** Digest of the header data the MAC also covers (envelopes: `headerDigest`, header-digest.ts). */
  readonly headerDigest: Uint8Array;
}

const MAC_INFO = utf8Encode(ITEM_KEY_LABELS.mac);

/**
 * The MAC key of an item (dare.md §4.2): HKDF-SHA-256(base seed, `salt`, "mac", 32). Secret: wipe
 * it after use. `deriveItemKeys(...).mac` is the same value when the cipher key is derived too.
 */
export function derivePayloadMacKey(baseSeed: Uint8Array, salt: Uint8Array, c: DareCrypto = routedCrypto): Uint8Array {
  return c.hkdfSha256(baseSeed, salt, MAC_INFO, 32);
}

/** The exact bytes the MAC is computed over: JSON-B `["DarePayloadMac", dig, payloadDigest, headerDigest]`. */
export function payloadMacMessage(input: PayloadMacInput): Uint8Array {
  return encodeJsonB([PAYLOAD_MAC_LABEL, input.dig, input.payloadDigest, input.headerDigest]);
}

/** `PayloadMac` = HMAC-SHA-512(macKey, {@link payloadMacMessage}(input)). */
export function computePayloadMac(macKey: Uint8Array, input: PayloadMacInput, c: DareCrypto = routedCrypto): Uint8Array {
  return c.hmacSha512(macKey, payloadMacMessage(input));
}

/**
 * True when `mac` is the MAC of `input` under `macKey`. The comparison takes the same time
 * wherever the values differ; a value of the wrong length is simply false.
 */
export function verifyPayloadMac(macKey: Uint8Array, input: PayloadMacInput, mac: Uint8Array, c: DareCrypto = routedCrypto): boolean {
  return constantTimeEqual(computePayloadMac(macKey, input, c), mac);
}
