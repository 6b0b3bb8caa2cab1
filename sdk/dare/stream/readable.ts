import { DareError } from '../errors.js';

/**
 * A generator of chunks as a Web `ReadableStream` (private to the streaming functions): the
 * generator runs only as far as the reader pulls (a little ahead, `ahead` chunks), an error it
 * throws errors the stream, and a reader's cancel ends it: `onCancel` first (to cancel what the
 * generator waits on), then the generator's `finally` blocks run.
 */
export function generatorStream(gen: AsyncGenerator<Uint8Array, void>, onCancel?: (reason: unknown) => void, ahead = 2): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await gen.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel(reason) {
        // First unblock a pull waiting on the source (the generator cannot return while it waits).
        onCancel?.(reason);
        await gen.return(undefined).catch(() => undefined);
      },
    },
    { highWaterMark: ahead },
  );
}

/** The chunk size option: a multiple of 16 (whole AES blocks) from 16 bytes to 256 MiB; default 1 MiB. */
export function chunkSizeOf(value: number | undefined): number {
  const n = value ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(n) || n < 16 || n > 256 * 1024 * 1024 || n % 16 !== 0) {
    throw new DareError('DARE_BAD_ARGUMENT', `chunkSize must be a multiple of 16 from 16 to 268435456, got ${String(value)}`);
  }
  return n;
}

/**
 * Default payload chunk: 1 MiB. Large enough that the per-call costs (a JSON-B chunk header, a
 * cipher call, a message to the hash worker) vanish next to the bytes; small enough that the
 * few chunks in flight keep memory flat.
 */
export const DEFAULT_CHUNK_SIZE = 1 << 20;
