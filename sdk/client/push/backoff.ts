/**
 * Reconnection delays (protocol.md §2: the client reconnects with jittered exponential backoff,
 * 1 s → 60 s): attempt n waits a nominal `min(maxMs, initialMs · 2ⁿ)`, drawn uniformly from
 * its upper half, so that clients dropped together (a service restart) do not return together
 * while none waits less than half the nominal delay. Jitter needs no secret, so `Math.random`
 * serves unless a test injects its own.
 */

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First nominal delay; default 1,000 ms. */
  readonly initialMs?: number;
  /** Largest nominal delay; default 60,000 ms. */
  readonly maxMs?: number;
  /** Uniform in [0, 1); default `Math.random`. */
  readonly random?: () => number;
}

/** Jittered exponential backoff (see the module comment). */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 1_000;
    this.#max = options.maxMs ?? 60_000;
    if (!(this.#initial > 0 && this.#max >= this.#initial)) throw new RangeError(`backoff ${this.#initial} → ${this.#max} ms is not 0 < initial ≤ max`);
    this.#random = options.random ?? Math.random;
  }

  /** Attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The nominal delay of the next attempt. */
  get nominal(): number {
    return Math.min(this.#max, this.#initial * 2 ** Math.min(this.#attempt, 40));
  }

  /** The delay before the next attempt, in ms; counts the attempt. */
  next(): number {
    const nominal = this.nominal;
    this.#attempt++;
    const r = Math.min(Math.max(this.#random(), 0), 1);
    return nominal / 2 + (nominal / 2) * r;
  }

  /** Back to the first delay (a connection held). */
  reset(): void {
    this.#attempt = 0;
  }
}
