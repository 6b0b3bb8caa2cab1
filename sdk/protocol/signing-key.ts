import { hkdfSha512 } from '../crypto/hashes.js';
import { agree } from '../dare/agreement.js';
import { DareError } from '../dare/errors.js';
import type { DarePrivateKey, DarePublicKey } from '../dare/keys.js';
import { routedCrypto } from '../dare/provider.js';
import { bytesEqual } from '../encoding/bytes.js';
import { utf8Encode } from '../encoding/utf8.js';
import { ProtocolError } from './errors.js';

/**
 * The HMAC key of a client–service pair (protocol.md §2):
 *
 *   HKDF-SHA-512(IKM = X448(client Authentication, service Authentication), salt = "",
 *                info = "mmm/rfc9421/" ‖ keyid, L = 32)
 *
 * with `keyid` the UDF of the client's Authentication key. Each side computes it from its own
 * private key and the other's public key, so a valid signature proves possession of one of the
 * two private keys: the client's, for the service; the service's, for the client (mesh-model.md
 * §5.2: a device is authenticated by possession of its connection's Authentication key).
 * A co-generated device key is a raw scalar; the agreement takes it unclamped (crypto.md §4).
 */

/** The HKDF info prefix (protocol.md §2). */
export const SIGNING_KEY_INFO = 'mmm/rfc9421/';

/** Length of the HMAC key in bytes (protocol.md §2: L = 32). */
export const SIGNING_KEY_LENGTH = 32;

/**
 * The HMAC key between `own` (an X448 private key: RFC 7748 or a co-generated scalar) and
 * `peer` (the other side's X448 public key), for the client key `keyid`. Secret.
 */
export function deriveSigningKey(own: DarePrivateKey, peer: DarePublicKey, keyid: string): Uint8Array {
  if (own.algorithm !== 'X448' || peer.algorithm !== 'X448') {
    throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `Mesh request signatures use X448 Authentication keys, not ${own.algorithm === 'X448' ? peer.algorithm : own.algorithm}`);
  }
  let z: Uint8Array;
  try {
    z = agree(routedCrypto, 'X448', own.privateKey, peer.publicKey, 'Authentication key', own.form);
  } catch (e) {
    if (e instanceof DareError) throw new ProtocolError('PROTOCOL_BAD_CREDENTIAL', `the Authentication key ${peer.kid} is not usable for X448 agreement`, { cause: e });
    throw e;
  }
  try {
    return hkdfSha512(z, new Uint8Array(0), utf8Encode(SIGNING_KEY_INFO + keyid), SIGNING_KEY_LENGTH);
  } finally {
    z.fill(0);
  }
}

interface CacheEntry {
  readonly peer: Uint8Array;
  readonly key: Uint8Array;
}

/**
 * Derived HMAC keys by keyid, so that a service does one X448 agreement per client key, not per
 * request. A hit must name the same peer public key (a keyid is a fingerprint, but the cache
 * does not rely on that); the least recently used entry goes first. Holds secrets in memory.
 * The own key is fixed per cache (one per service key). A cached key grants nothing by itself:
 * the service finds the client's key (the account's Access catalog, a verified profile) on
 * every request before it asks here, so a revoked device never gets as far as its entry.
 */
export class SigningKeyCache {
  readonly #own: DarePrivateKey;
  readonly #max: number;
  readonly #entries = new Map<string, CacheEntry>();

  constructor(own: DarePrivateKey, maxEntries = 10_000) {
    this.#own = own;
    this.#max = maxEntries;
  }

  /** The HMAC key for `peer` under client keyid `keyid`. */
  key(peer: DarePublicKey, keyid: string): Uint8Array {
    const hit = this.#entries.get(keyid);
    if (hit !== undefined && bytesEqual(hit.peer, peer.publicKey)) {
      this.#entries.delete(keyid);
      this.#entries.set(keyid, hit);
      return hit.key;
    }
    const key = deriveSigningKey(this.#own, peer, keyid);
    this.#entries.set(keyid, { peer: peer.publicKey.slice(), key });
    if (this.#entries.size > this.#max) {
      // Not wiped: a request in flight may still hold it to sign its response.
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return key;
  }
}
