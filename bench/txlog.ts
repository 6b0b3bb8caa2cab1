import { createCipheriv, createHmac, createSecretKey, generateKeyPairSync, hkdfSync, randomFillSync, sign, type KeyObject } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { MemoryStore } from '../adapters/store/memory.js';
import { frameSealer, initSync } from '../sdk/crypto/index.js';
import { darePrivateKey, publicPart } from '../sdk/dare/keys.js';
import { ed448HeadSigner, SequenceWriter } from '../sdk/dare/sequence/index.js';
import { FRAME_SEALER_CONFIG } from '../sdk/dare/sequence/sealed-frame.js';
import { spreadOf, type Spread } from './stats.js';
import type { measureTxlogInChild } from './txlog-child.js';

/**
 * The transaction log of the card ("high-volume servers encrypting transaction logs"): RECORDS
 * records of 256 B into an encrypted Merkle sequence (one X448 recipient, `Session` mode: one key
 * exchange, then per frame a salt, HKDF-SHA-256 key/IV/MAC key, AES-256-CBC, PayloadMac), heads
 * signed with Ed448 every 10,000 frames and on close, default routing after `init()`, in memory
 * (MemoryStore). Measured in the same run against a bare loop of the same cryptography on
 * node:crypto, alternating round by round.
 *
 * The bare loop (`bareLog`) does per record exactly the cryptographic work a frame needs after the
 * trust changes (dare.md §4.2, §9.4; our PayloadMac), each step with the fastest node:crypto call
 * we found, inputs in reused buffers, no JSON:
 *   1. salt: 16 bytes from a pool refilled 4 KiB at a time (as the writer does);
 *   2. key (32), IV (16), MAC key (32) = HKDF-SHA-256 of the base seed and salt with DARE's labels:
 *      the faster, measured in this run, of `hkdfSync` (one call per label: node:crypto has no
 *      extract/expand split) and HKDF written on `createHmac` (one extract, three expands —
 *      exactly the writer's work);
 *   3. AES-256-CBC of the record (createCipheriv, update, final);
 *   4. HD = SHA-512 of a header of the real size, PD = SHA-512 of the ciphertext (`crypto.hash`);
 *   5. PayloadMac = HMAC-SHA-512(MAC key, the 156-byte MAC message with PD and HD);
 *   6. leaf hash SHA-512(0x00 ‖ HD ‖ PD), the RFC 9162 compact-range merges and the tree head of
 *      every frame (a Merkle sequence writes TreeDigest in every frame), one `crypto.hash` per node;
 *   7. an Ed448 signature of the head every 10,000 records (`crypto.sign`).
 * `bareLog(…, { tree: false })` leaves out step 6 — the original definition plus HD, PD
 * and the leaf hash — and is reported beside it. test/bench-txlog.test.ts checks that the bare
 * loop computes the writer's values (ciphertext, HD, PD, MAC, head) for the same inputs.
 */
export const RECORDS = 100_000;
export const RECORD = 256;
export const SIGN_EVERY = 10_000;
export const TXLOG_GROUP = `Transaction log ${RECORDS.toLocaleString('en-US')} × ${RECORD} B (memory, encrypted Merkle, heads signed every ${SIGN_EVERY.toLocaleString('en-US')})`;

const recipient = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 29 + 5) & 0xff));
const signerSeed = Uint8Array.from({ length: 57 }, (_, i) => (i * 17 + 3) & 0xff);
export const txRecord = Uint8Array.from({ length: RECORD }, (_, i) => (i * 31 + 7) & 0xff);

/** Appends `records` records to a new in-memory log on the current routing; returns records/s. */
export async function writerLog(records = RECORDS): Promise<number> {
  const t0 = performance.now();
  const w = await SequenceWriter.create(new MemoryStore(), {
    type: 'Merkle', encrypt: { recipients: [publicPart(recipient)] }, signer: ed448HeadSigner(signerSeed), signEvery: SIGN_EVERY,
  });
  for (let i = 0; i < records; i++) w.append(txRecord);
  await w.close();
  return records / ((performance.now() - t0) / 1000);
}

