import { CryptoError } from '../../crypto/errors.js';
import type { HashOffload } from '../../crypto/hash-offload.js';
import type { AesCbcStream } from '../../crypto/aes-async.js';
import type { DareDigestAlgorithm } from '../algorithms.js';
import { DARE_MAX_DEPTH } from '../envelope.js';
import {
  checkKeyedIntegrity, decodeAnnotations, metadataByTrust, openKeyExchange, refuseUnauthenticated, wipeOpened, type DecodeOptions,
  type EnvelopeMetadata, type OpenedKeyExchange, type UnsignedContent,
} from '../envelope-decode.js';
import {
  allSignatures, checkEnvelopeParts, checkHeader, type PayloadIntegrity, type SignatureStatus, type VerifyEnvelopeOptions,
  type EnvelopeVerifyReport,
} from '../envelope-verify.js';
import { DareError, decryptFailed } from '../errors.js';
import { headerFromObject, type DareHeader } from '../header.js';
import { deriveItemKeys, type ItemKeys } from '../kdf.js';
import { routedCrypto, type DareCrypto } from '../provider.js';
import type { DareRecipient } from '../recipient.js';
import { ByteReader } from './byte-reader.js';
import { payloadCipher, payloadDigester, type PayloadDigester } from './payload-crypto.js';
import { chunkSizeOf, generatorStream } from './readable.js';
import { SourcePuller, sourceSize, type EnvelopeSource } from './source.js';
import { EnvelopeWireReader } from './wire-reader.js';

/**
 * Streaming envelope decoding (dare.md §7 "Decode") for payloads of any size, in memory that
 * does not grow with them. What it promises is what `decodeEnvelope` promises — the same
 * verdicts, the same typed errors, the same checks (they are the same functions) — with one
 * difference a stream forces: the digests, MAC and signatures are in the trailer, after the
 * payload, so plaintext is produced before they can be checked. Hence:
 *
 * - **Nothing is final until `result` resolves.** The payload stream delivers plaintext as it is
 *   decrypted, but holds back its last chunk (up to `chunkSize` bytes, the CBC padding with it)
 *   until every check passed; it then closes, and `result` resolves. On any failure the stream
 *   errors and `result` rejects, with the one typed error. A consumer must treat the bytes as
 *   unauthenticated until then: write them somewhere provisional (a temporary file renamed on
 *   success — what `mesh dare decode` does), or use {@link decodeEnvelopeTo}, which closes its
 *   destination only on success and aborts it otherwise.
 * - **No padding oracle.** The CBC padding is in the held-back last block and is checked only
 *   after the PayloadMac and the witnesses verified; every failure of those checks and of the
 *   padding is the same `DARE_DECRYPT_FAILED`, so a forger learns nothing from the answer.
 * - **Order.** The key exchange is opened when the header arrives (the payload is decrypted as it
 *   streams), so a wrong key fails at once with `DARE_NO_KEY`; signatures and expected signers
 *   are checked at the trailer. An envelope that is both unopenable and unsigned reports
 *   `DARE_NO_KEY` here where `decodeEnvelope` reports the missing signature.
 * - A signature entry naming a digest algorithm other than the header's (`dig`) cannot be checked
 *   from one pass over the payload: `DARE_BAD_FORMAT` (neither our writer nor the reference's
 *   writes one).
 */

/** Options of the streaming decoder: those of `decodeEnvelope`, and how to stream. */
export interface DecodeStreamOptions extends DecodeOptions {
  /** Bytes per plaintext chunk handed on, and the most held back until the checks pass (multiple of 16, default 1 MiB). */
  chunkSize?: number;
  /** Computes the payload digest on a worker thread (see `EncodeStreamOptions.hashWorker`). */
  hashWorker?: HashOffload;
  /** The envelope's size when the source does not say: decides the hash worker. */
  sizeHint?: number;
  /** Largest header, and largest trailer, accepted (default 16 MiB): bounds memory on hostile input. */
  maxHeaderBytes?: number;
}

/** Options of {@link verifyEnvelopeStream}. */
export interface VerifyStreamOptions extends VerifyEnvelopeOptions {
  hashWorker?: HashOffload;
  sizeHint?: number;
  maxHeaderBytes?: number;
}

