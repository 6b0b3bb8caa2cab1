import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { link, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { escapeText } from './escape.js';
import { gcPacer } from './gc-pacer.js';
import { CliExit, type CliIo } from './io.js';

/**
 * Files as every `mesh` command opens them, so that ordinary mistakes read the same everywhere:
 * one line naming the file and the reason (`mesh: notes.txt: no such file`), status 2, never a
 * stack trace; and outputs that appear whole or not at all. Shared by the envelope, hash, key
 * and sequence commands:
 * - {@link inputFile} / {@link readInput}: a file to read, or `-` for standard input;
 * - {@link outputTarget}: where a result goes, checked before any work (the directory exists,
 *   the file does not unless `--force`), `-` for standard output;
 * - {@link AtomicFile}: written beside its final name under a temporary one, renamed on
 *   success, removed on failure or interruption (Ctrl-C), so a failed command leaves nothing;
 * - {@link StagedName}: the same for outputs some other writer fills (a sequence file written
 *   through its store), and {@link trackTemporary} for any temporary path (a staging directory);
 * - {@link fileProblem}: the one-line message for an fs error.
 */

/** `-` as a file argument: standard input or standard output. */
export const STDIO = '-';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
  EPIPE: 'the reader closed the pipe',
  EBUSY: 'busy',
  EFBIG: 'file too large',
};

/** The errno code of an fs error, if it is one. */
export function errnoOf(e: unknown): string | undefined {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' ? (e as NodeJS.ErrnoException).code : undefined;
}

/** `path: reason` as one escaped line, for any error an fs call threw. */
export function fileProblem(path: string, e: unknown): CliExit {
  const code = errnoOf(e);
  const reason = code !== undefined ? REASONS[code] ?? code.toLowerCase() : e instanceof Error ? e.message : String(e);
  return new CliExit(2, `${shown(path)}: ${reason}`);
}

/** A path as printed in messages (escaped: file names are user or attacker text). */
export function shown(path: string): string {
  return path === STDIO ? 'standard input/output' : escapeText(path);
}

/** What an input argument turned out to be. */
export interface InputFile {
  readonly path: string;
  /** Bytes, when it is a regular file. */
  readonly size: number | undefined;
}

/**
 * Checks an input argument before any work: it exists, is not a directory, can be opened.
 * `-` is standard input (no check).
 */
export async function inputFile(path: string): Promise<InputFile> {
  if (path === STDIO) return { path, size: undefined };
  let s;
  try {
    s = await stat(path);
  } catch (e) {
    throw fileProblem(path, e);
  }
  if (s.isDirectory()) throw new CliExit(2, `${shown(path)}: is a directory, not a file`);
  try {
    (await open(path, 'r')).close().catch(() => undefined);
  } catch (e) {
    throw fileProblem(path, e);
  }
  return { path, size: s.isFile() ? s.size : undefined };
}

/** Bytes per read of an input file. */
const READ_SIZE = 1 << 20;

/**
 * The bytes of an input (a checked {@link InputFile}) in chunks of up to 1 MiB. Two buffers take
 * turns, the next read running while the consumer works on the last chunk; a chunk's buffer is
 * reused once the chunk after next is asked for (what `mathmesh/dare` stream sources allow).
 * fs errors become one-line {@link CliExit}s naming the file.
 */
