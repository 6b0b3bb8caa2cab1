import type * as NodeCrypto from 'node:crypto';
import { CryptoError } from '../errors.js';
import { bytes, bytesOfLength, cbcCiphertext, pkcs7Pad, pkcs7PadLength } from '../validate.js';
import { loadNodeCrypto } from './node-crypto.js';
import { nativeSymmetric } from './symmetric.js';

/**
 * AES-256-CBC over a stream of chunks in one node:crypto context (OpenSSL keeps the chain), for
 * the async AES streams of aes-async.ts on Node, Deno and Bun. A chunk goes in and comes out in
 * one synchronous call, so the caller's buffer is never copied and nothing is queued; the only
 * allocation per chunk is the output node:crypto returns. (The one-shot path would copy each
 * chunk, pad it and build a context per chunk — three chunk-sized allocations where this has one,
 * and garbage that a streamed gigabyte turns into tens of MiB of resident memory.)
 *
 * Padding is ours (PKCS#7, RFC 5652 §6.3, validate.ts), as in the one-shot native provider, so
 * bad padding is the same CRYPTO_BAD_PADDING everywhere. `finish` (or `close`) ends the context,
 * which lets OpenSSL clear its key schedule.
 */
export interface CbcChain {
  /** Encrypts or decrypts whole blocks (a multiple of 16 bytes, possibly none) and continues the chain. */
  update(blocks: Uint8Array): Uint8Array;
  /**
   * Ends the chain. Encryption: the plaintext tail (any length), returned padded and encrypted.
   * Decryption: the final ciphertext (a positive multiple of 16 bytes), returned with its padding
   * checked (CRYPTO_BAD_PADDING) and removed.
   */
  finish(last: Uint8Array): Uint8Array;
  /** Ends the chain without output (idempotent). */
  close(): void;
}

const u8 = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** A chain under `key` (32 bytes) from `iv` (16 bytes) on node:crypto module `c`. */
export function nativeCbcChain(c: typeof NodeCrypto, key: Uint8Array, iv: Uint8Array, decrypt: boolean): CbcChain {
  bytesOfLength(key, 'key', 32);
  bytesOfLength(iv, 'iv', 16);
  let ctx: NodeCrypto.Cipher | NodeCrypto.Decipher | undefined = decrypt
    ? c.createDecipheriv('aes-256-cbc', key, iv)
    : c.createCipheriv('aes-256-cbc', key, iv);
  ctx.setAutoPadding(false); // with padding off, OpenSSL holds nothing back between calls
  const live = (): NodeCrypto.Cipher | NodeCrypto.Decipher => {
    if (ctx === undefined) throw new CryptoError('CRYPTO_STATE', 'this AES-CBC stream is finished');
    return ctx;
  };
  const close = (): void => {
    const x = ctx;
    ctx = undefined;
    try {
      x?.final(); // whole blocks were fed, padding is off: returns nothing and frees the context
    } catch {
      // already ended
    }
  };
  return {
    update(blocks) {
      const x = live();
      const data = bytes(blocks, 'blocks');
      if (data.length % 16 !== 0) {
        throw new CryptoError('CRYPTO_INVALID_LENGTH', `blocks of an AES-CBC stream must be whole 16-byte blocks, got ${data.length} bytes`);
      }
      return data.length === 0 ? new Uint8Array(0) : u8(x.update(data));
    },
    finish(last) {
      const x = live();
      try {
        if (!decrypt) return u8(x.update(pkcs7Pad(bytes(last, 'plaintext'))));
        const padded = u8(x.update(cbcCiphertext(last)));
        return padded.subarray(0, padded.length - pkcs7PadLength(padded));
      } finally {
        close();
      }
    },
    close,
  };
}

/**
 * Chains on the same node:crypto as `provider` when it is this runtime's native provider
 * (`nativeSymmetric()`), else undefined (every other provider streams through one-shot calls).
 */
export function nativeCbcChainsOf(provider: unknown): ((key: Uint8Array, iv: Uint8Array, decrypt: boolean) => CbcChain) | undefined {
  const c = loadNodeCrypto();
  return c !== undefined && provider !== undefined && provider === nativeSymmetric()
    ? (key, iv, decrypt) => nativeCbcChain(c, key, iv, decrypt)
    : undefined;
}
