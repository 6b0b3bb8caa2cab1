import type { ContentMeta } from '../dare/content-meta.js';
import { decodeEnvelope, type EnvelopeMetadata } from '../dare/envelope-decode.js';
import { encodeEnvelope, type EncodeOptions } from '../dare/envelope-encode.js';
import { verifyEnvelope, type EnvelopeVerdict, type PayloadIntegrity, type SignatureStatus } from '../dare/envelope-verify.js';
import { parseEnvelope, type DareEnvelope } from '../dare/envelope.js';
import { DareError } from '../dare/errors.js';
import type { DarePrivateKey, DarePublicKey } from '../dare/keys.js';
import type { DareCrypto } from '../dare/provider.js';
import type { DareRecipient, DareSymmetricKey } from '../dare/recipient.js';
import type { RandomSource } from '../udf/random.js';
import { MeshError, type MeshErrorCode } from './errors.js';
import { detectEncoding, readMeshObject, writeMeshObject, type MeshEncoding } from './schema/codec.js';
import { classInfo } from './schema/model.js';
import type { Enveloped, MeshObjectBase } from './schema/object.js';
import type { MeshClassName, MeshFamilyMap, MeshObject } from './schema/types.js';

/**
 * Mesh objects in DARE envelopes (mesh-model.md §3, §5.4) — the one module of `mathmesh/mesh`
 * that calls the envelope codec (`encodeEnvelope`, `decodeEnvelope`, `verifyEnvelope`), so that a
 * change of the envelope API is adapted here only.
 *
 * We write DARE's authenticated form by default (PayloadMac on encrypted envelopes, a
 * ManifestSignature binding header and key exchange to each signature: members a reference
 * reader ignores); `referenceForm` writes the reference's bytes exactly. Reading follows DARE's
 * verdicts: `signedBy` lists the trusted keys whose signatures verified, and the header data is
 * returned as `signedHeader` only when those keys signed it too — otherwise as `unsignedHeader`,
 * which callers compare with the signed payload where the envelope matrix ties them (profiles.ts).
 * What the reference writes (encrypted without PayloadMac, signatures bound to nothing) is read
 * only with `allowUnauthenticated`.
 */

/** Content type of every Mesh object's ContentMeta (mesh-model.md §5.4). */
export const MESH_OBJECT_CTY = 'application/mmm/object';

/** Options of {@link sealMeshObject}. */
export interface SealOptions {
  /** Sign with these keys (Ed448). */
  signers?: readonly DarePrivateKey[];
  /** Encrypt to these keys (X448). */
  recipients?: readonly DarePublicKey[];
  /** Header `EnvelopeId` (profiles: the profile UDF; messages: EnvelopeId(MessageId)). */
  envelopeId?: string;
  /** ContentMeta `UniqueId` (profiles: the profile UDF; messages: the MessageId). */
  uniqueId?: string;
  /** ContentMeta `Created` (default: now, whole seconds). */
  created?: Date;
  /** Further ContentMeta members (catalog `Event`, `First`, `Previous`…). */
  contentMeta?: Omit<ContentMeta, 'uniqueId' | 'messageType' | 'cty' | 'created'>;
  /**
   * Payload encoding; default: the class's (`jsonb` for ConnectionService / ConnectionDevice),
   * else the reference's pretty JSON layout, so that the same object signs to the same bytes as REF.
   */
  encoding?: MeshEncoding;
  /**
   * Write exactly the reference's envelope (no PayloadMac, no ManifestSignature, `A256CBC`): for
   * reproducing reference objects and reference-only peers. Readers need `allowUnauthenticated`
   * for what is encrypted this way.
   */
  referenceForm?: boolean;
  /** Random bytes (base seed, salt, ephemeral keys); default `crypto.getRandomValues`. */
  random?: RandomSource;
  /** Reproduction of reference bytes: a known base seed and salt. */
  keyExchange?: { baseSeed: Uint8Array; recipients?: readonly DareRecipient[] };
  salt?: Uint8Array;
  provider?: DareCrypto;
}

