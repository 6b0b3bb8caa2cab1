import { beforeAll, describe, expect, it } from 'vitest';
import { nodeHashOffload } from '../adapters/node/hash-worker.js';
import { init, pureProvider } from '../sdk/crypto/index.js';
import {
  DareError, computePayloadMac, darePrivateKey, decodeEnvelope, decodeEnvelopeStream, decodeEnvelopeTo, derivePayloadMacKey,
  encodeEnvelope, encodeEnvelopeStream, headerDigest, headerToObject, parseEnvelope, payloadDigest, publicPart, serializeEnvelope,
  verifyEnvelope, verifyEnvelopeStream, witness, wrapBaseSeed, type DareEnvelope, type DareEnvelopeFormat, type DecodeStreamOptions,
  type EncodeStreamOptions, type EnvelopeSource,
} from '../sdk/dare/index.js';
import { bytesEqual, concatBytes, encodeJsonB, utf8Encode, writeReferenceJson } from '../sdk/encoding/index.js';
import { tracingProvider } from './support/dare-tracing.js';
import { seeded } from './support/random.js';

/**
 * Streaming envelopes (sdk/dare/stream/): the same envelope as the one-shot functions, in memory
 * that does not grow with the payload, and the same promises — integrity before anything is
 * final, one error for every keyed failure (no padding oracle), required signers, bound key
 * exchange — each attacked here through the streaming decoder.
 */

const key = (alg: 'X448' | 'Ed448', n: number) => darePrivateKey(alg, seeded(n)(56));
const bob = key('X448', 1);
const carol = key('X448', 2);
const alice = key('Ed448', 3);
const mallory = key('Ed448', 4);

beforeAll(async () => {
  await init();
});

async function collect(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = s.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value.slice());
  }
  return concatBytes(...parts);
}

/** Decodes through the stream: the plaintext it delivered, and the result or the error code. */
async function streamDecode(input: EnvelopeSource, options: DecodeStreamOptions): Promise<{ out: Uint8Array; code: string; result?: Awaited<ReturnType<typeof decodeEnvelopeStream>['result']> }> {
  const d = decodeEnvelopeStream(input, options);
  const parts: Uint8Array[] = [];
  const reader = d.payload.getReader();
  let code = 'decoded';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value.slice());
    }
  } catch (e) {
    if (!(e instanceof DareError)) throw e;
    code = e.code;
  }
  const out = concatBytes(...parts);
  if (code !== 'decoded') {
    await expect(d.result).rejects.toMatchObject({ code });
    return { out, code };
  }
  return { out, code, result: await d.result };
}

const encodeAll = (payload: EnvelopeSource, options: EncodeStreamOptions = {}): Promise<Uint8Array> => collect(encodeEnvelopeStream(payload, options));

/** A source that hands out `total` pseudo-random bytes in pieces of `piece`, reusing one buffer. */
function generated(total: number, piece: number, seed = 7): { source: AsyncIterable<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const buf = new Uint8Array(piece);
  let x = seed;
  return {
    pulled: () => pulled,
    source: {
      async *[Symbol.asyncIterator]() {
        while (pulled < total) {
          const n = Math.min(piece, total - pulled);
          for (let i = 0; i < n; i++) {
            x = (x * 1103515245 + 12345) >>> 0;
            buf[i] = x >>> 24;
          }
          pulled += n;
          yield buf.subarray(0, n);
        }
      },
    },
  };
}

const formats: DareEnvelopeFormat[] = ['jsonb', 'json', 'tagged'];

