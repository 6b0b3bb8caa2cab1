import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CryptoError, type CryptoErrorCode } from '../sdk/crypto/errors.js';
import { nativeProvider } from '../sdk/crypto/native/provider.js';
import { pureProvider } from '../sdk/crypto/pure/provider.js';
import type { CryptoProvider } from '../sdk/crypto/types.js';
import { wasmBase64 } from '../sdk/crypto/wasm/generated/hash.js';
import { createWasmHash, wasmMerkleRange } from '../sdk/crypto/wasm/hash.js';
import {
  RFC4231_HMAC_SHA512, RFC5869_INPUTS, SHA3_512_VECTORS, SHA512_VECTORS, SHAKE256_VECTORS,
} from './support/hash-vectors.js';
import { wycheproofDir } from './support/paths.js';
import { fromHex, hex, pseudoRandomBytes } from './support/providers.js';

/**
 * The hashing primitives (SHA-512, SHA3-512, SHAKE256, HMAC, HKDF, Merkle) on every provider:
 * standard vectors, Wycheproof, differential tests wasm == pure == native, streaming, bad input,
 * and the WASM core's bounded memory. The WASM module is instantiated here directly from the
 * inlined bytes, independent of `init()`.
 */

type HashProvider = Pick<
  CryptoProvider,
  'name' | 'sha512' | 'sha3_512' | 'shake256' | 'hmacSha512' | 'hmacSha3_512' | 'hkdfSha512' | 'merkleRoot'
>;

function instantiate(): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasmBase64, 'base64')));
}
const wasmInstance = instantiate();
const wasm: HashProvider = { name: 'wasm', ...createWasmHash(wasmInstance.exports) };
const native = nativeProvider();
if (native === undefined) throw new Error('node:crypto is required by these tests');
const providers: HashProvider[] = [pureProvider, native, wasm];
const wasmMemory = wasmInstance.exports.memory as WebAssembly.Memory;
const initialMemoryBytes = wasmMemory.buffer.byteLength;

