import { Command, CommanderError } from 'commander';
import { CryptoError } from '../crypto/errors.js';
import { EncodingError } from '../encoding/errors.js';
import { UdfError } from '../udf/errors.js';
import { DareError } from '../dare/errors.js';
import { addDareCommands } from './dare.js';
import { escapeText } from './escape.js';
import { addHashCommands } from './hash.js';
import { CliExit, nodeIo, type CliIo } from './io.js';
import { addKeyCommands } from './key.js';
import { addAccountCommands } from './mesh-account.js';
import { addCatalogCommands } from './mesh-catalogs.js';
import { MeshError } from '../mesh/errors.js';
import { SequenceError } from '../dare/sequence/errors.js';
import { addBackendOption, addSequenceCommands } from './sequence.js';
import { MESH_VERSION } from './version.js';
import { addServiceCommands } from './mesh-service.js';
import { addMessageCommands } from './mesh-message.js';
import { addDeviceCommands } from './mesh-device.js';
import { ProtocolError } from '../protocol/errors.js';
import { MeshClientError } from '../client/errors.js';
import { MeshServiceError } from '../service/mesh/errors.js';
import { ServiceStoreError } from '../service/store-errors.js';

/**
 * The `mesh` command line, on commander. `main(args)` takes the user arguments (without `node`
 * and the script) and resolves to the exit status, so tests can run it in-process: 0 success,
 * 1 an expectation failed (`hash udf --expect`, `dare verify`), 2 usage or input errors, 70 an
 * internal error. Every failure is one line on stderr starting `mesh: ` — the file and the
 * reason (files.ts), a typed error's code and message, or a usage error with a pointer to
 * `--help` — never a stack trace, never a secret. Untrusted text is printed through `escapeText`.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('mesh')
    .description('Mathematical Mesh tools: accounts and their catalogs (passwords, contacts, SSH keys…), encrypt and sign files (DARE envelopes), '
      + 'append-only logs (DARE sequences), fingerprints (UDF), keys, nonces, secrets and Shamir shares')
    .version(MESH_VERSION, '-V, --version', 'print the version of mesh')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // Usage errors as one line, like every other failure (subcommands inherit this).
      outputError: (s, write) => write(`mesh: ${escapeText(s.trim().replace(/^error: /, ''))} (see --help)\n`),
    });
  addHashCommands(program, io);
  addKeyCommands(program, io);
  addDareCommands(program, io);
  addSequenceCommands(program, io);
  addAccountCommands(program, io);
  addCatalogCommands(program, io);
  addMessageCommands(program, io);
  addServiceCommands(program, io);
  addDeviceCommands(program, io);
  addBackendOption(program);
  return program;
}

/** Runs `mesh` with the user arguments; resolves to the exit status (see above). */
export async function main(args: readonly string[], io: CliIo = nodeIo): Promise<number> {
  const program = buildProgram(io);
  if (args.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      // Commander printed the message already.
      return 2;
    }
    if (e instanceof CliExit) {
      if (e.message) io.stderr(`mesh: ${e.message}\n`);
      return e.status;
    }
    if (e instanceof UdfError || e instanceof EncodingError || e instanceof CryptoError || e instanceof DareError || e instanceof MeshError || e instanceof SequenceError
      || e instanceof ProtocolError || e instanceof MeshClientError || e instanceof MeshServiceError || e instanceof ServiceStoreError) {
      io.stderr(`mesh: ${e.code}: ${escapeText(e.message)}\n`);
      return 2;
    }
    // Never a stack trace for a user: anything else is reported in one escaped line.
    const what = e instanceof Error ? `${e.name}: ${e.message}` : 'unexpected failure';
    io.stderr(`mesh: internal error: ${escapeText(what)}\n`);
    return 70;
  }
}
