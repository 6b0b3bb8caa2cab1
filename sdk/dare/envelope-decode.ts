import { CryptoError } from '../crypto/errors.js';
import { bytesEqual, constantTimeEqual } from '../encoding/bytes.js';
import { digestAlgorithm, encryptionAlgorithm, type DareDigestAlgorithm, type DareEncryptionAlgorithm } from './algorithms.js';
import { decodeContentMeta, type ContentMeta } from './content-meta.js';
import { decodeEds } from './eds.js';
import { DareError } from './errors.js';
import { parseEnvelope, type DareEnvelope, type ParseEnvelopeOptions } from './envelope.js';
import { deriveItemKeys, witness } from './kdf.js';
import type { DarePrivateKey, DarePublicKey } from './keys.js';
import { routedCrypto, type DareCrypto } from './provider.js';
import { openRecipients, type DareRecipient } from './recipient.js';
import { payloadDigest, verifyDigestSignature, type DareSignature } from './signature.js';

/**
 * Envelope decoding and verification (dare.md §7 "Decode", §5). Every failure is a typed
 * `DareError`: a digest that does not match (`DARE_BAD_DIGEST`), a signature that does not verify
 * under the key its `kid` names (`DARE_BAD_SIGNATURE`), a witness that does not match
 * (`DARE_BAD_WITNESS`), no key for any recipient (`DARE_NO_KEY`, listing the recipient kids), a
 * payload or annotation that does not decrypt (`DARE_DECRYPT_FAILED`, `DARE_BAD_ANNOTATION`).
 */

/** Looks a key up by `kid`. */
export type KeyResolver<K> = (kid: string) => K | undefined;

/** Options shared by {@link decodeEnvelope} and {@link verifyEnvelope}. */
export interface VerifyEnvelopeOptions extends ParseEnvelopeOptions {
  /** Signer public keys, matched by `kid`. */
  signers?: readonly DarePublicKey[];
  /** Or a resolver for signer keys by `kid`. */
  signerResolver?: KeyResolver<DarePublicKey>;
  /** Fail unless at least one signature verifies (`DARE_NOT_SIGNED` / `DARE_UNKNOWN_SIGNER`). */
  requireSignature?: boolean;
  /** Crypto backend (default: the routed `mathmesh/crypto` functions). */
  provider?: DareCrypto;
}

/** Options of {@link decodeEnvelope}. */
export interface DecodeOptions extends VerifyEnvelopeOptions {
  /** Decryption keys; entries naming one by `kid` are tried first, then every key of the entry's curve. */
  keys?: readonly DarePrivateKey[];
  /** Or a resolver for decryption keys by recipient `kid`. */
  keyResolver?: KeyResolver<DarePrivateKey>;
  /**
   * The key exchange when it is not in this envelope's header: a known base seed, or the recipient
   * entries of another envelope (a sequence frame's `ExchangePosition`, dare.md §9.5). Salt is
   * always this envelope's own.
   */
  keyExchange?: { baseSeed: Uint8Array } | { recipients: readonly DareRecipient[] };
}

/** Outcome of one signature. */
export interface SignatureStatus {
  readonly kid: string | undefined;
  /** `valid`, or `unknown-key` when no signer key was given for its kid (an invalid one throws in decode). */
  readonly status: 'valid' | 'invalid' | 'unknown-key';
  /** The key that verified it. */
  readonly key?: DarePublicKey;
  /** Encrypted envelopes: `valid` (checked against the base seed), `absent`, or `unchecked` (verify without decrypting). */
  readonly witness?: 'valid' | 'absent' | 'unchecked';
}

/** What {@link verifyEnvelope} reports (no decryption). */
export interface VerifyResult {
  readonly envelope: DareEnvelope;
  readonly encrypted: boolean;
  readonly enc: DareEncryptionAlgorithm | undefined;
  readonly dig: DareDigestAlgorithm | undefined;
  /** Recipient key ids. */
  readonly recipients: readonly string[];
  /** H(payload bytes), when the envelope is digested or signed. */
  readonly digest: Uint8Array | undefined;
  /** `valid` / `invalid` against PayloadDigest, `absent` when there is none. */
  readonly digestStatus: 'valid' | 'invalid' | 'absent';
  readonly signatures: readonly SignatureStatus[];
}

