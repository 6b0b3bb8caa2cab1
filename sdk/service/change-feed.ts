import type { ServiceEvent, ServiceWatch, WatchOptions } from './store.js';

/**
 * The `watch()` semantics of the service-store contract (store.ts), written once for every
 * implementation: a store publishes the events of each durable commit; every watcher gets them
 * in publication order through its own bounded queue. A watcher more than `highWaterMark`
 * events behind has its queue collapsed into a single `resync` (and events that arrive while
 * that `resync` is still unread are dropped: reading the heads after it covers them), so a slow
 * consumer costs bounded memory and never slows the writer. Events are shared between watchers:
 * do not modify them.
 */
export class ChangeFeed {
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  /** Number of open watchers. */
  get size(): number {
    return this.watchers.size;
  }

  /** Delivers events to every open watcher. */
  publish(events: readonly ServiceEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.watchers) for (const e of events) w.push(e);
  }

  /** A new watcher (already ended if the feed is closed). */
  watch(options: WatchOptions = {}): ServiceWatch {
    const w = new Watcher(options.highWaterMark ?? 10_000, () => this.watchers.delete(w));
    if (this.closed || options.signal?.aborted) w.close();
    else {
      this.watchers.add(w);
      options.signal?.addEventListener('abort', () => w.close(), { once: true });
    }
    return w;
  }

  /** Ends every watcher; later watchers end at once. */
  close(): void {
    this.closed = true;
    for (const w of [...this.watchers]) w.close();
  }
}

const RESYNC: ServiceEvent = Object.freeze({ type: 'resync' });

class Watcher implements ServiceWatch {
  private queue: ServiceEvent[] = [];
  private waiting: ((r: IteratorResult<ServiceEvent>) => void) | undefined;
  private done = false;
  /** The queue is exactly one unread `resync` standing for everything since. */
  private collapsed = false;

  constructor(private readonly highWaterMark: number, private readonly onClose: () => void) {
    if (!(Number.isSafeInteger(highWaterMark) && highWaterMark >= 1)) throw new RangeError(`highWaterMark ${highWaterMark} is not a positive integer`);
  }

  push(e: ServiceEvent): void {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: e, done: false });
      return;
    }
    if (this.collapsed) return;
    if (this.queue.length >= this.highWaterMark || e.type === 'resync') {
      this.queue = [RESYNC];
      this.collapsed = true;
      return;
    }
    this.queue.push(e);
  }

  next(): Promise<IteratorResult<ServiceEvent>> {
    const e = this.queue.shift();
    if (e !== undefined) {
      this.collapsed = false;
      return Promise.resolve({ value: e, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ServiceEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    this.onClose();
    const w = this.waiting;
    this.waiting = undefined;
    w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
