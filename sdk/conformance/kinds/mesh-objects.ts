import { base64urlEncode } from '../../encoding/base64url.js';
import { isJsonObject, type JsonValue } from '../../encoding/json-value.js';
import { checkDeviceChain } from '../../mesh/devices.js';
import { inspectMeshEnvelope, openMeshEnvelope } from '../../mesh/envelopes.js';
import { checkKeyData } from '../../mesh/keydata.js';
import { verifyProfile } from '../../mesh/profiles.js';
import { meshObjectToValue, parseMeshValue, readMeshMembers, readMeshObject } from '../../mesh/schema/codec.js';
import { classInfo, type MemberType } from '../../mesh/schema/model.js';
import type { MeshObjectBase } from '../../mesh/schema/object.js';
import { Expected, fail, obj, str } from '../check.js';
import type { Evaluator } from '../types.js';
import { contentMetaJson, envelopeField, expectJson, inputs, jsonText, signatureReport, signerKeys } from './mesh-common.js';

/**
 * Object kinds of mesh.json (mesh-kinds.md §4, §5, §14, §16): self-signed profiles, objects signed
 * by an account key, the CatalogedDevice chain and the schema round trip — through the Mesh
 * schema, `verifyProfile`, `checkDeviceChain` and the envelope module of `mathmesh/mesh`.
 */

const profile: Evaluator = (v) => {
  const env = envelopeField(inputs(v), 'envelope_json');
  const verified = verifyProfile(env);
  const opened = openMeshEnvelope(env, 'Profile', { signers: [verified.signer], requireSignature: true });
  const body = parseMeshValue(opened.payload) as Record<string, JsonValue>;
  const keyUdfs: Record<string, string> = {};
  for (const [name, value] of Object.entries(body[verified.profile.$class] as Record<string, JsonValue>)) {
    if (isJsonObject(value) && value['PublicParameters'] !== undefined) keyUdfs[name] = checkKeyData(readMeshMembers(value, 'KeyData'), name).udf;
  }
  const inspection = inspectMeshEnvelope(env, [verified.signer]);
  const e = new Expected(v);
  e.str('class', verified.profile.$class);
  e.str('payload_encoding', opened.payloadEncoding);
  e.str('profile_udf', verified.udf);
  expectJson(e, 'content_meta', contentMetaJson(env));
  expectJson(e, 'key_udfs', keyUdfs);
  expectJson(e, 'signatures', signatureReport(inspection.signatures));
  e.str('payload_digest_b64u', base64urlEncode(inspection.payloadDigest ?? new Uint8Array(0)));
  e.done();
};

const signedObject: Evaluator = (v, ctx) => {
  const i = inputs(v);
  const env = envelopeField(i, 'envelope_json');
  const signers = signerKeys(ctx, i);
  const inspection = inspectMeshEnvelope(env, signers, { allowUnauthenticated: true }); // REF data: encrypted objects carry reference-form signatures
  if (inspection.digestStatus === 'invalid') fail('PayloadDigest does not match the payload');
  const meta = contentMetaJson(env);
  const e = new Expected(v);
  expectJson(e, 'encrypted', inspection.encrypted);
  if (inspection.encrypted) {
    expectJson(e, 'recipients', inspection.recipients);
    e.str('class_from_content_meta', () => str(meta as Record<string, unknown>, 'MessageType'));
  } else {
    const opened = openMeshEnvelope(env, undefined, { signers });
    e.str('class', opened.object.$class);
    e.str('payload_encoding', opened.payloadEncoding);
  }
  expectJson(e, 'content_meta', meta);
  expectJson(e, 'envelope_id', env.header.envelopeId ?? null);
  expectJson(e, 'signatures', signatureReport(inspection.signatures));
  e.str('payload_digest_b64u', base64urlEncode(inspection.payloadDigest ?? new Uint8Array(0)));
  e.done();
};

const deviceChain: Evaluator = (v) => {
  const device = readMeshObject(str(inputs(v), 'cataloged_device_json'), 'CatalogedDevice');
  const r = checkDeviceChain(device, { allowUnauthenticated: true }); // REF's activations: signatures bound to no key exchange
  const e = new Expected(v);
  expectJson(e, 'chain', {
    account_udf: r.accountUdf ?? null,
    device_udf: r.deviceUdf ?? null,
    profile_user_self_signed: r.profileUserSelfSigned,
    profile_device_self_signed: r.profileDeviceSelfSigned,
    device_udf_matches: r.deviceUdfMatches,
    connection_service_signed_by_admin: r.connectionServiceSignedByAdmin,
    connection_device_signed_by_admin: r.connectionDeviceSignedByAdmin,
    connection_profile_udf_is_account: r.connectionProfileUdfIsAccount,
    service_and_device_authentication_equal: r.serviceAndDeviceAuthenticationEqual,
    EnvelopedActivationAccount_signed_by_admin: r.activationAccountSignedByAdmin,
    EnvelopedActivationCommon_signed_by_admin: r.activationCommonSignedByAdmin,
    activation_account_recipient_is_device_base_encryption: r.activationAccountRecipientIsDeviceBaseEncryption,
    activation_common_recipient_is_connection_encryption: r.activationCommonRecipientIsConnectionEncryption,
  });
  e.done();
};

