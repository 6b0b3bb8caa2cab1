import { describe, expect, it } from 'vitest';
import {
  AES_BULK_THRESHOLDS, BULK_THRESHOLDS, backend, CryptoError, getProvider, init, providers, route, sha512, hmacSha512, aes256CbcEncrypt, aes256CbcDecrypt,
  merkleRoot, shake256, sha3_512, hkdfSha512, aesKeyWrap, aesKeyUnwrap, hmacSha3_512,
} from '../sdk/crypto/index.js';
import { wasmBase64 as hashBase64 } from '../sdk/crypto/wasm/generated/hash.js';
import { wasmBase64 as aesBase64 } from '../sdk/crypto/wasm/generated/aes.js';
import { decodeBase64 } from '../sdk/crypto/wasm/loader.js';
import { loadWasmProvider } from '../sdk/crypto/wasm/provider.js';
import { hex } from './support/providers.js';

const abc = new TextEncoder().encode('abc');
const SHA512_ABC =
  'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';

// The order matters: this file checks the life cycle of the module-level state, from before
// init() to forced routes. vitest gives each test file its own module instance.
describe('init() and routing', () => {
  it('works on the pure path before init()', () => {
    expect(backend()).toBe('pure');
    expect(hex(sha512(abc))).toBe(SHA512_ABC);
    expect(providers().map((p) => p.name).sort()).toEqual(['native', 'pure']);
    expect(() => getProvider('wasm')).toThrow(/call init\(\) first/);
  });

  it('falls back to the pure path when the WASM core is refused, and says why', async () => {
    const name = await init({ wasm: { hash: Uint8Array.of(0, 1, 2, 3), aes: Uint8Array.of(0) } });
    expect(name).toBe('pure');
    expect(hex(sha512(abc))).toBe(SHA512_ABC);
    try {
      getProvider('wasm');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CryptoError);
      expect((e as CryptoError).code).toBe('CRYPTO_UNAVAILABLE');
      expect((e as CryptoError).message).toMatch(/not loaded/);
    }
  });

  it('loads the inlined core and routes each primitive to its fastest provider', async () => {
    expect(await init()).toBe('wasm');
    expect(backend()).toBe('wasm');
    expect(route('sha512', 64)).toBe('wasm');
    expect(route('sha512', 1 << 20)).toBe('native');
    expect(route('sha3_512', 64)).toBe('wasm');
    expect(route('sha3_512', 1024)).toBe('native');
    expect(route('sha512', 1024)).toBe('wasm');
    // Each hash has its own measured crossover (selection.ts BULK_THRESHOLDS).
    expect(route('sha512', BULK_THRESHOLDS.sha512 - 1)).toBe('wasm');
    expect(route('sha512', BULK_THRESHOLDS.sha512)).toBe('native');
    expect(route('hmacSha512', 4096)).toBe('wasm');
    expect(route('sha256', 64)).toBe('wasm');
    expect(route('sha256', 4096)).toBe('native');
    expect(route('hmacSha256', 1024)).toBe('native');
    expect(route('hkdfSha512', 64)).toBe('wasm');
    expect(route('merkleRoot', 100_000)).toBe('wasm');
    expect(route('aes256Cbc', 1024)).toBe('native');
    // AES: WASM below its crossover (a DARE frame, a wrapped key), AES-NI for bulk data.
    expect(route('aes256Cbc', 256)).toBe('wasm');
    expect(route('aes256Cbc', AES_BULK_THRESHOLDS.aes256Cbc)).toBe('native');
    expect(route('aesKeyWrap', 32)).toBe('wasm');
    expect(route('aesKeyWrap', 1 << 20)).toBe('native');
    expect(hex(sha512(abc))).toBe(SHA512_ABC);
    expect(hex(sha512(new Uint8Array(1 << 20)))).toBe(hex(getProvider('pure').sha512(new Uint8Array(1 << 20))));
  });

  it('lets the caller force one provider or one primitive', async () => {
    expect(await init({ prefer: 'pure' })).toBe('pure');
    expect(route('sha512', 64)).toBe('pure');
    expect(route('aes256Cbc', 1 << 20)).toBe('pure');
    expect(await init({ prefer: { aes256Cbc: 'wasm' } })).toBe('wasm');
    expect(route('aes256Cbc', 1 << 20)).toBe('wasm');
    expect(route('sha512', 64)).toBe('wasm');
    await expect(init({ prefer: { nope: 'wasm' } as never })).rejects.toThrow(CryptoError);
    await init();
  });

  it('accepts precompiled WebAssembly.Module objects', async () => {
    const wasm = await loadWasmProvider({
      hash: new WebAssembly.Module(decodeBase64(hashBase64) as Uint8Array<ArrayBuffer>),
      aes: new WebAssembly.Module(decodeBase64(aesBase64) as Uint8Array<ArrayBuffer>),
    });
    expect(hex(wasm.sha512(abc))).toBe(SHA512_ABC);
  });

  it('every top-level call agrees with the pure provider', () => {
    const pure = getProvider('pure');
    const key = new Uint8Array(32).fill(7);
    const iv = new Uint8Array(16).fill(9);
    expect(sha3_512(abc)).toEqual(pure.sha3_512(abc));
    expect(shake256(abc, 100)).toEqual(pure.shake256(abc, 100));
    expect(hmacSha512(key, abc)).toEqual(pure.hmacSha512(key, abc));
    expect(hmacSha3_512(key, abc)).toEqual(pure.hmacSha3_512(key, abc));
    expect(hkdfSha512(key, abc, abc, 112)).toEqual(pure.hkdfSha512(key, abc, abc, 112));
    const ct = aes256CbcEncrypt(key, iv, abc);
    expect(ct).toEqual(pure.aes256CbcEncrypt(key, iv, abc));
    expect(aes256CbcDecrypt(key, iv, ct)).toEqual(abc);
    const wrapped = aesKeyWrap(key, key);
    expect(aesKeyUnwrap(key, wrapped)).toEqual(key);
    expect(merkleRoot([abc, abc, abc])).toEqual(pure.merkleRoot([abc, abc, abc]));
    const s = sha512.create();
    s.update(abc.subarray(0, 1)).update(abc.subarray(1));
    expect(hex(s.digest())).toBe(SHA512_ABC);
  });

  it('refuses non-Uint8Array input on every route with CRYPTO_INVALID_ARGUMENT', () => {
    for (const call of [
      () => sha512('abc' as never),
      () => sha3_512(null as never),
      () => shake256([1] as never, 4),
      () => hmacSha512(new Uint8Array(1), {} as never),
      () => aes256CbcEncrypt(new Uint8Array(32), new Uint8Array(16), 'x' as never),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'CRYPTO_INVALID_ARGUMENT' }));
    }
  });
});
