import { fstatSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { NodeFileStore } from '../../adapters/store/node-fs.js';
import type { Durability } from '../../adapters/store/types.js';
import { base64urlEncode } from '../encoding/base64url.js';
import { DareError, publicPart, type DarePrivateKey } from '../dare/index.js';
import {
  archiveEntryOf, archiveMeta, CONTAINER_TYPES, ed448HeadSigner, proveInclusion, safeArchivePath, SequenceError, SequenceReader,
  SequenceWriter, type ContainerType, type HeadSigner,
} from '../dare/sequence/index.js';
import { dareCommand } from './dare.js';
import { CliExit, type CliIo } from './io.js';
import { loadKeyFile, privateKeyOf } from './keyfile.js';
import { parseInteger } from './options.js';

/**
 * `mesh dare create|append|log|list|extract|prove|archive|unarchive` (issue 6): DARE sequences
 * on files (dare.md §9). `verify` is the envelope command's, which hands sequence files to
 * `verifySequenceFile` (sdk/dare/sequence/cli.ts). Data frames are numbered from 1; frame 0
 * holds the policy. Every command has `--json`; `--key KEYFILE` gives decryption keys.
 */

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function parseType(v: string): ContainerType {
  const t = CONTAINER_TYPES.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!t) throw new CliExit(2, `--type: one of ${CONTAINER_TYPES.map((x) => x.toLowerCase()).join(', ')}`);
  return t;
}

function parseDurability(v: string): Durability {
  if (v !== 'fsync' && v !== 'group' && v !== 'none') throw new CliExit(2, '--durability: fsync, group or none');
  return v;
}

async function keysOf(paths: string[] | undefined): Promise<DarePrivateKey[]> {
  const out: DarePrivateKey[] = [];
  for (const p of paths ?? []) out.push(privateKeyOf(await loadKeyFile(p), 'encrypt', p));
  return out;
}

async function signerOf(path: string | undefined): Promise<HeadSigner | undefined> {
  if (path === undefined) return undefined;
  const k = privateKeyOf(await loadKeyFile(path), 'sign', path);
  if (k.algorithm !== 'Ed448') throw new CliExit(2, `${path}: signed heads need an Ed448 key`);
  return ed448HeadSigner(k.privateKey);
}

/** Runs a command body, turning typed errors into `mesh: CODE: message` (status 2). */
async function guarded(body: () => Promise<number | void>): Promise<void> {
  let status: number | void;
  try {
    status = await body();
  } catch (e) {
    if (e instanceof SequenceError || e instanceof DareError) throw new CliExit(2, `${e.code}: ${e.message}`);
    throw e;
  }
  if (typeof status === 'number' && status !== 0) throw new CliExit(status, '');
}

function out(io: CliIo, json: boolean | undefined, value: unknown, text: string): void {
  io.stdout(json ? JSON.stringify(value) + '\n' : text + '\n');
}

interface WriteOpts { key?: string[]; sign?: string; signEvery?: number; durability?: Durability; json?: boolean }

async function openWriter(file: string, o: WriteOpts): Promise<SequenceWriter> {
  const store = await NodeFileStore.openWrite(file, { durability: o.durability ?? 'fsync', create: false });
  const signer = await signerOf(o.sign);
  return SequenceWriter.open(store, { keys: await keysOf(o.key), ...(signer ? { signer } : {}), ...(o.signEvery ? { signEvery: o.signEvery } : {}) });
}

async function openReader(file: string, key: string[] | undefined): Promise<SequenceReader> {
  return SequenceReader.open(await NodeFileStore.openRead(file), { keys: await keysOf(key) });
}

async function* stdinLines(): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  if (rest.length > 0) yield rest;
}

/** Size of standard input when it is a regular file (`mesh dare log F < file`), else undefined. */
function stdinFileSize(): number | undefined {
  try {
    const s = fstatSync(0);
    return s.isFile() && s.size > 0 ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The progress display of `mesh dare log` on a terminal (issue 6): a bar over the bytes of
 * standard input when it is a file of known size, else a running count with the rate. Only on a
 * TTY stderr (never in pipes, logs or `--json` runs, where it would corrupt the output).
 */
function logProgress(): { update(records: number, bytes: number): void; stop(records: number, bytes: number): void } {
  const total = stdinFileSize();
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: total === undefined
      ? 'mesh dare log | {records} records | {rate} records/s | {duration_formatted}'
      : 'mesh dare log |{bar}| {percentage}% | {records} records | {rate} records/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  const t0 = Date.now();
  const rate = (n: number): number => Math.round(n / Math.max(0.001, (Date.now() - t0) / 1000));
  bar.start(total ?? 0, 0, { records: 0, rate: 0 });
  return {
    update(records, bytes) {
      bar.update(Math.min(bytes, total ?? 0), { records, rate: rate(records) });
    },
    stop(records, bytes) {
      bar.update(Math.min(bytes, total ?? 0), { records, rate: rate(records) });
      bar.stop();
    },
  };
}

async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) found.push(...(await walk(p)));
    else if (e.isFile()) found.push(p);
  }
  return found.sort();
}

