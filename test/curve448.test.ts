import { describe, expect, it } from 'vitest';
import { bigIntToLe } from '../sdk/crypto/bigint.js';
import { ED448_L, X448_PARAMS } from '../sdk/crypto/curves/params.js';
import { curveProviders, errorCode, fromHex, hex } from './curve448-providers.js';
import { RFC7748_X448, RFC7748_X448_DH, RFC7748_X448_ITER, RFC8032_ED448 } from './curve448-vectors.js';

const providers = curveProviders();
const native = providers.find((p) => p.name === 'native')!;
const nativeHasContext = errorCode(() => native.ed448.sign(new Uint8Array(1), new Uint8Array(57), new Uint8Array(1))) !== 'CRYPTO_UNAVAILABLE';

describe.each(providers)('Ed448 RFC 8032 §7.4 ($name)', ({ name, ed448 }) => {
  for (const v of RFC8032_ED448) {
    const skip = name === 'native' && v.context !== '' && !nativeHasContext;
    it.skipIf(skip)(v.name, () => {
      const sk = fromHex(v.secret);
      const msg = fromHex(v.message);
      const ctx = v.context ? fromHex(v.context) : undefined;
      expect(hex(ed448.getPublicKey(sk))).toBe(v.public);
      expect(hex(ed448.sign(msg, sk, ctx))).toBe(v.signature);
      expect(ed448.verify(fromHex(v.signature), msg, fromHex(v.public), ctx)).toBe(true);
      // a different message, or a different context, must not verify
      const other = Uint8Array.from([...msg, 0]);
      expect(ed448.verify(fromHex(v.signature), other, fromHex(v.public), ctx)).toBe(false);
      if (!(name === 'native' && !nativeHasContext)) {
        expect(ed448.verify(fromHex(v.signature), msg, fromHex(v.public), fromHex('01'))).toBe(false);
      }
    });
  }
  it.runIf(name === 'native' && !nativeHasContext)('refuses a context it would ignore (CRYPTO_UNAVAILABLE)', () => {
    const v = RFC8032_ED448[2]!;
    expect(errorCode(() => ed448.sign(fromHex(v.message), fromHex(v.secret), fromHex(v.context)))).toBe('CRYPTO_UNAVAILABLE');
  });
});

describe.each(providers)('X448 RFC 7748 ($name)', ({ name, x448 }) => {
  it('§5.2 single-shot vectors', () => {
    for (const v of RFC7748_X448) expect(hex(x448.getSharedSecret(fromHex(v.scalar), fromHex(v.u)))).toBe(v.out);
  });
  // The pure provider is @noble's BigInt ladder (~5 ms per call): it runs the first iteration
  // here; its 1,000-iteration value is the same code path @noble's own RFC suite covers.
  const iterations = name === 'pure' ? 1 : 1000;
  it(`§5.2 iterated: 1${iterations === 1000 ? ' and 1,000' : ''} iteration(s)`, () => {
    let k: Uint8Array = new Uint8Array(56);
    k[0] = 5;
    let u: Uint8Array = k.slice();
    for (let i = 1; i <= iterations; i++) {
      const r = x448.getSharedSecret(k, u);
      u = k;
      k = r;
      if (i === 1) expect(hex(k)).toBe(RFC7748_X448_ITER.after1);
    }
    if (iterations === 1000) expect(hex(k)).toBe(RFC7748_X448_ITER.after1000);
  });
  it('§6.2 Diffie–Hellman', () => {
    const v = RFC7748_X448_DH;
    expect(hex(x448.getPublicKey(fromHex(v.alicePrivate)))).toBe(v.alicePublic);
    expect(hex(x448.getPublicKey(fromHex(v.bobPrivate)))).toBe(v.bobPublic);
    expect(hex(x448.getSharedSecret(fromHex(v.alicePrivate), fromHex(v.bobPublic)))).toBe(v.shared);
    expect(hex(x448.getSharedSecret(fromHex(v.bobPrivate), fromHex(v.alicePublic)))).toBe(v.shared);
  });
});

