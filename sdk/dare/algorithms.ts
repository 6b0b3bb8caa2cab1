import { describeJsonValue } from '../encoding/json-value.js';
import { DareError } from './errors.js';

/**
 * Algorithm identifiers of DARE headers (dare.md §3). Only what the Mesh uses is implemented:
 * anything else is refused with `DARE_UNKNOWN_ALGORITHM` rather than guessed at (the reference
 * would run CBC for its GCM ids, dare.md §3).
 */

/** Payload ciphers: `A256CBC` (AES-256-CBC, PKCS#7), `A256CBC-HS512` (same + HMAC-SHA-512 tag on each EDS). */
export type DareEncryptionAlgorithm = 'A256CBC' | 'A256CBC-HS512';
/** Payload digests: `S512` (SHA-512, the Mesh's) and `S256` (SHA-256, read for completeness, dare.md §1). */
export type DareDigestAlgorithm = 'S512' | 'S256';
/** Key algorithms of recipients and signers (dare.md §4.1, §5). */
export type DareKeyAlgorithm = 'Ed25519' | 'Ed448' | 'X25519' | 'X448';

/** Every {@link DareEncryptionAlgorithm} this library implements (any other `enc` is `DARE_UNKNOWN_ALGORITHM`). */
export const ENCRYPTION_ALGORITHMS: readonly DareEncryptionAlgorithm[] = ['A256CBC', 'A256CBC-HS512'];
/** Every {@link DareDigestAlgorithm} this library implements. */
export const DIGEST_ALGORITHMS: readonly DareDigestAlgorithm[] = ['S512', 'S256'];
/** Every {@link DareKeyAlgorithm} this library implements. */
export const KEY_ALGORITHMS: readonly DareKeyAlgorithm[] = ['Ed25519', 'Ed448', 'X25519', 'X448'];

/** Base seed length for the payload ciphers: 32 bytes for AES-256 (dare.md §4.1). */
export const BASE_SEED_LENGTH = 32;
/** Length of the master `Salt` the encoder draws (dare.md §2.1: 16 random bytes in REF). */
export const SALT_LENGTH = 16;

export function encryptionAlgorithm(id: unknown, where: string): DareEncryptionAlgorithm {
  if (typeof id === 'string' && (ENCRYPTION_ALGORITHMS as readonly string[]).includes(id)) return id as DareEncryptionAlgorithm;
  throw new DareError('DARE_UNKNOWN_ALGORITHM', `${where}: unknown encryption algorithm ${describeJsonValue(id)}`);
}

export function digestAlgorithm(id: unknown, where: string): DareDigestAlgorithm {
  if (typeof id === 'string' && (DIGEST_ALGORITHMS as readonly string[]).includes(id)) return id as DareDigestAlgorithm;
  throw new DareError('DARE_UNKNOWN_ALGORITHM', `${where}: unknown digest algorithm ${describeJsonValue(id)}`);
}

export function keyAlgorithm(id: unknown, where: string): DareKeyAlgorithm {
  if (typeof id === 'string' && (KEY_ALGORITHMS as readonly string[]).includes(id)) return id as DareKeyAlgorithm;
  throw new DareError('DARE_UNKNOWN_ALGORITHM', `${where}: unknown key algorithm ${describeJsonValue(id)}`);
}
