/**
 * The Node file adapter as a portable-suite store factory, in a directory the caller owns: used
 * by the plain-Node bundle (node.ts) and available to test/portable.test.ts (vitest).
 */
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeFileStore } from '../../adapters/store/node-fs.js';
import type { StoreFactory } from '../portable/index.js';

export function nodeFsFactory(dir: string, label = 'node-fs', store: typeof NodeFileStore = NodeFileStore): StoreFactory {
  return {
    label,
    open: (name, o) => (o.writable ? store.openWrite(join(dir, name), { durability: o.durability ?? 'fsync', groupBytes: o.groupBytes }) : store.openRead(join(dir, name))),
    cut: async (name, size) => truncateSync(join(dir, name), size),
    // The newest generation of the writer lock (adapters/store/file-lock.ts) naming a pid above
    // Linux's pid_max: a writer that cannot be alive.
    abandonWriter: async (name) => {
      mkdirSync(join(dir, name) + '.lock', { recursive: true });
      writeFileSync(join(dir, name) + '.lock/g00000000000f0000', 'pid 999999999 node\n');
    },
  };
}
