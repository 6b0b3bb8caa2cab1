import { CryptoError } from '../crypto/errors.js';
import type { JsonObject } from '../encoding/json-value.js';
import { agree, ephemeralKey, EPHEMERAL_LENGTH } from './agreement.js';
import { keyAlgorithm, type DareKeyAlgorithm } from './algorithms.js';
import { DareError } from './errors.js';
import { asObject, bad, optBinary, optString } from './fields.js';
import { deriveKek, KEK_INFOS } from './kdf.js';
import type { DarePrivateKey, DarePublicKey } from './keys.js';
import { routedCrypto, type DareCrypto } from './provider.js';

/**
 * Recipient entries: the key exchange that hands each recipient the envelope's base seed
 * (dare.md §4.1): ephemeral key on the recipient's curve, Z = agreement, KEK = HKDF-SHA-512(Z,
 * no salt, info ""), `wmk` = AES-256 key wrap (RFC 3394) of the base seed.
 *
 * A *symmetric* recipient has no `epk`: the KEK comes from a secret both sides hold,
 * KEK = HKDF-SHA-512(secret, no salt, info "", 32), and `kid` is the secret's symmetric key id
 * (dare.md §6). The reference writes one for a publication's `EnvelopedData` (mesh-model.md §5.4,
 * §11; mesh-kinds.md D6).
 */

/** One `recipients` entry (dare.md §2.1 DareRecipient). */
export interface DareRecipient {
  /** UDF fingerprint of the recipient's public key, or the symmetric key id of a shared secret. */
  readonly kid: string;
  /**
   * Ephemeral public key: curve and bytes, written as `{"PublicKeyECDH": {"crv", "Public"}}`.
   * Absent for a symmetric recipient.
   */
  readonly epk?: { readonly crv: DareKeyAlgorithm; readonly publicKey: Uint8Array };
  /** Base seed wrapped under the KEK (40 bytes for a 32-byte seed). */
  readonly wmk: Uint8Array;
  /** Unused by the reference; kept when read so that re-encoding loses nothing. */
  readonly kwd?: string;
  readonly rkd?: string;
}

/** A recipient entry made by key agreement (it always has an `epk`). */
export type DareAgreementRecipient = DareRecipient & { readonly epk: NonNullable<DareRecipient['epk']> };

/** A shared secret that opens symmetric recipient entries (secret). `kid` defaults to its symmetric key id. */
export interface DareSymmetricKey {
  readonly kid: string;
  readonly secret: Uint8Array;
}

/** The intermediate values of an unwrap, for diagnostics and conformance vectors (secret). */
export interface UnwrapDetail {
  readonly agreement: Uint8Array;
  readonly kek: Uint8Array;
  readonly info: string;
  readonly baseSeed: Uint8Array;
}

/**
 * A recipient entry for `recipient`: draws `EPHEMERAL_LENGTH[curve]` bytes from `random` for the
 * ephemeral private key (dare.md §7 randomness order), wraps `baseSeed` with info `""`.
 */
export function wrapBaseSeed(
  recipient: DarePublicKey, baseSeed: Uint8Array, random: (n: number) => Uint8Array, c: DareCrypto = routedCrypto, info = '',
): DareAgreementRecipient {
  const eph = ephemeralKey(c, recipient.algorithm, random(EPHEMERAL_LENGTH[recipient.algorithm]));
  const z = agree(c, recipient.algorithm, eph.privateKey, recipient.publicKey, `recipient ${recipient.kid}`);
  const kek = deriveKek(c, z, info);
  try {
    return { kid: recipient.kid, epk: { crv: recipient.algorithm, publicKey: eph.publicKey }, wmk: c.aesKeyWrap(kek, baseSeed) };
  } finally {
    z.fill(0);
    kek.fill(0);
    eph.privateKey.fill(0);
  }
}

/**
 * Unwraps the base seed of `entry` with `key`, trying the KEK infos `""` then `"master"`
 * (dare.md §4.1). Returns `undefined` when the key does not open the entry (other curve, or the
 * RFC 3394 integrity check fails under both infos); throws `DARE_BAD_KEY` for an `epk` that is
 * not a valid point.
 */
export function unwrapBaseSeedDetail(entry: DareRecipient, key: DarePrivateKey, c: DareCrypto = routedCrypto): UnwrapDetail | undefined {
  if (entry.epk === undefined || entry.epk.crv !== key.algorithm) return undefined;
  const z = agree(c, key.algorithm, key.privateKey, entry.epk.publicKey, `recipient ${entry.kid} epk`, key.form);
  for (const info of KEK_INFOS) {
    const kek = deriveKek(c, z, info);
    try {
      return { agreement: z, kek, info, baseSeed: c.aesKeyUnwrap(kek, entry.wmk) };
    } catch (e) {
      kek.fill(0);
      if (!(e instanceof CryptoError)) throw e; // integrity (wrong key) or malformed wmk length
    }
  }
  z.fill(0);
  return undefined;
}

/**
 * A symmetric recipient entry for `secret` (no `epk`): KEK = HKDF-SHA-512(secret, no salt,
 * info "", 32), `wmk` = key wrap of `baseSeed`, `kid` = `key.kid`.
 */
export function wrapBaseSeedSymmetric(key: DareSymmetricKey, baseSeed: Uint8Array, c: DareCrypto = routedCrypto): DareRecipient {
  const kek = deriveKek(c, key.secret, '');
  try {
    return { kid: key.kid, wmk: c.aesKeyWrap(kek, baseSeed) };
  } finally {
    kek.fill(0);
  }
}

