import { CryptoError } from '../errors.js';
import type { CryptoProvider } from '../types.js';
import { bytes, bytesOfLength, cbcCiphertext, keyWrapArgs, pkcs7PadLength, unwrapFailed } from '../validate.js';

/**
 * The AES methods of the WASM provider, over the `aes` family built from `core-wasm/aes/`
 * (vector-permute AES on WASM SIMD: no table lookup or branch depends on key or data, so it is
 * constant time where @noble's table-driven AES is not; see core-wasm/aes/vperm.ts).
 *
 * Calling protocol. The module owns fixed regions of its linear memory and never allocates, so
 * its memory stays at its initial size whatever the input length:
 * - the key (or KEK) goes to `keyPtr()`, the IV (or the key-wrap register A) to `keyPtr() + 32`;
 *   the module expands the key inside WASM and zeroes this region at once;
 * - data is streamed through the I/O region (`ioPtr()`, `ioSize()` = 64 KiB) in place, one WASM
 *   call per chunk, with the CBC chaining block or A kept in WASM between chunks;
 * - the last call (or `wipe`) zeroes the round keys and state, and `wipe(n)` also the first n
 *   bytes of the I/O region wherever plaintext was left there (decryption, unwrap).
 * JavaScript cannot promise to erase its own copies (the caller's key, GC-moved buffers); the
 * WASM memory it can and does.
 */
interface AesCore {
  readonly memory: WebAssembly.Memory;
  ioPtr(): number;
  ioSize(): number;
  keyPtr(): number;
  statePtr(): number;
  cbcEncrypt(length: number, flags: number): void;
  cbcDecrypt(length: number, flags: number): void;
  kwStart(kekLength: number, unwrap: number): void;
  kwWrap(count: number, t0: number): void;
  kwUnwrap(count: number, t0: number): void;
  kwCheck(): number;
  wipe(ioLength: number): void;
}

const CORE_FUNCTIONS = [
  'ioPtr', 'ioSize', 'keyPtr', 'statePtr', 'cbcEncrypt', 'cbcDecrypt',
  'kwStart', 'kwWrap', 'kwUnwrap', 'kwCheck', 'wipe',
] as const;

/** `cbcEncrypt`/`cbcDecrypt` flags (core-wasm/aes/cbc.ts). */
const CBC_START = 1;
const CBC_FINISH = 2;
/** RFC 3394 §2.2.3.1 default initial value. */
const KW_IV_BYTE = 0xa6;

function asCore(exports: WebAssembly.Exports): AesCore {
  const e = exports as Record<string, unknown>;
  const missing = CORE_FUNCTIONS.filter((f) => typeof e[f] !== 'function');
  if (!(e.memory instanceof WebAssembly.Memory) || missing.length > 0) {
    throw new CryptoError('CRYPTO_WASM_FAILED',
      `the WASM aes core lacks ${missing.length ? missing.join(', ') : 'its memory'}; was it built from core-wasm/aes?`);
  }
  return e as unknown as AesCore;
}

/**
 * Builds `aes256CbcEncrypt`, `aes256CbcDecrypt`, `aesKeyWrap` and `aesKeyUnwrap` over an
 * instantiated `aes` family. Argument checks and error codes are those of validate.ts, shared
 * with the pure and native providers.
 */