describe('the streamed form is the one-shot envelope', () => {
  it('a payload of at most one chunk comes out byte for byte as serializeEnvelope(encodeEnvelope(…)), in every form', async () => {
    const cases: EncodeStreamOptions[] = [
      {},
      { signers: [alice] },
      { recipients: [publicPart(bob)] },
      { recipients: [publicPart(bob), publicPart(carol)], signers: [alice], annotations: ['Subject: hi'], contentType: 'text/plain', envelopeId: 'E1' },
      { recipients: [publicPart(bob)], signers: [alice], referenceForm: true },
      // A header carrying signatures of its own: written where the reference writes them (after annotations).
      { annotations: ['a'], header: { signatures: [{ kid: 'MXYZ-0000', signature: new Uint8Array(8) }] } },
    ];
    for (const format of formats) {
      for (const o of cases) {
        for (const payload of [new Uint8Array(0), utf8Encode('The CEO told me the product launch is today.'), seeded(5)(4096)]) {
          const oneShot = serializeEnvelope(encodeEnvelope(payload, { ...o, random: seeded(11) }), format);
          const streamed = await encodeAll(payload, { ...o, random: seeded(11), format, chunkSize: 4096 });
          expect(bytesEqual(streamed, oneShot), `${format} ${JSON.stringify(Object.keys(o))} ${payload.length}`).toBe(true);
        }
      }
    }
  });

  it('round trips at chunk boundaries: stream → one-shot, one-shot → stream, stream → stream', async () => {
    const chunkSize = 64;
    for (const format of formats) {
      for (const n of [0, 1, 15, 16, 17, 63, 64, 65, 128, 3 * 64 + 5]) {
        const payload = seeded(n + 1)(n);
        const o = { recipients: [publicPart(bob)], signers: [alice], random: seeded(n + 2), format, chunkSize };
        const streamed = await encodeAll(payload, o);
        const one = decodeEnvelope(streamed, { keys: [bob], signers: [publicPart(alice)] });
        expect(bytesEqual(one.payload, payload)).toBe(true);
        expect(one.verdict).toBe('authentic');
        for (const input of [streamed, serializeEnvelope(encodeEnvelope(payload, o), format)]) {
          const s = await streamDecode(input, { keys: [bob], signers: [publicPart(alice)], chunkSize });
          expect(s.code).toBe('decoded');
          expect(bytesEqual(s.out, payload), `${format} ${n}`).toBe(true);
          expect(s.result).toMatchObject({ verdict: 'authentic', headerSigned: true, mac: 'valid', integrity: 'signature', payloadLength: n });
        }
      }
    }
  });

  it('several 1 MiB chunks: the routed cipher (one OpenSSL context per stream on Node) writes the bytes the pure provider writes', async () => {
    const payload = seeded(31)(3 * 1024 * 1024 + 5);
    const o = { recipients: [publicPart(bob)], signers: [alice] };
    const routed = await encodeAll(payload, { ...o, random: seeded(32) });
    const pure = await encodeAll(payload, { ...o, random: seeded(32), provider: pureProvider });
    expect(bytesEqual(routed, pure)).toBe(true);
    for (const provider of [undefined, pureProvider]) {
      const s = await streamDecode(routed, { keys: [bob], signers: [publicPart(alice)], ...(provider ? { provider } : {}) });
      expect(s.code).toBe('decoded');
      expect(bytesEqual(s.out, payload)).toBe(true);
    }
  }, 60_000);

  it('several chunks become JSON-B data chunks (8C–8F) ending in one data item; the one-shot reader concatenates them', async () => {
    const payload = seeded(3)(1000);
    const streamed = await encodeAll(payload, { signers: [alice], chunkSize: 256, random: seeded(4) });
    const env = parseEnvelope(streamed);
    expect(bytesEqual(env.payload, payload)).toBe(true);
    const head = encodeJsonB(headerToObject(env.header)).length + 1;
    expect(streamed[head]).toBe(0x8d); // a chunk with a 2-byte length: 256 bytes
    expect(bytesEqual(streamed.subarray(head + 1, head + 3), Uint8Array.of(1, 0))).toBe(true);
    expect(verifyEnvelope(streamed, { signers: [publicPart(alice)] }).verdict).toBe('authentic');
  });

  it("reads the reference's streamed file: JSON text header, JSON-B data chunks, text trailer", async () => {
    const payload = seeded(8)(300);
    const env = encodeEnvelope(payload, { recipients: [publicPart(bob)], signers: [alice], random: seeded(9) });
    const text = (s: string) => utf8Encode(s);
    const ct = env.payload;
    const ref = concatBytes(
      text('[' + writeReferenceJson(headerToObject(env.header)) + ',\n'),
      Uint8Array.of(0x8c, 100), ct.subarray(0, 100), Uint8Array.of(0x8c, 100), ct.subarray(100, 200),
      Uint8Array.of(0x89, 0, ct.length - 200), ct.subarray(200),
      text(',\n' + writeReferenceJson(headerToObject(env.trailer!)) + ']'),
    );
    expect(bytesEqual(decodeEnvelope(ref, { keys: [bob], signers: [publicPart(alice)] }).payload, payload)).toBe(true);
    const s = await streamDecode(ref, { keys: [bob], signers: [publicPart(alice)] });
    expect(s.code).toBe('decoded');
    expect(bytesEqual(s.out, payload)).toBe(true);
    // REF wraps long base64 values with a raw line break inside the string: the streamed JSON reader skips it too.
    const wrapped = utf8Encode(writeReferenceJson([headerToObject(env.header), env.payload, headerToObject(env.trailer!)]));
    expect(wrapped.includes(0x0a)).toBe(true);
    const w = await streamDecode(wrapped, { keys: [bob], signers: [publicPart(alice)] });
    expect(bytesEqual(w.out, payload)).toBe(true);
    // What the reference itself writes (no PayloadMac, no ManifestSignature): only under the opt-in, never "authentic".
    const refEnv = encodeEnvelope(payload, { recipients: [publicPart(bob)], signers: [alice], random: seeded(10), referenceForm: true });
    const refStream = concatBytes(
      text('[' + writeReferenceJson(headerToObject(refEnv.header, 'header')) + ',\n'),
      Uint8Array.of(0x8c, 200), refEnv.payload.subarray(0, 200), Uint8Array.of(0x89, 0, refEnv.payload.length - 200), refEnv.payload.subarray(200),
      text(',\n' + writeReferenceJson(headerToObject(refEnv.trailer!)) + ']'),
    );
    expect((await streamDecode(refStream, { keys: [bob], signers: [publicPart(alice)] })).code).toBe('DARE_UNAUTHENTICATED');
    const opted = await streamDecode(refStream, { keys: [bob], signers: [publicPart(alice)], allowUnauthenticated: true });
    expect(bytesEqual(opted.out, payload)).toBe(true);
    expect(opted.result).toMatchObject({ verdict: 'unbound-signatures', authentic: false, mac: 'absent' });
  });

  it('sources: a Blob, a ReadableStream, an async iterable reusing its buffer, a sync iterable', async () => {
    const payload = seeded(12)(5000);
    const o = { recipients: [publicPart(bob)], random: seeded(13), chunkSize: 1024 };
    const expected = await encodeAll(payload, o);
    const pieces = (b: Uint8Array, n: number) => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));
    const reused = (b: Uint8Array, n: number): AsyncIterable<Uint8Array> => ({
      async *[Symbol.asyncIterator]() {
        const buf = new Uint8Array(n);
        for (const p of pieces(b, n)) {
          buf.set(p);
          yield buf.subarray(0, p.length);
          buf.fill(0xee); // overwritten as soon as the next piece is asked for
        }
      },
    });
    const sources: EnvelopeSource[] = [
      new Blob([payload as Uint8Array<ArrayBuffer>]), new Blob([payload as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>, reused(payload, 333), pieces(payload, 7),
    ];
    for (const src of sources) expect(bytesEqual(await encodeAll(src, { ...o, random: seeded(13) }), expected)).toBe(true);
    for (const src of [new Blob([expected as Uint8Array<ArrayBuffer>]), reused(expected, 5), reused(expected, 4096), pieces(expected, 1)]) {
      const s = await streamDecode(src, { keys: [bob], chunkSize: 1024 });
      expect(bytesEqual(s.out, payload)).toBe(true);
    }
  });
});

