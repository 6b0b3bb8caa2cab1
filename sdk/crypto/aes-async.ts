/**
 * AES-256-CBC with PKCS#7 (SP 800-38A §6.2, RFC 5652 §6.3) behind a Promise: the shape a
 * streaming encoder awaits chunk by chunk (DARE payloads, dare.md §4). WebCrypto
 * (`crypto.subtle`) serves it where it beats the WASM core on bulk data — browsers, whose
 * AES-CBC runs on AES-NI / ARMv8 AES off the page's thread — and any synchronous provider
 * serves it elsewhere, behind the same interface. `asyncAes()` picks one per call size with
 * `asyncAesRoute` (selection.ts), from figures measured in Chromium (bench/browser-aes.ts).
 *
 * Streams. WebCrypto's AES-CBC always pads and has no chained calls, so a stream of chunks is
 * built from one-shot calls, which works for every backend alike:
 * - encryption: a chunk of whole blocks is encrypted with the previous ciphertext block as IV,
 *   and the padding block the one-shot call appends is dropped;
 * - decryption: a chunk C_1..C_n is decrypted with one extra block X = E_K(C_n ⊕ 10^16) after
 *   it, so that the one-shot call finds a full padding block (D_K(X) ⊕ C_n = 10^16) and strips
 *   exactly that; X is the first block of an encryption of 10^16 under IV C_n.
 * Only `finish` checks the real padding. CBC is unauthenticated: DARE checks the payload digest
 * and signature (or MAC) before trusting plaintext, and so must any other caller.
 */
import { CryptoError } from './errors.js';
import { nativeCbcChainsOf, type CbcChain } from './native/cbc-chain.js';
import { nativeSymmetric } from './native/symmetric.js';
import { asyncAesRoute, type AsyncAesName } from './selection.js';
import { route, routing, symmetricProvider } from './state.js';
import type { SymmetricProvider } from './types.js';
import { bytes, bytesOfLength, cbcCiphertext } from './validate.js';

export type { AsyncAesName } from './selection.js';

/** A CBC chain over a sequence of chunks under one key and IV. */
export interface AesCbcStream {
  /**
   * Encrypts (or decrypts) whole blocks — a multiple of 16 bytes, possibly none — and continues
   * the chain. Calls may overlap; they are applied in call order.
   */
  update(blocks: Uint8Array): Promise<Uint8Array>;
  /**
   * Ends the stream. Encryption: `last` is the plaintext tail (any length), returned padded and
   * encrypted. Decryption: `last` is the final ciphertext (a positive multiple of 16 bytes),
   * returned decrypted with its padding checked (CRYPTO_BAD_PADDING) and removed.
   */
  finish(last: Uint8Array): Promise<Uint8Array>;
}

/** AES-256-CBC (PKCS#7) whose calls return Promises; key 32 bytes, IV 16 bytes. */
export interface AsyncAes {
  /** `webcrypto`, or the synchronous provider behind the Promise. */
  readonly name: AsyncAesName;
  aes256CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Wrong padding rejects with CRYPTO_BAD_PADDING, as the synchronous providers throw. */
  aes256CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array>;
  /** A chained encryption; the key is imported (WebCrypto) once per stream. */
  cbcEncryptStream(key: Uint8Array, iv: Uint8Array): AesCbcStream;
  /** A chained decryption; the key is imported (WebCrypto) once per stream. */
  cbcDecryptStream(key: Uint8Array, iv: Uint8Array): AesCbcStream;
}

