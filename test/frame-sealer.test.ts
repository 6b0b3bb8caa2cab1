import { describe, expect, it } from 'vitest';
import { CryptoError } from '../sdk/crypto/errors.js';
import { ComposedFrameSealer, type FrameSealer, type FrameSealerConfig } from '../sdk/crypto/frame-sealer.js';
import { pureProvider } from '../sdk/crypto/pure/provider.js';
import { wasmFrameSealers } from '../sdk/crypto/wasm/frame.js';
import { wasmBase64 as frameBase64 } from '../sdk/crypto/wasm/generated/frame.js';
import { wasmBase64 as frameRelaxedBase64 } from '../sdk/crypto/wasm/generated/frame-relaxed.js';
import { relaxedSimdSupported } from '../sdk/crypto/wasm/aes-variant.js';
import { decodeBase64, instantiateFamilySync } from '../sdk/crypto/wasm/loader.js';
import { FRAME_SEALER_CONFIG } from '../sdk/dare/sequence/sealed-frame.js';
import { prng, seeded } from './support/random.js';

/**
 * The frame sealer (sdk/crypto/frame-sealer.ts): the WASM one (one call per frame, core-wasm/frame)
 * against its twin composed from the pure provider's primitives, on random inputs — every output
 * of every frame, the range state, several sealers sharing the core, inputs beyond the core's
 * regions (sealed by the fallback into the same range) — and what the core leaves in its memory.
 */

const config = FRAME_SEALER_CONFIG;
const random = seeded(1207);
const pick = prng(77);

function wasmSealers(base64 = frameBase64): { make: (c: FrameSealerConfig) => FrameSealer; memory: WebAssembly.Memory } {
  const exports = instantiateFamilySync('frame', decodeBase64(base64));
  const factory = wasmFrameSealers(exports);
  return { make: (c) => factory(c, { fallback: pureProvider }), memory: exports.memory as WebAssembly.Memory };
}

interface Frame { seed: Uint8Array; salt: Uint8Array; header: Uint8Array; headerLength: number; plaintext: Uint8Array }

function randomFrame(plaintextLength = pick(700), headerLength = pick(400)): Frame {
  const header = random(headerLength + pick(3)); // sometimes a longer buffer than the header
  return { seed: random(32), salt: random(16), header, headerLength, plaintext: random(plaintextLength) };
}

function outputs(s: FrameSealer, f: Frame): Record<string, string> {
  const n = s.seal(f.seed, f.salt, f.header, f.headerLength, f.plaintext);
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  return {
    ciphertext: hex(s.out.ciphertext.subarray(0, n)), headerDigest: hex(s.out.headerDigest), payloadDigest: hex(s.out.payloadDigest),
    mac: hex(s.out.mac), head: hex(s.out.head), size: String(s.size),
  };
}

const builds: [string, string][] = [['simd build', frameBase64]];
if (relaxedSimdSupported()) builds.push(['relaxed-SIMD build', frameRelaxedBase64]);

