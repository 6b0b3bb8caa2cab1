import { UdfError } from './errors.js';
import { parseUdf, presentUdf } from './presentation.js';
import { recoverSecret, splitSecret, type SecretShare, type SplitOptions } from './shamir.js';
import { UDF_TYPE } from './types.js';

/**
 * Mesh escrow (udf.md §7, last paragraph): the secret shared is the *binary seed UDF*
 * `0xC8 ‖ keySpecifier ‖ seed`, so a recovered secret is a complete seed again.
 */

/** Splits a seed UDF (`Z…`) into share UDFs. */
export function escrowSeed(seed: string, options: SplitOptions): SecretShare[] {
  const p = parseUdf(seed);
  if (p.type !== UDF_TYPE.SEED) throw new UdfError('UDF_BAD_SEED', `only seed UDFs are escrowed, got a ${p.info.name}`);
  return splitSecret(p.binary, options);
}

/**
 * Recovers an escrowed seed UDF. Leading 0x00 bytes are skipped before the 0xC8 type byte is
 * checked, as the reference does (its big-integer conversion may prepend them).
 */
export function recoverSeed(shares: readonly (string | Uint8Array)[]): string {
  const secret = recoverSecret(shares);
  let i = 0;
  while (i < secret.length && secret[i] === 0) i++;
  if (secret[i] !== UDF_TYPE.SEED || secret.length - i < 4) {
    throw new UdfError('UDF_BAD_SEED', 'the recovered secret is not a seed UDF');
  }
  return presentUdf(secret.subarray(i));
}
