import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { hexEncode } from '../../encoding/hex.js';
import { inspectMeshEnvelope, openMeshEnvelope } from '../../mesh/envelopes.js';
import { claimAuthenticate, publicationOf } from '../../mesh/publication.js';
import { connectionWitness } from '../../mesh/witness.js';
import { envelopeId, responseId } from '../../udf/message-id.js';
import { pinId, pinWitness, saltedPin } from '../../udf/pin.js';
import { Expected, fail, optStr, str } from '../check.js';
import type { Evaluator } from '../types.js';
import { contentMetaJson, envelopeField, expectJson, inputs, namedKey, signatureReport, signerKeys } from './mesh-common.js';

/**
 * Message kinds of mesh.json (mesh-kinds.md §6, §8–§11): message envelopes and their ids, the
 * connection witness, PIN values and publications — through `mathmesh/udf` and the Mesh
 * witness, publication and envelope modules.
 */

const messageEnvelope: Evaluator = (v, ctx) => {
  const i = inputs(v);
  const env = envelopeField(i, 'envelope_json');
  const signers = signerKeys(ctx, i);
  const inspection = inspectMeshEnvelope(env, signers, { allowUnauthenticated: true }); // REF data
  if (inspection.digestStatus === 'invalid') fail('PayloadDigest does not match the payload');
  const meta = contentMetaJson(env) as Record<string, unknown> | null;
  const messageId = meta === null ? undefined : optStr(meta, 'UniqueId');
  if (messageId === undefined) fail('ContentMeta carries no UniqueId (the MessageId)');
  const type = meta === null ? undefined : optStr(meta, 'MessageType');
  const e = new Expected(v);
  let cls = type;
  let ruleChecked = false;
  if (!inspection.encrypted) {
    const opened = openMeshEnvelope(env, 'Message', { signers });
    cls = opened.object.$class;
    if (type !== undefined && type !== cls) fail(`ContentMeta MessageType ${type} is not the payload class ${cls}`);
    if (opened.object.MessageId !== messageId) fail(`payload MessageId ${String(opened.object.MessageId)} is not ContentMeta UniqueId ${messageId}`);
    e.str('payload_message_id', opened.object.MessageId ?? '');
    // Envelope ids derived from a payload member need the payload (claims re-filed by publication id).
    const publicationId = 'PublicationId' in opened.object ? opened.object.PublicationId : undefined;
    if (e.has('envelope_id_rule') && e.fields['envelope_id_rule'] === 'EnvelopeId(PublicationId)') {
      e.take('envelope_id_rule');
      ruleChecked = true;
      if (publicationId === undefined) fail('rule EnvelopeId(PublicationId) but the payload has no PublicationId');
      if (env.header.envelopeId !== envelopeId(publicationId)) fail(`EnvelopeId ${String(env.header.envelopeId)} is not EnvelopeId(PublicationId) ${envelopeId(publicationId)}`);
    }
  }
  if (!ruleChecked && e.has('envelope_id_rule')) {
    const rule = e.take('envelope_id_rule');
    if (rule !== 'EnvelopeId(MessageId)') fail(`cannot apply envelope id rule ${String(rule)}`);
    if (env.header.envelopeId !== envelopeId(messageId)) fail(`EnvelopeId ${String(env.header.envelopeId)} is not EnvelopeId(MessageId) ${envelopeId(messageId)}`);
  }
  e.str('class', cls ?? '');
  expectJson(e, 'encrypted', inspection.encrypted);
  e.str('message_id', messageId);
  expectJson(e, 'envelope_id', env.header.envelopeId ?? null);
  expectJson(e, 'content_meta', meta);
  expectJson(e, 'signatures', signatureReport(inspection.signatures));
  if (inspection.encrypted) expectJson(e, 'recipients', inspection.recipients);
  e.done();
};

const messageId: Evaluator = (v) => {
  const id = str(inputs(v), 'message_id');
  const e = new Expected(v);
  e.str('envelope_id', () => envelopeId(id));
  e.str('response_id', () => responseId(id));
  // Whether the SDK had to change to agree (mesh-kinds.md §18): it now computes every id above.
  e.take('sdk_must_agree');
  e.done();
};

const witness: Evaluator = (v, ctx) => {
  const i = inputs(v);
  const account = namedKey(ctx, str(i, 'account_profile_key')) ?? fail('the account key is not published');
  const device = namedKey(ctx, str(i, 'device_profile_key')) ?? fail('the device key is not published');
  const w = connectionWitness(
    { algorithm: account.algorithm, publicKey: account.publicKey }, { algorithm: device.algorithm, publicKey: device.publicKey },
    base64urlDecode(str(i, 'server_nonce_b64u')), base64urlDecode(str(i, 'client_nonce_b64u')),
  );
  const e = new Expected(v);
  e.str('account_udf', account.kid);
  e.str('device_udf', device.kid);
  e.str('witness', w);
  e.done();
};

const pin: Evaluator = (v) => {
  const i = inputs(v);
  const account = str(i, 'account');
  const salted = saltedPin(str(i, 'pin'), str(i, 'action'));
  const e = new Expected(v);
  e.str('salted_pin', salted);
  e.str('pin_id', pinId(salted, account));
  if (i['authenticated_data_json'] !== undefined) {
    const digest = inspectMeshEnvelope(envelopeField(i, 'authenticated_data_json')).payloadDigest ?? fail('AuthenticatedData has no payload digest');
    e.str('payload_digest_b64u', base64urlEncode(digest));
    if (i['client_nonce_b64u'] !== undefined) {
      e.str('pin_witness_b64u', base64urlEncode(pinWitness(salted, account, base64urlDecode(str(i, 'client_nonce_b64u')), digest)));
    }
  }
  e.done();
};

const publication: Evaluator = (v) => {
  const i = inputs(v);
  const p = publicationOf(str(i, 'connect_uri'));
  const claimant = str(i, 'claimant_account');
  const e = new Expected(v);
  e.str('publisher', p.publisher);
  e.str('secret_value_hex', hexEncode(p.secret));
  e.str('publication_id', p.publicationId);
  e.str('service_authenticator', p.serviceAuthenticator);
  e.str('device_authenticator', p.deviceAuthenticator);
  e.str('service_authenticate', () => claimAuthenticate(p.serviceAuthenticator, claimant));
  e.str('device_authenticate', () => claimAuthenticate(p.deviceAuthenticator, claimant));
  e.str('claim_envelope_id', p.claimEnvelopeId);
  e.done();
};

/** Registers the message kinds of mesh.json. */
export function meshMessageKinds(): Record<string, Evaluator> {
  return {
    'mesh-message-envelope': messageEnvelope,
    'mesh-message-id': messageId,
    'mesh-connection-witness': witness,
    'mesh-pin': pin,
    'mesh-publication': publication,
  };
}
