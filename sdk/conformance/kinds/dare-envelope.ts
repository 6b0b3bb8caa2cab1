import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { hexDecode, hexEncode } from '../../encoding/hex.js';
import { writeJson } from '../../encoding/json-writer.js';
import { decodeJsonB } from '../../encoding/jsonb-reader.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import {
  darePrivateKey, darePublicKey, decodeEds, decodeEnvelope, deriveItemKeys, edsSalt, encodeEds, encodeEnvelope, envelopeToString,
  headerToObject, isEmptyHeader, parseEnvelope, payloadDigest, serializeEnvelope, symmetricKeyId, unwrapBaseSeedDetail, verifyEnvelope,
  wrapBaseSeed, type DareEnvelope, type DareKeyAlgorithm, type DarePrivateKey, type DarePublicKey,
} from '../../dare/index.js';
import { Expected, arr, expectEqual, fail, hexField, obj, optStr, str } from '../check.js';
import { fromNotation, sameJson, show } from '../notation.js';
import type { EvalContext, Evaluator } from '../types.js';

/**
 * Envelope-level kinds of dare.json (dare.md §11), evaluated through `mathmesh/dare`: envelopes
 * (parse, decrypt, verify, and re-encode byte for byte with the vector's seed/salt/recipients),
 * recipient unwrap/wrap, EDS (plain and encrypted), per-item KDF, symmetric key ids and JSON-B
 * envelopes. The key-level kinds stay in kinds/dare.ts.
 */

const KEY_ALGS: readonly string[] = ['Ed25519', 'Ed448', 'X25519', 'X448'];

function keyEntry(ctx: EvalContext, name: string): Record<string, unknown> {
  const k = ctx.keys[name];
  if (typeof k !== 'object' || k === null) fail(`key '${name}' not in the keys table`);
  return k as Record<string, unknown>;
}

function privateKey(ctx: EvalContext, name: string): DarePrivateKey {
  const k = keyEntry(ctx, name);
  const crv = str(k, 'crv');
  if (!KEY_ALGS.includes(crv)) fail(`key '${name}': unknown curve ${crv}`);
  const key = darePrivateKey(crv as DareKeyAlgorithm, base64urlDecode(str(k, 'private_b64u')));
  if (typeof k['public_b64u'] === 'string') expectEqual(`key '${name}' public`, base64urlEncode(key.publicKey), k['public_b64u']);
  if (typeof k['kid'] === 'string') expectEqual(`key '${name}' kid`, key.kid, k['kid']);
  return key;
}

function publicKey(ctx: EvalContext, name: string): DarePublicKey {
  const k = keyEntry(ctx, name);
  const crv = str(k, 'crv');
  if (!KEY_ALGS.includes(crv)) fail(`key '${name}': unknown curve ${crv}`);
  const key = darePublicKey(crv as DareKeyAlgorithm, base64urlDecode(str(k, 'public_b64u')));
  if (typeof k['kid'] === 'string') expectEqual(`key '${name}' kid`, key.kid, k['kid']);
  return key;
}

const jsonOf = (v: unknown): string => writeJson(v);

