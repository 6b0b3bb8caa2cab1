/**
 * BigInt helpers private to `mathmesh/udf` (Shamir arithmetic, prime searches of the draft-example
 * derivations). Variable time: they handle secrets only in Shamir splitting/recovery, where
 * JavaScript offers no constant-time big-integer arithmetic (README, Security).
 */

/** Big-endian bytes → non-negative integer. */
export function bytesToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < b.length; i++) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** Non-negative integer → exactly `length` big-endian bytes; `undefined` if it does not fit. */
export function bigIntToBytes(n: bigint, length: number): Uint8Array | undefined {
  if (n < 0n) return undefined;
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return n === 0n ? out : undefined;
}

/** a mod m in [0, m). */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** base^exp mod m (square and multiply). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Inverse of a modulo m (extended Euclid); throws if gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

const SMALL_PRIMES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n, 67n, 71n];

/**
 * Miller–Rabin with the first 20 primes as fixed bases: deterministic below 3.3·10^24 and an error
 * probability below 4^-20 for larger (non-adversarial) candidates — ample for checking the
 * published prime tables and the draft-example RSA derivation, which are not secrets.
 */
export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (const a of SMALL_PRIMES) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** Smallest prime ≥ n. */
export function nextPrime(n: bigint): bigint {
  if (n <= 2n) return 2n;
  let c = n | 1n; // the smallest odd number >= n
  while (!isProbablePrime(c)) c += 2n;
  return c;
}
