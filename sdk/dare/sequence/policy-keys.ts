import { isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { darePublicKey, type DarePublicKey } from '../keys.js';
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

/**
 * Ed448 public keys of `policy.SignKeys`: the keys a writer may sign heads with (policy is kept on
 * every append). They are not trust anchors for readers — anyone can write a frame 0 naming
 * their own key (verify.ts).
 */
export function signKeysOf(policy: JsonObject): Uint8Array[] {
  const list = Array.isArray(policy['SignKeys']) ? policy['SignKeys'] : [];
  return recipientsFromPolicy(list).filter((k) => k.algorithm === 'Ed448').map((k) => k.publicKey);
}

/** Public keys of `policy.EncryptKeys` (the recipients every appended frame is encrypted to). */
export function encryptKeysOf(policy: JsonObject): DarePublicKey[] {
  return recipientsFromPolicy(Array.isArray(policy['EncryptKeys']) ? policy['EncryptKeys'] : []);
}
