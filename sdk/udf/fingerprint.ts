import { CONTENT_TYPE } from './constants.js';
import { contentDigest } from './digest.js';
import { UdfError } from './errors.js';
import { oidUdf } from './fixed.js';
import { DEFAULT_PRECISION } from './presentation.js';

/**
 * Public-key fingerprints (udf.md §6.4): the `Udf` of every Mesh key, used as `kid`.
 *
 * The reference's SubjectPublicKeyInfo is **not** RFC 8410: the AlgorithmIdentifier carries NULL
 * parameters and the key is an OCTET STRING inside the BIT STRING:
 * ```
 * 30 L1  30 07 06 03 2B 65 XX 05 00  03 L2 00  04 NN <public key>
 * XX: 70 Ed25519, 71 Ed448, 6E X25519, 6F X448
 * ```
 * X25519/X448 keys are the 33/57-byte *signed* Montgomery encodings (crypto.md §2). The
 * fingerprint is the SHA-2-512 content digest of that DER with content type `PKIXKey` (the
 * reference constant name, not the draft's `application/pkix-keyinfo`, udf.md §3.3), 140 bits.
 */

/** Key algorithms with a fingerprint encoding. */
export type PublicKeyAlgorithm = 'Ed25519' | 'Ed448' | 'X25519' | 'X448';

const OID_BYTE: Record<PublicKeyAlgorithm, number> = { Ed25519: 0x70, Ed448: 0x71, X25519: 0x6e, X448: 0x6f };
/** Public key lengths as the reference encodes them (X curves: signed form). */
export const PUBLIC_KEY_LENGTH: Readonly<Record<PublicKeyAlgorithm, number>> = { Ed25519: 32, Ed448: 57, X25519: 33, X448: 57 };

/** The reference SubjectPublicKeyInfo DER of a public key. */
export function publicKeyDer(algorithm: PublicKeyAlgorithm, publicKey: Uint8Array): Uint8Array {
  const oid = OID_BYTE[algorithm];
  if (oid === undefined) throw new UdfError('UDF_UNKNOWN_ALGORITHM', `no key encoding for algorithm ${String(algorithm)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH[algorithm]) {
    throw new UdfError('UDF_BAD_ARGUMENT',
      `${algorithm} public key must be ${PUBLIC_KEY_LENGTH[algorithm]} bytes${algorithm.startsWith('X') ? ' (signed form)' : ''}`);
  }
  const n = publicKey.length;
  const l2 = n + 3; // unused-bits byte, OCTET STRING tag and length
  const l1 = 9 + 2 + l2;
  const der = new Uint8Array(2 + l1);
  der.set([0x30, l1, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, oid, 0x05, 0x00, 0x03, l2, 0x00, 0x04, n]);
  der.set(publicKey, 16);
  return der;
}

/** Reads a reference SubjectPublicKeyInfo DER back into algorithm and key; anything else throws `UDF_BAD_ARGUMENT`. */
export function parsePublicKeyDer(der: Uint8Array): { algorithm: PublicKeyAlgorithm; publicKey: Uint8Array } {
  const bad = (): UdfError => new UdfError('UDF_BAD_ARGUMENT', 'not a reference SubjectPublicKeyInfo (udf.md §6.4)');
  if (!(der instanceof Uint8Array) || der.length < 17) throw bad();
  const algorithm = (Object.keys(OID_BYTE) as PublicKeyAlgorithm[]).find((a) => OID_BYTE[a] === der[8]);
  if (algorithm === undefined) throw bad();
  const publicKey = der.subarray(16);
  let expected: Uint8Array;
  try {
    expected = publicKeyDer(algorithm, publicKey);
  } catch {
    throw bad();
  }
  if (expected.length !== der.length || expected.some((b, i) => b !== der[i])) throw bad();
  return { algorithm, publicKey: publicKey.slice() };
}

/** Fingerprint of a DER-encoded key: content digest, type `PKIXKey`, SHA-2-512 (default 140 bits). */
export function keyFingerprintOfDer(der: Uint8Array, bits: number = DEFAULT_PRECISION): string {
  return contentDigest(der, { contentType: CONTENT_TYPE.PKIX_KEY, algorithm: 'sha2', bits });
}

/** The `Udf` / `kid` of a public key (udf.md §6.4), e.g. `MACJ-BWDW-…` for the examples' Ed25519 key. */
export function keyFingerprint(algorithm: PublicKeyAlgorithm, publicKey: Uint8Array, bits: number = DEFAULT_PRECISION): string {
  return keyFingerprintOfDer(publicKeyDer(algorithm, publicKey), bits);
}

/** The OID UDF of a public key: `present(0x70 ‖ DER)` (udf.md §6.4), e.g. `OAYC-4MAH-…`. */
export function publicKeyOidUdf(algorithm: PublicKeyAlgorithm, publicKey: Uint8Array): string {
  return oidUdf(publicKeyDer(algorithm, publicKey));
}

/** DER length octets. */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) out.unshift(x & 0xff);
  return [0x80 | out.length, ...out];
}

function derTlv(tag: number, body: Uint8Array): Uint8Array {
  const len = derLength(body.length);
  const out = new Uint8Array(1 + len.length + body.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(body, 1 + len.length);
  return out;
}

/** A DER INTEGER of an unsigned big-endian magnitude (leading zeros stripped, 0x00 added before a high bit). */
function derUnsigned(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  const body = m.length > 0 && m[0]! >= 0x80 ? Uint8Array.of(0, ...m) : m.length === 0 ? Uint8Array.of(0) : m;
  return derTlv(0x02, body);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
const RSA_ALGORITHM_ID = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00);

/**
 * The standard SubjectPublicKeyInfo DER of an RSA key (RFC 8017 RSAPublicKey under rsaEncryption):
 * what the reference fingerprints for `PublicKeyRSA` (mesh-kinds.md D2) — unlike its EC keys,
 * whose SPKI is non-standard. `n` and `e` are big-endian magnitudes as JOSE carries them.
 */
export function rsaPublicKeyDer(n: Uint8Array, e: Uint8Array): Uint8Array {
  if (!(n instanceof Uint8Array) || !(e instanceof Uint8Array) || n.length === 0 || e.length === 0) {
    throw new UdfError('UDF_BAD_ARGUMENT', 'RSA n and e must be non-empty Uint8Arrays');
  }
  const rsaPublicKey = derTlv(0x30, concat(derUnsigned(n), derUnsigned(e)));
  return derTlv(0x30, concat(RSA_ALGORITHM_ID, derTlv(0x03, concat(Uint8Array.of(0), rsaPublicKey))));
}

/** The `Udf` / `kid` of an RSA public key: content digest (`PKIXKey`) of {@link rsaPublicKeyDer}. */
export function rsaKeyFingerprint(n: Uint8Array, e: Uint8Array, bits: number = DEFAULT_PRECISION): string {
  return keyFingerprintOfDer(rsaPublicKeyDer(n, e), bits);
}
