import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { exportAccount, importAccount, MeshError } from '../mesh/index.js';
import { loadKeyFile, privateKeyOf } from './keyfile.js';
import { publicPart } from '../dare/index.js';
import { outputTarget } from './files.js';
import { CliExit, type CliIo } from './io.js';
import { hostCommand, openAccount, openHost, output, writeOutputFile, type HostOptions } from './mesh-home.js';
import { parseInteger } from './options.js';
import { addClientCommands, bindAccount } from './mesh-client.js';
import { addAccountConnectCommand, addAccountDeviceCommands } from './mesh-device.js';

/**
 * `mesh account …` (features.md §B rows 11, 12, 16, 18–21), thin over `mathmesh/mesh`'s MeshHost:
 * create (offline), list, info, escrow, purge, recover, export, import.
 */

async function exportPassphrase(io: CliIo, what: string): Promise<string> {
  const env = io.env?.['MESH_EXPORT_PASSPHRASE'];
  const p = env !== undefined && env !== '' ? env : await io.promptSecret?.(`Passphrase of the ${what}: `);
  if (p === undefined || p === '') throw new CliExit(2, `the ${what} needs a passphrase: set MESH_EXPORT_PASSPHRASE, or give --to / --key KEYFILE`);
  return p;
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new CliExit(2, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Adds `mesh account …`. */
export function addAccountCommands(program: Command, io: CliIo): void {
  const account = program.command('account').description('accounts on this device and at their service: create, bind, hello, sync, status, watch, delete, pin, connect, list, info, escrow, purge, recover, export, import');

  hostCommand(account.command('create'), false)
    .description('create an account with this device as its administrator, and bind it to its service (--offline: no service yet)')
    .argument('<address>', 'account address, e.g. alice@example.com')
    .option('--service <url>', 'the service (default: MESH_RESOLVE, DNS SRV _mmm._tcp.DOMAIN, https://DOMAIN/.well-known/mmm/)')
    .option('--offline', 'create the account on this device only (bind it later with `account bind`)')
    .option('--group', 'a group account (ProfileGroup)')
    .option('--description <text>', 'profile description')
    .action(async (address: string, o: HostOptions & { group?: boolean; description?: string; service?: string; offline?: boolean }) => {
      if (o.offline && o.service !== undefined) throw new CliExit(2, '--offline and --service exclude each other');
      const host = await openHost(io, o);
      const a = await host.createAccount(address, { ...(o.group ? { kind: 'group' as const } : {}), ...(o.description ? { description: o.description } : {}) });
      if (o.offline) {
        output(io, o, { account: a.address, udf: a.udf, device: a.deviceUdf, roles: a.roles }, [`Account=${a.address}`, `UDF=${a.udf}`]);
        return;
      }
      try {
        await bindAccount(io, o, a);
      } catch (e) {
        // The account exists on this device either way: say so, and how to bind it later.
        io.stderr(`mesh: the account ${a.address} was created on this device, but not bound: retry with \`mesh account bind --account ${a.address}\`\n`);
        throw e;
      }
    });

  addClientCommands(account, io);
  addAccountDeviceCommands(account, io);
  addAccountConnectCommand(account, io);

  hostCommand(account.command('list'), false)
    .description('the accounts this device holds')
    .action(async (o: HostOptions) => {
      const list = await (await openHost(io, o)).accounts();
      output(io, o, { accounts: list }, list.map((a) => `${a.address} ${a.udf}${a.kind === 'group' ? ' (group)' : ''}`));
    });

  hostCommand(account.command('info'))
    .description('the account, this device, its roles and the account\'s public keys')
    .action(async (o: HostOptions) => {
      const { account: a } = await openAccount(io, o);
      const keys = a.keys();
      output(io, o, {
        account: a.address, udf: a.udf, kind: a.kind, device: a.deviceUdf, roles: a.roles, administrator: a.isAdministrator, seed: a.holdsSeed,
        service: a.service?.serviceUdf ?? null, keys,
      }, [
        `Account=${a.address}`, `UDF=${a.udf}`, `Device=${a.deviceUdf}`, `Roles=${a.roles.join(',')}`,
        `Seed=${a.holdsSeed ? 'held on this device' : 'not on this device'}`, `Service=${a.service?.serviceUdf ?? '(none: offline)'}`,
        ...keys.map((k) => `${k.name}=${k.udf} (${k.algorithm})`),
      ]);
    });

  hostCommand(account.command('escrow'))
    .description('split the account seed into Shamir shares (prints them: keep them apart, a quorum holds the account)')
    .option('--shares <n>', 'number of shares (default 3)', parseInteger, 3)
    .option('--quorum <k>', 'shares needed to recover (default 2)', parseInteger, 2)
    .action(async (o: HostOptions & { shares: number; quorum: number }) => {
      const { account: a } = await openAccount(io, o);
      const shares = a.escrow({ shares: o.shares, quorum: o.quorum });
      output(io, o, { account: a.address, udf: a.udf, quorum: o.quorum, shares }, shares.map((s) => `Share: ${s}`));
    });

  hostCommand(account.command('purge'))
    .description('remove the account seed from this device (catalogs stay usable; escrow no longer works here)')
    .action(async (o: HostOptions) => {
      const { account: a } = await openAccount(io, o);
      await a.purge();
      output(io, o, { account: a.address, udf: a.udf, seed: false }, [`Purged the seed of ${a.address} from this device`]);
    });

  hostCommand(account.command('recover'), false)
    .description('rebuild an account on this device from a quorum of escrow shares')
    .argument('<share...>', 'share UDFs (S…)')
    .option('--from <dir>', 'a folder holding the account\'s store files (MMM_*.dare) to take over')
    .option('--address <address>', 'the account address (needed when no store file holds the profile)')
    .option('--udf <udf>', 'the account UDF the shares must recover')
    .action(async (shares: string[], o: HostOptions & { from?: string; address?: string; udf?: string }) => {
      const host = await openHost(io, o);
      const from = o.from;
      const a = await host.recoverAccount(shares, {
        ...(o.address ? { address: o.address } : {}), ...(o.udf ? { expectedUdf: o.udf } : {}),
        ...(from ? {
          stores: async (label: string) => {
            try {
              return new Uint8Array(await readFile(join(from, `${label}.dare`)));
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
              throw new MeshError('MESH_HOME', `cannot read ${label}.dare in ${from}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
            }
          },
        } : {}),
      });
      output(io, o, { account: a.address, udf: a.udf, device: a.deviceUdf, roles: a.roles }, [`Account=${a.address}`, `UDF=${a.udf}`]);
    });

  hostCommand(account.command('export'))
    .description('write this device\'s state of the account to FILE, encrypted to a passphrase (MESH_EXPORT_PASSPHRASE or asked) or a key file')
    .argument('<file>', 'output file (written 0600)')
    .option('--to <keyfile>', 'encrypt to the X448 key of this mesh key file instead of a passphrase')
    .option('--force', 'replace FILE if it exists')
    .action(async (file: string, o: HostOptions & { to?: string; force?: boolean }) => {
      const target = await outputTarget(file, o.force === true);
      const { host, account: a } = await openAccount(io, o);
      let protection;
      if (o.to) {
        const k = await loadKeyFile(o.to);
        if (!k.encrypt) throw new CliExit(2, `${o.to} has no encryption key`);
        protection = { recipient: publicPart(k.encrypt) };
      } else {
        protection = { passphrase: await exportPassphrase(io, 'export') };
      }
      await writeOutputFile(target, await exportAccount(host, a, protection));
      output(io, o, { account: a.address, udf: a.udf, file }, [`Exported ${a.address} to ${file}`]);
    });

  hostCommand(account.command('import'), false)
    .description('take over an account exported by `account export`')
    .argument('<file>', 'the export')
    .option('--key <keyfile>', 'the mesh key file whose X448 key the export is encrypted to')
    .action(async (file: string, o: HostOptions & { key?: string }) => {
      const host = await openHost(io, o);
      const bytes = await readInput(file);
      const key = o.key
        ? { key: privateKeyOf(await loadKeyFile(o.key), 'encrypt', o.key) }
        : { passphrase: await exportPassphrase(io, 'import') };
      const a = await importAccount(host, bytes, key);
      output(io, o, { account: a.address, udf: a.udf, device: a.deviceUdf }, [`Account=${a.address}`, `UDF=${a.udf}`]);
    });
}
