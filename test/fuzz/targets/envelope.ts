import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { init } from '../../../sdk/crypto/index.js';
import {
  darePrivateKey, decodeEnvelope, deriveItemKeys, encodeEnvelope, parseEnvelope, publicPart, serializeEnvelope, verifyEnvelope,
  type DareEnvelope, type DareEnvelopeFormat, type DarePrivateKey, type DarePublicKey, type DecodedEnvelope, type DecodeOptions,
  type EncodeOptions, type VerifyResult,
} from '../../../sdk/dare/index.js';
import { base64urlEncode, hexEncode, utf8Encode } from '../../../sdk/encoding/index.js';
import { vectorsDir } from '../../support/paths.js';
import { seeded } from '../../support/random.js';
import type { FuzzTarget, Seed } from '../engine.js';
import { JSONB_TOKEN_MUTATORS } from '../jsonb-tokens.js';
import type { Mutator } from '../mutation.js';
import { OracleFailure, attempt } from '../typed.js';
import { jsonEscapeMutator, valueMutator, wrapMutator } from '../value-mutation.js';

/**
 * DARE envelopes (dare.md §2–§7) in every wire form — JSON, tagged JSON, JSON-B — and every kind
 * we write: plain, digested, signed (Ed448, Ed25519, two signers), encrypted (one and two
 * recipients, our PayloadMac form), signed and encrypted, the reference's unauthenticated form,
 * plus the published reference envelopes. Each mutated input goes through `parseEnvelope`,
 * `decodeEnvelope` and `verifyEnvelope` under the trust of the entry it came from, under a
 * foreign signer, and with no key at all.
 *
 * The oracle knows what is covered from how the corpus was written (the README's "what a verdict
 * means"), not from the decoder's verdict:
 * - expected signers given ⇒ a success is `authentic` (or `unbound-signatures` when the caller
 *   allowed the reference form) and signed by each; the stored payload is covered (a signature is
 *   over H(payload as stored)), and the plaintext too unless the signature is unbound;
 * - an encrypted envelope decoded without `allowUnauthenticated` ⇒ its PayloadMac verified; the
 *   plaintext and the header-digest members (EnvelopeId, enc, dig, Salt, cloaked, annotations,
 *   ContentMetaData) are covered by the MAC;
 * - metadata reported under `signed` is covered (ManifestSignature);
 * - a foreign signer (a key that signed nothing in the corpus) is never satisfied;
 * - no signer given ⇒ nothing is reported as signed; a `valid` PayloadDigest means the stored
 *   payload is one that was written.
 * A success must match, on every covered value at once, one envelope the corpus wrote: anything
 * else is an accepted change of a covered byte. Error messages must not contain base seeds,
 * derived keys, private keys or the plaintext of encrypted envelopes.
 */

interface Written {
  readonly kind: string;
  /** Payload bytes as stored (ciphertext when encrypted). */
  readonly stored: Uint8Array;
  readonly plaintext: Uint8Array;
  /** Header-digest members with annotation bodies in plaintext (what decode shows). */
  readonly meta: string;
  /** The same with annotations as stored (what verify sees). */
  readonly metaStored: string;
}

export interface EnvelopeContext {
  readonly kind: string;
  readonly format: string;
  readonly options: DecodeOptions;
  readonly signers: readonly DarePublicKey[];
  readonly allowUnauthenticated: boolean;
}

const seq = seeded(0xe17e);
const alice = darePrivateKey('Ed448', seq(56)); // a Mesh 56-byte seed
const carol = darePrivateKey('Ed448', seq(57)); // an RFC 8032 secret
const dave = darePrivateKey('Ed25519', seq(32));
export const mallory = publicPart(darePrivateKey('Ed448', seq(56))); // signs nothing in the corpus
const bob = darePrivateKey('X448', seq(56));
const erin = darePrivateKey('X448', seq(56));

const written: Written[] = [];
/** Payloads as stored of every corpus envelope, ours and the reference's (what a valid unkeyed PayloadDigest may cover). */
const storedPayloads: Uint8Array[] = [];
export const secretNeedles: string[] = [];

function addSecret(b: Uint8Array): void {
  secretNeedles.push(base64urlEncode(b).slice(0, 16), hexEncode(b).slice(0, 16));
}
for (const k of [alice, carol, dave, bob, erin]) addSecret(k.privateKey);

const hexOr = (b: Uint8Array | undefined): string => (b === undefined ? '-' : hexEncode(b));

