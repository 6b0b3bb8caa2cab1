import { sha512 } from '../crypto/hashes.js';
import { base32Encode } from '../encoding/base32.js';
import { concatBytes } from '../encoding/bytes.js';
import { CONTENT_TYPE } from '../udf/constants.js';
import { contentDigestDetail } from '../udf/digest.js';
import { publicKeyDer, type PublicKeyAlgorithm } from '../udf/fingerprint.js';
import { addDashes } from '../udf/presentation.js';
import { MeshError } from './errors.js';

/**
 * The connection witness (mesh-model.md §10, protocol.md T4): the value both the account
 * administrator and the connecting device show to their users, and the MessageId of the
 * AcknowledgeConnection. Verified against ProtocolConnectRequest.md (`YDLF-…`) and the 2021
 * transcript (`CGQR-…`):
 * `W = SHA-512( SHA-512(A512 ‖ ServerNonce) ‖ SHA-512(D512 ‖ ClientNonce) )`, presented as the first
 * 140 bits of Base32 with **no type byte**, where A512 / D512 are the 512-bit binary fingerprints
 * of the account and device ProfileSignature keys.
 */

/** The 512-bit binary fingerprint of a key: `(0x60 + level) ‖ TCDV[0..62]` (mesh-model.md §2). */
export function keyFingerprint512(algorithm: PublicKeyAlgorithm, publicKey: Uint8Array): Uint8Array {
  return contentDigestDetail(publicKeyDer(algorithm, publicKey), { contentType: CONTENT_TYPE.PKIX_KEY }).binary.slice(0, 64);
}

/** A ProfileSignature public key as the witness needs it. */
export interface WitnessKey {
  readonly algorithm: PublicKeyAlgorithm;
  readonly publicKey: Uint8Array;
}

/** The connection witness of an account key, a device key and the two nonces (16 bytes each in the protocol). */
export function connectionWitness(account: WitnessKey, device: WitnessKey, serverNonce: Uint8Array, clientNonce: Uint8Array): string {
  if (!(serverNonce instanceof Uint8Array) || !(clientNonce instanceof Uint8Array) || serverNonce.length === 0 || clientNonce.length === 0) {
    throw new MeshError('MESH_BAD_ARGUMENT', 'the witness needs both nonces as non-empty Uint8Arrays');
  }
  const a = sha512(concatBytes(keyFingerprint512(account.algorithm, account.publicKey), serverNonce));
  const d = sha512(concatBytes(keyFingerprint512(device.algorithm, device.publicKey), clientNonce));
  return addDashes(base32Encode(sha512(concatBytes(a, d)), 140));
}
