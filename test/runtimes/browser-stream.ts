/**
 * A browser page that encrypts a large generated `File` (256 MiB by default; `?mib=1024` for
 * 1 GiB) with the streaming envelope API — WebCrypto AES, the payload digest on a Web Worker —
 * and decodes it back, without ever holding the file. The input is written to the origin private
 * file system (OPFS) a MiB at a time and read back as a disk-backed `File`, as a file a user
 * picks would be; the envelope streams into another OPFS file (its `createWritable()` is a
 * WritableStream), and the decoded payload is checked piece by piece against the generator. The
 * page measures what the SDK keeps between what it read and what it handed on (chunk
 * accounting) and its JS heap; scripts/test-runtimes.mjs checks those and the renderer's peak RSS.
 */
import { webWorkerHashOffload } from '../../adapters/browser/hash-offload.js';
import { backend, init } from '../../sdk/crypto/index.js';
import { darePrivateKey, decodeEnvelopeStream, encodeEnvelopeStream, publicPart } from '../../sdk/dare/index.js';

export interface StreamResult {
  ok: boolean;
  mib: number;
  backend: string;
  verdict?: string;
  encodeSeconds?: number;
  decodeSeconds?: number;
  /** Most bytes the encoder had read and not yet handed on; likewise the decoder. */
  encodeAheadMiB?: number;
  decodeAheadMiB?: number;
  /** Growth of the reachable JS heap over the run (performance.memory after a full GC), when the browser reports it. */
  heapGrowthMiB?: number;
  /** Whether a full GC was available (`gc()`), so that heapGrowthMiB counts only what is reachable. */
  gcExposed?: boolean;
  envelopeMiB?: number;
  error?: string;
}

declare global {
  // eslint-disable-next-line no-var
  var __meshStream: StreamResult | undefined;
}

const MiB = 1 << 20;
const mib = Number(new URLSearchParams(location.search).get('mib') ?? '256');
const log = document.getElementById('log')!;
const say = (line: string) => void (log.textContent += line + '\n');

/** xorshift32 bytes, so the decoded payload can be checked without keeping the original. */
class Generator {
  private x = 0x2545f491;
  fill(b: Uint8Array): void {
    const w = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
    let x = this.x;
    for (let i = 0; i < w.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      w[i] = x >>> 0;
    }
    this.x = x;
  }
}

const heap = (): number | undefined => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
/** A full collection, where the browser exposes one (the test runner starts Chromium with --expose-gc). */
const collect = (globalThis as { gc?: () => void }).gc;

/** A ReadableStream over `source` that counts the bytes taken from it. */
function counted(source: ReadableStream<Uint8Array>, count: { n: number }): ReadableStream<Uint8Array> {
  return source.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      count.n += chunk.length;
      c.enqueue(chunk);
    },
  }));
}

async function run(): Promise<StreamResult> {
  await init();
  const result: StreamResult = { ok: false, mib, backend: backend() };
  const root = await navigator.storage.getDirectory();
  const scratch = `mathmesh-stream-${Date.now().toString(36)}`;
  const dir = await root.getDirectoryHandle(scratch, { create: true });
  const bob = darePrivateKey('X448', new Uint8Array(56).fill(7));
  const alice = darePrivateKey('Ed448', new Uint8Array(56).fill(9));
  const worker = webWorkerHashOffload('/build/browser-hash-worker.js');
  try {
    // The input: written to OPFS a MiB at a time, read back as a disk-backed File.
    const inputHandle = await dir.getFileHandle('input.bin', { create: true });
    const w = await inputHandle.createWritable();
    const gen = new Generator();
    const piece = new Uint8Array(MiB);
    for (let i = 0; i < mib; i++) {
      gen.fill(piece);
      await w.write(piece);
    }
    await w.close();
    const input = await inputHandle.getFile();
    say(`input File: ${input.size / MiB} MiB`);
    // What stays reachable (after a full collection, every 8 MiB) against what it was at the start:
    // garbage the collector has not reached yet is not memory the SDK keeps.
    collect?.();
    const heap0 = heap();
    let heapMax = heap0 ?? 0;
    const sample = () => {
      collect?.();
      const h = heap();
      if (h !== undefined) heapMax = Math.max(heapMax, h);
    };

    // Encode: File → envelope → OPFS file, counting what was read and what was written.
    const read = { n: 0 };
    let written = 0;
    let ahead = 0;
    let t0 = performance.now();
    const envelope = encodeEnvelopeStream(counted(input.stream() as ReadableStream<Uint8Array>, read), {
      recipients: [publicPart(bob)], signers: [alice], hashWorker: worker, sizeHint: input.size,
    });
    const outHandle = await dir.getFileHandle('envelope.dare', { create: true });
    await envelope.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        written += chunk.length;
        ahead = Math.max(ahead, read.n - written);
        if ((written & (8 * MiB - 1)) < chunk.length) sample();
        c.enqueue(chunk);
      },
    })).pipeTo(await outHandle.createWritable() as unknown as WritableStream<Uint8Array>);
    const out = await outHandle.getFile();
    result.encodeSeconds = (performance.now() - t0) / 1000;
    result.encodeAheadMiB = ahead / MiB;
    result.envelopeMiB = out.size / MiB;
    say(`encoded in ${result.encodeSeconds.toFixed(1)} s, envelope ${result.envelopeMiB.toFixed(1)} MiB, at most ${result.encodeAheadMiB.toFixed(1)} MiB in flight`);

    // Decode: envelope Blob → payload, checked against the generator as it arrives.
    const fed = { n: 0 };
    t0 = performance.now();
    const d = decodeEnvelopeStream(counted(out.stream() as ReadableStream<Uint8Array>, fed), {
      keys: [bob], signers: [publicPart(alice)], hashWorker: worker, sizeHint: out.size,
    });
    const check = new Generator();
    const expected = new Uint8Array(MiB);
    let pending = 0;
    let delivered = 0;
    let behind = 0;
    let same = true;
    const pr = d.payload.getReader();
    for (;;) {
      const { value, done } = await pr.read();
      if (done) break;
      for (let at = 0; at < value.length;) {
        if (pending === 0) {
          check.fill(expected);
          pending = MiB;
        }
        const n = Math.min(pending, value.length - at);
        const from = MiB - pending;
        for (let i = 0; i < n; i++) if (value[at + i] !== expected[from + i]) same = false;
        pending -= n;
        at += n;
      }
      delivered += value.length;
      behind = Math.max(behind, fed.n - delivered);
      if ((delivered & (8 * MiB - 1)) < value.length) sample();
    }
    const r = await d.result;
    result.decodeSeconds = (performance.now() - t0) / 1000;
    result.decodeAheadMiB = behind / MiB;
    result.verdict = r.verdict;
    say(`decoded in ${result.decodeSeconds.toFixed(1)} s, verdict ${r.verdict}, at most ${result.decodeAheadMiB.toFixed(1)} MiB in flight`);
    if (heap0 !== undefined) result.heapGrowthMiB = (heapMax - heap0) / MiB;
    result.gcExposed = collect !== undefined;
    result.ok = same && delivered === mib * MiB && r.verdict === 'authentic';
    if (!same) result.error = 'the decoded payload differs from the input';
    else if (delivered !== mib * MiB) result.error = `decoded ${delivered} bytes, expected ${mib * MiB}`;
  } finally {
    worker.close();
    await root.removeEntry(scratch, { recursive: true }).catch(() => undefined);
  }
  return result;
}

try {
  globalThis.__meshStream = await run();
} catch (e) {
  globalThis.__meshStream = { ok: false, mib, backend: 'unknown', error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
}
