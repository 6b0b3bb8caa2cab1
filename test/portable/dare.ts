/**
 * `mathmesh/dare` envelopes on whatever runtime runs this: the dare.json envelope vectors
 * (signed, encrypted, Ed448 Mesh envelopes), round trips and tamper detection. Sequences have
 * their own suite (sequence.ts), run against each runtime's storage adapters.
 */
import {
  DareError, darePrivateKey, darePublicKey, decodeEnvelope, decodeEnvelopeStream, decodeEnvelopeTo, encodeEnvelope, encodeEnvelopeStream,
  envelopeToString, parseEnvelope, publicPart, serializeEnvelope, unwrapBaseSeedDetail, verifyEnvelope,
} from '../../sdk/dare/index.js';
import { base64urlDecode, hexEncode, utf8Decode } from '../../sdk/encoding/index.js';
import type { Suite } from './harness.js';
import { vectorFile } from './vectors.js';
import { prng, type V } from './util.js';

/** Everything a stream delivers, and the error it ended with (if any). */
async function drain(s: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; error?: unknown }> {
  const parts: Uint8Array[] = [];
  const reader = s.getReader();
  let error: unknown;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value.slice());
    }
  } catch (e) {
    error = e;
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return error === undefined ? { bytes } : { bytes, error };
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const dare: Suite = ({ describe, it, expect }, env) => {
  const file = vectorFile<{ keys: Record<string, { private_b64u?: string; public_b64u: string; kid: string }>; vectors: V[] }>(env.vectors, 'dare.json');
  const vec = (id: string): V => file.vectors.find((v) => v['id'] === id)!;
  const priv = (name: string) => darePrivateKey('Ed25519', base64urlDecode(file.keys[name]!.private_b64u!));

  describe('dare: envelope vectors (dare.json)', () => {
    it('signed envelope: Ed25519ctx signature reproduced byte for byte, verified by kid', () => {
      const v = vec('env-ex-signed');
      const signer = priv('ex.alice.sign');
      expect(envelopeToString(encodeEnvelope(v['expected']['payload_utf8'], { signers: [signer], referenceForm: true }))).toBe(v['envelope_json']);
      const d = decodeEnvelope(v['envelope_json'], { signers: [signer], requireSignature: true });
      expect(d.signatures.map((s) => s.status)).toEqual(['valid']);
    });

    it('signed and encrypted envelope decrypts, and re-encodes byte for byte', () => {
      const v = vec('env-ex-signed-encrypted');
      const key = priv('ex.alice.encrypt');
      const signer = priv('ex.alice.sign');
      // The reference's form (no PayloadMac, no ManifestSignature) is read only with the explicit opt-in.
      const d = decodeEnvelope(v['envelope_json'], { keys: [key], signers: [signer], allowUnauthenticated: true });
      expect(d.verdict).toBe('unbound-signatures');
      expect(utf8Decode(d.payload)).toBe(v['expected']['plaintext_utf8']);
      const detail = unwrapBaseSeedDetail(d.recipient!, key)!;
      expect(hexEncode(detail.baseSeed)).toBe(v['expected']['base_seed_hex']);
      const h = d.envelope.header;
      const again = encodeEnvelope(d.payload, {
        keyExchange: { baseSeed: detail.baseSeed, recipients: h.recipients! }, salt: h.salt!, headerKid: h.kid!, signers: [signer], referenceForm: true,
      });
      expect(envelopeToString(again)).toBe(v['envelope_json']);
    });

    it('Ed448 signed Mesh envelope verifies, as JSON and as JSON-B', () => {
      const v = vec('env-mesh-ed448-connection-service');
      const k = file.keys['mesh.alice.admin-sign']!;
      const pub = darePublicKey('Ed448', base64urlDecode(k.public_b64u));
      expect(pub.kid).toBe(k.kid);
      expect(verifyEnvelope(v['envelope_json'], { signers: [pub] }).signatures.map((s) => s.status)).toEqual(['valid']);
      const jsonb = serializeEnvelope(parseEnvelope(v['envelope_json']), 'jsonb');
      expect(verifyEnvelope(jsonb, { signers: [pub] }).signatures[0]!.status).toBe('valid');
    });
  });

  describe('dare: round trips and tampering (property)', () => {
    it('random payloads sign, serialize (JSON, JSON-B) and decode back', () => {
      const rnd = prng(9);
      const signer = priv('ex.alice.sign');
      for (const n of [0, 1, 15, 16, 17, 1000, 70_000]) {
        const payload = rnd(n);
        const env = encodeEnvelope(payload, { signers: [signer] });
        for (const form of ['json', 'jsonb'] as const) {
          const d = decodeEnvelope(serializeEnvelope(env, form), { signers: [signer], requireSignature: true });
          expect(d.payload, `${n} bytes, ${form}`).toEqual(payload);
        }
      }
    });

    it('flipping any bit of the payload or of the signature in a signed JSON-B envelope is detected', () => {
      const signer = priv('ex.alice.sign');
      const payload = prng(10)(100);
      const bytes = serializeEnvelope(encodeEnvelope(payload, { signers: [signer] }), 'jsonb');
      const at = indexOf(bytes, payload);
      expect(at).toBeGreaterThan(0);
      for (let i = at; i < at + payload.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const bad = bytes.slice();
          bad[i]! ^= bit;
          let status = 'valid';
          try {
            status = decodeEnvelope(bad, { signers: [signer], requireSignature: true }).signatures.map((s) => s.status).join();
          } catch (e) {
            expect(e, `payload byte ${i - at}`).toBeInstanceOf(DareError);
            status = 'refused';
          }
          expect(status, `payload byte ${i - at} ^ ${bit}`).not.toBe('valid');
        }
      }
    });
  });
};

