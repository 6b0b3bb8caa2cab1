import { CryptoError } from '../crypto/errors.js';
import { constantTimeEqual } from '../encoding/bytes.js';
import { decodeContentMeta, type ContentMeta } from './content-meta.js';
import { decodeEds, type EdsContext } from './eds.js';
import { DareError, decryptFailed } from './errors.js';
import type { DareEnvelope } from './envelope.js';
import {
  allSignatures, checkEnvelope, toEnvelope, type EnvelopeChecks, type KeyResolver, type PayloadIntegrity, type SignatureStatus,
  type VerifyEnvelopeOptions, type EnvelopeVerifyReport, type VerifyResult,
} from './envelope-verify.js';
import type { DareHeader } from './header.js';
import type { DareSignature } from './signature.js';
import { deriveItemKeys, witness } from './kdf.js';
import type { DarePrivateKey } from './keys.js';
import { verifyPayloadMac } from './payload-mac.js';
import { routedCrypto, type DareCrypto } from './provider.js';
import { openRecipients, type DareRecipient, type DareSymmetricKey } from './recipient.js';

/**
 * Envelope decoding (dare.md §7 "Decode"). Order, and why:
 * 1. digests and signatures (envelope-verify.ts): expected signers must have signed, before any
 *    key is used;
 * 2. the key exchange (`DARE_NO_KEY` when none of the caller's keys opens a recipient entry: the
 *    RFC 3394 unwrap is itself authenticated, and no ciphertext has been touched);
 * 3. keyed integrity: the PayloadMac (payload-mac.ts) and every witness are checked, all of them,
 *    before anything is decrypted; an encrypted envelope without a PayloadMac is refused
 *    (`DARE_UNAUTHENTICATED`) unless the caller opts in with `allowUnauthenticated`;
 * 4. decryption of the payload and annotations.
 * Every failure in 3–4 is the same `DARE_DECRYPT_FAILED` with the same message, and with a
 * PayloadMac a forged ciphertext never reaches the cipher: an attacker cannot tell a bad MAC
 * from a bad witness from bad padding (no CBC padding oracle).
 */

/** Options of {@link decodeEnvelope}. */
export interface DecodeOptions extends VerifyEnvelopeOptions {
  /** Decryption keys; entries naming one by `kid` are tried first, then every key of the entry's curve. */
  keys?: readonly DarePrivateKey[];
  /** Or a resolver for decryption keys by recipient `kid`. */
  keyResolver?: KeyResolver<DarePrivateKey>;
  /** Shared secrets for symmetric recipient entries (no `epk`; dare.md §4.1, mesh-model.md §11). */
  secrets?: readonly DareSymmetricKey[];
  /**
   * The key exchange when it is not in this envelope's header: a known base seed, or the recipient
   * entries of another envelope (a sequence frame's `ExchangePosition`, dare.md §9.5). Salt is
   * always this envelope's own.
   */
  keyExchange?: { baseSeed: Uint8Array } | { recipients: readonly DareRecipient[] };
}

/**
 * Header data describing the payload: content metadata (`ContentMetaData`, parsed and
 * type-checked), the content type and file name it holds, `EnvelopeId` and the annotation bodies
 * (decrypted). All of it untrusted text unless found under {@link DecodedEnvelope.signed}.
 */
export interface EnvelopeMetadata {
  readonly contentMeta: ContentMeta | undefined;
  /** `contentMeta.cty`. */
  readonly contentType: string | undefined;
  /** `contentMeta.filename`. */
  readonly filename: string | undefined;
  readonly envelopeId: string | undefined;
  /** Annotation (EDS) bodies, decrypted, in order. */
  readonly annotations: readonly Uint8Array[];
}

/** What the signatures cover. */
export interface SignedContent {
  /**
   * The plaintext payload: what DARE signatures cover (through H(payload bytes as stored)).
   * Authored by `signedBy` when the verdict is `authentic`; by nobody in particular otherwise.
   */
  readonly payload: Uint8Array;
  /** The header data, present only when every key in `signedBy` signed it too (ManifestSignature). */
  readonly metadata?: EnvelopeMetadata;
}

