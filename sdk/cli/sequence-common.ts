import type { Command } from 'commander';
import { concatBytes } from '../encoding/bytes.js';
import { DareError, publicPart, type DarePrivateKey, type DarePublicKey } from '../dare/index.js';
import {
  CONTAINER_TYPES, ed448HeadSigner, SequenceError, SequenceReader, VerifiedSequence, type ContainerType, type Durability, type HeadSigner,
} from '../dare/sequence/index.js';
import { escapeText } from './escape.js';
import { inputFile, readInput, shown } from './files.js';
import { CliExit, type CliIo } from './io.js';
import { loadKeyFile, privateKeyOf, type KeyFile } from './keyfile.js';
import { aboutSequence, openSequence } from './sequence-files.js';

/**
 * What the sequence commands share (sequence.ts, sequence-archive.ts): option parsers, the key
 * files behind `--encrypt`, `--key`, `--sign` and `--signer`, opening (and verifying) a sequence
 * for reading, and the command wrapper that turns typed errors into one line naming the file.
 */

/** How frames are numbered, in the help of every sequence command. */
export const FRAME_NUMBERS = '\nFrame numbers: frames are numbered as stored in the file, from 0. Frame 0 holds the sequence\'s policy, '
  + 'your first record is frame 1, and a frame that only carries a signed head (written when a signing writer closes) '
  + 'takes a number too: `mesh dare list` marks it "(signed head)".';

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function parseType(v: string): ContainerType {
  const t = CONTAINER_TYPES.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!t) throw new CliExit(2, `--type: one of ${CONTAINER_TYPES.map((x) => x.toLowerCase()).join(', ')}`);
  return t;
}

export function parseDurability(v: string): Durability {
  if (v !== 'fsync' && v !== 'group' && v !== 'none') throw new CliExit(2, '--durability: fsync, group or none');
  return v;
}

export async function keyFiles(paths: string[] | undefined): Promise<{ path: string; file: KeyFile }[]> {
  const out = [];
  for (const p of paths ?? []) out.push({ path: p, file: await loadKeyFile(p) });
  return out;
}

/** Private decryption keys of `--key` files (files without one are skipped: they may hold only a signer). */
export async function decryptionKeys(paths: string[] | undefined): Promise<DarePrivateKey[]> {
  return (await keyFiles(paths)).filter((k) => k.file.encrypt && 'privateKey' in k.file.encrypt).map((k) => privateKeyOf(k.file, 'encrypt', k.path));
}

/** Trusted signer keys of `--signer` files (public key files are enough). */
export async function trustedSigners(paths: string[] | undefined): Promise<DarePublicKey[]> {
  const out: DarePublicKey[] = [];
  for (const { path, file } of await keyFiles(paths)) {
    if (!file.sign || file.sign.algorithm !== 'Ed448') throw new CliExit(2, `--signer ${shown(path)}: no Ed448 signature key to trust`);
    out.push(publicPart(file.sign));
  }
  return out;
}

export async function signerOf(path: string): Promise<HeadSigner> {
  const k = privateKeyOf(await loadKeyFile(path), 'sign', path);
  if (k.algorithm !== 'Ed448') throw new CliExit(2, `${shown(path)}: signed heads need an Ed448 key`);
  return ed448HeadSigner(k.privateKey);
}

/** Recipient public keys of `--encrypt` files (a public key file is enough). */
export async function recipientsOf(paths: string[] | undefined): Promise<DarePublicKey[]> {
  const recipients = [];
  for (const p of paths ?? []) {
    const k = (await loadKeyFile(p)).encrypt;
    if (!k) throw new CliExit(2, `--encrypt ${shown(p)}: the key file holds no encryption key`);
    recipients.push(publicPart(k));
  }
  return recipients;
}

/**
 * Runs a command body about sequence `file`: a typed sequence error becomes one line naming the
 * file, an envelope-layer error (a key file) `CODE: message`; a non-zero status ends the command.
 */
export async function guarded(file: string, body: () => Promise<number | void>): Promise<void> {
  let status: number | void;
  try {
    status = await body();
  } catch (e) {
    if (e instanceof SequenceError) throw aboutSequence(file, e);
    if (e instanceof DareError) throw new CliExit(2, `${e.code}: ${escapeText(e.message)}`);
    throw e;
  }
  if (typeof status === 'number' && status !== 0) throw new CliExit(status, '');
}

export interface WriteOpts { key?: string[]; sign?: string; signEvery?: number; durability?: Durability; json?: boolean }

export interface ReadOpts { key?: string[]; signer?: string[]; integrityOnly?: boolean; allowUnsignedTail?: boolean; allowUnauthenticated?: boolean }

export async function openReader(file: string, o: ReadOpts): Promise<SequenceReader> {
  return openSequence(file, { keys: await decryptionKeys(o.key), allowUnauthenticated: o.allowUnauthenticated === true });
}

/** Opens and verifies a sequence before any of its content is used (extract.ts). */
export async function openVerified(file: string, o: ReadOpts): Promise<VerifiedSequence> {
  const trust = await trustedSigners(o.signer);
  const reader = await openReader(file, o);
  try {
    return await VerifiedSequence.open(reader, { trust, integrityOnly: o.integrityOnly === true, allowUnsignedTail: o.allowUnsignedTail === true });
  } catch (e) {
    await reader.store.close();
    if (e instanceof SequenceError && e.code === 'DARE_NOT_TRUSTED' && trust.length === 0) {
      throw new CliExit(2, `${shown(file)}: DARE_NOT_TRUSTED: no --signer given, so who wrote this sequence cannot be checked; give --signer KEYFILE, or --integrity-only to accept an intact file from anyone`);
    }
    throw e;
  }
}

/** The read options shared by extract and unarchive. */
export const readOptions = (c: Command): Command => c
  .option('--key <keyfile>', 'key file that decrypts the sequence (repeatable)', collect)
  .option('--signer <keyfile>', 'trusted signer: refuse unless its signed head covers the sequence (repeatable)', collect)
  .option('--integrity-only', 'accept an intact sequence without checking who wrote it')
  .option('--allow-unsigned-tail', 'accept frames after the last trusted signed head')
  .option('--allow-unauthenticated', 'read encrypted frames without a MAC (files written by older Mesh tools)');

/** The whole of an input (`-`: standard input), read before anything is written. */
export async function readWhole(path: string, io: CliIo): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readInput(await inputFile(path), io)) parts.push(chunk.slice()); // readInput reuses its buffers
  return concatBytes(...parts);
}
