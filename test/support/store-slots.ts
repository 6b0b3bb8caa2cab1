import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../adapters/store/memory.js';
import { NodeFileStore } from '../../adapters/store/node-fs.js';
import type { SequenceStore } from '../../sdk/dare/sequence/store.js';

/**
 * Named files on one storage adapter, for suites that run on memory and on Node files alike: a
 * slot opens a fresh writable handle each time (reopening after close), and can be read or
 * overwritten behind the store's back (to tear or tamper with it).
 */
export interface Slot {
  open(): Promise<SequenceStore>;
  bytes(): Uint8Array;
  /** Replaces the content (no handle may be open). */
  write(bytes: Uint8Array): void;
}

export interface Backing {
  readonly name: string;
  slot(name: string): Slot;
  cleanup(): void;
}

export function memoryBacking(): Backing {
  return {
    name: 'memory',
    slot() {
      let root = MemoryStore.create();
      void root.close();
      return {
        open: async () => root.reopen(true),
        bytes: () => root.bytes(),
        write(bytes) {
          root = MemoryStore.create(bytes);
          void root.close();
        },
      };
    },
    cleanup() {},
  };
}

export function nodeBacking(): Backing {
  const dir = mkdtempSync(join(tmpdir(), 'mathmesh-store-'));
  return {
    name: 'node-file',
    slot(name) {
      const path = join(dir, name);
      return {
        open: () => NodeFileStore.openWrite(path, { durability: 'group' }),
        bytes: () => (existsSync(path) ? new Uint8Array(readFileSync(path)) : new Uint8Array(0)),
        write: (bytes) => writeFileSync(path, bytes),
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Both backings, for `describe.each`. */
export const BACKINGS: readonly (() => Backing)[] = [memoryBacking, nodeBacking];