export async function* readInput(input: InputFile, io: CliIo): AsyncGenerator<Uint8Array> {
  if (input.path === STDIO) {
    const pace = gcPacer();
    for await (const chunk of io.stdin()) {
      pace(chunk.length);
      yield chunk;
    }
    return;
  }
  let handle: FileHandle;
  try {
    handle = await open(input.path, 'r');
  } catch (e) {
    throw fileProblem(input.path, e);
  }
  try {
    const buffers = [new Uint8Array(READ_SIZE), new Uint8Array(READ_SIZE)];
    let turn = 0;
    const readInto = (b: Uint8Array) => handle.read(b, 0, b.length, null);
    let next = readInto(buffers[turn]!);
    const pace = gcPacer();
    for (;;) {
      let n: number;
      try {
        n = (await next).bytesRead;
      } catch (e) {
        throw fileProblem(input.path, e);
      }
      if (n === 0) return;
      pace(n);
      const chunk = buffers[turn]!.subarray(0, n);
      turn ^= 1;
      next = readInto(buffers[turn]!);
      next.catch(() => undefined); // awaited above on the next turn
      yield chunk;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Where a command's output goes. */
export interface OutputTarget {
  readonly path: string;
  readonly force: boolean;
  /** What to tell a user whose file appeared meanwhile. */
  readonly whenExists?: string;
}

/**
 * Checks an output argument before any work: its directory exists; the file does not exist
 * unless `force` (and is never a directory). `-` is standard output.
 */
export async function outputTarget(path: string, force: boolean, whenExists = 'use --force to replace it'): Promise<OutputTarget> {
  if (path === STDIO) return { path, force };
  const dir = dirname(resolve(path));
  try {
    const d = await stat(dir);
    if (!d.isDirectory()) throw new CliExit(2, `${shown(path)}: ${shown(dirname(path))} is not a directory`);
  } catch (e) {
    if (e instanceof CliExit) throw e;
    if (errnoOf(e) === 'ENOENT') throw new CliExit(2, `${shown(path)}: the directory ${shown(dirname(path))} does not exist`);
    throw fileProblem(path, e);
  }
  let existing;
  try {
    existing = await stat(path);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw fileProblem(path, e);
  }
  if (existing?.isDirectory()) throw new CliExit(2, `${shown(path)}: is a directory`);
  if (existing && !force) throw new CliExit(2, `${shown(path)}: already exists (${whenExists})`);
  return { path, force, whenExists };
}

/** Temporary paths of this process not yet renamed or removed: removed if it is interrupted. */
const unfinished = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const f of unfinished) {
    try {
      rmSync(f, { recursive: true, force: true });
    } catch {
      // already gone, or cannot be removed: nothing more to do while dying
    }
  }
  unfinished.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Die of the signal, as the default handler would have.
  process.kill(process.pid, signal);
}

/**
 * Registers a temporary file or directory this process created: removed (with its content) if the
 * process is interrupted before {@link untrackTemporary}.
 */
export function trackTemporary(path: string): void {
  if (unfinished.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  unfinished.add(path);
}

/** The temporary path was renamed into place or removed. */
export function untrackTemporary(path: string): void {
  unfinished.delete(path);
  if (unfinished.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/**
 * A temporary name beside an output's final name (same directory, so the rename is atomic) for a
 * file some writer fills; {@link StagedName.commit} puts it in place — renamed over the final
 * name with `--force`, else linked to it, which fails if a file appeared there meanwhile — and
 * {@link StagedName.discard} removes it. Paths the writer creates beside it (`extras`, e.g. a
 * store's lock directory) are removed either way; all of them on Ctrl-C too.
 */
export class StagedName {
  private done = false;

  private constructor(readonly target: OutputTarget, readonly path: string, private readonly extras: readonly string[]) {}

  /** Reserves a temporary name for `target` (nothing is created yet); `extras` are suffixes of paths made beside it. */
  static reserve(target: OutputTarget, extras: readonly string[] = []): StagedName {
    const temp = join(dirname(resolve(target.path)), `.${basename(target.path)}.${randomBytes(6).toString('hex')}.tmp`);
    const staged = new StagedName(target, temp, extras.map((x) => temp + x));
    for (const p of [temp, ...staged.extras]) trackTemporary(p);
    return staged;
  }

  /** Puts the file in place under its final name. */
  async commit(): Promise<void> {
    if (this.done) return;
    try {
      if (this.target.force) {
        await rename(this.path, this.target.path);
      } else {
        try {
          await link(this.path, this.target.path);
        } catch (e) {
          if (errnoOf(e) === 'EEXIST') {
            throw new CliExit(2, `${shown(this.target.path)}: already exists (${this.target.whenExists ?? 'use --force to replace it'})`);
          }
          if (errnoOf(e) !== 'EPERM' && errnoOf(e) !== 'ENOTSUP' && errnoOf(e) !== 'EXDEV') throw e;
          await rename(this.path, this.target.path); // a file system without hard links
        }
        await unlink(this.path).catch(() => undefined);
      }
      this.done = true;
      untrackTemporary(this.path);
      await this.removeExtras();
    } catch (e) {
      await this.discard();
      throw e instanceof CliExit ? e : fileProblem(this.target.path, e);
    }
  }

  /** Gives up: nothing is left behind. */
  async discard(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await rm(this.path, { force: true }).catch(() => undefined);
      untrackTemporary(this.path);
    }
    await this.removeExtras();
  }

  private async removeExtras(): Promise<void> {
    for (const x of this.extras) {
      await rm(x, { recursive: true, force: true }).catch(() => undefined);
      untrackTemporary(x);
    }
  }
}

/** Writes smaller than this are gathered and written with the next large one (one call, not two). */
const GATHER_BELOW = 16 * 1024;

/**
 * An output file that appears only when complete: written under a temporary name in the same
 * directory (same file system, so the rename is atomic), then renamed over the final name —
 * or, without `--force`, linked to it, which fails if a file appeared there meanwhile. On
 * failure or interruption the temporary file is removed.
 */
export class AtomicFile {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private done = false;

  private constructor(readonly target: OutputTarget, private readonly name: StagedName, private readonly handle: FileHandle) {}

  /** Creates the temporary file (mode `mode`, default 0644; 0600 for secrets). */
  static async create(target: OutputTarget, mode = 0o644): Promise<AtomicFile> {
    const name = StagedName.reserve(target);
    let handle: FileHandle;
    try {
      handle = await open(name.path, 'wx', mode);
    } catch (e) {
      await name.discard();
      throw fileProblem(target.path, e);
    }
    return new AtomicFile(target, name, handle);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length < GATHER_BELOW) {
      this.pending.push(bytes.slice());
      this.pendingBytes += bytes.length;
      if (this.pendingBytes < GATHER_BELOW) return;
      return this.flush([]);
    }
    return this.flush([bytes]);
  }

  private async flush(more: Uint8Array[]): Promise<void> {
    const parts = [...this.pending, ...more];
    this.pending = [];
    this.pendingBytes = 0;
    try {
      let left = parts.reduce((n, p) => n + p.length, 0);
      while (left > 0) {
        const { bytesWritten } = await this.handle.writev(parts);
        left -= bytesWritten;
        // A short write (rare): drop what went out and go on with the rest.
        let skip = bytesWritten;
        while (skip > 0 && parts.length > 0) {
          if (parts[0]!.length <= skip) skip -= parts.shift()!.length;
          else {
            parts[0] = parts[0]!.subarray(skip);
            skip = 0;
          }
        }
      }
    } catch (e) {
      throw fileProblem(this.target.path, e);
    }
  }

  /** Finishes: the file appears under its name, whole. */
  async commit(): Promise<void> {
    if (this.done) return;
    try {
      await this.flush([]);
      await this.handle.close();
    } catch (e) {
      await this.abort();
      throw e instanceof CliExit ? e : fileProblem(this.target.path, e);
    }
    this.done = true;
    await this.name.commit(); // on failure it removes the temporary file itself
  }

  /** Gives up: nothing is left behind. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await this.name.discard();
  }

  /** As a Web `WritableStream`: closing commits, aborting (a failed check upstream) discards. */
  writable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: (chunk) => this.write(chunk),
      close: () => this.commit(),
      abort: () => this.abort(),
    });
  }
}

/** A `WritableStream` onto standard output (which cannot take anything back: see the commands' help). */
export function stdoutWritable(io: CliIo): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: async (chunk) => {
      try {
        await io.writeStdout(chunk);
      } catch (e) {
        throw errnoOf(e) === 'EPIPE' ? new CliExit(2, 'standard output: the reader closed the pipe') : fileProblem(STDIO, e);
      }
    },
  });
}

/** Where a command's report goes: stdout, unless the payload itself goes there (`-`). */
export function reportTo(io: CliIo, output: string): (text: string) => void {
  return output === STDIO ? (t) => io.stderr(t) : (t) => io.stdout(t);
}
