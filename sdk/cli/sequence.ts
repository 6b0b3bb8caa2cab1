import { fstatSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { NodeFileStore } from '../../adapters/store/node-fs.js';
import { base64urlEncode } from '../encoding/base64url.js';
import { bytesEqual } from '../encoding/bytes.js';
import { keyFingerprint } from '../udf/fingerprint.js';
import { DareError, publicPart, type DarePrivateKey, type DarePublicKey } from '../dare/index.js';
import {
  archiveEntryOf, archiveMeta, CONTAINER_TYPES, ed448HeadSigner, proveInclusion, safeArchivePath, SequenceError, SequenceReader,
  SequenceWriter, VerifiedSequence, verifyInclusion, type ContainerType, type Durability, type HeadSigner,
} from '../dare/sequence/index.js';
import { signKeysOf } from '../dare/sequence/policy-keys.js';
import { dareCommand } from './dare.js';
import { escapeText, safeJson } from './escape.js';
import { CliExit, type CliIo } from './io.js';
import { loadKeyFile, privateKeyOf, type KeyFile } from './keyfile.js';
import { parseInteger } from './options.js';
import { unarchive } from './unarchive.js';

/**
 * `mesh dare create|append|log|list|extract|prove|check-proof|archive|unarchive`: DARE sequences
 * on files (dare.md §9). `verify` is the envelope command's, which hands sequence files to
 * `verifySequenceFile` (sequence-verify.ts). Data frames are numbered from 1; frame 0 holds the
 * policy. Every command has `--json`.
 *
 * Keys: `--encrypt KEYFILE` names a recipient (a public key file is enough: appending never needs
 * a private key); `--key KEYFILE` gives private keys — decryption keys for reading, and the head
 * signer for writing to a sequence whose policy signs heads; `--sign KEYFILE` names the signer
 * explicitly; `--signer KEYFILE` names a *trusted* signer when reading (the only thing that makes
 * a verdict say who wrote the file). Commands that act on content (`extract`, `unarchive`) verify
 * the whole sequence first and refuse a damaged one, or an untrusted one unless `--integrity-only`.
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

async function keyFiles(paths: string[] | undefined): Promise<{ path: string; file: KeyFile }[]> {
  const out = [];
  for (const p of paths ?? []) out.push({ path: p, file: await loadKeyFile(p) });
  return out;
}

/** Private decryption keys of `--key` files (files without one are skipped: they may hold only a signer). */
async function decryptionKeys(paths: string[] | undefined): Promise<DarePrivateKey[]> {
  return (await keyFiles(paths)).filter((k) => k.file.encrypt && 'privateKey' in k.file.encrypt).map((k) => privateKeyOf(k.file, 'encrypt', k.path));
}

/** Trusted signer keys of `--signer` files (public key files are enough). */
async function trustedSigners(paths: string[] | undefined): Promise<DarePublicKey[]> {
  const out: DarePublicKey[] = [];
  for (const { path, file } of await keyFiles(paths)) {
    if (!file.sign || file.sign.algorithm !== 'Ed448') throw new CliExit(2, `${path}: no Ed448 signature key to trust`);
    out.push(publicPart(file.sign));
  }
  return out;
}

async function signerOf(path: string): Promise<HeadSigner> {
  const k = privateKeyOf(await loadKeyFile(path), 'sign', path);
  if (k.algorithm !== 'Ed448') throw new CliExit(2, `${path}: signed heads need an Ed448 key`);
  return ed448HeadSigner(k.privateKey);
}

/**
 * The head signer for appending to `file`: `--sign`, else the `--key` file whose signature key the
 * sequence's policy names (policy is kept: a sequence created with `--sign` is signed on every
 * append without repeating the flag). None when the policy signs nothing; SequenceWriter.open
 * refuses a missing or unnamed signer with a message naming the policy's keys.
 */
async function policySigner(file: string, o: WriteOpts): Promise<HeadSigner | undefined> {
  if (o.sign !== undefined) return signerOf(o.sign);
  const store = await NodeFileStore.openRead(file);
  let named: Uint8Array[];
  try {
    named = signKeysOf((await SequenceReader.open(store)).policy);
  } finally {
    await store.close();
  }
  for (const { path, file: k } of await keyFiles(o.key)) {
    if (k.sign && 'privateKey' in k.sign && k.sign.algorithm === 'Ed448' && named.some((n) => bytesEqual(n, k.sign!.publicKey))) return signerOf(path);
  }
  if (named.length > 0) {
    const kids = named.map((n) => keyFingerprint('Ed448', n)).join(', ');
    throw new CliExit(2, `DARE_NO_KEY: the policy of ${file} signs its heads with ${kids}; give that key file with --key (or --sign)`);
  }
  return undefined;
}

/** Runs a command body, turning typed errors into `mesh: CODE: message` (status 2). */
async function guarded(body: () => Promise<number | void>): Promise<void> {
  let status: number | void;
  try {
    status = await body();
  } catch (e) {
    if (e instanceof SequenceError || e instanceof DareError) throw new CliExit(2, `${e.code}: ${escapeText(e.message)}`);
    throw e;
  }
  if (typeof status === 'number' && status !== 0) throw new CliExit(status, '');
}

function out(io: CliIo, json: boolean | undefined, value: unknown, text: string): void {
  io.stdout(json ? safeJson(value) + '\n' : text + '\n');
}

interface WriteOpts { key?: string[]; sign?: string; signEvery?: number; durability?: Durability; json?: boolean }

async function openWriter(file: string, o: WriteOpts, io: CliIo): Promise<SequenceWriter> {
  const signer = await policySigner(file, o);
  const store = await NodeFileStore.openWrite(file, { durability: o.durability ?? 'fsync', create: false });
  return SequenceWriter.open(store, { ...(signer ? { signer } : {}), ...(o.signEvery ? { signEvery: o.signEvery } : {}), random: io.random });
}

interface ReadOpts { key?: string[]; signer?: string[]; integrityOnly?: boolean; allowUnsignedTail?: boolean; allowUnauthenticated?: boolean }

async function openReader(file: string, o: ReadOpts): Promise<SequenceReader> {
  return SequenceReader.open(await NodeFileStore.openRead(file), { keys: await decryptionKeys(o.key), allowUnauthenticated: o.allowUnauthenticated === true });
}

/** Opens and verifies a sequence before any of its content is used (extract.ts). */
async function openVerified(file: string, o: ReadOpts): Promise<VerifiedSequence> {
  const trust = await trustedSigners(o.signer);
  const reader = await openReader(file, o);
  try {
    return await VerifiedSequence.open(reader, { trust, integrityOnly: o.integrityOnly === true, allowUnsignedTail: o.allowUnsignedTail === true });
  } catch (e) {
    await reader.store.close();
    if (e instanceof SequenceError && e.code === 'DARE_NOT_TRUSTED' && trust.length === 0) {
      throw new CliExit(2, 'DARE_NOT_TRUSTED: no --signer given, so who wrote this sequence cannot be checked; give --signer KEYFILE, or --integrity-only to accept an intact file from anyone');
    }
    throw e;
  }
}

/** The read options shared by extract and unarchive. */
const readOptions = (c: Command): Command => c
  .option('--key <keyfile>', 'key file that decrypts the sequence (repeatable)', collect)
  .option('--signer <keyfile>', 'trusted signer: refuse unless its signed head covers the sequence (repeatable)', collect)
  .option('--integrity-only', 'accept an intact sequence without checking who wrote it')
  .option('--allow-unsigned-tail', 'accept frames after the last trusted signed head')
  .option('--allow-unauthenticated', 'read encrypted frames without a MAC (reference-written files)');

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
 * The progress display of `mesh dare log` on a terminal: a bar over the bytes of
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

/** Recipient public keys of `--encrypt` files (a public key file is enough). */
async function recipientsOf(paths: string[] | undefined): Promise<DarePublicKey[]> {
  const recipients = [];
  for (const p of paths ?? []) {
    const k = (await loadKeyFile(p)).encrypt;
    if (!k) throw new CliExit(2, `${p}: no encryption key`);
    recipients.push(publicPart(k));
  }
  return recipients;
}

async function refuseExisting(file: string): Promise<void> {
  try {
    await stat(file);
  } catch {
    return;
  }
  throw new CliExit(2, `${file} exists`);
}

/** Adds the sequence subcommands to the `mesh dare` group. */
export function addSequenceCommands(program: Command, io: CliIo): void {
  const dare = dareCommand(program, io);

  dare.command('create')
    .description('create a sequence (frame 0 holds its policy: recipients and signers every later append keeps)')
    .argument('<file>', 'new sequence file')
    .option('--type <type>', 'list, digest, chain, tree or merkle (default merkle)', parseType)
    .option('--encrypt <keyfile>', 'encrypt every frame for this key (repeatable; a public key file is enough)', collect)
    .option('--sign <keyfile>', 'sign heads with this key, now and on every later append (on close, and every --sign-every frames)')
    .option('--sign-every <n>', 'also sign the head every n frames', parseInteger)
    .option('--json', 'print JSON')
    .action((file: string, o: { type?: ContainerType; encrypt?: string[]; sign?: string; signEvery?: number; json?: boolean }) => guarded(async () => {
      const recipients = await recipientsOf(o.encrypt);
      await refuseExisting(file);
      const signer = o.sign === undefined ? undefined : await signerOf(o.sign);
      const w = await SequenceWriter.create(await NodeFileStore.openWrite(file), {
        type: o.type ?? 'Merkle',
        ...(recipients.length ? { encrypt: { recipients, random: io.random } } : {}),
        ...(signer ? { signer } : {}), ...(o.signEvery ? { signEvery: o.signEvery } : {}),
      });
      await w.close();
      out(io, o.json, { file, type: w.type, frames: w.frameCount, encrypted: recipients.length > 0, signed: signer !== undefined },
        `created ${file} (${w.type}${recipients.length ? ', encrypted' : ''}${signer ? ', signed' : ''})`);
    }));

  const writeOptions = (c: Command): Command => c
    .option('--key <keyfile>', 'key file holding the signer the sequence\'s policy names (repeatable)', collect)
    .option('--sign <keyfile>', 'sign heads with this key (the policy must name it)')
    .option('--sign-every <n>', 'also sign the head every n frames', parseInteger)
    .option('--durability <mode>', 'fsync (default), group (group commit) or none', parseDurability)
    .option('--json', 'print JSON');

  writeOptions(dare.command('append')
    .description('append each input file as a frame')
    .argument('<file>', 'sequence file')
    .argument('<in...>', 'files to append'))
    .action((file: string, inputs: string[], o: WriteOpts) => guarded(async () => {
      const w = await openWriter(file, o, io);
      const results = [];
      try {
        for (const p of inputs) {
          const r = w.append(await readFile(p));
          results.push({ file: p, index: r.index, ...(r.head ? { head: base64urlEncode(r.head) } : {}) });
        }
      } finally {
        await w.close();
      }
      out(io, o.json, { frames: w.frameCount, appended: results }, results.map((r) => `frame ${r.index}: ${escapeText(r.file)}`).join('\n'));
    }));

  writeOptions(dare.command('log')
    .description('append each line of standard input as a frame (progress on a terminal)')
    .argument('<file>', 'sequence file'))
    .action((file: string, o: WriteOpts) => guarded(async () => {
      const w = await openWriter(file, { durability: 'group', ...o }, io);
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
    .description('list the frames of a sequence (an encrypted sequence shows names, paths and sizes only with --key)')
    .argument('<file>', 'sequence file')
    .option('--key <keyfile>', 'key file for an encrypted sequence (repeatable)', collect)
    .option('--allow-unauthenticated', 'read encrypted frames without a MAC (reference-written files)')
    .option('--json', 'print JSON')
    .action((file: string, o: ReadOpts & { json?: boolean }) => guarded(async () => {
      const r = await openReader(file, o);
      const rows = [];
      try {
        for await (const f of r.frames(1)) {
          const row: Record<string, unknown> = { index: f.index, encrypted: f.encrypted, ...(f.info.IsMeta ? { meta: true } : {}) };
          // What an encrypted frame holds — size, name, path, times — is shown only once it is decrypted.
          if (!f.encrypted || r.canDecrypt) {
            const opened = await r.openFrame(f);
            const entry = archiveEntryOf(opened.contentMeta, f.index);
            row['size'] = opened.payload.length;
            if (entry) row['path'] = entry.path;
          }
          rows.push(row);
        }
      } finally {
        await r.store.close();
      }
      const cell = (x: Record<string, unknown>): string => [
        String(x['index']), x['size'] === undefined ? 'encrypted' : String(x['size']),
        ...(typeof x['path'] === 'string' ? [escapeText(x['path'])] : []), ...(x['meta'] ? ['(signed head)'] : []),
      ].join('\t');
      out(io, o.json, { type: r.type, frames: r.frameCount, encrypted: r.encryptedSequence, tornTail: r.tornTail ?? null, entries: rows },
        [`${r.type}, ${r.frameCount} frames${r.encryptedSequence ? ', encrypted' : ''}`, ...rows.map(cell)].join('\n'));
    }));

  readOptions(dare.command('extract')
    .description('verify the sequence, then write the payload of frame K (to OUT, or standard output)')
    .argument('<file>', 'sequence file')
    .argument('[out]', 'output file')
    .requiredOption('--index <k>', 'frame index (data frames from 1)', parseInteger))
    .option('--json', 'print JSON (payload as base64url when no OUT)')
    .action((file: string, target: string | undefined, o: ReadOpts & { index: number; json?: boolean }) => guarded(async () => {
      const v = await openVerified(file, o);
      let data: Uint8Array;
      try {
        data = (await v.open(o.index)).payload;
      } finally {
        await v.reader.store.close();
      }
      if (target) await writeFile(target, data, { flag: 'wx' });
      if (o.json) out(io, true, { index: o.index, length: data.length, ...(target ? { out: target } : { payload: base64urlEncode(data) }) }, '');
      else if (!target) io.stdout(new TextDecoder().decode(data));
    }));

  dare.command('prove')
    .description('standalone inclusion proof of frame K against a signed head of a Merkle sequence (JSON)')
    .argument('<file>', 'sequence file')
    .requiredOption('--index <k>', 'frame index', parseInteger)
    .option('--size <n>', 'prove against the signed head covering exactly n frames (default: the last signed head)', parseInteger)
    .option('--key <keyfile>', 'key file that opens an encrypted frame (the proof then carries that frame\'s key, so it can be checked from the plaintext record)', collect)
    .option('--json', 'print JSON (the default output is JSON too)')
    .action((file: string, o: ReadOpts & { index: number; size?: number }) => guarded(async () => {
      const r = await openReader(file, o);
      try {
        const proof = await proveInclusion(r, o.index, o.size === undefined ? {} : { treeSize: o.size });
        io.stdout(JSON.stringify(proof) + '\n');
      } finally {
        await r.store.close();
      }
    }));

  dare.command('check-proof')
    .description('light client: check a proof from `mesh dare prove` against the record and a trusted signer')
    .argument('<proof>', 'proof file (JSON)')
    .requiredOption('--record <file>', 'the record the proof is about (the frame\'s plaintext payload)')
    .requiredOption('--signer <keyfile>', 'trusted signer of the head (repeatable)', collect)
    .option('--json', 'print JSON')
    .action((proofFile: string, o: { record: string; signer: string[]; json?: boolean }) => guarded(async () => {
      const trust = await trustedSigners(o.signer);
      let proof: unknown;
      try {
        proof = JSON.parse(await readFile(proofFile, 'utf8'));
      } catch {
        throw new CliExit(2, `${proofFile}: not a JSON proof`);
      }
      const record = await readFile(o.record);
      const ok = verifyInclusion(proof, { record, trust });
      const p = proof as { index?: unknown; treeSize?: unknown; signedHead?: { kid?: unknown } };
      const where = ok ? `frame ${String(p.index)} of ${String(p.treeSize)}, head signed by ${escapeText(String(p.signedHead?.kid))}` : '';
      out(io, o.json, { ok, ...(ok ? { index: p.index, treeSize: p.treeSize, kid: p.signedHead?.kid } : {}) },
        ok ? `VALID: the record is ${where}` : 'INVALID: the proof does not show this record under a head signed by a trusted key');
      return ok ? 0 : 1;
    }));

  dare.command('archive')
    .description('archive every file under DIR into a new sequence FILE (paths and times per frame; encrypted with --encrypt)')
    .argument('<dir>', 'directory')
    .argument('<file>', 'new sequence file')
    .option('--type <type>', 'container type (default merkle)', parseType)
    .option('--encrypt <keyfile>', 'encrypt for this key file (repeatable); names, paths and times are encrypted too', collect)
    .option('--sign <keyfile>', 'sign the head with this key')
    .option('--durability <mode>', 'fsync, group (default) or none', parseDurability)
    .option('--json', 'print JSON')
    .action((dir: string, file: string, o: WriteOpts & { type?: ContainerType; encrypt?: string[] }) => guarded(async () => {
      const recipients = await recipientsOf(o.encrypt);
      await refuseExisting(file);
      const signer = o.sign === undefined ? undefined : await signerOf(o.sign);
      const files = await walk(dir);
      const rels = files.map((p) => relative(dir, p).split(sep).join('/'));
      for (const rel of rels) safeArchivePath(rel);
      const w = await SequenceWriter.create(await NodeFileStore.openWrite(file, { durability: o.durability ?? 'group' }), {
        type: o.type ?? 'Merkle', ...(recipients.length ? { encrypt: { recipients, random: io.random } } : {}), ...(signer ? { signer } : {}),
      });
      try {
        for (const [i, p] of files.entries()) {
          const st = await stat(p);
          w.append(await readFile(p), { contentMeta: archiveMeta({ path: rels[i]!, modified: st.mtime, created: st.birthtime }) });
        }
      } finally {
        await w.close();
      }
      out(io, o.json, { file, files: files.length, frames: w.frameCount }, `${files.length} files archived in ${file}`);
    }));

  readOptions(dare.command('unarchive')
    .description('verify an archive, then extract it into DIR (a new or empty directory; nothing is left behind on failure)')
    .argument('<file>', 'archive sequence')
    .argument('<dir>', 'target directory'))
    .option('--json', 'print JSON')
    .action((file: string, dir: string, o: ReadOpts & { json?: boolean }) => guarded(async () => {
      const v = await openVerified(file, o);
      let written: string[];
      try {
        written = await unarchive(v, dir);
      } finally {
        await v.reader.store.close();
      }
      out(io, o.json, { dir, files: written }, `${written.length} files extracted to ${escapeText(dir)}`);
    }));
}

/**
 * The global `--backend wasm|pure|native` option: which crypto provider serves every
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