/** The shape of a written value (mesh-kinds.md §16): member → `string` / `number` / `boolean` / `Enveloped` / object / array of distinct shapes. */
function shapeOf(value: JsonValue, member: { type: MemberType; list: boolean } | undefined): unknown {
  if (Array.isArray(value) && (member === undefined || member.list)) {
    const seen = new Map<string, unknown>();
    for (const item of value) {
      const s = shapeOf(item, member === undefined ? undefined : { type: member.type, list: false });
      seen.set(jsonText(s), s);
    }
    return [...seen.values()];
  }
  const type = member?.type;
  if (type?.kind === 'envelope') return 'Enveloped';
  if (value instanceof Uint8Array || value instanceof Date || typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (!isJsonObject(value)) return 'null';
  if (type?.kind === 'tagged') {
    const [tag, body] = Object.entries(value)[0] ?? [];
    return tag === undefined ? {} : { [tag]: shapeOfMembers(body as JsonValue, tag) };
  }
  return shapeOfMembers(value, type?.kind === 'struct' ? type.className : undefined);
}

function shapeOfMembers(value: JsonValue, className: string | undefined): Record<string, unknown> {
  const info = className === undefined ? undefined : classInfo(className);
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value as Record<string, JsonValue>)) {
    if (member !== undefined) out[name] = shapeOf(member, info?.byName.get(name) ?? info?.aliases.get(name));
  }
  return out;
}

const objectSchema: Evaluator = (v, ctx) => {
  const i = inputs(v);
  const text = str(i, 'object_json');
  const object: MeshObjectBase = readMeshObject(text);
  const written = meshObjectToValue(object);
  // Round trip: what we write is what REF wrote (member order included).
  const original = parseMeshValue(text);
  if (jsonText(written) !== jsonText(original)) fail(`written back differently: ${jsonText(written).slice(0, 300)}…`);
  const body = written[object.$class] as Record<string, JsonValue>;
  const members = Object.keys(body);
  if (i['integrity'] !== undefined) {
    const integrity = obj(i, 'integrity');
    const opened = openMeshEnvelope(envelopeField(integrity, 'envelope_json'), undefined, { signers: signerKeys(ctx, integrity), requireSignature: true });
    if (jsonText(meshObjectToValue(opened.object)) !== jsonText(written)) fail('the object is not the payload of its integrity envelope');
  }
  const info = classInfo(object.$class)!;
  const e = new Expected(v);
  e.str('class', object.$class);
  expectJson(e, 'members', members);
  expectJson(e, 'shape', shapeOfMembers(body, object.$class));
  if (e.has('draft_comparison')) {
    // What the vector says about the 2021 draft, checked where it meets this schema: members REF
    // writes that the draft does not declare are written back, declared by our schema or kept as
    // unknown members (ConnectionDevice's undocumented `Active`).
    const d = e.take('draft_comparison') as Record<string, unknown>;
    const undeclared = Array.isArray(d['undeclared_members']) ? (d['undeclared_members'] as string[]) : [];
    for (const m of undeclared) {
      if (!members.includes(m)) fail(`draft_comparison: ${m} is not among the members`);
      if (!info.byName.has(m) && !info.aliases.has(m) && object.$wire?.extra[m] === undefined) {
        fail(`draft_comparison: ${m} is neither declared by the schema for ${object.$class} nor kept as an unknown member`);
      }
    }
    const absent = Array.isArray(d['declared_optional_members_absent']) ? (d['declared_optional_members_absent'] as string[]) : [];
    for (const m of absent) if (members.includes(m)) fail(`draft_comparison: ${m} is present`);
  }
  // Provenance only: the vectors named here are evaluated in the same run.
  e.take('embedded_checks');
  e.done();
};

/** Registers the object kinds of mesh.json. */
export function meshObjectKinds(): Record<string, Evaluator> {
  return {
    'mesh-profile': profile,
    'mesh-signed-object': signedObject,
    'mesh-device-chain': deviceChain,
    'mesh-object-schema': objectSchema,
  };
}
