/**
 * The WASM hashing provider: SHA-512, SHA-256, SHA3-512, SHAKE256, HMAC-SHA-512, HMAC-SHA-256,
 * HMAC-SHA3-512, HKDF-SHA-512, HKDF-SHA-256 and RFC 9162 Merkle heads on the AssemblyScript core in `core-wasm/hash/`.
 *
 * The core has fixed regions in its linear memory (see `core-wasm/hash/io.ts`): an input
 * region IO (64 KiB), an output region OUT (16 KiB), one streaming context slot CTX, and one
 * Merkle compact range. This wrapper copies inputs into IO and outputs out of OUT; nothing is
 * allocated in WASM, so memory stays at its initial size whatever is hashed. Inputs larger than
 * IO go through the streaming calls in IO-sized chunks.
 *
 * Per-call cost matters more than anything for small inputs (a 64-byte SHA-512 is ~1 µs of
 * compression), so a one-shot call is: one `set` into a cached view of memory, one WASM call,
 * one `slice` for the result.
 *
 * Many streams (and Merkle ranges) may be open at once, but the core has one slot of each: the
 * slot remembers its owner, and a different user first saves the owner's bytes into that
 * owner's JS object and restores its own. A stream used alone never copies its state.
 */
import { CryptoError } from '../errors.js';
import { HKDF_SHA256_MAX, HKDF_SHA512_MAX, hashShape, xofShape, type RawStream } from '../hash-shape.js';
import type { CryptoProvider } from '../types.js';
import { byteArrayList, bytes, outputLength } from '../validate.js';

/** The ABI of `core-wasm/hash/index.ts`. Lengths are byte counts; regions are fixed. */
interface HashExports {
  readonly memory: WebAssembly.Memory;
  io_ptr(): number;
  io_size(): number;
  out_ptr(): number;
  out_size(): number;
  ctx_ptr(): number;
  ctx_size(): number;
  lens_ptr(): number;
  lens_capacity(): number;
  merkle_state_ptr(): number;
  sha512(len: number): void;
  sha512_init(): void;
  sha512_update(len: number): void;
  sha512_final(): void;
  sha256(len: number): void;
  sha256_init(): void;
  sha256_update(len: number): void;
  sha256_final(): void;
  sha3_512(len: number): void;
  shake256(len: number, outLen: number): void;
  sha3_512_init(): void;
  shake256_init(): void;
  sponge_update(len: number): void;
  sponge_squeeze(outLen: number): void;
  hmac_sha512(keyLen: number, dataLen: number): void;
  hmac_sha512_init(keyLen: number): void;
  hmac_sha512_update(len: number): void;
  hmac_sha512_final(): void;
  hmac_sha3_512(keyLen: number, dataLen: number): void;
  hmac_sha3_512_init(keyLen: number): void;
  hmac_sha3_512_update(len: number): void;
  hmac_sha3_512_final(): void;
  hmac_sha256(keyLen: number, dataLen: number): void;
  hmac_sha256_init(keyLen: number): void;
  hmac_sha256_update(len: number): void;
  hmac_sha256_final(): void;
  hkdf_sha512(saltLen: number, ikmLen: number, infoLen: number, length: number): void;
  hkdf_sha256(saltLen: number, ikmLen: number, infoLen: number, length: number): void;
  hkdf_sha256_pair(saltLen: number, ikmLen: number, info1Len: number, len1: number, info2Len: number, len2: number): void;
  merkle_append_payload(len: number): void;
  merkle_reset(): void;
  merkle_append_leaves(count: number): void;
  merkle_append_hash(): void;
  merkle_root(): void;
}

