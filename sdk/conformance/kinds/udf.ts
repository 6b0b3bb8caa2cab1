import { hexEncode } from '../../encoding/hex.js';
import { authenticatorDetail } from '../../udf/authenticator.js';
import { CONTENT_TYPE } from '../../udf/constants.js';
import { contentDigestDetail } from '../../udf/digest.js';
import { keyFingerprintOfDer, parsePublicKeyDer, publicKeyDer } from '../../udf/fingerprint.js';
import { oidUdf } from '../../udf/fixed.js';
import { makeId } from '../../udf/message-id.js';
import { pinId, saltedPin } from '../../udf/pin.js';
import { parseUdf, presentSecret } from '../../udf/presentation.js';
import { recoverSecret, shamirPrime, SHAMIR_PRIME_OFFSETS, splitSecretWithCoefficients } from '../../udf/shamir.js';
import { compatibleName, parseSin, strongName } from '../../udf/sin.js';
import type { DigestAlgorithm } from '../../udf/types.js';
import { earlFor, parseUdfUri, udfLocatorUri, udfNameUri } from '../../udf/uri.js';
import {
  arr, dataField, Expected, expectEqual, fail, hexField, num, optNum, optStr, str,
} from '../check.js';
import type { Evaluator } from '../types.js';

/** Evaluators for the UDF kinds of udf.md §14 (udf.json), each through the public `mathmesh/udf` API. */

/** Vector algorithm names → ours. */
function digestAlgorithm(name: string | undefined): DigestAlgorithm {
  switch (name) {
    case undefined:
    case 'SHA-2-512':
    case 'SHA2-512':
    case 'SHA-512':
      return 'sha2';
    case 'SHA-3-512':
    case 'SHA3-512':
      return 'sha3';
    default:
      return fail(`unknown digest algorithm '${name}'`);
  }
}

const contentDigestKind: Evaluator = (v) => {
  const d = contentDigestDetail(dataField(v, 'data'), {
    contentType: str(v, 'content_type'),
    algorithm: digestAlgorithm(optStr(v, 'algorithm')),
    bits: num(v, 'precision_bits'),
  });
  const e = new Expected(v);
  e.str('udf', d.udf);
  e.hex('data_digest_hex', d.cdv);
  e.hex('typed_digest_hex', d.tcdv);
  e.num('type_code', d.type);
  e.num('compression', d.compression);
  e.num('compression_level', d.compression);
  prefixOf(e, 'binary_prefix_hex', d.binary);
  e.done();
};

/** `expected.<name>` must be a non-empty prefix of `binary` (the vectors print the binary up to the 512-bit cap). */
function prefixOf(e: Expected, name: string, binary: Uint8Array): void {
  if (!e.has(name)) return;
  const want = String(e.take(name)).toLowerCase();
  const got = hexEncode(binary);
  if (want.length === 0 || !got.startsWith(want)) fail(`expected.${name}: ${want} is not a prefix of ${got}`);
}

const authenticatorKind: Evaluator = (v) => {
  const alg = optStr(v, 'algorithm');
  if (alg !== undefined && alg !== 'HMAC-SHA-2-512') fail(`authenticator algorithm '${alg}' is not implemented (the reference has only HMAC-SHA-2-512)`);
  const d = authenticatorDetail(dataField(v, 'data'), str(v, 'key_string'), {
    contentType: str(v, 'content_type'),
    bits: num(v, 'precision_bits'),
  });
  const e = new Expected(v);
  e.str('udf', d.udf);
  e.hex('data_digest_hex', d.cdv);
  e.hex('prk_hex', d.prk);
  e.hex('okm_hex', d.okm);
  e.hex('mac_hex', d.mac);
  e.num('type_code', 0);
  prefixOf(e, 'binary_prefix_hex', Uint8Array.of(0, ...d.mac));
  e.done();
};

const udfParseKind: Evaluator = (v) => {
  // The vector checks parsing itself; the minimum-precision policy for digests (parseUdf's
  // default of 100 bits) is not something a parse vector expresses, so it is lifted here.
  const p = parseUdf(str(v, 'udf'), { minBits: 0 });
  const e = new Expected(v);
  e.num('type_code', p.type);
  e.hex('value_hex', p.value);
  e.num('value_length', p.value.length);
  e.num('trailing_bits_discarded', p.discardedBits);
  e.num('discarded_bits', p.discardedBits);
  e.done();
};

