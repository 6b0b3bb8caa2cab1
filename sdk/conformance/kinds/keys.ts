import { bigIntToLe, leToBigInt } from '../../crypto/bigint.js';
import { montgomeryPublicKeyFromScalar } from '../../crypto/curves/keys.js';
import { hexEncode } from '../../encoding/hex.js';
import { hmacSha512 } from '../../crypto/index.js';
import { keySpecifier, type KeyAlgorithmName } from '../../udf/algorithms.js';
import { deriveKeyMaterial, type DerivedKeyAlgorithm } from '../../udf/derive.js';
import { draftExampleNistScalar, draftExampleOkm, draftExampleRsaPrimes, NIST_FIELD_PRIME } from '../../udf/draft-derive.js';
import { keyFingerprint } from '../../udf/fingerprint.js';
import { parseSeed } from '../../udf/fixed.js';
import { deriveKeyPair, keyPairFromPrivate, type KeyPair } from '../../udf/keys.js';
import {
  decField, Expected, expectEqual, fail, hexField, obj, optNum, optStr, str,
} from '../check.js';
import * as curves from '../curves.js';
import type { Evaluator, Vector } from '../types.js';

/**
 * Evaluators for keys.json (crypto.md §7, udf.md §8): seed derivations through `mathmesh/udf`,
 * curve-only kinds through the crypto layer's curve operations (curves.ts) when it has them.
 */

const DERIVED: readonly string[] = ['X25519', 'X448', 'Ed25519', 'Ed448'];

function derivedAlgorithm(v: Vector): DerivedKeyAlgorithm {
  const a = str(v, 'algorithm');
  if (!DERIVED.includes(a)) fail(`algorithm '${a}' has no Mesh key derivation`);
  return a as DerivedKeyAlgorithm;
}

const isX = (a: string): a is 'X25519' | 'X448' => a === 'X25519' || a === 'X448';

function checkOkmBits(v: Vector, okm: Uint8Array): void {
  const bits = optNum(v, 'okm_bits');
  if (bits !== undefined) expectEqual('okm_bits', okm.length * 8, bits);
}

/** Checks the public-key fields of a key pair in any of the vectors' notations. */
function checkPublic(e: Expected, kp: KeyPair): void {
  const alg = kp.algorithm;
  if (isX(alg)) {
    const n = kp.publicKey.length - 1;
    e.hex('public_signed_hex', kp.publicKey);
    e.hex('public_hex', kp.publicKey.subarray(0, n)); // printed unsigned (u only)
    e.dec('public_u_dec', () => leToBigInt(kp.publicKey.subarray(0, n)));
    e.dec('public_v_dec', () => curves.decodeSigned(alg, kp.publicKey).v);
  } else {
    e.hex('public_hex', kp.publicKey);
  }
  e.str('key_udf', kp.udf);
}

function referenceDerive(v: Vector): void {
  const alg = derivedAlgorithm(v);
  const okm = deriveKeyMaterial(str(v, 'seed_udf'), alg, optStr(v, 'key_name') ?? '');
  checkOkmBits(v, okm);
  const kp = keyPairFromPrivate(alg, okm);
  const e = new Expected(v);
  e.hex('okm_hex', okm);
  if (isX(alg)) {
    e.hex('private_key_hex', okm);
    e.hex('private_scalar_le_hex', kp.scalar);
  } else {
    e.hex('private_seed_hex', okm);
  }
  e.dec('scalar_dec', () => leToBigInt(kp.scalar));
  checkPublic(e, kp);
  e.done();
}

function draftDerive(v: Vector): void {
  const alg = str(v, 'algorithm') as KeyAlgorithmName;
  const seed = str(v, 'seed_udf');
  const salt = hexEncode(keySpecifier(alg));
  const saltHex = optStr(v, 'salt_hex');
  if (saltHex !== undefined) expectEqual('salt_hex (specifier of the target algorithm)', salt, saltHex.toLowerCase());
  const ikm = parseSeed(seed).ikm;
  if (v['ikm_hex'] !== undefined) expectEqual('ikm_hex (seed BDS)', hexEncode(ikm), str(v, 'ikm_hex').toLowerCase());
  const bits = optNum(v, 'okm_bits');
  const e = new Expected(v);
  e.hex('prk_hex', () => hmacSha512(keySpecifier(alg), ikm));
  if (alg.startsWith('RSA')) {
    expectEqual('info_p_hex', optStr(v, 'info_p_hex') ?? '70', '70');
    expectEqual('info_q_hex', optStr(v, 'info_q_hex') ?? '71', '71');
    const opts = bits === undefined ? {} : { bits };
    e.hex('okm_p_hex', () => draftExampleOkm(seed, alg, { info: Uint8Array.of(0x70), ...opts }));
    e.hex('okm_q_hex', () => draftExampleOkm(seed, alg, { info: Uint8Array.of(0x71), ...opts }));
    const { p, q } = draftExampleRsaPrimes(seed, alg as 'RSA2048', bits);
    e.dec('p_dec', p);
    e.dec('q_dec', q);
  } else {
    const info = optStr(v, 'info_hex');
    if (info !== undefined && info !== '') fail('draft-example derivations use an empty info');
    const okm = draftExampleOkm(seed, alg, bits === undefined ? {} : { bits });
    e.hex('okm_hex', okm);
    if (alg === 'P256' || alg === 'P384' || alg === 'P521') {
      if (v['field_prime_dec'] !== undefined) expectEqual('field_prime_dec', decField(v, 'field_prime_dec'), NIST_FIELD_PRIME[alg]);
      e.dec('private_scalar_dec', () => draftExampleNistScalar(seed, alg));
    } else {
      e.hex('private_key_hex', okm);
    }
  }
  e.done();
}

