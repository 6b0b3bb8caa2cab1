import { CryptoError } from '../crypto/errors.js';
import { utf8Encode } from '../encoding/utf8.js';
import { defaultRandom, type RandomSource } from '../udf/random.js';
import {
  BASE_SEED_LENGTH, digestAlgorithm, encryptionAlgorithm, SALT_LENGTH, type DareDigestAlgorithm, type DareEncryptionAlgorithm,
} from './algorithms.js';
import { encodeContentMeta, type ContentMeta } from './content-meta.js';
import { encodeEds } from './eds.js';
import { DareError, writing } from './errors.js';
import type { DareEnvelope } from './envelope.js';
import { isEmptyHeader, type DareHeader } from './header.js';
import { headerDigest } from './header-digest.js';
import { manifestBytes } from './manifest.js';
import { computePayloadMac } from './payload-mac.js';
import { deriveItemKeys, edsPrefix, witness } from './kdf.js';
import type { DarePrivateKey, DarePublicKey } from './keys.js';
import { routedCrypto, type DareCrypto } from './provider.js';
import { wrapBaseSeed, type DareRecipient } from './recipient.js';
import { payloadDigest, signDigest, type DareSignature } from './signature.js';
import { symmetricKeyId } from './symmetric-key-id.js';

/**
 * Envelope encoding (dare.md §7 "Encode"). Randomness is drawn in a fixed order so that tests can
 * inject it: base seed (32), Salt (16), then one ephemeral private key per new recipient.
 *
 * Deliberate deviations from the reference, all of them members a reference reader ignores, so
 * it still decodes and verifies what we write (pass `referenceForm: true` to write the
 * reference's bytes exactly, e.g. to reproduce its examples):
 * - an encrypted envelope is authenticated: `enc: "A256CBC-HS512"` (dare.md §3: HMAC-SHA-512
 *   tags on each EDS, the reference's form) and a `PayloadMac` trailer member binding the
 *   payload digest and the header digest under the envelope's `mac` key (payload-mac.ts); it
 *   also gets `dig: "S512"` and a `PayloadDigest` by default;
 * - each signature entry gets a `ManifestSignature` (manifest.ts): the signer also signs the
 *   header digest and the PayloadMac, so content metadata, annotations and EnvelopeId are signed,
 *   and the signature is bound to the key exchange (the reference's witness alone is not).
 */

/** A key exchange: the base seed and the recipient entries that carry it (secret: the seed). */
export interface DareKeyExchange {
  readonly baseSeed: Uint8Array;
  readonly recipients: readonly DareRecipient[];
}

/**
 * A fresh key exchange to `recipients`: a random base seed wrapped for each (dare.md §4.1).
 * Sequences reuse one exchange for several frames (`Once` / `Session` policies, `ExchangePosition`).
 */
export function createKeyExchange(
  recipients: readonly DarePublicKey[], random: RandomSource = defaultRandom, c: DareCrypto = routedCrypto,
): DareKeyExchange {
  const baseSeed = draw(random, BASE_SEED_LENGTH, 'base seed');
  return { baseSeed, recipients: recipients.map((r) => wrapBaseSeed(r, baseSeed, (n) => draw(random, n, 'ephemeral key'), c)) };
}

/** Options of {@link encodeEnvelope}. */
export interface EncodeOptions {
  /** Encrypt to these keys (X448 for the Mesh; X25519, Ed25519, Ed448 for reference interop). */
  recipients?: readonly DarePublicKey[];
  /**
   * Use this base seed (and these already-made recipient entries, possibly none) instead of
   * drawing a new one: sequence frames that reuse an exchange, or byte-exact reproduction.
   * New `recipients` are wrapped with the same seed and appended.
   */
  keyExchange?: { baseSeed: Uint8Array; recipients?: readonly DareRecipient[] };
  /** Sign with these keys (Ed448; Ed25519 in the reference's ctx form). */
  signers?: readonly DarePrivateKey[];
  /** Annotations: each becomes an EDS, encrypted with the payload when it is (dare.md §4.3). At most 255. */
  annotations?: readonly (Uint8Array | string)[];
  /** Content metadata (object, or `ContentMetaData` bytes as-is). */
  contentMeta?: ContentMeta | Uint8Array;
  /** Shortcut for `contentMeta: { cty }`. */
  contentType?: string;
  /** Application id written as `EnvelopeId`. */
  envelopeId?: string;
  /** Payload cipher when encrypting (default `A256CBC-HS512`; `A256CBC` with `referenceForm`). */
  enc?: DareEncryptionAlgorithm;
  /**
   * Write exactly what the reference writes: no `PayloadMac`, no `ManifestSignature`, `A256CBC` by
   * default. Such an encrypted envelope has no keyed integrity, and its signatures are bound to
   * neither header nor key exchange: readers must opt in (`allowUnauthenticated`) to decrypt it.
   * For reproducing reference examples and talking to reference-only peers, not for new data.
   */
  referenceForm?: boolean;
  /** Digest id; default `S512` when signing or encrypting, none otherwise. `false` = no digest (not allowed with signers). */
  digest?: DareDigestAlgorithm | false;
  /** Master salt (default: 16 random bytes). */
  salt?: Uint8Array;
  /** Header `kid`: default the symmetric key id of the base seed (dare.md §6); a string to write instead; `null` to omit. */
  headerKid?: string | null;
  /** Extra header fields (e.g. `sequenceInfo`, `policy`, `received` for sequence frames), merged last. */
  header?: Partial<DareHeader>;
  /** Random bytes (default `crypto.getRandomValues`). */
  random?: RandomSource;
  /** Crypto backend (default: the routed `mathmesh/crypto` functions). */
  provider?: DareCrypto;
}