export function metaKey(h: DareEnvelope['header'], annotations: readonly Uint8Array[] | undefined): string {
  return [hexOr(h.contentMetaData), JSON.stringify(h.envelopeId ?? null), (annotations ?? []).map(hexEncode).join('.'), h.enc ?? '-', h.dig ?? '-', hexOr(h.salt), hexOr(h.cloaked)].join('|');
}

export interface Kind {
  readonly kind: string;
  readonly payload: Uint8Array;
  readonly encode: EncodeOptions;
  readonly trust: { signers: DarePrivateKey[]; keys?: DarePrivateKey[]; allowUnauthenticated?: boolean };
  readonly annotations?: string[];
}

const text = (s: string): Uint8Array => utf8Encode(s);
export const KINDS: readonly Kind[] = [
  { kind: 'plain', payload: text('Hello, plain envelope'), encode: {}, trust: { signers: [] } },
  { kind: 'digest', payload: text('Digested, not signed'), encode: { digest: 'S512', contentType: 'text/plain' }, trust: { signers: [] } },
  {
    kind: 'signed', payload: text('Signed by Alice, header too'), annotations: ['first note', 'second'],
    encode: { signers: [alice], contentMeta: { cty: 'text/plain', filename: 'notes.txt' }, envelopeId: 'env-\ufffd-1' }, trust: { signers: [alice] },
  },
  { kind: 'signed-two', payload: seq(700), encode: { signers: [alice, dave], digest: 'S512', contentType: 'application/octet-stream' }, trust: { signers: [alice, dave] } },
  { kind: 'signed-s256', payload: text('SHA-256 digest, Ed448 signature'), encode: { signers: [carol], digest: 'S256' }, trust: { signers: [carol] } },
  {
    kind: 'encrypted', payload: text('Secret plaintext for Bob only, longer than one block'), annotations: ['encrypted note'],
    encode: { recipients: [bob], contentType: 'text/plain' }, trust: { signers: [], keys: [bob] },
  },
  {
    kind: 'encrypted-signed', payload: text('Secret and signed: Alice to Bob and Erin'),
    encode: { recipients: [bob, erin], signers: [alice], contentMeta: { filename: 'report.pdf' }, envelopeId: 'env-2' },
    trust: { signers: [alice], keys: [bob] },
  },
  { kind: 'encrypted-empty', payload: new Uint8Array(0), encode: { recipients: [bob] }, trust: { signers: [], keys: [bob] } },
  {
    kind: 'reference-encrypted-signed', payload: text('Carol to Bob in the reference form: secret'),
    encode: { recipients: [bob], signers: [carol], referenceForm: true }, trust: { signers: [carol], keys: [bob], allowUnauthenticated: true },
  },
  { kind: 'reference-signed', payload: text('Reference form, Ed25519ctx'), encode: { signers: [dave], referenceForm: true }, trust: { signers: [dave] } },
];

const FORMATS: DareEnvelopeFormat[] = ['json', 'tagged', 'jsonb'];

/** Randomness for corpus entry `n` that keeps a copy of every draw (the encoder wipes ephemeral keys after use). */
export function drawingRandom(n: number): { random: (len: number) => Uint8Array; drawn: Uint8Array[] } {
  const draws = seeded(0xd00 + n);
  const drawn: Uint8Array[] = [];
  return { random: (len) => {
    const b = draws(len);
    drawn.push(b.slice());
    return b;
  }, drawn };
}

/**
 * Records an envelope the corpus wrote (what the oracle matches successes against) and its secrets
 * (base seeds and ephemeral keys drawn, item keys, the plaintext of encrypted envelopes); returns
 * the decode context of kind `k`.
 */
export function registerWritten(k: Kind, env: DareEnvelope, drawn: readonly Uint8Array[], format: string): EnvelopeContext {
  // Base seeds (32) and ephemeral keys (56) are secret; so are the item keys and the plaintext of encrypted envelopes.
  for (const b of drawn) if (b.length >= 32) addSecret(b);
  if (env.header.salt && drawn[0]) {
    const keys = deriveItemKeys(drawn[0], env.header.salt);
    addSecret(keys.key);
    addSecret(keys.iv);
    addSecret(keys.mac);
    addSecret(k.payload);
    if (k.payload.length >= 12) secretNeedles.push(new TextDecoder().decode(k.payload).slice(0, 16));
  }
  const annotations = (k.annotations ?? []).map(text);
  storedPayloads.push(env.payload);
  written.push({ kind: k.kind, stored: env.payload, plaintext: k.payload, meta: metaKey(env.header, annotations), metaStored: metaKey(env.header, env.header.annotations) });
  const signers = k.trust.signers.map(publicPart);
  const options: DecodeOptions = { signers, keys: k.trust.keys ?? [], allowUnauthenticated: k.trust.allowUnauthenticated === true };
  return { kind: k.kind, format, options, signers, allowUnauthenticated: k.trust.allowUnauthenticated === true };
}