const REQUIRED: readonly (keyof HashExports)[] = [
  'io_ptr', 'io_size', 'out_ptr', 'out_size', 'ctx_ptr', 'ctx_size', 'lens_ptr', 'lens_capacity',
  'merkle_state_ptr', 'sha512', 'sha512_init', 'sha512_update', 'sha512_final', 'sha3_512',
  'shake256', 'sha3_512_init', 'shake256_init', 'sponge_update', 'sponge_squeeze', 'hmac_sha512',
  'hmac_sha512_init', 'hmac_sha512_update', 'hmac_sha512_final', 'hmac_sha3_512',
  'hmac_sha3_512_init', 'hmac_sha3_512_update', 'hmac_sha3_512_final', 'hkdf_sha512',
  'merkle_reset', 'merkle_append_leaves', 'merkle_append_hash', 'merkle_root',
  'sha256', 'sha256_init', 'sha256_update', 'sha256_final', 'hmac_sha256', 'hmac_sha256_init',
  'hmac_sha256_update', 'hmac_sha256_final', 'hkdf_sha256', 'hkdf_sha256_pair', 'merkle_append_payload',
];

/** Bytes of the CTX slot each kind of stream uses (see the core's context layouts). */
const SHA512_CTX = 208;
const SHA256_CTX = 112;
const SPONGE_CTX = 216;
const HMAC_CTX = 256 + 216;
/** SHA3-512 rate: keys longer than this are hashed first (RFC 2104 §2). */
const SHA3_512_BLOCK = 72;
const SHA512_BLOCK = 128;
const SHA256_BLOCK = 64;

/** Something that can hold a fixed slot of WASM memory: its state is saved here while evicted. */
interface SlotUser {
  saved: Uint8Array | null;
  /** How many bytes of the slot are live right now. */
  liveBytes(): number;
}

/** A fixed region of WASM memory shared by many JS objects, one at a time. */
class Slot {
  private owner: SlotUser | null = null;
  constructor(private readonly core: Core, private readonly ptr: number) {}

  /** Makes `user` the owner, saving the previous owner's bytes and restoring `user`'s. */
  claim(user: SlotUser): void {
    if (this.owner === user) return;
    const m = this.core.view();
    const prev = this.owner;
    if (prev !== null) prev.saved = m.slice(this.ptr, this.ptr + prev.liveBytes());
    if (user.saved !== null) {
      m.set(user.saved, this.ptr);
      user.saved = null;
    }
    this.owner = user;
  }

  /** Forgets `user` (its state is finished) and wipes `wipeBytes` of the slot. */
  release(user: SlotUser, wipeBytes: number): void {
    if (this.owner !== user) return;
    this.owner = null;
    if (wipeBytes > 0) this.core.view().fill(0, this.ptr, this.ptr + wipeBytes);
  }
}

/** The instantiated core: exports, region addresses and a cached view of memory. */
class Core {
  readonly x: HashExports;
  readonly io: number;
  readonly ioSize: number;
  readonly out: number;
  readonly outSize: number;
  readonly lens: number;
  readonly lensCap: number;
  readonly rangePtr: number;
  readonly ctx: Slot;
  readonly range: Slot;
  private mem: Uint8Array;
  /** OUT[0..64) as a view: `new Uint8Array(view)` copies a digest faster than `slice`. */
  private out64: Uint8Array;

  constructor(exports: WebAssembly.Exports) {
    for (const name of REQUIRED) {
      if (typeof exports[name] !== 'function') {
        throw new CryptoError('CRYPTO_WASM_FAILED', `hash WASM module lacks the export ${name}()`);
      }
    }
    if (!(exports.memory instanceof WebAssembly.Memory)) {
      throw new CryptoError('CRYPTO_WASM_FAILED', 'hash WASM module does not export its memory');
    }
    const x = exports as unknown as HashExports;
    this.x = x;
    this.io = x.io_ptr();
    this.ioSize = x.io_size();
    this.out = x.out_ptr();
    this.outSize = x.out_size();
    this.lens = x.lens_ptr();
    this.lensCap = x.lens_capacity();
    this.rangePtr = x.merkle_state_ptr();
    this.mem = new Uint8Array(x.memory.buffer);
    this.out64 = this.mem.subarray(this.out, this.out + 64);
    this.ctx = new Slot(this, x.ctx_ptr());
    this.range = new Slot(this, this.rangePtr);
    if (x.ctx_size() < HMAC_CTX || this.outSize < HKDF_SHA512_MAX || this.ioSize < 256) {
      throw new CryptoError('CRYPTO_WASM_FAILED', 'hash WASM module has an unexpected memory layout');
    }
    x.merkle_reset();
  }

