import { fstatSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { base64urlEncode } from '../encoding/base64url.js';
import { bytesEqual } from '../encoding/bytes.js';
import { keyFingerprint } from '../udf/fingerprint.js';
import {
  archiveEntryOf, proveInclusion, SequenceWriter, verifyInclusion, type ArchiveEntry, type ContainerType, type Durability, type HeadSigner,
} from '../dare/sequence/index.js';
import { signKeysOf } from '../dare/sequence/policy-keys.js';
import { dareCommand } from './dare.js';
import { escapeText } from './escape.js';
import { AtomicFile, fileProblem, outputTarget, shown, STDIO } from './files.js';
import { CliExit, type CliIo } from './io.js';
import { parseInteger } from './options.js';
import { printResult, warn } from './output.js';
import { addArchiveCommands } from './sequence-archive.js';
import {
  collect, FRAME_NUMBERS, guarded, keyFiles, openReader, openVerified, parseType, parseDurability, readOptions, readWhole, recipientsOf, signerOf,
  trustedSigners, type ReadOpts, type WriteOpts,
} from './sequence-common.js';
import { existingSequence, openSequence, openSequenceForAppend, stagedSequence } from './sequence-files.js';

/**
 * `mesh dare create|append|log|list|extract|prove|check-proof|archive|unarchive`: DARE sequences
 * on files. `verify` is the envelope command's, which hands sequence files to
 * `verifySequenceFile` (sequence-verify.ts). Every command has `--json`.
 *
 * Numbering: frames are numbered as stored, from 0 — frame 0 holds the policy, records start at
 * frame 1, and a frame that only carries a signed head takes a number too; every message, list
 * and option (`--index`) uses these numbers ({@link FRAME_NUMBERS}, in each command's help).
 *
 * Keys: `--encrypt KEYFILE` names a recipient (a public key file is enough: appending never needs
 * a private key); `--key KEYFILE` gives private keys — decryption keys for reading, and the head
 * signer for writing to a sequence whose policy signs heads; `--sign KEYFILE` names the signer
 * explicitly; `--signer KEYFILE` names a *trusted* signer when reading (the only thing that makes
 * a verdict say who wrote the file). Commands that act on content (`extract`, `unarchive`) verify
 * the whole sequence first and refuse a damaged one, or an untrusted one unless `--integrity-only`.
 *
 * Files: mistakes are one line naming the file (sequence-files.ts, files.ts); new sequences and
 * extracted payloads appear only when complete, existing outputs are replaced only with `--force`.
 */

/**
 * The head signer for appending to `file`: `--sign`, else the `--key` file whose signature key the
 * sequence's policy names (policy is kept: a sequence created with `--sign` is signed on every
 * append without repeating the flag). None when the policy signs nothing; SequenceWriter.open
 * refuses a missing or unnamed signer with a message naming the policy's keys.
 */
async function policySigner(file: string, o: WriteOpts): Promise<HeadSigner | undefined> {
  if (o.sign !== undefined) return signerOf(o.sign);
  const reader = await openSequence(file);
  let named: Uint8Array[];
  try {
    named = signKeysOf(reader.policy);
  } finally {
    await reader.store.close();
  }
  for (const { path, file: k } of await keyFiles(o.key)) {
    if (k.sign && 'privateKey' in k.sign && k.sign.algorithm === 'Ed448' && named.some((n) => bytesEqual(n, k.sign!.publicKey))) return signerOf(path);
  }
  if (named.length > 0) {
    const kids = named.map((n) => keyFingerprint('Ed448', n)).join(', ');
    throw new CliExit(2, `${shown(file)}: DARE_NO_KEY: its policy signs its heads with ${kids}; give that key file with --key (or --sign)`);
  }
  return undefined;
}

/** Opens `file` for appending: existing, a sequence, its policy's signer found, the writer lock taken. */
async function openWriter(file: string, o: WriteOpts, io: CliIo, durability: Durability): Promise<SequenceWriter> {
  await existingSequence(file, `create it first with: mesh dare create ${escapeText(file)}`);
  const signer = await policySigner(file, o);
  const store = await openSequenceForAppend(file, o.durability ?? durability);
  return SequenceWriter.open(store, { ...(signer ? { signer } : {}), ...(o.signEvery ? { signEvery: o.signEvery } : {}), random: io.random });
}

/** Says what a reopened writer cut off: the incomplete frame an interrupted append left. */
function repairNotice(io: CliIo, file: string, w: SequenceWriter): Record<string, unknown> {
  const t = w.repairedTail;
  if (!t) return {};
  warn(io, `${shown(file)}: dropped an incomplete frame ${t.frame} (${t.length} bytes at offset ${t.offset}) that an interrupted append left; `
    + `the new frames start at frame ${t.frame}`);
  return { repaired: { frame: t.frame, bytes: t.length, offset: t.offset } };
}

async function* stdinLines(io: CliIo): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of io.stdin()) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  rest += decoder.decode();
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

