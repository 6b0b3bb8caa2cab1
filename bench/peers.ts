import { ed448 as nobleEd448, x448 as nobleX448 } from '@noble/curves/ed448.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { sha3_512 as nobleSha3_512 } from '@noble/hashes/sha3.js';
import { createHMAC, createSHA3, createSHA512, type IHasher } from 'hash-wasm';
import type { BenchCase } from './harness.js';
import { filled, KiB, MiB, sizeLabel } from './fixtures.js';

/**
 * Peer libraries in the same groups as our providers (so the same alternating rounds):
 * - `hash-wasm`: hand-tuned WASM hashing. Its one-shot functions are async and return hex, so
 *   the fair comparison is its fastest synchronous path: a hasher created once (creation is
 *   async), then `init().update(data).digest('binary')` per message. Its HMAC takes the key at
 *   creation, so one HMAC object per key, re-initialised per message (the ipad block is hashed
 *   again at every `init`, as our per-call HMAC does).
 * - `noble`: @noble/hashes and @noble/curves called directly, as an application would — the
 *   library our `pure` provider wraps, so `pure` vs `noble` is the cost of our argument checks.
 * The groups and inputs are those of crypto-cases.ts and curve448.ts (same `filled` bytes).
 */
export const PEERS = ['hash-wasm', 'noble'] as const;
export type Peer = (typeof PEERS)[number];

let hashWasm: { sha512: IHasher; sha3_512: IHasher; hmac512: IHasher } | undefined;
const HMAC_KEY = filled(64);

/** Creates hash-wasm's hashers (asynchronous); call once before `peerBenchCases`. */
export async function preparePeers(): Promise<void> {
  hashWasm ??= {
    sha512: await createSHA512(),
    sha3_512: await createSHA3(512),
    hmac512: await createHMAC(createSHA512(), HMAC_KEY),
  };
}

/** The peer cases of the hashing and MAC groups (crypto-cases.ts names them the same way). */
export function peerHashCases(quick: boolean): BenchCase[] {
  if (!hashWasm) throw new Error('call preparePeers() first');
  const hw = hashWasm;
  const cases: BenchCase[] = [];
  const add = (group: string, provider: Peer, bytes: number | undefined, fn: () => void) =>
    cases.push({ group, provider, fn, ...(bytes ? { bytes } : {}) });
  for (const n of quick ? [64, MiB] : [64, KiB, MiB]) {
    const data = filled(n);
    add(`SHA-512 ${sizeLabel(n)}`, 'hash-wasm', n, () => void hw.sha512.init().update(data).digest('binary'));
    add(`SHA-512 ${sizeLabel(n)}`, 'noble', n, () => void nobleSha512(data));
    add(`SHA3-512 ${sizeLabel(n)}`, 'hash-wasm', n, () => void hw.sha3_512.init().update(data).digest('binary'));
    add(`SHA3-512 ${sizeLabel(n)}`, 'noble', n, () => void nobleSha3_512(data));
  }
  const macSizes = quick ? [64] : [64, KiB];
  for (const n of macSizes) {
    const msg = filled(n);
    add(`HMAC-SHA-512 ${sizeLabel(n)}`, 'hash-wasm', n, () => void hw.hmac512.init().update(msg).digest('binary'));
    add(`HMAC-SHA-512 ${sizeLabel(n)}`, 'noble', n, () => void nobleHmac(nobleSha512, HMAC_KEY, msg));
  }
  return cases;
}

/** The @noble/curves cases of the Ed448 / X448 groups (inputs as in curve448.ts). */
export function peerCurveCases(inputs: { secret: Uint8Array; msg: Uint8Array; sig: Uint8Array; pk: Uint8Array; xs: Uint8Array; xpeer: Uint8Array }): BenchCase[] {
  const { secret, msg, sig, pk, xs, xpeer } = inputs;
  return [
    { group: 'Ed448 sign 64 B', provider: 'noble', fn: () => void nobleEd448.sign(msg, secret) },
    { group: 'Ed448 verify 64 B', provider: 'noble', fn: () => void nobleEd448.verify(sig, msg, pk) },
    { group: 'X448 shared secret', provider: 'noble', fn: () => void nobleX448.getSharedSecret(xs, xpeer) },
  ];
}

/** Which peers a group is compared with in the report's peer table. */
export function peersOf(group: string): Peer[] {
  if (/^(SHA-512|SHA3-512|HMAC-SHA-512) /.test(group)) return ['hash-wasm', 'noble'];
  if (/^(Ed448 sign|Ed448 verify|X448 shared secret)/.test(group)) return ['noble'];
  return [];
}