  /** The memory view; a grown memory detaches the old buffer (length 0), so re-view then. */
  view(): Uint8Array {
    let m = this.mem;
    if (m.byteLength === 0) {
      m = this.mem = new Uint8Array(this.x.memory.buffer);
      this.out64 = m.subarray(this.out, this.out + 64);
    }
    return m;
  }

  /** A copy of the 64-byte digest in OUT. */
  digest64(): Uint8Array {
    if (this.out64.byteLength === 0) this.view();
    return new Uint8Array(this.out64);
  }

  /** Copies `data` into IO in chunks and calls `absorb(len)` for each. */
  feed(data: Uint8Array, absorb: (len: number) => void): void {
    const size = this.ioSize;
    for (let pos = 0; pos < data.length; pos += size) {
      const chunk = data.subarray(pos, Math.min(pos + size, data.length));
      this.view().set(chunk, this.io);
      absorb(chunk.length);
    }
  }

  /** A copy of OUT[0..len). */
  output(len: number): Uint8Array {
    return len === 64 ? this.digest64() : this.view().slice(this.out, this.out + len);
  }
}

/** Base of the streaming objects: owns the CTX slot while in use. */
abstract class CtxStream implements SlotUser, RawStream {
  saved: Uint8Array | null = null;
  constructor(protected readonly core: Core, private readonly ctxBytes: number, private readonly secret: boolean) {}
  liveBytes(): number {
    return this.ctxBytes;
  }
  protected claim(): HashExports {
    this.core.ctx.claim(this);
    return this.core.x;
  }
  protected finish(): void {
    this.core.ctx.release(this, this.secret ? this.ctxBytes : 0);
  }
  abstract update(data: Uint8Array): void;
  abstract digest(): Uint8Array;
}

/** The Merkle–Damgård streams (SHA-512, SHA-256): init, update and final exports over one context. */
class MdStream extends CtxStream {
  constructor(
    core: Core,
    ctxSize: number,
    private readonly absorb: (x: HashExports, n: number) => void,
    private readonly finalize: (x: HashExports) => void,
    private readonly outLen: number,
    init: (x: HashExports) => void,
  ) {
    super(core, ctxSize, false);
    init(this.claim());
  }
  update(data: Uint8Array): void {
    const x = this.claim();
    this.core.feed(data, (n) => this.absorb(x, n));
  }
  digest(): Uint8Array {
    this.finalize(this.claim());
    this.finish();
    return this.core.output(this.outLen);
  }
}

const newSha512Stream = (core: Core): MdStream =>
  new MdStream(core, SHA512_CTX, (x, n) => x.sha512_update(n), (x) => x.sha512_final(), 64, (x) => x.sha512_init());
const newSha256Stream = (core: Core): MdStream =>
  new MdStream(core, SHA256_CTX, (x, n) => x.sha256_update(n), (x) => x.sha256_final(), 32, (x) => x.sha256_init());

/** Streaming HMAC-SHA-256, for inputs that do not fit IO in one piece. */
class Hmac256Stream extends CtxStream {
  constructor(core: Core, key: Uint8Array) {
    super(core, HMAC_CTX, true);
    const x = this.claim();
    core.view().set(key, core.io);
    x.hmac_sha256_init(key.length); // wipes the key from IO
  }
  update(data: Uint8Array): void {
    const x = this.claim();
    this.core.feed(data, (n) => x.hmac_sha256_update(n));
  }
  digest(): Uint8Array {
    this.claim().hmac_sha256_final();
    this.finish();
    return this.core.output(32);
  }
}