const deriveKeyKind: Evaluator = (v) => {
  const how = str(v, 'derivation');
  if (how === 'reference-library') referenceDerive(v);
  else if (how === 'draft-example') draftDerive(v);
  else fail(`unknown derivation '${how}'`);
};

const meshDeriveKeyKind: Evaluator = (v) => {
  const alg = derivedAlgorithm(v);
  const kp = deriveKeyPair(str(v, 'seed_udf'), { algorithm: alg, keyName: str(v, 'key_name') });
  checkOkmBits(v, kp.privateKey);
  const e = new Expected(v);
  checkPublic(e, kp);
  e.done();
};

const keypairFromPrivateKind: Evaluator = (v) => {
  const kp = keyPairFromPrivate(derivedAlgorithm(v), hexField(v, 'private_hex'));
  const e = new Expected(v);
  checkPublic(e, kp);
  e.done();
};

/** Public-key addition (crypto.md §4): Edwards addition, or Montgomery addition on signed points. */
function addPublic(alg: DerivedKeyAlgorithm, a: Uint8Array, b: Uint8Array): Uint8Array {
  if (isX(alg)) return curves.encodeSigned(alg, curves.add(alg, curves.decodeSigned(alg, a), curves.decodeSigned(alg, b)));
  return curves.edwardsAdd(alg, a, b);
}

const meshActivateKind: Evaluator = (v) => {
  const alg = derivedAlgorithm(v);
  const base = hexField(v, 'base_public_hex');
  if (v['base_key_udf'] !== undefined) expectEqual('base_key_udf (fingerprint of base_public_hex)', keyFingerprint(alg, base), str(v, 'base_key_udf'));
  const contribution = deriveKeyPair(str(v, 'activation_seed_udf'), { algorithm: alg, keyName: str(v, 'key_name') });
  checkOkmBits(v, contribution.privateKey);
  const composite = addPublic(alg, base, contribution.publicKey);
  const e = new Expected(v);
  e.hex('composite_public_hex', composite);
  e.str('composite_key_udf', () => keyFingerprint(alg, composite));
  e.done();
};

const cogenCombineKind: Evaluator = (v) => {
  const alg = derivedAlgorithm(v);
  const parts = [obj(v, 'contribution_1'), obj(v, 'contribution_2')].map((c, i) => {
    const kp = deriveKeyPair(str(c, 'seed_udf'), { algorithm: alg });
    if (c['scalar_dec'] !== undefined) expectEqual(`contribution_${i + 1}.scalar_dec`, leToBigInt(kp.scalar), decField(c, 'scalar_dec'));
    if (c['public_hex'] !== undefined) expectEqual(`contribution_${i + 1}.public_hex`, kp.publicKey, hexField(c, 'public_hex'));
    return kp;
  });
  const q = curves.groupOrder(alg);
  const s = (leToBigInt(parts[0]!.scalar) + leToBigInt(parts[1]!.scalar)) % q;
  const length = alg === 'X448' || alg === 'Ed448' ? 56 : 32;
  const e = new Expected(v);
  e.dec('composite_scalar_dec', s);
  e.hex('composite_private_hex', bigIntToLe(s, length));
  if (isX(alg)) {
    const sum = curves.add(alg, curves.decodeSigned(alg, parts[0]!.publicKey), curves.decodeSigned(alg, parts[1]!.publicKey));
    // The sum of the publics must be the composite scalar times the base point.
    expectEqual('composite public = s·B', hexEncode(curves.encodeSigned(alg, sum)),
      hexEncode(montgomeryPublicKeyFromScalar(alg, bigIntToLe(s, length), 'signed')));
    e.dec('composite_public_u_dec', sum.u);
    e.dec('composite_public_v_dec', sum.v);
    e.hex('composite_public_hex', bigIntToLe(sum.u, length)); // printed unsigned
  } else {
    const sum = curves.edwardsAdd(alg, parts[0]!.publicKey, parts[1]!.publicKey);
    expectEqual('composite public = s·B', hexEncode(sum), hexEncode(curves.edwardsBaseMultiply(alg, s)));
    e.hex('composite_public_hex', sum);
  }
  e.done();
};

