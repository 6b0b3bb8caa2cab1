import { asyncAes, asyncAesOf, type AesCbcStream } from '../../crypto/aes-async.js';
import type { HashOffload } from '../../crypto/hash-offload.js';
import type { HashStream } from '../../crypto/types.js';
import type { DareDigestAlgorithm } from '../algorithms.js';
import { routedCrypto, type DareCrypto } from '../provider.js';

/**
 * The two bulk operations on a streamed payload (private to the streaming encoder and decoder):
 * AES-256-CBC over chunks (dare.md §4.2) and the payload digest (dare.md §5), the latter on a
 * worker thread when the caller gives one and the payload is large enough to repay starting it.
 */

/** From this many bytes (or when the size is unknown) an offered hash worker is used. */
export const OFFLOAD_MIN_BYTES = 8 * 1024 * 1024;

/**
 * A CBC chain for the payload: on the routed crypto, the async AES route for chunks of
 * `chunkSize` bytes (WebCrypto in browsers, where it wins; node:crypto elsewhere); on a
 * caller's provider, that provider behind the same interface (so `provider` keeps its meaning).
 */
export function payloadCipher(
  direction: 'encrypt' | 'decrypt', key: Uint8Array, iv: Uint8Array, chunkSize: number, provider: DareCrypto | undefined,
): AesCbcStream {
  const aes = provider === undefined || provider === routedCrypto
    ? asyncAes(chunkSize, direction)
    : asyncAesOf({ name: 'pure', aes256CbcEncrypt: provider.aes256CbcEncrypt, aes256CbcDecrypt: provider.aes256CbcDecrypt });
  return direction === 'encrypt' ? aes.cbcEncryptStream(key, iv) : aes.cbcDecryptStream(key, iv);
}

/** A payload digest fed piece by piece; an `update` that returns a Promise must be awaited. */
export interface PayloadDigester {
  update(data: Uint8Array): Promise<void> | undefined;
  digest(): Promise<Uint8Array>;
  abort(): void;
}

/** H_alg over the pieces: on `offload` when given and `sizeHint` is unknown or at least {@link OFFLOAD_MIN_BYTES}, else here. */
export function payloadDigester(
  alg: DareDigestAlgorithm, c: DareCrypto, offload: HashOffload | undefined, sizeHint: number | undefined,
): PayloadDigester {
  if (offload !== undefined && (sizeHint === undefined || sizeHint >= OFFLOAD_MIN_BYTES)) {
    return offload.create(alg === 'S256' ? 'sha256' : 'sha512');
  }
  const h: HashStream = (alg === 'S256' ? c.sha256 : c.sha512).create();
  return {
    update(data) {
      h.update(data);
      return undefined;
    },
    digest: async () => h.digest(),
    abort: () => undefined,
  };
}
