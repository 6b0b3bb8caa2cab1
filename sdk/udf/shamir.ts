import { beToBigInt, bigIntToBe, fitsInBytes, mod, modInverse } from '../crypto/bigint.js';
import { UdfError } from './errors.js';
import { parseUdf, presentUdf } from './presentation.js';
import { defaultRandom, type RandomSource } from './random.js';
import { UDF_TYPE } from './types.js';

/**
 * Shamir secret sharing of byte strings, UDF type S (udf.md §7; draft §4.5, Appendix A/B).
 *
 * A secret of n bytes is the integer s = BE(secret), shared over the prime p(n) = 2^(8n) + off[n],
 * the smallest prime above 2^(8n). The prime is per *byte* length (udf.md §7 [DISAGREE]: the draft
 * says n is a multiple of 32 bits; the table and the code are per byte). A share for x = 1…m is
 * `(t << 4) | (x − 1)` followed by f(x) as exactly n bytes big-endian.
 */

/** off[n − 1] for n = 1…64 bytes: p(n) = 2^(8n) + off (UDFPrimes.md = draft Appendix A). */
export const SHAMIR_PRIME_OFFSETS: readonly number[] = [
  1, 1, 43, 15, 15, 21, 81, 13, 15, 13, 7, 61, 111, 25, 451, 51, 85, 175, 253, 7, 87, 427, 27, 133, 235, 375, 423, 735, 357,
  115, 81, 297, 175, 57, 45, 127, 61, 37, 91, 27, 15, 241, 231, 55, 105, 127, 115, 231, 207, 181, 37, 235, 163, 1093, 187, 211,
  21, 841, 445, 165, 777, 583, 133, 75,
];

/** Largest number of shares: the index x − 1 lives in 4 bits (and so does the threshold). */
export const MAX_SHARES = 15;

/** The sharing prime for an n-byte secret (1 ≤ n ≤ 64). */
export function shamirPrime(secretBytes: number): bigint {
  if (!Number.isInteger(secretBytes) || secretBytes < 1 || secretBytes > SHAMIR_PRIME_OFFSETS.length) {
    throw new UdfError('UDF_BAD_SECRET', `a shared secret must be 1..${SHAMIR_PRIME_OFFSETS.length} bytes, got ${String(secretBytes)}`);
  }
  return (1n << BigInt(8 * secretBytes)) + BigInt(SHAMIR_PRIME_OFFSETS[secretBytes - 1]!);
}

/** One share. */
export interface SecretShare {
  /** x, 1…15. */
  readonly index: number;
  /** Threshold t (the quorum needed to recover). */
  readonly threshold: number;
  /** f(x), n bytes big-endian. */
  readonly value: Uint8Array;
  /** `(t << 4 | x − 1) ‖ value`: the share's BDS. */
  readonly bytes: Uint8Array;
  /** The share UDF `present(0x90 ‖ bytes)` (`S…`). */
  readonly udf: string;
}

/** Options of {@link splitSecret}. */
export interface SplitOptions {
  /** Number of shares m (threshold ≤ m ≤ 15). */
  shares: number;
  /** Threshold t (the quorum), 1 ≤ t ≤ m. */
  threshold: number;
  random?: RandomSource;
}

function checkCounts(threshold: number, shares: number): void {
  if (!Number.isInteger(shares) || shares < 1 || shares > MAX_SHARES) {
    throw new UdfError('UDF_BAD_ARGUMENT', `number of shares must be 1..${MAX_SHARES}, got ${String(shares)}`);
  }
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > shares) {
    throw new UdfError('UDF_BAD_ARGUMENT', `threshold must be 1..${shares} (the number of shares), got ${String(threshold)}`);
  }
}

function checkSecret(secret: unknown): Uint8Array {
  if (!(secret instanceof Uint8Array)) throw new UdfError('UDF_BAD_ARGUMENT', 'secret must be a Uint8Array');
  shamirPrime(secret.length);
  return secret;
}

/** f(x) mod p by Horner's rule, coefficients a0 (the secret) … a(t−1). */
function evaluate(coefficients: readonly bigint[], x: bigint, p: bigint): bigint {
  let y = 0n;
  for (let i = coefficients.length - 1; i >= 0; i--) y = (y * x + coefficients[i]!) % p;
  return y;
}