describe('memory does not grow with the payload', () => {
  it('encode and decode of 48 MiB keep at most a few chunks between what was read and what was handed on', async () => {
    const total = 48 * 1024 * 1024;
    const chunkSize = 1 << 20;
    const gen = generated(total, 64 * 1024 + 3);
    const enc = encodeEnvelopeStream(gen.source, { recipients: [publicPart(bob)], signers: [alice], chunkSize });
    const reader = enc.getReader();
    let emitted = 0;
    let maxAhead = 0;
    const parts: Uint8Array[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      emitted += value.length;
      maxAhead = Math.max(maxAhead, gen.pulled() - emitted);
      parts.push(value);
    }
    expect(maxAhead).toBeLessThanOrEqual(5 * chunkSize);
    const envelope = concatBytes(...parts);
    parts.length = 0;
    // Decode from pieces of the envelope, counting what went in against what came out.
    let fed = 0;
    const src = {
      async *[Symbol.asyncIterator]() {
        for (let at = 0; at < envelope.length; at += 100_003) {
          fed = Math.min(envelope.length, at + 100_003);
          yield envelope.subarray(at, fed);
        }
      },
    };
    const d = decodeEnvelopeStream(src, { keys: [bob], signers: [publicPart(alice)], chunkSize });
    const r = d.payload.getReader();
    let out = 0;
    let behind = 0;
    let x = 7; // the generator's sequence again, to check every byte that comes out
    let same = true;
    for (;;) {
      const { value, done } = await r.read();
      if (done) break;
      for (let i = 0; i < value.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        if (value[i] !== x >>> 24) same = false;
      }
      out += value.length;
      behind = Math.max(behind, fed - out);
    }
    expect(same).toBe(true);
    expect(out).toBe(total);
    expect(behind).toBeLessThanOrEqual(5 * chunkSize);
    expect((await d.result).verdict).toBe('authentic');
  }, 120_000);

  it('the last chunk is held back until the checks passed: a forged trailer never yields the whole plaintext', async () => {
    const payload = seeded(21)(10 * 64 + 7);
    const o = { signers: [alice], chunkSize: 64, random: seeded(22) };
    const env = parseEnvelope(await encodeAll(payload, o));
    const forged = serializeEnvelope({ ...env, trailer: { ...env.trailer!, signatures: [{ ...env.trailer!.signatures![0]!, kid: mallory.kid }] } }, 'jsonb');
    const s = await streamDecode(forged, { signers: [publicPart(alice)], chunkSize: 64 });
    expect(s.code).toBe('DARE_UNKNOWN_SIGNER');
    expect(s.out.length).toBeLessThan(payload.length);
    expect(payload.length - s.out.length).toBeGreaterThanOrEqual(7);
  });
});

