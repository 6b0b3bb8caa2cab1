import { CryptoError } from '../../crypto/errors.js';
import type { HashOffload } from '../../crypto/hash-offload.js';
import type { DareEnvelopeFormat } from '../envelope.js';
import { envelopeTrailer, prepareEnvelope, wipePreparedEnvelope, type EncodeOptions, type PreparedEnvelope } from '../envelope-encode.js';
import { DareError } from '../errors.js';
import { routedCrypto, type DareCrypto } from '../provider.js';
import { payloadCipher, payloadDigester, type PayloadDigester } from './payload-crypto.js';
import { chunkSizeOf, generatorStream } from './readable.js';
import { SourcePuller, sourceSize, type EnvelopeSource } from './source.js';
import { envelopeFraming } from './wire-writer.js';

/** Options of {@link encodeEnvelopeStream}: those of `encodeEnvelope`, and how to stream. */
export interface EncodeStreamOptions extends EncodeOptions {
  /** Wire form (default `jsonb`: binary chunks; `json` / `tagged` write base64url text, a third larger). */
  format?: DareEnvelopeFormat;
  /** Payload bytes per chunk: a multiple of 16, default 1 MiB. */
  chunkSize?: number;
  /**
   * Computes the payload digest on a worker thread (`nodeHashOffload()` from
   * `mathmesh/adapters/node`, `webWorkerHashOffload()` from `mathmesh/adapters/browser`), so
   * that encryption and hashing run side by side. Used for payloads of unknown size or 8 MiB and
   * more; smaller ones are hashed on this thread.
   */
  hashWorker?: HashOffload;
  /** The payload's size when the source does not say (a Blob or bytes do): decides the hash worker. */
  sizeHint?: number;
}

/**
 * Encodes a payload of any size as an envelope, as a stream of the envelope's bytes (dare.md §2,
 * §7 "Encode"): memory stays at a few chunks whatever the payload. The header, the PayloadMac
 * and the signatures are those `encodeEnvelope` writes — the same function builds them — and
 * every digest, MAC and signature goes in the trailer, at the end, where a streamed writer
 * knows them. The output reads back with `decodeEnvelope` as well as `decodeEnvelopeStream`;
 * a payload of at most one chunk comes out byte for byte as `serializeEnvelope(encodeEnvelope(…))`.
 *
 * Options are checked (and randomness drawn) now, so a bad option throws here; errors while
 * streaming (the source's, `DARE_BAD_ARGUMENT` for a failing cipher) error the stream.
 *
 * @example
 * ```ts
 * const out = encodeEnvelopeStream(file.stream(), { recipients: [bob], signers: [alice] });
 * await out.pipeTo(writable);
 * ```
 */
export function encodeEnvelopeStream(payload: EnvelopeSource, options: EncodeStreamOptions = {}): ReadableStream<Uint8Array> {
  const chunkSize = chunkSizeOf(options.chunkSize);
  const format = options.format ?? 'jsonb';
  if (format !== 'jsonb' && format !== 'json' && format !== 'tagged') throw new DareError('DARE_BAD_ARGUMENT', `unknown envelope format ${String(format)}`);
  const source = new SourcePuller(payload);
  const prepared = prepareEnvelope(options);
  return generatorStream(encodeChunks(source, prepared, {
    format, chunkSize, hashWorker: options.hashWorker, sizeHint: options.sizeHint ?? sourceSize(payload), provider: options.provider,
  }), (reason) => source.cancel(reason));
}

interface StreamSettings {
  readonly format: DareEnvelopeFormat;
  readonly chunkSize: number;
  readonly hashWorker: HashOffload | undefined;
  readonly sizeHint: number | undefined;
  readonly provider: DareCrypto | undefined;
}

/** Chunks of stored payload in order, at most `depth` of them being encrypted at once (WebCrypto works off-thread). */
const PIPELINE_DEPTH = 2;

async function* encodeChunks(source: SourcePuller, p: PreparedEnvelope, o: StreamSettings): AsyncGenerator<Uint8Array, void> {
  const c = o.provider ?? routedCrypto;
  const framing = envelopeFraming(o.format);
  let digester: PayloadDigester | undefined;
  let finished = false;
  const pending: Promise<Uint8Array>[] = [];
  const queue = (stored: Promise<Uint8Array>): void => {
    stored.catch(() => undefined); // awaited in order below; a failure surfaces there
    pending.push(stored);
  };
  try {
    yield framing.open(p.header);
    digester = p.needDigest ? payloadDigester(p.digestId, c, o.hashWorker, o.sizeHint) : undefined;
    const cbc = p.cipher ? payloadCipher('encrypt', p.cipher.key, p.cipher.iv, o.chunkSize, o.provider) : undefined;
    /** The oldest queued piece: digested, then written. */
    const next = async function* (last: boolean): AsyncGenerator<Uint8Array> {
      const stored = await encrypted(pending.shift()!);
      const wait = digester?.update(stored);
      if (wait) await wait;
      yield* framing.piece(stored, last);
    };
    let chunk = new Uint8Array(o.chunkSize);
    let filled = 0;
    for (let r = await source.next(); !r.done; r = await source.next()) {
      const input = r.value;
      let at = 0;
      while (at < input.length) {
        if (filled === o.chunkSize) {
          // More payload follows, so this chunk is not the last: no padding yet (dare.md §4.2).
          if (cbc) {
            queue(cbc.update(chunk)); // copies the chunk before returning
          } else {
            queue(Promise.resolve(chunk));
            chunk = new Uint8Array(o.chunkSize); // the queued one now belongs to the reader
          }
          filled = 0;
          while (pending.length >= PIPELINE_DEPTH) yield* next(false);
        }
        const n = Math.min(o.chunkSize - filled, input.length - at);
        chunk.set(input.subarray(at, at + n), filled);
        filled += n;
        at += n;
      }
    }
    const tail = chunk.subarray(0, filled);
    queue(cbc ? cbc.finish(tail) : Promise.resolve(tail));
    while (pending.length > 0) yield* next(pending.length === 1);
    const digest = digester ? await digester.digest() : undefined;
    const trailer = envelopeTrailer(p, digest, c);
    finished = true;
    yield framing.close(trailer);
  } finally {
    if (!finished) {
      source.cancel();
      digester?.abort();
      wipePreparedEnvelope(p);
    }
  }
}

/** A cipher failure as the one-shot encoder reports it. */
async function encrypted(stored: Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await stored;
  } catch (e) {
    if (e instanceof CryptoError) throw new DareError('DARE_BAD_ARGUMENT', `payload encryption: ${e.message}`, { cause: e });
    throw e;
  }
}
