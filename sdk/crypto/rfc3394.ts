/**
 * RFC 3394 §2.2.1–2.2.2 AES key wrap over any AES block function, for runtimes whose
 * node:crypto lacks the `id-aesN-wrap` ciphers (Deno, Bun) but has raw AES-ECB. The integrity
 * check compares all eight bytes of A without an early exit.
 */
export type BlockFunction = (block: Uint8Array) => Uint8Array;

const IV = 0xa6;

export function rfc3394Wrap(encrypt: BlockFunction, key: Uint8Array): Uint8Array {
  const n = key.length / 8;
  const out = new Uint8Array(8 + key.length);
  out.fill(IV, 0, 8);
  out.set(key, 8);
  const block = new Uint8Array(16);
  for (let j = 0; j < 6; j++) {
    for (let i = 1; i <= n; i++) {
      block.set(out.subarray(0, 8), 0);
      block.set(out.subarray(8 * i, 8 * i + 8), 8);
      const b = encrypt(block);
      out.set(b.subarray(0, 8), 0);
      xorCounter(out, n * j + i);
      out.set(b.subarray(8, 16), 8 * i);
    }
  }
  return out;
}

/** Returns the unwrapped key, or undefined when the integrity check fails. */
export function rfc3394Unwrap(decrypt: BlockFunction, wrapped: Uint8Array): Uint8Array | undefined {
  const n = wrapped.length / 8 - 1;
  const a = wrapped.slice(0, 8);
  const r = wrapped.slice(8);
  const block = new Uint8Array(16);
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      xorCounter(a, n * j + i);
      block.set(a, 0);
      block.set(r.subarray(8 * (i - 1), 8 * i), 8);
      const b = decrypt(block);
      a.set(b.subarray(0, 8));
      r.set(b.subarray(8, 16), 8 * (i - 1));
    }
  }
  let diff = 0;
  for (let k = 0; k < 8; k++) diff |= a[k]! ^ IV;
  if (diff !== 0) {
    r.fill(0);
    return undefined;
  }
  return r;
}

/** A ^= t, with t as a 64-bit big-endian counter. */
function xorCounter(a: Uint8Array, t: number): void {
  for (let k = 7; k >= 0 && t > 0; k--) {
    a[k]! ^= t & 0xff;
    t = Math.floor(t / 256);
  }
}