describe('integrity before anything is final, one error for every keyed failure', () => {
  const chunkSize = 64;
  const secret = seeded(31)(6 * 64 + 9);
  const encOpts = { recipients: [publicPart(bob)], annotations: ['Subject: dawn'], random: seeded(32) };

  /** Streams a decode under a tracing provider: the outcome, and the cipher inputs it decrypted. */
  async function query(env: DareEnvelope | Uint8Array, options: DecodeStreamOptions = { keys: [bob] }) {
    const { provider, calls } = tracingProvider();
    const bytes = env instanceof Uint8Array ? env : serializeEnvelope(env, 'jsonb');
    const s = await streamDecode(bytes, { ...options, provider, chunkSize });
    return { ...s, decrypted: calls.filter((c) => c.name === 'aes256CbcDecrypt').reduce((a, c) => a + c.length, 0) };
  }
  const withCiphertext = (env: DareEnvelope, ct: Uint8Array): DareEnvelope => ({ ...env, payload: ct, trailer: { ...env.trailer!, payloadDigest: payloadDigest(ct) } });

  it('the untouched envelope decodes', async () => {
    const env = encodeEnvelope(secret, encOpts);
    const s = await query(env);
    expect(s.code).toBe('decoded');
    expect(bytesEqual(s.out, secret)).toBe(true);
  });

  it('padding oracle: every guess at the block before the last gives one code and the held-back last chunk is never decrypted', async () => {
    const env = encodeEnvelope(secret, encOpts);
    const n = env.payload.length;
    const seen = new Set<string>();
    let maxDecrypted = 0;
    for (let j = n - 32; j < n - 16; j += 5) {
      for (let g = 1; g < 256; g += 17) {
        const ct = env.payload.slice();
        ct[j]! ^= g;
        const o = await query(withCiphertext(env, ct));
        seen.add(o.code);
        maxDecrypted = Math.max(maxDecrypted, o.decrypted);
        expect(o.out.length).toBeLessThan(secret.length);
      }
    }
    expect([...seen]).toEqual(['DARE_DECRYPT_FAILED']);
    // Only the chunks before the last went through the cipher (each with its one extra block): never the padding.
    const lastStart = Math.floor((n - 1) / chunkSize) * chunkSize;
    expect(maxDecrypted).toBeLessThanOrEqual(lastStart + (lastStart / chunkSize) * 16);
  });

  it('MAC stripped, trailer stripped, cipher id downgraded: DARE_UNAUTHENTICATED for every guess, no last chunk', async () => {
    const env = encodeEnvelope(secret, encOpts);
    const { payloadMac: _m, ...noMac } = env.trailer!;
    const stripped = { ...env, trailer: noMac };
    const noTrailer: DareEnvelope = { header: env.header, payload: env.payload };
    const downgraded = { ...stripped, header: { ...env.header, enc: 'A256CBC' } };
    for (const e of [stripped, noTrailer, downgraded]) expect((await query(e)).code).toBe('DARE_UNAUTHENTICATED');
    const codes = new Set<string>();
    for (let g = 1; g < 256; g += 11) {
      const ct = env.payload.slice();
      ct[ct.length - 17]! ^= g;
      codes.add((await query(withCiphertext(stripped, ct))).code);
    }
    expect([...codes]).toEqual(['DARE_UNAUTHENTICATED']);
    // With the MAC kept, a downgrade breaks it (the header digest covers enc).
    expect((await query({ ...env, header: { ...env.header, enc: 'A256CBC' } })).code).toBe('DARE_DECRYPT_FAILED');
  });

  it('a changed header member the MAC covers (content type) is DARE_DECRYPT_FAILED', async () => {
    const env = encodeEnvelope(secret, { ...encOpts, contentType: 'text/plain' });
    const changed = { ...env, header: { ...env.header, contentMetaData: utf8Encode('{"cty":"text/html"}') } };
    expect((await query(changed)).code).toBe('DARE_DECRYPT_FAILED');
  });

  it('required signers: unsigned, signed by someone else, bad signature — typed errors, never the whole payload', async () => {
    const expectAlice = { keys: [bob], signers: [publicPart(alice)] };
    const unsigned = encodeEnvelope(secret, encOpts);
    const byMallory = encodeEnvelope(secret, { ...encOpts, signers: [mallory] });
    const byAlice = encodeEnvelope(secret, { ...encOpts, signers: [alice] });
    const s = byAlice.trailer!.signatures![0]!;
    const badSig = { ...byAlice, trailer: { ...byAlice.trailer!, signatures: [{ ...s, signature: s.signature.map((b, i) => (i === 3 ? b ^ 1 : b)) }] } };
    expect((await query(unsigned, expectAlice)).code).toBe('DARE_NOT_SIGNED');
    expect((await query(byMallory, expectAlice)).code).toBe('DARE_UNKNOWN_SIGNER');
    expect((await query(badSig, expectAlice)).code).toBe('DARE_BAD_SIGNATURE');
    const ok = await query(byAlice, expectAlice);
    expect(ok.result).toMatchObject({ verdict: 'authentic', authentic: true, headerSigned: true });
    expect(ok.result!.signed.metadata?.annotations.map((a) => new TextDecoder().decode(a))).toEqual(['Subject: dawn']);
    // Without expected signers nothing is authentic, and the header data is unsigned.
    const none = await query(byAlice, { keys: [bob] });
    expect(none.result).toMatchObject({ verdict: 'no-signer-checked', authentic: false, signed: {} });
    expect(none.result!.unsigned.metadata).toBeDefined();
  });

  it('re-wrap for a new recipient under a new seed: caught (old MAC: DECRYPT_FAILED; recomputed MAC: BAD_SIGNATURE)', async () => {
    const original = encodeEnvelope(secret, { ...encOpts, signers: [alice] });
    const s = original.trailer!.signatures![0]!;
    const salt = original.header.salt!;
    const seed = seeded(40)(32);
    const rewrapped = { ...original, header: { ...original.header, recipients: [wrapBaseSeed(publicPart(carol), seed, seeded(41))] } };
    const forged = { ...rewrapped, trailer: { ...original.trailer!, signatures: [{ ...s, witness: witness(seed, salt, s.signature) }] } };
    const expectAlice = { keys: [carol], signers: [publicPart(alice)] };
    expect((await query(forged, expectAlice)).code).toBe('DARE_DECRYPT_FAILED');
    const payloadMac = computePayloadMac(derivePayloadMacKey(seed, salt), {
      dig: 'S512', payloadDigest: original.trailer!.payloadDigest!, headerDigest: headerDigest(rewrapped.header, 'S512'),
    });
    expect((await query({ ...forged, trailer: { ...forged.trailer, payloadMac } }, expectAlice)).code).toBe('DARE_BAD_SIGNATURE');
  });

  it('a plaintext envelope: a changed payload byte is DARE_BAD_DIGEST; a wrong key DARE_NO_KEY at once', async () => {
    const signed = await encodeAll(secret, { signers: [alice], chunkSize, random: seeded(50) });
    const i = signed.indexOf(secret[100]!, 200);
    const bad = signed.slice();
    bad[i]! ^= 1;
    expect((await streamDecode(bad, { chunkSize })).code).toBe('DARE_BAD_DIGEST');
    const enc = serializeEnvelope(encodeEnvelope(secret, encOpts), 'jsonb');
    const wrong = await streamDecode(enc, { keys: [carol], chunkSize });
    expect(wrong.code).toBe('DARE_NO_KEY');
    expect(wrong.out.length).toBe(0);
  });
});