/** Adds the sequence subcommands to the `mesh dare` group. */
export function addSequenceCommands(program: Command, io: CliIo): void {
  const dare = dareCommand(program, io);

  dare.command('create')
    .description('create a sequence (frame 0 holds its policy)')
    .argument('<file>', 'new sequence file')
    .option('--type <type>', 'list, digest, chain, tree or merkle (default merkle)', parseType)
    .option('--encrypt <keyfile>', 'encrypt every frame for this key file (repeatable); one key exchange, per-frame keys', collect)
    .option('--sign <keyfile>', 'sign tree heads with this key file (on close, and every --sign-every frames)')
    .option('--sign-every <n>', 'also sign the head every n frames', parseInteger)
    .option('--json', 'print JSON')
    .action((file: string, o: { type?: ContainerType; encrypt?: string[]; sign?: string; signEvery?: number; json?: boolean }) => guarded(async () => {
      const recipients = [];
      for (const p of o.encrypt ?? []) {
        const k = (await loadKeyFile(p)).encrypt;
        if (!k) throw new CliExit(2, `${p}: no encryption key`);
        recipients.push(publicPart(k));
      }
      try {
        await stat(file);
        throw new CliExit(2, `${file} exists`);
      } catch (e) {
        if (e instanceof CliExit) throw e;
      }
      const signer = await signerOf(o.sign);
      const w = await SequenceWriter.create(await NodeFileStore.openWrite(file), {
        type: o.type ?? 'Merkle',
        ...(recipients.length ? { encrypt: { recipients, random: io.random } } : {}),
        ...(signer ? { signer } : {}), ...(o.signEvery ? { signEvery: o.signEvery } : {}),
      });
      await w.close();
      out(io, o.json, { file, type: w.type, frames: w.frameCount, encrypted: recipients.length > 0, signed: signer !== undefined },
        `created ${file} (${w.type}${recipients.length ? ', encrypted' : ''})`);
    }));

  const writeOptions = (c: Command): Command => c
    .option('--key <keyfile>', 'key file that opens an encrypted sequence (repeatable)', collect)
    .option('--sign <keyfile>', 'sign the head when done')
    .option('--sign-every <n>', 'also sign the head every n frames', parseInteger)
    .option('--durability <mode>', 'fsync (default), group (group commit) or none', parseDurability)
    .option('--json', 'print JSON');

  writeOptions(dare.command('append')
    .description('append each input file as a frame')
    .argument('<file>', 'sequence file')
    .argument('<in...>', 'files to append'))
    .action((file: string, inputs: string[], o: WriteOpts) => guarded(async () => {
      const w = await openWriter(file, o);
      const results = [];
      try {
        for (const p of inputs) {
          const r = w.append(await readFile(p));
          results.push({ file: p, index: r.index, ...(r.head ? { head: base64urlEncode(r.head) } : {}) });
        }
      } finally {
        await w.close();
      }
      out(io, o.json, { frames: w.frameCount, appended: results }, results.map((r) => `frame ${r.index}: ${r.file}`).join('\n'));
    }));

  writeOptions(dare.command('log')
    .description('append each line of standard input as a frame (progress on a terminal)')
    .argument('<file>', 'sequence file'))
    .action((file: string, o: WriteOpts) => guarded(async () => {
      const w = await openWriter(file, { durability: 'group', ...o });
      const progress = process.stderr.isTTY === true && !o.json ? logProgress() : undefined;
      const encoder = new TextEncoder();
      let n = 0;
      let bytes = 0;
      try {
        for await (const line of stdinLines()) {
          const record = encoder.encode(line);
          w.append(record);
          n++;
          bytes += record.length + 1; // the newline
          if (progress && n % 256 === 0) progress.update(n, bytes);
          if (n % 4096 === 0) await w.flush();
        }
      } finally {
        await w.close();
        progress?.stop(n, bytes);
      }
      out(io, o.json, { appended: n, frames: w.frameCount, head: w.head ? base64urlEncode(w.head) : null }, `${n} records appended`);
    }));

  dare.command('list')
    .description('list the frames of a sequence')
    .argument('<file>', 'sequence file')
    .option('--key <keyfile>', 'key file for an encrypted sequence (repeatable)', collect)
    .option('--json', 'print JSON')
    .action((file: string, o: { key?: string[]; json?: boolean }) => guarded(async () => {
      const r = await openReader(file, o.key);
      const rows = [];
      for await (const f of r.frames(1)) {
        const entry = archiveEntryOf(f);
        rows.push({ index: f.index, position: f.start, length: f.end - f.start, payload: f.payload.length, encrypted: f.encrypted,
          ...(f.info.IsMeta ? { meta: true } : {}), ...(entry ? { path: entry.path } : {}) });
      }
      await r.store.close();
      out(io, o.json, { type: r.type, frames: r.frameCount, tornTail: r.tornTail ?? null, entries: rows },
        [`${r.type}, ${r.frameCount} frames`, ...rows.map((x) => `${x.index}\t${x.position}\t${x.payload}${x.path ? '\t' + x.path : ''}${x.meta ? '\t(signed head)' : ''}`)].join('\n'));
    }));

  dare.command('extract')
    .description('write the payload of frame K (to OUT, or standard output)')
    .argument('<file>', 'sequence file')
    .argument('[out]', 'output file')
    .requiredOption('--index <k>', 'frame index (data frames from 1)', parseInteger)
    .option('--key <keyfile>', 'key file for an encrypted sequence (repeatable)', collect)
    .option('--json', 'print JSON (payload as base64url when no OUT)')
    .action((file: string, target: string | undefined, o: { index: number; key?: string[]; json?: boolean }) => guarded(async () => {
      const r = await openReader(file, o.key);
      const data = await r.plaintext(o.index);
      await r.store.close();
      if (target) await writeFile(target, data, { flag: 'wx' });
      if (o.json) out(io, true, { index: o.index, length: data.length, ...(target ? { out: target } : { payload: base64urlEncode(data) }) }, '');
      else if (!target) io.stdout(new TextDecoder().decode(data));
    }));

  dare.command('prove')
    .description('inclusion proof of frame K in the head of a Merkle sequence (JSON)')
    .argument('<file>', 'sequence file')
    .requiredOption('--index <k>', 'frame index', parseInteger)
    .option('--size <n>', 'head of the first n frames (default: all)', parseInteger)
    .option('--json', 'print JSON (the default output is JSON too)')
    .action((file: string, o: { index: number; size?: number }) => guarded(async () => {
      const r = await openReader(file, undefined);
      const proof = await proveInclusion(r, o.index, o.size);
      await r.store.close();
      io.stdout(JSON.stringify(proof) + '\n');
    }));

  writeOptions(dare.command('archive')
    .description('archive every file under DIR into a new sequence FILE (paths and times per frame)')
    .argument('<dir>', 'directory')
    .argument('<file>', 'new sequence file')
    .option('--type <type>', 'container type (default merkle)', parseType)
    .option('--encrypt <keyfile>', 'encrypt for this key file (repeatable)', collect))
    .action((dir: string, file: string, o: WriteOpts & { type?: ContainerType; encrypt?: string[] }) => guarded(async () => {
      const recipients = [];
      for (const p of o.encrypt ?? []) {
        const k = (await loadKeyFile(p)).encrypt;
        if (!k) throw new CliExit(2, `${p}: no encryption key`);
        recipients.push(publicPart(k));
      }
      const signer = await signerOf(o.sign);
      const w = await SequenceWriter.create(await NodeFileStore.openWrite(file, { durability: o.durability ?? 'group' }), {
        type: o.type ?? 'Merkle', ...(recipients.length ? { encrypt: { recipients, random: io.random } } : {}), ...(signer ? { signer } : {}),
      });
      const files = await walk(dir);
      try {
        for (const p of files) {
          const rel = relative(dir, p).split(sep).join('/');
          safeArchivePath(rel);
          const st = await stat(p);
          w.append(await readFile(p), { contentMeta: archiveMeta({ path: rel, modified: st.mtime, created: st.birthtime }) });
        }
      } finally {
        await w.close();
      }
      out(io, o.json, { file, files: files.length, frames: w.frameCount }, `${files.length} files archived in ${file}`);
    }));

  dare.command('unarchive')
    .description('extract an archive sequence into DIR (refuses absolute paths and ..)')
    .argument('<file>', 'archive sequence')
    .argument('<dir>', 'target directory')
    .option('--key <keyfile>', 'key file for an encrypted archive (repeatable)', collect)
    .option('--json', 'print JSON')
    .action((file: string, dir: string, o: { key?: string[]; json?: boolean }) => guarded(async () => {
      const r = await openReader(file, o.key);
      const root = resolve(dir);
      const written: string[] = [];
      try {
        for await (const f of r.frames(1)) {
          const entry = archiveEntryOf(f);
          if (!entry) continue;
          const target = resolve(root, ...safeArchivePath(entry.path));
          if (!target.startsWith(root + sep)) throw new SequenceError('DARE_BAD_PATH', `${entry.path} leaves the target directory`, { frame: f.index });
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, await r.plaintext(f), { flag: 'wx' });
          if (entry.modified) await utimes(target, entry.modified, entry.modified);
          written.push(entry.path);
        }
      } finally {
        await r.store.close();
      }
      out(io, o.json, { dir, files: written }, `${written.length} files extracted to ${dir}`);
    }));
}

/**
 * The global `--backend wasm|pure|native` option (issue 6): which crypto provider serves every
 * command, applied before the command runs. Without it the CLI loads the WASM core and uses the
 * default routing (WASM, with native for bulk where node:crypto exists).
 */
export function addBackendOption(program: Command): void {
  program.option('--backend <name>', 'crypto provider: wasm, pure or native (default: wasm with native for bulk)');
  program.hook('preAction', async () => {
    const name = (program.opts() as { backend?: string }).backend;
    const { init } = await import('../crypto/index.js');
    if (name === undefined) {
      await init();
      return;
    }
    if (name !== 'wasm' && name !== 'pure' && name !== 'native') throw new CliExit(2, '--backend: wasm, pure or native');
    await init(name === 'pure' ? { wasm: false, prefer: 'pure' } : { prefer: name });
  });
}
