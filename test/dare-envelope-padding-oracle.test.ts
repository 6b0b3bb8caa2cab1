import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../sdk/crypto/index.js';
import {
  DareError, computePayloadMac, darePrivateKey, decodeEnvelope, deriveItemKeys, derivePayloadMacKey, encodeEnvelope, headerDigest,
  payloadDigest, publicPart, routedCrypto, serializeEnvelope, type DareEnvelope, type DecodeOptions,
} from '../sdk/dare/index.js';
import { seeded } from './support/random.js';
import { tracingProvider } from './support/dare-tracing.js';

/**
 * Integrity before decryption (payload-mac.ts, envelope-decode.ts): the CBC padding-oracle attack
 * against DARE envelopes. The attacker holds an encrypted envelope, changes ciphertext bytes
 * (recomputing the unkeyed PayloadDigest, as anyone can), strips the MAC or the whole trailer,
 * downgrades the cipher id, and queries the decoder, watching for a padding error. They must see
 * one error code and one message whatever they do, and nothing may be decrypted: a tracing
 * provider records every `aes256CbcDecrypt` call.
 */

const bob = darePrivateKey('X448', seeded(1)(56));
const alice = darePrivateKey('Ed448', seeded(2)(56));
const random = seeded(3);
const secret = new TextEncoder().encode('attack at dawn, bring the 4 keys');

beforeAll(async () => {
  await init();
});

interface Outcome { code: string; message: string; cause: unknown; decrypts: number }

/** Decodes under a tracing provider: the error seen (or 'decoded') and how many decryptions ran. */
function query(env: DareEnvelope | Uint8Array, options: DecodeOptions = { keys: [bob] }): Outcome {
  const { provider, calls } = tracingProvider();
  let out: Omit<Outcome, 'decrypts'>;
  try {
    decodeEnvelope(env, { ...options, provider });
    out = { code: 'decoded', message: '', cause: undefined };
  } catch (e) {
    if (!(e instanceof DareError)) throw e;
    out = { code: e.code, message: e.message, cause: e.cause };
  }
  return { ...out, decrypts: calls.filter((c) => c.name === 'aes256CbcDecrypt').length };
}

/** The attacker's move: change the ciphertext and recompute the (unkeyed) PayloadDigest. */
function withCiphertext(env: DareEnvelope, ct: Uint8Array): DareEnvelope {
  return { ...env, payload: ct, trailer: { ...env.trailer!, payloadDigest: payloadDigest(ct) } };
}

