import { init } from '../../../sdk/crypto/index.js';
import {
  decodeEnvelope, decodeEnvelopeStream, decodeEnvelopeTo, encodeEnvelopeStream, parseEnvelope, verifyEnvelope, verifyEnvelopeStream,
  type DecodedEnvelope, type DecodedEnvelopeStream, type DecodeStreamOptions, type EnvelopeSource,
} from '../../../sdk/dare/index.js';
import { concatBytes } from '../../../sdk/encoding/index.js';
import type { FuzzTarget, Seed } from '../engine.js';
import { Rng } from '../rng.js';
import { OracleFailure, attempt, attemptAsync } from '../typed.js';
import {
  KINDS, drawingRandom, envelopeCorpus, judgeDecoded, judgeUnkeyed, judgeVerified, jsonMutators, jsonbMutators, mallory, matchWritten, metaKey,
  registerWritten, secretNeedles, type EnvelopeContext,
} from './envelope.js';

/**
 * The streaming envelope decoder (`decodeEnvelopeStream`, `decodeEnvelopeTo`,
 * `verifyEnvelopeStream`) on the envelope target's corpus — every kind in every wire form — plus
 * envelopes written by `encodeEnvelopeStream` with small chunks (many JSON-B payload chunks).
 * Each input reaches the decoder cut at chunk boundaries drawn from the input itself (one piece,
 * single bytes, random sizes, 16-byte blocks, around the payload's end), through every source
 * kind (bytes, async and sync iterables, a ReadableStream, a Blob), from a source that reuses
 * its buffer, and with small plaintext chunks (so the held-back last chunk is small).
 *
 * Oracle — the envelope target's, plus what streaming promises (decode-stream.ts):
 * - typed errors only, no secret in a message;
 * - with expected signers a success is `authentic` (or `unbound-signatures` where the caller
 *   allowed the reference form) and signed by each; a MAC-covered success has a valid MAC; a
 *   foreign signer is never satisfied; no signer given ⇒ nothing reported as signed;
 * - covered values (plaintext, header data under a MAC or ManifestSignature) match an envelope the
 *   corpus wrote;
 * - what the stream accepts, the one-shot decoder accepts with the same plaintext, verdict and
 *   signers (whose own oracle then judges what the signatures cover, the stored payload included);
 * - `decodeEnvelopeTo` closes its destination only on success — with exactly the plaintext — and
 *   aborts it on every failure: no unauthenticated plaintext is ever released as final;
 * - the chunking of the input changes nothing: every cut gives the same outcome.
 */

/** Chunk sizes of the streamed corpus entries (multiples of 16: many payload chunks). */
const STREAM_CHUNKS = [16, 48, 256];

function streamedSeeds(): Promise<Seed<EnvelopeContext>[]> {
  return Promise.all(KINDS.map(async (k, n) => {
    const { random, drawn } = drawingRandom(0x100 + n);
    const chunkSize = STREAM_CHUNKS[n % STREAM_CHUNKS.length]!;
    const bytes = await collect(encodeEnvelopeStream(k.payload, { ...k.encode, annotations: k.annotations, random, format: 'jsonb', chunkSize }));
    const context = registerWritten(k, parseEnvelope(bytes), drawn, 'jsonb');
    return { id: `${k.kind}/streamed-${chunkSize}`, bytes, context };
  }));
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) parts.push(c.slice());
  return concatBytes(...parts);
}

/** A cheap hash of the input: the seed of its chunking (the check sees no iteration number). */
function inputSeed(input: Uint8Array): number {
  let h = 0x811c9dc5 ^ input.length;
  for (let i = 0; i < input.length; i += 1 + (input.length >> 10)) h = Math.imul(h ^ input[i]!, 0x01000193);
  return (h >>> 0) || 1;
}

/** Where the input is cut. */
function cuts(input: Uint8Array, rng: Rng): number[] {
  const n = input.length;
  const at: number[] = [];
  switch (rng.int(5)) {
    case 0: break; // one piece
    case 1: for (let i = 1; i < Math.min(n, 4096); i++) at.push(i); break; // single bytes (up to 4 KiB in)
    case 2: for (let i = rng.range(1, 97); i < n; i += rng.range(1, 97)) at.push(i); break; // random sizes
    case 3: for (let i = 16; i < n; i += 16) at.push(i); break; // blocks
    default: { // around the end, where the payload stops and the trailer starts
      for (let i = Math.max(1, n - 200); i < n; i += rng.range(1, 9)) at.push(i);
    }
  }
  return at;
}

function pieces(input: Uint8Array, at: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, input.length]) {
    if (to > from) out.push(input.subarray(from, to));
    from = Math.max(from, to);
  }
  return out;
}