describe('malformed and hostile input: typed errors, bounded memory', () => {
  const env = encodeEnvelope(seeded(60)(500), { signers: [alice], random: seeded(61) });
  const good = serializeEnvelope(env, 'jsonb');

  it('truncated anywhere: DARE_TRUNCATED, never a success', async () => {
    for (const cut of [0, 1, 10, 300, good.length - 200, good.length - 1]) {
      const s = await streamDecode(good.subarray(0, cut), {});
      expect(s.code, `cut at ${cut}`).toBe('DARE_TRUNCATED');
    }
  });

  it('data after the envelope, a fourth item, a non-envelope: DARE_BAD_FORMAT', async () => {
    expect((await streamDecode(concatBytes(good, utf8Encode('x')), {})).code).toBe('DARE_BAD_FORMAT');
    expect((await streamDecode(concatBytes(good.subarray(0, good.length - 1), Uint8Array.of(0xb0, 0x5d)), {})).code).toBe('DARE_BAD_FORMAT');
    for (const s of ['hello', '{"a":1,"b":[]}', '[1,2]', '["x", "not base64 !"]', '[{},"AA"']) {
      const code = (await streamDecode(utf8Encode(s), {})).code;
      expect(['DARE_BAD_FORMAT', 'DARE_TRUNCATED'], s).toContain(code);
      // the one-shot reader agrees it is no envelope
      expect(() => parseEnvelope(s)).toThrow(DareError);
    }
  });

  it('a declared chunk length far beyond the input: DARE_TRUNCATED, nothing allocated for it', async () => {
    const head = concatBytes(Uint8Array.of(0x5b, 0x7b, 0x7d), Uint8Array.of(0x8f, 0x00, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), new Uint8Array(10));
    expect((await streamDecode(head, {})).code).toBe('DARE_TRUNCATED');
  });

  it('millions of empty chunks cost time, not memory; a header beyond maxHeaderBytes is refused', async () => {
    const empties = new Uint8Array(2_000_000);
    for (let i = 0; i < empties.length; i += 2) empties[i] = 0x8c;
    const input = concatBytes(Uint8Array.of(0x5b, 0x7b, 0x7d), empties, Uint8Array.of(0x88, 0x00, 0x5d));
    const s = await streamDecode(input, {});
    expect(s.code).toBe('decoded');
    expect(s.out.length).toBe(0);
    const big = serializeEnvelope(encodeEnvelope('x', { annotations: ['a'.repeat(5000)] }), 'jsonb');
    expect((await streamDecode(big, { maxHeaderBytes: 1000 })).code).toBe('DARE_BAD_FORMAT');
    expect((await streamDecode(big, { maxHeaderBytes: 10_000 })).code).toBe('decoded');
  });

  it('a signature naming another digest than the header cannot be checked in one pass: DARE_BAD_FORMAT', async () => {
    const e = encodeEnvelope('x', { signers: [alice], random: seeded(62) });
    const s = e.trailer!.signatures![0]!;
    const mixed = serializeEnvelope({ ...e, trailer: { ...e.trailer!, signatures: [{ ...s, dig: 'S256' }] } }, 'jsonb');
    expect((await streamDecode(mixed, { signers: [publicPart(alice)] })).code).toBe('DARE_BAD_FORMAT');
  });
});