const oidKind: Evaluator = (v) => {
  const der = hexField(v, 'der_hex');
  const { algorithm, publicKey } = parsePublicKeyDer(der);
  expectEqual('public_key_hex (inside der_hex)', publicKey, hexField(v, 'public_key_hex'));
  expectEqual('der_hex (rebuilt)', publicKeyDer(algorithm, publicKey), der);
  const ct = optStr(v, 'fingerprint_content_type');
  if (ct !== undefined && ct !== CONTENT_TYPE.PKIX_KEY) fail(`fingerprint content type '${ct}' is not the library's '${CONTENT_TYPE.PKIX_KEY}'`);
  const e = new Expected(v);
  e.str('oid_udf', () => oidUdf(der));
  e.str('fingerprint_udf', () => keyFingerprintOfDer(der, optNum(v, 'precision_bits')));
  e.done();
};

const earlKind: Evaluator = (v) => {
  const ct = optStr(v, 'identifier_content_type');
  if (ct !== undefined && ct !== CONTENT_TYPE.UDF_ENCRYPTION) fail(`identifier content type '${ct}' is not the library's '${CONTENT_TYPE.UDF_ENCRYPTION}'`);
  if (digestAlgorithm(optStr(v, 'identifier_algorithm')) !== 'sha2') fail('EARL identifiers are SHA-2-512 digests');
  const earl = earlFor(str(v, 'domain'), str(v, 'key_udf'), optNum(v, 'identifier_precision_bits'));
  const e = new Expected(v);
  e.str('earl', earl.earl);
  e.str('identifier', earl.identifier);
  e.str('resolution_url', earl.url);
  e.done();
};

const udfUriKind: Evaluator = (v) => {
  const form = str(v, 'form');
  const udf = str(v, 'udf');
  let uri: string;
  if (form === 'name') uri = udfNameUri(udf);
  else if (form === 'locator') uri = udfLocatorUri(str(v, 'domain'), udf);
  else return fail(`unknown URI form '${form}'`);
  const back = parseUdfUri(uri);
  expectEqual('parsed form', back.form, form);
  expectEqual('parsed UDF', back.udf.text, parseUdf(udf).text);
  const e = new Expected(v);
  e.str('uri', uri);
  e.done();
};

const sinKind: Evaluator = (v) => {
  const address = str(v, 'address');
  const udf = str(v, 'udf');
  const compatible = compatibleName(address, udf);
  const strong = strongName(address, udf);
  for (const name of [compatible, strong]) {
    const p = parseSin(name);
    expectEqual(`parseSin(${name}).address`, p.address, address);
    expectEqual(`parseSin(${name}).udf`, p.udf?.text, parseUdf(udf).text);
  }
  const e = new Expected(v);
  e.str('plain', parseSin(address).address);
  e.str('sin_compatible', compatible);
  e.str('sin_strong', strong);
  e.done();
};

const messageIdKind: Evaluator = (v) => {
  const e = new Expected(v);
  e.str('udf', makeId(str(v, 'message_id'), str(v, 'content_type'), optNum(v, 'precision_bits')));
  e.done();
};

const pinSaltKind: Evaluator = (v) => {
  const e = new Expected(v);
  e.str('salted_pin', saltedPin(str(v, 'pin'), str(v, 'action'), optNum(v, 'precision_bits')));
  e.done();
};

const pinIdKind: Evaluator = (v) => {
  const e = new Expected(v);
  e.str('pin_id', pinId(str(v, 'salted_pin'), str(v, 'account'), optNum(v, 'precision_bits')));
  e.done();
};

/** SchemaPINFunction.md's "PinId": the same function keyed by the raw PIN (udf.md §11 [DISAGREE]). */
const pinIdDocVariantKind: Evaluator = (v) => {
  const e = new Expected(v);
  e.str('pin_id', pinId(str(v, 'pin'), str(v, 'account'), optNum(v, 'precision_bits')));
  e.done();
};

