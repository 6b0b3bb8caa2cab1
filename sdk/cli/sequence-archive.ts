import type { Command } from 'commander';
import { archiveMeta, SequenceWriter, type ContainerType } from '../dare/sequence/index.js';
import { walkDirectory } from './archive.js';
import { escapeText } from './escape.js';
import { outputTarget, shown } from './files.js';
import type { CliIo } from './io.js';
import { printResult, warn } from './output.js';
import {
  collect, FRAME_NUMBERS, guarded, openVerified, parseDurability, parseType, readOptions, readWhole, recipientsOf, signerOf, type ReadOpts,
  type WriteOpts,
} from './sequence-common.js';
import { stagedSequence } from './sequence-files.js';
import { checkUnarchiveTarget, unarchive } from './unarchive.js';

/**
 * `mesh dare archive DIR FILE` and `mesh dare unarchive FILE DIR`: a directory tree in a sequence
 * (archive.ts says what is kept and what is skipped, unarchive.ts how it is written back). The
 * archive appears only when complete; extraction verifies first and leaves nothing on failure.
 */

/** Adds `archive` and `unarchive` to the `mesh dare` group. */
export function addArchiveCommands(dare: Command, io: CliIo): void {
  const stdoutText = (t: string): void => io.stdout(t);

  dare.command('archive')
    .description('archive a directory into a new sequence FILE: files, directories (empty ones too) and symbolic links, with modes and times')
    .argument('<dir>', 'directory')
    .argument('<file>', 'new sequence file')
    .option('--type <type>', 'container type (default merkle)', parseType)
    .option('--encrypt <keyfile>', 'encrypt for this key file (repeatable); names, paths, modes and times are encrypted too', collect)
    .option('--sign <keyfile>', 'sign the head with this key')
    .option('--durability <mode>', 'fsync, group (default) or none', parseDurability)
    .option('--force', 'replace FILE if it exists')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nSymbolic links are stored as links, never followed. Devices, sockets and FIFOs are skipped with a warning each, '
      + 'as are names holding a backslash or a control character; only the permission bits of a mode are kept (not set-id or sticky bits). '
      + `FILE is written under a temporary name and appears only when complete.${FRAME_NUMBERS}`)
    .action((dir: string, file: string, o: WriteOpts & { type?: ContainerType; encrypt?: string[]; force?: boolean }) => guarded(file, async () => {
      const target = await outputTarget(file, o.force === true);
      const recipients = await recipientsOf(o.encrypt);
      const signer = o.sign === undefined ? undefined : await signerOf(o.sign);
      const walk = await walkDirectory(dir, [file]);
      for (const s of walk.skipped) warn(io, `${shown(`${dir}/${s.path}`)}: ${s.reason}; skipped`);
      for (const p of walk.modesReduced) warn(io, `${shown(`${dir}/${p}`)}: set-id and sticky bits are not archived (permission bits are)`);
      const staged = await stagedSequence(target, o.durability ?? 'group');
      let w: SequenceWriter;
      try {
        w = await SequenceWriter.create(staged.store, {
          type: o.type ?? 'Merkle', ...(recipients.length ? { encrypt: { recipients, random: io.random } } : {}), ...(signer ? { signer } : {}),
        });
        try {
          for (const e of walk.entries) {
            const data = e.meta.kind === 'file' ? await readWhole(e.source, io) : new Uint8Array(0);
            w.append(data, { contentMeta: archiveMeta(e.meta) });
          }
        } finally {
          await w.close();
        }
        await staged.commit();
      } finally {
        await staged.discard();
      }
      const count = (k: string): number => walk.entries.filter((e) => e.meta.kind === k).length;
      const summary = { files: count('file'), directories: count('directory'), links: count('symlink') };
      printResult(stdoutText, o.json === true, { file, dir, ...summary, skipped: walk.skipped, frames: w.frameCount },
        `${shown(file)}: ${summary.files} files, ${summary.directories} directories and ${summary.links} symbolic links archived from ${shown(dir)}`
        + (walk.skipped.length ? ` (${walk.skipped.length} skipped)` : ''));
    }));

  readOptions(dare.command('unarchive')
    .description('verify an archive, then extract it into DIR (a new or empty directory; nothing is left behind on failure)')
    .argument('<file>', 'archive sequence')
    .argument('<dir>', 'target directory'))
    .option('--json', 'print JSON')
    .addHelpText('after', '\nSymbolic links are recreated only when they stay inside DIR: a link that is absolute, leads out of DIR '
      + '(also through other links) or to nothing is not created, with a warning. Modes are restored (permission bits only) and times kept.')
    .action((file: string, dir: string, o: ReadOpts & { json?: boolean }) => guarded(file, async () => {
      await checkUnarchiveTarget(dir);
      const v = await openVerified(file, o);
      let result;
      try {
        result = await unarchive(v, dir, (path, reason) => warn(io, escapeText(`${path}: ${reason}`)));
      } finally {
        await v.reader.store.close();
      }
      printResult(stdoutText, o.json === true, { dir, ...result },
        `${result.files.length} files, ${result.directories.length} directories and ${result.links.length} symbolic links extracted to ${shown(dir)}`
        + (result.skipped.length ? ` (${result.skipped.length} skipped)` : ''));
    }));
}