function makeShare(threshold: number, index: number, value: Uint8Array): SecretShare {
  const bytes = new Uint8Array(1 + value.length);
  bytes[0] = (threshold << 4) | (index - 1);
  bytes.set(value, 1);
  const binary = new Uint8Array(1 + bytes.length);
  binary[0] = UDF_TYPE.SHARE;
  binary.set(bytes, 1);
  return { index, threshold, value, bytes, udf: presentUdf(binary) };
}

/**
 * Shares from given coefficients a1…a(t−1) (each in [0, p)), for reproducing published examples
 * (UDFSplit.md, draft §4.5). Throws `UDF_BAD_ARGUMENT` when some f(x) ≥ 2^(8n) does not fit in n
 * bytes — the draft requires replacing coefficients then; {@link splitSecret} does so.
 */
export function splitSecretWithCoefficients(
  secret: Uint8Array,
  threshold: number,
  shares: number,
  coefficients: readonly bigint[],
): SecretShare[] {
  checkSecret(secret);
  checkCounts(threshold, shares);
  const n = secret.length;
  const p = shamirPrime(n);
  if (coefficients.length !== threshold - 1 || coefficients.some((a) => typeof a !== 'bigint' || a < 0n || a >= p)) {
    throw new UdfError('UDF_BAD_ARGUMENT', `expected ${threshold - 1} coefficients in [0, p)`);
  }
  const poly = [beToBigInt(secret), ...coefficients];
  const out: SecretShare[] = [];
  for (let x = 1; x <= shares; x++) {
    const y = evaluate(poly, BigInt(x), p);
    if (!fitsInBytes(y, n)) throw new UdfError('UDF_BAD_ARGUMENT', `f(${x}) does not fit in ${n} bytes: choose other coefficients`);
    out.push(makeShare(threshold, x, bigIntToBe(y, n)));
  }
  return out;
}

/** A uniform integer in [0, p) by rejection sampling over 8n + 1 bits (p < 2^(8n+1)). */
function randomBelow(p: bigint, n: number, random: RandomSource): bigint {
  for (;;) {
    const b = random(n + 1);
    if (!(b instanceof Uint8Array) || b.length !== n + 1) throw new UdfError('UDF_BAD_ARGUMENT', `the random source must return ${n + 1} bytes`);
    b[0]! &= 1;
    const v = beToBigInt(b);
    b.fill(0);
    if (v < p) return v;
  }
}

/**
 * Splits a secret into `shares` shares, any `threshold` of which recover it (udf.md §7).
 * Coefficients are uniform in [0, p) with a non-zero leading one (so that fewer than t shares say
 * nothing); they are drawn again until every f(x) fits in n bytes, since p > 2^(8n) — the
 * reference's retry loop for this is broken (udf.md §7); here it is a plain loop, which ends
 * after one round with probability > 1 − 15·off/2^(8n).
 */
export function splitSecret(secret: Uint8Array, options: SplitOptions): SecretShare[] {
  checkSecret(secret);
  const { shares, threshold } = options;
  checkCounts(threshold, shares);
  const random = options.random ?? defaultRandom;
  const n = secret.length;
  const p = shamirPrime(n);
  const s = beToBigInt(secret);
  for (;;) {
    const poly = [s];
    for (let i = 1; i < threshold; i++) {
      let a = randomBelow(p, n, random);
      while (i === threshold - 1 && a === 0n) a = randomBelow(p, n, random);
      poly.push(a);
    }
    const values: Uint8Array[] = [];
    for (let x = 1; x <= shares; x++) {
      const y = evaluate(poly, BigInt(x), p);
      if (!fitsInBytes(y, n)) break;
      values.push(bigIntToBe(y, n));
    }
    poly.fill(0n);
    if (values.length === shares) return values.map((v, i) => makeShare(threshold, i + 1, v));
  }
}

/** A share as read back. */
export interface ParsedShare {
  readonly index: number;
  readonly threshold: number;
  readonly value: Uint8Array;
}

