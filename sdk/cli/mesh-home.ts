import type { Command } from 'commander';
import { defaultHomePath, NodeHome } from '../../adapters/home/node.js';
import { MeshHost, type MeshAccount } from '../mesh/index.js';
import { escapeText } from './escape.js';
import { AtomicFile, type OutputTarget } from './files.js';
import type { CliIo } from './io.js';
import { printResult, warn } from './output.js';

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
    warn(io, `the home ${escapeText(home.location)} is not protected by a passphrase; MESH_PASSPHRASE is ignored`);
  }
  return host;
}

/** Opens the account the options name (the only one when `--account` is absent). */
export async function openAccount(io: CliIo, o: HostOptions): Promise<{ host: MeshHost; account: MeshAccount }> {
  const host = await openHost(io, o);
  return { host, account: await host.account(o.account) };
}

/**
 * Prints a command's result (output.ts): one JSON object with `--json`, else text lines, each
 * escaped (they may hold others' text: contact names, sites, titles).
 */
export function output(io: CliIo, o: { json?: boolean }, value: Record<string, unknown>, lines: readonly string[]): void {
  printResult((t) => io.stdout(t), o.json === true, value, lines.map((l) => escapeText(l)).join('\n'));
}

/**
 * Writes a file that appears whole or not at all (files.ts AtomicFile), owner-only (0600):
 * exports and private keys. Check the target with {@link outputTarget} before the work.
 */
export async function writeOutputFile(target: OutputTarget, data: Uint8Array | string): Promise<void> {
  const f = await AtomicFile.create(target, 0o600);
  try {
    await f.write(typeof data === 'string' ? new TextEncoder().encode(data) : data);
    await f.commit();
  } catch (e) {
    await f.abort();
    throw e;
  }
}
