import { bytesEqual } from '../encoding/bytes.js';
import { digestAlgorithm, encryptionAlgorithm, type DareDigestAlgorithm, type DareEncryptionAlgorithm } from './algorithms.js';
import { DareError, writing } from './errors.js';
import { parseEnvelope, type DareEnvelope, type ParseEnvelopeOptions } from './envelope.js';
import type { DareHeader } from './header.js';
import { headerDigest } from './header-digest.js';
import type { DarePublicKey } from './keys.js';
import { manifestBytes } from './manifest.js';
import { routedCrypto, type DareCrypto } from './provider.js';
import { payloadDigest, verifyDigestSignature, type DareSignature } from './signature.js';

/**
 * Envelope verification (dare.md §5, §7 "Decode"): digests, signatures, and the verdict they add
 * up to. A verdict means what a reader takes it to mean: `authentic` only when signer keys the
 * caller trusts were checked and every one verified — bound to the key exchange when the
 * envelope is encrypted (manifest.ts). Unsigned envelopes, envelopes signed by someone else and
 * envelopes whose signatures are bound to nothing never come back `authentic`; with expected
 * signers they are typed errors.
 */

/** Looks a key up by `kid`. */
export type KeyResolver<K> = (kid: string) => K | undefined;

/** Options shared by {@link verifyEnvelope} and `decodeEnvelope`. */
export interface VerifyEnvelopeOptions extends ParseEnvelopeOptions {
  /**
   * Expected signers: each must have a valid signature, bound to the key exchange when the
   * envelope is encrypted, else a typed error — `DARE_NOT_SIGNED` (no signature at all),
   * `DARE_UNKNOWN_SIGNER` (signed, but not by this key), `DARE_BAD_SIGNATURE` (this key's
   * signature does not verify), `DARE_UNAUTHENTICATED` (verifies, but bound to nothing: reference
   * form, see `allowUnauthenticated`).
   */
  signers?: readonly DarePublicKey[];
  /**
   * Other trusted signer keys, looked up by the `kid` of each signature (a trust store). A
   * signature it resolves is checked (a bad one is an error in decode) and, valid, counts as
   * trusted; nothing is required of it unless `requireSignature`.
   */
  signerResolver?: KeyResolver<DarePublicKey>;
  /** Fail unless at least one trusted signature verifies (implied by a non-empty `signers`). */
  requireSignature?: boolean;
  /**
   * Accept what the reference writes, which has no keyed integrity: an encrypted envelope
   * without `PayloadMac` (decrypted with nothing but CBC padding to check it), and signatures
   * of an encrypted envelope with no `ManifestSignature` (REF's witness can be recomputed by an
   * outsider who re-wraps the ciphertext under a base seed of their own). Results read this way
   * say so: `verdict: 'unbound-signatures'`, `integrity` not `mac`.
   */
  allowUnauthenticated?: boolean;
  /** Crypto backend (default: the routed `mathmesh/crypto` functions). */
  provider?: DareCrypto;
}

/**
 * What the signatures establish:
 * - `authentic`: at least one trusted signer (`signers`, or one `signerResolver` knows) and every
 *   expected one has a valid signature; encrypted envelopes: each also signed the manifest,
 *   which binds the PayloadMac (checked by decode) and so the key exchange.
 * - `unbound-signatures`: as above, but some signatures of an encrypted envelope are bound to no
 *   key exchange (reference form, accepted under `allowUnauthenticated`): those signers wrote
 *   the ciphertext, not necessarily the plaintext this key exchange yields.
 * - `no-signer-checked`: no trusted signer key verified anything. Nothing says who wrote it.
 */
export type EnvelopeVerdict = 'authentic' | 'unbound-signatures' | 'no-signer-checked';

/**
 * The strongest check the payload bytes passed: `signature` (a trusted signer's), `mac` (the
 * PayloadMac under the base seed: only the holders of the seed could have written it), `digest`
 * (PayloadDigest matches: corruption detected, but an attacker recomputes it), `none`.
 */
export type PayloadIntegrity = 'signature' | 'mac' | 'digest' | 'none';

