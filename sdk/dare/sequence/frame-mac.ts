import { encodeJsonB } from '../../encoding/jsonb-writer.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { constantTimeEqual } from '../compare.js';
import { ITEM_KEY_LABELS } from '../kdf.js';
import { routedCrypto, type DareCrypto } from '../provider.js';

/**
 * Keyed integrity of an encrypted sequence frame: the trailer member `PayloadMac` (our addition
 * to DARE; reference readers ignore unknown members). AES-256-CBC gives no integrity and an
 * unkeyed PayloadDigest is none against an attacker (they recompute it), so a reader checks this
 * MAC before it decrypts anything of the frame — payload or cloaked metadata — and a wrong MAC and
 * a bad padding end in the same error (no padding oracle).
 *
 * The construction is the envelope layer's `PayloadMac` (sdk/dare/payload-mac.ts on the envelope
 * branch; this module mirrors it until both land, then re-exports it): HMAC-SHA-512 under the
 * item's `mac` key (dare.md §4.2: HKDF-Expand(PRK, "mac", 32), PRK from the base seed and the
 * frame's own Salt) over the JSON-B array `["DarePayloadMac", "S512", PayloadDigest, headerDigest]`.
 * For a frame, headerDigest is the frame header digest HD (digests.ts): it covers `enc`, `Salt`,
 * `recipients`, `cloaked`, ContentMetaData and SequenceInfo. Both digests are computed anyway for
 * the tree, so the MAC adds one HMAC of 156 bytes per frame and no second pass over the payload.
 */

const MAC_INFO = /* @__PURE__ */ utf8Encode(ITEM_KEY_LABELS.mac);

/**
 * The MAC key of an item (dare.md §4.2): HKDF-SHA-256(base seed, `salt`, "mac", 32) — the value
 * `deriveItemKeys(...).mac` gives. Derived on its own because the AES key and IV come from the
 * two-output HKDF (`deriveCbcKeys`, one call into the WASM core), which is cheaper per frame than
 * the three-output form. Secret: wipe it after use.
 */
export function derivePayloadMacKey(baseSeed: Uint8Array, salt: Uint8Array, c: DareCrypto = routedCrypto): Uint8Array {
  return c.hkdfSha256(baseSeed, salt, MAC_INFO, 32);
}

/** HMAC-SHA-512 output length. */
export const PAYLOAD_MAC_LENGTH = 64;

/** Domain label, the first item of the MACed array. */
export const PAYLOAD_MAC_LABEL = 'DarePayloadMac';

/** The digest id sequences use (dare.md §1). */
const DIG = 'S512';

/** `5b ‖ item("DarePayloadMac") ‖ item("S512")`: the fixed head of every message. */
const HEAD = /* @__PURE__ */ (() => {
  const a = encodeJsonB(PAYLOAD_MAC_LABEL);
  const b = encodeJsonB(DIG);
  const out = new Uint8Array(1 + a.length + b.length);
  out[0] = 0x5b;
  out.set(a, 1);
  out.set(b, 1 + a.length);
  return out;
})();

/**
 * The bytes MACed: JSON-B `["DarePayloadMac", "S512", payloadDigest, headerDigest]`, written
 * directly (the same bytes `encodeJsonB` gives for that array; test/dare-sequence-encryption checks).
 */
export function payloadMacMessage(payloadDigest: Uint8Array, headerDigest: Uint8Array): Uint8Array {
  if (payloadDigest.length !== 64 || headerDigest.length !== 64) throw new RangeError('payload MAC inputs are 64-byte digests');
  const out = new Uint8Array(HEAD.length + 2 * 66 + 1);
  out.set(HEAD);
  let at = HEAD.length;
  for (const d of [payloadDigest, headerDigest]) {
    out[at] = 0x88; // JSON-B binary, one length byte
    out[at + 1] = 64;
    out.set(d, at + 2);
    at += 66;
  }
  out[at] = 0x5d;
  return out;
}

/** `PayloadMac` = HMAC-SHA-512(macKey, {@link payloadMacMessage}). */
export function computePayloadMac(macKey: Uint8Array, payloadDigest: Uint8Array, headerDigest: Uint8Array, c: DareCrypto = routedCrypto): Uint8Array {
  return c.hmacSha512(macKey, payloadMacMessage(payloadDigest, headerDigest));
}

/** True when `mac` is the MAC of the frame; the comparison time does not depend on where they differ. */
export function verifyPayloadMac(
  macKey: Uint8Array, payloadDigest: Uint8Array, headerDigest: Uint8Array, mac: Uint8Array, c: DareCrypto = routedCrypto,
): boolean {
  return constantTimeEqual(computePayloadMac(macKey, payloadDigest, headerDigest, c), mac);
}