/** The corpus: every kind in every wire form, then the reference's published envelopes. */
export function envelopeCorpus(): Seed<EnvelopeContext>[] {
  written.length = 0;
  storedPayloads.length = 0;
  const out: Seed<EnvelopeContext>[] = [];
  KINDS.forEach((k, n) => {
    const { random, drawn } = drawingRandom(n);
    const env = encodeEnvelope(k.payload, { ...k.encode, annotations: k.annotations, random });
    const context = registerWritten(k, env, drawn, 'jsonb');
    for (const format of FORMATS) out.push({ id: `${k.kind}/${format}`, bytes: serializeEnvelope(env, format), context: { ...context, format } });
  });
  // The reference's published envelopes: robustness only (no trust context, nothing covered).
  const dare = JSON.parse(readFileSync(resolve(vectorsDir, 'dare.json'), 'utf8')) as { vectors: Record<string, unknown>[] };
  for (const v of dare.vectors) {
    if (typeof v['envelope_json'] !== 'string') continue;
    storedPayloads.push(parseEnvelope(v['envelope_json']).payload);
    out.push({
      id: `reference:${String(v['id'])}`, bytes: utf8Encode(v['envelope_json']),
      context: { kind: 'reference', format: 'json', options: { allowUnauthenticated: true }, signers: [], allowUnauthenticated: true },
    });
  }
  return out;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The written envelope whose covered values all equal `got`'s, if any. */
export function matchWritten(got: { stored?: Uint8Array; plaintext?: Uint8Array; meta?: string; metaStored?: string }): boolean {
  return written.some((w) => (got.stored === undefined || same(got.stored, w.stored))
    && (got.plaintext === undefined || same(got.plaintext, w.plaintext))
    && (got.meta === undefined || got.meta === w.meta)
    && (got.metaStored === undefined || got.metaStored === w.metaStored));
}

export function judgeDecoded(r: DecodedEnvelope, ctx: EnvelopeContext): void {
  const signed = ctx.signers.length > 0;
  if (signed) {
    const ok = r.verdict === 'authentic' || (ctx.allowUnauthenticated && r.verdict === 'unbound-signatures');
    if (!ok) throw new OracleFailure('contract', `decodeEnvelope with expected signers returned verdict ${r.verdict}`);
    for (const k of ctx.signers) {
      if (!r.signedBy.some((s) => s.kid === k.kid)) throw new OracleFailure('contract', `decodeEnvelope returned without a signature by expected signer ${k.kid}`);
    }
  }
  const macCovered = r.encrypted && !ctx.allowUnauthenticated;
  if (macCovered && r.mac !== 'valid') throw new OracleFailure('contract', 'decodeEnvelope decrypted an envelope without keyed integrity (no allowUnauthenticated)');
  if (r.signed.metadata !== undefined && r.signedBy.length === 0) throw new OracleFailure('contract', 'metadata reported as signed with no signer');
  // A signature covers the payload as stored; the plaintext only through a key exchange bound to
  // it (PayloadMac, ManifestSignature). An envelope that no longer says it is encrypted has no
  // plaintext apart from its stored payload (see the note on stripped `enc` in the report).
  const unbound = ctx.allowUnauthenticated && r.encrypted;
  const covered = {
    stored: signed ? r.envelope.payload : undefined,
    plaintext: (signed && r.encrypted && !unbound) || macCovered ? r.payload : undefined,
    meta: r.signed.metadata !== undefined || macCovered
      ? metaKey(r.envelope.header, (r.signed.metadata ?? r.unsigned.metadata)?.annotations) : undefined,
  };
  if (covered.stored === undefined && covered.plaintext === undefined && covered.meta === undefined) return;
  if (!matchWritten(covered)) {
    throw new OracleFailure('accepted-change', `decodeEnvelope accepted a change of a covered value (${describeDiff(covered, ctx.kind)}; verdict ${r.verdict}, integrity ${r.integrity})`);
  }
}

export function judgeVerified(r: VerifyResult, ctx: EnvelopeContext): void {
  const ok = r.verdict === 'authentic' || (ctx.allowUnauthenticated && r.verdict === 'unbound-signatures');
  if (!ok) throw new OracleFailure('contract', `verifyEnvelope with expected signers returned verdict ${r.verdict}`);
  const covered = { stored: r.envelope.payload, metaStored: r.headerSigned ? metaKey(r.envelope.header, r.envelope.header.annotations) : undefined };
  if (!matchWritten(covered)) throw new OracleFailure('accepted-change', `verifyEnvelope accepted a change of a covered value (${describeDiff(covered, ctx.kind)})`);
}

export function judgeUnkeyed(r: DecodedEnvelope): void {
  if (r.verdict !== 'no-signer-checked' || r.signedBy.length > 0 || r.signed.metadata !== undefined) {
    throw new OracleFailure('contract', `decodeEnvelope with no signer claims ${r.verdict} / signed metadata`);
  }
  if (r.digestStatus === 'valid' && !storedPayloads.some((p) => same(p, r.envelope.payload))) {
    throw new OracleFailure('accepted-change', 'decodeEnvelope: a valid PayloadDigest over a payload no writer wrote');
  }
}

export function describeDiff(got: { stored?: Uint8Array; plaintext?: Uint8Array; meta?: string; metaStored?: string }, kind: string): string {
  const w = written.find((x) => x.kind === kind);
  if (!w) return 'matches no written envelope';
  const diffs: string[] = [];
  if (got.stored && !same(got.stored, w.stored)) diffs.push('stored payload');
  if (got.plaintext && !same(got.plaintext, w.plaintext)) diffs.push('plaintext');
  if (got.meta !== undefined && got.meta !== w.meta) diffs.push(`metadata ${got.meta} ≠ ${w.meta}`);
  if (got.metaStored !== undefined && got.metaStored !== w.metaStored) diffs.push('metadata as stored');
  return `differs from the ${kind} original in: ${diffs.join(', ') || 'nothing (matches another entry partly)'}`;
}

export const jsonMutators: readonly (readonly [Mutator, number])[] = [[valueMutator('json'), 10], [jsonEscapeMutator, 2], [wrapMutator('json'), 1]];
export const jsonbMutators: readonly (readonly [Mutator, number])[] = [...JSONB_TOKEN_MUTATORS, [valueMutator('jsonb'), 10], [wrapMutator('jsonb'), 1]];

export const envelopeTarget: FuzzTarget<EnvelopeContext> = {
  name: 'envelope',
  summary: 'DARE envelopes, JSON / tagged / JSON-B, every kind (parseEnvelope, decodeEnvelope, verifyEnvelope)',
  async corpus() {
    await init();
    return envelopeCorpus();
  },
  mutators: (seed) => (seed.context.format === 'jsonb' ? jsonbMutators : jsonMutators),
  check(input, seed) {
    const ctx = seed.context;
    const parsed = attempt('parseEnvelope', () => parseEnvelope(input), secretNeedles);
    if (!parsed.ok) return parsed.label;
    const d = attempt('decodeEnvelope', () => decodeEnvelope(input, ctx.options), secretNeedles);
    if (d.ok) judgeDecoded(d.value, ctx);
    if (ctx.signers.length > 0) {
      const v = attempt('verifyEnvelope', () => verifyEnvelope(input, { signers: ctx.signers, allowUnauthenticated: ctx.allowUnauthenticated }), secretNeedles);
      if (v.ok) judgeVerified(v.value, ctx);
    } else {
      attempt('verifyEnvelope (report)', () => verifyEnvelope(input), secretNeedles);
    }
    const foreign = attempt('decodeEnvelope (foreign signer)', () => decodeEnvelope(input, { ...ctx.options, signers: [mallory] }), secretNeedles);
    if (foreign.ok) throw new OracleFailure('contract', 'decodeEnvelope accepted a signer who signed nothing');
    const foreignVerify = attempt('verifyEnvelope (foreign signer)', () => verifyEnvelope(input, { signers: [mallory], allowUnauthenticated: true }), secretNeedles);
    if (foreignVerify.ok) throw new OracleFailure('contract', 'verifyEnvelope accepted a signer who signed nothing');
    const bare = attempt('decodeEnvelope (no key, no signer)', () => decodeEnvelope(input), secretNeedles);
    if (bare.ok) judgeUnkeyed(bare.value);
    return d.ok ? `accepted (${d.value.verdict}, ${d.value.integrity})` : d.label;
  },
};