const DARE_TO_MESH: Partial<Record<string, MeshErrorCode>> = {
  DARE_NOT_SIGNED: 'MESH_NOT_SIGNED',
  DARE_UNKNOWN_SIGNER: 'MESH_NOT_SIGNED',
  DARE_UNAUTHENTICATED: 'MESH_UNAUTHENTICATED',
};

function wrapDare(e: unknown, what: string): never {
  if (e instanceof DareError) throw new MeshError(DARE_TO_MESH[e.code] ?? 'MESH_BAD_ENVELOPE', `${what}: ${e.code}: ${e.message}`, { cause: e });
  throw e;
}

/** Whole seconds: the wire's DateTime precision (mesh-model.md §0). */
function seconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * Seals a Mesh object: payload = the tagged object, ContentMeta `{UniqueId?, MessageType = class,
 * cty, Created}`, signed and/or encrypted as the caller says (the envelope matrix, mesh-model.md §5.4).
 */
export function sealMeshObject<T extends MeshObjectBase>(obj: T, options: SealOptions = {}): Enveloped<T> {
  const info = classInfo(obj.$class);
  if (info === undefined) throw new MeshError('MESH_UNKNOWN_CLASS', `unknown Mesh class ${String(obj.$class)}`, { className: String(obj.$class) });
  const encoding = options.encoding ?? (info.payload === 'jsonb' ? 'jsonb' : 'reference');
  const payload = writeMeshObject(obj, encoding);
  const contentMeta: ContentMeta = {
    ...(options.uniqueId === undefined ? {} : { uniqueId: options.uniqueId }),
    messageType: info.name,
    cty: MESH_OBJECT_CTY,
    created: seconds(options.created ?? new Date()),
    ...options.contentMeta,
  };
  try {
    return encodeEnvelope(payload, {
      ...envelopeOptions(options),
      contentMeta,
    }) as Enveloped<T>;
  } catch (e) {
    return wrapDare(e, `sealing ${info.name}`);
  }
}

/** The DARE envelope options a seal passes through unchanged (only those the caller set). */
function envelopeOptions(options: Omit<SealOptions, 'uniqueId' | 'encoding'>): EncodeOptions {
  return {
    ...(options.signers ? { signers: options.signers } : {}),
    ...(options.recipients ? { recipients: options.recipients } : {}),
    ...(options.keyExchange ? { keyExchange: options.keyExchange } : {}),
    ...(options.salt ? { salt: options.salt } : {}),
    ...(options.envelopeId === undefined ? {} : { envelopeId: options.envelopeId }),
    ...(options.random ? { random: options.random } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.referenceForm ? { referenceForm: true } : {}),
  };
}

/**
 * Seals payload bytes that are not a Mesh object (a publication's data is a tagged DARE envelope,
 * mesh-model.md §11), with the envelope options of {@link sealMeshObject}; ContentMeta is the
 * caller's (none by default).
 */
export function sealPayload(payload: Uint8Array, options: Omit<SealOptions, 'uniqueId' | 'encoding'> & { contentMeta?: ContentMeta } = {}): DareEnvelope {
  try {
    return encodeEnvelope(payload, {
      ...envelopeOptions(options),
      ...(options.contentMeta ? { contentMeta: options.contentMeta } : {}),
    });
  } catch (e) {
    return wrapDare(e, 'sealing a payload');
  }
}