/**
 * Unwraps a symmetric entry (no `epk`) with a shared secret, trying the KEK infos `""` then
 * `"master"` as for agreement entries; `undefined` when the secret does not open it.
 */
export function unwrapBaseSeedSymmetric(entry: DareRecipient, key: DareSymmetricKey, c: DareCrypto = routedCrypto): Uint8Array | undefined {
  if (entry.epk !== undefined) return undefined;
  for (const info of KEK_INFOS) {
    const kek = deriveKek(c, key.secret, info);
    try {
      return c.aesKeyUnwrap(kek, entry.wmk);
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
    } finally {
      kek.fill(0);
    }
  }
  return undefined;
}

/** As {@link unwrapBaseSeedDetail}, returning only the base seed. */
export function unwrapBaseSeed(entry: DareRecipient, key: DarePrivateKey, c: DareCrypto = routedCrypto): Uint8Array | undefined {
  const d = unwrapBaseSeedDetail(entry, key, c);
  if (d === undefined) return undefined;
  d.agreement.fill(0);
  d.kek.fill(0);
  return d.baseSeed;
}

/** Writes an entry in the reference member order: kid, kwd, epk, wmk, rkd (dare.md §2.1). */
export function recipientToObject(r: DareRecipient): JsonObject {
  return {
    kid: r.kid,
    kwd: r.kwd,
    epk: r.epk === undefined ? undefined : { PublicKeyECDH: { crv: r.epk.crv, Public: r.epk.publicKey } },
    wmk: r.wmk,
    rkd: r.rkd,
  };
}

/** Reads an entry; an `epk`, when present, must be a tagged key object with a known `crv` (absent: a symmetric entry). */
export function recipientFromObject(v: unknown, where: string): DareRecipient {
  const o = asObject(v as JsonObject, where);
  const kid = optString(o, 'kid', where) ?? '';
  const kwd = optString(o, 'kwd', where);
  const rkd = optString(o, 'rkd', where);
  const extras = { ...(kwd === undefined ? {} : { kwd }), ...(rkd === undefined ? {} : { rkd }) };
  if (o['epk'] === undefined || o['epk'] === null) {
    const wmk = optBinary(o, 'wmk', where);
    if (wmk === undefined) bad(where, 'no wmk');
    return { kid, wmk, ...extras };
  }
  const epkTagged = asObject(o['epk'], `${where}.epk`);
  const tags = Object.keys(epkTagged);
  if (tags.length !== 1) bad(`${where}.epk`, 'not a tagged key object');
  const inner = asObject(epkTagged[tags[0]!], `${where}.epk.${tags[0]}`);
  const crv = keyAlgorithm(optString(inner, 'crv', `${where}.epk`), `${where}.epk.crv`);
  const publicKey = optBinary(inner, 'Public', `${where}.epk`);
  if (publicKey === undefined) bad(`${where}.epk`, 'no Public key');
  const wmk = optBinary(o, 'wmk', where);
  if (wmk === undefined) bad(where, 'no wmk');
  return { kid, epk: { crv, publicKey }, wmk, ...extras };
}

/**
 * Opens the first entry any of `keys` can unwrap: entries whose `kid` names a held key first,
 * then (because `kid` is not authenticated and the reference's can be stale) every held key of
 * the entry's curve, at most `maxAttempts` agreements in all; symmetric entries (no `epk`) are
 * tried with `secrets` the same way. Throws `DARE_NO_KEY` listing the recipient kids when none opens.
 */
export function openRecipients(
  entries: readonly DareRecipient[], keys: readonly DarePrivateKey[], c: DareCrypto = routedCrypto, maxAttempts = 64,
  secrets: readonly DareSymmetricKey[] = [],
): { baseSeed: Uint8Array; recipient: DareRecipient; key: DarePrivateKey | DareSymmetricKey } {
  const tried = new Set<string>();
  let attempts = 0;
  const attempt = (entry: DareRecipient, index: number, key: DarePrivateKey, keyIndex: number) => {
    const id = `${index}/${keyIndex}`;
    if (tried.has(id) || attempts >= maxAttempts || entry.epk?.crv !== key.algorithm) return undefined;
    tried.add(id);
    attempts++;
    try {
      return unwrapBaseSeed(entry, key, c);
    } catch (e) {
      if (e instanceof DareError && e.code === 'DARE_BAD_KEY') return undefined; // a bad epk: try the next entry
      throw e;
    }
  };
  for (const byKid of [true, false]) {
    for (const [i, entry] of entries.entries()) {
      for (const [k, key] of keys.entries()) {
        if (byKid && key.kid !== entry.kid) continue;
        const seed = attempt(entry, i, key, k);
        if (seed !== undefined) return { baseSeed: seed, recipient: entry, key };
      }
      if (entry.epk !== undefined) continue;
      for (const [k, key] of secrets.entries()) {
        const id = `${i}/s${k}`;
        if ((byKid && key.kid !== entry.kid) || tried.has(id) || attempts >= maxAttempts) continue;
        tried.add(id);
        attempts++;
        const seed = unwrapBaseSeedSymmetric(entry, key, c);
        if (seed !== undefined) return { baseSeed: seed, recipient: entry, key };
      }
    }
  }
  const kids = entries.map((e) => e.kid);
  throw new DareError('DARE_NO_KEY',
    `no decryption key for any recipient (recipients: ${kids.length ? kids.join(', ') : 'none'})`, { recipients: kids });
}
