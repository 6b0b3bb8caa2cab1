import type { HashFunction, HashStream } from '../../sdk/crypto/index.js';
import { routedCrypto, type DareCrypto } from '../../sdk/dare/index.js';

/** One crypto call seen by a {@link tracingProvider}: the primitive and the size of its main input. */
export interface TracedCall {
  readonly name: string;
  readonly length: number;
}

/**
 * A DareCrypto that records every hash, MAC, KDF and cipher call (name and input length) before
 * handing it to `base`: tests count payload hashes and check that nothing was decrypted.
 */
export function tracingProvider(base: DareCrypto = routedCrypto): { provider: DareCrypto; calls: TracedCall[] } {
  const calls: TracedCall[] = [];
  const hash = (name: string, fn: HashFunction): HashFunction => Object.assign((data: Uint8Array) => {
    calls.push({ name, length: data.length });
    return fn(data);
  }, {
    create: (): HashStream => {
      const inner = fn.create();
      let length = 0;
      const stream: HashStream = {
        update(data: Uint8Array) {
          length += data.length;
          inner.update(data);
          return stream;
        },
        digest(out?: Uint8Array) {
          calls.push({ name, length });
          return inner.digest(out);
        },
      };
      return stream;
    },
    outputLength: fn.outputLength,
    blockLength: fn.blockLength,
  });
  const provider: DareCrypto = {
    ...base,
    sha512: hash('sha512', base.sha512),
    sha256: hash('sha256', base.sha256),
    hmacSha512: (key, data) => (calls.push({ name: 'hmacSha512', length: data.length }), base.hmacSha512(key, data)),
    hkdfSha256: (ikm, salt, info, n) => (calls.push({ name: 'hkdfSha256', length: ikm.length }), base.hkdfSha256(ikm, salt, info, n)),
    hkdfSha256Multi: (ikm, salt, infos, lengths) => (calls.push({ name: 'hkdfSha256Multi', length: ikm.length }), base.hkdfSha256Multi(ikm, salt, infos, lengths)),
    aes256CbcEncrypt: (key, iv, data) => (calls.push({ name: 'aes256CbcEncrypt', length: data.length }), base.aes256CbcEncrypt(key, iv, data)),
    aes256CbcDecrypt: (key, iv, data) => (calls.push({ name: 'aes256CbcDecrypt', length: data.length }), base.aes256CbcDecrypt(key, iv, data)),
    curve448Mesh: base.curve448Mesh,
  };
  return { provider, calls };
}
