import { SequenceError, type SequenceStore } from './store.js';

/**
 * A read-only {@link SequenceStore} over bytes already in memory: a sequence received over the
 * network, embedded in a test vector, or read by other means. Needs no adapter, so SDK code
 * (conformance, the Mesh layer) can read sequences without importing one; writers use an adapter.
 */
export function bytesStore(bytes: Uint8Array): SequenceStore {
  let closed = false;
  const check = (): void => {
    if (closed) throw new SequenceError('DARE_CLOSED', 'bytes store is closed');
  };
  const readOnly = async (): Promise<never> => {
    check();
    throw new SequenceError('DARE_BAD_ARGUMENT', 'a bytes store is read-only');
  };
  return {
    size: bytes.length,
    writable: false,
    async read(offset, length) {
      check();
      const from = Math.min(Math.max(0, offset), bytes.length);
      return bytes.slice(from, Math.min(bytes.length, from + Math.max(0, length)));
    },
    append: readOnly,
    truncate: readOnly,
    async flush() {
      check();
    },
    async close() {
      closed = true;
    },
  };
}
