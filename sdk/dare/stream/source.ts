import { DareError } from '../errors.js';

/**
 * Where a streamed envelope, or a payload to stream into one, comes from. Any of:
 * - a Web `ReadableStream` of `Uint8Array` (`fetch` bodies, `Blob.stream()`, Node's
 *   `Readable.toWeb`, Deno and Bun files);
 * - an async or sync iterable of `Uint8Array` (a Node `Readable`, a generator);
 * - a `Blob` or `File` (read in pieces, never whole);
 * - one `Uint8Array` (already in memory: only the output streams).
 *
 * Each chunk is used before the next is asked for, so a source may reuse its buffer for the
 * next chunk. Chunks of any size work; larger ones (64 KiB – 1 MiB) cost less per byte.
 */
export type EnvelopeSource =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | Blob
  | Uint8Array;

const isBlob = (s: unknown): s is Blob => typeof Blob !== 'undefined' && s instanceof Blob;
const isReadableStream = (s: unknown): s is ReadableStream<Uint8Array> =>
  typeof s === 'object' && s !== null && typeof (s as ReadableStream).getReader === 'function';

/** The size of a source when it knows it (a Blob, bytes), for choices like offloading the hash. */
export function sourceSize(source: EnvelopeSource): number | undefined {
  if (source instanceof Uint8Array) return source.length;
  if (isBlob(source)) return source.size;
  return undefined;
}

function notBytes(what: string): DareError {
  return new DareError('DARE_BAD_ARGUMENT', `stream source: ${what} (expected Uint8Array chunks)`);
}

/** The error a pull gets once its consumer cancelled the stream. */
export function cancelled(): DareError {
  return new DareError('DARE_CANCELLED', 'the stream was cancelled');
}

/**
 * Pulls a source's chunks, each checked to be bytes, and can be cancelled while a pull waits (a
 * `for await` cannot: an iterator's `return()` waits for the pending `next()`): the waiting pull
 * rejects at once with `DARE_CANCELLED`, and the source is told to stop — a ReadableStream is
 * cancelled, an iterator returned.
 */
export class SourcePuller implements AsyncIterator<Uint8Array> {
  private readonly iterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** Rejects the pull in progress, if any. */
  private stop: ((e: unknown) => void) | undefined;
  private ended = false;

  constructor(source: EnvelopeSource) {
    if (source instanceof Uint8Array) this.iterator = [source][Symbol.iterator]();
    else if (isBlob(source)) this.reader = (source.stream() as ReadableStream<Uint8Array>).getReader();
    else if (isReadableStream(source)) this.reader = source.getReader();
    else if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) this.iterator = source[Symbol.asyncIterator]();
    else if (source !== null && typeof source === 'object' && Symbol.iterator in source) this.iterator = source[Symbol.iterator]();
    else throw notBytes(`a ${source === null ? 'null' : typeof source} is not a stream`);
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      if (this.ended) return { done: true, value: undefined };
      const pull: Promise<IteratorResult<unknown>> = this.reader ? this.reader.read() : Promise.resolve(this.iterator!.next());
      // Not Promise.race with one long-lived "stopped" promise: every race would leave a
      // reaction on it holding its result — every chunk ever read (fresh buffers from a pipe:
      // the whole input in memory). Each pull gets its own way to be stopped instead.
      const r = await new Promise<IteratorResult<unknown>>((resolve, reject) => {
        this.stop = reject;
        pull.then(resolve, reject);
      }).finally(() => {
        this.stop = undefined;
      });
      if (r.done) {
        this.ended = true;
        this.release();
        return { done: true, value: undefined };
      }
      const chunk = r.value;
      if (!(chunk instanceof Uint8Array)) throw notBytes(`a chunk is a ${chunk === null ? 'null' : typeof chunk}`);
      if (chunk.length > 0) return { done: false, value: chunk };
    }
  }

  /** Stops pulling: a pending `next()` rejects with `DARE_CANCELLED`; the source is cancelled. */
  cancel(reason?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.stop?.(cancelled());
    if (this.reader) {
      this.reader.cancel(reason).catch(() => undefined);
    } else {
      try {
        const r = this.iterator!.return?.();
        if (r instanceof Promise) r.catch(() => undefined);
      } catch {
        // the iterator's own cleanup failed: nothing more to do
      }
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.cancel();
    return { done: true, value: undefined };
  }

  private release(): void {
    try {
      this.reader?.releaseLock();
    } catch {
      // a read is still pending (cancelled): the lock goes with the stream
    }
  }
}
