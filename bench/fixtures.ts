import type { SequenceStore } from '../adapters/store/types.js';

/** Shared inputs of the benchmark cases, so every provider and every suite hashes the same bytes. */
export const KiB = 1024;
export const MiB = 1024 * 1024;

/** A deterministic, non-constant buffer of `n` bytes. */
export function filled(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** "64 B", "1 KiB", "1 MiB". */
export const sizeLabel = (n: number): string => (n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} B`);

/**
 * An append-only store that counts bytes and forgets them: what a sequence benchmark then
 * measures is the writer's crypto, encoding and state, not a growing buffer.
 */
export class CountingStore implements SequenceStore {
  size = 0;
  readonly writable = true;
  async read(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
  async append(bytes: Uint8Array): Promise<void> {
    this.size += bytes.length;
  }
  async truncate(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