describe('decodeEnvelopeTo, cancellation, verifyEnvelopeStream, the hash worker', () => {
  const payload = seeded(70)(3000);
  const sink = () => {
    const parts: Uint8Array[] = [];
    const state = { closed: false, aborted: undefined as unknown, parts };
    return {
      state,
      stream: new WritableStream<Uint8Array>({
        write: (c) => void parts.push(c.slice()),
        close: () => void (state.closed = true),
        abort: (reason) => void (state.aborted = reason),
      }),
    };
  };

  it('decodeEnvelopeTo closes the destination only on success, aborts it with the typed error otherwise', async () => {
    const good = await encodeAll(payload, { signers: [alice], chunkSize: 256, random: seeded(71) });
    const ok = sink();
    const r = await decodeEnvelopeTo(good, ok.stream, { signers: [publicPart(alice)], chunkSize: 256 });
    expect(r.verdict).toBe('authentic');
    expect(ok.state.closed).toBe(true);
    expect(bytesEqual(concatBytes(...ok.state.parts), payload)).toBe(true);
    const bad = sink();
    await expect(decodeEnvelopeTo(good, bad.stream, { signers: [publicPart(mallory)], chunkSize: 256 })).rejects.toMatchObject({ code: 'DARE_UNKNOWN_SIGNER' });
    expect(bad.state.closed).toBe(false);
    expect(bad.state.aborted).toMatchObject({ code: 'DARE_UNKNOWN_SIGNER' });
    // A failing destination: its own error, and the source is let go.
    const failing = new WritableStream<Uint8Array>({ write: () => Promise.reject(new Error('disk full')) });
    await expect(decodeEnvelopeTo(good, failing, { chunkSize: 256 })).rejects.toThrow('disk full');
  });

  it('cancelling the payload stream rejects the result (DARE_CANCELLED) and cancels the source', async () => {
    const good = await encodeAll(payload, { chunkSize: 256, random: seeded(72) });
    let cancelled = false;
    const src = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(good.slice(0, 2000)); // enough for a first plaintext chunk; then the source stalls
      },
      cancel: () => void (cancelled = true),
    });
    const d = decodeEnvelopeStream(src, { chunkSize: 256 });
    const reader = d.payload.getReader();
    await reader.read();
    await reader.cancel();
    await expect(d.result).rejects.toMatchObject({ code: 'DARE_CANCELLED' });
    expect(cancelled).toBe(true);
  });

  it('verifyEnvelopeStream reports as verifyEnvelope does, and requires expected signers', async () => {
    const good = await encodeAll(payload, { recipients: [publicPart(bob)], signers: [alice], chunkSize: 256, random: seeded(73) });
    const a = verifyEnvelope(good, { signers: [publicPart(alice)] });
    const b = await verifyEnvelopeStream(good, { signers: [publicPart(alice)] });
    const { envelope: _e, ...rest } = a;
    expect(b).toMatchObject(rest);
    expect(b.storedLength).toBe(parseEnvelope(good).payload.length);
    await expect(verifyEnvelopeStream(good, { signers: [publicPart(mallory)] })).rejects.toMatchObject({ code: 'DARE_UNKNOWN_SIGNER' });
  });

  it('with a hash worker the bytes and the verdicts are the same; a dead worker is a typed error', async () => {
    const worker = nodeHashOffload({ bufferSize: 4096, maxInFlight: 2 });
    try {
      const o = { recipients: [publicPart(bob)], signers: [alice], chunkSize: 1024 };
      const big = seeded(74)(100_000);
      const here = await encodeAll(big, { ...o, random: seeded(75) });
      const there = await encodeAll(big, { ...o, random: seeded(75), hashWorker: worker, sizeHint: 1 << 30 });
      expect(bytesEqual(here, there)).toBe(true);
      const s = await streamDecode(there, { keys: [bob], signers: [publicPart(alice)], hashWorker: worker, sizeHint: 1 << 30, chunkSize: 1024 });
      expect(s.result?.verdict).toBe('authentic');
      expect(bytesEqual(s.out, big)).toBe(true);
      const h = worker.create('sha512');
      worker.close();
      await expect(h.digest()).rejects.toMatchObject({ code: 'CRYPTO_STATE' });
    } finally {
      worker.close();
    }
  });
});