function draw(random: RandomSource, n: number, what: string): Uint8Array {
  const b = random(n);
  if (!(b instanceof Uint8Array) || b.length !== n) throw new DareError('DARE_BAD_ARGUMENT', `random(${n}) for the ${what} must return ${n} bytes`);
  return b;
}

/**
 * An envelope being encoded, up to its payload: the header (complete: a header digest covers
 * it before a byte of payload exists) and the secrets the payload and trailer need. Shared by
 * {@link encodeEnvelope} and the streaming encoder, so both write the same header, MAC and
 * signatures. Secret: call {@link wipePreparedEnvelope} when done (the trailer does it).
 */
export interface PreparedEnvelope {
  readonly header: DareHeader;
  /** Header `dig`, if any. */
  readonly dig: DareDigestAlgorithm | undefined;
  /** The digest id the MAC and manifests use: `dig`, else S512 (as the reader does). */
  readonly digestId: DareDigestAlgorithm;
  /** True when the payload bytes must be digested (`dig`, or a MAC to compute). */
  readonly needDigest: boolean;
  /** `header.enc` when encrypting. */
  readonly enc: DareEncryptionAlgorithm | undefined;
  /** Payload cipher key and IV (dare.md §4.2), when encrypting. Secret. */
  readonly cipher: { readonly key: Uint8Array; readonly iv: Uint8Array } | undefined;
  /** The key of the PayloadMac (payload-mac.ts), unless `referenceForm`. Secret. */
  readonly macKey: Uint8Array | undefined;
  readonly baseSeed: Uint8Array | undefined;
  readonly salt: Uint8Array | undefined;
  readonly signers: readonly DarePrivateKey[];
  readonly referenceForm: boolean;
}

/**
 * Checks the options, draws randomness in the fixed order (base seed, Salt, ephemeral keys) and
 * builds the header: {@link encodeEnvelope} up to the payload.
 */
export function prepareEnvelope(options: EncodeOptions = {}): PreparedEnvelope {
  const c = options.provider ?? routedCrypto;
  const random = options.random ?? defaultRandom;
  const signers = options.signers ?? [];
  const newRecipients = options.recipients ?? [];
  const encrypted = newRecipients.length > 0 || options.keyExchange !== undefined;
  if (options.digest === false && signers.length > 0) throw new DareError('DARE_BAD_ARGUMENT', 'signing needs a digest');
  const dig: DareDigestAlgorithm | undefined = options.digest === false ? undefined
    : options.digest !== undefined ? digestAlgorithm(options.digest, 'options.digest')
      : signers.length > 0 || encrypted ? 'S512' : undefined;
  const annotations = (options.annotations ?? []).map((a) => (typeof a === 'string' ? utf8Encode(a) : a));
  if (annotations.length > 255) throw new DareError('DARE_BAD_ARGUMENT', 'at most 255 annotations (dare.md §4.3)');

  const header: DareHeader = {};
  let baseSeed: Uint8Array | undefined;
  let salt: Uint8Array | undefined;
  let enc: DareEncryptionAlgorithm | undefined;
  if (encrypted) {
    enc = encryptionAlgorithm(options.enc ?? (options.referenceForm ? 'A256CBC' : 'A256CBC-HS512'), 'options.enc');
    baseSeed = options.keyExchange?.baseSeed ?? draw(random, BASE_SEED_LENGTH, 'base seed');
    if (!(baseSeed instanceof Uint8Array) || baseSeed.length !== BASE_SEED_LENGTH) {
      throw new DareError('DARE_BAD_ARGUMENT', `base seed must be ${BASE_SEED_LENGTH} bytes`);
    }
    salt = options.salt ?? draw(random, SALT_LENGTH, 'salt');
    const seed = baseSeed;
    const entries = [
      ...(options.keyExchange?.recipients ?? []),
      ...newRecipients.map((r) => wrapBaseSeed(r, seed, (n) => draw(random, n, 'ephemeral key'), c)),
    ];
    header.enc = enc;
    if (dig) header.dig = dig;
    const kid = options.headerKid === undefined ? symmetricKeyId(baseSeed, c) : options.headerKid;
    if (kid !== null) header.kid = kid;
    header.salt = salt;
    if (entries.length > 0) header.recipients = entries;
  } else if (dig) {
    header.dig = dig;
  }
  if (annotations.length > 0) {
    const ctx = baseSeed && salt && enc ? { enc, baseSeed, salt } : undefined;
    header.annotations = annotations.map((a, i) => encodeEds(edsPrefix(i), a, ctx, c));
  }
  const meta = options.contentMeta ?? (options.contentType === undefined ? undefined : { cty: options.contentType });
  if (meta !== undefined) header.contentMetaData = meta instanceof Uint8Array ? meta : encodeContentMeta(meta);
  if (options.envelopeId !== undefined) header.envelopeId = options.envelopeId;
  if (options.header) Object.assign(header, options.header);

  let cipher: PreparedEnvelope['cipher'];
  let macKey: Uint8Array | undefined;
  if (baseSeed && salt) {
    const keys = deriveItemKeys(baseSeed, salt, c);
    cipher = { key: keys.key, iv: keys.iv };
    if (options.referenceForm) keys.mac.fill(0);
    else macKey = keys.mac;
  }
  const referenceForm = options.referenceForm === true;
  return {
    header, dig, digestId: dig ?? 'S512', needDigest: dig !== undefined || macKey !== undefined, enc, cipher, macKey, baseSeed, salt,
    signers, referenceForm,
  };
}

