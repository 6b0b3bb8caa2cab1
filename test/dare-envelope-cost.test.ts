import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import {
  darePrivateKey, decodeEnvelope, encodeEnvelope, payloadDigest, publicPart, signDigest, verifyEnvelope, witness, type DareEnvelope,
  type DareSignature,
} from '../sdk/dare/index.js';
import { seeded } from './support/random.js';
import { tracingProvider } from './support/dare-tracing.js';

/**
 * Linear cost (envelope-verify.ts): verifying an envelope with many signatures hashes the payload
 * once per digest algorithm, not once per signature (8 MiB × 3,000 signatures used to hash the
 * payload 3,000 times). Counted with a tracing provider, not timed: any call to SHA-512 or SHA-256
 * over an input at least as long as the payload is a payload hash.
 */

const bob = darePrivateKey('X448', seeded(1)(56));
const signers = [2, 3].map((n) => darePrivateKey('Ed448', seeded(n)(56)));
const random = seeded(4);
const payload = seeded(5)(256 * 1024);

beforeAll(async () => {
  await init();
});

/** Payload hashes among the traced calls, per algorithm. */
function payloadHashes(calls: { name: string; length: number }[], size: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) if ((c.name === 'sha512' || c.name === 'sha256') && c.length >= size) out[c.name] = (out[c.name] ?? 0) + 1;
  return out;
}

describe('linear cost: one payload hash per digest algorithm', () => {
  it('encode: one SHA-512 of the ciphertext, whatever the number of signers', () => {
    const { provider, calls } = tracingProvider();
    const env = encodeEnvelope(payload, { recipients: [publicPart(bob)], signers, random, provider });
    expect(payloadHashes(calls, env.payload.length)).toEqual({ sha512: 1 });
  });

  it('verify and decode of 60 signature entries naming S512 and S256 by turns (and 200 by unknown keys): one hash each', () => {
    const baseSeed = random(32);
    const env = encodeEnvelope(payload, { recipients: [publicPart(bob)], keyExchange: { baseSeed }, signers, random });
    const salt = env.header.salt!;
    const s512 = env.trailer!.payloadDigest!;
    const s256 = payloadDigest(env.payload, 'S256');
    const extra: DareSignature[] = [];
    for (let i = 0; i < 60; i++) {
      const k = signers[i % 2]!;
      const dig = i % 2 === 0 ? 'S256' : 'S512';
      const signature = signDigest(k, dig === 'S256' ? s256 : s512);
      extra.push({ dig, alg: dig, kid: k.kid, signature, witness: witness(baseSeed, salt, signature) });
    }
    for (let i = 0; i < 200; i++) extra.push({ alg: 'S512', kid: `MUNK-NOWN-${i}`, signature: random(114), dig: i % 2 ? 'S256' : 'S512' });
    const many: DareEnvelope = { ...env, trailer: { ...env.trailer!, signatures: [...env.trailer!.signatures!, ...extra] } };
    const size = env.payload.length;

    const v = tracingProvider();
    const r = verifyEnvelope(many, { signers: signers.map(publicPart), provider: v.provider });
    expect(r.verdict).toBe('authentic');
    expect(r.signatures.filter((s) => s.status === 'valid').length).toBe(62);
    expect(payloadHashes(v.calls, size)).toEqual({ sha512: 1, sha256: 1 });

    const d = tracingProvider();
    const out = decodeEnvelope(many, { keys: [bob], signers: signers.map(publicPart), provider: d.provider });
    expect(out.payload).toEqual(payload);
    expect(out.verdict).toBe('authentic');
    expect(payloadHashes(d.calls, size)).toEqual({ sha512: 1, sha256: 1 });
  });
});