export function createWasmAes(
  exports: WebAssembly.Exports,
): Pick<CryptoProvider, 'aes256CbcEncrypt' | 'aes256CbcDecrypt' | 'aesKeyWrap' | 'aesKeyUnwrap'> {
  const core = asCore(exports);
  const io = core.ioPtr();
  const ioSize = core.ioSize();
  const keyIn = core.keyPtr();
  const state = core.statePtr();
  let heap = new Uint8Array(core.memory.buffer);
  // The core never grows its memory, but a grown memory would detach this view: re-create it then.
  const mem = (): Uint8Array => (heap.byteLength !== 0 ? heap : (heap = new Uint8Array(core.memory.buffer)));

  return {
    aes256CbcEncrypt(key, iv, plaintext) {
      bytesOfLength(key, 'key', 32);
      bytesOfLength(iv, 'iv', 16);
      const data = bytes(plaintext, 'plaintext');
      const n = data.length;
      const total = n - (n % 16) + 16; // PKCS#7 (RFC 5652 §6.3) always adds 1..16 bytes
      const m = mem();
      let finished = false; // the last call wipes the key state itself
      try {
        m.set(key, keyIn);
        m.set(iv, keyIn + 32);
        if (total <= ioSize) {
          // One chunk, one WASM call: expand the key, encrypt, wipe the key state.
          m.set(data, io);
          m.fill(total - n, io + n, io + total);
          core.cbcEncrypt(total, CBC_START | CBC_FINISH);
          finished = true;
          return m.slice(io, io + total); // in place, so only ciphertext is left in WASM memory
        }
        const out = new Uint8Array(total);
        for (let off = 0, flags = CBC_START; off < total; off += ioSize, flags = 0) {
          const len = Math.min(ioSize, total - off);
          const last = off + len === total;
          // Only the last chunk holds the tail of the plaintext and the padding.
          m.set(data.subarray(off, last ? n : off + len), io);
          if (last) m.fill(total - n, io + (n - off), io + len);
          core.cbcEncrypt(len, last ? flags | CBC_FINISH : flags);
          finished = last;
          out.set(m.subarray(io, io + len), off);
        }
        return out;
      } finally {
        if (!finished) core.wipe(ioSize);
      }
    },

    aes256CbcDecrypt(key, iv, ciphertext) {
      bytesOfLength(key, 'key', 32);
      bytesOfLength(iv, 'iv', 16);
      const data = cbcCiphertext(ciphertext);
      const total = data.length;
      const m = mem();
      let out: Uint8Array;
      try {
        m.set(key, keyIn);
        m.set(iv, keyIn + 32);
        if (total <= ioSize) {
          m.set(data, io);
          core.cbcDecrypt(total, CBC_START | CBC_FINISH);
          out = m.slice(io, io + total);
        } else {
          out = new Uint8Array(total);
          for (let off = 0, flags = CBC_START; off < total; off += ioSize, flags = 0) {
            const len = Math.min(ioSize, total - off);
            m.set(data.subarray(off, off + len), io);
            core.cbcDecrypt(len, off + len === total ? flags | CBC_FINISH : flags);
            out.set(m.subarray(io, io + len), off);
          }
        }
      } finally {
        core.wipe(Math.min(total, ioSize)); // plaintext left in the I/O region, and any key state
      }
      let pad: number;
      try {
        pad = pkcs7PadLength(out);
      } catch (err) {
        out.fill(0); // never hand out, or leave lying around, an unauthenticated wrong plaintext
        throw err;
      }
      return out.subarray(0, total - pad);
    },

    aesKeyWrap(kek, key) {
      const [k, d] = keyWrapArgs(kek, key, false);
      const n = d.length / 8;
      const out = new Uint8Array(8 + d.length);
      const m = mem();
      try {
        m.set(k, keyIn);
        m.fill(KW_IV_BYTE, keyIn + 32, keyIn + 40);
        core.kwStart(k.length, 0);
        if (d.length <= ioSize) {
          // The usual case (keys are short): R stays in WASM for all six passes.
          m.set(d, io);
          for (let j = 0; j < 6; j++) core.kwWrap(n, n * j + 1);
          out.set(m.subarray(io, io + d.length), 8);
        } else {
          // Longer than the I/O region: R lives in `out`; each pass streams it through.
          out.set(d, 8);
          const per = ioSize / 8;
          for (let j = 0; j < 6; j++) {
            for (let i = 0; i < n; i += per) {
              const count = Math.min(per, n - i);
              const at = 8 + 8 * i;
              m.set(out.subarray(at, at + 8 * count), io);
              core.kwWrap(count, n * j + i + 1);
              out.set(m.subarray(io, io + 8 * count), at);
            }
          }
        }
        out.set(m.subarray(state, state + 8), 0);
      } finally {
        core.wipe(Math.min(d.length, ioSize));
      }
      return out;
    },

    aesKeyUnwrap(kek, wrapped) {
      const [k, d] = keyWrapArgs(kek, wrapped, true);
      const n = d.length / 8 - 1;
      const out = new Uint8Array(8 * n);
      const m = mem();
      let ok = 0;
      try {
        m.set(k, keyIn);
        m.set(d.subarray(0, 8), keyIn + 32);
        core.kwStart(k.length, 1);
        if (8 * n <= ioSize) {
          m.set(d.subarray(8), io);
          for (let j = 5; j >= 0; j--) core.kwUnwrap(n, n * j + 1);
          ok = core.kwCheck();
          if (ok === 1) out.set(m.subarray(io, io + 8 * n));
        } else {
          out.set(d.subarray(8));
          const per = ioSize / 8;
          const lastChunk = Math.floor((n - 1) / per) * per;
          for (let j = 5; j >= 0; j--) {
            // RFC 3394 §2.2.2 runs i from n down to 1: chunks from the top, each descending in WASM.
            for (let i = lastChunk; i >= 0; i -= per) {
              const count = Math.min(per, n - i);
              const at = 8 * i;
              m.set(out.subarray(at, at + 8 * count), io);
              core.kwUnwrap(count, n * j + i + 1);
              out.set(m.subarray(io, io + 8 * count), at);
            }
          }
          ok = core.kwCheck();
        }
      } finally {
        core.wipe(Math.min(8 * n, ioSize));
      }
      if (ok !== 1) {
        out.fill(0);
        throw unwrapFailed();
      }
      return out;
    },
  };
}
