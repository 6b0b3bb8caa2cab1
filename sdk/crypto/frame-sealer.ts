import { CryptoError } from './errors.js';
import { aes256CbcEncrypt, hkdfSha256Multi, hmacSha512, sha512 } from './hashes.js';
import { MerkleCompactRange, merkleHasherFrom } from './merkle.js';
import { route, routing } from './state.js';
import type { HashFunction } from './types.js';
import { bytes } from './validate.js';

/**
 * Sealing one log frame: the whole per-frame cryptography of an encrypted, Merkle-authenticated
 * log (a DARE sequence writer, dare.md §4.2, §9.4, §9.5) as one operation, so that the WASM core
 * can do it in one call (design.md: "HKDF+AES+HMAC a whole frame per call"):
 *
 *   PRK = HKDF-SHA-256-Extract(salt, seed); key (32), IV (16), MAC key (32) = Expand(PRK, three labels)
 *   C   = AES-256-CBC(key, IV, PKCS#7(plaintext))
 *   HD  = SHA-512(header bytes), PD = SHA-512(C)
 *   MAC = HMAC-SHA-512(MAC key, a template with PD and HD written at fixed offsets)
 *   the leaf HD ‖ PD is appended to an RFC 9162 compact range (leaf hash H(0x00 ‖ HD ‖ PD)); head = its root
 *
 * Nothing here knows DARE's JSON: the caller supplies the labels, the MAC template and the header
 * bytes. Two implementations give byte-identical results: {@link ComposedFrameSealer}, composed
 * from the primitive interface (any provider), and the WASM one (`wasm/frame.ts`); the test
 * `frame-sealer.test.ts` compares them.
 *
 * Outputs live in buffers owned by the sealer and are overwritten by its next call (no
 * allocation per frame): copy what you keep.
 */

/** What a sealer takes once, for its whole life. */
export interface FrameSealerConfig {
  /** HKDF-SHA-256 info of the AES-256 key (32 bytes out); at most 64 bytes. */
  readonly keyInfo: Uint8Array;
  /** Info of the CBC IV (16 bytes out); at most 64 bytes. */
  readonly ivInfo: Uint8Array;
  /** Info of the MAC key (32 bytes out); at most 64 bytes. */
  readonly macInfo: Uint8Array;
  /** The bytes the MAC covers, with 64-byte holes for PD and HD; at most 512 bytes. */
  readonly macTemplate: Uint8Array;
  readonly payloadDigestOffset: number;
  readonly headerDigestOffset: number;
}

/** The outputs of a sealer's last call: views it overwrites on the next one. */
export interface SealerOutput {
  /** The ciphertext is `ciphertext.subarray(0, n)`, n the value `seal` returned. */
  readonly ciphertext: Uint8Array;
  readonly headerDigest: Uint8Array;
  readonly payloadDigest: Uint8Array;
  readonly mac: Uint8Array;
  /** The tree head after the last append. */
  readonly head: Uint8Array;
}

/** Seals frames and keeps the Merkle compact range they are appended to. */
export interface FrameSealer {
  /** Where the outputs of the last call are. */
  readonly out: SealerOutput;
  /**
   * Seals one frame (see the file comment) and appends it to the range; returns the ciphertext
   * length. `seed` (≤ 64 bytes) is secret and only read; `header[0..headerLength)` is digested.
   */
  seal(seed: Uint8Array, salt: Uint8Array, header: Uint8Array, headerLength: number, plaintext: Uint8Array): number;
  /** Appends a frame whose digests were computed elsewhere (e.g. a plaintext frame); `out.head` is the new head. */
  appendDigests(headerDigest: Uint8Array, payloadDigest: Uint8Array): void;
  /** Appends a leaf by its hash H(0x00 ‖ HD ‖ PD) (reopening a log); does not update `out.head`. */
  appendLeafHash(hash: Uint8Array): void;
  /** Leaves appended so far. */
  readonly size: number;
  /** The compact range's subtree roots, leftmost first (copies). */
  readonly subtreeRoots: Uint8Array[];
  /** The tree head (a copy). */
  root(): Uint8Array;
}

/** Limits a configuration must respect (the WASM core's fixed regions). */
export const FRAME_INFO_MAX = 64;
export const FRAME_MAC_TEMPLATE_MAX = 512;
/** Largest seed and salt (bytes). */
export const FRAME_KEYING_MAX = 64;