/** Reads a share UDF (`S…`) or its BDS bytes (`header ‖ value`). */
export function parseShare(share: string | Uint8Array): ParsedShare {
  let bytes: Uint8Array;
  if (typeof share === 'string') {
    const p = parseUdf(share);
    if (p.type !== UDF_TYPE.SHARE) throw new UdfError('UDF_WRONG_TYPE', `expected a share UDF ('S…'), got a ${p.info.name}`);
    bytes = p.value;
  } else if (share instanceof Uint8Array) {
    bytes = share;
  } else {
    throw new UdfError('UDF_BAD_ARGUMENT', 'a share must be a UDF string or bytes');
  }
  if (bytes.length < 2) throw new UdfError('UDF_BAD_SHARE', 'a share needs a header byte and a value');
  const threshold = bytes[0]! >> 4;
  if (threshold === 0) throw new UdfError('UDF_BAD_SHARE', 'share header says threshold 0');
  shamirPrime(bytes.length - 1);
  return { index: (bytes[0]! & 15) + 1, threshold, value: bytes.subarray(1) };
}

/** Lagrange interpolation of the points at X (mod p): Σ y_i Π_{j≠i} (X − x_j)/(x_i − x_j). */
function interpolate(points: readonly { x: bigint; y: bigint }[], at: bigint, p: bigint): bigint {
  let acc = 0n;
  for (let i = 0; i < points.length; i++) {
    let num = 1n;
    let den = 1n;
    for (let j = 0; j < points.length; j++) {
      if (i === j) continue;
      num = (num * mod(at - points[j]!.x, p)) % p;
      den = (den * mod(points[i]!.x - points[j]!.x, p)) % p;
    }
    acc = (acc + points[i]!.y * num * modInverse(den, p)) % p;
  }
  return acc;
}

/**
 * Recovers the secret from shares (udf.md §7, Lagrange at 0; Appendix B). All shares must have the
 * same length and threshold (`UDF_SHARE_MISMATCH`), distinct indices (`UDF_DUPLICATE_SHARE` for a
 * repeated share, `UDF_SHARE_MISMATCH` for two different values at one index), and there must be at
 * least t of them (`UDF_QUORUM`). Shares beyond t are checked to lie on the same polynomial, so
 * mixing splits is detected whenever more than t shares are given; with exactly t shares from
 * different splits the result is garbage or `UDF_SHARE_MISMATCH` (shares carry no split identifier,
 * draft §8.3). Returns n bytes big-endian.
 */
export function recoverSecret(shares: readonly (string | Uint8Array)[]): Uint8Array {
  if (!Array.isArray(shares) || shares.length === 0) throw new UdfError('UDF_QUORUM', 'no shares given');
  const parsed = shares.map((s) => parseShare(s));
  const first = parsed[0]!;
  const n = first.value.length;
  const t = first.threshold;
  const byIndex = new Map<number, ParsedShare>();
  for (const s of parsed) {
    if (s.value.length !== n) throw new UdfError('UDF_SHARE_MISMATCH', `shares of different lengths (${n} and ${s.value.length} bytes): not from one split`);
    if (s.threshold !== t) throw new UdfError('UDF_SHARE_MISMATCH', `shares with different thresholds (${t} and ${s.threshold}): not from one split`);
    const seen = byIndex.get(s.index);
    if (seen !== undefined) {
      const same = seen.value.every((b, i) => b === s.value[i]);
      throw same
        ? new UdfError('UDF_DUPLICATE_SHARE', `share ${s.index} given twice`)
        : new UdfError('UDF_SHARE_MISMATCH', `two different shares with index ${s.index}: not from one split`);
    }
    byIndex.set(s.index, s);
  }
  if (byIndex.size < t) throw new UdfError('UDF_QUORUM', `${byIndex.size} distinct share(s) given, the threshold is ${t}`);
  const p = shamirPrime(n);
  const points = [...byIndex.values()].map((s) => ({ x: BigInt(s.index), y: beToBigInt(s.value) }));
  const basis = points.slice(0, t);
  for (const extra of points.slice(t)) {
    if (interpolate(basis, extra.x, p) !== extra.y) {
      throw new UdfError('UDF_SHARE_MISMATCH', `share ${extra.x} does not lie on the polynomial of the others: not from one split`);
    }
  }
  const secret = interpolate(basis, 0n, p);
  if (!fitsInBytes(secret, n)) throw new UdfError('UDF_SHARE_MISMATCH', 'the shares do not interpolate to an n-byte secret: not from one split');
  return bigIntToBe(secret, n);
}