describe.each(providers)('Ed448 / X448 refusals and edge cases ($name)', ({ ed448, x448 }) => {
  const v = RFC8032_ED448[1]!;
  const sig = fromHex(v.signature);
  const msg = fromHex(v.message);
  const pk = fromHex(v.public);
  const withS = (s: bigint): Uint8Array => {
    const out = sig.slice();
    out.set(bigIntToLe(s, 57), 57);
    return out;
  };
  const S = (() => {
    let n = 0n;
    for (let i = 113; i >= 57; i--) n = (n << 8n) | BigInt(sig[i]!);
    return n;
  })();

  it('S = L and S = L + 1 and S + L (malleated) are refused with CRYPTO_INVALID_SCALAR', () => {
    expect(errorCode(() => ed448.verify(withS(ED448_L), msg, pk))).toBe('CRYPTO_INVALID_SCALAR');
    expect(errorCode(() => ed448.verify(withS(ED448_L + 1n), msg, pk))).toBe('CRYPTO_INVALID_SCALAR');
    expect(errorCode(() => ed448.verify(withS(S + ED448_L), msg, pk))).toBe('CRYPTO_INVALID_SCALAR');
    expect(ed448.verify(withS(ED448_L - 1n), msg, pk)).toBe(false);
    expect(ed448.verify(withS(0n), msg, pk)).toBe(false);
  });
  it('identity and other small-order public keys are refused with CRYPTO_INVALID_POINT', () => {
    const identity = new Uint8Array(57);
    identity[0] = 1;
    expect(errorCode(() => ed448.verify(sig, msg, identity))).toBe('CRYPTO_INVALID_POINT');
    const order4 = new Uint8Array(57); // y = 0: (±1, 0)
    expect(errorCode(() => ed448.verify(sig, msg, order4))).toBe('CRYPTO_INVALID_POINT');
    order4[56] = 0x80;
    expect(errorCode(() => ed448.verify(sig, msg, order4))).toBe('CRYPTO_INVALID_POINT');
    const minus1 = bigIntToLe(X448_PARAMS.p - 1n, 57); // (0, −1), order 2
    expect(errorCode(() => ed448.verify(sig, msg, minus1))).toBe('CRYPTO_INVALID_POINT');
  });
  it('non-canonical and off-curve encodings are refused with typed errors', () => {
    const yP = bigIntToLe(X448_PARAMS.p, 57); // y = p (≡ 0): non-canonical
    expect(errorCode(() => ed448.verify(sig, msg, yP))).toBe('CRYPTO_INVALID_POINT');
    const stray = pk.slice();
    stray[56]! |= 0x01;
    expect(errorCode(() => ed448.verify(sig, msg, stray))).toBe('CRYPTO_INVALID_POINT');
    const identityNeg = new Uint8Array(57); // x = 0 with the sign bit set
    identityNeg[0] = 1;
    identityNeg[56] = 0x80;
    expect(errorCode(() => ed448.verify(sig, msg, identityNeg))).toBe('CRYPTO_INVALID_POINT');
    // find a y that is not on the curve (about half of all y)
    const off = pk.slice();
    let code = 'no-throw';
    for (let i = 0; i < 64 && code !== 'CRYPTO_INVALID_POINT'; i++) {
      off[0] = i;
      code = errorCode(() => ed448.verify(sig, msg, off));
    }
    expect(code).toBe('CRYPTO_INVALID_POINT');
    const offR = sig.slice();
    let codeR = 'no-throw';
    for (let i = 0; i < 64 && codeR !== 'CRYPTO_INVALID_SIGNATURE'; i++) {
      offR[0] = i;
      codeR = errorCode(() => ed448.verify(offR, msg, pk));
    }
    expect(codeR).toBe('CRYPTO_INVALID_SIGNATURE');
    const rNonCanon = sig.slice();
    rNonCanon.set(yP.subarray(0, 56));
    expect(errorCode(() => ed448.verify(rNonCanon, msg, pk))).toBe('CRYPTO_INVALID_SIGNATURE');
  });
  it('wrong lengths are refused with typed errors', () => {
    expect(errorCode(() => ed448.verify(sig.subarray(0, 113), msg, pk))).toBe('CRYPTO_INVALID_SIGNATURE');
    expect(errorCode(() => ed448.verify(Uint8Array.from([...sig, 0]), msg, pk))).toBe('CRYPTO_INVALID_SIGNATURE');
    expect(errorCode(() => ed448.verify(sig, msg, pk.subarray(0, 56)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(errorCode(() => ed448.sign(msg, new Uint8Array(56)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(errorCode(() => ed448.getPublicKey(new Uint8Array(58)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(errorCode(() => ed448.sign(msg, fromHex(v.secret), new Uint8Array(256)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(errorCode(() => x448.getSharedSecret(new Uint8Array(55), new Uint8Array(56).fill(9)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(errorCode(() => x448.getSharedSecret(new Uint8Array(56), new Uint8Array(57).fill(9)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(errorCode(() => x448.getPublicKey(new Uint8Array(57)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(errorCode(() => ed448.verify('x' as unknown as Uint8Array, msg, pk))).toBe('CRYPTO_INVALID_ARGUMENT');
  });
  it('X448: small-order and non-canonical peers are refused with CRYPTO_INVALID_POINT', () => {
    const k = new Uint8Array(56).fill(7);
    for (const u of [0n, 1n, X448_PARAMS.p - 1n, X448_PARAMS.p, X448_PARAMS.p + 1n, 2n ** 448n - 1n]) {
      expect(errorCode(() => x448.getSharedSecret(k, bigIntToLe(u, 56)))).toBe('CRYPTO_INVALID_POINT');
    }
  });
  it('flipping any bit class of a valid signature never verifies', () => {
    const sk = fromHex(v.secret);
    const good = ed448.sign(msg, sk);
    for (const i of [0, 10, 56, 57, 80, 112]) {
      const bad = good.slice();
      bad[i]! ^= 0x01;
      const r = errorCode(() => {
        if (ed448.verify(bad, msg, pk)) throw new Error('accepted');
      });
      expect(['no-throw', 'CRYPTO_INVALID_SIGNATURE', 'CRYPTO_INVALID_SCALAR']).toContain(r);
    }
  });
});

