import type { SequenceStore } from '../../dare/sequence/store.js';
import type { ServiceFiles } from '../files.js';

interface Entry {
  readonly path: string;
  readonly file: Promise<SequenceStore | undefined>;
  refs: number;
  lastUse: number;
  /** Appended to since its last fsync. */
  dirty: boolean;
}

/**
 * Open store files, at most `max` of them idle (least recently used closed first), so a service
 * with many accounts stays within the process's descriptor limit. A file in use is never closed;
 * a file written since its last fsync is fsynced before it is closed, so `syncDirty` (the
 * checkpoint's "every applied frame is durable") covers closed files too.
 */
export class FileCache {
  private readonly entries = new Map<string, Entry>();
  private tick = 0;
  /**
   * A failed fsync of a store file. After one, the kernel may have dropped the pages while a
   * later fsync succeeds, so no later fsync can be trusted: checkpoints stop (the log keeps
   * every frame) until the store is reopened and the log re-applied.
   */
  private syncError: unknown;

  constructor(private readonly files: ServiceFiles, private readonly max: number) {}

  /**
   * Runs `f` on the file at `path` (created when `create` and absent; `f` gets undefined when
   * absent and not created). `write` marks the file for the next `syncDirty`.
   */
  async use<T>(path: string, options: { create: boolean; write: boolean }, f: (file: SequenceStore | undefined) => Promise<T>): Promise<T> {
    for (;;) {
      const e = this.entry(path, options.create);
      e.refs++;
      e.lastUse = ++this.tick;
      let file: SequenceStore | undefined;
      try {
        file = await e.file;
      } catch (err) {
        e.refs--;
        throw err;
      }
      if (file === undefined && options.create) {
        // Cached as absent by a reader; now it is to be created.
        e.refs--;
        if (this.entries.get(path) === e) this.entries.delete(path);
        continue;
      }
      try {
        if (options.write) e.dirty = true;
        return await f(file);
      } finally {
        e.refs--;
        if (this.entries.size > this.max) void this.evict();
      }
    }
  }

  private entry(path: string, create: boolean): Entry {
    let e = this.entries.get(path);
    if (e === undefined) {
      const opened = this.files.openFile(path, { create });
      const fresh: Entry = { path, file: opened, refs: 0, lastUse: 0, dirty: false };
      this.entries.set(path, fresh);
      // A failed open is not cached.
      opened.catch(() => {
        if (this.entries.get(path) === fresh) this.entries.delete(path);
      });
      e = fresh;
    }
    return e;
  }

  private async evict(): Promise<void> {
    // Chosen and removed in one synchronous step: no new user can pick a chosen entry up.
    const idle = [...this.entries.values()].filter((e) => e.refs === 0).sort((a, b) => a.lastUse - b.lastUse).slice(0, this.entries.size - this.max);
    for (const e of idle) this.entries.delete(e.path);
    await Promise.all(idle.map((e) => this.release(e).catch((err) => {
      if (e.dirty) this.syncError ??= err;
    })));
  }

  private async release(e: Entry): Promise<void> {
    const file = await e.file.catch(() => undefined);
    if (!file) return;
    try {
      if (e.dirty) await file.flush();
    } finally {
      await file.close();
    }
  }

  /** fsyncs every open file written since its last fsync (closed ones were fsynced on closing). */
  async syncDirty(): Promise<void> {
    if (this.syncError !== undefined) throw this.syncError;
    const dirty = [...this.entries.values()].filter((e) => e.dirty);
    await Promise.all(dirty.map(async (e) => {
      e.dirty = false;
      try {
        await (await e.file)?.flush();
      } catch (err) {
        e.dirty = true;
        this.syncError ??= err;
      }
    }));
    if (this.syncError !== undefined) throw this.syncError;
  }

  /** Closes (without syncing) every file under `dir/` — its account is being deleted. */
  async forget(dir: string): Promise<void> {
    const gone = [...this.entries.values()].filter((e) => e.path.startsWith(dir + '/'));
    for (const e of gone) this.entries.delete(e.path);
    await Promise.all(gone.map(async (e) => (await e.file.catch(() => undefined))?.close().catch(() => undefined)));
  }

  /** Syncs and closes every file. */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    const results = await Promise.allSettled(all.map((e) => this.release(e)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
