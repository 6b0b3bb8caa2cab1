import { darePublicKey, type DarePrivateKey, type DarePublicKey } from '../dare/keys.js';
import type { DareKeyAlgorithm } from '../dare/algorithms.js';
import { bytesEqual } from '../encoding/bytes.js';
import { keyFingerprint, PUBLIC_KEY_LENGTH, rsaKeyFingerprint, type PublicKeyAlgorithm } from '../udf/fingerprint.js';
import { keyPairFromPrivate, type KeyPair } from '../udf/keys.js';
import { MeshError } from './errors.js';
import type { Untagged } from './schema/object.js';
import type { AnyKey, KeyData, PrivateKeyRSA, PublicKeyRSA } from './schema/types.js';

/**
 * KeyData — how the Mesh names a key (mesh-model.md §1): `Udf` = fingerprint of
 * `PublicParameters` (mesh-kinds.md D2: the reference's SPKI for EC keys, the standard one for
 * RSA), optional `PrivateParameters` (only inside encrypted objects).
 */

const EC_CURVES: readonly PublicKeyAlgorithm[] = ['Ed448', 'X448', 'Ed25519', 'X25519'];

function bad(what: string): never {
  throw new MeshError('MESH_BAD_KEY', what);
}

/** KeyData for a key pair: public parameters, fingerprint, and the private key only when asked. */
export function keyDataOf(kp: KeyPair, options: { includePrivate?: boolean } = {}): KeyData {
  const crv = kp.algorithm;
  return {
    $class: 'KeyData',
    Udf: kp.udf,
    PublicParameters: { $class: 'PublicKeyECDH', crv, Public: kp.publicKey },
    ...(options.includePrivate ? { PrivateParameters: { $class: 'PrivateKeyECDH', crv, Private: kp.privateKey } } : {}),
  };
}

/** KeyData for a public key only (e.g. a co-generated key whose private scalar stays on the device). */
export function publicKeyDataOf(algorithm: PublicKeyAlgorithm, publicKey: Uint8Array): KeyData {
  return {
    $class: 'KeyData',
    Udf: keyFingerprint(algorithm, publicKey),
    PublicParameters: { $class: 'PublicKeyECDH', crv: algorithm, Public: publicKey },
  };
}

function ecCurve(crv: string | undefined, where: string): PublicKeyAlgorithm {
  if (crv === undefined || !EC_CURVES.includes(crv as PublicKeyAlgorithm)) bad(`${where}: unsupported curve ${String(crv)}`);
  return crv as PublicKeyAlgorithm;
}

/** The fingerprint of a key's public parameters (PublicKeyECDH, or PublicKeyRSA / PrivateKeyRSA). */
export function keyFingerprintOf(key: AnyKey, where = 'key'): string {
  switch (key.$class) {
    case 'PublicKeyECDH':
    case 'PrivateKeyECDH': {
      const crv = ecCurve(key.crv, where);
      if (!(key.Public instanceof Uint8Array) || key.Public.length !== PUBLIC_KEY_LENGTH[crv]) bad(`${where}: ${crv} public key must be ${PUBLIC_KEY_LENGTH[crv]} bytes`);
      return keyFingerprint(crv, key.Public);
    }
    case 'PublicKeyRSA':
    case 'PrivateKeyRSA':
      if (!(key.n instanceof Uint8Array) || !(key.e instanceof Uint8Array)) bad(`${where}: RSA key without n and e`);
      return rsaKeyFingerprint(key.n, key.e);
    default:
      return bad(`${where}: no fingerprint for a ${key.$class}`);
  }
}

/** What {@link checkKeyData} established. */
export interface KeyDataCheck {
  /** Fingerprint of PublicParameters (equal to `Udf` when the member is present). */
  readonly udf: string;
  /** Whether the object carries a `Udf` member. */
  readonly udfMember: boolean;
  /** Whether it carries PrivateParameters (which were checked against the public key). */
  readonly hasPrivate: boolean;
}

const big = (b: Uint8Array): bigint => {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
};
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