/** Wipes the secrets of a prepared envelope (cipher key, IV, MAC key; not a caller's base seed). */
export function wipePreparedEnvelope(p: PreparedEnvelope): void {
  p.cipher?.key.fill(0);
  p.cipher?.iv.fill(0);
  p.macKey?.fill(0);
}

/**
 * The trailer of a prepared envelope whose payload bytes as stored digest to `digest`
 * (`undefined` when `needDigest` is false): PayloadDigest, PayloadMac, and a signature entry
 * per signer (signature, witness, ManifestSignature). Wipes the prepared secrets.
 */
export function envelopeTrailer(p: PreparedEnvelope, digest: Uint8Array | undefined, c: DareCrypto = routedCrypto): DareHeader {
  const { header, dig, digestId, baseSeed, salt, referenceForm } = p;
  if (p.needDigest && digest === undefined) throw new DareError('DARE_BAD_ARGUMENT', 'the payload digest is missing');
  let payloadMac: Uint8Array | undefined;
  let hd: Uint8Array | undefined;
  try {
    if (p.macKey !== undefined) {
      hd = writing('header', () => headerDigest(header, digestId, c));
      payloadMac = computePayloadMac(p.macKey, { dig: digestId, payloadDigest: digest!, headerDigest: hd }, c);
    }
  } finally {
    wipePreparedEnvelope(p);
  }
  if (!referenceForm && p.signers.length > 0) hd ??= writing('header', () => headerDigest(header, digestId, c));
  const manifest = hd === undefined ? undefined : manifestBytes({ dig: digestId, payloadDigest: digest!, headerDigest: hd, payloadMac });
  const signatures: DareSignature[] = p.signers.map((s) => {
    const signature = signDigest(s, digest!, c);
    const entry: { -readonly [K in keyof DareSignature]: DareSignature[K] } = { alg: dig, kid: s.kid, signature };
    if (baseSeed && salt) entry.witness = witness(baseSeed, salt, signature, c);
    if (manifest !== undefined && !referenceForm) entry.manifestSignature = signDigest(s, manifest, c);
    return entry;
  });
  const trailer: DareHeader = {};
  if (signatures.length > 0) trailer.signatures = signatures;
  if (dig) trailer.payloadDigest = digest!;
  if (payloadMac) trailer.payloadMac = payloadMac;
  return trailer;
}

/** Encodes `payload` (bytes or UTF-8 text) as envelope parts; serialize with `serializeEnvelope`. */
export function encodeEnvelope(payload: Uint8Array | string, options: EncodeOptions = {}): DareEnvelope {
  const c = options.provider ?? routedCrypto;
  const plaintext = typeof payload === 'string' ? utf8Encode(payload) : payload;
  if (!(plaintext instanceof Uint8Array)) throw new DareError('DARE_BAD_ARGUMENT', 'payload must be bytes or a string');
  const p = prepareEnvelope(options);
  let body = plaintext;
  if (p.cipher) {
    try {
      body = c.aes256CbcEncrypt(p.cipher.key, p.cipher.iv, plaintext);
    } catch (e) {
      wipePreparedEnvelope(p);
      if (e instanceof CryptoError) throw new DareError('DARE_BAD_ARGUMENT', `payload encryption: ${e.message}`, { cause: e });
      throw e;
    }
  }
  const digest = p.needDigest ? payloadDigest(body, p.digestId, c) : undefined;
  const trailer = envelopeTrailer(p, digest, c);
  return isEmptyHeader(trailer) ? { header: p.header, payload: body } : { header: p.header, payload: body, trailer };
}
