import { ProtocolError } from './errors.js';

/**
 * Replay protection (protocol.md §2): a service refuses a `(keyid, nonce)` it has seen while the
 * signature could still be accepted. The cache is a contract so that several hosts of one
 * service share it (a PostgreSQL implementation keeps it in the database); {@link MemoryReplayCache}
 * serves one process.
 *
 * The service consults it only after the signature verified, so an unauthenticated party cannot
 * fill it.
 */
export interface ReplayCache {
  /**
   * Records `(keyid, nonce)` and answers whether it was already recorded — `true` means a
   * replay. Check and record are one atomic step: of two concurrent calls with the same pair,
   * exactly one answers `false`. The pair must be kept until `expires` (Unix time, seconds): after
   * that instant the service refuses the signature as stale anyway, so the entry may be dropped.
   */
  seen(keyid: string, nonce: string, expires: number): Promise<boolean>;
}

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /**
   * Most pairs held at once. When full (after dropping expired pairs) the cache refuses to record
   * more — `seen` throws — rather than forget a live pair and let its replay through.
   */
  readonly maxEntries?: number;
  /** Clock in milliseconds (tests); default `Date.now`. */
  readonly now?: () => number;
}

/** A {@link ReplayCache} in this process's memory (one service host). */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #max: number;
  readonly #now: () => number;
  #nextSweep = 0;

  constructor(options: MemoryReplayCacheOptions = {}) {
    this.#max = options.maxEntries ?? 1_000_000;
    this.#now = options.now ?? Date.now;
  }

  /** Pairs held now (expired ones may linger until the next sweep). */
  get size(): number {
    return this.#entries.size;
  }

  async seen(keyid: string, nonce: string, expires: number): Promise<boolean> {
    // JavaScript runs this body without interleaving: check and record are atomic.
    const id = `${keyid} ${nonce}`;
    const now = this.#now() / 1000;
    const held = this.#entries.get(id);
    if (held !== undefined && held >= now) return true;
    if (this.#entries.size >= this.#max || now >= this.#nextSweep) this.#sweep(now);
    if (this.#entries.size >= this.#max) {
      throw new ProtocolError('PROTOCOL_TOO_LARGE', `replay cache full (${this.#max} live nonces): refusing rather than forgetting one`);
    }
    this.#entries.set(id, expires);
    return false;
  }

  #sweep(now: number): void {
    for (const [id, expires] of this.#entries) if (expires < now) this.#entries.delete(id);
    this.#nextSweep = now + 10;
  }
}

/**
 * A verified request's nonce that the binding has not burnt yet: the handler of a transaction the
 * binding defers (`MeshHttpServiceOptions.deferNonce`) records it with its own commit, in the
 * storage the binding's {@link ReplayCache} reads, so the nonce and the request's changes are one
 * atomic step. The handler reports what its commit found; whatever it reports — or if it reports
 * nothing — the nonce is burnt before the response leaves (see the binding).
 */
export interface PendingNonce {
  /** The signature's keyid. */
  readonly keyid: string;
  /** The signature's nonce. */
  readonly nonce: string;
  /** Until when the nonce must be remembered (Unix time, seconds), as in {@link ReplayCache.seen}. */
  readonly expires: number;
  /** The handler's commit recorded the nonce together with its changes. */
  claimed(): void;
  /** The handler's commit found the nonce already recorded: the request is a replay (it changed nothing). */
  replayed(): void;
}
