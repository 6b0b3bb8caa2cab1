import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { hexEncode } from '../../encoding/hex.js';
import { keyFingerprint, publicKeyDer, type PublicKeyAlgorithm } from '../../udf/fingerprint.js';
import { keyPairFromPrivate } from '../../udf/keys.js';
import { Expected, expectEqual, fail, obj, str } from '../check.js';
import type { Evaluator } from '../types.js';

/**
 * The dare.json kinds that are UDF/key-level and so belong to this issue: key fingerprints (`kid`,
 * udf.md §6.4) and the reference's X448 / 56-byte-seed Ed448 key pairs (dare.md §4.1). The
 * envelope, container, EDS, recipient and frame kinds come with the DARE issue.
 */

const ALGORITHMS: readonly string[] = ['Ed25519', 'Ed448', 'X25519', 'X448'];

const keyFingerprintKind: Evaluator = (v, ctx) => {
  const list = v['expected'];
  if (!Array.isArray(list) || list.length === 0) fail('expected is not a non-empty list');
  for (const [i, entry] of (list as Record<string, unknown>[]).entries()) {
    const crv = str(entry, 'crv');
    if (!ALGORITHMS.includes(crv)) fail(`expected[${i}]: unknown curve '${crv}'`);
    const pub = base64urlDecode(str(entry, 'public_b64u'));
    const der = publicKeyDer(crv as PublicKeyAlgorithm, pub);
    if (entry['spki_der_hex'] !== undefined) expectEqual(`expected[${i}].spki_der_hex`, hexEncode(der), str(entry, 'spki_der_hex').toLowerCase());
    expectEqual(`expected[${i}].kid`, keyFingerprint(crv as PublicKeyAlgorithm, pub), str(entry, 'kid'));
    // A key named here must agree with the file's key table.
    const ref = typeof entry['key'] === 'string' ? ctx.keys[entry['key']] : undefined;
    if (ref !== undefined && typeof ref === 'object' && ref !== null && typeof (ref as Record<string, unknown>)['public_b64u'] === 'string') {
      expectEqual(`expected[${i}] public key vs keys.${String(entry['key'])}`, (ref as Record<string, unknown>)['public_b64u'], base64urlEncode(pub));
    }
  }
};

const x448KeypairKind: Evaluator = (v) => {
  const kp = keyPairFromPrivate('X448', base64urlDecode(str(obj(v, 'input'), 'private_b64u')));
  const e = new Expected(v);
  e.str('public_b64u', base64urlEncode(kp.publicKey));
  e.hex('u_hex', kp.publicKey.subarray(0, 56));
  e.hex('flag_byte_hex', kp.publicKey.subarray(56));
  e.done();
};

const ed448KeypairKind: Evaluator = (v) => {
  const kp = keyPairFromPrivate('Ed448', base64urlDecode(str(obj(v, 'input'), 'seed_b64u')));
  const e = new Expected(v);
  // RFC 8032 §5.2.5 prunes the first 57 bytes of the hash; the 57th is always 0 (our scalar keeps 56).
  e.hex('clamped_scalar_le_hex', () => {
    const out = new Uint8Array(57);
    out.set(kp.scalar);
    return out;
  });
  e.str('public_b64u', base64urlEncode(kp.publicKey));
  e.done();
};

/** Registers the UDF/key-level dare.json kinds. */
export function dareKeyKinds(): Record<string, Evaluator> {
  return { key_fingerprint: keyFingerprintKind, x448_keypair: x448KeypairKind, ed448_keypair: ed448KeypairKind };
}