/** `2^(8n)+off` as the vectors print primes. */
function primeText(n: number): string {
  return `2^${8 * n}+${SHAMIR_PRIME_OFFSETS[n - 1]}`;
}

function checkPrime(text: string, n: number): void {
  const m = /^2\^(\d+)\s*\+\s*(\d+)$/.exec(text.replace(/\s/g, ''));
  const value = m ? (1n << BigInt(m[1]!)) + BigInt(m[2]!) : /^\d+$/.test(text) ? BigInt(text) : fail(`cannot read prime '${text}'`);
  expectEqual(`prime for ${n} bytes`, value.toString(), shamirPrime(n).toString());
}

const shamirSplitKind: Evaluator = (v) => {
  const secret = hexField(v, 'secret_hex');
  const threshold = num(v, 'threshold');
  const shares = num(v, 'shares');
  if (v['prime'] !== undefined) checkPrime(str(v, 'prime'), secret.length);
  let coefficients = arr(v, 'coefficients_dec').map((c) => BigInt(String(c)));
  // Vectors list either a0 … a(t−1) (a0 = the secret) or only a1 … a(t−1).
  if (coefficients.length === threshold) {
    expectEqual('coefficients_dec[0] (a0 = secret)', coefficients[0]!.toString(), BigInt('0x' + (hexEncode(secret) || '0')).toString());
    coefficients = coefficients.slice(1);
  }
  const out = splitSecretWithCoefficients(secret, threshold, shares, coefficients);
  const e = new Expected(v);
  e.str('secret_presentation', presentSecret(secret));
  listEqual(e, 'share_values_dec', out.map((s) => BigInt('0x' + hexEncode(s.value)).toString()));
  listEqual(e, 'share_bytes_hex', out.map((s) => hexEncode(s.bytes)), true);
  listEqual(e, 'share_udfs', out.map((s) => s.udf));
  e.done();
  // And the shares recover the secret from any threshold-sized window.
  for (let i = 0; i + threshold <= shares; i++) {
    expectEqual(`recover shares ${i + 1}..${i + threshold}`, recoverSecret(out.slice(i, i + threshold).map((s) => s.udf)), secret);
  }
};

function listEqual(e: Expected, name: string, actual: string[], lowerCase = false): void {
  if (!e.has(name)) return;
  const want = e.take(name);
  if (!Array.isArray(want)) fail(`expected.${name} is not an array`);
  expectEqual(`expected.${name}.length`, actual.length, want.length);
  want.forEach((w, i) => expectEqual(`expected.${name}[${i}]`, actual[i], lowerCase ? String(w).toLowerCase() : String(w)));
}

const shamirRecoverKind: Evaluator = (v) => {
  const secret = recoverSecret(arr(v, 'share_udfs').map(String));
  const e = new Expected(v);
  e.hex('secret_hex', secret);
  e.str('secret_presentation', () => presentSecret(secret));
  e.done();
};

const shamirPrimeTableKind: Evaluator = (v) => {
  const e = new Expected(v);
  const primes = e.take('primes');
  if (!Array.isArray(primes) || primes.length === 0) fail('expected.primes is not a non-empty array');
  for (const entry of primes as Record<string, unknown>[]) {
    const n = num(entry, 'secret_bytes');
    checkPrime(str(entry, 'prime'), n);
    expectEqual(`prime text for ${n} bytes`, str(entry, 'prime').replace(/\s/g, ''), primeText(n));
  }
  e.done();
};

/** Registers the UDF kinds. */
export function udfKinds(): Record<string, Evaluator> {
  return {
    'content-digest': contentDigestKind,
    authenticator: authenticatorKind,
    'udf-parse': udfParseKind,
    oid: oidKind,
    earl: earlKind,
    'udf-uri': udfUriKind,
    sin: sinKind,
    'message-id': messageIdKind,
    'pin-salt': pinSaltKind,
    'pin-id': pinIdKind,
    'pin-id-docvariant': pinIdDocVariantKind,
    'shamir-split': shamirSplitKind,
    'shamir-recover': shamirRecoverKind,
    'shamir-prime-table': shamirPrimeTableKind,
  };
}
