import { CryptoError } from '../crypto/errors.js';
import { EncodingError } from '../encoding/errors.js';
import { readJsonBItems } from '../encoding/jsonb-reader.js';
import { encodeJsonB } from '../encoding/jsonb-writer.js';
import { concatBytes, constantTimeEqual } from '../encoding/bytes.js';
import type { DareEncryptionAlgorithm } from './algorithms.js';
import { DareError, decryptFailed } from './errors.js';
import { deriveItemKeys, edsSalt } from './kdf.js';
import { routedCrypto, type DareCrypto } from './provider.js';

/**
 * Encoded Data Sequences (dare.md §4.3): `item(prefix) ‖ item(body) [‖ item(mac)]`, each item a
 * JSON-B data item. Plaintext EDS have two items (the reference's form; the draft's "always
 * three" is not what it writes). Encrypted: body = AES-256-CBC under keys derived with
 * S = prefix ‖ Salt; `A256CBC-HS512` adds HMAC-SHA-512(mac key, ciphertext) as a third item.
 */

/** The crypto context of an encrypted envelope's EDS: cipher, base seed and header Salt (secret). */
export interface EdsContext {
  readonly enc: DareEncryptionAlgorithm;
  readonly baseSeed: Uint8Array;
  readonly salt: Uint8Array;
}

/** Encodes one EDS; `context` absent = plaintext. */
export function encodeEds(prefix: Uint8Array, body: Uint8Array, context?: EdsContext, c: DareCrypto = routedCrypto): Uint8Array {
  if (context === undefined) return concatBytes(encodeJsonB(prefix), encodeJsonB(body));
  const keys = deriveItemKeys(context.baseSeed, edsSalt(prefix, context.salt), c);
  try {
    const ct = c.aes256CbcEncrypt(keys.key, keys.iv, body);
    const items = [encodeJsonB(prefix), encodeJsonB(ct)];
    if (context.enc === 'A256CBC-HS512') items.push(encodeJsonB(c.hmacSha512(keys.mac, ct)));
    return concatBytes(...items);
  } finally {
    keys.key.fill(0);
    keys.iv.fill(0);
    keys.mac.fill(0);
  }
}

/** The parts of an EDS as read (before decryption). */
export interface EdsParts {
  readonly prefix: Uint8Array;
  readonly body: Uint8Array;
  readonly mac?: Uint8Array;
}

/** Splits an EDS into its items; anything but 2 or 3 data items is `DARE_BAD_ANNOTATION`. */
export function parseEds(eds: Uint8Array, where = 'EDS'): EdsParts {
  let items;
  try {
    items = readJsonBItems(eds, { maxDepth: 1 });
  } catch (e) {
    if (e instanceof EncodingError) throw new DareError('DARE_BAD_ANNOTATION', `${where}: ${e.message}`, { cause: e });
    throw e;
  }
  if ((items.length !== 2 && items.length !== 3) || !items.every((x) => x instanceof Uint8Array)) {
    throw new DareError('DARE_BAD_ANNOTATION', `${where}: not 2 or 3 JSON-B data items`);
  }
  const [prefix, body, mac] = items as Uint8Array[];
  return mac === undefined ? { prefix: prefix!, body: body! } : { prefix: prefix!, body: body!, mac };
}

/**
 * Decodes one EDS. Plaintext (`context` absent): the body. Encrypted: with `A256CBC-HS512` the MAC
 * item is checked before anything is decrypted; a missing or wrong MAC and a padding failure are
 * the same `DARE_DECRYPT_FAILED` (errors.ts `decryptFailed`), so a caller learns nothing about the
 * padding. Malformed structure is `DARE_BAD_ANNOTATION`. An `A256CBC` EDS has no MAC of its own:
 * decrypt it only once the envelope's PayloadMac (which covers the annotations through the header
 * digest) has verified, or under an explicit opt-in.
 */
export function decodeEds(eds: Uint8Array, context?: EdsContext, c: DareCrypto = routedCrypto, where = 'EDS'): { prefix: Uint8Array; body: Uint8Array } {
  const parts = parseEds(eds, where);
  if (context === undefined) {
    if (parts.mac !== undefined) throw new DareError('DARE_BAD_ANNOTATION', `${where}: a MAC item in a plaintext EDS`);
    return { prefix: parts.prefix, body: parts.body };
  }
  if (context.enc !== 'A256CBC-HS512' && parts.mac !== undefined) {
    throw new DareError('DARE_BAD_ANNOTATION', `${where}: a MAC item but enc is ${context.enc}`);
  }
  const keys = deriveItemKeys(context.baseSeed, edsSalt(parts.prefix, context.salt), c);
  try {
    if (context.enc === 'A256CBC-HS512' && (parts.mac === undefined || !constantTimeEqual(c.hmacSha512(keys.mac, parts.body), parts.mac))) {
      throw decryptFailed();
    }
    return { prefix: parts.prefix, body: c.aes256CbcDecrypt(keys.key, keys.iv, parts.body) };
  } catch (e) {
    if (e instanceof CryptoError) throw decryptFailed();
    throw e;
  } finally {
    keys.key.fill(0);
    keys.iv.fill(0);
    keys.mac.fill(0);
  }
}
