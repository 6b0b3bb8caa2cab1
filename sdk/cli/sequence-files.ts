import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NodeFileStore, syncDirectory } from '../../adapters/store/node-fs.js';
import { SequenceError, SequenceReader, type Durability, type ReaderOptions } from '../dare/sequence/index.js';
import { escapeText } from './escape.js';
import { errnoOf, fileProblem, inputFile, shown, STDIO, StagedName, type OutputTarget } from './files.js';
import { CliExit } from './io.js';

/**
 * Sequence files as the `mesh dare` sequence commands open them, so that ordinary mistakes are
 * one line naming the file and the reason (files.ts has the conventions): a missing file, a
 * directory, a file that is not a sequence, a sequence another process is writing, and typed
 * errors about a sequence's content, each reported against the file's name. New sequences are
 * written under a temporary name and appear only when complete ({@link stagedSequence}).
 */

/** True when the bytes start like a sequence: a frame tag F0–F7 (dare.md §8). */
export function looksLikeSequence(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0]! >= 0xf0 && bytes[0]! <= 0xf7;
}

/** The first byte of a file (none when it is empty), with fs errors as one line. */
async function firstByte(path: string): Promise<Uint8Array> {
  let h;
  try {
    h = await open(path, 'r');
  } catch (e) {
    throw fileProblem(path, e);
  }
  try {
    const b = new Uint8Array(1);
    const { bytesRead } = await h.read(b, 0, 1, 0);
    return b.subarray(0, bytesRead);
  } catch (e) {
    throw fileProblem(path, e);
  } finally {
    await h.close().catch(() => undefined);
  }
}

/** True when the file at `path` starts like a sequence (its first byte only is read). */
export async function startsLikeSequence(path: string): Promise<boolean> {
  return looksLikeSequence(await firstByte(path));
}

/**
 * A typed error about the sequence in `path` as one line naming the file: store failures with
 * their system reason, a held writer lock in words, anything else as `CODE: message` (escaped:
 * messages quote names and kids from the file). Other errors pass through.
 */
export function aboutSequence(path: string, e: unknown): unknown {
  if (!(e instanceof SequenceError)) return e;
  if (e.code === 'DARE_IO' && errnoOf(e.cause) !== undefined) return fileProblem(path, e.cause);
  if (e.code === 'DARE_LOCKED') return new CliExit(2, `${shown(path)}: another process is writing to this sequence (DARE_LOCKED); try again when it is done`);
  return new CliExit(2, `${shown(path)}: ${e.code}: ${escapeText(e.message)}`);
}

/** Why `path` cannot be opened as a sequence, once opening failed with `e`. */
async function openProblem(path: string, e: unknown): Promise<unknown> {
  if (!(e instanceof SequenceError) || e.code === 'DARE_IO' || e.code === 'DARE_LOCKED') return aboutSequence(path, e);
  const head = await firstByte(path).catch(() => undefined);
  if (head !== undefined && head.length === 0) return new CliExit(2, `${shown(path)}: empty, not a DARE sequence`);
  if (head !== undefined && !looksLikeSequence(head)) return new CliExit(2, `${shown(path)}: not a DARE sequence`);
  return new CliExit(2, `${shown(path)}: not a readable DARE sequence: ${e.code}: ${escapeText(e.message)}`);
}

/** Checks that `path` names an existing sequence file (not `-`, not a directory); `missing` says what to do when it does not exist. */
export async function existingSequence(path: string, missing?: string): Promise<void> {
  if (path === STDIO) throw new CliExit(2, 'a sequence is a file: standard input cannot be one');
  try {
    await stat(path);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' && missing !== undefined) throw new CliExit(2, `${shown(path)}: no such sequence (${missing})`);
    throw fileProblem(path, e);
  }
  await inputFile(path);
}

/** Opens a sequence for reading; every failure to do so is one line naming the file. */
export async function openSequence(path: string, options: ReaderOptions = {}): Promise<SequenceReader> {
  await existingSequence(path);
  let store: NodeFileStore;
  try {
    store = await NodeFileStore.openRead(path);
  } catch (e) {
    throw aboutSequence(path, e);
  }
  try {
    return await SequenceReader.open(store, options);
  } catch (e) {
    await store.close();
    throw await openProblem(path, e);
  }
}

/** Opens a sequence's store for appending (the writer lock taken); failures as one line. */
export async function openSequenceForAppend(path: string, durability: Durability): Promise<NodeFileStore> {
  await existingSequence(path, `create it first with: mesh dare create ${escapeText(path)}`);
  try {
    return await NodeFileStore.openWrite(path, { durability, create: false });
  } catch (e) {
    throw aboutSequence(path, e);
  }
}

/** A new sequence being written under a temporary name: `commit` makes it appear, `discard` removes it. */
export interface StagedSequence {
  readonly store: NodeFileStore;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Starts a new sequence for `target` (checked by `outputTarget`): a store on a temporary file
 * beside it, so that a failed `create` or `archive` leaves no half-made sequence. The writer lock
 * the store takes on the temporary name (`….lock/`) is removed with it.
 */
export async function stagedSequence(target: OutputTarget, durability: Durability): Promise<StagedSequence> {
  if (target.path === STDIO) throw new CliExit(2, 'a sequence is written to a file, not to standard output');
  const name = StagedName.reserve(target, ['.lock']);
  let store: NodeFileStore;
  try {
    store = await NodeFileStore.openWrite(name.path, { durability });
  } catch (e) {
    await name.discard();
    throw aboutSequence(target.path, e);
  }
  return {
    store,
    async commit() {
      await store.close(); // idempotent: the writer closed it already
      await name.commit();
      if (durability !== 'none') {
        try {
          syncDirectory(dirname(name.path));
        } catch (e) {
          throw aboutSequence(target.path, e);
        }
      }
    },
    async discard() {
      await store.close().catch(() => undefined);
      await name.discard();
    },
  };
}
