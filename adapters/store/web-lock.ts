import { SequenceError } from '../../sdk/dare/sequence/store.js';

/**
 * Private helper of the browser adapters: the writer lock as a Web Lock (`navigator.locks`,
 * exclusive, `ifAvailable`). Web Locks are per origin and span tabs and workers, and the browser
 * releases a lock when its holder's tab or worker goes away — so a crashed writer never leaves a
 * stale lock behind (what the file adapters need a pid check for).
 */

interface LockManagerLike {
  request(name: string, options: { mode: 'exclusive'; ifAvailable: true }, callback: (lock: unknown) => Promise<void>): Promise<void>;
}

/** A held lock; `release()` lets the next writer in. */
export interface WebLockHold {
  release(): void;
}

/** Takes the exclusive Web Lock `name` now, or throws `DARE_LOCKED`; `DARE_IO` without Web Locks. */
export async function takeWebLock(name: string, what: string): Promise<WebLockHold> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (!locks) throw new SequenceError('DARE_IO', `${what}: writers need the Web Locks API (navigator.locks), which this context lacks`);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const got = await new Promise<boolean>((resolve, reject) => {
    locks.request(name, { mode: 'exclusive', ifAvailable: true }, async (lock) => {
      resolve(lock !== null);
      if (lock !== null) await held; // the lock is held until this callback's promise settles
    }).catch(reject);
  });
  if (!got) throw new SequenceError('DARE_LOCKED', `${what} is open for writing elsewhere (Web Lock ${name})`);
  let done = false;
  return {
    release() {
      if (done) return;
      done = true;
      release();
    },
  };
}
