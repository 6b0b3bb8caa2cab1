import { concatBytes } from '../encoding/bytes.js';
import { utf8Encode } from '../encoding/utf8.js';
import { hkdfSha256 } from './sha256.js';
import { routedCrypto, type DareCrypto } from './provider.js';

/**
 * Key derivation of DARE (dare.md §4.1, §4.2, §5). Labels are the reference's bare words — the
 * draft's `dare-encrypt` / `dare-iv` / `dare-mac` / `dare-master` do not reproduce any example
 * (dare.md §10); we follow the reference examples.
 */

/** HKDF info strings of the per-item keys (dare.md §4.2). */
export const ITEM_KEY_LABELS = { key: 'encrypt', iv: 'iv', mac: 'mac' } as const;

/**
 * KEK info strings a decoder tries, in order: `""` (production reference code, and what our
 * encoder writes) then `"master"` (the reference's example generator, dare.md §4.1 warning).
 */
export const KEK_INFOS: readonly string[] = ['', 'master'];

/** Per-item keys: AES-256 key, CBC IV and (for `A256CBC-HS512`) the HMAC key. Secret. */
export interface ItemKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly mac: Uint8Array;
}

const ALL_INFOS: readonly Uint8Array[] = [utf8Encode(ITEM_KEY_LABELS.key), utf8Encode(ITEM_KEY_LABELS.iv), utf8Encode(ITEM_KEY_LABELS.mac)];
const ALL_LENGTHS: readonly number[] = [32, 16, 32];
const CBC_INFOS: readonly Uint8Array[] = ALL_INFOS.slice(0, 2);
const CBC_LENGTHS: readonly number[] = [32, 16];

/**
 * dare.md §4.2: PRK = HKDF-Extract-SHA-256(salt, base seed); key = Expand(PRK, "encrypt", 32),
 * iv = Expand(PRK, "iv", 16), mac = Expand(PRK, "mac", 32). `salt` is the header `Salt` for the
 * payload, {@link edsSalt} for an annotation. Runs on `c` (default: the routed provider).
 */
export function deriveItemKeys(baseSeed: Uint8Array, salt: Uint8Array, c: DareCrypto = routedCrypto): ItemKeys {
  const [key, iv, mac] = c.hkdfSha256Multi(baseSeed, salt, ALL_INFOS, ALL_LENGTHS) as [Uint8Array, Uint8Array, Uint8Array];
  return { key, iv, mac };
}

/**
 * The key and IV only (dare.md §4.2), for `A256CBC`, which has no MAC key: what a sequence frame
 * needs. One extract and two expands — on the WASM provider a single call into the core.
 */
export function deriveCbcKeys(baseSeed: Uint8Array, salt: Uint8Array, c: DareCrypto = routedCrypto): { key: Uint8Array; iv: Uint8Array } {
  const [key, iv] = c.hkdfSha256Multi(baseSeed, salt, CBC_INFOS, CBC_LENGTHS) as [Uint8Array, Uint8Array];
  return { key, iv };
}

/** Salt of an EDS: `prefix ‖ header Salt`, prefix first (dare.md §4.2, §4.3). */
export function edsSalt(prefix: Uint8Array, salt: Uint8Array): Uint8Array {
  return concatBytes(prefix, salt);
}

/**
 * The reference's `MakeSalt(n)` for an EDS counter: one byte for n < 256 (dare.md §4.3). Larger
 * counters have a buggy reference encoding, so they are refused rather than reproduced.
 */
export function edsPrefix(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new RangeError('EDS counter must be 0..255');
  return Uint8Array.of(n);
}

/** KEK = HKDF-SHA-512(IKM = Z, no salt, info, 32) (dare.md §4.1 step 3; no salt = HashLen zero bytes, RFC 5869 §2.2). */
export function deriveKek(c: DareCrypto, agreement: Uint8Array, info: string | Uint8Array = ''): Uint8Array {
  return c.hkdfSha512(agreement, new Uint8Array(64), typeof info === 'string' ? utf8Encode(info) : info, 32);
}

/**
 * Witness of a signed and encrypted envelope (dare.md §5): HKDF-SHA-256(IKM = base seed,
 * salt = header Salt, info = the raw signature bytes, 32). It proves the signer knew the base
 * seed, and it binds the `Salt` to the signature (the header is otherwise unauthenticated).
 */
export function witness(baseSeed: Uint8Array, salt: Uint8Array, signature: Uint8Array, c: DareCrypto = routedCrypto): Uint8Array {
  return hkdfSha256(baseSeed, salt, signature, 32, c);
}
