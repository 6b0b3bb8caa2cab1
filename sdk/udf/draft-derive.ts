import { keyAlgorithmName, keySpecifier, type KeyAlgorithmName } from './algorithms.js';
import { beToBigInt, nextPrime } from '../crypto/bigint.js';
import { UdfError } from './errors.js';
import { parseSeed } from './fixed.js';
import { hkdfSha512 } from './hashes.js';

/**
 * The derivation the draft's *examples* show (UDFDerive*.md, draft §4.4) — a documented curiosity,
 * **not** what the Mesh uses (that is derive.ts, udf.md §8.1):
 * ```
 * OKM = HKDF-SHA-512(IKM = keySpecifier ‖ seed, salt = keySpecifier(target algorithm), info = empty, L)
 * ```
 * The draft text says salt = none and info = specifier, yet its own examples reproduce only with
 * salt = specifier and empty info (udf.md §8.2 [DISAGREE]): they were made by a documentation
 * generator, not the library. Kept so that those published values can be checked.
 */

/** OKM lengths of the draft examples in bits (udf.md §8.2; RSA: the generator's 256, a bug). */
export const DRAFT_EXAMPLE_OKM_BITS: Readonly<Partial<Record<KeyAlgorithmName, number>>> = {
  X25519: 256, Ed25519: 256, X448: 448, Ed448: 448, P256: 320, P384: 448, P521: 592,
  RSA2048: 256, RSA3072: 256, RSA4096: 256,
};

/** Field primes P of the NIST curves (FIPS 186-4 D.1.2). */
export const NIST_FIELD_PRIME: Readonly<Record<'P256' | 'P384' | 'P521', bigint>> = {
  P256: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
  P384: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
  P521: 2n ** 521n - 1n,
};

/**
 * OKM of the draft-example variant for a target algorithm. For a seed of type Any the salt is the
 * *requested* algorithm's specifier; a seed for another algorithm is refused (`UDF_BAD_SEED`).
 */
export function draftExampleOkm(
  seed: string,
  algorithm: KeyAlgorithmName,
  options: { info?: Uint8Array; bits?: number } = {},
): Uint8Array {
  const parsed = parseSeed(seed);
  const own = keyAlgorithmName(parsed.specifier);
  if (own !== 'Any' && own !== algorithm) throw new UdfError('UDF_BAD_SEED', `this seed is for ${own ?? 'an unknown algorithm'}, not ${algorithm}`);
  const bits = options.bits ?? DRAFT_EXAMPLE_OKM_BITS[algorithm];
  if (bits === undefined || bits % 8 !== 0 || bits <= 0) throw new UdfError('UDF_UNKNOWN_ALGORITHM', `no draft-example OKM length for ${algorithm}`);
  return hkdfSha512(parsed.ikm, keySpecifier(algorithm), options.info ?? new Uint8Array(0), bits / 8);
}

/**
 * NIST-curve private scalar of the draft examples: `d = (c mod (P − 1)) + 1`, c = BE(OKM), where
 * P is the **field prime** — not the group order n of FIPS 186-4 B.4.1, which the examples do
 * not reproduce with (udf.md §8.2). Not used by the Mesh.
 */
export function draftExampleNistScalar(seed: string, curve: 'P256' | 'P384' | 'P521'): bigint {
  const p = NIST_FIELD_PRIME[curve];
  if (p === undefined) throw new UdfError('UDF_UNKNOWN_ALGORITHM', `not a NIST curve: ${String(curve)}`);
  return (beToBigInt(draftExampleOkm(seed, curve)) % (p - 1n)) + 1n;
}

/**
 * RSA primes of the draft examples: p = smallest prime ≥ BE(OKM(info "p")), q likewise with "q".
 * The examples used 256-bit OKMs (generator bug) instead of 1024/1536/2048: `bits` defaults to
 * that so the published values reproduce. Not a usable RSA key generator (no checks on p − 1,
 * |p − q|, e); the Mesh does not use RSA.
 */
export function draftExampleRsaPrimes(
  seed: string,
  algorithm: 'RSA2048' | 'RSA3072' | 'RSA4096',
  bits?: number,
): { p: bigint; q: bigint } {
  const okm = (tag: string): bigint =>
    beToBigInt(draftExampleOkm(seed, algorithm, { info: Uint8Array.of(tag.charCodeAt(0)), ...(bits === undefined ? {} : { bits }) }));
  return { p: nextPrime(okm('p')), q: nextPrime(okm('q')) };
}
