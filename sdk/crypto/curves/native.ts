import type * as NodeCrypto from 'node:crypto';
import { CryptoError } from '../errors.js';
import { loadNodeCrypto } from '../native/node-crypto.js';
import { bytes, bytesOfLength } from '../validate.js';
import { constantTimeEqual } from '../../encoding/bytes.js';
import { hexDecode } from '../../encoding/hex.js';
import { ed448Decodes } from './core-pure.js';
import { checkContext, checkEd448PublicKey, checkEd448Signature, checkX448PublicKey, checkX448Shared, invalidA, invalidR, X448_BYTES } from './policy.js';
import type { Ed448Api, X448Api } from './types.js';

/**
 * The `native` provider's curves: OpenSSL through node:crypto (Node, Deno, Bun), for
 * cross-checks and benchmarks. Raw keys are imported as PKCS#8 / SPKI DER (RFC 8410). Key
 * objects are cached per caller buffer (WeakMap, content re-checked on every hit) because an
 * Ed448 private-key import costs about three signatures (OpenSSL derives the public key).
 *
 * Policy (policy.ts) is applied in TS before OpenSSL sees the input; when OpenSSL says "no",
 * the encodings are decoded on the pure path to tell a bad point (typed error) from a bad
 * signature (false). node:crypto before Node 22 ignores the Ed448 context: that is detected
 * once, and a non-empty context then throws CRYPTO_UNAVAILABLE instead of a wrong signature.
 */

const PKCS8_ED448 = hexDecode('3047020100300506032b6571043b0439');
const SPKI_ED448 = hexDecode('3043300506032b6571033a00');
const PKCS8_X448 = hexDecode('3046020100300506032b656f043a0438');
const SPKI_X448 = hexDecode('3042300506032b656f033900');

function der(prefix: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + key.length);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
}

type KeyCache = WeakMap<Uint8Array, { copy: Uint8Array; key: NodeCrypto.KeyObject }>;

function cached(cache: KeyCache, raw: Uint8Array, make: () => NodeCrypto.KeyObject): NodeCrypto.KeyObject {
  const hit = cache.get(raw);
  if (hit && constantTimeEqual(hit.copy, raw)) return hit.key;
  const key = make();
  cache.set(raw, { copy: Uint8Array.from(raw), key });
  return key;
}

const u8 = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Ed448 and X448 over node:crypto, or undefined where node:crypto (or its curve448) is missing. */
export function nativeCurve448(nodeCrypto: typeof NodeCrypto | undefined = loadNodeCrypto()): { ed448: Ed448Api; x448: X448Api } | undefined {
  const c = nodeCrypto;
  if (!c || typeof c.sign !== 'function' || typeof c.diffieHellman !== 'function') return undefined;
  try {
    c.createPrivateKey({ key: Buffer.from(der(PKCS8_ED448, new Uint8Array(57))), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined; // an OpenSSL/BoringSSL build without curve448
  }
  const privEd: KeyCache = new WeakMap();
  const pubEd: KeyCache = new WeakMap();
  const privX: KeyCache = new WeakMap();
  const pubX: KeyCache = new WeakMap();
  const importPriv = (prefix: Uint8Array, raw: Uint8Array) =>
    c.createPrivateKey({ key: Buffer.from(der(prefix, raw)), format: 'der', type: 'pkcs8' });
  const importPub = (prefix: Uint8Array, raw: Uint8Array) =>
    c.createPublicKey({ key: Buffer.from(der(prefix, raw)), format: 'der', type: 'spki' });
  const rawPublic = (key: NodeCrypto.KeyObject, prefixLength: number): Uint8Array =>
    u8(c.createPublicKey(key).export({ format: 'der', type: 'spki' })).slice(prefixLength);

  let contextSupport: boolean | undefined;
  const supportsContext = (): boolean => {
    if (contextSupport === undefined) {
      const key = importPriv(PKCS8_ED448, new Uint8Array(57));
      const m = new Uint8Array(1);
      try {
        const withCtx = c.sign(null, m, { key, context: new Uint8Array([1]) } as NodeCrypto.SignKeyObjectInput);
        contextSupport = !constantTimeEqual(u8(withCtx), u8(c.sign(null, m, key)));
      } catch {
        // Deno refuses the option outright ("Context parameter is unsupported").
        contextSupport = false;
      }
    }
    return contextSupport;
  };
  const withContext = <T extends object>(key: NodeCrypto.KeyObject, ctx: Uint8Array): NodeCrypto.KeyObject | T => {
    if (ctx.length === 0) return key;
    if (!supportsContext()) {
      throw new CryptoError('CRYPTO_UNAVAILABLE', 'this node:crypto ignores Ed448 contexts (needs Node 22+); use the pure or wasm provider');
    }
    return { key, context: ctx } as unknown as T;
  };

  const ed448: Ed448Api = {
    getPublicKey(secret) {
      const sk = bytesOfLength(secret, 'secret', 57);
      return rawPublic(cached(privEd, sk, () => importPriv(PKCS8_ED448, sk)), SPKI_ED448.length);
    },
    sign(message, secret, context) {
      const msg = bytes(message, 'message');
      const ctx = checkContext(context);
      const sk = bytesOfLength(secret, 'secret', 57);
      const key = cached(privEd, sk, () => importPriv(PKCS8_ED448, sk));
      return u8(c.sign(null, msg, withContext<NodeCrypto.SignKeyObjectInput>(key, ctx)));
    },
    verify(signature, message, publicKey, context) {
      const sig = checkEd448Signature(signature);
      const msg = bytes(message, 'message');
      const pk = checkEd448PublicKey(publicKey);
      const ctx = checkContext(context);
      let ok = false;
      try {
        const key = cached(pubEd, pk, () => importPub(SPKI_ED448, pk));
        ok = c.verify(null, msg, withContext<NodeCrypto.VerifyKeyObjectInput>(key, ctx), sig);
      } catch (e) {
        if (e instanceof CryptoError) throw e;
      }
      if (ok) return true;
      // Rare path: find out whether an encoding did not decode (typed error) or the equation failed (false).
      if (!ed448Decodes(pk)) throw invalidA();
      if (!ed448Decodes(sig.subarray(0, 57))) throw invalidR();
      return false;
    },
  };

  const x448: X448Api = {
    getPublicKey(scalar) {
      const k = bytesOfLength(scalar, 'scalar', X448_BYTES);
      return rawPublic(cached(privX, k, () => importPriv(PKCS8_X448, k)), SPKI_X448.length);
    },
    getSharedSecret(scalar, publicKey) {
      const k = bytesOfLength(scalar, 'scalar', X448_BYTES);
      const u = checkX448PublicKey(publicKey);
      let shared: Uint8Array;
      try {
        shared = u8(c.diffieHellman({
          privateKey: cached(privX, k, () => importPriv(PKCS8_X448, k)),
          publicKey: cached(pubX, u, () => importPub(SPKI_X448, u)),
        }));
      } catch (e) {
        throw new CryptoError('CRYPTO_INVALID_POINT', 'X448 key agreement refused by node:crypto', { cause: e });
      }
      return checkX448Shared(shared);
    },
  };
  return { ed448, x448 };
}
