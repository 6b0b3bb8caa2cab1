import { CryptoError } from '../crypto/errors.js';
import { EncodingError } from '../encoding/errors.js';
import { readJsonBItems } from '../encoding/jsonb-reader.js';
import { encodeJsonB } from '../encoding/jsonb-writer.js';
import { concatBytes, constantTimeEqual } from '../encoding/bytes.js';
import type { DareEncryptionAlgorithm } from './algorithms.js';
import { DareError } from './errors.js';
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
 * Decodes one EDS. Plaintext (`context` absent): the body. Encrypted: checks the MAC item when the
 * cipher has one (missing or wrong → `DARE_BAD_ANNOTATION`) before decrypting; a padding failure is
 * `DARE_DECRYPT_FAILED`.
 */
export function decodeEds(eds: Uint8Array, context?: EdsContext, c: DareCrypto = routedCrypto, where = 'EDS'): { prefix: Uint8Array; body: Uint8Array } {
  const parts = parseEds(eds, where);
  if (context === undefined) {
    if (parts.mac !== undefined) throw new DareError('DARE_BAD_ANNOTATION', `${where}: a MAC item in a plaintext EDS`);
    return { prefix: parts.prefix, body: parts.body };
  }
  const keys = deriveItemKeys(context.baseSeed, edsSalt(parts.prefix, context.salt), c);
  try {
    if (context.enc === 'A256CBC-HS512') {
      if (parts.mac === undefined || !constantTimeEqual(c.hmacSha512(keys.mac, parts.body), parts.mac)) {
        throw new DareError('DARE_BAD_ANNOTATION', `${where}: MAC ${parts.mac === undefined ? 'missing' : 'does not match'}`);
      }
    } else if (parts.mac !== undefined) {
      throw new DareError('DARE_BAD_ANNOTATION', `${where}: a MAC item but enc is ${context.enc}`);
    }
    return { prefix: parts.prefix, body: c.aes256CbcDecrypt(keys.key, keys.iv, parts.body) };
  } catch (e) {
    if (e instanceof CryptoError) throw new DareError('DARE_DECRYPT_FAILED', `${where}: does not decrypt (${e.code})`, { cause: e });
    throw e;
  } finally {
    keys.key.fill(0);
    keys.iv.fill(0);
    keys.mac.fill(0);
  }
}
