import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import {
  DareError, darePrivateKey, decodeEnvelope, encodeEnvelope, publicPart, serializeEnvelope, type DareEnvelopeFormat,
} from '../sdk/dare/index.js';
import { bytesEqual, utf8Encode } from '../sdk/encoding/index.js';

/**
 * Tampering property (issue 5): flip every byte of small signed, encrypted and signed+encrypted
 * envelopes; each flip must be detected with a typed DareError, or be provably harmless — the
 * decoder returns exactly the original payload, annotations and signature verdicts.
 */

const seq = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff);
let counter = 1;
const random = (n: number) => Uint8Array.from({ length: n }, () => (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24);

const recipient = darePrivateKey('X448', seq(56, 3));
const signer = darePrivateKey('Ed448', seq(56, 9));
const payload = utf8Encode('Tamper-evident payload');

beforeAll(async () => {
  await init();
});

interface Outcome { detected: Map<string, number>; harmless: number; undetected: number[] }

function flipAll(bytes: Uint8Array, decode: (b: Uint8Array) => ReturnType<typeof decodeEnvelope>, mask: number): Outcome {
  const reference = decode(bytes);
  const out: Outcome = { detected: new Map(), harmless: 0, undetected: [] };
  for (let i = 0; i < bytes.length; i++) {
    const t = bytes.slice();
    t[i]! ^= mask;
    let d;
    try {
      d = decode(t);
    } catch (e) {
      if (!(e instanceof DareError)) throw new Error(`flip at ${i}: untyped ${String(e)}`);
      out.detected.set(e.code, (out.detected.get(e.code) ?? 0) + 1);
      continue;
    }
    const same = bytesEqual(d.payload, reference.payload)
      && d.annotations.length === reference.annotations.length
      && d.annotations.every((a, k) => bytesEqual(a, reference.annotations[k]!))
      && JSON.stringify(d.signatures.map((s) => [s.kid, s.status])) === JSON.stringify(reference.signatures.map((s) => [s.kid, s.status]));
    if (same) out.harmless++;
    else out.undetected.push(i);
  }
  return out;
}

const cases: [string, DareEnvelopeFormat, boolean, boolean][] = [
  ['signed (JSON)', 'json', true, false],
  ['encrypted (JSON)', 'json', false, true],
  ['signed+encrypted (JSON)', 'json', true, true],
  ['signed+encrypted (JSON-B)', 'jsonb', true, true],
];

describe('tampering: every byte flipped', () => {
  it.each(cases)('%s', (_name, format, signed, encrypted) => {
    const env = encodeEnvelope(payload, {
      random,
      ...(signed ? { signers: [signer] } : {}),
      ...(encrypted ? { recipients: [publicPart(recipient)] } : {}),
    });
    const bytes = serializeEnvelope(env, format);
    const decode = (b: Uint8Array) => decodeEnvelope(b, {
      keys: [recipient], signers: [publicPart(signer)], requireSignature: signed,
    });
    for (const mask of [0x01, 0x80]) {
      const r = flipAll(bytes, decode, mask);
      expect(r.undetected, `mask ${mask}: undetected flips at ${r.undetected.join(',')}`).toEqual([]);
      expect(r.detected.size).toBeGreaterThan(0);
    }
  });
});
