import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { wasmBase64 } from '../sdk/crypto/wasm/generated/hash.js';
import { prng, seeded } from './support/random.js';

/**
 * The four-lane SHA-256 compression of the WASM core (core-wasm/hash/sha256x4.ts), which the frame
 * sealer uses for HKDF's three expands (dare.md §4.2): every lane must equal the scalar SHA-256 of
 * its own message, whatever the other lanes hold. The `sha256_x4` export hashes four messages of
 * independent lengths in lockstep (a lane idles once its message is done), so multi-block
 * messages, idle lanes and every padding shape — 55/56 (the length still fits the last block or
 * not), 63/64, 119/120 — are compared with node:crypto and the pure twin (@noble/hashes), and
 * with the core's own scalar `sha256` export.
 */

const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasmBase64, 'base64')));
const e = instance.exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
const STRIDE = 16384;
const random = seeded(4242);
const pick = prng(99);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function lanes(messages: Uint8Array[]): string[] {
  const mem = new Uint8Array(e.memory.buffer);
  const io = e.io_ptr!();
  messages.forEach((m, i) => mem.set(m, io + STRIDE * i));
  e.sha256_x4!(...messages.map((m) => m.length));
  const out = e.out_ptr!();
  return messages.map((_, i) => hex(new Uint8Array(e.memory.buffer, out + 32 * i, 32)));
}

function scalarWasm(m: Uint8Array): string {
  new Uint8Array(e.memory.buffer).set(m, e.io_ptr!());
  e.sha256!(m.length);
  return hex(new Uint8Array(e.memory.buffer, e.out_ptr!(), 32));
}

const EDGES = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, STRIDE - 128];

describe('four-lane SHA-256 (WASM)', () => {
  it('every lane equals node:crypto, the pure twin and the scalar core on the padding edge lengths', () => {
    for (const a of EDGES) {
      for (const b of [0, 55, 56, 63, 64]) {
        const ms = [random(a), random(b), random(EDGES[(a + b) % EDGES.length]!), random(pick(300))];
        const got = lanes(ms);
        ms.forEach((m, i) => {
          const want = createHash('sha256').update(m).digest('hex');
          expect(got[i], `lane ${i}, ${m.length} bytes`).toBe(want);
          expect(hex(nobleSha256(m))).toBe(want);
          expect(scalarWasm(m)).toBe(want);
        });
      }
    }
  });

  it('on 500 random sets of four messages of varied lengths (1 to 10 blocks, idle lanes)', () => {
    for (let t = 0; t < 500; t++) {
      const ms = [0, 1, 2, 3].map(() => random(pick(4) === 0 ? pick(640) : pick(130)));
      expect(lanes(ms), `set ${t}`).toEqual(ms.map((m) => createHash('sha256').update(m).digest('hex')));
    }
  });

  it('the same message in all four lanes gives four equal digests (lanes do not leak into each other)', () => {
    const m = random(200);
    const want = createHash('sha256').update(m).digest('hex');
    expect(lanes([m, m, m, m])).toEqual([want, want, want, want]);
  });
});
