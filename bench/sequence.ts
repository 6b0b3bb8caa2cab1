import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../adapters/store/memory.js';
import { NodeFileStore } from '../adapters/store/node-fs.js';
import { initSync, type ProviderName } from '../sdk/crypto/index.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { ed448HeadSigner, SequenceWriter } from '../sdk/dare/sequence/index.js';
import type { SequenceStore } from '../adapters/store/types.js';
import type { BenchCase } from './harness.js';
import { CountingStore } from './fixtures.js';

/**
 * Issue 6's transaction-log workload: records of 256 B appended to an encrypted (`Once`: one key
 * exchange, per-frame salt + HKDF-SHA-256 keys + AES-256-CBC), signed Merkle sequence (payload
 * digest + RFC 9162 head per frame, Ed448 signed head on close). One operation = a fresh sequence
 * with RECORDS records, so ops/s × RECORDS = records/s; `bytes` gives MB/s of record data. Each
 * operation routes all crypto to one provider (`initSync({ prefer })`) and restores the default.
 */
const RECORDS = 1000;
const RECORD = 256;

const recipient = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 29 + 5) & 0xff));
const signerSeed = Uint8Array.from({ length: 57 }, (_, i) => (i * 17 + 3) & 0xff);
const record = Uint8Array.from({ length: RECORD }, (_, i) => (i * 31 + 7) & 0xff);

/**
 * An in-memory store that keeps only its size: benchmark.js runs millions of appends, and the
 * workload is the per-frame crypto and encoding, not buffer growth (MemoryStore is measured by
 * `measureSequence`).
 */

/** One long-lived encrypted, signed Merkle writer per provider (benchmark.js cases are synchronous). */
const writers = new Map<ProviderName, SequenceWriter>();
async function writerFor(p: ProviderName): Promise<SequenceWriter> {
  routeTo(p);
  const w = await SequenceWriter.create(new CountingStore(), {
    type: 'Merkle', encrypt: { recipients: [publicPart(recipient)] }, signer: ed448HeadSigner(signerSeed), signEvery: 100_000,
  });
  initSync({});
  return w;
}

/** Creates the writers the cases use; call once before `sequenceBenchCases`. */
export async function prepareSequenceBench(names: ProviderName[]): Promise<void> {
  for (const p of names) if (!writers.has(p)) writers.set(p, await writerFor(p));
}

/**
 * Routing for one provider. node:crypto has no Ed448 contexts on Node 20, so the native path
 * signs and exchanges keys on the pure provider (one exchange and one signature per log: noise).
 */
function routeTo(name: ProviderName): void {
  if (name !== 'native') {
    initSync({ prefer: name });
    return;
  }
  initSync({
    prefer: {
      sha512: 'native', sha3_512: 'native', shake256: 'native', hmacSha512: 'native', hmacSha3_512: 'native', hkdfSha512: 'native',
      sha256: 'native', hmacSha256: 'native', hkdfSha256: 'native', aes256Cbc: 'native', aesKeyWrap: 'native', merkleRoot: 'native', ed448: 'pure', x448: 'pure',
    },
  });
}

function withProvider(name: ProviderName, f: () => void): () => void {
  return () => {
    routeTo(name);
    try {
      f();
    } finally {
      initSync({});
    }
  };
}

/**
 * The sequence benchmark cases (after `await prepareSequenceBench(names)`); disk and MemoryStore
 * figures come from `measureSequence`.
 */
export function sequenceBenchCases(names: ProviderName[], quick: boolean): BenchCase[] {
  void quick;
  return names.filter((p) => writers.has(p)).map((p) => ({
    group: `Sequence log ${RECORDS} × ${RECORD} B (memory, encrypted+signed Merkle)`,
    provider: p,
    fn: withProvider(p, () => {
      const w = writers.get(p)!;
      for (let i = 0; i < RECORDS; i++) w.append(record);
    }),
    bytes: RECORDS * RECORD,
  }));
}

/** Same-run targets of issue 6 (performance section), in memory. */
export const sequenceTargets: { group: string; a: string; b: string; min: number }[] = [
  { group: `Sequence log ${RECORDS} × ${RECORD} B (memory, encrypted+signed Merkle)`, a: 'wasm', b: 'native', min: 1.5 },
  { group: `Sequence log ${RECORDS} × ${RECORD} B (memory, encrypted+signed Merkle)`, a: 'wasm', b: 'pure', min: 4 },
];

/**
 * Records/s for `records` appends on each provider, in memory and on disk (fsync per append,
 * group commit), and the peak RSS growth — an async measurement outside benchmark.js (disk I/O).
 */
export async function measureSequence(names: ProviderName[], records = 100_000): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dare-bench-'));
  try {
    for (const p of names) {
      for (const where of ['memory', 'disk-group', 'disk-fsync'] as const) {
        const n = where === 'disk-fsync' ? Math.min(records, 2000) : records;
        routeTo(p);
        const store: SequenceStore = where === 'memory' ? MemoryStore.create()
          : await NodeFileStore.openWrite(join(dir, `${p}-${where}.dare`), { durability: where === 'disk-group' ? 'group' : 'fsync' });
        const t0 = performance.now();
        const w = await SequenceWriter.create(store, { type: 'Merkle', encrypt: { recipients: [publicPart(recipient)] }, signer: ed448HeadSigner(signerSeed) });
        for (let i = 0; i < n; i++) {
          const r = w.append(record);
          if (where === 'disk-fsync') await r.durable;
          else if (i % 4096 === 4095) await w.flush();
        }
        await w.close();
        const s = (performance.now() - t0) / 1000;
        initSync({});
        out.push({ provider: p, where, records: n, recordsPerSec: Math.round(n / s), mbPerSec: +((n * RECORD) / s / 1048576).toFixed(2) });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