/** What a streamed envelope's checks report: `verifyEnvelope`'s result, with the parts in place of the envelope. */
export interface StreamVerifyResult extends EnvelopeVerifyReport {
  readonly header: DareHeader;
  /** Undefined when the envelope has none. */
  readonly trailer: DareHeader | undefined;
  /** Bytes of payload as stored (ciphertext when encrypted). */
  readonly storedLength: number;
}

/** What the signatures of a streamed envelope cover besides its payload (which they cover when the verdict is `authentic`). */
export interface StreamSignedContent {
  /** The header data, present only when every key in `signedBy` signed it too (ManifestSignature). */
  readonly metadata?: EnvelopeMetadata;
}

/** The outcome of a streamed decode: as `decodeEnvelope`'s, the payload having gone to the stream. */
export interface DecodedEnvelopeStream extends StreamVerifyResult {
  /** Plaintext bytes delivered. */
  readonly payloadLength: number;
  readonly signed: StreamSignedContent;
  /** The header data is in exactly one of `signed.metadata` / `unsigned.metadata`. */
  readonly unsigned: UnsignedContent;
  /** The recipient entry that opened the envelope (encrypted envelopes decoded by key). */
  readonly recipient: DareRecipient | undefined;
}

/** A decode in progress: read `payload` to its end; `result` settles when it has been read. */
export interface EnvelopeDecoding {
  /** The plaintext, provisional until `result` resolves (see above). Errors with the failure. */
  readonly payload: ReadableStream<Uint8Array>;
  /** Every check passed (resolves after `payload` closed), or the typed error `payload` errored with. */
  readonly result: Promise<DecodedEnvelopeStream>;
}

/** Default `maxHeaderBytes`. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024 * 1024;

/**
 * Decodes an envelope as a stream (see the promises above): `payload` is the plaintext, which
 * only becomes final when `result` resolves. Read `payload` to its end (or cancel it): the
 * decoder runs as the payload is read, so `result` cannot settle while nobody reads.
 *
 * @example
 * ```ts
 * const { payload, result } = decodeEnvelopeStream(response.body!, { keys: [bob], signers: [alice] });
 * await payload.pipeTo(provisional);   // aborted (not closed) when a check fails
 * const { verdict, signedBy } = await result;
 * ```
 */
export function decodeEnvelopeStream(input: EnvelopeSource, options: DecodeStreamOptions = {}): EnvelopeDecoding {
  const chunkSize = chunkSizeOf(options.chunkSize);
  let settle!: { resolve: (r: DecodedEnvelopeStream) => void; reject: (e: unknown) => void };
  const result = new Promise<DecodedEnvelopeStream>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined); // the payload stream carries the same error to whoever reads it
  const source = new SourcePuller(input);
  const decoder = decodeChunks(source, sourceSize(input), options, chunkSize);
  let outcome: DecodedEnvelopeStream | undefined;
  const gen = (async function* relay(): AsyncGenerator<Uint8Array, void> {
    let done = false;
    try {
      for (;;) {
        const r = await decoder.next();
        if (r.done) {
          outcome = r.value;
          done = true;
          return;
        }
        yield r.value;
      }
    } catch (e) {
      settle.reject(e);
      throw e;
    } finally {
      if (!done) {
        await decoder.return(undefined as never).catch(() => undefined);
        settle.reject(new DareError('DARE_CANCELLED', 'the payload stream was cancelled before the envelope was checked'));
      }
    }
  })();
  const stream = generatorStream(gen, (reason) => source.cancel(reason));
  // `result` resolves once the stream has closed: after the reader got the last byte.
  const reader = wrapClose(stream, () => {
    if (outcome) settle.resolve(outcome);
  });
  return { payload: reader, result };
}