function expectCode(fn: () => unknown, code: CryptoErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected CryptoError ${code}`).toBeInstanceOf(CryptoError);
  expect((thrown as CryptoError).code).toBe(code);
}

// ---- independent references, written out the way the standards state them -------------------

const nodeHash = (alg: string, ...parts: Uint8Array[]): Buffer => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 5869 §2.2–2.3 literally, on node:crypto HMAC. */
function referenceHkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): string {
  const prk = createHmac('sha512', salt.length ? salt : new Uint8Array(64)).update(ikm).digest();
  let t: Uint8Array = new Uint8Array(0);
  let okm = '';
  for (let i = 1; okm.length < 2 * length; i++) {
    t = createHmac('sha512', prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    okm += hex(t);
  }
  return okm.slice(0, 2 * length);
}

/** RFC 9162 §2.1.1 Merkle Tree Hash as the RFC states it: recursive, split at the largest power of two < n. */
function referenceMth(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return nodeHash('sha512');
  if (leaves.length === 1) return nodeHash('sha512', Uint8Array.of(0), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash('sha512', Uint8Array.of(1), referenceMth(leaves.slice(0, k)), referenceMth(leaves.slice(k)));
}

// ---- Wycheproof --------------------------------------------------------------------------------

interface WycheproofFile<T> {
  algorithm: string;
  testGroups: { tagSize?: number; tests: (T & { tcId: number; result: 'valid' | 'invalid' | 'acceptable' })[] }[];
}
interface MacTest { key: string; msg: string; tag: string }
interface HkdfTest { ikm: string; salt: string; info: string; size: number; okm: string }

function wycheproof<T>(file: string): WycheproofFile<T> {
  return JSON.parse(readFileSync(resolve(wycheproofDir, file), 'utf8')) as WycheproofFile<T>;
}
const hmacSha512Wp = wycheproof<MacTest>('hmac_sha512_test.json');
const hmacSha3Wp = wycheproof<MacTest>('hmac_sha3_512_test.json');
const hkdfWp = wycheproof<HkdfTest>('hkdf_sha512_test.json');

// ---- standard vectors, every provider ------------------------------------------------------------

describe.each(providers)('standard vectors on $name', (p) => {
  it('SHA-512: FIPS 180-4 examples and one million "a"', () => {
    for (const v of SHA512_VECTORS) expect(hex(p.sha512(v.msg)), v.name).toBe(v.digest);
  });

  it('SHA3-512: FIPS 202 examples', () => {
    for (const v of SHA3_512_VECTORS) expect(hex(p.sha3_512(v.msg)), v.name).toBe(v.digest);
  });

  it('SHAKE256: FIPS 202 examples (short and multi-block outputs)', () => {
    for (const v of SHAKE256_VECTORS) expect(hex(p.shake256(v.msg, v.outputLength)), v.name).toBe(v.digest);
    // An XOF's shorter output is a prefix of its longer one.
    const long = SHAKE256_VECTORS[2]!;
    expect(hex(p.shake256(long.msg, 137))).toBe(long.digest.slice(0, 274));
    expect(p.shake256(long.msg, 0)).toEqual(new Uint8Array(0));
  });

  it('HMAC-SHA-512: RFC 4231 test cases 1–7', () => {
    for (const v of RFC4231_HMAC_SHA512) {
      expect(hex(p.hmacSha512(v.key, v.data)).slice(0, v.tag.length), v.name).toBe(v.tag);
    }
  });

  it('HKDF-SHA-512: RFC 5869 A.1–A.3 inputs against the RFC steps written out', () => {
    for (const v of RFC5869_INPUTS) {
      expect(hex(p.hkdfSha512(v.ikm, v.salt, v.info, v.length)), v.name).toBe(referenceHkdf(v.ikm, v.salt, v.info, v.length));
    }
    // Empty salt is HashLen zero bytes (RFC 5869 §2.2).
    const ikm = pseudoRandomBytes(40, 5);
    expect(hex(p.hkdfSha512(ikm, new Uint8Array(0), new Uint8Array(0), 64)))
      .toBe(hex(p.hkdfSha512(ikm, new Uint8Array(64), new Uint8Array(0), 64)));
    expect(p.hkdfSha512(ikm, ikm, ikm, 0)).toEqual(new Uint8Array(0));
    expect(p.hkdfSha512(new Uint8Array(0), ikm, ikm, 100).length).toBe(100);
  });

  it('HKDF-SHA-512 with ikm, salt or info of 1025 B and 70,000 B (beyond node hkdfSync and the WASM I/O region)', () => {
    const small = pseudoRandomBytes(20, 10);
    for (const size of [1025, 70_000]) {
      const big = pseudoRandomBytes(size, size);
      for (const [ikm, salt, info] of [[big, small, small], [small, big, small], [small, small, big]] as const) {
        expect(hex(p.hkdfSha512(ikm, salt, info, 200)), `${ikm.length}/${salt.length}/${info.length}`)
          .toBe(referenceHkdf(ikm, salt, info, 200));
      }
    }
  });

  it('Wycheproof HMAC-SHA-512 and HMAC-SHA3-512 (truncated tags compare as prefixes)', () => {
    for (const [file, mac] of [
      [hmacSha512Wp, p.hmacSha512.bind(p)],
      [hmacSha3Wp, p.hmacSha3_512.bind(p)],
    ] as const) {
      let valid = 0;
      let invalid = 0;
      for (const g of file.testGroups) {
        for (const t of g.tests) {
          const tag = hex(mac(fromHex(t.key), fromHex(t.msg))).slice(0, g.tagSize! / 4);
          const label = `${file.algorithm} tcId ${t.tcId}`;
          if (t.result === 'valid') {
            expect(tag, label).toBe(t.tag);
            valid++;
          } else {
            expect(tag, label).not.toBe(t.tag); // a modified tag must never be what we compute
            invalid++;
          }
        }
      }
      expect(valid).toBeGreaterThan(50);
      expect(invalid).toBeGreaterThan(50);
    }
  });

  it('Wycheproof HKDF-SHA-512 (too-long outputs refused with CRYPTO_INVALID_LENGTH)', () => {
    let invalid = 0;
    for (const g of hkdfWp.testGroups) {
      for (const t of g.tests) {
        const run = () => p.hkdfSha512(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.size);
        if (t.result === 'valid') {
          expect(hex(run()), `tcId ${t.tcId}`).toBe(t.okm);
        } else {
          expectCode(run, 'CRYPTO_INVALID_LENGTH');
          invalid++;
        }
      }
    }
    expect(invalid).toBe(3);
  });

  it('merkleRoot equals the recursive RFC 9162 definition for n = 0..70', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => pseudoRandomBytes(i % 3 === 0 ? 64 : i, 1000 + i));
    for (let n = 0; n <= 70; n++) {
      const sub = leaves.slice(0, n);
      expect(hex(p.merkleRoot(sub)), `n = ${n}`).toBe(referenceMth(sub).toString('hex'));
    }
  });
});

// ---- differential: wasm == pure == native ------------------------------------------------------

/** Runs `f` on every provider and returns the labels whose output differs from native's. */
function disagreements(label: string, f: (p: HashProvider) => Uint8Array): string[] {
  const want = hex(f(native!));
  const bad: string[] = [];
  for (const p of [pureProvider, wasm]) if (hex(f(p)) !== want) bad.push(`${p.name}: ${label}`);
  return bad;
}

describe('differential: wasm == pure == native on pseudo-random inputs', () => {
  it('sha512 and sha3_512 for every length 0..1100', () => {
    const bad: string[] = [];
    for (let n = 0; n <= 1100; n++) {
      const d = pseudoRandomBytes(n, n + 1);
      bad.push(...disagreements(`sha512 len ${n}`, (p) => p.sha512(d)));
      bad.push(...disagreements(`sha3_512 len ${n}`, (p) => p.sha3_512(d)));
    }
    expect(bad).toEqual([]);
  });

  it('shake256 for every length 0..1100 with outputs of 0, 1, 136, 137 and 1000 bytes', () => {
    const bad: string[] = [];
    const outs = [0, 1, 136, 137, 1000];
    for (let n = 0; n <= 1100; n++) {
      const d = pseudoRandomBytes(n, 7 * n + 3);
      const len = outs[n % outs.length]!;
      bad.push(...disagreements(`shake256 len ${n} → ${len}`, (p) => p.shake256(d, len)));
    }
    // and every output length for one input, around the 136-byte rate, plus outputs longer
    // than the WASM output region (squeezed in chunks)
    const d = pseudoRandomBytes(50, 77);
    for (let len = 0; len <= 300; len++) bad.push(...disagreements(`shake256 → ${len}`, (p) => p.shake256(d, len)));
    for (const len of [16_384, 16_385, 40_000]) bad.push(...disagreements(`shake256 → ${len}`, (p) => p.shake256(d, len)));
    expect(bad).toEqual([]);
  });

  it('1 MiB inputs (sha512, sha3_512, shake256 → 20000 bytes)', () => {
    const d = pseudoRandomBytes(1 << 20, 42);
    expect([
      ...disagreements('sha512 1 MiB', (p) => p.sha512(d)),
      ...disagreements('sha3_512 1 MiB', (p) => p.sha3_512(d)),
      ...disagreements('shake256 1 MiB', (p) => p.shake256(d, 20000)),
    ]).toEqual([]);
  });

  it('HMAC-SHA-512 and HMAC-SHA3-512 with keys of every length 0..200', () => {
    const bad: string[] = [];
    for (let k = 0; k <= 200; k++) {
      const key = pseudoRandomBytes(k, 500 + k);
      for (const m of [0, 1, 71, 72, 73, 127, 128, 129, 300]) {
        const data = pseudoRandomBytes(m, 9000 + 7 * k + m);
        bad.push(...disagreements(`hmacSha512 key ${k} data ${m}`, (p) => p.hmacSha512(key, data)));
        bad.push(...disagreements(`hmacSha3_512 key ${k} data ${m}`, (p) => p.hmacSha3_512(key, data)));
      }
    }
    expect(bad).toEqual([]);
  });

  it('HMAC with data and keys larger than the WASM I/O region', () => {
    const bigKey = pseudoRandomBytes(70_000, 1);
    const bigData = pseudoRandomBytes(200_000, 2);
    const small = pseudoRandomBytes(33, 3);
    const bad: string[] = [];
    for (const [kn, key] of [['small', small], ['70000', bigKey]] as const) {
      for (const [dn, data] of [['small', small], ['200000', bigData]] as const) {
        bad.push(...disagreements(`hmacSha512 key ${kn} data ${dn}`, (p) => p.hmacSha512(key, data)));
        bad.push(...disagreements(`hmacSha3_512 key ${kn} data ${dn}`, (p) => p.hmacSha3_512(key, data)));
      }
    }
    expect(bad).toEqual([]);
  });

  it('HKDF-SHA-512 on varied inputs and outputs of 0..16320 bytes', () => {
    const bad: string[] = [];
    for (let i = 0; i < 300; i++) {
      const ikm = pseudoRandomBytes(1 + ((i * 37) % 200), 3 * i + 1);
      const salt = pseudoRandomBytes((i * 53) % 180, 3 * i + 2);
      const info = pseudoRandomBytes((i * 29) % 150, 3 * i + 3);
      const length = i === 0 ? 0 : i === 1 ? 255 * 64 : (i * 97) % 700;
      bad.push(...disagreements(`hkdf #${i} (${ikm.length}/${salt.length}/${info.length} → ${length})`,
        (p) => p.hkdfSha512(ikm, salt, info, length)));
    }
    expect(bad).toEqual([]);
  });
});

