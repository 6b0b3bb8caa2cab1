import type { DareEnvelope } from '../../dare/envelope.js';
import { headerToObject } from '../../dare/header.js';
import { dareKeyFromKeyPair, type DarePrivateKey } from '../../dare/keys.js';
import { unwrapBaseSeed, unwrapBaseSeedSymmetric, type DareSymmetricKey } from '../../dare/recipient.js';
import { dareSymmetricKey, symmetricKeyId } from '../../dare/symmetric-key-id.js';
import { envelopeFromValue } from '../../dare/envelope.js';
import { isJsonObject } from '../../encoding/json-value.js';
import { inspectMeshEnvelope, openEnvelopePayload } from '../../mesh/envelopes.js';
import { publicationOf } from '../../mesh/publication.js';
import { parseMeshValue, readMeshObject } from '../../mesh/schema/codec.js';
import { isStoreLabel } from '../../mesh/stores.js';
import { deriveKeyPair } from '../../udf/keys.js';
import { Expected, fail, obj, str } from '../check.js';
import type { Evaluator } from '../types.js';
import { contentMetaJson, envelopeField, expectJson, inputs, jsonText, signatureReport, signerKeys } from './mesh-common.js';

/**
 * Store kinds of mesh.json (mesh-kinds.md §12, §15): decrypting catalog frames, escrowed keys and
 * publications; reading frames as a service stores them — through `mathmesh/dare` recipients and
 * the Mesh envelope module.
 */

type DecryptionKey = { kind: 'key'; key: DarePrivateKey } | { kind: 'secret'; key: DareSymmetricKey };

function decryptionKey(o: Record<string, unknown>): DecryptionKey {
  if (o['connect_uri'] !== undefined) return { kind: 'secret', key: dareSymmetricKey(publicationOf(str(o, 'connect_uri')).secret) };
  return { kind: 'key', key: dareKeyFromKeyPair(deriveKeyPair(str(o, 'seed_udf'), { algorithm: 'X448', keyName: str(o, 'key_name') })) };
}

/** The recipient entry the key opens and the base seed it yields (dare.md §4.1, mesh-kinds.md D6). */
function openEntry(env: DareEnvelope, k: DecryptionKey): { kid: string; baseSeed: Uint8Array } {
  for (const entry of env.header.recipients ?? []) {
    const seed = k.kind === 'key' ? unwrapBaseSeed(entry, k.key) : unwrapBaseSeedSymmetric(entry, k.key);
    if (seed !== undefined) return { kid: entry.kid, baseSeed: seed };
  }
  return fail('the key opens no recipient entry');
}

const decrypt: Evaluator = (v) => {
  const i = inputs(v);
  const env = envelopeField(i, 'envelope_json');
  const k = decryptionKey(obj(i, 'decryption_key'));
  const { kid, baseSeed } = openEntry(env, k);
  // PayloadDigest, where present, covers the ciphertext (mesh-model.md §3).
  if (inspectMeshEnvelope(env).digestStatus === 'invalid') fail('PayloadDigest does not match the ciphertext');
  // Reference data carries no signature by a key we hold: read it as unauthenticated, knowingly.
  const opened = openEnvelopePayload(env, { ...(k.kind === 'key' ? { keys: [k.key] } : { secrets: [k.key] }), allowUnauthenticated: true });
  // A publication's data is itself an envelope (tagged DareEnvelope); anything else is a Mesh object.
  const value = parseMeshValue(opened.payload);
  const tags = isJsonObject(value) ? Object.keys(value) : [];
  const cls = tags.length === 1 && tags[0] === 'DareEnvelope' ? (envelopeFromValue(value, 'payload'), 'DareEnvelope') : readMeshObject(opened.payload).$class;
  const e = new Expected(v);
  e.str('recipient_kid', kid);
  e.hex('base_seed_hex', baseSeed);
  e.str('class', cls);
  if (e.has('payload_json')) {
    const want = parseMeshValue(str(e.fields, 'payload_json'));
    e.take('payload_json');
    if (jsonText(value) !== jsonText(want)) fail('decrypted payload differs from payload_json');
  }
  expectJson(e, 'header_kid', env.header.kid ?? null);
  if (e.has('header_kid_is_symmetric_key_id_of_base_seed')) expectJson(e, 'header_kid_is_symmetric_key_id_of_base_seed', symmetricKeyId(baseSeed) === env.header.kid);
  e.done();
};

const sequenceFrame: Evaluator = (v, ctx) => {
  const i = inputs(v);
  const container = str(i, 'container');
  if (!isStoreLabel(container)) fail(`${container} is not a store label (mesh-model.md §8.1, §9)`);
  const env = envelopeField(i, 'frame_json');
  const signers = signerKeys(ctx, i);
  const inspection = inspectMeshEnvelope(env, signers, { allowUnauthenticated: true }); // REF data
  const e = new Expected(v);
  if (e.has('sequence_info')) {
    const want = e.take('sequence_info') as Record<string, unknown>;
    const got = env.header.sequenceInfo ?? fail('no SequenceInfo');
    for (const [k, x] of Object.entries(want)) if (jsonText(got[k] ?? null) !== jsonText(x)) fail(`SequenceInfo.${k}: got ${jsonText(got[k] ?? null)}, expected ${jsonText(x)}`);
  }
  expectJson(e, 'content_meta', contentMetaJson(env));
  expectJson(e, 'received', env.header.received ?? null);
  expectJson(e, 'trailer', env.trailer === undefined ? null : headerToObject(env.trailer));
  // Our writer puts the header members in the reference's order (dare.md §2.1).
  expectJson(e, 'header_members', Object.keys(headerToObject(env.header, 'header')));
  expectJson(e, 'payload_digest_valid', inspection.digestStatus === 'absent' ? null : inspection.digestStatus === 'valid');
  expectJson(e, 'envelope_id', env.header.envelopeId ?? null);
  if (e.has('signatures')) expectJson(e, 'signatures', signatureReport(inspection.signatures));
  e.done();
};

/** Registers the store kinds of mesh.json. */
export function meshStoreKinds(): Record<string, Evaluator> {
  return {
    'mesh-decrypt': decrypt,
    'mesh-sequence-frame': sequenceFrame,
  };
}