const envelopeKind: Evaluator = (v, ctx) => {
  const text = str(v, 'envelope_json');
  const env = parseEnvelope(text);
  const input = (v['input'] ?? {}) as Record<string, unknown>;
  const recipientName = optStr(input, 'recipient_private_key');
  const signerPrivName = optStr(input, 'signer_private_key');
  const signerPubName = optStr(input, 'signer_public_key');
  const recipientKey = recipientName === undefined ? undefined : privateKey(ctx, recipientName);
  const signerPriv = signerPrivName === undefined ? undefined : privateKey(ctx, signerPrivName);
  const signerPub = signerPubName !== undefined ? publicKey(ctx, signerPubName) : signerPriv;
  const e = new Expected(v);

  // The tagged form and the top-level `header` (when given) describe the same envelope.
  if (typeof v['tagged_form_json'] === 'string') {
    expectEqual('tagged form', envelopeToString(parseEnvelope(v['tagged_form_json'] as string), 'tagged'), v['tagged_form_json']);
  }
  if (v['header'] !== undefined && jsonOf(headerToObject(env.header)) !== jsonOf(v['header'])) fail('header differs from vector.header');

  // The vectors are the reference's envelopes: no PayloadMac, no ManifestSignature. Reading them
  // needs the explicit opt-in; our own envelopes never do (dare.md §3, payload-mac.ts).
  const decoded = decodeEnvelope(env, {
    ...(recipientKey ? { keys: [recipientKey] } : {}),
    ...(signerPub ? { signers: [signerPub] } : {}),
    allowUnauthenticated: true,
  });
  const decodedAnnotations = (decoded.signed.metadata ?? decoded.unsigned.metadata)!.annotations;
  if (e.has('header')) {
    const want = e.take('header');
    if (jsonOf(headerToObject(env.header)) !== jsonOf(want)) fail(`header: got ${jsonOf(headerToObject(env.header))}, expected ${jsonOf(want)}`);
  }
  if (e.has('trailer')) {
    const want = e.take('trailer');
    if (want === null) {
      if (env.trailer !== undefined && !isEmptyHeader(env.trailer)) fail('a trailer is present, none expected');
    } else if (env.trailer === undefined || jsonOf(headerToObject(env.trailer)) !== jsonOf(want)) {
      fail('trailer differs');
    }
  }
  const plaintextField = e.has('plaintext_utf8') ? 'plaintext_utf8' : 'payload_utf8';
  e.str(plaintextField, () => utf8Decode(decoded.payload));
  e.hex('payload_hex', decoded.payload);
  e.str('content_meta_data_utf8', () => utf8Decode(env.header.contentMetaData ?? fail('no ContentMetaData')));
  if (e.has('annotations_utf8')) {
    const want = e.take('annotations_utf8') as unknown[];
    expectEqual('annotations', jsonOf(decodedAnnotations.map((a) => utf8Decode(a))), jsonOf(want));
  }
  if (e.has('annotations')) {
    const want = e.take('annotations') as Record<string, unknown>[];
    expectEqual('number of annotations', decodedAnnotations.length, want.length);
    want.forEach((w, i) => {
      const raw = env.header.annotations![i]!;
      if (typeof w['eds_b64u'] === 'string') expectEqual(`annotations[${i}] b64u`, base64urlEncode(raw), w['eds_b64u']);
      if (typeof w['eds_hex'] === 'string') expectEqual(`annotations[${i}] hex`, hexEncode(raw), w['eds_hex']);
      const d = decodeEds(raw);
      if (typeof w['salt_prefix_hex'] === 'string') expectEqual(`annotations[${i}] prefix`, hexEncode(d.prefix), w['salt_prefix_hex']);
      if (typeof w['body_utf8'] === 'string') expectEqual(`annotations[${i}] body`, utf8Decode(decodedAnnotations[i]!), w['body_utf8']);
    });
  }

  // Key exchange and per-item keys, through the same building blocks the decoder used.
  let baseSeed: Uint8Array | undefined;
  if (decoded.encrypted) {
    if (!recipientKey || !decoded.recipient) fail('encrypted envelope without a recipient key');
    const d = unwrapBaseSeedDetail(decoded.recipient, recipientKey);
    if (!d) fail('recipient entry does not open');
    baseSeed = d.baseSeed;
    e.str('kdf_info_utf8', d.info);
    e.hex('agreement_hex', d.agreement);
    e.hex('kek_hex', d.kek);
    e.hex('base_seed_hex', d.baseSeed);
    e.hex('salt_hex', env.header.salt!);
    const keys = deriveItemKeys(d.baseSeed, env.header.salt!);
    e.hex('payload_key_hex', keys.key);
    e.hex('payload_iv_hex', keys.iv);
    e.hex('ciphertext_hex', env.payload);
  }
  if (decoded.digest) {
    e.str('payload_digest_b64u', base64urlEncode(decoded.digest));
    e.hex('signed_message_hex', decoded.digest);
  }
  e.take('payload_digest_note');
  e.take('witness_formula');
  e.take('signature_scheme');
  const sigs = env.trailer?.signatures ?? [];
  e.str('signature_b64u', () => base64urlEncode(sigs[0]?.signature ?? fail('no signature')));
  e.str('witness_b64u', () => base64urlEncode(sigs[0]?.witness ?? fail('no witness')));
  if (e.has('signature_valid')) expectEqual('signature_valid', decoded.signatures[0]?.status === 'valid', e.take('signature_valid'));
  if (signerPub) expectEqual('verified signer', decoded.signedBy[0]?.kid, signerPub.kid);
  if (e.has('payload_is_jsonb')) {
    const want = e.take('payload_is_jsonb');
    const value = decodeJsonB(decoded.payload);
    expectEqual('payload_is_jsonb', true, want);
    if (e.has('payload_json')) {
      const wantValue = fromNotation(e.take('payload_json'));
      if (!sameJson(value, wantValue)) fail(`payload_json: got ${show(value)}, expected ${show(wantValue)}`);
    }
  }
  e.done();

  // Re-encode: with the vector's seed, Salt, recipient entries and signer, the encoder must
  // reproduce the envelope byte for byte (Ed448 signatures need the private key: skip when absent).
  if (sigs.length > 0 && !signerPriv) return;
  const h = env.header;
  const again = encodeEnvelope(decoded.payload, {
    referenceForm: true,
    ...(baseSeed ? { keyExchange: { baseSeed, recipients: h.recipients ?? [] }, salt: h.salt!, headerKid: h.kid ?? null } : {}),
    ...(signerPriv ? { signers: [signerPriv] } : {}),
    ...(h.dig === undefined ? { digest: false as const } : {}),
    ...(h.contentMetaData ? { contentMeta: h.contentMetaData } : {}),
    ...(decodedAnnotations.length ? { annotations: decodedAnnotations } : {}),
    ...(h.envelopeId === undefined ? {} : { envelopeId: h.envelopeId }),
  });
  expectEqual('re-encoded envelope', envelopeToString(again), text);
};

