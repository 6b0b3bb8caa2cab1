/**
 * BigInt helpers, the one home of each for the SDK (crypto is the lowest layer that needs them):
 * fixed-length byte ↔ integer conversions in both byte orders (curve encodings are
 * little-endian, RFC 7748 §5 and RFC 8032 §5.2.2; Shamir shares and the draft-example
 * derivations are big-endian, udf.md §7), modular arithmetic and a primality test.
 *
 * None of this is constant time (BigInt never is): it serves the pure curve path (the portable
 * fallback and reference; the WASM path is the constant-time one), public values, and Shamir
 * splitting, where JavaScript offers no constant-time big integers (README, Security).
 */

/** Reads `b` as an unsigned little-endian integer. */
export function leToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** Reads `b` as an unsigned big-endian integer. */
export function beToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < b.length; i++) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** True when 0 <= n < 2^(8·length), i.e. `n` has a `length`-byte encoding. */
export function fitsInBytes(n: bigint, length: number): boolean {
  return n >= 0n && n >> BigInt(8 * length) === 0n;
}

/** Writes `n` as `length` little-endian bytes; RangeError unless {@link fitsInBytes}. */
export function bigIntToLe(n: bigint, length: number): Uint8Array {
  if (!fitsInBytes(n, length)) throw new RangeError(`integer does not fit in ${length} bytes`);
  const out = new Uint8Array(length);
  let v = n;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Writes `n` as `length` big-endian bytes; RangeError unless {@link fitsInBytes}. */
export function bigIntToBe(n: bigint, length: number): Uint8Array {
  if (!fitsInBytes(n, length)) throw new RangeError(`integer does not fit in ${length} bytes`);
  const out = new Uint8Array(length);
  let v = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
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

/** Inverse of a modulo m (extended Euclid); RangeError if gcd(a, m) ≠ 1 (0 included). */
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
