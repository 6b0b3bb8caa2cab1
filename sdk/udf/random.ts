/**
 * Randomness for nonces, keys, seeds, PINs and Shamir coefficients (design.md: "Randomness comes
 * from `crypto.getRandomValues`, injectable for deterministic tests"). Every function that draws
 * random bytes takes an optional `RandomSource`; production code leaves it out.
 */
export type RandomSource = (length: number) => Uint8Array;

/** `crypto.getRandomValues`, in chunks of its 65 536-byte limit. */
export const defaultRandom: RandomSource = (length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
};