const recipientUnwrapKind: Evaluator = (v, ctx) => {
  const input = obj(v, 'input');
  const key = privateKey(ctx, str(input, 'recipient_private_key'));
  const crv = str(input, 'epk_crv');
  if (!KEY_ALGS.includes(crv)) fail(`unknown curve ${crv}`);
  const entry = { kid: key.kid, epk: { crv: crv as DareKeyAlgorithm, publicKey: base64urlDecode(str(input, 'epk_public_b64u')) }, wmk: base64urlDecode(str(input, 'wmk_b64u')) };
  const d = unwrapBaseSeedDetail(entry, key) ?? fail('the key does not open the entry');
  if (typeof input['kdf_info_utf8'] === 'string') expectEqual('kdf info', d.info, input['kdf_info_utf8']);
  const e = new Expected(v);
  e.hex('agreement_hex', d.agreement);
  e.hex('kek_hex', d.kek);
  e.hex('base_seed_hex', d.baseSeed);
  e.done();
};

const symmetricKeyIdKind: Evaluator = (v) => {
  const e = new Expected(v);
  e.str('kid', symmetricKeyId(hexField(obj(v, 'input'), 'base_seed_hex')));
  e.done();
};

const edsKind: Evaluator = (v) => {
  const input = obj(v, 'input');
  const prefix = hexField(input, 'salt_prefix_hex');
  const body = utf8Encode(str(input, 'body_utf8'));
  const eds = encodeEds(prefix, body);
  const e = new Expected(v);
  e.hex('eds_hex', eds);
  e.str('eds_b64u', base64urlEncode(eds));
  e.done();
  const back = decodeEds(eds);
  expectEqual('decoded prefix', back.prefix, prefix);
  expectEqual('decoded body', back.body, body);
};

const edsEncryptedKind: Evaluator = (v) => {
  const input = obj(v, 'input');
  const baseSeed = hexField(input, 'base_seed_hex');
  const salt = hexField(input, 'header_salt_hex');
  const ctx = { enc: 'A256CBC' as const, baseSeed, salt };
  const list = arr(v, 'expected') as Record<string, unknown>[];
  if (list.length === 0) fail('expected is empty');
  list.forEach((w, i) => {
    const prefix = hexField(w, 'salt_prefix_hex');
    const plaintext = utf8Encode(str(w, 'plaintext_utf8'));
    if (typeof w['derivation_salt_hex'] === 'string') expectEqual(`[${i}] derivation salt`, hexEncode(edsSalt(prefix, salt)), w['derivation_salt_hex']);
    const keys = deriveItemKeys(baseSeed, edsSalt(prefix, salt));
    if (typeof w['key_hex'] === 'string') expectEqual(`[${i}] key`, hexEncode(keys.key), w['key_hex']);
    if (typeof w['iv_hex'] === 'string') expectEqual(`[${i}] iv`, hexEncode(keys.iv), w['iv_hex']);
    const eds = encodeEds(prefix, plaintext, ctx);
    expectEqual(`[${i}] eds`, hexEncode(eds), str(w, 'eds_hex'));
    expectEqual(`[${i}] decrypted`, decodeEds(hexDecode(str(w, 'eds_hex')), ctx).body, plaintext);
  });
};