/** Checks a configuration; throws CRYPTO_INVALID_ARGUMENT / CRYPTO_INVALID_LENGTH. */
export function checkSealerConfig(c: FrameSealerConfig): FrameSealerConfig {
  for (const k of ['keyInfo', 'ivInfo', 'macInfo'] as const) {
    if (bytes(c[k], k).length > FRAME_INFO_MAX) throw new CryptoError('CRYPTO_INVALID_LENGTH', `${k} must be at most ${FRAME_INFO_MAX} bytes`);
  }
  const t = bytes(c.macTemplate, 'macTemplate');
  if (t.length > FRAME_MAC_TEMPLATE_MAX) throw new CryptoError('CRYPTO_INVALID_LENGTH', `macTemplate must be at most ${FRAME_MAC_TEMPLATE_MAX} bytes`);
  for (const k of ['payloadDigestOffset', 'headerDigestOffset'] as const) {
    const o = c[k];
    if (!Number.isSafeInteger(o) || o < 0 || o + 64 > t.length) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', `${k} must leave 64 bytes inside macTemplate`);
  }
  if (Math.abs(c.payloadDigestOffset - c.headerDigestOffset) < 64) throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'the PD and HD holes of macTemplate overlap');
  return c;
}

/** Checks the per-call arguments shared by both implementations. */
export function checkSealArgs(seed: Uint8Array, salt: Uint8Array, header: Uint8Array, headerLength: number, plaintext: Uint8Array): void {
  if (bytes(seed, 'seed').length > FRAME_KEYING_MAX) throw new CryptoError('CRYPTO_INVALID_LENGTH', `seed must be at most ${FRAME_KEYING_MAX} bytes`);
  if (bytes(salt, 'salt').length > FRAME_KEYING_MAX) throw new CryptoError('CRYPTO_INVALID_LENGTH', `salt must be at most ${FRAME_KEYING_MAX} bytes`);
  bytes(header, 'header');
  bytes(plaintext, 'plaintext');
  if (!Number.isSafeInteger(headerLength) || headerLength < 0 || headerLength > header.length) {
    throw new CryptoError('CRYPTO_INVALID_LENGTH', `headerLength must be in 0..${header.length}`);
  }
}

/** The primitives a composed sealer runs on: a slice of `CryptoProvider` (any provider, or the routed functions). */
export interface SealerPrimitives {
  /** SHA-512 (FIPS 180-4): HD, PD, the leaf and node hashes. */
  readonly sha512: HashFunction | ((data: Uint8Array) => Uint8Array);
  /** HKDF-SHA-256 with one extract and one expand per info (`CryptoProvider.hkdfSha256Multi`). */
  hkdfSha256Multi(ikm: Uint8Array, salt: Uint8Array, infos: readonly Uint8Array[], lengths: readonly number[]): Uint8Array[];
  /** AES-256-CBC with PKCS#7 padding (SP 800-38A). */
  aes256CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** HMAC-SHA-512 (RFC 2104): the MAC. */
  hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/** A compact range as the composed sealer needs it (MerkleCompactRange, or a WASM-held one). */
export interface SealerRange {
  /** Leaves appended so far. */
  readonly size: number;
  /** The subtree roots, leftmost first. */
  readonly subtreeRoots: Uint8Array[];
  /** Appends a leaf by its hash H(0x00 ‖ leaf) (RFC 9162 §2.1.1). */
  appendLeafHash(hash: Uint8Array): unknown;
  /** The tree head over every leaf so far. */
  root(): Uint8Array;
}

const KEY_LENGTHS: readonly number[] = [32, 16, 32];

/**
 * The pure twin: the same function composed from the primitive interface, one primitive call per
 * step. It is what runs on the pure and native providers, and the reference the WASM sealer is
 * tested against. Secrets it derives (key, IV, MAC key) are wiped after use.
 */
export class ComposedFrameSealer implements FrameSealer {
  readonly out: SealerOutput;
  private ciphertext = new Uint8Array(1024);
  private readonly digests = new Uint8Array(4 * 64);
  private readonly leaf = new Uint8Array(129);
  private readonly template: Uint8Array;
  private readonly infos: readonly Uint8Array[];
  private readonly range: SealerRange;
  private readonly hash: (data: Uint8Array) => Uint8Array;

