import { CryptoError } from './errors.js';

/**
 * Argument checks shared by every provider, so that all three refuse bad input with the same
 * `CryptoError` code instead of each library's own exception (or, worse, a wrong answer from
 * a coerced argument).
 */
export function bytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `${name} must be a Uint8Array, got ${describe(value)}`);
  }
  return value;
}

export function bytesOfLength(value: unknown, name: string, length: number): Uint8Array {
  const b = bytes(value, name);
  if (b.length !== length) {
    throw new CryptoError('CRYPTO_INVALID_LENGTH', `${name} must be ${length} bytes, got ${b.length}`);
  }
  return b;
}

export function byteArrayList(value: unknown, name: string): Uint8Array[] {
  if (!Array.isArray(value)) {
    throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `${name} must be an array of Uint8Array, got ${describe(value)}`);
  }
  for (let i = 0; i < value.length; i++) bytes(value[i], `${name}[${i}]`);
  return value as Uint8Array[];
}

export function outputLength(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new CryptoError('CRYPTO_INVALID_LENGTH', `${name} must be an integer in 0..${max}, got ${String(value)}`);
  }
  return value;
}

export function cbcCiphertext(value: unknown): Uint8Array {
  const c = bytes(value, 'ciphertext');
  if (c.length === 0 || c.length % 16 !== 0) {
    throw new CryptoError('CRYPTO_INVALID_CIPHERTEXT',
      `AES-CBC ciphertext must be a positive multiple of 16 bytes, got ${c.length}`);
  }
  return c;
}

/** PKCS#7 pad to a multiple of 16 (RFC 5652 §6.3): always adds 1..16 bytes. */
export function pkcs7Pad(plaintext: Uint8Array): Uint8Array {
  const pad = 16 - (plaintext.length % 16);
  const out = new Uint8Array(plaintext.length + pad);
  out.set(plaintext);
  out.fill(pad, plaintext.length);
  return out;
}

/**
 * Length of the PKCS#7 padding of a decrypted buffer, checked without branching on the padding
 * bytes (all 16 candidates are examined) so that timing does not say which byte was wrong.
 */
export function pkcs7PadLength(padded: Uint8Array): number {
  const n = padded.length;
  const pad = padded[n - 1]!;
  let bad = ((pad - 1) >>> 8) | ((16 - pad) >>> 31); // pad == 0 or pad > 16
  for (let i = 1; i <= 16; i++) {
    const inPad = ((i - pad - 1) >>> 31) & 1; // 1 when i <= pad
    bad |= inPad * (padded[n - i]! ^ pad);
  }
  if (bad !== 0) throw new CryptoError('CRYPTO_BAD_PADDING', 'AES-CBC padding is invalid (wrong key or corrupted ciphertext)');
  return pad;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an Array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
  return typeof value;
}

/** RFC 3394 argument checks: KEK 16/24/32 bytes; key data a multiple of 8 bytes, at least 16. */
export function keyWrapArgs(kek: unknown, data: unknown, unwrap: boolean): [Uint8Array, Uint8Array] {
  const k = bytes(kek, 'kek');
  if (k.length !== 16 && k.length !== 24 && k.length !== 32) {
    throw new CryptoError('CRYPTO_INVALID_LENGTH', `AES key wrap KEK must be 16, 24 or 32 bytes, got ${k.length}`);
  }
  const d = bytes(data, unwrap ? 'wrapped' : 'key');
  const min = unwrap ? 24 : 16;
  if (d.length < min || d.length % 8 !== 0) {
    throw new CryptoError(unwrap ? 'CRYPTO_INVALID_CIPHERTEXT' : 'CRYPTO_INVALID_LENGTH',
      `AES key ${unwrap ? 'unwrap input' : 'wrap input'} must be a multiple of 8 bytes and at least ${min}, got ${d.length}`);
  }
  return [k, d];
}

/** The one error every provider reports when an RFC 3394 integrity check fails. */
export function unwrapFailed(): CryptoError {
  return new CryptoError('CRYPTO_INTEGRITY', 'AES key unwrap integrity check failed (wrong KEK or corrupted data)');
}

/** Checks the `infos` / `lengths` pair of `hkdfSha256Multi`: one length (0..max) per info. */
export function checkMultiLengths(infos: readonly Uint8Array[], lengths: readonly number[], max: number): void {
  byteArrayList(infos, 'infos');
  if (!Array.isArray(lengths) || lengths.length !== infos.length) {
    throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'lengths must be an array with one length per info');
  }
  for (const n of lengths) outputLength(n, 'length', max);
}