/** A SHA3-512 or SHAKE256 sponge; `outLen` bytes are squeezed by `digest()`. */
class SpongeStream extends CtxStream {
  constructor(core: Core, private readonly shake: boolean, private readonly outLen: number) {
    super(core, SPONGE_CTX, false);
    const x = this.claim();
    if (shake) x.shake256_init();
    else x.sha3_512_init();
  }
  update(data: Uint8Array): void {
    const x = this.claim();
    this.core.feed(data, (n) => x.sponge_update(n));
  }
  digest(): Uint8Array {
    const x = this.claim();
    const result = new Uint8Array(this.outLen);
    for (let pos = 0; pos < this.outLen; pos += this.core.outSize) {
      const n = Math.min(this.core.outSize, this.outLen - pos);
      x.sponge_squeeze(n);
      result.set(this.core.view().subarray(this.core.out, this.core.out + n), pos);
    }
    this.finish();
    return result;
  }
}

/** Streaming HMAC (SHA-512 or SHA3-512), for inputs that do not fit IO in one piece. */
class HmacStream extends CtxStream {
  constructor(core: Core, private readonly sha3: boolean, key: Uint8Array) {
    super(core, HMAC_CTX, true);
    const x = this.claim();
    core.view().set(key, core.io);
    if (sha3) x.hmac_sha3_512_init(key.length); // wipes the key from IO
    else x.hmac_sha512_init(key.length);
  }
  update(data: Uint8Array): void {
    const x = this.claim();
    if (this.sha3) this.core.feed(data, (n) => x.hmac_sha3_512_update(n));
    else this.core.feed(data, (n) => x.hmac_sha512_update(n));
  }
  digest(): Uint8Array {
    const x = this.claim();
    if (this.sha3) x.hmac_sha3_512_final();
    else x.hmac_sha512_final();
    this.finish();
    return this.core.output(64);
  }
}

/** HMAC over `parts` (concatenated) through the streaming calls; any sizes. */
function hmacParts(core: Core, sha3: boolean, key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  // RFC 2104 §2: a key longer than the block is replaced by its hash, so a key too big for IO
  // can be hashed first without changing the result.
  if (key.length > core.ioSize) key = sha3 ? sha3Digest(core, key) : sha512Digest(core, key);
  const s = new HmacStream(core, sha3, key);
  for (const p of parts) s.update(p);
  return s.digest();
}

/** One-shot SHA-512: one WASM call when `data` fits IO, else streamed through CTX. */
function sha512Digest(core: Core, data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n <= core.ioSize) {
    const m = core.view();
    m.set(data, core.io);
    core.x.sha512(n);
    return core.digest64();
  }
  const s = newSha512Stream(core);
  s.update(data);
  return s.digest();
}

/** One-shot SHA-256, as `sha512Digest`. */
function sha256Digest(core: Core, data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n <= core.ioSize) {
    core.view().set(data, core.io);
    core.x.sha256(n);
    return core.output(32);
  }
  const s = newSha256Stream(core);
  s.update(data);
  return s.digest();
}

/** HMAC-SHA-256 over `parts` through the streaming calls; any sizes. */
function hmac256Parts(core: Core, key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  if (key.length > core.ioSize) key = sha256Digest(core, key); // RFC 2104 §2, as in hmacParts
  const s = new Hmac256Stream(core, key);
  for (const p of parts) s.update(p);
  return s.digest();
}