/** Outcome of one signature entry. */
export interface SignatureStatus {
  /** As written in the envelope: untrusted text (escape it before printing). */
  readonly kid: string | undefined;
  /**
   * `valid`: the payload signature, and the ManifestSignature when present, verify under the key
   * its `kid` names; `invalid`; `unknown-key` when no trusted key has that kid (not checked).
   */
  readonly status: 'valid' | 'invalid' | 'unknown-key';
  /** The key it was checked against. */
  readonly key?: DarePublicKey;
  /** The ManifestSignature (header and key exchange binding): `absent` in the reference form. */
  readonly manifest: 'valid' | 'invalid' | 'absent' | 'unchecked';
  /** Encrypted envelopes: `valid` (checked against the base seed), `absent`, or `unchecked` (verify without decrypting). */
  readonly witness?: 'valid' | 'absent' | 'unchecked';
}

/** What {@link verifyEnvelope} reports (no decryption); `decodeEnvelope` returns the same and more. */
export interface VerifyResult {
  readonly envelope: DareEnvelope;
  /** See {@link EnvelopeVerdict}. */
  readonly verdict: EnvelopeVerdict;
  /** `verdict === 'authentic'`. */
  readonly authentic: boolean;
  /** Trusted keys whose signatures verified (empty unless a signer was checked). */
  readonly signedBy: readonly DarePublicKey[];
  /** True when every key in `signedBy` also signed the header (ManifestSignature); false when `signedBy` is empty. */
  readonly headerSigned: boolean;
  /** See {@link PayloadIntegrity}. */
  readonly integrity: PayloadIntegrity;
  readonly encrypted: boolean;
  readonly enc: DareEncryptionAlgorithm | undefined;
  readonly dig: DareDigestAlgorithm | undefined;
  /** Recipient key ids as written (untrusted text). */
  readonly recipients: readonly string[];
  /** H(payload bytes), when the envelope is digested, signed or MACed. */
  readonly digest: Uint8Array | undefined;
  /** `valid` / `invalid` against PayloadDigest, `absent` when there is none. */
  readonly digestStatus: 'valid' | 'invalid' | 'absent';
  /** PayloadMac: `valid` (checked by decode), `unchecked` (verify: needs the base seed), `absent`. */
  readonly mac: 'valid' | 'unchecked' | 'absent';
  readonly signatures: readonly SignatureStatus[];
}

const SIGNATURE_ALGS = new Set(['S512', 'S256', 'Ed448', 'Ed25519']);

/** Trailer signatures first, then the header's (the reference's "signers", same JSON name). */
export function allSignatures(env: { readonly header: DareHeader; readonly trailer?: DareHeader | undefined }): DareSignature[] {
  return [...(env.trailer?.signatures ?? []), ...(env.header.signatures ?? [])];
}

export function toEnvelope(input: Uint8Array | string | DareEnvelope, options: ParseEnvelopeOptions): DareEnvelope {
  return typeof input === 'string' || input instanceof Uint8Array ? parseEnvelope(input, options) : input;
}

/** A {@link VerifyResult} without the envelope: what a streamed envelope's checks report (its payload is not held). */
export type EnvelopeVerifyReport = Omit<VerifyResult, 'envelope'>;

/** The checks shared by verify and decode, with what decode needs to go on. */
export interface EnvelopeChecks<R extends EnvelopeVerifyReport = VerifyResult> {
  readonly result: R;
  /** The digest id the MAC and manifest use: header `dig`, else S512. */
  readonly digestId: DareDigestAlgorithm;
  /** H_digestId(payload): computed once per algorithm, whatever the number of signatures. */
  readonly payloadDigestOf: (alg: DareDigestAlgorithm) => Uint8Array;
  /** headerDigest(header, digestId), computed once. */
  readonly headerDigestValue: () => Uint8Array;
  /** PayloadMac as stated (trailer, else header). */
  readonly statedMac: Uint8Array | undefined;
}

const unbound = (s: SignatureStatus, encrypted: boolean, mac: Uint8Array | undefined): boolean =>
  encrypted && !(s.manifest === 'valid' && mac !== undefined);

/**
 * Digests and signatures. `strict`: throw on the first failure (decode, and verify with expected
 * signers); otherwise report. Each payload digest is computed once per algorithm.
 */
export function checkEnvelope(env: DareEnvelope, options: VerifyEnvelopeOptions, strict: boolean): EnvelopeChecks {
  const c = options.provider ?? routedCrypto;
  const checks = checkEnvelopeParts(env.header, env.trailer, (alg) => payloadDigest(env.payload, alg, c), options, strict);
  return { ...checks, result: { envelope: env, ...checks.result } };
}