/** What {@link decodeEnvelope} returns. */
export interface DecodedEnvelope extends VerifyResult {
  /** The plaintext payload. */
  readonly payload: Uint8Array;
  /** Annotation bodies (decrypted), in order. */
  readonly annotations: readonly Uint8Array[];
  readonly contentMeta: ContentMeta | undefined;
  /** The recipient entry that opened the envelope (encrypted envelopes decoded by key). */
  readonly recipient: DareRecipient | undefined;
  /** Keys whose signatures verified. */
  readonly verifiedBy: readonly DarePublicKey[];
}

const SIGNATURE_ALGS = new Set(['S512', 'S256', 'Ed448', 'Ed25519']);

function allSignatures(env: DareEnvelope): DareSignature[] {
  return [...(env.trailer?.signatures ?? []), ...(env.header.signatures ?? [])];
}

function toEnvelope(input: Uint8Array | string | DareEnvelope, options: ParseEnvelopeOptions): DareEnvelope {
  return typeof input === 'string' || input instanceof Uint8Array ? parseEnvelope(input, options) : input;
}

/** The shared digest and signature checks; `strict` throws on the first failure. */
function check(env: DareEnvelope, options: VerifyEnvelopeOptions, strict: boolean): VerifyResult {
  const c = options.provider ?? routedCrypto;
  const h = env.header;
  const enc = h.enc === undefined ? undefined : encryptionAlgorithm(h.enc, 'header.enc');
  // Without `enc` the payload would be returned as is: a key exchange or Salt without a cipher
  // means the header was damaged, never that the ciphertext is the plaintext.
  if (enc === undefined && (h.recipients !== undefined || h.salt !== undefined)) {
    throw new DareError('DARE_BAD_FORMAT', 'header: recipients or Salt without enc');
  }
  const dig = h.dig === undefined ? undefined : digestAlgorithm(h.dig, 'header.dig');
  const signatures = allSignatures(env);
  const stated = env.trailer?.payloadDigest ?? h.payloadDigest;
  for (const [i, s] of signatures.entries()) {
    if (s.alg !== undefined && !SIGNATURE_ALGS.has(s.alg)) digestAlgorithm(s.alg, `signatures[${i}].alg`);
    if (s.dig !== undefined) digestAlgorithm(s.dig, `signatures[${i}].dig`);
  }
  const needDigest = dig !== undefined || stated !== undefined || signatures.length > 0;
  const digestId = dig ?? 'S512';
  const digest = needDigest ? payloadDigest(env.payload, digestId, c) : undefined;
  let digestStatus: VerifyResult['digestStatus'] = 'absent';
  if (stated !== undefined && digest !== undefined) {
    digestStatus = bytesEqual(stated, digest) ? 'valid' : 'invalid';
    if (digestStatus === 'invalid' && strict) throw new DareError('DARE_BAD_DIGEST', 'PayloadDigest does not match the payload');
  }
  const statuses: SignatureStatus[] = signatures.map((s, i) => {
    const kid = s.kid;
    const key = kid === undefined ? undefined : options.signers?.find((k) => k.kid === kid) ?? options.signerResolver?.(kid);
    if (key === undefined) return { kid, status: 'unknown-key' };
    const sigDigest = s.dig !== undefined && s.dig !== digestId ? payloadDigest(env.payload, digestAlgorithm(s.dig, 'dig'), c) : digest!;
    const ok = verifyDigestSignature(key, sigDigest, s.signature, c);
    if (!ok && strict) throw new DareError('DARE_BAD_SIGNATURE', `signature ${i} (kid ${kid}) does not verify`);
    return ok ? { kid, status: 'valid', key } : { kid, status: 'invalid', key };
  });
  if (options.requireSignature && strict) {
    if (signatures.length === 0) throw new DareError('DARE_NOT_SIGNED', 'a signature is required and the envelope has none');
    if (!statuses.some((s) => s.status === 'valid')) {
      throw new DareError('DARE_UNKNOWN_SIGNER', `no signer key for signature kid(s) ${statuses.map((s) => s.kid ?? '(none)').join(', ')}`);
    }
  }
  return {
    envelope: env, encrypted: enc !== undefined, enc, dig, recipients: (h.recipients ?? []).map((r) => r.kid),
    digest, digestStatus, signatures: statuses,
  };
}