/** One HMAC variant of the core: its output length, its one-call export and its streaming form. */
interface HmacHash {
  readonly outLen: 32 | 64;
  /** HMAC over key ‖ data laid out in IO, into OUT; the core wipes the key from IO. */
  oneCall(core: Core, keyLen: number, dataLen: number): void;
  parts(core: Core, key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array;
}

const HMAC_SHA512: HmacHash = {
  outLen: 64,
  oneCall: (core, k, n) => core.x.hmac_sha512(k, n),
  parts: (core, key, parts) => hmacParts(core, false, key, parts),
};

const HMAC_SHA3_512: HmacHash = {
  outLen: 64,
  oneCall: (core, k, n) => core.x.hmac_sha3_512(k, n),
  parts: (core, key, parts) => hmacParts(core, true, key, parts),
};

const HMAC_SHA256: HmacHash = {
  outLen: 32,
  oneCall: (core, k, n) => core.x.hmac_sha256(k, n),
  parts: (core, key, parts) => hmac256Parts(core, key, parts),
};

/** HMAC in one WASM call (key and data side by side in IO) when they fit, else streamed. */
function hmacOneShot(core: Core, h: HmacHash, key: Uint8Array, data: Uint8Array): Uint8Array {
  bytes(key, 'key');
  bytes(data, 'data');
  const k = key.length;
  if (k + data.length > core.ioSize) return h.parts(core, key, [data]);
  const m = core.view();
  m.set(key, core.io);
  m.set(data, core.io + k);
  h.oneCall(core, k, data.length);
  return core.output(h.outLen);
}

/** The HMAC behind one HKDF variant: its output length and a streaming HMAC over parts. */
interface HkdfHash {
  readonly hashLen: number;
  readonly max: number;
  mac(core: Core, key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array;
  /** The one-call WASM HKDF over salt ‖ ikm ‖ info laid out in IO; wipes salt and ikm. */
  oneCall(core: Core, saltLen: number, ikmLen: number, infoLen: number, length: number): void;
}

const HKDF_SHA512: HkdfHash = {
  hashLen: 64,
  max: HKDF_SHA512_MAX,
  mac: HMAC_SHA512.parts,
  oneCall: (core, s, i, n, len) => core.x.hkdf_sha512(s, i, n, len),
};

const HKDF_SHA256: HkdfHash = {
  hashLen: 32,
  max: HKDF_SHA256_MAX,
  mac: HMAC_SHA256.parts,
  oneCall: (core, s, i, n, len) => core.x.hkdf_sha256(s, i, n, len),
};

/** RFC 5869 §2.3 expand from a PRK through streaming HMACs (inputs larger than IO). */
function hkdfExpand(core: Core, h: HkdfHash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const okm = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let block = 1, pos = 0; pos < length; block++, pos += h.hashLen) {
    t = h.mac(core, prk, [t, info, Uint8Array.of(block)]);
    okm.set(t.subarray(0, Math.min(h.hashLen, length - pos)), pos);
  }
  return okm;
}

/** HKDF (RFC 5869) in one WASM call when salt ‖ ikm ‖ info fits IO, else composed from HMACs. */
function hkdfWith(core: Core, h: HkdfHash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  outputLength(length, 'length', h.max);
  bytes(ikm, 'ikm');
  bytes(salt, 'salt');
  bytes(info, 'info');
  const s = salt.length;
  const i = ikm.length;
  if (s + i + info.length <= core.ioSize) {
    const m = core.view();
    m.set(salt, core.io);
    m.set(ikm, core.io + s);
    m.set(info, core.io + s + i);
    h.oneCall(core, s, i, info.length, length);
    return takeSecret(core, 0, length);
  }
  const prk = h.mac(core, salt, [ikm]);
  try {
    return hkdfExpand(core, h, prk, info, length);
  } finally {
    prk.fill(0);
  }
}

/** Copies OUT[from..from+len) and wipes it (OKM is key material). */
function takeSecret(core: Core, from: number, len: number): Uint8Array {
  const m = core.view();
  const okm = m.slice(core.out + from, core.out + from + len);
  m.fill(0, core.out + from, core.out + from + len);
  return okm;
}

/**
 * HKDF-SHA-256 with one extract and several expands (RFC 5869 §2.2–2.3). Two infos that fit IO
 * — DARE's key and IV per frame (dare.md §4.2) — are one WASM call; anything else is composed.
 */
function hkdf256Multi(
  core: Core, ikm: Uint8Array, salt: Uint8Array, infos: readonly Uint8Array[], lengths: readonly number[],
): Uint8Array[] {
  bytes(ikm, 'ikm');
  bytes(salt, 'salt');
  byteArrayList(infos, 'infos');
  if (!Array.isArray(lengths) || lengths.length !== infos.length) {
    throw new CryptoError('CRYPTO_INVALID_ARGUMENT', 'lengths must be an array with one length per info');
  }
  for (const n of lengths) outputLength(n, 'length', HKDF_SHA256_MAX);
  const s = salt.length;
  const i = ikm.length;
  if (infos.length === 2 && s + i + infos[0]!.length + infos[1]!.length <= core.ioSize) {
    const [a, b] = infos as [Uint8Array, Uint8Array];
    const [la, lb] = lengths as [number, number];
    const m = core.view();
    m.set(salt, core.io);
    m.set(ikm, core.io + s);
    m.set(a, core.io + s + i);
    m.set(b, core.io + s + i + a.length);
    core.x.hkdf_sha256_pair(s, i, a.length, la, b.length, lb); // wipes salt and ikm from IO
    const both = takeSecret(core, 0, la + lb);
    return [both.subarray(0, la), both.subarray(la)];
  }
  const prk = hmacOneShot(core, HMAC_SHA256, salt, ikm);
  try {
    return infos.map((info, k) => (hkdfExpand(core, HKDF_SHA256, prk, info, lengths[k]!)));
  } finally {
    prk.fill(0);
  }
}

/** One-shot SHA3-512, as `sha512Digest`. */
function sha3Digest(core: Core, data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n <= core.ioSize) {
    const m = core.view();
    m.set(data, core.io);
    core.x.sha3_512(n);
    return core.digest64();
  }
  const s = new SpongeStream(core, false, 64);
  s.update(data);
  return s.digest();
}