/** An archive entry's name as `list` shows it: `dir/`, `link -> target`, or the path (escaped). */
function entryName(e: ArchiveEntry): string {
  if (e.kind === 'directory') return `${escapeText(e.path)}/`;
  if (e.kind === 'symlink') return `${escapeText(e.path)} -> ${escapeText(e.target ?? '')}`;
  return escapeText(e.path);
}

/** `--index K` of extract: a record's frame (not the policy, not beyond the end). */
function recordFrame(k: number, frames: number): void {
  if (k === 0) throw new CliExit(2, '--index 0: frame 0 holds the sequence\'s policy, not a record; records start at frame 1');
  if (k >= frames) throw new CliExit(2, `--index ${k}: no such frame; the sequence has frames 0 to ${frames - 1} (records from frame 1)`);
}

/** Adds the sequence subcommands to the `mesh dare` group. */
export function addSequenceCommands(program: Command, io: CliIo): void {
  const dare = dareCommand(program, io);
  const stdoutText = (t: string): void => io.stdout(t);

  dare.command('create')
    .description('create a sequence (frame 0 holds its policy: recipients and signers every later append keeps)')
    .argument('<file>', 'new sequence file')
    .option('--type <type>', 'list, digest, chain, tree or merkle (default merkle)', parseType)
    .option('--encrypt <keyfile>', 'encrypt every frame for this key (repeatable; a public key file is enough)', collect)
    .option('--sign <keyfile>', 'sign heads with this key, now and on every later append (on close, and every --sign-every frames)')
    .option('--sign-every <n>', 'also sign the head every n frames', parseInteger)
    .option('--force', 'replace FILE if it exists')
    .option('--json', 'print JSON')
    .addHelpText('after', `\nFILE is written under a temporary name and appears only when complete.${FRAME_NUMBERS}`)
    .action((file: string, o: { type?: ContainerType; encrypt?: string[]; sign?: string; signEvery?: number; force?: boolean; json?: boolean }) => guarded(file, async () => {
      const target = await outputTarget(file, o.force === true);
      const recipients = await recipientsOf(o.encrypt);
      const signer = o.sign === undefined ? undefined : await signerOf(o.sign);
      const staged = await stagedSequence(target, 'group');
      let w: SequenceWriter;
      try {
        w = await SequenceWriter.create(staged.store, {
          type: o.type ?? 'Merkle',
          ...(recipients.length ? { encrypt: { recipients, random: io.random } } : {}),
          ...(signer ? { signer } : {}), ...(o.signEvery ? { signEvery: o.signEvery } : {}),
        });
        await w.close();
        await staged.commit();
      } finally {
        await staged.discard(); // nothing left once committed
      }
      printResult(stdoutText, o.json === true, { file, type: w.type, frames: w.frameCount, encrypted: recipients.length > 0, signed: signer !== undefined },
        `created ${shown(file)} (${w.type}${recipients.length ? ', encrypted' : ''}${signer ? ', signed' : ''})`);
    }));

  const writeOptions = (c: Command): Command => c
    .option('--key <keyfile>', 'key file holding the signer the sequence\'s policy names (repeatable)', collect)
    .option('--sign <keyfile>', 'sign heads with this key (the policy must name it)')
    .option('--sign-every <n>', 'also sign the head every n frames', parseInteger)
    .option('--durability <mode>', 'fsync, group (group commit) or none', parseDurability)
    .option('--json', 'print JSON');

  writeOptions(dare.command('append')
    .description('append each input file as a frame (every input is read before anything is written)')
    .argument('<file>', 'sequence file (made by mesh dare create)')
    .argument('<in...>', 'files to append, one frame each; - for standard input'))
    .addHelpText('after', `\nAn append interrupted by a crash leaves an incomplete last frame; the next append drops it and says so.${FRAME_NUMBERS}`)
    .action((file: string, inputs: string[], o: WriteOpts) => guarded(file, async () => {
      if (inputs.filter((p) => p === STDIO).length > 1) throw new CliExit(2, 'standard input (-) can be appended once');
      await existingSequence(file, `create it first with: mesh dare create ${escapeText(file)}`);
      const records: { file: string; bytes: Uint8Array }[] = [];
      for (const p of inputs) records.push({ file: p, bytes: await readWhole(p, io) });
      const w = await openWriter(file, o, io, 'fsync');
      const results = [];
      try {
        for (const r of records) {
          const a = w.append(r.bytes);
          results.push({ file: r.file, index: a.index, ...(a.head ? { head: base64urlEncode(a.head) } : {}) });
        }
      } finally {
        await w.close();
      }
      const repaired = repairNotice(io, file, w);
      printResult(stdoutText, o.json === true, { frames: w.frameCount, appended: results, ...repaired },
        results.map((r) => `frame ${r.index}: ${shown(r.file)}`).join('\n'));
    }));

  writeOptions(dare.command('log')
    .description('append each line of standard input as a frame (progress on a terminal)')
    .argument('<file>', 'sequence file (made by mesh dare create)'))
    .addHelpText('after', `\nAn append interrupted by a crash leaves an incomplete last frame; the next append drops it and says so.${FRAME_NUMBERS}`)
    .action((file: string, o: WriteOpts) => guarded(file, async () => {
      const w = await openWriter(file, o, io, 'group');
      const progress = process.stderr.isTTY === true && !o.json ? logProgress() : undefined;
      const encoder = new TextEncoder();
      let n = 0;
      let bytes = 0;
      let first: number | undefined;
      try {
        for await (const line of stdinLines(io)) {
          const record = encoder.encode(line);
          const a = w.append(record);
          first ??= a.index;
          n++;
          bytes += record.length + 1; // the newline
          if (progress && n % 256 === 0) progress.update(n, bytes);
          if (n % 4096 === 0) await w.flush();
        }
      } finally {
        await w.close();
        progress?.stop(n, bytes);
      }
      const repaired = repairNotice(io, file, w);
      const where = first === undefined ? '' : n === 1 ? ` (frame ${first})` : ` (frames ${first} to ${first + n - 1})`;
      printResult(stdoutText, o.json === true, {
        appended: n, ...(first !== undefined ? { first, last: first + n - 1 } : {}), frames: w.frameCount,
        head: w.head ? base64urlEncode(w.head) : null, ...repaired,
      }, `${n} record${n === 1 ? '' : 's'} appended${where}`);
    }));

  dare.command('list')
    .description('list the frames of a sequence (an encrypted sequence shows names, paths and sizes only with --key)')
    .argument('<file>', 'sequence file')
    .option('--key <keyfile>', 'key file for an encrypted sequence (repeatable)', collect)
    .option('--allow-unauthenticated', 'read encrypted frames without a MAC (files written by older Mesh tools)')
    .option('--json', 'print JSON')
    .addHelpText('after', `\nThe listing is not a verification: use mesh dare verify to check the file.${FRAME_NUMBERS}`)
    .action((file: string, o: ReadOpts & { json?: boolean }) => guarded(file, async () => {
      const r = await openReader(file, o);
      const rows: Record<string, unknown>[] = [];
      const lines: string[] = [];
      try {
        for (let i = 1; i < r.frameCount; i++) {
          const f = await r.frame(i);
          const row: Record<string, unknown> = { index: f.index, encrypted: f.encrypted, ...(f.info.IsMeta ? { meta: true } : {}) };
          let size = 'encrypted';
          let name = f.info.IsMeta ? '(signed head)' : '';
          // What an encrypted frame holds — size, name, path, times — is shown only once it is decrypted.
          if (!f.encrypted || r.canDecrypt) {
            const opened = await r.openFrame(f);
            const entry = archiveEntryOf(opened.contentMeta, f.index);
            row['size'] = opened.payload.length;
            size = String(opened.payload.length);
            if (entry) {
              Object.assign(row, { path: entry.path, kind: entry.kind, ...(entry.target !== undefined ? { target: entry.target } : {}) });
              name = entryName(entry);
            }
          }
          rows.push(row);
          lines.push(`${f.index}\t${size}\t${name}`.trimEnd());
        }
      } finally {
        await r.store.close();
      }
      const about = `${r.type} sequence, ${r.frameCount} frame${r.frameCount === 1 ? '' : 's'}${r.encryptedSequence ? ', encrypted' : ''} `
        + '(frame 0 holds the policy; records from frame 1)';
      const tail = r.tornTail ? [`(then an incomplete frame ${r.frameCount}: ${r.tornTail.length} bytes left by an interrupted append)`] : [];
      const damage = r.damage ? [`(then damaged bytes from offset ${r.end}: ${r.damage.code})`] : [];
      printResult(stdoutText, o.json === true, {
        type: r.type, frames: r.frameCount, encrypted: r.encryptedSequence, tornTail: r.tornTail ?? null, entries: rows,
      }, [about, rows.length ? 'frame\tsize\tname' : '(no records)', ...lines, ...tail, ...damage].join('\n'));
    }));

  readOptions(dare.command('extract')
    .description('verify the sequence, then write the record of frame K to OUT (or standard output)')
    .argument('<file>', 'sequence file')
    .argument('[out]', 'file to write (appears only when complete); - or none for standard output')
    .requiredOption('--index <k>', 'frame number of the record (records start at frame 1)', parseInteger))
    .option('--force', 'replace OUT if it exists')
    .option('--json', 'print JSON (the record as base64url when it goes to no file)')
    .addHelpText('after', FRAME_NUMBERS)
    .action((file: string, out: string | undefined, o: ReadOpts & { index: number; force?: boolean; json?: boolean }) => guarded(file, async () => {
      const target = out === undefined || out === STDIO ? undefined : await outputTarget(out, o.force === true);
      if (o.index === 0) recordFrame(0, 1);
      const v = await openVerified(file, o);
      let data: Uint8Array;
      let encrypted: boolean;
      try {
        recordFrame(o.index, v.frameCount);
        const f = await v.frame(o.index);
        if (f.info.IsMeta) throw new CliExit(2, `--index ${o.index}: frame ${o.index} only carries a signed head, not a record`);
        encrypted = f.encrypted;
        data = (await v.open(o.index)).payload;
      } finally {
        await v.reader.store.close();
      }
      if (target) {
        const af = await AtomicFile.create(target, encrypted ? 0o600 : 0o644);
        try {
          await af.write(data);
          await af.commit();
        } finally {
          await af.abort();
        }
        printResult(stdoutText, o.json === true, { index: o.index, length: data.length, out: target.path }, '');
      } else if (o.json) {
        printResult(stdoutText, true, { index: o.index, length: data.length, payload: base64urlEncode(data) }, '');
      } else {
        try {
          await io.writeStdout(data);
        } catch (e) {
          throw fileProblem(STDIO, e);
        }
      }
    }));

  dare.command('prove')
    .description('standalone inclusion proof of frame K against a signed head of a Merkle sequence (JSON)')
    .argument('<file>', 'sequence file')
    .requiredOption('--index <k>', 'frame number to prove', parseInteger)
    .option('--size <n>', 'prove against the signed head covering exactly n frames (default: the last signed head that verifies)', parseInteger)
    .option('--signer <keyfile>', 'count only heads signed by this key, the one your clients trust (repeatable; default: the signer the sequence\'s policy names)', collect)
    .option('--key <keyfile>', 'key file that opens an encrypted frame (the proof then carries that frame\'s key, so it can be checked from the plaintext record)', collect)
    .option('--json', 'print JSON (the default output is JSON too)')
    .addHelpText('after', `\nThe proof is made against a head whose signature verifies, so a client that trusts that key can check it.${FRAME_NUMBERS}`)
    .action((file: string, o: ReadOpts & { index: number; size?: number }) => guarded(file, async () => {
      const trust = o.signer === undefined ? undefined : await trustedSigners(o.signer);
      const r = await openReader(file, o);
      try {
        const proof = await proveInclusion(r, o.index, { ...(o.size === undefined ? {} : { treeSize: o.size }), ...(trust ? { trust } : {}) });
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
    .action((proofFile: string, o: { record: string; signer: string[]; json?: boolean }) => guarded(proofFile, async () => {
      const proofBytes = await readWhole(proofFile, io);
      const record = await readWhole(o.record, io);
      const trust = await trustedSigners(o.signer);
      let proof: unknown;
      try {
        proof = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(proofBytes));
      } catch {
        throw new CliExit(2, `${shown(proofFile)}: not a proof (not JSON)`);
      }
      const ok = verifyInclusion(proof, { record, trust });
      const p = proof as { index: number; treeSize: number; signedHead: { kid: string } };
      printResult(stdoutText, o.json === true, { ok, ...(ok ? { index: p.index, treeSize: p.treeSize, kid: p.signedHead.kid } : {}) },
        ok ? `VALID: the record is frame ${p.index} of a sequence of ${p.treeSize} frames, head signed by ${escapeText(p.signedHead.kid)}`
          : 'INVALID: the proof does not show this record under a head signed by a trusted key');
      return ok ? 0 : 1;
    }));

  addArchiveCommands(dare, io);
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
