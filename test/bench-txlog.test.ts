import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ComposedFrameSealer } from '../sdk/crypto/frame-sealer.js';
import { pureProvider } from '../sdk/crypto/pure/provider.js';
import { FRAME_SEALER_CONFIG, writeSealedHeader } from '../sdk/dare/sequence/sealed-frame.js';
import { BareFrames, bareHeader, bareKeys, type TxlogReport } from '../bench/txlog.js';
import { seeded } from './support/random.js';

/**
 * The transaction-log benchmark's baseline must do the writer's work, not less: its bare loop on
 * node:crypto (bench/txlog.ts) computes, frame after frame, the same ciphertext, HD, PD, MAC and
 * tree head as the frame sealer the writer uses — with either HKDF form it may pick.
 */
describe('bench/txlog.ts bare loop', () => {
  for (const kdf of ['hmac', 'hkdfSync'] as const) {
    it(`computes the frame sealer's values (${kdf})`, () => {
      const random = seeded(31);
      const seed = random(32);
      const bare = new BareFrames(seed, kdf);
      const twin = new ComposedFrameSealer(pureProvider, FRAME_SEALER_CONFIG);
      for (let i = 0; i < 40; i++) {
        const salt = random(16);
        const header = random(150 + (i % 9));
        const record = random(256);
        const f = bare.frame(salt, header, record);
        const n = twin.seal(seed, salt, header, header.length, record);
        expect(new Uint8Array(f.ct)).toEqual(twin.out.ciphertext.subarray(0, n));
        expect(new Uint8Array(f.hd)).toEqual(twin.out.headerDigest);
        expect(new Uint8Array(f.pd)).toEqual(twin.out.payloadDigest);
        expect(new Uint8Array(f.mac), `MAC of frame ${i}`).toEqual(twin.out.mac);
        expect(new Uint8Array(f.head!), `head of frame ${i}`).toEqual(twin.out.head);
      }
      const [key, iv, mac] = bareKeys(kdf, seed, new Uint8Array(16));
      expect([key.length, iv.length, mac.length]).toEqual([32, 16, 32]);
    });
  }

  it("digests a header of the writer's size (the bare loop and the floor both use it)", () => {
    const out = new Uint8Array(256);
    const n = writeSealedHeader(out, new Uint8Array(16).fill(0xfb), 65536, 31415926, 1);
    expect(bareHeader.length).toBe(n);
  });
});

// The child needs compiled JavaScript (Node runs bench/txlog-child.js); `npm test` builds first.
const childModule = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../dist/bench/txlog-child.js');

describe('bench/txlog-child.ts', () => {
  it.skipIf(!existsSync(childModule))('runs both loops in a fresh process and returns the whole report', async () => {
    const { measureTxlogInChild } = (await import(pathToFileURL(childModule).href)) as {
      measureTxlogInChild: (o: { records: number; rounds: number; warmup: number }) => Promise<TxlogReport>;
    };
    const r = await measureTxlogInChild({ records: 300, rounds: 2, warmup: 100 });
    expect(r.isolation).toBe('child process');
    expect(r.records).toBe(300);
    for (const s of [r.writer, r.bare, r.bareNoTree, r.ratio, r.ratioNoTree, r.sealer!, r.floorRatio!, r.literal!, r.ratioLiteral!]) {
      expect(s.rounds).toHaveLength(2);
      expect(s.median).toBeGreaterThan(0);
    }
    // Per-round ratios of adjacent runs (each figure rounded to 4 digits in the report).
    r.ratio.rounds.forEach((x, i) => expect(Math.abs(x / (r.writer.rounds[i]! / r.bare.rounds[i]!) - 1)).toBeLessThan(1e-3));
    r.floorRatio!.rounds.forEach((x, i) => expect(Math.abs(x / (r.sealer!.rounds[i]! / r.bare.rounds[i]!) - 1)).toBeLessThan(1e-3));
  }, 60_000);
});