function point(o: Record<string, unknown>, prefix = ''): curves.Point {
  return { u: decField(o, `${prefix}u_dec`), v: decField(o, `${prefix}v_dec`) };
}

function xAlgorithm(v: Vector): 'X25519' | 'X448' {
  const a = str(v, 'algorithm');
  if (!isX(a)) fail(`'${a}' is not a Montgomery curve`);
  return a;
}

const ladderKind: Evaluator = (v) => {
  const r = curves.ladder(xAlgorithm(v), decField(v, 'scalar_dec'), decField(v, 'point_u_dec'));
  const e = new Expected(v);
  e.dec('x2_dec', r.x2);
  e.dec('z2_dec', r.z2);
  e.dec('x3_dec', r.x3);
  e.dec('z3_dec', r.z3);
  e.done();
};

const mulSignedKind: Evaluator = (v) => {
  const r = curves.multiply(xAlgorithm(v), decField(v, 'scalar_dec'), point(v, 'point_'));
  const e = new Expected(v);
  e.dec('u_dec', r.u);
  e.dec('v_dec', r.v);
  e.done();
};

const addKind: Evaluator = (v) => {
  const r = curves.add(xAlgorithm(v), point(obj(v, 'p1')), point(obj(v, 'p2')));
  const e = new Expected(v);
  e.dec('u_dec', r.u);
  e.dec('v_dec', r.v);
  e.done();
};

/** Scalar of a derived X key (clamped private key as an integer). */
function xScalar(alg: 'X25519' | 'X448', seed: string): bigint {
  return leToBigInt(deriveKeyPair(seed, { algorithm: alg }).scalar);
}

const ecdhKind: Evaluator = (v) => {
  const alg = xAlgorithm(v);
  const peer = deriveKeyPair(str(v, 'peer_seed_udf'), { algorithm: alg });
  const n = curves.fieldBytes(alg);
  if (v['peer_public_hex'] !== undefined) {
    const given = hexField(v, 'peer_public_hex');
    expectEqual('peer_public_hex', hexEncode(given), hexEncode(peer.publicKey.subarray(0, given.length)));
  }
  const shared = curves.multiply(alg, xScalar(alg, str(v, 'private_seed_udf')), curves.decodeSigned(alg, peer.publicKey));
  const e = new Expected(v);
  e.dec('shared_u_dec', shared.u);
  e.hex('shared_hex', bigIntToLe(shared.u, n));
  e.hex('printed_signed_hex', () => curves.encodeSigned(alg, shared));
  e.done();
};

/** threshold-split: the spec's s2 = (a − s1) mod q (crypto.md §5), against what the vector expects. */
const thresholdSplitKind: Evaluator = (v) => {
  const alg = xAlgorithm(v);
  const q = curves.groupOrder(alg);
  const a = decField(v, 'base_scalar_dec');
  const s1 = decField(v, 'share1_scalar_dec');
  const s2 = (((a - s1) % q) + q) % q;
  if (v['computed_spec_scalar2_dec'] !== undefined) expectEqual('computed_spec_scalar2_dec', s2, decField(v, 'computed_spec_scalar2_dec'));
  const e = new Expected(v);
  e.dec('reference_printed_scalar2_dec', s2);
  e.hex('reference_printed_scalar2_le_hex', bigIntToLe(s2, curves.fieldBytes(alg)));
  e.dec('scalar2_dec', s2);
  e.done();
};

const thresholdDecryptCombineKind: Evaluator = (v) => {
  const alg = xAlgorithm(v);
  const q = curves.groupOrder(alg);
  const a = xScalar(alg, str(v, 'base_seed_udf'));
  const s1 = xScalar(alg, str(v, 'share1_seed_udf'));
  const s2 = (((a - s1) % q) + q) % q;
  const eph = point(obj(v, 'ephemeral_public'));
  const c = curves.add(alg, curves.multiply(alg, s1, eph), curves.multiply(alg, s2, eph));
  const e = new Expected(v);
  e.dec('shared_u_dec', c.u);
  e.hex('shared_hex', bigIntToLe(c.u, curves.fieldBytes(alg)));
  e.done();
};

/** Registers the keys.json kinds. */
export function keysKinds(): Record<string, Evaluator> {
  return {
    'derive-key': deriveKeyKind,
    'mesh-derive-key': meshDeriveKeyKind,
    'mesh-activate': meshActivateKind,
    'keypair-from-private': keypairFromPrivateKind,
    'cogen-combine': cogenCombineKind,
    'montgomery-ladder': ladderKind,
    'montgomery-mul-signed': mulSignedKind,
    'montgomery-add': addKind,
    'ecdh-agreement': ecdhKind,
    'threshold-split': thresholdSplitKind,
    'threshold-decrypt-combine': thresholdDecryptCombineKind,
  };
}
