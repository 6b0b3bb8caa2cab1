import { aeskw, cbc } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha3_512, shake256 } from '@noble/hashes/sha3.js';
import { hashShape, HKDF_SHA256_MAX, HKDF_SHA512_MAX, xofShape } from '../hash-shape.js';
import { merkleHasherFrom, merkleRootWith } from '../merkle.js';
import type { SymmetricProvider } from '../types.js';
import {
  byteArrayList, bytes, checkMultiLengths, bytesOfLength, cbcCiphertext, keyWrapArgs, outputLength, pkcs7Pad, pkcs7PadLength, unwrapFailed,
} from '../validate.js';

/**
 * The pure-TypeScript provider, on @noble/hashes and @noble/ciphers: audited, portable, and
 * the path every runtime has before `init()` (or where WebAssembly is refused).
 * Constant time: SHA-2/SHA-3/HMAC/HKDF yes; noble's AES uses lookup tables indexed by
 * secret bytes and is *not* constant time (see README, Security).
 */
const merkleHasher = merkleHasherFrom((d) => sha512(d));

export const pureSymmetric: SymmetricProvider = {
  name: 'pure',
  sha512: hashShape('sha512', 64, 128, (d) => sha512(d), () => sha512.create()),
  sha3_512: hashShape('sha3_512', 64, 72, (d) => sha3_512(d), () => sha3_512.create()),
  shake256: xofShape('shake256', 136, (d, n) => shake256(d, { dkLen: n }), (n) => shake256.create({ dkLen: n })),
  hmacSha512(key, data) {
    return hmac(sha512, bytes(key, 'key'), bytes(data, 'data'));
  },
  hmacSha3_512(key, data) {
    return hmac(sha3_512, bytes(key, 'key'), bytes(data, 'data'));
  },
  hkdfSha512(ikm, salt, info, length) {
    outputLength(length, 'length', HKDF_SHA512_MAX);
    return hkdf(sha512, bytes(ikm, 'ikm'), bytes(salt, 'salt'), bytes(info, 'info'), length);
  },
  sha256: hashShape('sha256', 32, 64, (d) => sha256(d), () => sha256.create()),
  hmacSha256(key, data) {
    return hmac(sha256, bytes(key, 'key'), bytes(data, 'data'));
  },
  hkdfSha256(ikm, salt, info, length) {
    outputLength(length, 'length', HKDF_SHA256_MAX);
    return hkdf(sha256, bytes(ikm, 'ikm'), bytes(salt, 'salt'), bytes(info, 'info'), length);
  },
  hkdfSha256Multi(ikm, salt, infos, lengths) {
    checkMultiLengths(infos, lengths, HKDF_SHA256_MAX);
    const prk = extract(sha256, bytes(ikm, 'ikm'), bytes(salt, 'salt'));
    try {
      return infos.map((info, k) => expand(sha256, prk, info, lengths[k]!));
    } finally {
      prk.fill(0);
    }
  },
  aes256CbcEncrypt(key, iv, plaintext) {
    bytesOfLength(key, 'key', 32);
    bytesOfLength(iv, 'iv', 16);
    const padded = pkcs7Pad(bytes(plaintext, 'plaintext'));
    return cbc(key, iv, { disablePadding: true }).encrypt(padded);
  },
  aes256CbcDecrypt(key, iv, ciphertext) {
    bytesOfLength(key, 'key', 32);
    bytesOfLength(iv, 'iv', 16);
    const padded = cbc(key, iv, { disablePadding: true }).decrypt(cbcCiphertext(ciphertext));
    return padded.subarray(0, padded.length - pkcs7PadLength(padded));
  },
  aesKeyWrap(kek, key) {
    const [k, d] = keyWrapArgs(kek, key, false);
    return aeskw(k).encrypt(d);
  },
  aesKeyUnwrap(kek, wrapped) {
    const [k, d] = keyWrapArgs(kek, wrapped, true);
    try {
      return aeskw(k).decrypt(d);
    } catch {
      throw unwrapFailed();
    }
  },
  merkleRoot(leaves) {
    return merkleRootWith(merkleHasher, byteArrayList(leaves, 'leaves'));
  },
};