// ---- streaming ---------------------------------------------------------------------------------

describe.each(providers)('streaming on $name', (p) => {
  const input = pseudoRandomBytes(300, 300);

  it('equals one-shot at every split point of a 300-byte input', () => {
    const want512 = hex(p.sha512(input));
    const want3 = hex(p.sha3_512(input));
    const wantShake = hex(p.shake256(input, 200));
    const bad: number[] = [];
    for (let i = 0; i <= input.length; i++) {
      const a = input.subarray(0, i);
      const b = input.subarray(i);
      if (hex(p.sha512.create().update(a).update(b).digest()) !== want512) bad.push(i);
      if (hex(p.sha3_512.create().update(a).update(b).digest()) !== want3) bad.push(1000 + i);
      if (hex(p.shake256.create(200).update(a).update(b).digest()) !== wantShake) bad.push(2000 + i);
    }
    expect(bad).toEqual([]);
  });

  it('handles updates larger than the WASM I/O region and many tiny ones', () => {
    const big = pseudoRandomBytes(3 * 65536 + 4321, 11);
    const s1 = p.sha512.create();
    const s2 = p.sha3_512.create();
    const s3 = p.shake256.create(20_000);
    let pos = 0;
    for (const step of [1, 0, 70_000, 3, 65_536, 65_537, 127, 5]) {
      const part = big.subarray(pos, Math.min(big.length, pos + step));
      s1.update(part);
      s2.update(part);
      s3.update(part);
      pos += part.length;
    }
    const rest = big.subarray(pos);
    expect(hex(s1.update(rest).digest())).toBe(nodeHash('sha512', big).toString('hex'));
    expect(hex(s2.update(rest).digest())).toBe(nodeHash('sha3-512', big).toString('hex'));
    expect(hex(s3.update(rest).digest())).toBe(hex(native!.shake256(big, 20_000)));
  });

  it('keeps interleaved streams independent', () => {
    const data = [pseudoRandomBytes(5000, 1), pseudoRandomBytes(4000, 2), pseudoRandomBytes(3000, 3)];
    const streams = [
      p.sha512.create(), p.sha512.create(), p.sha3_512.create(),
      p.shake256.create(100), p.sha3_512.create(), p.sha512.create(),
    ];
    const sources = [0, 1, 2, 0, 1, 2];
    for (let off = 0; off < 5000; off += 97) {
      streams.forEach((s, i) => s.update(data[sources[i]!]!.subarray(off, off + 97)));
      if (off === 970) p.sha512(data[0]!); // a one-shot in between must not disturb them
    }
    const want = [
      p.sha512(data[0]!), p.sha512(data[1]!), p.sha3_512(data[2]!),
      p.shake256(data[0]!, 100), p.sha3_512(data[1]!), p.sha512(data[2]!),
    ];
    // digest in a different order than creation
    for (const i of [3, 0, 5, 1, 4, 2]) expect(hex(streams[i]!.digest()), `stream ${i}`).toBe(hex(want[i]!));
  });

  it('writes into a caller buffer and refuses misuse with CRYPTO_STATE / CRYPTO_INVALID_LENGTH', () => {
    const out = new Uint8Array(80);
    const s = p.sha512.create().update(input);
    expect(s.digest(out)).toBe(out);
    expect(hex(out.subarray(0, 64))).toBe(hex(p.sha512(input)));
    expectCode(() => s.update(input), 'CRYPTO_STATE');
    expectCode(() => s.digest(), 'CRYPTO_STATE');
    expectCode(() => p.sha3_512.create().digest(new Uint8Array(63)), 'CRYPTO_INVALID_LENGTH');
    expect(p.shake256.create(0).update(input).digest()).toEqual(new Uint8Array(0));
  });
});