/** Options of {@link openMeshEnvelope}. */
export interface OpenOptions {
  /** Decryption keys (recipient entries naming them by `kid` are tried first). */
  keys?: readonly DarePrivateKey[];
  /** Shared secrets for symmetric recipients (publications). */
  secrets?: readonly DareSymmetricKey[];
  /** Expected signers: each must have signed (`MESH_NOT_SIGNED` otherwise). */
  signers?: readonly DarePublicKey[];
  /** Other trusted keys: a signature by one of them is checked and, valid, counted in `signedBy`. */
  trusted?: readonly DarePublicKey[];
  /** Fail (`MESH_NOT_SIGNED`) unless a signature by a trusted key verifies. */
  requireSignature?: boolean;
  /**
   * Read what the reference writes: encrypted envelopes without PayloadMac and signatures bound
   * to no key exchange (escrowed keys, publications, catalog frames, REF's activations). Without
   * it they are refused before decryption (`MESH_UNAUTHENTICATED`).
   */
  allowUnauthenticated?: boolean;
  provider?: DareCrypto;
}

/** Header data of an envelope holding a Mesh object. */
export interface MeshHeaderData {
  readonly contentMeta: ContentMeta | undefined;
  readonly envelopeId: string | undefined;
}

/** What {@link openEnvelopePayload} returns: the plaintext and what vouches for it. */
export interface OpenedPayload {
  /** The plaintext payload bytes. */
  readonly payload: Uint8Array;
  /** Trusted keys whose signature over the payload verified. */
  readonly signedBy: readonly DarePublicKey[];
  /** DARE's verdict (`authentic`, `unbound-signatures`, `no-signer-checked`). */
  readonly verdict: EnvelopeVerdict;
  /** The strongest check the payload passed (`signature`, `mac`, `digest`, `none`). */
  readonly integrity: PayloadIntegrity;
  /** Every signature entry: kid and `valid` / `invalid` / `unknown-key`. */
  readonly signatures: readonly SignatureStatus[];
  readonly encrypted: boolean;
  /** Recipient key ids of an encrypted envelope (as written). */
  readonly recipients: readonly string[];
  /** Header data, when the keys of `signedBy` signed it too. */
  readonly signedHeader?: MeshHeaderData;
  /** Header data covered by no signature checked here: hints, to be compared with the payload. */
  readonly unsignedHeader?: MeshHeaderData;
}

/** What {@link openMeshEnvelope} returns. */
export interface OpenedMeshObject<T> extends OpenedPayload {
  /** The payload object (covered by the signatures of `signedBy`, when there are any). */
  readonly object: T;
  /** `json` (text) or `jsonb`, as the payload was written. */
  readonly payloadEncoding: 'json' | 'jsonb';
}

function toEnvelope(input: DareEnvelope | Uint8Array | string): DareEnvelope {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      return parseEnvelope(input);
    } catch (e) {
      return wrapDare(e, 'envelope');
    }
  }
  return input;
}

function resolver(keys: readonly DarePublicKey[] | undefined): ((kid: string) => DarePublicKey | undefined) | undefined {
  return keys === undefined || keys.length === 0 ? undefined : (kid) => keys.find((k) => k.kid === kid);
}

const header = (m: EnvelopeMetadata | undefined): MeshHeaderData | undefined =>
  m === undefined ? undefined : { contentMeta: m.contentMeta, envelopeId: m.envelopeId };

/**
 * Opens an envelope without reading its payload as a Mesh object (a publication's data is itself
 * an envelope): checks the signatures of the expected and trusted keys, decrypts with `keys` /
 * `secrets`.
 */
export function openEnvelopePayload(input: DareEnvelope | Uint8Array | string, options: OpenOptions = {}): OpenedPayload {
  const env = toEnvelope(input);
  const trusted = resolver(options.trusted);
  let decoded;
  try {
    decoded = decodeEnvelope(env, {
      ...(options.signers ? { signers: options.signers } : {}),
      ...(trusted ? { signerResolver: trusted } : {}),
      ...(options.requireSignature ? { requireSignature: true } : {}),
      ...(options.allowUnauthenticated ? { allowUnauthenticated: true } : {}),
      ...(options.keys ? { keys: options.keys } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.provider ? { provider: options.provider } : {}),
    });
  } catch (e) {
    return wrapDare(e, 'envelope');
  }
  const signedHeader = header(decoded.signed.metadata);
  const unsignedHeader = header(decoded.unsigned.metadata);
  return {
    payload: decoded.payload,
    signedBy: decoded.signedBy,
    verdict: decoded.verdict,
    integrity: decoded.integrity,
    signatures: decoded.signatures,
    encrypted: decoded.encrypted,
    recipients: decoded.recipients,
    ...(signedHeader ? { signedHeader } : {}),
    ...(unsignedHeader ? { unsignedHeader } : {}),
  };
}

