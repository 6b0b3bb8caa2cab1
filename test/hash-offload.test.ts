import { createHash } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { nodeHashOffload } from '../adapters/node/hash-worker.js';
import {
  CryptoError, hashOffloadOverPort, serveHashRequests, sha256, sha512, type HashWorkerReply, type HashWorkerRequest, type HashWorkerScope,
} from '../sdk/crypto/index.js';
import { seeded } from './support/random.js';

/**
 * Hashing on a worker (sdk/crypto/hash-offload.ts): the digest is the digest of the bytes, whatever
 * the piece sizes, buffers in flight and interleaving of hashes; memory is bounded (backpressure);
 * a failed or closed worker is a typed error, never a hang.
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The SDK's own worker body over an in-process MessageChannel (the protocol without a thread). */
function channelOffload(options: { bufferSize: number; maxInFlight: number }) {
  let served = 0;
  const offload = hashOffloadOverPort(() => {
    const { port1, port2 } = new MessageChannel();
    const scope: HashWorkerScope = {
      postMessage: (m: HashWorkerReply, t?: ArrayBuffer[]) => port2.postMessage(m, t ?? []),
      onmessage: null,
    };
    port2.on('message', (data: HashWorkerRequest) => {
      served++;
      scope.onmessage?.({ data });
    });
    serveHashRequests(scope, (alg) => (alg === 'sha256' ? sha256 : sha512).create());
    return {
      postMessage: (m, t) => port1.postMessage(m, t),
      listen(onReply) {
        port1.on('message', onReply);
      },
      terminate: () => {
        port1.close();
        port2.close();
      },
    };
  }, options);
  return { offload, served: () => served };
}

describe.each([
  ['node worker thread', () => ({ offload: nodeHashOffload({ bufferSize: 1000, maxInFlight: 2 }), served: () => 1 })],
  ['SDK worker body over a MessageChannel', () => channelOffload({ bufferSize: 1000, maxInFlight: 2 })],
])('%s', (_name, make) => {
  it('digests equal node:crypto for any sizes and splits, two hashes interleaved, with backpressure', async () => {
    const { offload, served } = make();
    try {
      for (const n of [0, 1, 999, 1000, 1001, 54_321]) {
        const data = seeded(n + 1)(n);
        const a = offload.create('sha512');
        const b = offload.create('sha256');
        let waits = 0;
        for (let at = 0; at < n; at += 777) {
          for (const h of [a, b]) {
            const w = h.update(data.subarray(at, at + 777));
            if (w) {
              waits++;
              await w;
            }
          }
        }
        expect(hex(await a.digest())).toBe(createHash('sha512').update(data).digest('hex'));
        expect(hex(await b.digest())).toBe(createHash('sha256').update(data).digest('hex'));
        if (n > 10_000) expect(waits).toBeGreaterThan(0); // at most 2 buffers of 1000 bytes out at once
      }
      expect(served()).toBeGreaterThan(0);
    } finally {
      offload.close();
    }
  });

  it('updates many buffers long, two in flight: every wait is woken (no lost wake-up)', async () => {
    const { offload } = make();
    try {
      const data = seeded(99)(200_000);
      const h = offload.create('sha512');
      for (let at = 0; at < data.length; at += 20_000) {
        const w = h.update(data.subarray(at, at + 20_000)); // 20 buffers of 1000 bytes, 2 may be out
        if (w) await w;
      }
      expect(hex(await h.digest())).toBe(createHash('sha512').update(data).digest('hex'));
    } finally {
      offload.close();
    }
  });

  it('update after digest, digest after abort, a closed worker: typed errors', async () => {
    const { offload } = make();
    const h = offload.create('sha512');
    h.update(new Uint8Array(10));
    await h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(CryptoError);
    const g = offload.create('sha512');
    g.abort();
    await expect(g.digest()).rejects.toMatchObject({ code: 'CRYPTO_STATE' });
    const k = offload.create('sha512');
    offload.close();
    await expect(k.digest()).rejects.toBeInstanceOf(CryptoError);
    // A new hash after close starts a new worker.
    const again = offload.create('sha512');
    again.update(Uint8Array.of(1, 2, 3));
    expect(hex(await again.digest())).toBe(createHash('sha512').update(Uint8Array.of(1, 2, 3)).digest('hex'));
    offload.close();
  });
});

it('a worker that dies fails the open hashes with CRYPTO_WORKER instead of hanging', async () => {
  let kill: (() => void) | undefined;
  const offload = hashOffloadOverPort(() => ({
    postMessage: () => undefined, // swallows everything, then dies
    listen(_onReply, onFailure) {
      kill = () => onFailure(new Error('killed'));
    },
    terminate: () => undefined,
  }));
  const h = offload.create('sha512');
  const d = h.digest();
  kill!();
  await expect(d).rejects.toMatchObject({ code: 'CRYPTO_WORKER' });
});