describe('the streaming decoder against the one-shot decoder on mutated input', () => {
  it('typed errors only, and whatever the stream accepts the one-shot decoder accepts with the same payload and verdict', async () => {
    const payload = seeded(80)(700);
    const o = { recipients: [publicPart(bob)], signers: [alice], chunkSize: 64, random: seeded(81) };
    const good = await encodeAll(payload, o);
    const pick = seeded(82);
    const options = { keys: [bob], signers: [publicPart(alice)] };
    let accepted = 0;
    for (let round = 0; round < 400; round++) {
      const [a, b, c] = pick(3);
      const bytes = good.slice();
      let input: Uint8Array;
      const at = ((a! << 8) | b!) % bytes.length;
      switch (round % 4) {
        case 0: bytes[at]! ^= 1 << (c! & 7); input = bytes; break; // a flipped bit
        case 1: input = bytes.subarray(0, at); break; // truncated
        case 2: input = concatBytes(bytes.subarray(0, at), Uint8Array.of(c!), bytes.subarray(at)); break; // a byte inserted
        default: input = concatBytes(bytes.subarray(0, at), bytes.subarray(at + 1 + (c! % 8))); break; // bytes removed
      }
      const s = await streamDecode(input, { ...options, chunkSize: 64 });
      let one: { code: string; payload?: Uint8Array; verdict?: string };
      try {
        const d = decodeEnvelope(input, options);
        one = { code: 'decoded', payload: d.payload, verdict: d.verdict };
      } catch (e) {
        if (!(e instanceof DareError)) throw e;
        one = { code: e.code };
      }
      if (s.code === 'decoded') {
        accepted++;
        expect(one.code, `round ${round}`).toBe('decoded');
        expect(bytesEqual(one.payload!, s.out), `round ${round}`).toBe(true);
        expect(s.result!.verdict).toBe(one.verdict);
      }
    }
    expect(accepted).toBeLessThan(400); // the mutations do reach the checks
  }, 120_000);
});