/** Kinds of source, each delivering the same pieces. */
type SourceKind = 'bytes' | 'async' | 'sync' | 'readable' | 'blob' | 'reused';
const SOURCE_KINDS: readonly SourceKind[] = ['bytes', 'async', 'sync', 'readable', 'blob', 'reused'];

function sourceOf(kind: SourceKind, input: Uint8Array, parts: readonly Uint8Array[]): EnvelopeSource {
  switch (kind) {
    case 'bytes': return input;
    case 'sync': return parts.map((p) => p.slice());
    case 'readable': {
      let i = 0;
      return new ReadableStream<Uint8Array>({
        pull(c) {
          if (i < parts.length) c.enqueue(parts[i++]!.slice());
          else c.close();
        },
      });
    }
    case 'blob': return new Blob([input.slice() as Uint8Array<ArrayBuffer>]);
    case 'reused': // one buffer, overwritten with the next piece as soon as the decoder asks for it
      return (async function* reused() {
        const buf = new Uint8Array(Math.max(1, ...parts.map((p) => p.length)));
        for (const p of parts) {
          buf.set(p);
          yield buf.subarray(0, p.length);
          buf.fill(0xa5);
        }
      })();
    default:
      return (async function* pieces() {
        for (const p of parts) yield p.slice();
      })();
  }
}

interface Streamed {
  readonly result?: DecodedEnvelopeStream;
  readonly plaintext?: Uint8Array;
  readonly label: string;
}

/** decodeEnvelopeStream, read to its end. */
async function streamDecode(where: string, source: EnvelopeSource, options: DecodeStreamOptions): Promise<Streamed> {
  const r = await attemptAsync(where, async () => {
    const { payload, result } = decodeEnvelopeStream(source, options);
    const out = await collect(payload);
    return { result: await result, out };
  }, secretNeedles);
  return r.ok ? { result: r.value.result, plaintext: r.value.out, label: `accepted (${r.value.result.verdict}, ${r.value.result.integrity})` } : { label: r.label };
}

/** decodeEnvelopeTo into a destination that records whether it was closed or aborted. */
async function decodeInto(source: EnvelopeSource, options: DecodeStreamOptions): Promise<void> {
  const got: Uint8Array[] = [];
  let closed = 0;
  let aborted = 0;
  const destination = new WritableStream<Uint8Array>({
    write: (c) => void got.push(c.slice()),
    close: () => void closed++,
    abort: () => void aborted++,
  });
  const r = await attemptAsync('decodeEnvelopeTo', () => decodeEnvelopeTo(source, destination, options), secretNeedles);
  if (r.ok) {
    if (closed !== 1 || aborted !== 0) throw new OracleFailure('contract', `decodeEnvelopeTo succeeded with its destination closed ${closed}× and aborted ${aborted}×`);
    if (concatBytes(...got).length !== r.value.payloadLength) throw new OracleFailure('contract', 'decodeEnvelopeTo: payloadLength differs from the bytes written');
  } else if (closed !== 0) {
    throw new OracleFailure('contract', `decodeEnvelopeTo failed (${r.label}) after closing its destination: unauthenticated plaintext released as final`);
  }
}

/** The envelope target's contract on a streamed result, and its covered values. */
function judgeStreamed(r: DecodedEnvelopeStream, plaintext: Uint8Array, ctx: EnvelopeContext): void {
  if (ctx.signers.length > 0) {
    const ok = r.verdict === 'authentic' || (ctx.allowUnauthenticated && r.verdict === 'unbound-signatures');
    if (!ok) throw new OracleFailure('contract', `decodeEnvelopeStream with expected signers returned verdict ${r.verdict}`);
    for (const k of ctx.signers) {
      if (!r.signedBy.some((s) => s.kid === k.kid)) throw new OracleFailure('contract', `decodeEnvelopeStream returned without a signature by expected signer ${k.kid}`);
    }
  } else if (r.verdict !== 'no-signer-checked' || r.signedBy.length > 0 || r.signed.metadata !== undefined) {
    throw new OracleFailure('contract', `decodeEnvelopeStream with no signer claims ${r.verdict} / signed metadata`);
  }
  if (r.payloadLength !== plaintext.length) throw new OracleFailure('contract', 'decodeEnvelopeStream: payloadLength differs from the bytes delivered');
  const macCovered = r.encrypted && !ctx.allowUnauthenticated;
  if (macCovered && r.mac !== 'valid') throw new OracleFailure('contract', 'decodeEnvelopeStream decrypted an envelope without keyed integrity (no allowUnauthenticated)');
  const unbound = ctx.allowUnauthenticated && r.encrypted;
  const signed = ctx.signers.length > 0;
  const covered = {
    plaintext: (signed && r.encrypted && !unbound) || macCovered ? plaintext : undefined,
    meta: r.signed.metadata !== undefined || macCovered ? metaKey(r.header, (r.signed.metadata ?? r.unsigned.metadata)?.annotations) : undefined,
  };
  if ((covered.plaintext !== undefined || covered.meta !== undefined) && !matchWritten(covered)) {
    throw new OracleFailure('accepted-change', `decodeEnvelopeStream accepted a change of a covered value (verdict ${r.verdict}, integrity ${r.integrity})`);
  }
}