describe.each(builds)('WASM frame sealer (%s) equals the composed twin', (_name, base64) => {
  it('on 300 random frames: ciphertext, HD, PD, MAC, head and range state', () => {
    const wasm = wasmSealers(base64).make(config);
    const twin = new ComposedFrameSealer(pureProvider, config);
    for (let i = 0; i < 300; i++) {
      const f = randomFrame();
      expect(outputs(wasm, f), `frame ${i}`).toEqual(outputs(twin, f));
    }
    expect(wasm.subtreeRoots).toEqual(twin.subtreeRoots);
    expect(wasm.root()).toEqual(twin.root());
  });

  it('the twin is the definition: each output recomputed from the primitives', () => {
    const twin = new ComposedFrameSealer(pureProvider, config);
    const f = randomFrame(256, 150);
    const n = twin.seal(f.seed, f.salt, f.header, f.headerLength, f.plaintext);
    const p = pureProvider;
    const [key, iv, macKey] = p.hkdfSha256Multi(f.seed, f.salt, [config.keyInfo, config.ivInfo, config.macInfo], [32, 16, 32]);
    const ct = p.aes256CbcEncrypt(key!, iv!, f.plaintext);
    expect(twin.out.ciphertext.subarray(0, n)).toEqual(ct);
    const hd = p.sha512(f.header.subarray(0, f.headerLength));
    const pd = p.sha512(ct);
    expect(twin.out.headerDigest).toEqual(hd);
    expect(twin.out.payloadDigest).toEqual(pd);
    const message = config.macTemplate.slice();
    message.set(pd, config.payloadDigestOffset);
    message.set(hd, config.headerDigestOffset);
    expect(twin.out.mac).toEqual(p.hmacSha512(macKey!, message));
    const leaf = new Uint8Array(129);
    leaf.set(hd, 1);
    leaf.set(pd, 65);
    expect(twin.out.head).toEqual(p.sha512(leaf)); // a one-leaf tree's head is its leaf hash
  });

  it('sizes at and beyond the core regions (fallback into the same range), and empty inputs', () => {
    const wasm = wasmSealers(base64).make(config);
    const twin = new ComposedFrameSealer(pureProvider, config);
    for (const [p, h] of [[0, 0], [15, 1], [16, 111], [17, 112], [65_024, 16_384], [65_025, 10], [70_000, 16_385], [1, 20_000]] as const) {
      const f = randomFrame(p, h);
      expect(outputs(wasm, f), `${p} / ${h}`).toEqual(outputs(twin, f));
    }
  });

  it('labels at and beyond one expand block, MAC templates of every padding shape, seeds and salts of every size', () => {
    // The core derives keys on prepared blocks when every label fits one (≤ 54 bytes) and falls
    // back to the general HKDF otherwise; the MAC message's padding is laid out per template.
    const label = (n: number, b: number): Uint8Array => new Uint8Array(n).fill(b);
    const configs: FrameSealerConfig[] = [];
    for (const [k, v, m] of [[54, 1, 54], [55, 2, 3], [1, 64, 7], [0, 0, 0]] as const) {
      for (const t of [128, 239, 240, 367, 368, 495, 496, 512]) {
        configs.push({ keyInfo: label(k, 0x41), ivInfo: label(v, 0x42), macInfo: label(m, 0x43), macTemplate: random(t), payloadDigestOffset: t - 64, headerDigestOffset: 0 });
      }
    }
    const { make } = wasmSealers(base64);
    for (const [i, c] of configs.entries()) {
      const wasm = make(c);
      const twin = new ComposedFrameSealer(pureProvider, c);
      for (const [seedLength, saltLength] of [[32, 16], [0, 0], [55, 64], [56, 1], [64, 63]] as const) {
        const f = { ...randomFrame(pick(100), pick(200)), seed: random(seedLength), salt: random(saltLength) };
        expect(outputs(wasm, f), `config ${i}, seed ${seedLength}, salt ${saltLength}`).toEqual(outputs(twin, f));
      }
    }
  });

  it('several sealers share one core: each keeps its own range', () => {
    const { make } = wasmSealers(base64);
    const other: FrameSealerConfig = { ...config, keyInfo: Uint8Array.of(1, 2, 3), macTemplate: new Uint8Array(200), payloadDigestOffset: 10, headerDigestOffset: 100 };
    const w = [make(config), make(other), make(config)];
    const t = [new ComposedFrameSealer(pureProvider, config), new ComposedFrameSealer(pureProvider, other), new ComposedFrameSealer(pureProvider, config)];
    for (let i = 0; i < 200; i++) {
      const k = pick(3);
      const f = randomFrame(pick(300), pick(200));
      if (i % 7 === 3) {
        const hd = random(64);
        const pd = random(64);
        w[k]!.appendDigests(hd, pd);
        t[k]!.appendDigests(hd, pd);
        expect(w[k]!.out.head, `appendDigests ${i}`).toEqual(t[k]!.out.head);
      } else if (i % 11 === 5) {
        const h = random(64);
        w[k]!.appendLeafHash(h);
        t[k]!.appendLeafHash(h);
      } else {
        expect(outputs(w[k]!, f), `frame ${i} on sealer ${k}`).toEqual(outputs(t[k]!, f));
      }
    }
    for (let k = 0; k < 3; k++) {
      expect(w[k]!.root()).toEqual(t[k]!.root());
      expect(w[k]!.size).toBe(t[k]!.size);
    }
  });
});

describe('frame sealer arguments', () => {
  it('refuses bad configurations and inputs with typed errors', () => {
    const { make } = wasmSealers();
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CryptoError);
        return (e as CryptoError).code;
      }
      return undefined;
    };
    expect(code(() => make({ ...config, keyInfo: new Uint8Array(65) }))).toBe('CRYPTO_INVALID_LENGTH');
    expect(code(() => make({ ...config, macTemplate: new Uint8Array(513) }))).toBe('CRYPTO_INVALID_LENGTH');
    expect(code(() => make({ ...config, payloadDigestOffset: config.macTemplate.length - 63 }))).toBe('CRYPTO_INVALID_ARGUMENT');
    expect(code(() => make({ ...config, payloadDigestOffset: config.headerDigestOffset - 10 }))).toBe('CRYPTO_INVALID_ARGUMENT');
    const s = make(config);
    expect(code(() => s.seal(new Uint8Array(65), new Uint8Array(16), new Uint8Array(1), 1, new Uint8Array(1)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(code(() => s.seal(new Uint8Array(32), new Uint8Array(16), new Uint8Array(1), 2, new Uint8Array(1)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(code(() => s.seal(new Uint8Array(32), new Uint8Array(16), new Uint8Array(1), 1, 'x' as unknown as Uint8Array))).toBe('CRYPTO_INVALID_ARGUMENT');
    expect(code(() => s.appendLeafHash(new Uint8Array(63)))).toBe('CRYPTO_INVALID_LENGTH');
    expect(s.size).toBe(0);
  });
});

describe('frame core zeroization', () => {
  it('leaves no seed, PRK, key, IV, MAC key or plaintext in WASM memory after a seal', () => {
    const { make, memory } = wasmSealers();
    const sealer = make(config);
    for (let i = 0; i < 20; i++) {
      const f = randomFrame(pick(600) + 32, pick(300));
      sealer.seal(f.seed, f.salt, f.header, f.headerLength, f.plaintext);
      const p = pureProvider;
      const prk = p.hmacSha256(f.salt, f.seed);
      const [key, iv, macKey] = p.hkdfSha256Multi(f.seed, f.salt, [config.keyInfo, config.ivInfo, config.macInfo], [32, 16, 32]);
      const mem = Buffer.from(memory.buffer);
      const secrets: Record<string, Uint8Array> = {
        seed: f.seed, prk, key: key!, iv: iv!, macKey: macKey!, 'plaintext (first 32 bytes)': f.plaintext.subarray(0, 32),
      };
      for (const [name, value] of Object.entries(secrets)) expect(mem.indexOf(Buffer.from(value)), `${name} after frame ${i}`).toBe(-1);
      // The outputs are there (the scan can see the core's memory).
      expect(mem.indexOf(Buffer.from(sealer.out.payloadDigest))).toBeGreaterThanOrEqual(0);
    }
  });
});