describe('CBC padding oracle', () => {
  const env = encodeEnvelope(secret, { recipients: [publicPart(bob)], annotations: ['Subject: dawn'], random });
  const n = env.payload.length;

  it('the untouched envelope decodes (one decryption for the payload, one per annotation)', () => {
    expect(query(env)).toMatchObject({ code: 'decoded', decrypts: 2 });
  });

  it('every guess at every byte of the block before the last: one code, one message, nothing decrypted', () => {
    const seen = new Set<string>();
    let decrypts = 0;
    for (let j = n - 32; j < n - 16; j++) {
      for (let g = 1; g < 256; g++) {
        const ct = env.payload.slice();
        ct[j]! ^= g;
        const o = query(withCiphertext(env, ct));
        seen.add(`${o.code}|${o.message}|${String(o.cause)}`);
        decrypts += o.decrypts;
      }
    }
    expect([...seen]).toEqual(['DARE_DECRYPT_FAILED|the envelope does not decrypt or is not authentic (wrong key, damaged or forged)|undefined']);
    expect(decrypts).toBe(0);
  });

  it('MAC stripped, or the whole trailer, or the cipher id downgraded to A256CBC: refused before any decryption', () => {
    const { payloadMac: _m, ...noMac } = env.trailer!;
    const stripped = { ...env, trailer: noMac };
    const downgraded = { ...stripped, header: { ...env.header, enc: 'A256CBC' } };
    const noTrailer: DareEnvelope = { header: env.header, payload: env.payload };
    for (const e of [stripped, downgraded, noTrailer]) expect(query(e)).toMatchObject({ code: 'DARE_UNAUTHENTICATED', decrypts: 0 });
    // Downgraded with the MAC kept: the MAC covers `enc` (header digest).
    expect(query({ ...env, header: { ...env.header, enc: 'A256CBC' } })).toMatchObject({ code: 'DARE_DECRYPT_FAILED', decrypts: 0 });
    // The classic attack on the stripped envelope gets the same refusal for every guess.
    const codes = new Set<string>();
    for (let g = 1; g < 256; g++) {
      const ct = env.payload.slice();
      ct[n - 17]! ^= g;
      const o = query(withCiphertext(stripped, ct));
      codes.add(`${o.code}/${o.decrypts}`);
    }
    expect([...codes]).toEqual(['DARE_UNAUTHENTICATED/0']);
  });

  it('one code and one trace of crypto calls for a bad MAC, a bad witness and a wrong base seed', () => {
    const signed = encodeEnvelope(secret, { recipients: [publicPart(bob)], signers: [alice], random });
    const s = signed.trailer!.signatures![0]!;
    const badMac = { ...signed, trailer: { ...signed.trailer!, payloadMac: random(64) } };
    const badWitness = { ...signed, trailer: { ...signed.trailer!, signatures: [{ ...s, witness: random(32) }] } };
    const trace = (e: DareEnvelope, options: DecodeOptions) => {
      const { provider, calls } = tracingProvider();
      let code = 'decoded';
      try {
        decodeEnvelope(e, { ...options, provider });
      } catch (err) {
        code = (err as DareError).code;
      }
      return { code, calls: calls.map((c) => `${c.name}:${c.length}`) };
    };
    const a = trace(badMac, { keys: [bob] });
    const b = trace(badWitness, { keys: [bob] });
    const c = trace(signed, { keyExchange: { baseSeed: random(32) } });
    expect(a.code).toBe('DARE_DECRYPT_FAILED');
    expect(b).toEqual(a);
    // A wrong base seed given directly skips the recipient unwrap; from the MAC on, the same calls.
    expect(c.code).toBe('DARE_DECRYPT_FAILED');
    const fromItemKeys = (calls: string[]) => calls.slice(calls.findIndex((x) => x.startsWith('hkdfSha256Multi')));
    expect(fromItemKeys(c.calls)).toEqual(fromItemKeys(a.calls));
    expect(fromItemKeys(a.calls).length).toBeGreaterThan(2);
    expect([...a.calls, ...b.calls, ...c.calls].some((x) => x.startsWith('aes256CbcDecrypt'))).toBe(false);
  });

  it('bad padding behind a valid MAC (only the holder of the base seed can make one) is the same error', () => {
    const baseSeed = random(32);
    const made = encodeEnvelope(secret, { keyExchange: { baseSeed }, random });
    const keys = deriveItemKeys(baseSeed, made.header.salt!);
    // A last block that decrypts to a padding byte of 0 (invalid): encrypt a block ending in 0, drop the padding block.
    const block = routedCrypto.aes256CbcEncrypt(keys.key, keys.iv, new Uint8Array(16)).subarray(0, 16);
    const pd = payloadDigest(block);
    const payloadMac = computePayloadMac(derivePayloadMacKey(baseSeed, made.header.salt!), {
      dig: 'S512', payloadDigest: pd, headerDigest: headerDigest(made.header, 'S512'),
    });
    const forged: DareEnvelope = { ...made, payload: block, trailer: { payloadDigest: pd, payloadMac } };
    const o = query(forged, { keyExchange: { baseSeed } });
    expect(o).toMatchObject({ code: 'DARE_DECRYPT_FAILED', message: 'the envelope does not decrypt or is not authentic (wrong key, damaged or forged)', decrypts: 1 });
    expect(o.cause).toBeUndefined();
  });

  it('reference form under the explicit opt-in: failures still carry no padding detail (one code, one message, no cause)', () => {
    const ref = encodeEnvelope(secret, { recipients: [publicPart(bob)], random, referenceForm: true, digest: false });
    const errors = new Set<string>();
    for (let g = 1; g < 256; g++) {
      const ct = ref.payload.slice();
      ct[ct.length - 17]! ^= g;
      const o = query({ ...ref, payload: ct }, { keys: [bob], allowUnauthenticated: true });
      if (o.code !== 'decoded') errors.add(`${o.code}|${o.message}|${String(o.cause)}`);
    }
    expect([...errors]).toEqual(['DARE_DECRYPT_FAILED|the envelope does not decrypt or is not authentic (wrong key, damaged or forged)|undefined']);
    expect(serializeEnvelope(ref).length).toBeGreaterThan(0);
  });
});