const stream: Suite = ({ describe, it, expect }) => {
  describe('dare: streaming envelopes (Web Streams, Blobs)', () => {
    const bob = darePrivateKey('X448', prng(21)(56));
    const alice = darePrivateKey('Ed448', prng(22)(56));
    const payload = prng(23)(10_000);

    it('a Blob streams into an envelope that both decoders read (JSON-B and JSON)', async () => {
      for (const format of ['jsonb', 'json'] as const) {
        const blob = new Blob([payload as Uint8Array<ArrayBuffer>]);
        const { bytes: env, error } = await drain(encodeEnvelopeStream(blob, { recipients: [publicPart(bob)], signers: [alice], chunkSize: 1024, format }));
        expect(error).toBe(undefined);
        expect(decodeEnvelope(env, { keys: [bob], signers: [publicPart(alice)] }).payload, format).toEqual(payload);
        const d = decodeEnvelopeStream(new Blob([env as Uint8Array<ArrayBuffer>]).stream(), { keys: [bob], signers: [publicPart(alice)], chunkSize: 1024 });
        const out = await drain(d.payload);
        expect(out.bytes, format).toEqual(payload);
        expect((await d.result).verdict).toBe('authentic');
      }
    });

    it('an envelope signed by someone else errors the payload stream before its last chunk; decodeEnvelopeTo aborts its destination', async () => {
      const byBob = await drain(encodeEnvelopeStream(payload, { signers: [darePrivateKey('Ed448', prng(24)(56))], chunkSize: 1024 }));
      const d = decodeEnvelopeStream(byBob.bytes, { signers: [publicPart(alice)], chunkSize: 1024 });
      const out = await drain(d.payload);
      expect(out.error).toBeInstanceOf(DareError);
      expect((out.error as DareError).code).toBe('DARE_UNKNOWN_SIGNER');
      expect(payload.length - out.bytes.length).toBeGreaterThan(0);
      let code = '';
      await d.result.catch((e: DareError) => (code = e.code));
      expect(code).toBe('DARE_UNKNOWN_SIGNER');
      let closed = false;
      let aborted = false;
      const sink = new WritableStream<Uint8Array>({ close: () => void (closed = true), abort: () => void (aborted = true) });
      await decodeEnvelopeTo(byBob.bytes, sink, { signers: [publicPart(alice)], chunkSize: 1024 }).catch(() => undefined);
      expect([closed, aborted]).toEqual([false, true]);
    });
  });
};

export { stream as dareStream };
export default dare;
