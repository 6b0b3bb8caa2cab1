import { scryptAsync } from '@noble/hashes/scrypt.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { constantTimeEqual } from '../../encoding/bytes.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { hmacSha512 } from '../../crypto/index.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { MeshError } from '../errors.js';

/**
 * Passphrase → key, memory-hard (RFC 7914 scrypt, from @noble/hashes): what seals a home's
 * secrets and an exported account when the user sets a passphrase.
 *
 * Parameters: **N = 2^17, r = 8, p = 1** (128 MiB, about a second in pure TypeScript), 32-byte
 * output, a 16-byte random salt — the strongest of the usual recommendations for interactive
 * logins (OWASP's scrypt row), since a home is unlocked once per command. Every stored KDF record
 * carries its own parameters, so they can be raised later without breaking old homes; readers
 * refuse records below {@link MIN_LOG_N} (a record whose cost an attacker lowered would make
 * the passphrase cheap to guess) and above {@link MAX_LOG_N} (a memory bomb). Tests pass a lower
 * `logN` (the injectable cost), never below the floor.
 */
/** log2 of scrypt's N for new homes and exports: 2^17 (128 MiB with r = 8). */
export const DEFAULT_LOG_N = 17;
/** The lowest cost a stored record may name (and tests may choose): 2^10. */
export const MIN_LOG_N = 10;
/** The highest cost a stored record may name (1 GiB): refused above, as a memory bomb. */
export const MAX_LOG_N = 20;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

/** The parameters of one derivation, as stored (JSON). */
export interface KdfRecord {
  readonly kdf: 'scrypt';
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  /** base64url, 16 bytes. */
  readonly salt: string;
}

/** Cost settings a caller may choose (tests: a low `logN`). */
export interface KdfCost {
  readonly logN?: number;
}

/** Fresh parameters for a new derivation. */
export function newKdfRecord(cost: KdfCost = {}, random: RandomSource = defaultRandom): KdfRecord {
  const logN = cost.logN ?? DEFAULT_LOG_N;
  checkLogN(logN);
  return { kdf: 'scrypt', logN, r: R, p: P, salt: base64urlEncode(random(16)) };
}

function checkLogN(logN: unknown): asserts logN is number {
  if (typeof logN !== 'number' || !Number.isInteger(logN) || logN < MIN_LOG_N || logN > MAX_LOG_N) {
    throw new MeshError('MESH_HOME', `scrypt cost 2^${String(logN)} is outside 2^${MIN_LOG_N}..2^${MAX_LOG_N}`);
  }
}

/** Reads a stored KDF record, checking its parameters (`MESH_HOME` when unusable). */
export function readKdfRecord(value: unknown): KdfRecord {
  const o = value as Partial<KdfRecord> | undefined;
  if (o === undefined || typeof o !== 'object' || o.kdf !== 'scrypt') throw new MeshError('MESH_HOME', 'unknown key-derivation record (expected scrypt)');
  checkLogN(o.logN);
  if (o.r !== R || o.p !== P) throw new MeshError('MESH_HOME', `unsupported scrypt parameters r=${String(o.r)} p=${String(o.p)}`);
  let salt: Uint8Array;
  try {
    salt = base64urlDecode(String(o.salt));
  } catch (e) {
    throw new MeshError('MESH_HOME', 'key-derivation salt is not base64url', { cause: e });
  }
  if (salt.length < 16) throw new MeshError('MESH_HOME', 'key-derivation salt is shorter than 16 bytes');
  return { kdf: 'scrypt', logN: o.logN, r: R, p: P, salt: String(o.salt) };
}

/** The 32-byte key of a passphrase under a record's parameters. Secret. */
export async function deriveFromPassphrase(passphrase: string, record: KdfRecord): Promise<Uint8Array> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new MeshError('MESH_BAD_ARGUMENT', 'the passphrase is empty');
  const r = readKdfRecord(record);
  // NFC so that the same passphrase typed on two systems gives one key.
  return scryptAsync(utf8Encode(passphrase.normalize('NFC')), base64urlDecode(r.salt), {
    N: 2 ** r.logN, r: r.r, p: r.p, dkLen: KEY_BYTES, maxmem: 2 ** r.logN * 128 * r.r + 1024 * 1024,
  });
}

const CHECK_LABEL = utf8Encode('mathmesh home passphrase check');

/** A value that tells a wrong passphrase from a right one without decrypting anything (16 bytes of an HMAC). */
export function passphraseCheck(key: Uint8Array): string {
  return base64urlEncode(hmacSha512(key, CHECK_LABEL).subarray(0, 16));
}

/** Throws `MESH_BAD_PASSPHRASE` unless `key` gives `check`. */
export function verifyPassphraseCheck(key: Uint8Array, check: string): void {
  let want: Uint8Array;
  try {
    want = base64urlDecode(check);
  } catch (e) {
    throw new MeshError('MESH_HOME', 'the passphrase check value is not base64url', { cause: e });
  }
  if (!constantTimeEqual(base64urlDecode(passphraseCheck(key)), want)) throw new MeshError('MESH_BAD_PASSPHRASE', 'wrong passphrase');
}
