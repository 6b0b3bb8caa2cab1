import type * as NodeCrypto from 'node:crypto';
import { loadNodeCrypto } from './node-crypto.js';
import { rfc3394Unwrap, rfc3394Wrap } from '../rfc3394.js';
import { hashShape, HKDF_SHA256_MAX, HKDF_SHA512_MAX, xofShape } from '../hash-shape.js';
import { merkleHasherFrom, merkleRootWith } from '../merkle.js';
import type { SymmetricProvider } from '../types.js';
import {
  byteArrayList, bytes, checkMultiLengths, bytesOfLength, cbcCiphertext, keyWrapArgs, outputLength, pkcs7Pad, pkcs7PadLength, unwrapFailed,
} from '../validate.js';

const fail = (e: Error): never => {
  throw e;
};

/** RFC 3394 §2.2.3.1 default initial value. */
const KW_IV = new Uint8Array(8).fill(0xa6);

const u8 = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The native symmetric provider over a node:crypto module (OpenSSL/BoringSSL on Node, Deno and
 * Bun); injectable for runtimes that need `await import`.
 */
export function createNativeSymmetric(c: typeof NodeCrypto): SymmetricProvider {
  const sha512 = (d: Uint8Array): Uint8Array => u8(c.createHash('sha512').update(d).digest());
  const stream = (alg: string, opts?: NodeCrypto.HashOptions) => () => {
    const h = c.createHash(alg, opts);
    return { update: (d: Uint8Array) => void h.update(d), digest: () => u8(h.digest()) };
  };
  const merkleHasher = merkleHasherFrom(sha512);
  // Deno and Bun have AES-ECB but not OpenSSL's `id-aesN-wrap` ciphers.
  const ciphers = new Set(c.getCiphers());
  const hasWrapCipher = (kekLength: number) => ciphers.has(`id-aes${kekLength * 8}-wrap`);
  const ecb = (k: Uint8Array, decrypt: boolean) => (block: Uint8Array): Uint8Array => {
    const alg = `aes-${k.length * 8}-ecb`;
    const ctx = decrypt ? c.createDecipheriv(alg, k, null) : c.createCipheriv(alg, k, null);
    ctx.setAutoPadding(false);
    return u8(ctx.update(block));
  };
  const cipher = (decrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array => {
    // Padding is ours (validate.ts) so every provider reports bad padding the same way.
    const ctx = decrypt ? c.createDecipheriv('aes-256-cbc', key, iv) : c.createCipheriv('aes-256-cbc', key, iv);
    ctx.setAutoPadding(false);
    const head = ctx.update(data);
    const tail = ctx.final();
    return tail.length === 0 ? u8(head) : u8(Buffer.concat([head, tail]));
  };
  return {
    name: 'native',
    sha512: hashShape('sha512', 64, 128, sha512, stream('sha512')),
    sha3_512: hashShape('sha3_512', 64, 72, (d) => u8(c.createHash('sha3-512').update(d).digest()), stream('sha3-512')),
    shake256: xofShape(
      'shake256',
      136,
      (d, n) => u8(c.createHash('shake256', { outputLength: n }).update(d).digest()),
      (n) => stream('shake256', { outputLength: n })(),
    ),
    hmacSha512(key, data) {
      return u8(c.createHmac('sha512', bytes(key, 'key')).update(bytes(data, 'data')).digest());
    },
    hmacSha3_512(key, data) {
      return u8(c.createHmac('sha3-512', bytes(key, 'key')).update(bytes(data, 'data')).digest());
    },
    hkdfSha512(ikm, salt, info, length) {
      outputLength(length, 'length', HKDF_SHA512_MAX);
      bytes(ikm, 'ikm');
      bytes(salt, 'salt');
      bytes(info, 'info');
      if (length === 0) return new Uint8Array(0);
      // OpenSSL's HKDF refuses info over 1024 bytes; RFC 5869 sets no such limit.
      if (info.length > 1024) return hkdfWithHmac(c, 'sha512', ikm, salt, info, length);
      return new Uint8Array(c.hkdfSync('sha512', ikm, salt, info, length));
    },
    sha256: hashShape('sha256', 32, 64, (d) => u8(c.createHash('sha256').update(d).digest()), stream('sha256')),
    hmacSha256(key, data) {
      return u8(c.createHmac('sha256', bytes(key, 'key')).update(bytes(data, 'data')).digest());
    },
    hkdfSha256(ikm, salt, info, length) {
      outputLength(length, 'length', HKDF_SHA256_MAX);
      bytes(ikm, 'ikm');
      bytes(salt, 'salt');
      bytes(info, 'info');
      if (length === 0) return new Uint8Array(0);
      // OpenSSL's HKDF refuses info over 1024 bytes; RFC 5869 sets no such limit.
      if (info.length > 1024) return hkdfWithHmac(c, 'sha256', ikm, salt, info, length);
      return new Uint8Array(c.hkdfSync('sha256', ikm, salt, info, length));
    },
    hkdfSha256Multi(ikm, salt, infos, lengths) {
      checkMultiLengths(infos, lengths, HKDF_SHA256_MAX);
      bytes(ikm, 'ikm');
      bytes(salt, 'salt');
      // hkdfSync has no separate extract; one call per info is still cheaper than HMACs in JS.
      return infos.map((info, k) => {
        const n = lengths[k]!;
        if (n === 0) return new Uint8Array(0);
        if (info.length > 1024) return hkdfWithHmac(c, 'sha256', ikm, salt, info, n);
        return new Uint8Array(c.hkdfSync('sha256', ikm, salt, info, n));
      });
    },
    aes256CbcEncrypt(key, iv, plaintext) {
      bytesOfLength(key, 'key', 32);
      bytesOfLength(iv, 'iv', 16);
      return cipher(false, key, iv, pkcs7Pad(bytes(plaintext, 'plaintext')));
    },
    aes256CbcDecrypt(key, iv, ciphertext) {
      bytesOfLength(key, 'key', 32);
      bytesOfLength(iv, 'iv', 16);
      const padded = cipher(true, key, iv, cbcCiphertext(ciphertext));
      return padded.subarray(0, padded.length - pkcs7PadLength(padded));
    },
    aesKeyWrap(kek, key) {
      const [k, d] = keyWrapArgs(kek, key, false);
      if (!hasWrapCipher(k.length)) return rfc3394Wrap(ecb(k, false), d);
      const ctx = c.createCipheriv(`id-aes${k.length * 8}-wrap`, k, KW_IV);
      return u8(Buffer.concat([ctx.update(d), ctx.final()]));
    },
    aesKeyUnwrap(kek, wrapped) {
      const [k, d] = keyWrapArgs(kek, wrapped, true);
      if (!hasWrapCipher(k.length)) return rfc3394Unwrap(ecb(k, true), d) ?? fail(unwrapFailed());
      try {
        const ctx = c.createDecipheriv(`id-aes${k.length * 8}-wrap`, k, KW_IV);
        return u8(Buffer.concat([ctx.update(d), ctx.final()]));
      } catch {
        throw unwrapFailed();
      }
    },
    merkleRoot(leaves) {
      return merkleRootWith(merkleHasher, byteArrayList(leaves, 'leaves'));
    },
  };
}

/** RFC 5869 §2.2–2.3 spelled out on node:crypto HMAC, for inputs OpenSSL's HKDF refuses. */
function hkdfWithHmac(
  c: typeof NodeCrypto, hash: 'sha512' | 'sha256', ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number,
): Uint8Array {
  const hashLen = hash === 'sha512' ? 64 : 32;
  const prk = c.createHmac(hash, salt.length > 0 ? salt : new Uint8Array(hashLen)).update(ikm).digest();
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, pos = 0; pos < length; i++, pos += hashLen) {
    t = c.createHmac(hash, prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    out.set(t.subarray(0, Math.min(hashLen, length - pos)), pos);
  }
  return out;
}

let cached: SymmetricProvider | null | undefined;

/** The native symmetric provider, or `undefined` where the runtime has no node:crypto. */
export function nativeSymmetric(): SymmetricProvider | undefined {
  if (cached === undefined) {
    const c = loadNodeCrypto();
    cached = c ? createNativeSymmetric(c) : null;
  }
  return cached ?? undefined;
}