function checkRsaPrivate(pub: PublicKeyRSA, priv: PrivateKeyRSA, where: string): void {
  const [n, e, d, p, q] = [priv.n, priv.e, priv.d, priv.p, priv.q].map((x) => (x instanceof Uint8Array ? big(x) : bad(`${where}: incomplete RSA private key`)));
  if (pub.n === undefined || pub.e === undefined || big(pub.n) !== n! || big(pub.e) !== e!) bad(`${where}: RSA private key is for another public key`);
  if (p! * q! !== n!) bad(`${where}: RSA p·q ≠ n`);
  const lambda = ((p! - 1n) * (q! - 1n)) / gcd(p! - 1n, q! - 1n);
  if ((d! * e!) % lambda !== 1n) bad(`${where}: RSA d does not invert e`);
  const [dp, dq, qi] = [priv.dp, priv.dq, priv.qi].map((x) => (x instanceof Uint8Array ? big(x) : undefined));
  if ((dp !== undefined && dp !== d! % (p! - 1n)) || (dq !== undefined && dq !== d! % (q! - 1n)) || (qi !== undefined && (qi * q!) % p! !== 1n)) {
    bad(`${where}: RSA CRT parameters do not match`);
  }
}

/**
 * Checks a KeyData: `Udf` (when present) is the fingerprint of PublicParameters; a private key
 * matches the public one (EC: public key recomputed from the private; RSA: p·q = n, d inverts e
 * mod λ(n), CRT values). Throws `MESH_BAD_KEY` saying what does not hold.
 */
export function checkKeyData(kd: Untagged<KeyData>, where = 'KeyData'): KeyDataCheck {
  const pub = kd.PublicParameters;
  if (pub === undefined) bad(`${where}: no PublicParameters`);
  const udf = keyFingerprintOf(pub, `${where}.PublicParameters`);
  if (kd.Udf !== undefined && kd.Udf !== udf) bad(`${where}: Udf ${kd.Udf} is not the fingerprint of its public key (${udf})`);
  const priv = kd.PrivateParameters;
  if (priv !== undefined) {
    if (priv.$class === 'PrivateKeyECDH' && pub.$class === 'PublicKeyECDH') {
      const crv = ecCurve(priv.crv, `${where}.PrivateParameters`);
      if (crv !== pub.crv || !(priv.Private instanceof Uint8Array)) bad(`${where}: private key is not a ${String(pub.crv)} key`);
      let kp: KeyPair;
      try {
        kp = keyPairFromPrivate(crv, priv.Private);
      } catch (e) {
        throw new MeshError('MESH_BAD_KEY', `${where}: unusable ${crv} private key`, { cause: e });
      }
      if (!bytesEqual(kp.publicKey, pub.Public!)) bad(`${where}: private key does not match the public key`);
    } else if (priv.$class === 'PrivateKeyRSA' && pub.$class === 'PublicKeyRSA') {
      checkRsaPrivate(pub, priv, `${where}.PrivateParameters`);
    } else {
      bad(`${where}: a ${priv.$class} private key cannot go with a ${pub.$class} public key`);
    }
  }
  return { udf, udfMember: kd.Udf !== undefined, hasPrivate: priv !== undefined };
}

/** The DARE public key of a KeyData (EC keys; checks the fingerprint). */
export function publicKeyOf(kd: Untagged<KeyData>, where = 'KeyData'): DarePublicKey {
  const { udf } = checkKeyData({ ...kd, PrivateParameters: undefined }, where);
  const pub = kd.PublicParameters!;
  if (pub.$class !== 'PublicKeyECDH' && pub.$class !== 'PrivateKeyECDH') bad(`${where}: not an elliptic-curve key`);
  return darePublicKey(ecCurve(pub.crv, where) as DareKeyAlgorithm, pub.Public!, udf);
}

/** The DARE private key of a KeyData with PrivateKeyECDH parameters (checked against the public key). */
export function privateKeyOf(kd: Untagged<KeyData>, where = 'KeyData'): DarePrivateKey {
  checkKeyData(kd, where);
  const priv = kd.PrivateParameters;
  if (priv?.$class !== 'PrivateKeyECDH') bad(`${where}: no elliptic-curve private key`);
  const pub = publicKeyOf(kd, where);
  return { ...pub, privateKey: priv.Private! };
}