/** One-shot padded CBC under a fixed key: what a backend must offer for the streams. */
interface KeyedCbc {
  encrypt(iv: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  decrypt(iv: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /** Forgets the key material this object holds (best effort in JavaScript). */
  close(): void;
}

const PAD_BLOCK = new Uint8Array(16).fill(16);

function wholeBlocks(value: unknown, name: string): Uint8Array {
  const b = bytes(value, name);
  if (b.length % 16 !== 0) {
    throw new CryptoError('CRYPTO_INVALID_LENGTH', `${name} of an AES-CBC stream must be whole 16-byte blocks, got ${b.length} bytes`);
  }
  return b;
}

function streamOf(keyed: KeyedCbc, iv: Uint8Array, decrypt: boolean): AesCbcStream {
  let chain = iv.slice();
  let queue: Promise<unknown> = Promise.resolve();
  let finished = false;
  const ended = () => new CryptoError('CRYPTO_STATE', 'this AES-CBC stream is finished');
  // Calls run one after another in call order: each needs the chain block the previous left.
  const enqueue = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.then(step);
    queue = next.catch(() => undefined);
    return next;
  };
  const encryptBlocks = async (blocks: Uint8Array): Promise<Uint8Array> => {
    const out = (await keyed.encrypt(chain, blocks)).subarray(0, blocks.length);
    chain = out.slice(blocks.length - 16);
    return out;
  };
  /**
   * `input` is the chunk with room for X after it. X needs only the chunk's own last block, so
   * it is computed as soon as the chunk arrives, overlapping the previous chunk's decryption
   * (each WebCrypto call is a hop to another thread).
   */
  const decryptBlocks = (input: Uint8Array): (() => Promise<Uint8Array>) => {
    const n = input.length - 16;
    const x = keyed.encrypt(input.subarray(n - 16, n), PAD_BLOCK);
    x.catch(() => undefined); // awaited by the queued step; a failure surfaces there
    return async () => {
      input.set((await x).subarray(0, 16), n);
      const out = await keyed.decrypt(chain, input);
      chain = input.slice(n - 16, n);
      return out;
    };
  };
  return {
    update(blocks) {
      try {
        if (finished) throw ended();
        const data = wholeBlocks(blocks, 'blocks');
        if (data.length === 0) return Promise.resolve(new Uint8Array(0));
        if (!decrypt) {
          const copy = data.slice(); // the caller may reuse its buffer before the call runs
          return enqueue(() => encryptBlocks(copy));
        }
        const input = new Uint8Array(data.length + 16);
        input.set(data);
        return enqueue(decryptBlocks(input));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    finish(last) {
      try {
        if (finished) throw ended();
        const data = (decrypt ? cbcCiphertext(last) : bytes(last, 'plaintext')).slice();
        finished = true;
        return enqueue(async () => {
          try {
            return await (decrypt ? keyed.decrypt(chain, data) : keyed.encrypt(chain, data));
          } finally {
            chain.fill(0);
            keyed.close();
          }
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

function asyncOf(name: AsyncAesName, keyedFor: (key: Uint8Array) => KeyedCbc): AsyncAes {
  const checked = (key: Uint8Array, iv: Uint8Array): void => {
    bytesOfLength(key, 'key', 32);
    bytesOfLength(iv, 'iv', 16);
  };
  const once = async (key: Uint8Array, iv: Uint8Array, f: (k: KeyedCbc) => Promise<Uint8Array>) => {
    const k = keyedFor(key);
    try {
      return await f(k);
    } finally {
      k.close();
    }
  };
  return {
    name,
    async aes256CbcEncrypt(key, iv, plaintext) {
      checked(key, iv);
      const data = bytes(plaintext, 'plaintext');
      return once(key, iv, (k) => k.encrypt(iv, data));
    },
    async aes256CbcDecrypt(key, iv, ciphertext) {
      checked(key, iv);
      const data = cbcCiphertext(ciphertext);
      return once(key, iv, (k) => k.decrypt(iv, data));
    },
    cbcEncryptStream(key, iv) {
      checked(key, iv);
      return streamOf(keyedFor(key), iv, false);
    },
    cbcDecryptStream(key, iv) {
      checked(key, iv);
      return streamOf(keyedFor(key), iv, true);
    },
  };
}

/**
 * A stream over a synchronous chain: each call runs at once on the caller's buffer (no copy, no
 * queue), so call order is applied order; failures become rejections as in the other streams.
 */
function chainStream(chain: CbcChain): AesCbcStream {
  const run = (step: () => Uint8Array): Promise<Uint8Array> => {
    try {
      return Promise.resolve(step());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return { update: (blocks) => run(() => chain.update(blocks)), finish: (last) => run(() => chain.finish(last)) };
}

/**
 * A synchronous provider behind the async shape (the streams re-expand the key per call, which
 * is noise next to a bulk chunk). The stream keeps a copy of the key until `finish`. The native
 * provider's streams instead keep one OpenSSL context for the whole chain (native/cbc-chain.ts):
 * no per-chunk copies, so a streamed payload leaves no garbage the size of its chunks behind.
 */
export function asyncAesOf(provider: Pick<SymmetricProvider, 'name' | 'aes256CbcEncrypt' | 'aes256CbcDecrypt'>): AsyncAes {
  const aes = asyncOf(provider.name, (key) => {
    const k = key.slice();
    return {
      encrypt: async (iv, data) => provider.aes256CbcEncrypt(k, iv, data),
      decrypt: async (iv, data) => provider.aes256CbcDecrypt(k, iv, data),
      close: () => void k.fill(0),
    };
  });
  const chains = nativeCbcChainsOf(provider);
  if (chains === undefined) return aes;
  return {
    ...aes,
    cbcEncryptStream: (key, iv) => chainStream(chains(key, iv, false)),
    cbcDecryptStream: (key, iv) => chainStream(chains(key, iv, true)),
  };
}

function webCryptoSubtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  return c?.subtle;
}

/** The bytes as WebCrypto's BufferSource (ArrayBuffer-backed; a SharedArrayBuffer view is copied). */
const own = (b: Uint8Array): Uint8Array<ArrayBuffer> =>
  b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);

/**
 * AES-256-CBC on WebCrypto (`crypto.subtle`: browsers, workers, Node, Deno, Bun), or undefined
 * where the runtime has none (an insecure browser context). The key becomes a non-extractable
 * CryptoKey, imported once per one-shot call or stream. WebCrypto reports any decryption
 * failure as an OperationError; it is mapped to CRYPTO_BAD_PADDING, the only way a well-formed
 * ciphertext can fail.
 */
export function webCryptoAes(subtle: SubtleCrypto | undefined = webCryptoSubtle()): AsyncAes | undefined {
  if (!subtle) return undefined;
  return asyncOf('webcrypto', (key) => {
    const imported = subtle.importKey('raw', own(key), { name: 'AES-CBC' }, false, ['encrypt', 'decrypt']);
    imported.catch(() => undefined); // surfaced by the first call that awaits it
    return {
      async encrypt(iv, data) {
        return new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: own(iv) }, await imported, own(data)));
      },
      async decrypt(iv, data) {
        const k = await imported;
        try {
          return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: own(iv) }, k, own(data)));
        } catch (cause) {
          throw new CryptoError('CRYPTO_BAD_PADDING', 'AES-CBC padding is invalid (wrong key or corrupted ciphertext)', { cause });
        }
      },
      close: () => undefined, // a CryptoKey is dropped with its last reference
    };
  });
}

let webCrypto: AsyncAes | null | undefined;

/**
 * The async AES-256-CBC that serves calls of about `bytes` bytes (one-shot input or stream
 * chunk) under the current routing: WebCrypto where `asyncAesRoute` says it wins, otherwise the
 * provider the synchronous routing chose for AES (native OpenSSL on Node, Deno and Bun; the
 * WASM core in browsers until WebCrypto's per-call cost is amortised). An explicit
 * `init({ prefer })` for AES is kept as it is.
 */
export function asyncAes(bytesPerCall = Infinity, direction: 'encrypt' | 'decrypt' = 'encrypt'): AsyncAes {
  if (webCrypto === undefined) webCrypto = webCryptoAes() ?? null;
  const sync = route('aes256Cbc', bytesPerCall);
  const explicit = routing.preferred !== undefined || routing.forced?.has('aes256Cbc') === true;
  const choice = asyncAesRoute(direction, bytesPerCall, sync, { webCrypto: webCrypto !== null, native: nativeSymmetric() !== undefined, explicit });
  return choice === 'webcrypto' && webCrypto ? webCrypto : asyncAesOf(symmetricProvider(choice === 'webcrypto' ? sync : choice));
}
