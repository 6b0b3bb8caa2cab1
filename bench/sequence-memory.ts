import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileStore } from '../adapters/store/node-fs.js';
import { initSync, type ProviderName } from '../sdk/crypto/index.js';
import { SequenceWriter } from '../sdk/dare/sequence/index.js';
import type { SequenceStore } from '../adapters/store/types.js';
import { CountingStore, MiB } from './fixtures.js';

/**
 * Issue 6's flat-memory check: append N frames (default 10,000,000) of 256 B to a plain Merkle
 * sequence and sample `process.memoryUsage()` every 100,000 frames. The writer must keep O(log n)
 * state (the compact range and the few offsets a later TreePosition can name), so heapUsed and
 * RSS must not grow with N.
 *
 * The default store keeps only its size: frame bytes are dropped once written, so what is
 * measured is the writer's own state, not a growing buffer. `--fs` writes to a file in the OS
 * temporary directory instead (group commit), deleted afterwards.
 *
 * Usage: `node dist/bench/sequence-memory.js [N] [--fs] [--provider wasm|pure|native]`
 */


interface Sample {
  frames: number;
  heapUsedMiB: number;
  rssMiB: number;
}


function sample(frames: number): Sample {
  const m = process.memoryUsage();
  return { frames, heapUsedMiB: +(m.heapUsed / MiB).toFixed(1), rssMiB: +(m.rss / MiB).toFixed(1) };
}

/** Appends `n` frames, sampling every `every`; returns the samples and the peak values. */
export async function measureSequenceMemory(
  n: number, options: { fs?: boolean; provider?: ProviderName; every?: number } = {},
): Promise<{ samples: Sample[]; peakHeapUsedMiB: number; peakRssMiB: number; recordsPerSec: number; treeDepth: number }> {
  const every = options.every ?? 100_000;
  if (options.provider) initSync({ prefer: options.provider });
  else initSync({});
  const dir = options.fs ? mkdtempSync(join(tmpdir(), 'dare-mem-')) : undefined;
  const store: SequenceStore = dir ? await NodeFileStore.openWrite(join(dir, 'log.dare'), { durability: 'group' }) : new CountingStore();
  const record = Uint8Array.from({ length: 256 }, (_, i) => (i * 31 + 7) & 0xff);
  const samples: Sample[] = [];
  try {
    const w = await SequenceWriter.create(store, { type: 'Merkle' });
    const t0 = performance.now();
    for (let i = 1; i <= n; i++) {
      record[0] = i & 0xff; // distinct payloads
      w.append(record);
      // Let the store's append promises settle (and group commits run) instead of queueing n of them.
      if (i % 4096 === 0) await w.flush();
      if (i % every === 0) {
        await w.flush();
        samples.push(sample(i));
      }
    }
    await w.close();
    const s = (performance.now() - t0) / 1000;
    return {
      samples,
      peakHeapUsedMiB: Math.max(...samples.map((x) => x.heapUsedMiB)),
      peakRssMiB: Math.max(...samples.map((x) => x.rssMiB)),
      recordsPerSec: Math.round(n / s),
      treeDepth: w.treeState.subtreeRoots.length,
    };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /sequence-memory\.[cm]?js$/.test(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000_000);
  const pi = args.indexOf('--provider');
  const provider = pi >= 0 ? (args[pi + 1] as ProviderName) : undefined;
  const r = await measureSequenceMemory(n, { fs: args.includes('--fs'), ...(provider ? { provider } : {}) });
  const first = r.samples[0];
  const last = r.samples[r.samples.length - 1];
  console.log(JSON.stringify({
    frames: n, store: args.includes('--fs') ? 'node-fs (group commit)' : 'discarding memory', provider: provider ?? 'default routing',
    recordsPerSec: r.recordsPerSec, peakHeapUsedMiB: r.peakHeapUsedMiB, peakRssMiB: r.peakRssMiB, first, last, treeDepth: r.treeDepth,
  }, null, 2));
}
