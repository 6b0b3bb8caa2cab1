import { MemoryStore } from '../store/memory.js';
import type { Durability, SequenceStore } from '../../sdk/dare/sequence/store.js';
import { checkHomeName, type HomeStorage } from '../../sdk/mesh/host/storage.js';

/**
 * A {@link HomeStorage} in memory (tests, throw-away hosts, every runtime): records in a map,
 * sequences as {@link MemoryStore}s sharing their bytes across handles (one writer at a time,
 * like the file adapters).
 */
export class MemoryHome implements HomeStorage {
  readonly location = 'memory:';
  private readonly records = new Map<string, Uint8Array>();
  private readonly sequences = new Map<string, MemoryStore>();

  async readRecord(name: string): Promise<Uint8Array | undefined> {
    checkHomeName(name);
    const r = this.records.get(name);
    return r === undefined ? undefined : r.slice();
  }

  async writeRecord(name: string, bytes: Uint8Array): Promise<void> {
    checkHomeName(name);
    this.records.set(name, bytes.slice());
  }

  async createRecord(name: string, bytes: Uint8Array): Promise<boolean> {
    checkHomeName(name);
    if (this.records.has(name)) return false;
    this.records.set(name, bytes.slice());
    return true;
  }

  async deleteRecord(name: string): Promise<void> {
    checkHomeName(name);
    this.records.delete(name);
  }

  async list(folder: string): Promise<string[]> {
    const prefix = checkHomeName(folder, 'folder').map((p) => p + '/').join('');
    const out = new Set<string>();
    for (const name of [...this.records.keys(), ...this.sequences.keys()]) {
      if (name.startsWith(prefix)) out.add(name.slice(prefix.length).split('/')[0]!);
    }
    return [...out].sort();
  }

  async openSequence(name: string, options: { write?: boolean; durability?: Durability } = {}): Promise<SequenceStore> {
    checkHomeName(name, 'sequence');
    let s = this.sequences.get(name);
    if (s === undefined) {
      if (!options.write) return MemoryStore.fromBytes(new Uint8Array(0));
      s = MemoryStore.create();
      // The map keeps a closed creator handle: every open is a reopen() sharing the bytes.
      await s.close();
      this.sequences.set(name, s);
    }
    return s.reopen(options.write === true);
  }

  async deleteSequence(name: string): Promise<void> {
    checkHomeName(name, 'sequence');
    this.sequences.delete(name);
  }
}