  constructor(private readonly p: SealerPrimitives, private readonly config: FrameSealerConfig, range?: SealerRange) {
    checkSealerConfig(config);
    this.template = config.macTemplate.slice();
    this.infos = [config.keyInfo.slice(), config.ivInfo.slice(), config.macInfo.slice()];
    this.hash = (d) => p.sha512(d);
    this.range = range ?? new MerkleCompactRange(merkleHasherFrom(this.hash));
    this.out = this.outputs();
  }

  private outputs(): SealerOutput {
    const d = this.digests;
    return {
      ciphertext: this.ciphertext, headerDigest: d.subarray(0, 64), payloadDigest: d.subarray(64, 128), mac: d.subarray(128, 192), head: d.subarray(192, 256),
    };
  }

  seal(seed: Uint8Array, salt: Uint8Array, header: Uint8Array, headerLength: number, plaintext: Uint8Array): number {
    checkSealArgs(seed, salt, header, headerLength, plaintext);
    const [key, iv, macKey] = this.p.hkdfSha256Multi(seed, salt, this.infos, KEY_LENGTHS) as [Uint8Array, Uint8Array, Uint8Array];
    let c: Uint8Array;
    try {
      c = this.p.aes256CbcEncrypt(key, iv, plaintext);
    } finally {
      key.fill(0);
      iv.fill(0);
    }
    const hd = this.hash(headerLength === header.length ? header : header.subarray(0, headerLength));
    const pd = this.hash(c);
    const t = this.template;
    t.set(pd, this.config.payloadDigestOffset);
    t.set(hd, this.config.headerDigestOffset);
    let mac: Uint8Array;
    try {
      mac = this.p.hmacSha512(macKey, t);
    } finally {
      macKey.fill(0);
    }
    if (c.length > this.ciphertext.length) {
      this.ciphertext = new Uint8Array(Math.max(c.length, 2 * this.ciphertext.length));
      (this as { out: SealerOutput }).out = this.outputs();
    }
    this.ciphertext.set(c);
    this.digests.set(mac, 128);
    this.appendDigests(hd, pd);
    return c.length;
  }

  appendDigests(headerDigest: Uint8Array, payloadDigest: Uint8Array): void {
    const leaf = this.leaf;
    leaf.set(headerDigest, 1);
    leaf.set(payloadDigest, 65);
    this.digests.set(headerDigest, 0);
    this.digests.set(payloadDigest, 64);
    this.range.appendLeafHash(this.hash(leaf));
    this.digests.set(this.range.root(), 192);
  }

  appendLeafHash(hash: Uint8Array): void {
    this.range.appendLeafHash(hash);
  }

  get size(): number {
    return this.range.size;
  }

  get subtreeRoots(): Uint8Array[] {
    return this.range.subtreeRoots;
  }

  root(): Uint8Array {
    return this.range.root();
  }
}

/** The routed functions of mathmesh/crypto as sealer primitives. */
const routedPrimitives: SealerPrimitives = { sha512, hkdfSha256Multi, aes256CbcEncrypt, hmacSha512 };

/** Inputs below this size decide whether the hashing of a frame goes to WASM (headers and MAC messages are this small). */
const SMALL = 256;

/**
 * A frame sealer on the current routing: the WASM one (one call per frame) when `init()` loaded
 * the core and routes a frame's hashing, MAC, KDF and Merkle work to it — the default — with
 * each frame's AES following the routing for its size (bulk payloads go to AES-NI where node:crypto
 * has it, sealed by the composed path and appended to the same range); otherwise the composed
 * twin over the routed functions. Either way the results are identical.
 */
export function frameSealer(config: FrameSealerConfig): FrameSealer {
  const wasm = routing.wasm;
  if (wasm?.frameSealer && route('hkdfSha256') === 'wasm' && route('sha512', SMALL) === 'wasm' && route('hmacSha512', SMALL) === 'wasm' && route('merkleRoot') === 'wasm') {
    return wasm.frameSealer(config, { fallback: routedPrimitives, useCore: (n) => route('aes256Cbc', n) === 'wasm' });
  }
  return new ComposedFrameSealer(routedPrimitives, config);
}
