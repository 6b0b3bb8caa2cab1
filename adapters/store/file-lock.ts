import { SequenceError } from '../../sdk/dare/sequence/store.js';

/**
 * Private helper of the file adapters (Node, Bun, Deno): the writer lock of a sequence file,
 * shared by every runtime so their writers exclude each other. It has no window in which two
 * live writers both hold the lock — neither the stale-lock takeover race (two processes find the
 * same dead holder; one takes over, the other deletes the new lock and takes it too) nor the
 * empty-lock-file case (a lock file created and not yet written, read as "nobody").
 *
 * Design: the lock is a directory `FILE.lock/` of *generation files* `g<16 hex digits>`, each
 * holding one writer's identity; the writer of the highest generation holds the lock unless that
 * generation has a `g….free` marker (released) or its holder is dead. To take the lock, a writer
 * reads the highest generation m, checks that it is free or dead, and creates generation m + 1
 * *exclusively* — a compare-and-swap the file system arbitrates: of all writers that judged m
 * free or dead, exactly one creates m + 1. Nothing ever deletes the highest generation, so the
 * number only grows, and a writer can only win m + 1 by having seen m. Then it lists the
 * directory again and backs off if any higher generation exists (a writer with an old view may
 * re-create a number below the top that an owner already cleaned up; such a writer is always
 * below the current top and backs off). Finally it deletes the generations below its own.
 *
 * A generation file is created complete: written under a temporary name, then hard-linked to
 * its generation name (`link` fails if the name exists), so it is never seen empty. A holder is
 * dead when its process is gone (`process.kill(pid, 0)`, same host) or, for Deno writers, when
 * nobody holds the `flock` it keeps on its generation file (taken before the link makes the name
 * visible). Pid reuse can only make a dead holder look alive (a spurious `DARE_LOCKED`), never
 * the reverse. File systems without hard links, and locks shared across hosts, are not supported.
 */

/** The file operations the protocol needs, supplied per runtime. */
export interface LockFs {
  /** Creates `dir` if missing (and its parents). */
  ensureDir(dir: string): Promise<void>;
  /** The names in `dir`. */
  list(dir: string): Promise<string[]>;
  /**
   * Creates `path` with content `text` atomically (complete when the name appears) and only if
   * `path` does not exist; undefined when it exists. The holder keeps whatever the runtime needs
   * alive while the lock is held (Deno: the flocked handle).
   */
  createExclusive(path: string, text: string): Promise<LockHolder | undefined>;
  /** The content of `path`, undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Deletes `path`; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /** True unless the holder whose generation file is `path` with content `text` is known to be dead. */
  holderAlive(path: string, text: string): Promise<boolean>;
}

/** What a runtime keeps while holding a generation file. */
export interface LockHolder {
  close(): Promise<void>;
}

/** A held writer lock. */
export interface HeldLock {
  /** Marks the generation free (the next writer takes over at once); idempotent. */
  release(): Promise<void>;
}

/** Test hook: awaited between the protocol's steps, so a test can widen every race window. */
export type LockPause = (step: 'listed' | 'judged' | 'created' | 'verified') => Promise<void>;

const GEN = /^g[0-9a-f]{16}$/;
const genName = (g: number): string => 'g' + g.toString(16).padStart(16, '0');

/** Takes the writer lock of `lockDir` for the identity `text` (e.g. `pid 1234 node`); `DARE_LOCKED` when held. */
export async function acquireFileLock(fs: LockFs, lockDir: string, text: string, pause?: LockPause): Promise<HeldLock> {
  const at = (name: string): string => `${lockDir}/${name}`;
  await io(() => fs.ensureDir(lockDir), lockDir);
  for (let attempt = 0; attempt < 8; attempt++) {
    const names = await io(() => fs.list(lockDir), lockDir);
    const top = highest(names);
    await pause?.('listed');
    if (top > 0 && !names.includes(genName(top) + '.free')) {
      const holder = await io(() => fs.readText(at(genName(top))), lockDir);
      if (holder === undefined) continue; // a newer writer cleaned it up meanwhile: look again
      if (await fs.holderAlive(at(genName(top)), holder)) {
        throw new SequenceError('DARE_LOCKED', `${lockDir} is held by ${holder.trim() || 'another writer'}`);
      }
    }
    await pause?.('judged');
    const mine = top + 1;
    const kept = await io(() => fs.createExclusive(at(genName(mine)), text), lockDir);
    if (!kept) continue; // another writer won generation `mine`: judge it on the next round
    await pause?.('created');
    const after = await io(() => fs.list(lockDir), lockDir);
    if (highest(after) > mine) {
      // An old view: someone else holds a higher generation. Ours was never the top.
      await kept.close();
      await fs.remove(at(genName(mine))).catch(() => undefined);
      continue;
    }
    await pause?.('verified');
    for (const n of after) {
      const g = GEN.test(n.slice(0, 17)) ? parseInt(n.slice(1, 17), 16) : NaN;
      if (g < mine) await fs.remove(at(n)).catch(() => undefined);
    }
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        try {
          await fs.createExclusive(at(genName(mine) + '.free'), 'free\n').then((h) => h?.close());
        } finally {
          await kept.close();
        }
      },
    };
  }
  throw new SequenceError('DARE_LOCKED', `${lockDir}: other writers keep taking the lock; try again`);
}

/** The highest generation among `names` (0 when none). */
function highest(names: readonly string[]): number {
  let top = 0;
  for (const n of names) if (GEN.test(n)) top = Math.max(top, parseInt(n.slice(1), 16));
  return top;
}

async function io<T>(f: () => Promise<T>, where: string): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof SequenceError) throw e;
    throw new SequenceError('DARE_IO', `writer lock ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** The pid in an identity text `pid <decimal|0x hex> <runtime>`, or NaN. */
export function pidOf(text: string): number {
  const m = /^pid (0x[0-9a-f]+|[0-9]+)\b/.exec(text.trim());
  return m ? Number(m[1]) : NaN;
}
