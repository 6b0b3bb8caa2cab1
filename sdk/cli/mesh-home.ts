import { constants } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import type { Command } from 'commander';
import { defaultHomePath, NodeHome } from '../../adapters/home/node.js';
import { MeshHost, type MeshAccount } from '../mesh/index.js';
import { escapeText } from './escape.js';
import { CliExit, type CliIo } from './io.js';

/**
 * What every account and catalog command shares (features.md §B, §D): `--home DIR` (else
 * `MESH_HOME`, else `~/.mathmesh`), `--account` (address or UDF, needed when the home holds
 * several), `--json`; the home's passphrase from `MESH_PASSPHRASE`, else asked on the terminal
 * when one is needed; output helpers that print one JSON object or text lines.
 */

/** Options every host command takes. */
export interface HostOptions {
  home?: string;
  account?: string;
  json?: boolean;
}

/** Adds `--home`, `--account` and `--json` to a command. */
export function hostCommand(cmd: Command, withAccount = true): Command {
  cmd.option('--home <dir>', 'home folder of this device (default $MESH_HOME, else ~/.mathmesh)').option('--json', 'print JSON');
  if (withAccount) cmd.option('--account <address|udf>', 'the account (needed when this device holds several)');
  return cmd;
}

/** Opens the host of the home the options name. */
export async function openHost(io: CliIo, o: HostOptions): Promise<MeshHost> {
  const env = io.env ?? {};
  const home = NodeHome.open(defaultHomePath({ ...(o.home !== undefined ? { home: o.home } : {}), env }));
  const fromEnv = env['MESH_PASSPHRASE'];
  const host = await MeshHost.open(home, {
    passphrase: fromEnv !== undefined && fromEnv !== '' ? fromEnv : async () => io.promptSecret?.('Passphrase of the Mesh home: '),
    random: io.random,
    ...(io.kdfLogN !== undefined ? { kdf: { logN: io.kdfLogN } } : {}),
  });
  // The protection of a home is decided when it is first written: say so rather than let a user
  // believe a passphrase protects secrets it does not.
  if (fromEnv !== undefined && fromEnv !== '' && !host.passphraseProtected) {
    io.stderr(`mesh: warning: the home ${escapeText(home.location)} is not protected by a passphrase; MESH_PASSPHRASE is ignored\n`);
  }
  return host;
}

/** Opens the account the options name (the only one when `--account` is absent). */
export async function openAccount(io: CliIo, o: HostOptions): Promise<{ host: MeshHost; account: MeshAccount }> {
  const host = await openHost(io, o);
  return { host, account: await host.account(o.account) };
}

/** Prints a JSON object (with `--json`) or text lines (escaped: they may hold others' text). */
export function output(io: CliIo, o: { json?: boolean }, value: unknown, lines: readonly string[]): void {
  if (o.json) io.stdout(JSON.stringify(value) + '\n');
  else if (lines.length > 0) io.stdout(lines.map((l) => escapeText(l)).join('\n') + '\n');
}

/**
 * Writes a file atomically (temporary file, then rename), owner-only (0600): exports and private
 * keys. Refuses to replace an existing file unless `force`.
 */
export async function writeOutputFile(path: string, data: Uint8Array | string, force: boolean): Promise<void> {
  const tmp = `${path}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}.tmp`;
  const h = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await h.writeFile(data);
    await h.sync();
    await h.close();
    if (force) {
      await rename(tmp, path);
    } else {
      // link() fails if the name exists: no window in which another file could be replaced.
      try {
        await link(tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CliExit(2, `${escapeText(path)} exists (use --force to replace it)`);
        throw e;
      }
    }
  } finally {
    await h.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
  }
}
