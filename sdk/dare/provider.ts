import {
  aes256CbcDecrypt, aes256CbcEncrypt, aesKeyUnwrap, aesKeyWrap, curve448Mesh, ed448, hkdfSha256, hkdfSha256Multi, hkdfSha512,
  hmacSha512, pureProvider, sha256, sha512, shake256, x448,
} from '../crypto/index.js';
import type { CryptoProvider } from '../crypto/index.js';
import type { Curve448Mesh } from '../crypto/curves/types.js';

/**
 * The crypto a DARE envelope needs, as a slice of `CryptoProvider` (sdk/crypto/types.ts). Every
 * provider (`getProvider('wasm' | 'pure' | 'native')`) satisfies it, so a caller can force a
 * backend by passing one; the default, {@link routedCrypto}, calls the routed functions of
 * `mathmesh/crypto` (WASM after `init()`, else pure).
 */
export type DareCrypto = Pick<
  CryptoProvider,
  | 'sha512' | 'sha256' | 'shake256' | 'hmacSha512' | 'hkdfSha512' | 'hkdfSha256' | 'hkdfSha256Multi' | 'aes256CbcEncrypt' | 'aes256CbcDecrypt' | 'aesKeyWrap' | 'aesKeyUnwrap' | 'ed448' | 'x448'
> & { readonly curve448Mesh?: Curve448Mesh | undefined; readonly merkleRange?: CryptoProvider['merkleRange'] };

/** The routed functions of `mathmesh/crypto` as a {@link DareCrypto}. */
export const routedCrypto: DareCrypto = {
  sha512,
  sha256,
  shake256,
  hmacSha512,
  hkdfSha512,
  hkdfSha256,
  hkdfSha256Multi,
  aes256CbcEncrypt,
  aes256CbcDecrypt,
  aesKeyWrap,
  aesKeyUnwrap,
  ed448,
  x448,
  get curve448Mesh() {
    return curve448Mesh();
  },
};

/**
 * The Curve448 Mesh operations of a provider. The native provider has none (crypto types.ts):
 * it falls back to the pure ones, which are what 56-byte Ed448 seeds need (dare.md §5).
 */
export function meshOps(c: DareCrypto): Curve448Mesh {
  return c.curve448Mesh ?? pureProvider.curve448Mesh!;
}
