import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { vectorsDir } from './support/paths.js';

/**
 * Test-side helpers for keys.json: seed-UDF parsing (udf.md §2), the reference HKDF key
 * derivation (udf.md §8.1) and the key fingerprint (udf.md §3, §6.4). Written here with
 * @noble/hashes so the curve tests do not depend on sdk/udf (built in parallel).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Vector = Record<string, any>;

export function keysVectors(kind?: string): Vector[] {
  const all = JSON.parse(readFileSync(resolve(vectorsDir, 'keys.json'), 'utf8')) as Vector[];
  return kind ? all.filter((v) => v.kind === kind) : all;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
export const leHexToDec = (h: string): string => {
  let n = 0n;
  const b = fromHex(h);
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n.toString();
};
export const decToLe = (d: string | bigint, len: number): Uint8Array => {
  let n = BigInt(d);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) { out[i] = Number(n & 0xffn); n >>= 8n; }
  if (n !== 0n) throw new Error('does not fit');
  return out;
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** udf.md §2 parsing: 5 bits per alphabet character, MSB first, trailing partial byte dropped. */
export function base32Decode(s: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  for (const ch of s.toUpperCase()) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) continue;
    acc = ((acc << 5) | v) & 0xffff;
    n += 5;
    if (n >= 8) { out.push((acc >> (n - 8)) & 0xff); n -= 8; }
  }
  return new Uint8Array(out);
}

export function base32Encode(b: Uint8Array, chars: number): string {
  let s = '';
  let acc = 0;
  let n = 0;
  let i = 0;
  while (s.length < chars) {
    if (n < 5) { acc = ((acc << 8) | (i < b.length ? b[i]! : 0)) & 0xffff; i++; n += 8; }
    s += ALPHABET[(acc >> (n - 5)) & 31];
    n -= 5;
  }
  return s.match(/.{1,4}/g)!.join('-');
}

/** The IKM of a seed UDF = its BDS (key specifier ‖ seed), i.e. the value after the 0xC8 type byte. */
export function seedIkm(seedUdf: string): Uint8Array {
  const b = base32Decode(seedUdf);
  if (b[0] !== 0xc8) throw new Error(`not a seed UDF: type ${b[0]}`);
  return b.subarray(1);
}

/** udf.md §8.1: OKM = HKDF-SHA512(IKM = BDS, salt none, info = keySpecifier ‖ keyName, L). */
export function deriveReference(seedUdf: string, keyName: string, bits: number): Uint8Array {
  const ikm = seedIkm(seedUdf);
  const info = new Uint8Array([...ikm.subarray(0, 2), ...new TextEncoder().encode(keyName)]);
  return hkdf(sha512, ikm, undefined, info, bits / 8);
}

/** udf.md §6.4: reference SubjectPublicKeyInfo DER of a public key. */
export function referenceSpki(alg: 'Ed25519' | 'Ed448' | 'X25519' | 'X448', pk: Uint8Array): Uint8Array {
  const oid = { Ed25519: 0x70, Ed448: 0x71, X25519: 0x6e, X448: 0x6f }[alg];
  const inner = [0x04, pk.length, ...pk];
  const bitString = [0x03, inner.length + 1, 0x00, ...inner];
  const algId = [0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, oid, 0x05, 0x00];
  const body = [...algId, ...bitString];
  return new Uint8Array([0x30, body.length, ...body]);
}

/** udf.md §3: SHA-2-512 content digest UDF with content type `PKIXKey`, 140 bits. */
export function keyUdf(alg: 'Ed25519' | 'Ed448' | 'X25519' | 'X448', pk: Uint8Array): string {
  const cdv = sha512(referenceSpki(alg, pk));
  const tcdv = sha512(new Uint8Array([...new TextEncoder().encode('PKIXKey'), 0x3a, ...cdv]));
  let zeros = 0;
  for (let i = 63; i >= 0; i--) {
    const b = tcdv[i]!;
    if (b === 0) { zeros += 8; continue; }
    zeros += 31 - Math.clz32(b & -b);
    break;
  }
  const level = zeros >= 50 ? 4 : zeros >= 40 ? 3 : zeros >= 30 ? 2 : zeros >= 20 ? 1 : 0;
  return base32Encode(new Uint8Array([96 + level, ...tcdv]), 28);
}
