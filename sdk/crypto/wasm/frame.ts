import { CryptoError } from '../errors.js';
import {
  checkSealArgs, checkSealerConfig, type FrameSealer, type FrameSealerConfig, type SealerOutput, type SealerPrimitives,
} from '../frame-sealer.js';
import { bytes } from '../validate.js';

/**
 * The WASM frame sealer on the `frame` family (core-wasm/frame/index.ts): one WASM call per
 * frame — HKDF-SHA-256 key/IV/MAC key, AES-256-CBC, SHA-512 of header and ciphertext, the
 * HMAC-SHA-512 MAC, the leaf hash, the compact-range append and the new head. Inputs are copied
 * into fixed regions, outputs are read through views of them (`out`), so a frame allocates
 * nothing here. Same results as `ComposedFrameSealer` (frame-sealer.ts), its pure twin.
 *
 * Frames the core should not seal — a plaintext beyond its region, or one the routing sends to
 * another AES provider (bulk AES-NI) — are sealed by `fallback` (the routed primitives, composed
 * as in the twin) and appended to the same WASM-held range. Several sealers (several open logs)
 * share the one core: like the hash family's Merkle ranges, the owner's range state (and its
 * configuration) is swapped in when another sealer takes the core.
 */

interface FrameExports {
  readonly memory: WebAssembly.Memory;
  payload_ptr(): number;
  payload_capacity(): number;
  header_ptr(): number;
  header_capacity(): number;
  keys_ptr(): number;
  config_ptr(): number;
  digests_ptr(): number;
  merkle_state_ptr(): number;
  relaxedSimd(): number;
  frame_configure(keyInfo: number, ivInfo: number, macInfo: number, templateLen: number, pdOffset: number, hdOffset: number): void;
  frame_seal(seedLen: number, saltLen: number, headerLen: number, plaintextLen: number): number;
  merkle_append_leaf_hash(): void;
  merkle_append_digests(): void;
  merkle_head(): void;
  merkle_reset(): void;
}

const REQUIRED: readonly (keyof FrameExports)[] = [
  'payload_ptr', 'payload_capacity', 'header_ptr', 'header_capacity', 'keys_ptr', 'config_ptr', 'digests_ptr', 'merkle_state_ptr',
  'frame_configure', 'frame_seal', 'merkle_append_leaf_hash', 'merkle_append_digests', 'merkle_head', 'merkle_reset',
];

/** Offsets in the core's output region (core-wasm/frame/index.ts, DIGESTS). */
const HD_AT = 1;
const PD_AT = 65;
const MAC_AT = 256;
const HEAD_AT = 320;
const LEAF_HASH_AT = 384;

function popcount(n: number): number {
  let c = 0;
  for (; n > 0; n = Math.floor(n / 2)) c += n % 2;
  return c;
}

/** The instantiated core, shared by every sealer on it. */
class FrameCore {
  readonly x: FrameExports;
  readonly payload: number;
  readonly payloadCapacity: number;
  readonly header: number;
  readonly headerCapacity: number;
  readonly keys: number;
  readonly config: number;
  readonly digests: number;
  readonly range: number;
  owner: WasmFrameSealer | null = null;
  mem: Uint8Array;

  constructor(exports: WebAssembly.Exports) {
    for (const name of REQUIRED) {
      if (typeof (exports as Record<string, unknown>)[name] !== 'function') {
        throw new CryptoError('CRYPTO_WASM_FAILED', `WASM frame core is missing export '${name}'`);
      }
    }
    this.x = exports as unknown as FrameExports;
    this.payload = this.x.payload_ptr();
    this.payloadCapacity = this.x.payload_capacity();
    this.header = this.x.header_ptr();
    this.headerCapacity = this.x.header_capacity();
    this.keys = this.x.keys_ptr();
    this.config = this.x.config_ptr();
    this.digests = this.x.digests_ptr();
    this.range = this.x.merkle_state_ptr();
    this.mem = new Uint8Array(this.x.memory.buffer);
  }

  /** The memory view (renewed should the memory ever be replaced; the core never grows it). */
  view(): Uint8Array {
    if (this.mem.byteLength === 0) this.mem = new Uint8Array(this.x.memory.buffer);
    return this.mem;
  }
}

const cores = new WeakMap<WebAssembly.Exports, FrameCore>();
function coreOf(exports: WebAssembly.Exports): FrameCore {
  let c = cores.get(exports);
  if (c === undefined) {
    c = new FrameCore(exports);
    cores.set(exports, c);
  }
  return c;
}

/** Options of a WASM sealer. */
export interface WasmSealerOptions {
  /** Seals what the core should not (see the file comment); required to seal such frames. */
  readonly fallback?: SealerPrimitives;
  /** Whether the core should seal a plaintext of `n` bytes (default: whenever it fits). */
  readonly useCore?: (n: number) => boolean;
}

class WasmFrameSealer implements FrameSealer {
  readonly out: SealerOutput;
  private count = 0;
  private saved: Uint8Array | null = null;
  private readonly template: Uint8Array;
  private readonly infos: readonly [Uint8Array, Uint8Array, Uint8Array];
  private readonly coreCiphertext: Uint8Array;

  constructor(private readonly core: FrameCore, private readonly config: FrameSealerConfig, private readonly options: WasmSealerOptions) {
    checkSealerConfig(config);
    this.template = config.macTemplate.slice();
    this.infos = [config.keyInfo.slice(), config.ivInfo.slice(), config.macInfo.slice()];
    const m = core.view();
    const d = core.digests;
    this.coreCiphertext = m.subarray(core.payload, core.payload + core.payloadCapacity + 16);
    this.out = {
      ciphertext: this.coreCiphertext,
      headerDigest: m.subarray(d + HD_AT, d + HD_AT + 64),
      payloadDigest: m.subarray(d + PD_AT, d + PD_AT + 64),
      mac: m.subarray(d + MAC_AT, d + MAC_AT + 64),
      head: m.subarray(d + HEAD_AT, d + HEAD_AT + 64),
    };
    this.claim();
    core.x.merkle_reset();
  }