/** One-shot SHAKE256: one WASM call when input fits IO and output fits OUT. */
function shakeDigest(core: Core, data: Uint8Array, outLen: number): Uint8Array {
  const n = data.length;
  if (n <= core.ioSize && outLen <= core.outSize) {
    const m = core.view();
    m.set(data, core.io);
    core.x.shake256(n, outLen);
    return m.slice(core.out, core.out + outLen);
  }
  const s = new SpongeStream(core, true, outLen);
  s.update(data);
  return s.digest();
}

/** Set bits of a leaf count (up to 2^53): the depth of its compact range. */
function popcount(n: number): number {
  let c = 0;
  for (; n > 0; n = Math.floor(n / 2)) c += n % 2;
  return c;
}

/**
 * An RFC 9162 compact range whose subtree roots live in WASM memory: `append` is O(log n)
 * hashes (amortised O(1)), `root()` O(log n). Same members as `MerkleCompactRange` in
 * `../merkle.ts` (plus batch `appendAll` and `reset`), so DARE sequences can keep one per file on
 * either backend. Many ranges may be alive at once; they take turns in the core's one range slot.
 */
export interface WasmMerkleRange {
  /** Number of leaves appended so far. */
  readonly size: number;
  /** The subtree roots, leftmost first (copies); with `size` this is the whole state. */
  readonly subtreeRoots: Uint8Array[];
  /** Appends one leaf (hashed as H(0x00 ‖ leaf)). */
  append(leaf: Uint8Array): this;
  /** Appends many leaves, as many per WASM call as fit in the I/O region. */
  appendAll(leaves: readonly Uint8Array[]): this;
  /** Appends a leaf whose hash H(0x00 ‖ leaf) is already known (64 bytes). */
  appendLeafHash(hash: Uint8Array): this;
  /** Empties the range. */
  reset(): this;
  /** The RFC 9162 tree head over every leaf appended so far. */
  root(): Uint8Array;
  /**
   * A sequence frame's integrity step in one WASM call (dare.md §9.4): PD = SHA-512(payload),
   * append PD as a leaf, and return PD ‖ new head (128 bytes; `subarray` them, no copies).
   */
  appendPayload(payload: Uint8Array): Uint8Array;
}

