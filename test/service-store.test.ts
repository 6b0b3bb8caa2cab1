import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../adapters/service-store/memory.js';
import { NodeServiceFiles } from '../adapters/service-store/node-files.js';
import { EmbeddedServiceStore, type EmbeddedStoreOptions } from '../sdk/service/embedded/embedded-store.js';
import { storeReplayCache } from '../sdk/service/replay.js';
import type { ServiceStore } from '../sdk/service/store.js';
import { MemoryDisk } from './support/memory-disk.js';
import { describeServiceStore } from './support/service-store-contract.js';

/**
 * The service-store contract suite (test/support/service-store-contract.ts) on every
 * implementation: memory, the embedded store on real files, and the embedded store on the
 * in-memory disk the crash tests use (so those tests run the same engine the contract checks).
 */

describeServiceStore('memory', { open: async (o = {}) => new MemoryServiceStore(o) });

const root = mkdtempSync(join(tmpdir(), 'mathmesh-svcstore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const onNode = new Map<ServiceStore, { dir: string; options: EmbeddedStoreOptions }>();
describeServiceStore('embedded (node files)', {
  async open(options = {}) {
    const dir = join(root, `s${dirs++}`);
    const s = await EmbeddedServiceStore.open(new NodeServiceFiles(dir), options);
    onNode.set(s, { dir, options });
    return s;
  },
  async reopen(store) {
    const { dir, options } = onNode.get(store)!;
    await store.close();
    const s = await EmbeddedServiceStore.open(new NodeServiceFiles(dir), options);
    onNode.set(s, { dir, options });
    return s;
  },
});

const onDisk = new Map<ServiceStore, { disk: MemoryDisk; options: EmbeddedStoreOptions }>();
describeServiceStore('embedded (memory disk, small segments)', {
  async open(options = {}) {
    const disk = new MemoryDisk();
    // Tiny segments and batches: checkpoints and batch cuts happen inside every test.
    const opts = { ...options, segmentBytes: 2048, batchBytes: 512, maxOpenFiles: 2 };
    const s = await EmbeddedServiceStore.open(disk.files_(), opts);
    onDisk.set(s, { disk, options: opts });
    return s;
  },
  async reopen(store) {
    const { disk, options } = onDisk.get(store)!;
    await store.close();
    const s = await EmbeddedServiceStore.open(disk.files_(), options);
    onDisk.set(s, { disk, options });
    return s;
  },
});

describe('storeReplayCache: the binding\'s replay cache on a store', () => {
  it('answers replay for a pair seen before its expiry (Unix seconds), durably across a reopen', async () => {
    let now = 1_700_000_000_000;
    const dir = join(root, 'replay');
    let s = await EmbeddedServiceStore.open(new NodeServiceFiles(dir), { now: () => now });
    const cache = storeReplayCache(s);
    const expires = now / 1000 + 60;
    expect(await cache.seen('MKEY', 'nonce-1', expires)).toBe(false);
    expect(await cache.seen('MKEY', 'nonce-1', expires)).toBe(true);
    expect(await cache.seen('MKEY2', 'nonce-1', expires)).toBe(false);
    await s.close();
    s = await EmbeddedServiceStore.open(new NodeServiceFiles(dir), { now: () => now });
    expect(await storeReplayCache(s).seen('MKEY', 'nonce-1', expires)).toBe(true);
    now += 61_000;
    expect(await storeReplayCache(s).seen('MKEY', 'nonce-1', now / 1000 + 60)).toBe(false);
    await s.close();
  });
});
