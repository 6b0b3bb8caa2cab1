import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../adapters/store/memory.js';
import { NodeFileStore } from '../adapters/store/node-fs.js';
import { initSync, type ProviderName } from '../sdk/crypto/index.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { ed448HeadSigner, SequenceWriter } from '../sdk/dare/sequence/index.js';
import type { SequenceStore } from '../adapters/store/types.js';
import { spreadOf, type BenchCase } from './harness.js';
import { CountingStore } from './fixtures.js';

/**
 * The transaction-log workload per provider: records of 256 B appended to an encrypted
 * (`Session` mode: one key exchange per writer session, then per frame a salt, HKDF-SHA-256 key,
 * IV and MAC key, AES-256-CBC and a PayloadMac), signed Merkle sequence (header and payload
 * digests, leaf H(0x00 ‖ HD ‖ PD) and RFC 9162 head per frame, Ed448 signed head on close). On
 * the default and WASM routes a frame's cryptography is one FrameSealer call (sealed-frame.ts).
 * One operation = RECORDS records on a long-lived writer, so ops/s × RECORDS = records/s; `bytes`
 * gives MB/s of record data. The card's 100,000-record log against a bare node:crypto loop, and
 * on worker threads, is bench/txlog.ts.
 *
 * Providers: `default` is the routing users get after `init()` with no options (selection.ts:
 * WASM for the per-record hashing, HKDF and Merkle work, node:crypto for AES where it exists);
 * `wasm`, `pure` and `native` route all crypto to one provider (`initSync({ prefer })`) for the
 * operation and restore the default after it. benchmark.js warms each case up, and the harness
 * alternates the providers round by round (harness.ts).
 */
const RECORDS = 1000;
const RECORD = 256;
export const SEQUENCE_GROUP = `Sequence log ${RECORDS} × ${RECORD} B (memory, encrypted+signed Merkle)`;

/** A provider of the sequence benchmark: one of the SDK's, or the default routing. */
export type SequenceRouting = ProviderName | 'default';

const recipient = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 29 + 5) & 0xff));
const signerSeed = Uint8Array.from({ length: 57 }, (_, i) => (i * 17 + 3) & 0xff);
const record = Uint8Array.from({ length: RECORD }, (_, i) => (i * 31 + 7) & 0xff);

/** One long-lived encrypted, signed Merkle writer per routing (benchmark.js cases are synchronous). */
const writers = new Map<SequenceRouting, SequenceWriter>();
async function writerFor(p: SequenceRouting): Promise<SequenceWriter> {
  routeTo(p);
  try {
    return await SequenceWriter.create(new CountingStore(), {
      type: 'Merkle', encrypt: { recipients: [publicPart(recipient)] }, signer: ed448HeadSigner(signerSeed), signEvery: 100_000,
    });
  } finally {
    initSync({});
  }
}

/** The routings measured: the default first, then each provider present. */
export function sequenceRoutings(names: ProviderName[]): SequenceRouting[] {
  return names.includes('wasm') ? ['default', ...names] : [...names];
}

/** Creates the writers the cases use; call once before `sequenceBenchCases`. */
export async function prepareSequenceBench(names: ProviderName[]): Promise<void> {
  for (const p of sequenceRoutings(names)) if (!writers.has(p)) writers.set(p, await writerFor(p));
}

/**
 * Routing for one provider. node:crypto has no Ed448 contexts on Node 20, so the native path
 * signs and exchanges keys on the pure provider (one exchange and one signature per log: noise).
 */
function routeTo(name: SequenceRouting): void {
  if (name === 'default') {
    initSync({});
    return;
  }
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

function withProvider(name: SequenceRouting, f: () => void): () => void {
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
export function sequenceBenchCases(names: ProviderName[]): BenchCase[] {
  return sequenceRoutings(names).filter((p) => writers.has(p)).map((p) => ({
    group: SEQUENCE_GROUP,
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
  { group: SEQUENCE_GROUP, a: 'wasm', b: 'native', min: 1.5 },
  { group: SEQUENCE_GROUP, a: 'wasm', b: 'pure', min: 4 },
];

/** One row of `measureSequence`: records/s as the median of the rounds, with their min–max. */
export interface SequenceRow {
  provider: SequenceRouting;
  where: 'memory' | 'disk-group' | 'disk-fsync';
  records: number;
  recordsPerSec: number;
  min: number;
  max: number;
  mbPerSec: number;
  rounds: number[];
}

async function appendLog(p: SequenceRouting, where: SequenceRow['where'], n: number, file: string): Promise<number> {
  routeTo(p);
  try {
    const store: SequenceStore = where === 'memory' ? MemoryStore.create()
      : await NodeFileStore.openWrite(file, { durability: where === 'disk-group' ? 'group' : 'fsync' });
    const t0 = performance.now();
    const w = await SequenceWriter.create(store, { type: 'Merkle', encrypt: { recipients: [publicPart(recipient)] }, signer: ed448HeadSigner(signerSeed) });
    for (let i = 0; i < n; i++) {
      const r = w.append(record);
      if (where === 'disk-fsync') await r.durable;
      else if (i % 4096 === 4095) await w.flush();
    }
    await w.close();
    return n / ((performance.now() - t0) / 1000);
  } finally {
    initSync({});
    rmSync(file, { force: true });
  }
}

/**
 * Records/s for `records` appends per routing, in memory (MemoryStore) and on disk (fsync per
 * append, group commit) — async I/O, so outside benchmark.js. Each (routing, where) first runs a
 * short warm-up log; then `rounds` rounds, each appending one whole log per routing in turn, so
 * the routings of a row alternate as in harness.ts. Figures: median and min–max of the rounds.
 */
export async function measureSequence(
  names: ProviderName[], opts: { records?: number; rounds?: number; warmup?: number } = {},
): Promise<SequenceRow[]> {
  const records = opts.records ?? 100_000;
  const rounds = Math.max(1, opts.rounds ?? 3);
  const warmup = opts.warmup ?? 2000;
  const routings = sequenceRoutings(names);
  const out: SequenceRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dare-bench-'));
  try {
    for (const where of ['memory', 'disk-group', 'disk-fsync'] as const) {
      const n = where === 'disk-fsync' ? Math.min(records, 2000) : records;
      const file = (p: string) => join(dir, `${p}-${where}.dare`);
      for (const p of routings) await appendLog(p, where, Math.min(warmup, n), file(p));
      const perRound = routings.map(() => [] as number[]);
      for (let r = 0; r < rounds; r++) {
        for (const [i, p] of routings.entries()) perRound[i]!.push(await appendLog(p, where, n, file(p)));
      }
      routings.forEach((p, i) => {
        const s = spreadOf(perRound[i]!);
        out.push({
          provider: p, where, records: n, recordsPerSec: Math.round(s.median), min: Math.round(s.min), max: Math.round(s.max),
          mbPerSec: +((s.median * RECORD) / 1048576).toFixed(2), rounds: perRound[i]!.map(Math.round),
        });
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