  /** Takes the core: saves the previous owner's range, restores ours and our configuration. */
  private claim(): void {
    const core = this.core;
    if (core.owner === this) return;
    const m = core.view();
    const prev = core.owner;
    if (prev !== null) prev.saved = m.slice(core.range, core.range + 64 + 64 * popcount(prev.count));
    if (this.saved !== null) {
      m.set(this.saved, core.range);
      this.saved = null;
    }
    const c = core.config;
    m.set(this.infos[0], c);
    m.set(this.infos[1], c + 64);
    m.set(this.infos[2], c + 128);
    m.set(this.template, c + 192);
    core.x.frame_configure(this.infos[0].length, this.infos[1].length, this.infos[2].length, this.template.length,
      this.config.payloadDigestOffset, this.config.headerDigestOffset);
    core.owner = this;
  }

  seal(seed: Uint8Array, salt: Uint8Array, header: Uint8Array, headerLength: number, plaintext: Uint8Array): number {
    checkSealArgs(seed, salt, header, headerLength, plaintext);
    const core = this.core;
    const n = plaintext.length;
    if (n > core.payloadCapacity || headerLength > core.headerCapacity || (this.options.useCore !== undefined && !this.options.useCore(n))) {
      return this.sealElsewhere(seed, salt, header, headerLength, plaintext);
    }
    this.claim();
    const m = core.view();
    m.set(seed, core.keys);
    m.set(salt, core.keys + 64);
    // A header buffer that fits is copied whole (no view per frame): only [0, headerLength) is digested.
    m.set(header.length <= core.headerCapacity ? header : header.subarray(0, headerLength), core.header);
    m.set(plaintext, core.payload);
    const length = core.x.frame_seal(seed.length, salt.length, headerLength, n);
    this.count++;
    (this.out as { ciphertext: Uint8Array }).ciphertext = this.coreCiphertext;
    return length;
  }

  /** The twin's composition on the fallback primitives, appended to our WASM-held range. */
  private sealElsewhere(seed: Uint8Array, salt: Uint8Array, header: Uint8Array, headerLength: number, plaintext: Uint8Array): number {
    const p = this.options.fallback;
    if (p === undefined) {
      throw new CryptoError('CRYPTO_INVALID_LENGTH', `the WASM frame sealer takes plaintexts up to ${this.core.payloadCapacity} bytes and headers up to ${this.core.headerCapacity}`);
    }
    const [key, iv, macKey] = p.hkdfSha256Multi(seed, salt, this.infos, [32, 16, 32]) as [Uint8Array, Uint8Array, Uint8Array];
    let c: Uint8Array;
    try {
      c = p.aes256CbcEncrypt(key, iv, plaintext);
    } finally {
      key.fill(0);
      iv.fill(0);
    }
    const hd = p.sha512(header.subarray(0, headerLength));
    const pd = p.sha512(c);
    const t = this.template.slice();
    t.set(pd, this.config.payloadDigestOffset);
    t.set(hd, this.config.headerDigestOffset);
    let mac: Uint8Array;
    try {
      mac = p.hmacSha512(macKey, t);
    } finally {
      macKey.fill(0);
    }
    this.appendDigests(hd, pd);
    this.out.mac.set(mac);
    (this.out as { ciphertext: Uint8Array }).ciphertext = c;
    return c.length;
  }

  appendDigests(headerDigest: Uint8Array, payloadDigest: Uint8Array): void {
    if (bytes(headerDigest, 'headerDigest').length !== 64 || bytes(payloadDigest, 'payloadDigest').length !== 64) {
      throw new CryptoError('CRYPTO_INVALID_LENGTH', 'header and payload digests must be 64 bytes');
    }
    this.claim();
    const m = this.core.view();
    m.set(headerDigest, this.core.digests + HD_AT);
    m.set(payloadDigest, this.core.digests + PD_AT);
    this.core.x.merkle_append_digests();
    this.count++;
  }

  appendLeafHash(hash: Uint8Array): void {
    if (bytes(hash, 'hash').length !== 64) throw new CryptoError('CRYPTO_INVALID_LENGTH', 'leaf hash must be 64 bytes');
    this.claim();
    this.core.view().set(hash, this.core.digests + LEAF_HASH_AT);
    this.core.x.merkle_append_leaf_hash();
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  get subtreeRoots(): Uint8Array[] {
    this.claim();
    const m = this.core.view();
    const r = this.core.range;
    const out: Uint8Array[] = [];
    for (let i = 0, d = popcount(this.count); i < d; i++) out.push(m.slice(r + 64 + 64 * i, r + 128 + 64 * i));
    return out;
  }

  root(): Uint8Array {
    this.claim();
    this.core.x.merkle_head();
    return this.out.head.slice();
  }
}

/** Factory of WASM frame sealers over an instantiated `frame` module. */
export function wasmFrameSealers(exports: WebAssembly.Exports): (config: FrameSealerConfig, options?: WasmSealerOptions) => FrameSealer {
  const core = coreOf(exports);
  return (config, options = {}) => new WasmFrameSealer(core, config, options);
}

/** The raw exports' memory and regions, for tests that scan the core for leftover secrets. */
export function frameCoreMemory(exports: WebAssembly.Exports): WebAssembly.Memory {
  return coreOf(exports).x.memory;
}