/** The stream, calling `onClose` after its last chunk was read and it closed. */
function wrapClose(stream: ReadableStream<Uint8Array>, onClose: () => void): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await reader.read();
      if (r.done) {
        controller.close();
        onClose();
      } else {
        controller.enqueue(r.value);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

/**
 * Decodes into `destination`, which is closed only when every check passed and aborted (with
 * the error) otherwise: a destination that discards on abort (a temporary file, a transaction)
 * never keeps an unauthenticated payload. Resolves with the result, or rejects with the typed
 * error.
 */
export async function decodeEnvelopeTo(
  input: EnvelopeSource, destination: WritableStream<Uint8Array>, options: DecodeStreamOptions = {},
): Promise<DecodedEnvelopeStream> {
  const { payload, result } = decodeEnvelopeStream(input, options);
  let destinationError: { error: unknown } | undefined;
  // A failed check errors `payload`, and pipeTo aborts the destination with it; a failing
  // destination cancels `payload`: then its own error is the one to report.
  await payload.pipeTo(destination).catch((error: unknown) => {
    destinationError = { error };
  });
  try {
    return await result;
  } catch (e) {
    if (destinationError && e instanceof DareError && e.code === 'DARE_CANCELLED') throw destinationError.error;
    throw e;
  }
}

/**
 * Checks a streamed envelope without decrypting it, as `verifyEnvelope` does (digest,
 * signatures of trusted keys; expected signers must have signed, else a typed error), reading
 * the input once in constant memory.
 */
export async function verifyEnvelopeStream(input: EnvelopeSource, options: VerifyStreamOptions = {}): Promise<StreamVerifyResult> {
  const c = options.provider ?? routedCrypto;
  const strict = (options.signers?.length ?? 0) > 0 || options.requireSignature === true;
  const bytes = new ByteReader(new SourcePuller(input));
  const wire = new EnvelopeWireReader(bytes, limitsOf(options));
  let digester: PayloadDigester | undefined;
  try {
    const header = headerFromObject(await wire.header(), 'envelope[0] header');
    const { dig } = checkHeader(header);
    const digestId = dig ?? 'S512';
    digester = payloadDigester(digestId, c, options.hashWorker, options.sizeHint ?? sourceSize(input));
    let stored = 0;
    for await (const piece of wire.payload()) {
      stored += piece.length;
      const wait = digester.update(piece);
      if (wait) await wait;
    }
    const trailer = trailerOf(await wire.end());
    const digest = await digester.digest();
    digester = undefined;
    const checks = checkEnvelopeParts(header, trailer, onlyDigest(digestId, digest), options, strict);
    return { ...checks.result, header, trailer, storedLength: stored };
  } finally {
    digester?.abort();
    await bytes.close();
  }
}

function limitsOf(options: { maxDepth?: number; maxHeaderBytes?: number }): { maxDepth: number; maxHeaderBytes: number } {
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(maxHeaderBytes) || maxHeaderBytes < 2) throw new DareError('DARE_BAD_ARGUMENT', 'maxHeaderBytes must be an integer >= 2');
  return { maxDepth: options.maxDepth ?? DARE_MAX_DEPTH, maxHeaderBytes };
}

function trailerOf(value: unknown): DareHeader | undefined {
  return value === undefined ? undefined : headerFromObject(value as Parameters<typeof headerFromObject>[0], 'envelope[2] trailer');
}

/** The digest of the one algorithm a single pass computed; any other is refused (see above). */
function onlyDigest(digestId: DareDigestAlgorithm, digest: Uint8Array): (alg: DareDigestAlgorithm) => Uint8Array {
  return (alg) => {
    if (alg !== digestId) {
      throw new DareError('DARE_BAD_FORMAT',
        `a signature names digest ${alg}, the header ${digestId}: a streamed envelope is hashed once, with the header's digest`);
    }
    return digest;
  };
}