/**
 * Opens an envelope holding a Mesh object: {@link openEnvelopePayload}, then reads the payload
 * (JSON or JSON-B) as a tagged object of class `expected` (or a subclass).
 */
export function openMeshEnvelope<C extends MeshClassName>(
  input: DareEnvelope | Uint8Array | string, expected: C, options?: OpenOptions,
): OpenedMeshObject<MeshFamilyMap[C]>;
export function openMeshEnvelope(input: DareEnvelope | Uint8Array | string, expected?: undefined, options?: OpenOptions): OpenedMeshObject<MeshObject>;
export function openMeshEnvelope(
  input: DareEnvelope | Uint8Array | string, expected?: MeshClassName, options: OpenOptions = {},
): OpenedMeshObject<MeshObject> {
  const opened = openEnvelopePayload(input, options);
  const object = expected === undefined ? readMeshObject(opened.payload) : readMeshObject(opened.payload, expected);
  return { ...opened, object, payloadEncoding: detectEncoding(opened.payload) };
}

/** The header data of an opened object, wherever it is (signed or not). */
export function headerOf(opened: OpenedMeshObject<unknown>): MeshHeaderData {
  return opened.signedHeader ?? opened.unsignedHeader ?? { contentMeta: undefined, envelopeId: undefined };
}

/** What {@link inspectMeshEnvelope} reports without decrypting. */
export interface EnvelopeInspection {
  readonly encrypted: boolean;
  readonly recipients: readonly string[];
  /** SHA-512 of the payload bytes as stored (ciphertext when encrypted), when digested or signed. */
  readonly payloadDigest: Uint8Array | undefined;
  /** `valid` / `invalid` against the stated PayloadDigest, `absent` when none is stated. */
  readonly digestStatus: 'valid' | 'invalid' | 'absent';
  /** Every signature: checked against `trusted` keys by kid, reported (never thrown). */
  readonly signatures: readonly SignatureStatus[];
  /** Trusted keys whose signature verified (on ciphertext too: signatures cover the stored bytes). */
  readonly signedBy: readonly DarePublicKey[];
  /** True when every key of `signedBy` also signed the header (ManifestSignature); false when `signedBy` is empty. */
  readonly headerSigned: boolean;
  readonly verdict: EnvelopeVerdict;
}

/**
 * Checks an envelope's digest and signatures without decrypting it (mesh-model.md §3: signatures
 * cover the payload bytes as stored) — e.g. an ActivationAccount held for another device. Reports
 * failures instead of throwing; signatures of an encrypted envelope bound to no key exchange
 * (the reference's form) count in `signedBy` only with `allowUnauthenticated`.
 */
export function inspectMeshEnvelope(
  input: DareEnvelope | Uint8Array | string, trusted: readonly DarePublicKey[] = [],
  options: { allowUnauthenticated?: boolean; provider?: DareCrypto } = {},
): EnvelopeInspection {
  const env = toEnvelope(input);
  const resolve = resolver(trusted);
  try {
    const r = verifyEnvelope(env, {
      ...(resolve ? { signerResolver: resolve } : {}),
      ...(options.allowUnauthenticated ? { allowUnauthenticated: true } : {}),
      ...(options.provider ? { provider: options.provider } : {}),
    });
    return {
      encrypted: r.encrypted, recipients: r.recipients, payloadDigest: r.digest, digestStatus: r.digestStatus, signatures: r.signatures,
      signedBy: r.signedBy, headerSigned: r.headerSigned, verdict: r.verdict,
    };
  } catch (e) {
    return wrapDare(e, 'envelope');
  }
}