class MerkleRange implements WasmMerkleRange, SlotUser {
  saved: Uint8Array | null = null;
  private count = 0;
  constructor(private readonly core: Core) {
    core.range.claim(this);
    core.x.merkle_reset();
  }

  liveBytes(): number {
    return 64 + 64 * popcount(this.count);
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.count;
  }

  /** The subtree roots, leftmost first (copies). */
  get subtreeRoots(): Uint8Array[] {
    this.core.range.claim(this);
    const m = this.core.view();
    const roots: Uint8Array[] = [];
    for (let i = 0, d = popcount(this.count); i < d; i++) {
      roots.push(m.slice(this.core.rangePtr + 64 + 64 * i, this.core.rangePtr + 128 + 64 * i));
    }
    return roots;
  }

  /** Appends one leaf (hashed as H(0x00 ‖ leaf)). */
  append(leaf: Uint8Array): this {
    return this.appendAll([bytes(leaf, 'leaf')]);
  }

  /** Batches as many leaves as fit in IO into each WASM call; leaf hashes and merges run in WASM. */
  appendAll(leaves: readonly Uint8Array[]): this {
    byteArrayList(leaves, 'leaves'); // all checked before any is appended
    const core = this.core;
    const x = core.x;
    const io = core.io;
    const ioSize = core.ioSize;
    const lensCap = core.lensCap;
    core.range.claim(this);
    let m = core.view();
    let pos = 0;
    let count = 0;
    const flush = (): void => {
      if (count === 0) return;
      x.merkle_append_leaves(count);
      this.count += count;
      pos = 0;
      count = 0;
    };
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i]!;
      const len = leaf.length;
      if (len + 1 > ioSize) {
        flush();
        const s = newSha512Stream(core);
        s.update(LEAF_PREFIX);
        s.update(leaf);
        const h = s.digest();
        core.range.claim(this);
        m = core.view();
        m.set(h, io);
        x.merkle_append_hash();
        this.count++;
        continue;
      }
      if (pos + len + 1 > ioSize || count === lensCap) flush();
      m[io + pos] = 0;
      m.set(leaf, io + pos + 1);
      // Leaf lengths as little-endian u32, WASM's byte order, whatever the host's.
      const l = core.lens + 4 * count;
      m[l] = len;
      m[l + 1] = len >>> 8;
      m[l + 2] = len >>> 16;
      m[l + 3] = len >>> 24;
      pos += len + 1;
      count++;
    }
    flush();
    return this;
  }

  /** Appends a leaf whose hash H(0x00 ‖ leaf) is already known (64 bytes). */
  appendLeafHash(hash: Uint8Array): this {
    bytes(hash, 'hash');
    if (hash.length !== 64) {
      throw new CryptoError('CRYPTO_INVALID_LENGTH', `leaf hash must be 64 bytes, got ${hash.length}`);
    }
    this.core.range.claim(this);
    this.core.view().set(hash, this.core.io);
    this.core.x.merkle_append_hash();
    this.count++;
    return this;
  }

  /** Empties the range. */
  reset(): this {
    this.core.range.claim(this);
    this.core.x.merkle_reset();
    this.count = 0;
    return this;
  }

  appendPayload(payload: Uint8Array): Uint8Array {
    bytes(payload, 'payload');
    const core = this.core;
    if (payload.length > core.ioSize) {
      const pd = sha512Digest(core, payload);
      this.appendLeafHash(new MerkleHasherOnCore(core).leafHash(pd));
      const out = new Uint8Array(128);
      out.set(pd);
      out.set(this.root(), 64);
      return out;
    }
    core.range.claim(this);
    core.view().set(payload, core.io);
    core.x.merkle_append_payload(payload.length);
    this.count++;
    return core.view().slice(core.out, core.out + 128);
  }

  /** The RFC 9162 tree head over every leaf appended so far. */
  root(): Uint8Array {
    this.core.range.claim(this);
    this.core.x.merkle_root();
    return this.core.output(64);
  }
}

