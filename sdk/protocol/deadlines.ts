/**
 * Time limits of a client's requests without a timer per request: every request of one client
 * has the same limit, so their deadlines fall in the order they started, and one timer — set
 * for the oldest request in flight — serves them all. A request that ends leaves the queue (a
 * `Set`: removal in place); when the timer fires it aborts every request past its deadline and
 * sets itself for the next. A per-request `setTimeout`/`clearTimeout` pair cost a client about
 * as much as the request's AbortController.
 *
 * Deadlines are read on the monotonic clock (`performance.now`), as `setTimeout` measures.
 * The timer keeps a runtime alive while a request waits, as the per-request timer did.
 */
export class RequestDeadlines {
  readonly #limitMs: number;
  readonly #waiting = new Set<RequestDeadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(limitMs: number) {
    this.#limitMs = limitMs;
  }

  /** A request starts: its AbortController aborts once `limitMs` have passed, unless it {@link RequestDeadline.end}s first. */
  start(): RequestDeadline {
    const entry = new RequestDeadline(this, performance.now() + this.#limitMs);
    this.#waiting.add(entry);
    if (this.#timer === undefined) this.#arm(this.#limitMs);
    return entry;
  }

  /** @internal */
  end(entry: RequestDeadline): void {
    this.#waiting.delete(entry);
  }

  #arm(ms: number): void {
    // setTimeout takes at most 2^31 - 1 ms (longer fires at once): a longer limit waits in steps.
    this.#timer = setTimeout(() => this.#fire(), Math.min(Math.max(0, ms), 0x7fffffff));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const entry of this.#waiting) {
      // setTimeout may fire a little before the deadline it was set for (it rounds): wait on.
      if (entry.deadline > now) return this.#arm(entry.deadline - now);
      this.#waiting.delete(entry);
      entry.controller.abort();
    }
  }
}

/** One request's deadline: its abort signal, and `end()` once it has its answer. */
export class RequestDeadline {
  readonly controller = new AbortController();

  constructor(readonly owner: RequestDeadlines, readonly deadline: number) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The request is over (answered or failed): it is no longer timed. */
  end(): void {
    this.owner.end(this);
  }
}
