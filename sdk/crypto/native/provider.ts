import type * as NodeCrypto from 'node:crypto';
import { nativeCurve448 } from '../curves/native.js';
import type { Ed448Api, X448Api } from '../curves/types.js';
import { CryptoError } from '../errors.js';
import type { CryptoProvider } from '../types.js';
import { loadNodeCrypto } from './node-crypto.js';
import { createNativeSymmetric, nativeSymmetric } from './symmetric.js';

export { loadNodeCrypto } from './node-crypto.js';

/** The native provider: node:crypto's hashes, AES and (where OpenSSL has them) Ed448/X448. */
export function createNativeProvider(c: typeof NodeCrypto, symmetric = createNativeSymmetric(c)): CryptoProvider {
  const curves = nativeCurve448(c) ?? curvesMissing();
  return { ...symmetric, ed448: curves.ed448, x448: curves.x448 };
}

/** Stand-ins for an OpenSSL built without Curve448: every call says so instead of failing later. */
function curvesMissing(): { ed448: Ed448Api; x448: X448Api } {
  const fail = (): never => {
    throw new CryptoError('CRYPTO_UNAVAILABLE', "this runtime's node:crypto has no Curve448 (Ed448/X448)");
  };
  return { ed448: { getPublicKey: fail, sign: fail, verify: fail }, x448: { getPublicKey: fail, getSharedSecret: fail } };
}

let cached: CryptoProvider | null | undefined;

/** The native provider, or `undefined` where the runtime has no node:crypto. */
export function nativeProvider(): CryptoProvider | undefined {
  if (cached === undefined) {
    const c = loadNodeCrypto();
    const sym = nativeSymmetric();
    cached = c && sym ? createNativeProvider(c, sym) : null;
  }
  return cached ?? undefined;
}