const LEAF_PREFIX = new Uint8Array(1);

/** H(0x00 ‖ leaf) on the core, for payloads too large for the one-call path. */
class MerkleHasherOnCore {
  constructor(private readonly core: Core) {}
  leafHash(leaf: Uint8Array): Uint8Array {
    const s = newSha512Stream(this.core);
    s.update(LEAF_PREFIX);
    s.update(leaf);
    return s.digest();
  }
}

const cores = new WeakMap<WebAssembly.Exports, Core>();
function coreOf(exports: WebAssembly.Exports): Core {
  let core = cores.get(exports);
  if (core === undefined) {
    core = new Core(exports);
    cores.set(exports, core);
  }
  return core;
}

/** Factory of WASM-backed Merkle compact ranges over an instantiated `hash` module. */
export function wasmMerkleRange(exports: WebAssembly.Exports): () => WasmMerkleRange {
  const core = coreOf(exports);
  return () => new MerkleRange(core);
}

/** The primitives of `CryptoProvider` that the `hash` WASM family implements. */
export type WasmHashPrimitives = Pick<
  CryptoProvider,
  | 'sha512' | 'sha256' | 'sha3_512' | 'shake256' | 'hmacSha512' | 'hmacSha256' | 'hmacSha3_512' | 'hkdfSha512'
  | 'hkdfSha256' | 'hkdfSha256Multi' | 'merkleRoot'
> & { readonly merkleRange: () => WasmMerkleRange };

/**
 * Wraps the exports of an instantiated `hash` module (`core-wasm/hash`) as provider methods.
 * Throws CRYPTO_WASM_FAILED if the exports are not those of that module.
 */
export function createWasmHash(exports: WebAssembly.Exports): WasmHashPrimitives {
  const core = coreOf(exports);
  let merkle: MerkleRange | null = null;
  return {
    sha512: hashShape('sha512', 64, SHA512_BLOCK, (d) => sha512Digest(core, d), () => newSha512Stream(core)),
    sha3_512: hashShape('sha3_512', 64, SHA3_512_BLOCK, (d) => sha3Digest(core, d), () => new SpongeStream(core, false, 64)),
    shake256: xofShape('shake256', 136, (d, n) => shakeDigest(core, d, n), (n) => new SpongeStream(core, true, n)),
    hmacSha512: (key, data) => hmacOneShot(core, HMAC_SHA512, key, data),
    hmacSha3_512: (key, data) => hmacOneShot(core, HMAC_SHA3_512, key, data),
    hkdfSha512: (ikm, salt, info, length) => hkdfWith(core, HKDF_SHA512, ikm, salt, info, length),
    sha256: hashShape('sha256', 32, SHA256_BLOCK, (d) => sha256Digest(core, d), () => newSha256Stream(core)),
    hmacSha256: (key, data) => hmacOneShot(core, HMAC_SHA256, key, data),
    hkdfSha256: (ikm, salt, info, length) => hkdfWith(core, HKDF_SHA256, ikm, salt, info, length),
    hkdfSha256Multi: (ikm, salt, infos, lengths) => hkdf256Multi(core, ikm, salt, infos, lengths),
    merkleRange: () => new MerkleRange(core),
    merkleRoot(leaves) {
      // One range reused for every call: reset, batch-append (which checks `leaves`), read the head.
      if (merkle === null) merkle = new MerkleRange(core);
      else merkle.reset();
      return merkle.appendAll(leaves).root();
    },
  };
}