/**
 * The header members a decoder needs before the payload, checked: `enc`, `dig`, and no key
 * exchange or Salt without a cipher. Shared with the streaming decoder, which reads the header
 * before the payload exists.
 */
export function checkHeader(h: DareHeader): { enc: DareEncryptionAlgorithm | undefined; dig: DareDigestAlgorithm | undefined } {
  const enc = h.enc === undefined ? undefined : encryptionAlgorithm(h.enc, 'header.enc');
  // Without `enc` the payload would be returned as is: a key exchange or Salt without a cipher
  // means the header was damaged, never that the ciphertext is the plaintext.
  if (enc === undefined && (h.recipients !== undefined || h.salt !== undefined)) {
    throw new DareError('DARE_BAD_FORMAT', 'header: recipients or Salt without enc');
  }
  const dig = h.dig === undefined ? undefined : digestAlgorithm(h.dig, 'header.dig');
  return { enc, dig };
}

/**
 * {@link checkEnvelope} over the parts a streamed envelope has once its payload went by: the
 * header, the trailer and the digests of the payload bytes (`digestOf(alg)`, asked at most once
 * per algorithm). The verdict rules are the same whatever the source of the digests.
 */
export function checkEnvelopeParts(
  h: DareHeader, trailer: DareHeader | undefined, digestOf: (alg: DareDigestAlgorithm) => Uint8Array, options: VerifyEnvelopeOptions,
  strict: boolean,
): EnvelopeChecks<EnvelopeVerifyReport> {
  const c = options.provider ?? routedCrypto;
  const { enc, dig } = checkHeader(h);
  const encrypted = enc !== undefined;
  const digestId = dig ?? 'S512';
  const signatures = allSignatures({ header: h, trailer });
  for (const [i, s] of signatures.entries()) {
    if (s.alg !== undefined && !SIGNATURE_ALGS.has(s.alg)) digestAlgorithm(s.alg, `signature ${i + 1} alg`);
    if (s.dig !== undefined) digestAlgorithm(s.dig, `signature ${i + 1} dig`);
  }
  const statedDigest = trailer?.payloadDigest ?? h.payloadDigest;
  const statedMac = trailer?.payloadMac ?? h.payloadMac;

  // One pass over the payload per digest algorithm, however many signatures name it.
  const digests = new Map<DareDigestAlgorithm, Uint8Array>();
  const payloadDigestOf = (alg: DareDigestAlgorithm): Uint8Array => {
    let d = digests.get(alg);
    if (d === undefined) digests.set(alg, (d = digestOf(alg)));
    return d;
  };
  let hd: Uint8Array | undefined;
  const headerDigestValue = (): Uint8Array => (hd ??= writing('header', () => headerDigest(h, digestId, c), 'DARE_BAD_FORMAT'));

  const needDigest = dig !== undefined || statedDigest !== undefined || signatures.length > 0 || statedMac !== undefined;
  const digest = needDigest ? payloadDigestOf(digestId) : undefined;
  let digestStatus: VerifyResult['digestStatus'] = 'absent';
  if (statedDigest !== undefined && digest !== undefined) {
    digestStatus = bytesEqual(statedDigest, digest) ? 'valid' : 'invalid';
    if (digestStatus === 'invalid' && strict) throw new DareError('DARE_BAD_DIGEST', 'PayloadDigest does not match the payload');
  }

  const count = signatures.length;
  const statuses: SignatureStatus[] = signatures.map((s, i) => {
    const kid = s.kid;
    const key = kid === undefined ? undefined : options.signers?.find((k) => k.kid === kid) ?? options.signerResolver?.(kid);
    if (key === undefined) return { kid, status: 'unknown-key', manifest: s.manifestSignature === undefined ? 'absent' : 'unchecked' };
    const signed = payloadDigestOf(s.dig === undefined ? digestId : digestAlgorithm(s.dig, 'dig'));
    const payloadOk = verifyDigestSignature(key, signed, s.signature, c);
    let manifest: SignatureStatus['manifest'] = 'absent';
    if (s.manifestSignature !== undefined) {
      const m = manifestBytes({ dig: digestId, payloadDigest: payloadDigestOf(digestId), headerDigest: headerDigestValue(), payloadMac: statedMac });
      manifest = verifyDigestSignature(key, m, s.manifestSignature, c) ? 'valid' : 'invalid';
    }
    const ok = payloadOk && manifest !== 'invalid';
    if (!ok && strict) {
      throw new DareError('DARE_BAD_SIGNATURE',
        `signature ${i + 1} of ${count} (kid ${JSON.stringify(kid)}): ${payloadOk ? 'ManifestSignature' : 'signature'} does not verify`);
    }
    return { kid, status: ok ? 'valid' : 'invalid', key, manifest };
  });

  const valid = statuses.filter((s) => s.status === 'valid');
  const allow = options.allowUnauthenticated === true;
  const trusted = valid.filter((s) => allow || !unbound(s, encrypted, statedMac));
  const expected = options.signers ?? [];
  if (strict) {
    const refuse = (what: string, key?: DarePublicKey): never => {
      if (signatures.length === 0) throw new DareError('DARE_NOT_SIGNED', `${what}: the envelope carries no signature`);
      if (valid.some((s) => key === undefined || s.key!.kid === key.kid)) {
        throw new DareError('DARE_UNAUTHENTICATED',
          `${what}: the signature is bound to no key exchange (no ManifestSignature over a PayloadMac: reference form); pass allowUnauthenticated to accept it`);
      }
      throw new DareError('DARE_UNKNOWN_SIGNER', `${what}: signed by someone else (signature kids: ${statuses.map((s) => JSON.stringify(s.kid ?? null)).join(', ')})`);
    };
    for (const k of expected) if (!trusted.some((s) => s.key!.kid === k.kid)) refuse(`no valid signature by expected signer ${k.kid}`, k);
    if (options.requireSignature && trusted.length === 0) refuse('a signature by a trusted key is required');
  }

  const signedBy = dedupe(trusted.map((s) => s.key!));
  const expectedMet = expected.every((k) => signedBy.some((s) => s.kid === k.kid));
  const verdict: EnvelopeVerdict = signedBy.length === 0 || !expectedMet ? 'no-signer-checked'
    : trusted.some((s) => unbound(s, encrypted, statedMac)) ? 'unbound-signatures' : 'authentic';
  const headerSigned = signedBy.length > 0 && signedBy.every((k) => trusted.some((s) => s.key!.kid === k.kid && s.manifest === 'valid'));
  const integrity: PayloadIntegrity = verdict !== 'no-signer-checked' ? 'signature' : digestStatus === 'valid' ? 'digest' : 'none';
  const withWitness = encrypted
    ? statuses.map((s, i) => ({ ...s, witness: signatures[i]!.witness === undefined ? 'absent' as const : 'unchecked' as const }))
    : statuses;
  return {
    result: {
      verdict, authentic: verdict === 'authentic', signedBy, headerSigned, integrity,
      encrypted, enc, dig, recipients: (h.recipients ?? []).map((r) => r.kid), digest, digestStatus,
      mac: statedMac === undefined ? 'absent' : 'unchecked', signatures: withWitness,
    },
    digestId, payloadDigestOf, headerDigestValue, statedMac,
  };
}

function dedupe(keys: DarePublicKey[]): DarePublicKey[] {
  const seen = new Set<string>();
  return keys.filter((k) => !seen.has(k.kid) && (seen.add(k.kid), true));
}

/**
 * Checks an envelope without decrypting it: algorithms, payload digest, signatures of the trusted
 * keys given. With expected signers (`signers`, or `requireSignature`) every failure is a typed
 * error, as in `decodeEnvelope`; without, failures are reported (`digestStatus`, `status`) and
 * the verdict is `no-signer-checked`. Witnesses and the PayloadMac need the base seed: they are
 * `unchecked` here. Malformed input always throws (`DARE_BAD_FORMAT`, `DARE_TRUNCATED`,
 * `DARE_UNKNOWN_ALGORITHM` …).
 */
export function verifyEnvelope(input: Uint8Array | string | DareEnvelope, options: VerifyEnvelopeOptions = {}): VerifyResult {
  const strict = (options.signers?.length ?? 0) > 0 || options.requireSignature === true;
  return checkEnvelope(toEnvelope(input, options), options, strict).result;
}
