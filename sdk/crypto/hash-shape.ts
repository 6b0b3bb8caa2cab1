import { CryptoError } from './errors.js';
import { bytes, outputLength } from './validate.js';
import type { HashFunction, HashStream, XofFunction } from './types.js';

/** Largest SHAKE256 output we hand out in one call (bounded so a typo cannot exhaust memory). */
export const MAX_XOF_OUTPUT = 1 << 30;

/** The minimal streaming shape each backend implements; `hashShape` adds checks and `out`. */
export interface RawStream {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

class CheckedStream implements HashStream {
  private done = false;
  constructor(private readonly raw: RawStream, private readonly name: string) {}
  update(data: Uint8Array): this {
    if (this.done) throw new CryptoError('CRYPTO_STATE', `${this.name}: update() after digest()`);
    this.raw.update(bytes(data, 'data'));
    return this;
  }
  digest(out?: Uint8Array): Uint8Array {
    if (this.done) throw new CryptoError('CRYPTO_STATE', `${this.name}: digest() called twice`);
    this.done = true;
    const d = this.raw.digest();
    if (out === undefined) return d;
    bytes(out, 'out');
    if (out.length < d.length) {
      throw new CryptoError('CRYPTO_INVALID_LENGTH', `${this.name}: out must hold ${d.length} bytes, has ${out.length}`);
    }
    out.set(d);
    return out;
  }
}

/** Wraps a backend's one-shot and streaming hash into the checked public `HashFunction`. */
export function hashShape(
  name: string,
  outputLen: number,
  blockLen: number,
  oneShot: (data: Uint8Array) => Uint8Array,
  create: () => RawStream,
): HashFunction {
  const fn = (data: Uint8Array): Uint8Array => oneShot(bytes(data, 'data'));
  return Object.assign(fn, {
    create: (): HashStream => new CheckedStream(create(), name),
    outputLength: outputLen,
    blockLength: blockLen,
  });
}

/** As `hashShape`, for an extendable-output function. */
export function xofShape(
  name: string,
  blockLen: number,
  oneShot: (data: Uint8Array, length: number) => Uint8Array,
  create: (length: number) => RawStream,
): XofFunction {
  const fn = (data: Uint8Array, length: number): Uint8Array =>
    oneShot(bytes(data, 'data'), outputLength(length, 'outputLength', MAX_XOF_OUTPUT));
  return Object.assign(fn, {
    create: (length: number): HashStream =>
      new CheckedStream(create(outputLength(length, 'outputLength', MAX_XOF_OUTPUT)), name),
    blockLength: blockLen,
  });
}

/** HKDF output bound of RFC 5869 §2.3 for a 64-byte hash. */
export const HKDF_SHA512_MAX = 255 * 64;

/** HKDF output bound of RFC 5869 §2.3 for a 32-byte hash (SHA-256). */
export const HKDF_SHA256_MAX = 255 * 32;
