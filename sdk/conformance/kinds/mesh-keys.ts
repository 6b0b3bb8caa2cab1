import { dareKeyFromKeyPair } from '../../dare/keys.js';
import { signDigest } from '../../dare/signature.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { hexEncode } from '../../encoding/hex.js';
import { isJsonObject, type JsonValue } from '../../encoding/json-value.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { inspectMeshEnvelope } from '../../mesh/envelopes.js';
import { checkKeyData } from '../../mesh/keydata.js';
import { parseMeshValue, readMeshMembers, readMeshObject } from '../../mesh/schema/codec.js';
import { recoverSeed } from '../../udf/escrow.js';
import { parseSeed } from '../../udf/fixed.js';
import { deriveKeyPair } from '../../udf/keys.js';
import { arr, Expected, fail, str } from '../check.js';
import type { Evaluator } from '../types.js';
import { envelopeField, expectJson, inputs } from './mesh-common.js';

/**
 * Key kinds of mesh.json (mesh-kinds.md §1–§3, §7): escrow recovery, seed derivation, KeyData
 * fingerprints, and signatures reproduced from the recovered seed — through `mathmesh/udf`,
 * `mathmesh/dare` and the Mesh KeyData checks.
 */

const escrowRecover: Evaluator = (v) => {
  const shares = arr(inputs(v), 'shares');
  if (!shares.every((s) => typeof s === 'string')) fail('inputs.shares must be share UDFs');
  const seed = recoverSeed(shares as string[]);
  const parsed = parseSeed(seed);
  const e = new Expected(v);
  e.str('seed_udf', seed);
  e.str('key_type', parsed.algorithm ?? `0x${parsed.specifier.toString(16)}`);
  e.hex('key_specifier_hex', parsed.ikm.subarray(0, 2));
  e.done();
};

function curve(o: Record<string, unknown>): 'Ed448' | 'X448' {
  const a = str(o, 'algorithm');
  if (a !== 'Ed448' && a !== 'X448') fail(`algorithm ${a} is not a Mesh curve`);
  return a;
}

const seedKey: Evaluator = (v) => {
  const i = inputs(v);
  const kp = deriveKeyPair(str(i, 'seed_udf'), { algorithm: curve(i), keyName: str(i, 'key_name') });
  const e = new Expected(v);
  e.str('public_b64u', base64urlEncode(kp.publicKey));
  e.str('udf', kp.udf);
  e.str('private_b64u', base64urlEncode(kp.privateKey));
  e.done();
};

/** Every KeyData (an object with `PublicParameters`) of a parsed document, in document order, with its path. */
export function keyDataIn(value: JsonValue, path: string, out: { path: string; value: JsonValue }[] = []): { path: string; value: JsonValue }[] {
  if (Array.isArray(value)) {
    value.forEach((x, i) => keyDataIn(x, `${path}[${i}]`, out));
  } else if (isJsonObject(value)) {
    if (value['PublicParameters'] !== undefined) {
      out.push({ path, value });
      return out;
    }
    for (const [k, x] of Object.entries(value)) if (x !== undefined) keyDataIn(x, path === '' ? k : `${path}.${k}`, out);
  }
  return out;
}

const keydata: Evaluator = (v) => {
  const text = str(inputs(v), 'object_json');
  readMeshObject(text); // the whole object must read through the schema
  const found = keyDataIn(parseMeshValue(text), '').map(({ path, value }) => {
    const check = checkKeyData(readMeshMembers(value, 'KeyData'), path);
    return { path, udf: check.udf, udf_member: check.udfMember, private: check.hasPrivate };
  });
  const e = new Expected(v);
  expectJson(e, 'keys', found);
  e.done();
};

const signReproduce: Evaluator = (v) => {
  const i = inputs(v);
  const key = dareKeyFromKeyPair(deriveKeyPair(str(i, 'seed_udf'), { algorithm: 'Ed448', keyName: str(i, 'key_name') }));
  const digest = base64urlDecode(str(i, 'payload_digest_b64u'));
  const env = envelopeField(i, 'envelope_json');
  const stored = inspectMeshEnvelope(env).payloadDigest;
  if (stored === undefined || !bytesEqual(stored, digest)) fail('payload_digest_b64u is not SHA-512 of the envelope payload');
  const signature = signDigest(key, digest);
  const carried = [...(env.trailer?.signatures ?? []), ...(env.header.signatures ?? [])];
  if (!carried.some((s) => s.kid === key.kid && bytesEqual(s.signature, signature))) {
    fail(`the envelope carries no signature by ${key.kid} equal to ours (${hexEncode(signature).slice(0, 32)}…)`);
  }
  const e = new Expected(v);
  e.str('kid', key.kid);
  e.str('signature_b64u', base64urlEncode(signature));
  e.done();
};

/** Registers the key kinds of mesh.json. */
export function meshKeyKinds(): Record<string, Evaluator> {
  return {
    'mesh-escrow-recover': escrowRecover,
    'mesh-seed-key': seedKey,
    'mesh-keydata': keydata,
    'mesh-sign-reproduce': signReproduce,
  };
}