const payloadKdfKind: Evaluator = (v) => {
  const input = obj(v, 'input');
  const keys = deriveItemKeys(hexField(input, 'base_seed_hex'), hexField(input, 'salt_hex'));
  const e = new Expected(v);
  e.hex('mac_key_hex', keys.mac);
  e.hex('key_hex', keys.key);
  e.hex('iv_hex', keys.iv);
  e.hex('payload_key_hex', keys.key);
  e.hex('payload_iv_hex', keys.iv);
  e.done();
};

const recipientWrapKind: Evaluator = (v) => {
  const x = obj(v, 'expected');
  const crv = str(x, 'crv');
  if (!KEY_ALGS.includes(crv)) fail(`unknown curve ${crv}`);
  const alg = crv as DareKeyAlgorithm;
  const recipient = darePrivateKey(alg, hexField(x, 'recipient_private_hex'));
  const wantPublic = hexField(x, 'recipient_public_hex');
  expectEqual('recipient public key', hexEncode(recipient.publicKey.subarray(0, wantPublic.length)), hexEncode(wantPublic));
  const ephemeral = hexField(x, 'ephemeral_private_hex');
  const baseSeed = hexField(x, 'base_seed_hex');
  const info = optStr(x, 'kdf_info_utf8') ?? '';
  const entry = wrapBaseSeed(recipient, baseSeed, (n) => {
    if (n !== ephemeral.length) fail(`ephemeral key of ${n} bytes requested, vector has ${ephemeral.length}`);
    return ephemeral.slice();
  }, undefined, info);
  const wantEpk = hexField(x, 'epk_public_hex');
  expectEqual('epk', hexEncode(entry.epk.publicKey.subarray(0, wantEpk.length)), hexEncode(wantEpk));
  expectEqual('wmk', hexEncode(entry.wmk), str(x, 'wmk_hex'));
  const d = unwrapBaseSeedDetail(entry, recipient) ?? fail('the wrapped entry does not open');
  expectEqual('agreement', hexEncode(d.agreement), str(x, 'agreement_hex'));
  expectEqual('kek', hexEncode(d.kek), str(x, 'kek_hex'));
  expectEqual('unwrapped base seed', d.baseSeed, baseSeed);
  expectEqual('kdf info', d.info, info);
};

const envelopeJsonbKind: Evaluator = (v) => {
  const bytes = hexField(v, 'expected_hex');
  const env: DareEnvelope = parseEnvelope(bytes, { format: 'jsonb' });
  expectEqual('JSON-B re-encoding', hexEncode(serializeEnvelope(env, 'jsonb')), hexEncode(bytes));
  // Same parts through JSON text and back: the form never changes the payload or its digest.
  const viaJson = parseEnvelope(serializeEnvelope(env, 'json'));
  expectEqual('JSON-B → JSON → JSON-B', hexEncode(serializeEnvelope(viaJson, 'jsonb')), hexEncode(bytes));
  const r = verifyEnvelope(env);
  if (r.digestStatus === 'invalid') fail('PayloadDigest does not match the payload');
  if (env.trailer?.payloadDigest) expectEqual('payload digest', env.trailer.payloadDigest, payloadDigest(env.payload));
};

/** Registers the envelope-level dare.json kinds. */
export function dareEnvelopeKinds(): Record<string, Evaluator> {
  return {
    envelope: envelopeKind,
    recipient_unwrap: recipientUnwrapKind,
    symmetric_key_id: symmetricKeyIdKind,
    eds: edsKind,
    eds_encrypted: edsEncryptedKind,
    payload_kdf: payloadKdfKind,
    recipient_wrap: recipientWrapKind,
    envelope_jsonb: envelopeJsonbKind,
  };
}

