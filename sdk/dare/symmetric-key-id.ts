import { base32Encode } from '../encoding/base32.js';
import { concatBytes } from '../encoding/bytes.js';
import { utf8Encode } from '../encoding/utf8.js';
import { CONTENT_TYPE } from '../udf/constants.js';
import { compressionLevel } from '../udf/digest.js';
import { addDashes } from '../udf/presentation.js';
import { routedCrypto, type DareCrypto } from './provider.js';

/**
 * The header `kid` naming a base seed (dare.md §6): Base32 of
 * `0x20 ‖ (0x60 + c) ‖ SHA-512("UDFEncryption:" ‖ seed)[0..15]`, first 28 characters, dashed;
 * c = UDF compression level of the SHA-512 value (udf.md §3.2). The content type is the literal
 * `UDFEncryption` (the reference's constant name), as the examples require.
 *
 * The reference writes the id of the *previous* seed (dare.md §6 quirk); our encoder writes the id
 * of the seed actually used, and decoders never rely on it.
 */
export function symmetricKeyId(baseSeed: Uint8Array, c: DareCrypto = routedCrypto): string {
  const h = c.sha512(concatBytes(utf8Encode(`${CONTENT_TYPE.UDF_ENCRYPTION}:`), baseSeed));
  const bytes = new Uint8Array(18);
  bytes[0] = 0x20;
  bytes[1] = 0x60 + compressionLevel(h);
  bytes.set(h.subarray(0, 16), 2);
  return addDashes(base32Encode(bytes, 140));
}

/**
 * A shared secret as a symmetric recipient key (dare.md §4.1): its `kid` is the secret's symmetric
 * key id — how the reference names the recipient of a publication (mesh-model.md §11: the
 * PublicationId is this id of the connect-URI secret).
 */
export function dareSymmetricKey(secret: Uint8Array, c: DareCrypto = routedCrypto): { readonly kid: string; readonly secret: Uint8Array } {
  return { kid: symmetricKeyId(secret, c), secret };
}
