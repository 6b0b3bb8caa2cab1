import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import type { IField } from '@noble/curves/abstract/modular.js';

/**
 * Constants of the two Montgomery curves (crypto.md §2, RFC 7748 §4.1–4.2). The field objects
 * are @noble's (shared with its Edwards curves over the same prime), so the pure path has one
 * implementation of p-arithmetic, square roots and inversion.
 */
export interface MontgomeryParams {
  readonly name: 'X25519' | 'X448';
  readonly Fp: IField<bigint>;
  readonly p: bigint;
  /** Curve coefficient A of v² = u³ + A·u² + u (B = 1). */
  readonly A: bigint;
  /** (A − 2) / 4, the ladder constant of RFC 7748 §5. */
  readonly a24: bigint;
  /** Order q of the prime subgroup (equal to the Edwards group order L). */
  readonly q: bigint;
  /** Ladder iterations: bits t = bits − 1 … 0 (255 / 448). */
  readonly bits: number;
  /** Length of a u-coordinate / scalar encoding (32 / 56). */
  readonly bytes: number;
  readonly baseU: bigint;
  readonly baseV: bigint;
  /** RFC 7748 §5 decodeScalar: clamp the private key bytes into an integer. */
  clamp(privateKey: Uint8Array): Uint8Array;
}

const clamp25519 = (k: Uint8Array): Uint8Array => {
  const b = Uint8Array.from(k);
  b[0]! &= 248;
  b[31]! &= 127;
  b[31]! |= 64;
  return b;
};

const clamp448 = (k: Uint8Array): Uint8Array => {
  const b = Uint8Array.from(k);
  b[0]! &= 252;
  b[55]! |= 128;
  return b;
};

export const X25519_PARAMS: MontgomeryParams = {
  name: 'X25519',
  Fp: ed25519.Point.Fp,
  p: 2n ** 255n - 19n,
  A: 486662n,
  a24: 121665n,
  q: 2n ** 252n + 27742317777372353535851937790883648493n,
  bits: 255,
  bytes: 32,
  baseU: 9n,
  baseV: 14781619447589544791020593568409986887264606134616475288964881837755586237401n,
  clamp: clamp25519,
};

export const X448_PARAMS: MontgomeryParams = {
  name: 'X448',
  Fp: ed448.Point.Fp,
  p: 2n ** 448n - 2n ** 224n - 1n,
  A: 156326n,
  a24: 39081n,
  q: 2n ** 446n - 13818066809895115352007386748515426880336692474882178609894547503885n,
  bits: 448,
  bytes: 56,
  baseU: 5n,
  baseV:
    355293926785568175264127502063783334808976399387714271831880898435169088786967410002932673765864550910142774147268105838985595290606362n,
  clamp: clamp448,
};

/** Order L of the Ed448 base point (= X448 q), RFC 8032 §5.2. */
export const ED448_L = X448_PARAMS.q;
/** Order L of the Ed25519 base point (= X25519 q), RFC 8032 §5.1. */
export const ED25519_L = X25519_PARAMS.q;

/** c = the odd √−486664 of crypto.md §2: v = c·u/x maps Ed25519 to Curve25519 with the reference's sign. */
export const ED25519_TO_MONT_C =
  51042569399160536130206135233146329284152202253034631822681833788666877215207n;

export function montgomeryParams(curve: 'X25519' | 'X448'): MontgomeryParams {
  return curve === 'X448' ? X448_PARAMS : X25519_PARAMS;
}
