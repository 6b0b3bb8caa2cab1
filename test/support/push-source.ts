import type { PushChangeSource, PushSourceEvent, PushSourceHead, PushSourceWatch } from '../../sdk/service/push/source.js';

/**
 * A change source for push tests: heads per account and store, and a feed that publishes each
 * commit to every watcher — the shape of the service store's `watch`/`heads` (store.ts), kept to
 * what the push service consumes. Commits here move heads only (no frames): the push channel
 * carries heads, never frames.
 */
export class TestChangeSource implements PushChangeSource {
  readonly #heads = new Map<string, Map<string, PushSourceHead>>();
  readonly #watchers = new Set<TestWatch>();
  /** Heads reads so far (to check one read per account on a resync). */
  headsReads = 0;
  /** Makes `heads` fail (the store is down). */
  failHeads = false;

  /** Sets a head without publishing (initial state). */
  set(account: string, store: string, nextIndex: number, digest?: Uint8Array): void {
    let stores = this.#heads.get(account);
    if (stores === undefined) this.#heads.set(account, (stores = new Map()));
    stores.set(store, digest === undefined ? { store, nextIndex } : { store, nextIndex, digest });
  }

  /** Appends `frames` frames to a store and publishes the change; returns the new next index. */
  commit(account: string, store: string, frames = 1, digest?: Uint8Array): number {
    const next = (this.#heads.get(account)?.get(store)?.nextIndex ?? 0) + frames;
    this.set(account, store, next, digest);
    this.publish(digest === undefined ? { type: 'change', account, store, nextIndex: next } : { type: 'change', account, store, nextIndex: next, digest });
    return next;
  }

  /** Removes an account and publishes `deleted`. */
  deleteAccount(account: string): void {
    this.#heads.delete(account);
    this.publish({ type: 'deleted', account });
  }

  publish(event: PushSourceEvent): void {
    for (const w of this.#watchers) w.push(event);
  }

  /** Ends every watcher (the store closed). */
  end(): void {
    for (const w of [...this.#watchers]) w.close();
  }

  get watchers(): number {
    return this.#watchers.size;
  }

  watch(): PushSourceWatch {
    const w = new TestWatch(() => this.#watchers.delete(w));
    this.#watchers.add(w);
    return w;
  }

  async heads(account: string): Promise<readonly PushSourceHead[]> {
    this.headsReads++;
    await Promise.resolve();
    if (this.failHeads) throw new Error('heads: the store is down');
    return [...(this.#heads.get(account)?.values() ?? [])].sort((a, b) => (a.store < b.store ? -1 : 1));
  }
}

class TestWatch implements PushSourceWatch {
  readonly #queue: PushSourceEvent[] = [];
  #waiting: ((r: IteratorResult<PushSourceEvent>) => void) | undefined;
  #done = false;

  constructor(private readonly onClose: () => void) {}

  push(e: PushSourceEvent): void {
    if (this.#done) return;
    const w = this.#waiting;
    this.#waiting = undefined;
    if (w) w({ value: e, done: false });
    else this.#queue.push(e);
  }

  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.onClose();
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<PushSourceEvent> {
    return {
      next: () => {
        const e = this.#queue.shift();
        if (e !== undefined) return Promise.resolve({ value: e, done: false });
        if (this.#done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.#waiting = resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
