import { isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { DareError } from '../errors.js';
import { darePublicKey, type DarePrivateKey, type DarePublicKey } from '../keys.js';
import { openRecipients, recipientFromObject } from '../recipient.js';
import type { DareKeyAlgorithm } from '../algorithms.js';
import { SequenceError } from './errors.js';
import { binaryField } from './info.js';

/**
 * Keys named in frame 0's policy (dare.md §2.1 DarePolicy): `EncryptKeys` / `SignKeys` as tagged
 * key objects `{"PublicKeyECDH": {"crv", "Public"}}`.
 */

/** Public keys of a policy key list. */
export function recipientsFromPolicy(list: unknown[]): DarePublicKey[] {
  return list.map((k, i) => {
    const inner = isJsonObject(k) ? k['PublicKeyECDH'] : undefined;
    if (!isJsonObject(inner) || typeof inner['crv'] !== 'string') {
      throw new SequenceError('DARE_BAD_HEADER', `policy key ${i} is not a PublicKeyECDH object`, { frame: 0 });
    }
    const pub = binaryField(inner, 'Public', 0);
    if (!pub) throw new SequenceError('DARE_BAD_HEADER', `policy key ${i} has no Public value`, { frame: 0 });
    return darePublicKey(inner['crv'] as DareKeyAlgorithm, pub);
  });
}

/** Ed448 public keys of `policy.SignKeys`. */
export function signKeysOf(policy: JsonObject): Uint8Array[] {
  const list = Array.isArray(policy['SignKeys']) ? policy['SignKeys'] : [];
  return recipientsFromPolicy(list).filter((k) => k.algorithm === 'Ed448').map((k) => k.publicKey);
}

/** The base seed of the key exchange held in `header`'s recipients (secret). */
export function exchangeSeed(header: JsonObject, keys: readonly DarePrivateKey[]): Uint8Array {
  const list = header['recipients'];
  if (!Array.isArray(list)) throw new SequenceError('DARE_NO_KEY', 'frame 0 holds no recipients', { frame: 0 });
  try {
    return openRecipients(list.map((r, i) => recipientFromObject(r, `frame 0 recipients[${i}]`)), keys).baseSeed;
  } catch (e) {
    if (e instanceof DareError) throw new SequenceError('DARE_NO_KEY', e.message, { frame: 0, cause: e });
    throw e;
  }
}