// ---- bad input ---------------------------------------------------------------------------------

describe.each(providers)('bad input on $name', (p) => {
  const notBytes: unknown[] = ['abc', [1, 2, 3], null, undefined, 42, new ArrayBuffer(4), new Uint16Array(2), new DataView(new ArrayBuffer(2))];
  const ok = new Uint8Array(8);
  const asBytes = (v: unknown) => v as Uint8Array;

  it('non-Uint8Array arguments → CRYPTO_INVALID_ARGUMENT', () => {
    for (const v of notBytes) {
      expectCode(() => p.sha512(asBytes(v)), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.sha3_512(asBytes(v)), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.shake256(asBytes(v), 32), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.sha512.create().update(asBytes(v)), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.shake256.create(10).update(asBytes(v)), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.hmacSha512(asBytes(v), ok), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.hmacSha512(ok, asBytes(v)), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.hmacSha3_512(asBytes(v), ok), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.hmacSha3_512(ok, asBytes(v)), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.hkdfSha512(asBytes(v), ok, ok, 32), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.hkdfSha512(ok, asBytes(v), ok, 32), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.hkdfSha512(ok, ok, asBytes(v), 32), 'CRYPTO_INVALID_ARGUMENT');
      expectCode(() => p.merkleRoot([ok, asBytes(v)]), 'CRYPTO_INVALID_ARGUMENT');
    }
    expectCode(() => p.merkleRoot('abc' as unknown as Uint8Array[]), 'CRYPTO_INVALID_ARGUMENT');
    expectCode(() => p.merkleRoot(ok as unknown as Uint8Array[]), 'CRYPTO_INVALID_ARGUMENT');
  });

  it('bad output lengths → CRYPTO_INVALID_LENGTH', () => {
    for (const n of [-1, 1.5, Number.NaN, Infinity, 2 ** 31, '32' as unknown as number]) {
      expectCode(() => p.shake256(ok, n), 'CRYPTO_INVALID_LENGTH');
      expectCode(() => p.shake256.create(n), 'CRYPTO_INVALID_LENGTH');
      expectCode(() => p.hkdfSha512(ok, ok, ok, n), 'CRYPTO_INVALID_LENGTH');
    }
    expectCode(() => p.hkdfSha512(ok, ok, ok, 255 * 64 + 1), 'CRYPTO_INVALID_LENGTH');
    expect(p.hkdfSha512(ok, ok, ok, 255 * 64).length).toBe(255 * 64);
  });

  it('a refused call leaves the provider working', () => {
    expectCode(() => p.hkdfSha512(ok, ok, ok, -5), 'CRYPTO_INVALID_LENGTH');
    expect(hex(p.sha512(SHA512_VECTORS[1]!.msg))).toBe(SHA512_VECTORS[1]!.digest);
  });
});