/** What the stream accepted, the one-shot decoder accepts alike (then judged by its own oracle). */
function sameAsOneShot(s: Streamed, oneShot: DecodedEnvelope | undefined, label: string, ctx: EnvelopeContext, what: string): void {
  if (!oneShot) throw new OracleFailure('contract', `${what}: the stream accepted what decodeEnvelope refuses (${label})`);
  const same = oneShot.verdict === s.result!.verdict && oneShot.integrity === s.result!.integrity
    && oneShot.payload.length === s.plaintext!.length && oneShot.payload.every((x, i) => x === s.plaintext![i])
    && oneShot.signedBy.map((k) => k.kid).join() === s.result!.signedBy.map((k) => k.kid).join();
  if (!same) throw new OracleFailure('contract', `${what}: stream and one-shot decoders disagree (verdict ${s.result!.verdict} / ${oneShot.verdict})`);
  judgeDecoded(oneShot, ctx);
  if (ctx.signers.length === 0) judgeUnkeyed(oneShot);
}

export const envelopeStreamTarget: FuzzTarget<EnvelopeContext> = {
  name: 'envelope-stream',
  summary: 'streamed DARE envelopes, every kind and wire form, cut at any chunk boundary (decodeEnvelopeStream, decodeEnvelopeTo, verifyEnvelopeStream)',
  async corpus() {
    await init();
    const seeds = envelopeCorpus();
    return [...seeds, ...(await streamedSeeds())];
  },
  mutators: (seed) => (seed.context.format === 'jsonb' ? jsonbMutators : jsonMutators),
  async check(input, seed) {
    const ctx = seed.context;
    const rng = new Rng(inputSeed(input));
    const parts = pieces(input, cuts(input, rng));
    const kind = rng.pick(SOURCE_KINDS);
    const chunkSize = rng.pick([16, 64, 1 << 20]);
    const options: DecodeStreamOptions = { ...ctx.options, chunkSize };
    const one = attempt('decodeEnvelope', () => decodeEnvelope(input, ctx.options), secretNeedles);

    const s = await streamDecode(`decodeEnvelopeStream (${kind}, ${parts.length} pieces)`, sourceOf(kind, input, parts), options);
    if (s.result) {
      judgeStreamed(s.result, s.plaintext!, ctx);
      sameAsOneShot(s, one.ok ? one.value : undefined, one.ok ? '' : one.label, ctx, 'decodeEnvelopeStream');
    }
    // The cut does not matter: one piece through another kind of source gives the same outcome.
    const whole = await streamDecode('decodeEnvelopeStream (one piece)', kind === 'bytes' ? [input.slice()] : input, options);
    if (whole.label !== s.label) throw new OracleFailure('contract', `the chunking changed the outcome: ${s.label} in ${parts.length} pieces, ${whole.label} in one`);

    await decodeInto(sourceOf(kind === 'reused' ? 'async' : kind, input, parts), options);

    const foreign = await streamDecode('decodeEnvelopeStream (foreign signer)', sourceOf(kind, input, parts), { ...options, signers: [mallory] });
    if (foreign.result) throw new OracleFailure('contract', 'decodeEnvelopeStream accepted a signer who signed nothing');

    if (ctx.signers.length > 0) {
      const v = await attemptAsync('verifyEnvelopeStream', () => verifyEnvelopeStream(sourceOf(kind, input, parts), {
        signers: ctx.signers, allowUnauthenticated: ctx.allowUnauthenticated,
      }), secretNeedles);
      if (v.ok) {
        const o = attempt('verifyEnvelope', () => verifyEnvelope(input, { signers: ctx.signers, allowUnauthenticated: ctx.allowUnauthenticated }), secretNeedles);
        if (!o.ok || o.value.verdict !== v.value.verdict) {
          throw new OracleFailure('contract', `verifyEnvelopeStream accepted (${v.value.verdict}) what verifyEnvelope ${o.ok ? `calls ${o.value.verdict}` : `refuses (${o.label})`}`);
        }
        judgeVerified(o.value, ctx);
      }
    }
    return s.label;
  },
};