// ---- the bare loop on node:crypto ------------------------------------------------------------

/** `crypto.hash` (Node ≥ 20.12: no Hash object) where present, else createHash. */
const hashFn = (nodeCrypto as unknown as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;
const sha512 = (d: Uint8Array): Buffer => (hashFn ? hashFn('sha512', d, 'buffer') : nodeCrypto.createHash('sha512').update(d).digest());

const LABELS = [FRAME_SEALER_CONFIG.keyInfo, FRAME_SEALER_CONFIG.ivInfo, FRAME_SEALER_CONFIG.macInfo].map((l) => Buffer.from(l));
const EXPAND = LABELS.map((l) => Buffer.concat([l, Buffer.of(1)]));

export type BareKdf = 'hkdfSync' | 'hmac';

/** DARE's item keys (dare.md §4.2) on node:crypto: [key 32, IV 16, MAC key 32]. */
export function bareKeys(kdf: BareKdf, seed: KeyObject | Uint8Array, salt: Uint8Array): [Buffer, Buffer, Buffer] {
  if (kdf === 'hkdfSync') {
    return [
      Buffer.from(hkdfSync('sha256', seed, salt, LABELS[0]!, 32)),
      Buffer.from(hkdfSync('sha256', seed, salt, LABELS[1]!, 16)),
      Buffer.from(hkdfSync('sha256', seed, salt, LABELS[2]!, 32)),
    ];
  }
  const prk = createHmac('sha256', salt).update(seed as Uint8Array).digest();
  return [
    createHmac('sha256', prk).update(EXPAND[0]!).digest(),
    createHmac('sha256', prk).update(EXPAND[1]!).digest().subarray(0, 16),
    createHmac('sha256', prk).update(EXPAND[2]!).digest(),
  ];
}

/** One bare-loop log's state: a compact range of SHA-512 node hashes in reused buffers. */
export class BareFrames {
  private readonly stack: Buffer[] = [];
  private count = 0;
  private readonly node = Buffer.alloc(129, 0);
  private readonly leaf = Buffer.alloc(129, 0);
  private readonly mac = Buffer.from(FRAME_SEALER_CONFIG.macTemplate);
  private readonly seedKey: KeyObject;

  constructor(private readonly seed: Uint8Array, private readonly kdf: BareKdf, private readonly tree = true) {
    this.seedKey = createSecretKey(seed);
    this.node[0] = 1;
  }

  /** One frame's cryptography; returns what the frame carries. */
  frame(salt: Uint8Array, header: Uint8Array, record: Uint8Array): { ct: Buffer; hd: Buffer; pd: Buffer; mac: Buffer; head: Buffer | undefined } {
    const [key, iv, macKey] = bareKeys(this.kdf, this.kdf === 'hkdfSync' ? this.seedKey : this.seed, salt);
    const c = createCipheriv('aes-256-cbc', key, iv);
    const ct = Buffer.concat([c.update(record), c.final()]);
    const hd = sha512(header);
    const pd = sha512(ct);
    hd.copy(this.mac, FRAME_SEALER_CONFIG.headerDigestOffset);
    pd.copy(this.mac, FRAME_SEALER_CONFIG.payloadDigestOffset);
    const mac = createHmac('sha512', macKey).update(this.mac).digest();
    hd.copy(this.leaf, 1);
    pd.copy(this.leaf, 65);
    let node = sha512(this.leaf);
    if (!this.tree) return { ct, hd, pd, mac, head: undefined };
    for (let n = this.count; (n & 1) === 1; n >>>= 1) node = this.nodeHash(this.stack.pop()!, node);
    this.stack.push(node);
    this.count++;
    let head = this.stack[this.stack.length - 1]!;
    for (let i = this.stack.length - 2; i >= 0; i--) head = this.nodeHash(this.stack[i]!, head);
    return { ct, hd, pd, mac, head };
  }

  private nodeHash(l: Buffer, r: Buffer): Buffer {
    l.copy(this.node, 1);
    r.copy(this.node, 65);
    return sha512(this.node);
  }
}

/** A header of the writer's size (sealed-frame.ts) for index i; only its length matters to the cost. */
export const bareHeader = Buffer.from('{"enc":"A256CBC","dig":"S512","Salt":"AAAAAAAAAAAAAAAAAAAAAA","SequenceInfo":{"Index":65536,"TreePosition":31415926,"ExchangePosition":1}}');

const ed448Key = /* lazily */ (() => {
  let k: KeyObject | undefined;
  return (): KeyObject => (k ??= generateKeyPairSync('ed448').privateKey);
})();

/** The bare loop for `records` records; returns records/s. */
export function bareLog(records = RECORDS, options: { kdf?: BareKdf; tree?: boolean } = {}): number {
  const t0 = performance.now();
  const seed = new Uint8Array(32);
  randomFillSync(seed);
  const frames = new BareFrames(seed, options.kdf ?? 'hmac', options.tree !== false);
  const pool = Buffer.alloc(4096);
  let at = pool.length;
  const key = ed448Key();
  for (let i = 0; i < records; i++) {
    if (at + 16 > pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    const salt = pool.subarray(at, at + 16);
    at += 16;
    const f = frames.frame(salt, bareHeader, txRecord);
    if (f.head !== undefined && (i + 1) % SIGN_EVERY === 0) sign(null, f.head, key);
  }
  return records / ((performance.now() - t0) / 1000);
}

// ---- the floor and the literal loop ---------------------------------------------------

/**
 * The writer's cryptography alone: one `FrameSealer.seal` per record (the call the writer makes,
 * on the default routing after `init()`: one WASM call), on a header of the writer's size, salts
 * from a pool as the writer draws them — and nothing else: no header or trailer text, no frame
 * bytes, no store, no result objects. No writer can beat this on one thread; `bare / sealer` is
 * the ratio a writer with zero cost outside its cryptography would reach in the same round.
 * (The writer's 10 head signatures per 100,000 records, ~0.02 µs a record, are left out.)
 */
export function sealerLog(records = RECORDS): number {
  const t0 = performance.now();
  const sealer = frameSealer(FRAME_SEALER_CONFIG);
  const seed = new Uint8Array(32);
  randomFillSync(seed);
  const pool = new Uint8Array(4096);
  let at = pool.length;
  for (let i = 0; i < records; i++) {
    if (at + 16 > pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    sealer.seal(seed, pool.subarray(at, at + 16), bareHeader, bareHeader.length, txRecord);
    at += 16;
  }
  seed.fill(0);
  return records / ((performance.now() - t0) / 1000);
}

/**
 * The loop exactly as the issue words it — per record one HKDF-SHA-512 giving key, IV and MAC key
 * (80 bytes, one `hkdfSync`), AES-256-CBC of the record, HMAC-SHA-512 of the ciphertext — with a
 * fresh 16-byte salt per record from the same 4 KiB pool. It does less than a frame needs (no
 * header digest, no payload digest, no leaf or tree head, DARE's three labels folded into one) and
 * is reported for comparison with the wording only; the target is held to {@link bareLog}.
 */
export function literalLog(records = RECORDS): number {
  const t0 = performance.now();
  const seed = createSecretKey(randomFillSync(new Uint8Array(32)));
  const pool = Buffer.alloc(4096);
  let at = pool.length;
  const info = Buffer.from('dare');
  for (let i = 0; i < records; i++) {
    if (at + 16 > pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    const k = Buffer.from(hkdfSync('sha512', seed, pool.subarray(at, at + 16), info, 80));
    at += 16;
    const c = createCipheriv('aes-256-cbc', k.subarray(0, 32), k.subarray(32, 48));
    const ct = Buffer.concat([c.update(txRecord), c.final()]);
    createHmac('sha512', k.subarray(48, 80)).update(ct).digest();
  }
  return records / ((performance.now() - t0) / 1000);
}

/** Which HKDF form is faster on this runtime now (a short timed run of each). */
export function fasterKdf(): BareKdf {
  const seed = new Uint8Array(32);
  const salt = new Uint8Array(16);
  const key = createSecretKey(seed);
  const time = (k: BareKdf): number => {
    const t0 = performance.now();
    for (let i = 0; i < 3000; i++) bareKeys(k, k === 'hkdfSync' ? key : seed, salt);
    return performance.now() - t0;
  };
  time('hkdfSync');
  time('hmac');
  let a = 0;
  let b = 0;
  for (let r = 0; r < 3; r++) {
    a += time('hkdfSync');
    b += time('hmac');
  }
  return a < b ? 'hkdfSync' : 'hmac';
}

// ---- the measurement -------------------------------------------------------------------------

/** Figures of the transaction-log measurement (bench/results/latest.json `txlog`). */
export interface TxlogReport {
  records: number;
  /** The HKDF form the bare loop used (the faster one in this run). */
  bareKdf: BareKdf;
  writer: Spread & { rounds: number[] };
  bare: Spread & { rounds: number[] };
  bareNoTree: Spread & { rounds: number[] };
  /** Per-round writer/bare ratios. */
  ratio: Spread & { rounds: number[] };
  ratioNoTree: Spread & { rounds: number[] };
  /** The writer's cryptography alone ({@link sealerLog}); absent in reports made before it existed. */
  sealer?: Spread & { rounds: number[] };
  /** Per-round bare/sealer: the most any single-threaded writer could reach against {@link bareLog}. */
  floorRatio?: Spread & { rounds: number[] };
  /** The literal loop ({@link literalLog}) and the writer against it. */
  literal?: Spread & { rounds: number[] };
  ratioLiteral?: Spread & { rounds: number[] };
  /**
   * Where both loops ran: in the process that called {@link measureTxlog}, or in a fresh child
   * process (txlog-child.ts, what `npm run bench` uses).
   */
  isolation?: 'in process' | 'child process';
  /** Records/s of independent logs on 1 and 2 worker threads (txlog-threads.ts). */
  threads?: { threads: number; recordsPerSec: Spread; rounds: number[] }[];
  note?: string;
}

const withRounds = (xs: number[]): Spread & { rounds: number[] } => ({ ...spreadOf(xs), rounds: xs.map((x) => +x.toPrecision(4)) });

/**
 * Same run, alternating: each round appends one whole log with the writer (default routing after
 * `init()`), then runs over as many records the bare loop with the tree, the sealer alone, the
 * bare loop without the tree and the literal loop. A warm-up
 * of each comes first. Ratios are per round (adjacent runs), then summarised. `npm run bench` runs
 * this in a fresh child process ({@link measureTxlogInChild}, txlog-child.ts) so that neither loop
 * inherits the heap of the benchmarks before it; the report says which (`isolation`).
 */
export async function measureTxlog(opts: { records?: number; rounds?: number; warmup?: number } = {}): Promise<TxlogReport> {
  const records = opts.records ?? RECORDS;
  const rounds = Math.max(1, opts.rounds ?? 3);
  initSync({});
  const kdf = fasterKdf();
  const warm = Math.min(opts.warmup ?? 20_000, records);
  await writerLog(warm);
  bareLog(warm, { kdf });
  bareLog(warm, { kdf, tree: false });
  sealerLog(warm);
  literalLog(warm);
  const w: number[] = [];
  const b: number[] = [];
  const bn: number[] = [];
  const s: number[] = [];
  const l: number[] = [];
  for (let r = 0; r < rounds; r++) {
    w.push(await writerLog(records));
    b.push(bareLog(records, { kdf }));
    s.push(sealerLog(records));
    bn.push(bareLog(records, { kdf, tree: false }));
    l.push(literalLog(records));
  }
  return {
    records, bareKdf: kdf, isolation: 'in process', writer: withRounds(w), bare: withRounds(b), bareNoTree: withRounds(bn),
    ratio: withRounds(w.map((x, i) => x / b[i]!)), ratioNoTree: withRounds(w.map((x, i) => x / bn[i]!)),
    sealer: withRounds(s), floorRatio: withRounds(s.map((x, i) => x / b[i]!)),
    literal: withRounds(l), ratioLiteral: withRounds(w.map((x, i) => x / l[i]!)),
  };
}