describe('the stream reads what parseEnvelope reads, whatever the cut (fuzz findings)', () => {
  /** Pieces of `n` bytes, each a fresh copy. */
  const inPieces = (bytes: Uint8Array, n: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += n) out.push(bytes.slice(at, at + n));
    return out;
  };

  it('a JSON text header with a \\u surrogate-pair escape decodes when the input is cut inside the pair', async () => {
    // The reader parses growing windows of the header (doubling): shift the escape across them.
    for (let pad = 0; pad < 40; pad++) {
      const env = encodeEnvelope('pair', { envelopeId: `${'i'.repeat(pad)}-X` });
      const text = new TextDecoder().decode(serializeEnvelope(env, 'json')).replace('-X"', '-\\ud83d\\ude00"');
      const bytes = utf8Encode(text);
      const want = `${'i'.repeat(pad)}-\u{1F600}`;
      expect(decodeEnvelope(bytes).envelope.header.envelopeId).toBe(want);
      const s = await streamDecode(inPieces(bytes, 1), {});
      expect(s.code, `escape at ${text.indexOf('\\ud83d')}`).toBe('decoded');
      expect(s.result!.header.envelopeId).toBe(want);
    }
  });

  it('a text envelope in JSON-B-only syntax (no `:`, no `,`, form feed) is refused, as parseEnvelope refuses it', async () => {
    const env = encodeEnvelope('loose', { signers: [alice] });
    const text = new TextDecoder().decode(serializeEnvelope(env, 'json'));
    const variants = [
      text.replace('{"signatures":[', '{"signatures"['), // a member without ':'
      text.replace(/,"[A-Za-z0-9_-]{4,}",\{/, (m) => m.slice(1)), // no ',' between header and payload
      text.replace(/\]$/, ',]'), // a ',' before the closing ']'
      text.replace('[{', '[\f{'), // whitespace JSON text does not have
    ];
    for (const v of variants) {
      expect(v).not.toBe(text);
      const bytes = utf8Encode(v);
      expect(() => decodeEnvelope(bytes), v.slice(0, 60)).toThrow(expect.objectContaining({ code: 'DARE_BAD_FORMAT' }));
      expect((await streamDecode(inPieces(bytes, 5), {})).code, v.slice(0, 60)).toBe('DARE_BAD_FORMAT');
    }
    // The same looseness in a binary envelope is JSON-B, which both read.
    expect((await streamDecode(serializeEnvelope(env, 'jsonb'), { signers: [publicPart(alice)] })).result?.verdict).toBe('authentic');
  });

  it('a tagged envelope whose binary member name is not UTF-8 is refused, as parseEnvelope refuses it', async () => {
    const env = encodeEnvelope('tagged', { signers: [alice] });
    const inner = serializeEnvelope(env, 'jsonb');
    const name = utf8Encode('DareEnvelope');
    name[10] ^= 0x80; // 'p' → 0xF0: the first byte of a four-byte sequence, cut short
    const bytes = concatBytes(Uint8Array.of(0x7b, 0xb4, name.length), name, inner, Uint8Array.of(0x7d));
    expect(() => decodeEnvelope(bytes)).toThrow(expect.objectContaining({ code: 'DARE_BAD_FORMAT' }));
    expect((await streamDecode(bytes, {})).code).toBe('DARE_BAD_FORMAT');
    name[10] ^= 0x80;
    const good = concatBytes(Uint8Array.of(0x7b, 0xb4, name.length), name, inner, Uint8Array.of(0x7d));
    expect((await streamDecode(good, {})).code).toBe('decoded');
  });
});
