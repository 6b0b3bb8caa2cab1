import { linkSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { pidOf, type LockFs } from './file-lock.js';

/**
 * Private helper of the Node (and Bun) file adapter: the operations of the shared writer-lock
 * protocol (file-lock.ts) on `node:fs`. Generation files are written under a temporary name and
 * hard-linked into place, so they are complete when they appear; a holder is alive while its pid
 * is (`process.kill(pid, 0)`; EPERM means alive, owned by another user).
 */

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** Whether process `pid` exists on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === 'EPERM';
  }
}

let temps = 0;

/** The lock protocol's file operations on node:fs. */
export const nodeLockFs: LockFs = {
  async ensureDir(dir) {
    mkdirSync(dir, { recursive: true });
  },
  async list(dir) {
    return readdirSync(dir);
  },
  async createExclusive(path, text) {
    const tmp = `${path.slice(0, path.lastIndexOf('/'))}/tmp-${process.pid}-${Date.now().toString(36)}-${temps++}`;
    writeFileSync(tmp, text, { flag: 'wx' });
    try {
      linkSync(tmp, path);
      return { close: async () => undefined };
    } catch (e) {
      if (code(e) === 'EEXIST') return undefined;
      throw e;
    } finally {
      try {
        unlinkSync(tmp);
      } catch { /* gone already */ }
    }
  },
  async readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      throw e;
    }
  },
  async remove(path) {
    try {
      unlinkSync(path);
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
  },
  async holderAlive(_path, text) {
    const pid = pidOf(text);
    // Anything but a well-formed identity is treated as a live holder: never taken over by guess.
    return !(Number.isSafeInteger(pid) && pid > 0) || pidAlive(pid);
  },
};

/** This process's identity in a generation file. */
export const nodeLockIdentity = (): string => `pid ${process.pid} node\n`;
