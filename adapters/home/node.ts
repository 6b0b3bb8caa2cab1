import { randomBytes } from 'node:crypto';
import {
  chmodSync, closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { MemoryStore } from '../store/memory.js';
import { NodeFileStore } from '../store/node-fs.js';
import type { Durability, SequenceStore } from '../../sdk/dare/sequence/store.js';
import { checkHomeName, homeError, type HomeStorage } from '../../sdk/mesh/host/storage.js';

/** Owner-only modes of everything in a home (mesh-model.md §4: private material readable only by its owner). */
export const HOME_DIR_MODE = 0o700;
export const HOME_FILE_MODE = 0o600;

/**
 * The home folder of a Node (or Bun) host: `--home DIR`, else `MESH_HOME`, else `~/.mathmesh`.
 * The CLI passes its option and environment; library users pass their own.
 */
export function defaultHomePath(options: { home?: string; env?: Record<string, string | undefined> } = {}): string {
  const env = options.env ?? process.env;
  if (options.home !== undefined && options.home !== '') return options.home;
  if (env['MESH_HOME'] !== undefined && env['MESH_HOME'] !== '') return env['MESH_HOME'];
  return join(homedir(), '.mathmesh');
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'EIO';
}

/**
 * A {@link HomeStorage} in a folder: records are files replaced atomically (a uniquely named
 * temporary file, written and fsync'ed, renamed over the record, then the folder fsync'ed);
 * sequences are files opened through {@link NodeFileStore} (fsync or group commit, writer lock,
 * torn-tail repair). Every folder is created 0700 and every file 0600, whatever the umask; an
 * existing home folder open to others is narrowed to 0700 when opened (its owner is the user, or
 * the open fails with `MESH_HOME`). A folder that is a symbolic link is refused: the home must be
 * where it says.
 */
export class NodeHome implements HomeStorage {
  readonly location: string;

  private constructor(readonly root: string) {
    this.location = root;
  }

  /** Opens (creating it 0700 when missing) the home folder `path`. */
  static open(path: string): NodeHome {
    try {
      mkdirSync(path, { recursive: true, mode: HOME_DIR_MODE });
      const st = lstatSync(path);
      if (!st.isDirectory()) throw homeError(`${path} is not a folder`);
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw homeError(`${path} belongs to another user`);
      if ((st.mode & 0o077) !== 0) chmodSync(path, HOME_DIR_MODE);
    } catch (e) {
      if (e instanceof Error && e.name === 'MeshError') throw e;
      throw homeError(`cannot open the home folder ${path}: ${code(e)}`, e);
    }
    return new NodeHome(path);
  }

  private path(name: string, what: 'record' | 'sequence' | 'folder'): string {
    return join(this.root, ...checkHomeName(name, what));
  }

  private ensureFolder(dir: string): void {
    if (dir === this.root) return;
    this.ensureFolder(dirname(dir));
    try {
      mkdirSync(dir, { mode: HOME_DIR_MODE });
      chmodSync(dir, HOME_DIR_MODE); // the umask may have narrowed mkdir's mode further; never wider
      syncFolder(dirname(dir));
    } catch (e) {
      if (code(e) !== 'EEXIST') throw homeError(`cannot create ${dir}: ${code(e)}`, e);
      if (!lstatSync(dir).isDirectory()) throw homeError(`${dir} is not a folder`);
    }
  }

  async readRecord(name: string): Promise<Uint8Array | undefined> {
    const p = this.path(name, 'record');
    try {
      return new Uint8Array(readFileSync(p));
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      throw homeError(`cannot read ${p}: ${code(e)}`, e);
    }
  }

  async writeRecord(name: string, bytes: Uint8Array): Promise<void> {
    const p = this.path(name, 'record');
    this.ensureFolder(dirname(p));
    const tmp = `${p}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeNew(tmp, bytes);
      renameSync(tmp, p);
      syncFolder(dirname(p));
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // already renamed or never created
      }
      throw homeError(`cannot write ${p}: ${code(e)}`, e);
    }
  }

  async createRecord(name: string, bytes: Uint8Array): Promise<boolean> {
    const p = this.path(name, 'record');
    this.ensureFolder(dirname(p));
    // Written under a temporary name, then linked to the record's name: link() fails if the name
    // exists, so the record appears complete or not at all, and only one creator wins.
    const tmp = `${p}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeNew(tmp, bytes);
      try {
        linkSync(tmp, p);
      } catch (e) {
        if (code(e) === 'EEXIST') return false;
        throw e;
      }
      syncFolder(dirname(p));
      return true;
    } catch (e) {
      throw homeError(`cannot create ${p}: ${code(e)}`, e);
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing to remove
      }
    }
  }

  async deleteRecord(name: string): Promise<void> {
    const p = this.path(name, 'record');
    try {
      unlinkSync(p);
      syncFolder(dirname(p));
    } catch (e) {
      if (code(e) !== 'ENOENT') throw homeError(`cannot delete ${p}: ${code(e)}`, e);
    }
  }

  async list(folder: string): Promise<string[]> {
    const p = this.path(folder, 'folder');
    try {
      // Only names a home may hold: temporary files and lock folders are not items.
      return readdirSync(p).filter((n) => /^[A-Za-z0-9]/.test(n) && !n.endsWith('.tmp') && !n.endsWith('.lock')).sort();
    } catch (e) {
      if (code(e) === 'ENOENT') return [];
      throw homeError(`cannot list ${p}: ${code(e)}`, e);
    }
  }

  async openSequence(name: string, options: { write?: boolean; durability?: Durability } = {}): Promise<SequenceStore> {
    const p = this.path(name, 'sequence');
    if (!options.write) {
      try {
        statSync(p);
      } catch (e) {
        if (code(e) === 'ENOENT') return MemoryStore.fromBytes(new Uint8Array(0));
      }
      return NodeFileStore.openRead(p);
    }
    this.ensureFolder(dirname(p));
    // Created 0600 before the store opens it (the store creates files with the umask's mode).
    try {
      closeSync(openSync(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, HOME_FILE_MODE));
      chmodSync(p, HOME_FILE_MODE);
      syncFolder(dirname(p));
    } catch (e) {
      if (code(e) !== 'EEXIST') throw homeError(`cannot create ${p}: ${code(e)}`, e);
    }
    return NodeFileStore.openWrite(p, { durability: options.durability ?? 'fsync' });
  }

  async deleteSequence(name: string): Promise<void> {
    const p = this.path(name, 'sequence');
    try {
      unlinkSync(p);
      rmSync(p + '.lock', { recursive: true, force: true });
      syncFolder(dirname(p));
    } catch (e) {
      if (code(e) !== 'ENOENT') throw homeError(`cannot delete ${p}: ${code(e)}`, e);
    }
  }
}

/** Writes a new file (exclusive create, 0600 whatever the umask) and fsyncs it. */
function writeNew(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, HOME_FILE_MODE);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, HOME_FILE_MODE);
}

/** fsync of a folder, so that a created or renamed name survives a power cut (not on Windows). */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