/** What no checked signature covers: hints to show or route on, never to trust. */
export interface UnsignedContent {
  /** The header data, present when it is not under `signed` (reference envelopes, no signer checked, …). */
  readonly metadata?: EnvelopeMetadata;
}

/** What {@link decodeEnvelope} returns: the verification report plus the plaintext, split by trust. */
export interface DecodedEnvelope extends VerifyResult {
  /** The plaintext payload (the same bytes as `signed.payload`). */
  readonly payload: Uint8Array;
  /** What the signatures of `signedBy` cover. */
  readonly signed: SignedContent;
  /** What they do not. The header data is in exactly one of `signed.metadata` / `unsigned.metadata`. */
  readonly unsigned: UnsignedContent;
  /** The recipient entry that opened the envelope (encrypted envelopes decoded by key). */
  readonly recipient: DareRecipient | undefined;
}

/** The opened key exchange of an envelope: its base seed, and the entry that held it (decoded by key). */
export interface OpenedKeyExchange {
  readonly baseSeed: Uint8Array;
  readonly recipient?: DareRecipient;
}

/**
 * Opens the key exchange of `header` with the caller's keys, resolver or known exchange
 * (`DARE_NO_KEY` when none opens it). A base seed opened from a recipient entry is ours to wipe
 * ({@link wipeOpened}); a base seed the caller passed is theirs.
 */
export function openKeyExchange(header: DareHeader, options: DecodeOptions, c: DareCrypto = routedCrypto): OpenedKeyExchange {
  const ex = options.keyExchange;
  if (ex !== undefined && 'baseSeed' in ex) return { baseSeed: ex.baseSeed };
  const entries = ex !== undefined ? ex.recipients : header.recipients ?? [];
  const keys = [...(options.keys ?? [])];
  if (options.keyResolver) {
    for (const e of entries) {
      const k = options.keyResolver(e.kid);
      if (k !== undefined && !keys.includes(k)) keys.push(k);
    }
  }
  const opened = openRecipients(entries, keys, c, undefined, options.secrets ?? []);
  return { baseSeed: opened.baseSeed, recipient: opened.recipient };
}

/** Wipes a base seed {@link openKeyExchange} unwrapped (not one the caller gave). */
export function wipeOpened(opened: OpenedKeyExchange): void {
  if (opened.recipient !== undefined) opened.baseSeed.fill(0);
}

/**
 * Keyed integrity (step 3 above): the PayloadMac under `macKey` and the witness of every
 * signature, all of them checked whatever the others gave. `ok` false means one
 * `DARE_DECRYPT_FAILED` for the caller to throw. The witness is mandatory for the signatures the
 * result vouches for (dare.md §5): an expected signer's signature without one fails.
 */
export function checkKeyedIntegrity(
  checks: EnvelopeChecks<EnvelopeVerifyReport>, signatures: readonly DareSignature[], baseSeed: Uint8Array, salt: Uint8Array, macKey: Uint8Array,
  c: DareCrypto,
): { ok: boolean; signatures: SignatureStatus[] } {
  const r = checks.result;
  let ok = true;
  if (checks.statedMac !== undefined) {
    ok = verifyPayloadMac(macKey, {
      dig: checks.digestId, payloadDigest: checks.payloadDigestOf(checks.digestId), headerDigest: checks.headerDigestValue(),
    }, checks.statedMac, c) && ok;
  }
  const statuses = r.signatures.map((s, i) => {
    const w = signatures[i]!.witness;
    if (w === undefined) {
      if (s.status === 'valid' && s.key !== undefined && r.signedBy.includes(s.key)) ok = false;
      return { ...s, witness: 'absent' as const };
    }
    ok = constantTimeEqual(witness(baseSeed, salt, signatures[i]!.signature, c), w) && ok;
    return { ...s, witness: 'valid' as const };
  });
  return { ok, signatures: statuses };
}