/** The decoder proper: plaintext chunks, then the result as the generator's return value. */
async function* decodeChunks(
  source: SourcePuller, size: number | undefined, options: DecodeStreamOptions, chunkSize: number,
): AsyncGenerator<Uint8Array, DecodedEnvelopeStream> {
  const c = options.provider ?? routedCrypto;
  const bytes = new ByteReader(source);
  const wire = new EnvelopeWireReader(bytes, limitsOf(options));
  let digester: PayloadDigester | undefined;
  let opened: OpenedKeyExchange | undefined;
  let keys: ItemKeys | undefined;
  try {
    const header = headerFromObject(await wire.header(), 'envelope[0] header');
    const { enc, dig } = checkHeader(header);
    const digestId = dig ?? 'S512';
    let cbc: AesCbcStream | undefined;
    if (enc !== undefined) {
      if (header.salt === undefined) throw new DareError('DARE_BAD_FORMAT', 'header: encrypted envelope without Salt');
      opened = openKeyExchange(header, options, c);
      keys = deriveItemKeys(opened.baseSeed, header.salt, c);
      cbc = payloadCipher('decrypt', keys.key, keys.iv, chunkSize, options.provider);
    }
    digester = payloadDigester(digestId, c, options.hashWorker, options.sizeHint ?? size);

    // The stored payload is gathered into chunks; a full one is released (decrypted) only once
    // a byte after it arrives, so the last chunk — and the CBC padding in it — waits for the checks.
    let chunk = new Uint8Array(chunkSize);
    let filled = 0;
    let stored = 0;
    let delivered = 0;
    const pending: Promise<Uint8Array>[] = [];
    for await (const piece of wire.payload()) {
      stored += piece.length;
      const wait = digester.update(piece);
      if (wait) await wait;
      let at = 0;
      while (at < piece.length) {
        if (filled === chunkSize) {
          if (cbc) {
            const plain = cbc.update(chunk); // copies the chunk before returning
            plain.catch(() => undefined);
            pending.push(plain);
          } else {
            pending.push(Promise.resolve(chunk));
            chunk = new Uint8Array(chunkSize);
          }
          filled = 0;
          while (pending.length >= 2) {
            const out = await decrypted(pending.shift()!);
            delivered += out.length;
            yield out;
          }
        }
        const n = Math.min(chunkSize - filled, piece.length - at);
        chunk.set(piece.subarray(at, at + n), filled);
        filled += n;
        at += n;
      }
    }
    const trailer = trailerOf(await wire.end());
    const digest = await digester.digest();
    digester = undefined;

    // The checks of decodeEnvelope, in its order: digest and signatures, then keyed integrity.
    const checks = checkEnvelopeParts(header, trailer, onlyDigest(digestId, digest), options, true);
    const r = checks.result;
    let signatures: readonly SignatureStatus[] = r.signatures;
    let mac = r.mac;
    let integrity: PayloadIntegrity = r.integrity;
    let annotations: Uint8Array[];
    let last: Uint8Array;
    for (const p of pending.splice(0)) {
      const out = await decrypted(p);
      delivered += out.length;
      yield out;
    }
    if (cbc && opened && keys) {
      if (checks.statedMac === undefined && options.allowUnauthenticated !== true) throw refuseUnauthenticated();
      const keyed = checkKeyedIntegrity(checks, allSignatures({ header, trailer }), opened.baseSeed, header.salt!, keys.mac, c);
      signatures = keyed.signatures;
      if (!keyed.ok) throw decryptFailed();
      last = await decrypted(cbc.finish(chunk.subarray(0, filled)));
      annotations = decodeAnnotations(header, { enc: r.enc!, baseSeed: opened.baseSeed, salt: header.salt! }, c);
      if (checks.statedMac !== undefined) {
        mac = 'valid';
        if (integrity !== 'signature') integrity = 'mac';
      }
    } else {
      last = chunk.subarray(0, filled);
      annotations = decodeAnnotations(header, undefined, c);
    }
    const { metadata, covered } = metadataByTrust(r, header, annotations);
    if (last.length > 0) {
      delivered += last.length;
      yield last;
    }
    return {
      ...r, signatures, mac, integrity, header, trailer, storedLength: stored, payloadLength: delivered, recipient: opened?.recipient,
      signed: covered ? { metadata } : {}, unsigned: covered ? {} : { metadata },
    };
  } finally {
    digester?.abort();
    if (keys) {
      keys.key.fill(0);
      keys.iv.fill(0);
      keys.mac.fill(0);
    }
    if (opened) wipeOpened(opened);
    await bytes.close();
  }
}

/** Any failure of the cipher is the one `DARE_DECRYPT_FAILED` (no padding oracle, dare errors.ts). */
async function decrypted(plain: Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await plain;
  } catch (e) {
    if (e instanceof CryptoError) throw decryptFailed();
    throw e;
  }
}