/**
 * Checks an envelope without decrypting it: algorithms, payload digest, signatures of the signer
 * keys given (witnesses need the base seed: `unchecked`). Reports failures instead of throwing;
 * malformed input still throws (`DARE_BAD_FORMAT`, `DARE_TRUNCATED`, `DARE_UNKNOWN_ALGORITHM` …).
 */
export function verifyEnvelope(input: Uint8Array | string | DareEnvelope, options: VerifyEnvelopeOptions = {}): VerifyResult {
  const r = check(toEnvelope(input, options), options, false);
  if (!r.encrypted) return r;
  return { ...r, signatures: r.signatures.map((s, i) => ({ ...s, witness: allSignatures(r.envelope)[i]!.witness ? 'unchecked' : 'absent' })) };
}

function baseSeedFor(env: DareEnvelope, options: DecodeOptions, c: DareCrypto): { baseSeed: Uint8Array; recipient?: DareRecipient } {
  const ex = options.keyExchange;
  if (ex !== undefined && 'baseSeed' in ex) return { baseSeed: ex.baseSeed };
  const entries = ex !== undefined ? ex.recipients : env.header.recipients ?? [];
  const keys = [...(options.keys ?? [])];
  if (options.keyResolver) {
    for (const e of entries) {
      const k = options.keyResolver(e.kid);
      if (k !== undefined && !keys.includes(k)) keys.push(k);
    }
  }
  const opened = openRecipients(entries, keys, c);
  return { baseSeed: opened.baseSeed, recipient: opened.recipient };
}

/**
 * Decodes an envelope: parses it, checks the digest and every signature whose signer key is
 * known, opens the key exchange, checks witnesses, decrypts the payload and annotations.
 */
export function decodeEnvelope(input: Uint8Array | string | DareEnvelope, options: DecodeOptions = {}): DecodedEnvelope {
  const c = options.provider ?? routedCrypto;
  const env = toEnvelope(input, options);
  const r = check(env, options, true);
  const h = env.header;
  const verifiedBy = r.signatures.filter((s) => s.status === 'valid').map((s) => s.key!);
  let payload = env.payload;
  let annotations = h.annotations ?? [];
  let recipient: DareRecipient | undefined;
  let signatures = r.signatures;
  if (r.enc !== undefined) {
    if (h.salt === undefined) throw new DareError('DARE_BAD_FORMAT', 'header: encrypted envelope without Salt');
    const salt = h.salt;
    const opened = baseSeedFor(env, options, c);
    const baseSeed = opened.baseSeed;
    recipient = opened.recipient;
    const sigs = allSignatures(env);
    // The witness binds the Salt to the signature (dare.md §5): check it before decrypting.
    signatures = r.signatures.map((s, i) => {
      const w = sigs[i]!.witness;
      if (w === undefined) return { ...s, witness: 'absent' as const };
      if (!constantTimeEqual(witness(baseSeed, salt, sigs[i]!.signature, c), w)) {
        throw new DareError('DARE_BAD_WITNESS', `signature ${i} (kid ${s.kid}): witness does not match`);
      }
      return { ...s, witness: 'valid' as const };
    });
    const keys = deriveItemKeys(baseSeed, salt, c);
    try {
      payload = c.aes256CbcDecrypt(keys.key, keys.iv, env.payload);
    } catch (e) {
      if (e instanceof CryptoError) throw new DareError('DARE_DECRYPT_FAILED', `payload does not decrypt (${e.code})`, { cause: e });
      throw e;
    } finally {
      keys.key.fill(0);
      keys.iv.fill(0);
      keys.mac.fill(0);
    }
    const ctx = { enc: r.enc, baseSeed, salt };
    try {
      annotations = annotations.map((a, i) => decodeEds(a, ctx, c, `annotations[${i}]`).body);
    } finally {
      if (opened.recipient !== undefined) baseSeed.fill(0); // ours, not the caller's
    }
  } else {
    annotations = annotations.map((a, i) => decodeEds(a, undefined, c, `annotations[${i}]`).body);
  }
  const contentMeta = h.contentMetaData === undefined ? undefined : decodeContentMeta(h.contentMetaData);
  return { ...r, signatures, payload, annotations, contentMeta, recipient, verifiedBy };
}