/** The refusal of an encrypted envelope without keyed integrity, unless `allowUnauthenticated`. */
export function refuseUnauthenticated(): DareError {
  return new DareError('DARE_UNAUTHENTICATED',
    'encrypted envelope without PayloadMac (reference form): it would be decrypted with no integrity check; pass allowUnauthenticated to accept it');
}

/** Decrypts (or, plaintext envelopes, unwraps) the annotations of a header. */
export function decodeAnnotations(h: DareHeader, context: EdsContext | undefined, c: DareCrypto): Uint8Array[] {
  return (h.annotations ?? []).map((a, i) => decodeEds(a, context, c, `annotation ${i + 1}`).body);
}

/**
 * The header data of a decoded envelope, under `signed` when every signer of an authentic
 * verdict also signed the header (ManifestSignature), else under `unsigned`.
 */
export function metadataByTrust(r: EnvelopeVerifyReport, h: DareHeader, annotations: readonly Uint8Array[]): {
  metadata: EnvelopeMetadata; covered: boolean;
} {
  const contentMeta = h.contentMetaData === undefined ? undefined : decodeContentMeta(h.contentMetaData);
  const metadata: EnvelopeMetadata = {
    contentMeta, contentType: contentMeta?.cty, filename: contentMeta?.filename, envelopeId: h.envelopeId, annotations,
  };
  return { metadata, covered: r.authentic && r.headerSigned };
}

/**
 * Decodes an envelope: parses it, checks the digest and the signatures of the trusted keys
 * given (expected `signers` must all have signed), opens the key exchange, checks the
 * PayloadMac and witnesses, then decrypts the payload and annotations (see the order above).
 * The result separates what signatures cover from what they do not (`signed` / `unsigned`).
 * For payloads too large to hold in memory, see `decodeEnvelopeStream`.
 */
export function decodeEnvelope(input: Uint8Array | string | DareEnvelope, options: DecodeOptions = {}): DecodedEnvelope {
  const c = options.provider ?? routedCrypto;
  const env = toEnvelope(input, options);
  const checks = checkEnvelope(env, options, true);
  const r = checks.result;
  const h = env.header;
  let payload = env.payload;
  let annotations: Uint8Array[];
  let recipient: DareRecipient | undefined;
  let signatures: readonly SignatureStatus[] = r.signatures;
  let mac: VerifyResult['mac'] = r.mac;
  let integrity: PayloadIntegrity = r.integrity;
  if (r.enc !== undefined) {
    if (h.salt === undefined) throw new DareError('DARE_BAD_FORMAT', 'header: encrypted envelope without Salt');
    if (checks.statedMac === undefined && options.allowUnauthenticated !== true) throw refuseUnauthenticated();
    const salt = h.salt;
    const opened = openKeyExchange(h, options, c);
    const baseSeed = opened.baseSeed;
    recipient = opened.recipient;
    const keys = deriveItemKeys(baseSeed, salt, c);
    try {
      // Keyed integrity first, every check run whatever the others gave, one error for all.
      const keyed = checkKeyedIntegrity(checks, allSignatures(env), baseSeed, salt, keys.mac, c);
      signatures = keyed.signatures;
      if (!keyed.ok) throw decryptFailed();
      try {
        payload = c.aes256CbcDecrypt(keys.key, keys.iv, env.payload);
      } catch (e) {
        if (e instanceof CryptoError) throw decryptFailed();
        throw e;
      }
      annotations = decodeAnnotations(h, { enc: r.enc, baseSeed, salt }, c);
    } finally {
      keys.key.fill(0);
      keys.iv.fill(0);
      keys.mac.fill(0);
      wipeOpened(opened);
    }
    if (checks.statedMac !== undefined) {
      mac = 'valid';
      if (integrity !== 'signature') integrity = 'mac';
    }
  } else {
    annotations = decodeAnnotations(h, undefined, c);
  }
  const { metadata, covered } = metadataByTrust(r, h, annotations);
  return {
    ...r, signatures, mac, integrity, payload, recipient,
    signed: covered ? { payload, metadata } : { payload },
    unsigned: covered ? {} : { metadata },
  };
}
