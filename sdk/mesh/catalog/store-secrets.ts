import { hkdfSha512 } from '../../crypto/index.js';
import { agree } from '../../dare/agreement.js';
import type { DarePrivateKey } from '../../dare/keys.js';
import { routedCrypto } from '../../dare/provider.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { MeshError } from '../errors.js';

/**
 * Secrets only holders of a store's *private* key can compute (README "Catalogs and spools"):
 *
 * - `author` — the AuthorMac key of the store's frames (dare/sequence/replica.ts). A store's
 *   public key is in its frame 0 policy, so anyone — the service included — could otherwise
 *   build frames that decrypt and verify; with it, a device takes only frames written by
 *   devices that hold the store key.
 * - `snapshot` — encrypts and authenticates the local state snapshot (snapshot.ts).
 *
 * Both come from Z = X448(d, d·G) — the store key agreed with its own public key, which needs d
 * (computing d²·G from d·G is the square Diffie-Hellman problem, as hard as CDH) and is the same
 * for every representation of the key (RFC 7748 private key or co-generated scalar):
 * key = HKDF-SHA-512(IKM = Z, salt = "", info = "mmm/store/" ‖ purpose ‖ "/" ‖ label, 32 bytes).
 * Z is wiped once both keys are derived.
 */
export interface StoreSecrets {
  /** AuthorMac key (32 bytes). Secret. */
  readonly author: Uint8Array;
  /** Snapshot key (32 bytes). Secret. */
  readonly snapshot: Uint8Array;
}

/** Derives the store secrets of `label` from its private key (X448). */
export function deriveStoreSecrets(key: DarePrivateKey, label: string): StoreSecrets {
  if (key.algorithm !== 'X448') throw new MeshError('MESH_BAD_KEY', `a store key is X448 (mesh-model.md §4), not ${key.algorithm}`);
  let z: Uint8Array;
  try {
    z = agree(routedCrypto, 'X448', key.privateKey, key.publicKey, 'store key', key.form);
  } catch (e) {
    throw new MeshError('MESH_BAD_KEY', `the ${label} store key does not agree with its own public key`, { cause: e });
  }
  try {
    const derive = (purpose: string): Uint8Array => hkdfSha512(z, new Uint8Array(0), utf8Encode(`mmm/store/${purpose}/${label}`), 32);
    return { author: derive('author'), snapshot: derive('snapshot') };
  } finally {
    z.fill(0);
  }
}