// ---- WASM specifics -----------------------------------------------------------------------------

describe('WASM hash core', () => {
  it('refuses exports that are not the hash module with CRYPTO_WASM_FAILED', () => {
    expectCode(() => createWasmHash({}), 'CRYPTO_WASM_FAILED');
    const { memory: _memory, ...noMemory } = instantiate().exports;
    expectCode(() => createWasmHash(noMemory), 'CRYPTO_WASM_FAILED');
  });

  it('merkleRoot of 100,000 leaves of 64 B equals the recursive RFC 9162 definition', () => {
    const leaves = Array.from({ length: 100_000 }, (_, i) => pseudoRandomBytes(64, i + 7));
    expect(hex(wasm.merkleRoot(leaves))).toBe(referenceMth(leaves).toString('hex'));
  });

  it('merkleRoot batches leaves of any size, including ones larger than the I/O region', () => {
    const leaves = [
      new Uint8Array(0), pseudoRandomBytes(65_535, 1), pseudoRandomBytes(65_536, 2), pseudoRandomBytes(1, 3),
      pseudoRandomBytes(200_000, 4), ...Array.from({ length: 5000 }, (_, i) => pseudoRandomBytes(i % 5, i)),
    ];
    expect(hex(wasm.merkleRoot(leaves))).toBe(referenceMth(leaves).toString('hex'));
  });

  it('WasmMerkleRange: heads of every prefix, interleaved ranges, known leaf hashes', () => {
    const newRange = wasmMerkleRange(wasmInstance.exports);
    const leaves = Array.from({ length: 130 }, (_, i) => pseudoRandomBytes(i % 90, 77 + i));
    const a = newRange();
    const b = newRange();
    expect(hex(a.root())).toBe(referenceMth([]).toString('hex'));
    leaves.forEach((leaf, i) => {
      a.append(leaf);
      // b lags one leaf behind and is given the leaf hash directly; each use swaps the slot.
      if (i > 0) b.appendLeafHash(nodeHash('sha512', Uint8Array.of(0), leaves[i - 1]!));
      wasm.merkleRoot(leaves.slice(0, 3)); // the one-shot shares the slot too
      expect(a.size).toBe(i + 1);
      expect(a.subtreeRoots.length).toBe((i + 1).toString(2).replace(/0/g, '').length);
      expect(hex(a.root()), `prefix ${i + 1}`).toBe(referenceMth(leaves.slice(0, i + 1)).toString('hex'));
      expect(hex(b.root()), `lagging prefix ${i}`).toBe(referenceMth(leaves.slice(0, i)).toString('hex'));
    });
    expectCode(() => a.appendLeafHash(new Uint8Array(63)), 'CRYPTO_INVALID_LENGTH');
    expectCode(() => a.append('x' as unknown as Uint8Array), 'CRYPTO_INVALID_ARGUMENT');
  });

  it('leaves no HMAC / HKDF key bytes behind in WASM memory', () => {
    const memory = () => Buffer.from(wasmMemory.buffer);
    const key = pseudoRandomBytes(64, 4242);
    const longKey = pseudoRandomBytes(150, 4343);
    const data = pseudoRandomBytes(100, 1);
    const calls: [string, () => unknown][] = [
      ['hmacSha512', () => wasm.hmacSha512(key, data)],
      ['hmacSha3_512', () => wasm.hmacSha3_512(key, data)],
      ['hmacSha512, long data (streaming)', () => wasm.hmacSha512(key, pseudoRandomBytes(100_000, 2))],
      ['hmacSha3_512, long key', () => wasm.hmacSha3_512(longKey, data)],
      ['hkdfSha512', () => wasm.hkdfSha512(key, longKey, data, 500)],
    ];
    for (const [name, call] of calls) {
      call();
      expect(memory().indexOf(Buffer.from(key)), name).toBe(-1);
      expect(memory().indexOf(Buffer.from(longKey)), name).toBe(-1);
    }
    const okm = wasm.hkdfSha512(key, longKey, data, 300);
    expect(memory().indexOf(Buffer.from(okm.subarray(0, 32))), 'HKDF output').toBe(-1);
  });

  it('wipes the message-schedule ring (W[t] + K[t]) after each SHA-512 compression call', () => {
    // The ring holds words derived from the message, HMAC key pads included. Recompute, in
    // BigInt, what it holds at the end of a one-block hash (W[t] + K[t] for rounds 64..79, FIPS
    // 180-4 §6.4.2) and look for those words in WASM memory.
    const M64 = (1n << 64n) - 1n;
    const rotr = (x: bigint, n: bigint): bigint => ((x >> n) | (x << (64n - n))) & M64;
    const cbrt = (n: bigint): bigint => {
      let x = 1n << BigInt(Math.ceil(n.toString(2).length / 3));
      for (;;) {
        const y = (2n * x + n / (x * x)) / 3n;
        if (y >= x) return x;
        x = y;
      }
    };
    const primes: bigint[] = [];
    for (let n = 2n; primes.length < 80; n++) if (primes.every((q) => n % q !== 0n)) primes.push(n);
    // K[t]: the first 64 bits of the fractional part of the cube root of the t-th prime (§4.2.3).
    const K = primes.map((q) => cbrt(q << 192n) & M64);
    expect(K[0]).toBe(0x428a2f98d728ae22n);
    expect(K[79]).toBe(0x6c44198c4a475817n);

    const message = pseudoRandomBytes(100, 4545);
    const block = new Uint8Array(128);
    block.set(message);
    block[100] = 0x80;
    const view = new DataView(block.buffer);
    view.setBigUint64(120, BigInt(message.length * 8));
    const W = Array.from({ length: 16 }, (_, i) => view.getBigUint64(8 * i));
    for (let t = 16; t < 80; t++) {
      const s0 = rotr(W[t - 15]!, 1n) ^ rotr(W[t - 15]!, 8n) ^ (W[t - 15]! >> 7n);
      const s1 = rotr(W[t - 2]!, 19n) ^ rotr(W[t - 2]!, 61n) ^ (W[t - 2]! >> 6n);
      W.push((s1 + W[t - 7]! + s0 + W[t - 16]!) & M64);
    }
    expect(hex(wasm.sha512(message))).toBe(createHash('sha512').update(message).digest('hex'));
    const memory = Buffer.from(wasmMemory.buffer);
    const word = Buffer.alloc(8);
    for (let t = 64; t < 80; t++) {
      word.writeBigUInt64LE((W[t]! + K[t]!) & M64);
      expect(memory.indexOf(word), `W[${t}] + K[${t}]`).toBe(-1);
    }
  });

  it('hashing 256 MiB through the streaming API keeps WASM memory at its initial size', () => {
    const chunk = pseudoRandomBytes(1 << 20, 99);
    const s = wasm.sha512.create();
    const ref = createHash('sha512');
    for (let i = 0; i < 256; i++) {
      chunk[0] = i; // distinct chunks, one reused buffer
      s.update(chunk);
      ref.update(chunk);
    }
    expect(hex(s.digest())).toBe(ref.digest('hex'));
    const x = wasm.shake256.create(1 << 20);
    for (let i = 0; i < 8; i++) x.update(chunk);
    expect(x.digest().length).toBe(1 << 20);
    expect(wasmMemory.buffer.byteLength).toBe(initialMemoryBytes);
    expect(wasmMemory.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
  });
});

// ---- SHA-256, HMAC-SHA-256, HKDF-SHA-256 (DARE's per-item keys, dare.md §4.2) -------------------

type Sha256Provider = Pick<CryptoProvider, 'name' | 'sha256' | 'hmacSha256' | 'hkdfSha256' | 'hkdfSha256Multi'>;
const wasm256: Sha256Provider = { name: 'wasm', ...createWasmHash(wasmInstance.exports) };
const providers256: Sha256Provider[] = [pureProvider, native, wasm256];
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const filled = (n: number, b: number): Uint8Array => new Uint8Array(n).fill(b);
const range = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** RFC 5869 §2.2–2.3 literally for SHA-256, on node:crypto HMAC. */
function referenceHkdf256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): string {
  const prk = createHmac('sha256', salt.length ? salt : new Uint8Array(32)).update(ikm).digest();
  let t: Uint8Array = new Uint8Array(0);
  let okm = '';
  for (let i = 1; okm.length < 2 * length; i++) {
    t = createHmac('sha256', prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    okm += hex(t);
  }
  return okm.slice(0, 2 * length);
}

describe.each(providers256)('SHA-256 family: standard vectors on $name', (p) => {
  it('SHA-256: FIPS 180-4 examples and one million "a"', () => {
    expect(hex(p.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(p.sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(p.sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))))
      .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(hex(p.sha256(ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'))))
      .toBe('cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1');
    expect(hex(p.sha256(filled(1_000_000, 0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    expect(p.sha256.outputLength).toBe(32);
    expect(p.sha256.blockLength).toBe(64);
  });

  it('HMAC-SHA-256: RFC 4231 test cases 1–7', () => {
    expect(hex(p.hmacSha256(filled(20, 0x0b), ascii('Hi There'))))
      .toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(hex(p.hmacSha256(ascii('Jefe'), ascii('what do ya want for nothing?'))))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(hex(p.hmacSha256(filled(20, 0xaa), filled(50, 0xdd))))
      .toBe('773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe');
    expect(hex(p.hmacSha256(range(1, 25), filled(50, 0xcd))))
      .toBe('82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b');
    expect(hex(p.hmacSha256(filled(20, 0x0c), ascii('Test With Truncation'))).slice(0, 32)).toBe('a3b6167473100ee06e0c796c2955552b');
    expect(hex(p.hmacSha256(filled(131, 0xaa), ascii('Test Using Larger Than Block-Size Key - Hash Key First'))))
      .toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
    expect(hex(p.hmacSha256(filled(131, 0xaa), ascii(
      'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    )))).toBe('9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2');
  });

  it('HKDF-SHA-256: RFC 5869 test cases 1–3', () => {
    expect(hex(p.hkdfSha256(filled(22, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42)))
      .toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
    expect(hex(p.hkdfSha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82))).toBe(
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87',
    );
    expect(hex(p.hkdfSha256(filled(22, 0x0b), new Uint8Array(0), new Uint8Array(0), 42)))
      .toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });

  it('hkdfSha256Multi equals one hkdfSha256 per info (1, 2 and 3 infos; DARE key/iv/mac)', () => {
    const ikm = pseudoRandomBytes(32, 71);
    const salt = pseudoRandomBytes(16, 72);
    const infos = [ascii('encrypt'), ascii('iv'), ascii('mac')];
    for (const n of [1, 2, 3]) {
      const lengths = [32, 16, 100].slice(0, n);
      const got = p.hkdfSha256Multi(ikm, salt, infos.slice(0, n), lengths);
      expect(got.map(hex)).toEqual(lengths.map((l, k) => referenceHkdf256(ikm, salt, infos[k]!, l)));
    }
    expect(p.hkdfSha256Multi(ikm, salt, [], [])).toEqual([]);
    expectCode(() => p.hkdfSha256Multi(ikm, salt, infos, [32]), 'CRYPTO_INVALID_ARGUMENT');
    expectCode(() => p.hkdfSha256Multi(ikm, salt, infos.slice(0, 1), [255 * 32 + 1]), 'CRYPTO_INVALID_LENGTH');
  });

  it('HKDF-SHA-256 with info of 1025 B and inputs of 70,000 B; output bound 255 × 32', () => {
    const big = pseudoRandomBytes(70_000, 5);
    const info1025 = pseudoRandomBytes(1025, 6);
    expect(hex(p.hkdfSha256(big, big.subarray(0, 100), info1025, 100))).toBe(referenceHkdf256(big, big.subarray(0, 100), info1025, 100));
    expect(hex(p.hkdfSha256(ascii('k'), big, big, 40))).toBe(referenceHkdf256(ascii('k'), big, big, 40));
    expect(p.hkdfSha256(ascii('k'), ascii('s'), ascii('i'), 255 * 32).length).toBe(255 * 32);
    expectCode(() => p.hkdfSha256(ascii('k'), ascii('s'), ascii('i'), 255 * 32 + 1), 'CRYPTO_INVALID_LENGTH');
    expectCode(() => p.hmacSha256('key' as unknown as Uint8Array, ascii('x')), 'CRYPTO_INVALID_ARGUMENT');
  });
});

describe('SHA-256 family differential: wasm == pure == native', () => {
  it('sha256 for every length 0..1100 and 1 MiB', () => {
    for (let n = 0; n <= 1100; n++) {
      const d = pseudoRandomBytes(n, n + 7);
      const want = nodeHash('sha256', d).toString('hex');
      for (const p of providers256) expect(hex(p.sha256(d)), `${p.name} n=${n}`).toBe(want);
    }
    const mib = pseudoRandomBytes(1 << 20, 8);
    for (const p of providers256) expect(hex(p.sha256(mib))).toBe(nodeHash('sha256', mib).toString('hex'));
  });

  it('HMAC-SHA-256 with keys of every length 0..200, and data larger than the WASM I/O region', () => {
    const data = pseudoRandomBytes(333, 9);
    for (let k = 0; k <= 200; k++) {
      const key = pseudoRandomBytes(k, 1000 + k);
      const want = createHmac('sha256', key).update(data).digest('hex');
      for (const p of providers256) expect(hex(p.hmacSha256(key, data)), `${p.name} k=${k}`).toBe(want);
    }
    const big = pseudoRandomBytes(200_000, 10);
    const bigKey = pseudoRandomBytes(70_000, 11);
    for (const p of providers256) {
      expect(hex(p.hmacSha256(bigKey, big))).toBe(createHmac('sha256', bigKey).update(big).digest('hex'));
    }
  });

  it('HKDF-SHA-256 on varied inputs, outputs 0..8160 bytes', () => {
    for (let i = 0; i < 60; i++) {
      const ikm = pseudoRandomBytes((i * 37) % 300, 2000 + i);
      const salt = pseudoRandomBytes((i * 53) % 140, 3000 + i);
      const info = pseudoRandomBytes((i * 29) % 200, 4000 + i);
      const length = i === 59 ? 8160 : (i * 97) % 700;
      const want = referenceHkdf256(ikm, salt, info, length);
      for (const p of providers256) expect(hex(p.hkdfSha256(ikm, salt, info, length)), `${p.name} i=${i}`).toBe(want);
    }
  });
});

describe.each(providers256)('SHA-256 streaming on $name', (p) => {
  it('equals one-shot at every split point of a 300-byte input, and across the WASM I/O region', () => {
    const d = pseudoRandomBytes(300, 12);
    const want = nodeHash('sha256', d).toString('hex');
    for (let i = 0; i <= 300; i += 1) {
      for (const j of [i, Math.min(300, i + 63), Math.min(300, i + 64), 300]) {
        expect(hex(p.sha256.create().update(d.subarray(0, i)).update(d.subarray(i, j)).update(d.subarray(j)).digest()), `${i}/${j}`).toBe(want);
      }
    }
    const big = pseudoRandomBytes(150_000, 13);
    const s = p.sha256.create();
    s.update(big.subarray(0, 1)).update(big.subarray(1, 70_001)).update(big.subarray(70_001));
    expect(hex(s.digest())).toBe(nodeHash('sha256', big).toString('hex'));
  });

  it('keeps interleaved SHA-256 and SHA-512 streams independent (shared WASM slot)', () => {
    const a = p.sha256.create();
    const b = p.sha256.create();
    const c = (p.name === 'wasm' ? wasm : p === native ? native : pureProvider).sha512.create();
    const x = pseudoRandomBytes(500, 14);
    const y = pseudoRandomBytes(700, 15);
    for (let i = 0; i < 5; i++) {
      a.update(x.subarray(100 * i, 100 * i + 100));
      c.update(y.subarray(100 * i, 100 * i + 100));
      b.update(y.subarray(100 * i, 100 * i + 100));
    }
    b.update(y.subarray(500));
    c.update(y.subarray(500));
    expect(hex(a.digest())).toBe(nodeHash('sha256', x).toString('hex'));
    expect(hex(b.digest())).toBe(nodeHash('sha256', y).toString('hex'));
    expect(hex(c.digest())).toBe(nodeHash('sha512', y).toString('hex'));
  });
});

describe('WASM SHA-256 family and sequence frame calls', () => {
  it('leaves no HMAC-SHA-256 / HKDF-SHA-256 key or output bytes behind in WASM memory', () => {
    const memory = () => Buffer.from(wasmMemory.buffer);
    const key = pseudoRandomBytes(48, 5151);
    const data = pseudoRandomBytes(100, 5252);
    wasm256.hmacSha256(key, data);
    expect(memory().indexOf(Buffer.from(key))).toBe(-1);
    const okm = wasm256.hkdfSha256(key, data, data, 200);
    expect(memory().indexOf(Buffer.from(key))).toBe(-1);
    expect(memory().indexOf(Buffer.from(okm.subarray(0, 32)))).toBe(-1);
    const [k, iv] = wasm256.hkdfSha256Multi(key, data, [ascii('encrypt'), ascii('iv')], [32, 16]);
    expect(memory().indexOf(Buffer.from(key))).toBe(-1);
    expect(memory().indexOf(Buffer.from(k!))).toBe(-1);
    expect(memory().indexOf(Buffer.from(iv!))).toBe(-1);
    expect(wasmMemory.buffer.byteLength).toBe(initialMemoryBytes);
  });

  it('WasmMerkleRange.appendPayload returns PD ‖ head equal to SHA-512 and the RFC 9162 definition', () => {
    const r = wasmMerkleRange(wasmInstance.exports)();
    const other = wasmMerkleRange(wasmInstance.exports)();
    const pds: Uint8Array[] = [];
    for (let i = 0; i < 70; i++) {
      const payload = pseudoRandomBytes(i === 69 ? 70_000 : (i * 41) % 400, 6000 + i);
      const out = r.appendPayload(payload);
      other.append(pseudoRandomBytes(8, i)); // interleaved range in the same slot
      const pd = nodeHash('sha512', payload);
      pds.push(pd);
      expect(out.length).toBe(128);
      expect(hex(out.subarray(0, 64)), `pd ${i}`).toBe(pd.toString('hex'));
      expect(hex(out.subarray(64)), `head ${i}`).toBe(referenceMth(pds).toString('hex'));
    }
    expect(r.size).toBe(70);
    expect(hex(r.root())).toBe(referenceMth(pds).toString('hex'));
  });
});
